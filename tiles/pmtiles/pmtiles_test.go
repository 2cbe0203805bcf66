package pmtiles

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

type tile struct {
	z    uint8
	x, y uint32
	data []byte
}

// archive writes tiles (in the order given) and opens the result.
func archive(t *testing.T, tiles []tile, info Info) (*Reader, []byte) {
	t.Helper()
	w, err := NewWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, tl := range tiles {
		if err := w.Add(tl.z, tl.x, tl.y, tl.data); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	h, err := w.Finish(&buf, info)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Header() != h {
		t.Errorf("header read back %+v, written %+v", r.Header(), h)
	}
	return r, buf.Bytes()
}

func TestArchiveRoundTrip(t *testing.T) {
	a, b := []byte("tile a"), []byte("tile b")
	tiles := []tile{
		{0, 0, 0, []byte("world")}, // id 0
		{1, 0, 0, a},               // 1
		{1, 0, 1, a},               // 2: a run of a with 1
		{1, 1, 1, nil},             // 3: empty, left out
		{1, 1, 0, b},               // 4
		{2, 0, 0, a},               // 5: a again, not next to its run: one more entry, no more data
		{2, 1, 0, b},               // 6: b again, a run with 5? no: other content
	}
	info := Info{TileCompression: Gzip, CenterZoom: 1, MinLon: 106.3, MinLat: 10.8, MaxLon: 107.0, MaxLat: 11.5,
		CenterLon: 106.65, CenterLat: 11.15, Metadata: []byte(`{"name":"test"}`)}
	r, _ := archive(t, tiles, info)
	for _, tl := range tiles {
		got, ok, err := r.Tile(tl.z, tl.x, tl.y)
		if err != nil || ok != (len(tl.data) > 0) || !bytes.Equal(got, tl.data) {
			t.Errorf("%d/%d/%d: %q %v %v, want %q", tl.z, tl.x, tl.y, got, ok, err, tl.data)
		}
	}
	for _, absent := range [][3]uint32{{2, 3, 3}, {3, 0, 0}, {14, 13000, 7000}} {
		if _, ok, err := r.Tile(uint8(absent[0]), absent[1], absent[2]); ok || err != nil {
			t.Errorf("%v: found (%v)", absent, err)
		}
	}
	h := r.Header()
	want := Header{AddressedTiles: 6, TileEntries: 5, TileContents: 3, MinZoom: 0, MaxZoom: 2}
	if h.AddressedTiles != want.AddressedTiles || h.TileEntries != want.TileEntries || h.TileContents != want.TileContents ||
		h.MinZoom != want.MinZoom || h.MaxZoom != want.MaxZoom {
		t.Errorf("counts %d/%d/%d zooms %d-%d, want %d/%d/%d %d-%d", h.AddressedTiles, h.TileEntries, h.TileContents,
			h.MinZoom, h.MaxZoom, want.AddressedTiles, want.TileEntries, want.TileContents, want.MinZoom, want.MaxZoom)
	}
	if h.DataLength != uint64(len("world")+len(a)+len(b)) {
		t.Errorf("tile data of %d bytes: duplicates stored again", h.DataLength)
	}
	if !h.Clustered || h.TileCompression != Gzip || h.InternalCompression != Gzip || h.TileType != MVT ||
		h.MinLon != 106.3 || h.MaxLat != 11.5 || h.CenterLon != 106.65 || h.LeafLength != 0 {
		t.Errorf("header %+v", h)
	}
	meta, err := r.Metadata()
	if err != nil || string(meta) != `{"name":"test"}` {
		t.Errorf("metadata %q %v", meta, err)
	}
}

// TestArchiveWithLeaves writes more entries than a root directory holds:
// leaves are written, the root still fits the first 16 KiB, and every tile
// is found.
func TestArchiveWithLeaves(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	z := uint8(9)
	var tiles []tile
	for x := range uint32(1) << z {
		for y := range uint32(1) << z {
			if rng.Uint32N(6) == 0 { // gaps, so that ids do not follow each other
				tiles = append(tiles, tile{z, x, y, fmt.Appendf(nil, "%d/%d:%s", x, y, bytes.Repeat([]byte{'x'}, int(rng.Uint32N(300))))})
			}
		}
	}
	slices.SortFunc(tiles, func(a, b tile) int {
		ia, _ := TileID(a.z, a.x, a.y)
		ib, _ := TileID(b.z, b.x, b.y)
		return cmp.Compare(ia, ib)
	})
	r, _ := archive(t, tiles, Info{TileCompression: Gzip})
	h := r.Header()
	if h.LeafLength == 0 || h.RootOffset+h.RootLength > RootLimit {
		t.Fatalf("root %d bytes at %d, leaves %d bytes: want leaves and a root within %d bytes", h.RootLength, h.RootOffset, h.LeafLength, RootLimit)
	}
	for i, tl := range tiles {
		if i%97 != 0 && i != len(tiles)-1 && i%4096 > 1 { // a sample, each leaf's first two and the last
			continue
		}
		got, ok, err := r.Tile(tl.z, tl.x, tl.y)
		if err != nil || !ok || !bytes.Equal(got, tl.data) {
			t.Fatalf("%d/%d/%d: %q %v %v", tl.z, tl.x, tl.y, got, ok, err)
		}
	}
	t.Logf("%d tiles: root %d bytes, leaves %d bytes", len(tiles), h.RootLength, h.LeafLength)
}

// TestArchiveLayouts reads back every tile of archives laid out as a
// writer may ask: plain or gzipped directories, leaves of a given size.
func TestArchiveLayouts(t *testing.T) {
	var tiles []tile
	for z := range uint8(5) {
		for x := range uint32(1) << z {
			for y := range uint32(1) << z {
				if (x+y)%3 != 0 { // gaps between the entries
					tiles = append(tiles, tile{z, x, y, fmt.Appendf(nil, "%d/%d/%d", z, x, y)})
				}
			}
		}
	}
	slices.SortFunc(tiles, func(a, b tile) int {
		ia, _ := TileID(a.z, a.x, a.y)
		ib, _ := TileID(b.z, b.x, b.y)
		return cmp.Compare(ia, ib)
	})
	cases := []struct {
		name   string
		info   Info
		leaves bool
	}{
		{"gzip directories", Info{}, false},
		{"plain directories", Info{InternalCompression: NoCompression}, false},
		{"leaf directories of 3 entries", Info{LeafSize: 3}, true},
		{"one entry per plain leaf", Info{LeafSize: 1, InternalCompression: NoCompression}, true},
		{"leaves larger than the entries", Info{LeafSize: 1000}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.info.Metadata = []byte(`{"name":"layouts"}`)
			r, _ := archive(t, tiles, c.info)
			h := r.Header()
			wantCompression := cmp.Or(c.info.InternalCompression, Gzip)
			if h.InternalCompression != wantCompression || (h.LeafLength > 0) != c.leaves {
				t.Errorf("directories in compression %d, %d bytes of leaves; want %d, leaves %v", h.InternalCompression, h.LeafLength, wantCompression, c.leaves)
			}
			if meta, err := r.Metadata(); err != nil || string(meta) != `{"name":"layouts"}` {
				t.Errorf("metadata %q %v", meta, err)
			}
			for _, tl := range tiles {
				got, ok, err := r.Tile(tl.z, tl.x, tl.y)
				if err != nil || !ok || !bytes.Equal(got, tl.data) {
					t.Fatalf("%d/%d/%d: %q %v %v, want %q", tl.z, tl.x, tl.y, got, ok, err, tl.data)
				}
			}
			for _, miss := range [][3]uint32{{0, 0, 0}, {1, 0, 0}, {2, 1, 2}, {4, 15, 15}, {5, 0, 0}} {
				if _, ok, err := r.Tile(uint8(miss[0]), miss[1], miss[2]); ok || err != nil {
					t.Errorf("%v: found (%v)", miss, err)
				}
			}
		})
	}
}

