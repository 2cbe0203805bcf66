package cql2_test

import (
	"fmt"

	"github.com/bandomap/bando/features/cql2"
	"github.com/paulmach/orb"
)

func Example() {
	e, err := cql2.ParseText(`status in ('published','lifted') AND S_INTERSECTS(geometry, BBOX(106.6, 10.9, 106.8, 11.1))`)
	if err != nil {
		fmt.Println(err)
		return
	}
	q := cql2.Queryables{"status": cql2.TypeString, "geometry": cql2.TypeGeometry}
	if err := cql2.Check(e, q); err != nil {
		fmt.Println(err)
		return
	}
	row := cql2.Values{"status": "published", "geometry": orb.Point{106.7, 11}}
	fmt.Println(cql2.String(e))
	fmt.Println(cql2.Evaluate(e, row))
	// Output:
	// status IN ('published', 'lifted') AND S_INTERSECTS(geometry, BBOX(106.6, 10.9, 106.8, 11.1))
	// true
}
