package crs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bandomap/bando/features/crs"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want crs.CRS
	}{
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", crs.CRS84},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", crs.EPSG4326},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", crs.EPSG3857},
		{"http://www.opengis.net/def/crs/EPSG/0/3405", crs.EPSG3405},
		{"[EPSG:3405]", crs.EPSG3405},
		{"EPSG:3405", crs.EPSG3405},
		{"epsg:3857", crs.EPSG3857},
		{"[OGC:CRS84]", crs.CRS84},
		{"OGC:CRS84", crs.CRS84},
		{"[EPSG:4326]", crs.EPSG4326},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := crs.Parse(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{
		"", "EPSG", "EPSG:", "EPSG:4", "EPSG:43260", "EPSG:3405 ", " EPSG:3405", "[EPSG:3405", "EPSG:3405]",
		"[[EPSG:3405]]", "EPSG:9999", "OGC:CRS84h", "OGC:crs84", "CRS84", "3405",
		"http://www.opengis.net/def/crs/EPSG/0/9999", "http://www.opengis.net/def/crs/OGC/1.3/CRS84/",
		"http://www.opengis.net/def/crs/epsg/0/3405", "urn:ogc:def:crs:EPSG::4326", "EPSG:3405:x",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := crs.Parse(in)
			if !errors.Is(err, crs.ErrUnsupported) {
				t.Fatalf("Parse(%q) error = %v; want ErrUnsupported", in, err)
			}
			// The message tells the client what it may ask for.
			if !strings.Contains(err.Error(), "http://www.opengis.net/def/crs/EPSG/0/3405") {
				t.Errorf("error %q does not list the supported URIs", err)
			}
		})
	}
}

func TestURIRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range crs.Supported() {
		t.Run(c.String(), func(t *testing.T) {
			for _, s := range []string{c.URI(), c.String(), "[" + c.String() + "]"} {
				got, err := crs.Parse(s)
				if err != nil || got != c {
					t.Errorf("Parse(%q) = %v, %v; want %v", s, got, err, c)
				}
			}
			if seen[c.URI()] {
				t.Errorf("URI %s listed twice", c.URI())
			}
			seen[c.URI()] = true
		})
	}
	if got := crs.Supported(); len(got) != 4 || got[0] != crs.CRS84 {
		t.Errorf("Supported() = %v; want 4 CRSs, CRS84 first", got)
	}
}

func TestProperties(t *testing.T) {
	tests := []struct {
		c                 crs.CRS
		srid              int
		latLon, projected bool
	}{
		{crs.CRS84, 4326, false, false},
		{crs.EPSG4326, 4326, true, false},
		{crs.EPSG3857, 3857, false, true},
		{crs.EPSG3405, 3405, false, true},
		{crs.CRS(200), 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.c.String(), func(t *testing.T) {
			if tt.c.SRID() != tt.srid || tt.c.LatLon() != tt.latLon || tt.c.Projected() != tt.projected {
				t.Errorf("SRID, LatLon, Projected = %d, %v, %v; want %d, %v, %v",
					tt.c.SRID(), tt.c.LatLon(), tt.c.Projected(), tt.srid, tt.latLon, tt.projected)
			}
		})
	}
	var zero crs.CRS
	if zero != crs.CRS84 {
		t.Error("the zero CRS is not CRS84")
	}
	if crs.CRS(200).URI() != "" || crs.CRS(200).String() != "CRS(200)" {
		t.Errorf("unsupported CRS: URI %q, String %q", crs.CRS(200).URI(), crs.CRS(200).String())
	}
}
