// Command mkfixture writes the test base map of package basemaptest to a
// file, for the browser tests (static/e2e/run.sh):
//
//	go run ./tiles/basemap/basemaptest/mkfixture out.pmtiles
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/bandomap/bando/tiles/basemap/basemaptest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkfixture out.pmtiles")
		os.Exit(2)
	}
	a, err := basemaptest.Fixture(12)
	if err == nil {
		var buf bytes.Buffer
		if err = basemaptest.Write(&buf, a); err == nil {
			err = os.WriteFile(os.Args[1], buf.Bytes(), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