func TestArchiveRuns(t *testing.T) {
	same := []byte("same tile")
	r, _ := archive(t, []tile{{1, 0, 0, same}, {1, 0, 1, same}, {1, 1, 1, same}, {2, 0, 0, []byte("other")}}, Info{})
	if got := r.Header().TileEntries; got != 2 {
		t.Errorf("entries = %d, want a run of 3 and one more", got)
	}
	for _, c := range []struct {
		z    uint8
		x, y uint32
		want string
	}{{1, 0, 0, "same tile"}, {1, 1, 1, "same tile"}, {1, 1, 0, ""}, {2, 0, 0, "other"}, {0, 0, 0, ""}} {
		got, ok, err := r.Tile(c.z, c.x, c.y)
		if err != nil || string(got) != c.want || ok != (c.want != "") {
			t.Errorf("tile %d/%d/%d = %q, %v, %v; want %q", c.z, c.x, c.y, got, ok, err, c.want)
		}
	}
}

// TestLeafCacheIsBounded reads more leaf directories than a Reader keeps:
// the cache stays within its bound and every tile is still found.
func TestLeafCacheIsBounded(t *testing.T) {
	var tiles []tile
	for x := range uint32(32) {
		for y := range uint32(32) {
			tiles = append(tiles, tile{5, x, y, fmt.Appendf(nil, "%d/%d", x, y)})
		}
	}
	slices.SortFunc(tiles, func(a, b tile) int {
		ia, _ := TileID(a.z, a.x, a.y)
		ib, _ := TileID(b.z, b.x, b.y)
		return cmp.Compare(ia, ib)
	})
	r, _ := archive(t, tiles, Info{LeafSize: 2})
	for range 2 {
		for _, tl := range tiles {
			got, ok, err := r.Tile(tl.z, tl.x, tl.y)
			if err != nil || !ok || !bytes.Equal(got, tl.data) {
				t.Fatalf("%d/%d/%d: %q %v %v", tl.z, tl.x, tl.y, got, ok, err)
			}
			if n := len(r.leaves); n > maxLeaves {
				t.Fatalf("%d leaves kept, more than %d", n, maxLeaves)
			}
		}
	}
}

