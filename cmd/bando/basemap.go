package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/bandomap/bando/tiles/basemap"
	"github.com/bandomap/bando/tiles/tilehttp"
)

// validateBaseMap checks that BANDO_BASEMAP_PMTILES, when set, names a
// readable PMTiles archive of vector tiles.
func (c *Config) validateBaseMap() error {
	if c.BaseMapPMTiles == "" {
		return nil
	}
	a, err := openBaseMap(c)
	if err != nil {
		return err
	}
	return a.Close()
}

// openBaseMap opens the street base map archive, or nil without one.
func openBaseMap(c *Config) (*basemap.Archive, error) {
	if c.BaseMapPMTiles == "" {
		return nil, nil
	}
	if _, err := os.Stat(c.BaseMapPMTiles); err != nil {
		return nil, fmt.Errorf("BANDO_BASEMAP_PMTILES: %w (cut an extract with `pmtiles extract`, see the README)", err)
	}
	a, err := basemap.Open(c.BaseMapPMTiles)
	if err != nil {
		return nil, fmt.Errorf("BANDO_BASEMAP_PMTILES: %w", err)
	}
	if err := tilehttp.CheckBaseMap(a); err != nil {
		a.Close()
		return nil, fmt.Errorf("BANDO_BASEMAP_PMTILES %s: %w", c.BaseMapPMTiles, err)
	}
	return a, nil
}

// isBaseMap tells the street base map's routes.
func isBaseMap(path string) bool {
	return path == "/basemap.json" || strings.HasPrefix(path, "/basemap/")
}
