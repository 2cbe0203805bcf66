package tiles

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestVersionFirstSkipsEveryWireType: versionFirst walks fields of every
// wire type (varint, fixed64, fixed32, length-delimited) to find a layer's
// version, leaves fields of the tile that are not layers as they are, and
// refuses keys, varints and fields that run past the end.
func TestVersionFirstSkipsEveryWireType(t *testing.T) {
	// Layer fields, by hand: name "x" (0a 01 78); an unknown fixed64 field
	// 9 (49 + 8 bytes); an unknown fixed32 field 10 (55 + 4 bytes); extent
	// 4096 (28 80 20); version 2 (78 02).
	name := []byte{0x0a, 0x01, 0x78}
	fixed64 := []byte{0x49, 1, 2, 3, 4, 5, 6, 7, 8}
	fixed32 := []byte{0x55, 1, 2, 3, 4}
	extent := []byte{0x28, 0x80, 0x20}
	version := []byte{0x78, 0x02}
	cat := func(parts ...[]byte) []byte { return slices.Concat(parts...) }
	layer := func(body []byte) []byte { return append([]byte{0x1a, byte(len(body))}, body...) }
	// A tile field 5 varint (28 07) that is not a layer.
	other := []byte{0x28, 0x07}
	tests := []struct {
		name    string
		in      []byte
		want    []byte
		wantErr string
	}{
		{"fixed fields before the version", layer(cat(name, fixed64, fixed32, extent, version)),
			layer(cat(version, name, fixed64, fixed32, extent)), ""},
		{"fixed32 then fixed64", layer(cat(fixed32, fixed64, version)), layer(cat(version, fixed32, fixed64)), ""},
		{"another tile field before a moved layer", cat(other, layer(cat(name, version))), cat(other, layer(cat(version, name))), ""},
		{"another tile field after a moved layer", cat(layer(cat(name, version)), other), cat(layer(cat(version, name)), other), ""},
		{"a version with the wrong wire type is not one", layer(cat(name, []byte{0x7d, 1, 2, 3, 4})), layer(cat(name, []byte{0x7d, 1, 2, 3, 4})), ""},
		{"key cut short", []byte{0x80}, nil, "bad field key"},
		{"varint cut short in a layer", layer(cat(name, []byte{0x78, 0x80})), nil, "bad varint"},
		{"fixed64 past the end", []byte{0x09, 1, 2, 3}, nil, "runs past the end"},
		{"fixed32 past the end of a layer", layer(cat(name, []byte{0x55, 1, 2})), nil, "runs past the end"},
		{"length past the end", []byte{0x1a, 0x03, 0x0a}, nil, "bad length"},
		{"group wire type", []byte{0x1c}, nil, "wire type 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := versionFirst(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrBadMVT) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want ErrBadMVT with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got % x, want % x", got, tt.want)
			}
		})
	}
}
