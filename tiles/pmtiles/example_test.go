package pmtiles_test

import (
	"bytes"
	"fmt"

	"github.com/bandomap/bando/tiles/pmtiles"
)

// An archive of two tiles, written and read back.
func Example() {
	w, err := pmtiles.NewWriter("")
	if err != nil {
		panic(err)
	}
	defer w.Close()
	_ = w.Add(0, 0, 0, []byte("the world"))      // tile id 0
	_ = w.Add(1, 0, 1, []byte("its south-west")) // tile id 2
	var archive bytes.Buffer
	if _, err := w.Finish(&archive, pmtiles.Info{TileCompression: pmtiles.NoCompression}); err != nil {
		panic(err)
	}
	r, err := pmtiles.Open(bytes.NewReader(archive.Bytes()))
	if err != nil {
		panic(err)
	}
	tile, ok, _ := r.Tile(1, 0, 1)
	fmt.Printf("%q %v\n", tile, ok)
	_, ok, _ = r.Tile(1, 1, 1)
	fmt.Println(ok, r.Header().AddressedTiles)
	// Output:
	// "its south-west" true
	// false 2
}
