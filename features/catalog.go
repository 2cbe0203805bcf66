package features

import (
	"fmt"
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

// Property is one public attribute of a collection.
type Property struct {
	Name       string
	Type       PropertyType
	Filterable bool // allowed as an equality filter in OGC items queries
	Title      string
}

// Temporal names the properties bounding a feature's life in time. End may be
// empty when the collection only has a start (a case's report date).
type Temporal struct {
	Start string
	End   string
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
