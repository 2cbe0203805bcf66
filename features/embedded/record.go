package embedded

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// maxIDLength bounds record ids; an id is a key on disk and in URLs.
const maxIDLength = 200

// prepared is one validated record, encoded and ready to be stored.
type prepared struct {
	id   string
	pub  []byte
	priv []byte // nil for layers that are not about people
	it   *item  // nil when the record is not public (a draft zone)
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
	if len(r.ID) > maxIDLength || !utf8.ValidString(r.ID) {
		return prepared{}, invalid(id, r.ID, "id must be 1 to %d bytes of UTF-8", maxIDLength)
	}
	vals, err := recordValues(l, r.Properties)
	if err != nil {
		return prepared{}, invalid(id, r.ID, "%v", err)
	}
	p := prepared{id: r.ID}
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
	}
	if p.pub, err = encodePublic(l, f); err != nil {
		return prepared{}, err
	}
	p.it = newItem(l, in, r.ID, f)
	return p, nil
}

// recordValues returns a validated record's properties typed, in layout
// order. As in the PostGIS schema, an empty string is no value, a required
// property (a NOT NULL column) must have one, and a zone's revision
// defaults to 1.
func recordValues(l *layout, props map[string]any) ([]value, error) {
	vals := make([]value, len(l.names))
	for name, raw := range props {
		i := l.index[name]
		v, err := typed(l.col.Properties[i].Type, raw)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", name, err)
		}
		vals[i] = v
	}
	for _, i := range l.required {
		if vals[i].kind == kindNil {
			return nil, fmt.Errorf("property %q is required", l.names[i])
		}
	}
	if r := l.at("revision"); r >= 0 && l.col.ID == "quarantine_zones" && vals[r].kind == kindNil {
		vals[r] = value{kind: kindInt, i: 1}
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
			return value{kind: kindDate, i: dayOf(d)}, err
		}
		return value{kind: kindString, s: v}, nil
	case time.Time:
		return value{kind: kindDate, i: dayOf(v)}, nil
	case int:
		return value{kind: kindInt, i: int64(v)}, nil
	case int32:
		return value{kind: kindInt, i: int64(v)}, nil
	case int64:
		return value{kind: kindInt, i: v}, nil
	}
	return value{}, fmt.Errorf("%T is not a %s", raw, t)
}
