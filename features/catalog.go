package features

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Group names the part of the map a collection belongs to, as in the
// province's original map: the epidemic situation, the lookup services, and
// the administrative boundaries.
type Group string

// The groups of the map.
const (
	GroupSituation Group = "situation"
	GroupLookup    Group = "lookup"
	GroupBoundary  Group = "boundary"
)

// PropertyType is the JSON/TileJSON type of a public property.
type PropertyType string

// Property types, as TileJSON's vector_layers and OGC queryables name them.
const (
	TypeString  PropertyType = "String"
	TypeInteger PropertyType = "Number"
	TypeDate    PropertyType = "Date"
)

// Property is one public attribute of a collection, with the rules every
// store, importer and handler applies to its values. The PostGIS schema
// states the same rules as constraints; a test in features/postgis compares
// the migrated schema with the catalog so that the two cannot drift.
type Property struct {
	Name       string
	Type       PropertyType
	Filterable bool // allowed as an equality filter in OGC items queries
	Title      string
	// Required: every record has a value (a NOT NULL column). An empty
	// string is no value.
	Required bool
	// Unique: no two records of the collection share a value (a UNIQUE
	// column).
	Unique bool
	// Default is the value a record without one is stored with (a column
	// DEFAULT); nil for none.
	Default any
	// Vocabulary, when not empty, lists the only values allowed (a CHECK
	// (... IN (...)) constraint). Callers must not change it; Allowed
	// returns a copy.
	Vocabulary []string
	// MaxLength, when positive, is the most characters a value may have.
	MaxLength int
}

// OrDefault returns v, or the property's default when v is no value (nil
// or the empty string), as a column DEFAULT would.
func (p Property) OrDefault(v any) any {
	if v == nil || v == "" {
		return p.Default
	}
	return v
}

// Allows reports whether s is a word of the property's vocabulary, or
// whether the property has none.
func (p Property) Allows(s string) bool {
	return len(p.Vocabulary) == 0 || slices.Contains(p.Vocabulary, s)
}

// Temporal names the properties bounding a feature's life in time. End may be
// empty when the collection only has a start (a case's report date): its
// features are instants. Which features a range of days selects is stated
// once, in temporal.go.
type Temporal struct {
	Start string
	End   string
}

// Hiding says which stored items no public read returns: those whose
// Property holds one of Values (a quarantine zone still in draft).
type Hiding struct {
	Property string
	Values   []string
}

// Collection describes one layer of the map: its id (as in the interface
// contract), what it holds, its public properties and how tiles show it.
type Collection struct {
	ID          string
	Title       string // English
	TitleVI     string // Vietnamese
	Description string
	Group       Group
	Geometry    string // "Point" or "MultiPolygon"
	// People marks layers about persons (cases, contacts): their positions are
	// geomasked and they are aggregated into counted cells at low zoom.
	People     bool
	Properties []Property
	Temporal   *Temporal
	// Hidden, when set, keeps some stored items out of every public read;
	// see Collection.Public.
	Hidden *Hiding
	// Priority orders layers in a composite tile: when the tile's total
	// feature budget is exceeded, the layer with the highest number is cut
	// first.
	Priority int
	// MinZoom is the lowest zoom at which the layer appears in tiles.
	MinZoom int
}

// Property returns the named public property.
func (c Collection) Property(name string) (Property, bool) {
	for _, p := range c.Properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// PropertyNames lists the public property names in catalog order.
func (c Collection) PropertyNames() []string {
	names := make([]string, len(c.Properties))
	for i, p := range c.Properties {
		names[i] = p.Name
	}
	return names
}

// Required lists the properties every record must have a value for.
func (c Collection) Required() []string { return c.names(func(p Property) bool { return p.Required }) }

// Unique lists the properties whose values no two records share.
func (c Collection) Unique() []string { return c.names(func(p Property) bool { return p.Unique }) }

func (c Collection) names(keep func(Property) bool) []string {
	var out []string
	for _, p := range c.Properties {
		if keep(p) {
			out = append(out, p.Name)
		}
	}
	return out
}

// PublicValue reports whether an item whose hiding property (Hidden.Property)
// holds v may be read by the public. No value is public.
func (c Collection) PublicValue(v string) bool {
	return c.Hidden == nil || !slices.Contains(c.Hidden.Values, v)
}

// Public reports whether a record or feature with these properties may be
// read by the public: every public read path of every store applies it.
func (c Collection) Public(props map[string]any) bool {
	if c.Hidden == nil {
		return true
	}
	v, _ := props[c.Hidden.Property].(string)
	return c.PublicValue(v)
}

// IsPolygon reports whether the collection holds areas rather than points.
func (c Collection) IsPolygon() bool { return c.Geometry == "MultiPolygon" }

// Catalog is the fixed, ordered set of collections Bando serves.
type Catalog struct {
	list []Collection
	byID map[string]int
}

// ErrUnknownCollection is returned for a collection id not in the catalog.
var ErrUnknownCollection = fmt.Errorf("features: unknown collection")

// NewCatalog returns the catalog of every collection of the map.
func NewCatalog() *Catalog {
	list := collections()
	c := &Catalog{list: list, byID: make(map[string]int, len(list))}
	for i, col := range list {
		c.byID[col.ID] = i
	}
	return c
}

// All returns every collection in display order.
func (c *Catalog) All() []Collection { return append([]Collection(nil), c.list...) }

// IDs returns every collection id in display order.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.list))
	for i, col := range c.list {
		ids[i] = col.ID
	}
	return ids
}

// Get returns the collection with the given id.
func (c *Catalog) Get(id string) (Collection, error) {
	i, ok := c.byID[id]
	if !ok {
		return Collection{}, fmt.Errorf("%w %q", ErrUnknownCollection, id)
	}
	return c.list[i], nil
}

// ErrRepeatedCollection is returned when a layer list names a collection twice.
var ErrRepeatedCollection = fmt.Errorf("features: collection listed twice")

// ParseList resolves a comma-separated list of collection ids ("cases,markets")
// in the order given. An unknown or repeated id is an error.
func (c *Catalog) ParseList(list string) ([]Collection, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("%w: empty layer list", ErrUnknownCollection)
	}
	seen := map[string]bool{}
	var out []Collection
	for _, id := range strings.Split(list, ",") {
		col, err := c.Get(id)
		if err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: %q", ErrRepeatedCollection, id)
		}
		seen[id] = true
		out = append(out, col)
	}
	return out, nil
}

// ByPriority returns the collections sorted so that the first to be cut from
// a full composite tile comes last.
func ByPriority(cols []Collection) []Collection {
	out := append([]Collection(nil), cols...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out
}
