package embedded

import (
	"fmt"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// prepared is one validated record, encoded and ready to be stored.
type prepared struct {
	id   string
	pub  []byte
	priv []byte // nil for layers that are not about people
	it   *item  // nil when the record is not public (a draft zone)
	// given is the revision the record brings (a zone's revision
	// property), 0 for none; rev, when set, is the revision to store (an
	// edit's); by is who wrote it (an edit's actor).
	given, rev int64
	by         string
	del        bool // an edit's deletion of id
}

// invalid builds an ErrInvalid error about one record.
func invalid(col, id, format string, args ...any) error {
	return fmt.Errorf("embedded: %w: %s record %q: %s", features.ErrInvalid, col, id, fmt.Sprintf(format, args...))
}

// prepare validates a record against its collection and encodes it. For
// people layers the record's geometry is the exact location: it goes to the
// private side, and the public side gets its geomasked position.
func (s *Store) prepare(l *layout, in *interner, r features.Record) (prepared, error) {
	id := l.col.ID
	geom, err := features.Validate(l.col, r)
	if err != nil {
		return prepared{}, fmt.Errorf("embedded: %w", err)
	}
	vals, err := recordValues(l, r.Properties)
	if err != nil {
		return prepared{}, invalid(id, r.ID, "%v", err)
	}
	p := prepared{id: r.ID, given: givenRevision(l, vals)}
	pubGeom := geom
	if l.col.People {
		pubGeom = features.Geomask(geom.(orb.Point), s.cellM)
		if p.priv, err = encodePrivate(geom, r.Person); err != nil {
			return prepared{}, err
		}
	} else if r.Person != nil {
		return prepared{}, invalid(id, r.ID, "only people layers hold personal fields")
	}
	f := fields{geom: pubGeom, vals: vals}
	if l.name >= 0 && vals[l.name].kind == kindString {
		f.folded = in.fold(vals[l.name].s)
		// The address follows the name, so that search finds a place by
		// its street; a word has no space, so none matches across the two.
		if a := l.at("address"); a >= 0 && vals[a].kind == kindString {
			if fa := in.fold(vals[a].s); fa != "" {
				f.folded += " " + fa
			}
		}
	}
	if p.pub, err = encodePublic(l, f); err != nil {
		return prepared{}, err
	}
	p.it = newItem(l, in, r.ID, f)
	return p, nil
}

// recordValues returns a record's properties, which features.Validate
// accepted (types, vocabularies, required values), typed and in layout
// order, with the catalog's default for a missing value. As in the PostGIS
// schema, an empty string is no value.
func recordValues(l *layout, props map[string]any) ([]value, error) {
	vals := make([]value, len(l.names))
	for i, p := range l.col.Properties {
		v, err := typed(p.Type, p.OrDefault(props[p.Name]))
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", p.Name, err)
		}
		vals[i] = v
	}
	return vals, nil
}

// typed converts a value that features.Validate accepted to the catalog
// type of its property.
func typed(t features.PropertyType, raw any) (value, error) {
	switch v := raw.(type) {
	case nil:
		return value{}, nil
	case string:
		switch {
		case v == "":
			return value{}, nil
		case t == features.TypeDate:
			d, err := time.Parse(features.DateLayout, v)
			return value{kind: kindDate, i: int64(features.DayOf(d))}, err
		}
		return value{kind: kindString, s: v}, nil
	case time.Time:
		return value{kind: kindDate, i: int64(features.DayOf(v))}, nil
	case int:
		return value{kind: kindInt, i: int64(v)}, nil
	case int32:
		return value{kind: kindInt, i: int64(v)}, nil
	case int64:
		return value{kind: kindInt, i: v}, nil
	}
	return value{}, fmt.Errorf("%T is not a %s", raw, t)
}
