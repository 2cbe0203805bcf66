package crs_test

import (
	"fmt"

	"github.com/bandomap/bando/features/crs"
	"github.com/paulmach/orb"
)

// A handler reads the crs parameter, transforms what it sends, and names
// the CRS in the Content-Crs header.
func ExampleParse() {
	c, err := crs.Parse("http://www.opengis.net/def/crs/EPSG/0/3405")
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := c.FromCRS84(orb.Point{106.65, 10.98}) // Thủ Dầu Một, lon/lat
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Content-Crs: <%s>\n%.3f\n", c.URI(), g)
	// Output:
	// Content-Crs: <http://www.opengis.net/def/crs/EPSG/0/3405>
	// [680091.758 1214374.109]
}

// A bbox with bbox-crs is turned into the CRS84 box the stores filter by.
func ExampleCRS_BoundToCRS84() {
	c, _ := crs.Parse("[EPSG:4326]")
	// EPSG:4326 puts latitude first: bbox=10.8,106.3,11.5,107.
	b, err := c.BoundToCRS84(orb.Bound{Min: orb.Point{10.8, 106.3}, Max: orb.Point{11.5, 107}})
	fmt.Println(b, err)
	// Output:
	// {[106.3 10.8] [107 11.5]} <nil>
}

func ExampleSupportedURIs() {
	for _, u := range crs.SupportedURIs() {
		fmt.Println(u)
	}
	// Output:
	// http://www.opengis.net/def/crs/OGC/1.3/CRS84
	// http://www.opengis.net/def/crs/EPSG/0/4326
	// http://www.opengis.net/def/crs/EPSG/0/3857
	// http://www.opengis.net/def/crs/EPSG/0/3405
}