func TestAddOutOfOrder(t *testing.T) {
	w, err := NewWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(1, 1, 0, []byte("4")); err != nil {
		t.Fatal(err)
	}
	for _, tl := range []tile{{1, 1, 0, []byte("again")}, {1, 0, 0, []byte("1")}} {
		if err := w.Add(tl.z, tl.x, tl.y, tl.data); !errors.Is(err, ErrOrder) {
			t.Errorf("%d/%d/%d after 1/1/0: %v, want ErrOrder", tl.z, tl.x, tl.y, err)
		}
	}
}

func TestDirectoryRoundTrip(t *testing.T) {
	entries := []entry{
		{TileID: 0, Offset: 0, Length: 10, RunLength: 1},
		{TileID: 1, Offset: 10, Length: 5, RunLength: 3}, // contiguous: offset written as 0
		{TileID: 9, Offset: 0, Length: 10, RunLength: 1}, // back to the first: offset+1
		{TileID: 1 << 40, Offset: 1 << 33, Length: 7},    // a leaf
	}
	got, err := parseDirectory(appendDirectory(nil, entries))
	if err != nil || fmt.Sprint(got) != fmt.Sprint(entries) {
		t.Errorf("%v %v, want %v", got, err, entries)
	}
	for _, bad := range [][]byte{nil, {5}, {1, 0, 1, 1, 0}} {
		if _, err := parseDirectory(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	_, good := archive(t, []tile{{0, 0, 0, []byte("x")}}, Info{})
	withByte := func(at int, v byte) []byte {
		b := bytes.Clone(good)
		b[at] = v
		return b
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotPMTiles},
		{"zeros", make([]byte, 200), ErrNotPMTiles},
		{"MBTiles", []byte("SQLite format 3\x00" + string(make([]byte, 200))), ErrNotPMTiles},
		{"version 2", withByte(7, 2), ErrVersion},
		{"version 2, nothing more", []byte("PMTiles\x02" + string(make([]byte, 200))), ErrVersion},
		{"brotli directories", withByte(97, byte(Brotli)), ErrCompression},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Open(bytes.NewReader(c.data)); !errors.Is(err, c.want) {
				t.Fatalf("Open = %v, want %v", err, c.want)
			}
		})
	}
}
