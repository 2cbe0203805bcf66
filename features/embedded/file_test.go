package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
	bolt "go.etcd.io/bbolt"
)

// childEnv makes the test binary act as the child of TestKill9.
const childEnv = "BANDO_EMBEDDED_KILL9_DIR"

// TestMain lets the test binary run as a child process that writes to a
// store, says "ok" once Write has returned, and waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	if dir := os.Getenv(openEnv); dir != "" {
		os.Exit(runOpenChild(dir))
	}
	os.Exit(m.Run())
}

func runChild(dir string) int {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range 3 {
		recs := make([]features.Record, 500)
		for j := range recs {
			id := fmt.Sprintf("k%d-%04d", i, j)
			recs[j] = storetest.Market(id, "Chợ "+id)
		}
		if _, err := s.Write(ctx, features.Batch{Collection: "markets", Mode: features.Upsert, Records: storetest.Records(recs...)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("ok %d\n", i)
	}
	select {} // NOTE: wait for the parent's kill -9; never Close.
}

// TestKill9 kills a writer with SIGKILL right after its Writes returned and
// checks that every acknowledged record is on disk.
func TestKill9(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := -1
	lines := bufio.NewScanner(out)
	for acked < 2 && lines.Scan() {
		n, err := strconv.Atoi(strings.TrimPrefix(lines.Text(), "ok "))
		if err != nil {
			t.Fatalf("child said %q", lines.Text())
		}
		acked = n
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // NOTE: "signal: killed" is the expected outcome.
	if acked != 2 {
		t.Fatalf("child acknowledged %d writes before dying, want 3", acked+1)
	}
	s := openDir(t, dir)
	page, err := s.Items(context.Background(), features.ItemsQuery{Collection: testkit.Collection(t, "markets"), Limit: 0})
	if err != nil {
		t.Fatal(err)
	}
	if page.NumberMatched != 1500 {
		t.Errorf("after kill -9: %d markets, want the 1500 acknowledged", page.NumberMatched)
	}
}

func TestOpenBadFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  error
		text  string
	}{
		{"garbage", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, FileName), []byte(strings.Repeat("not a database ", 2000)))
		}, ErrCorrupt, FileName},
		{"truncated", func(t *testing.T, dir string) {
			seedDir(t, dir)
			path := filepath.Join(dir, FileName)
			if err := os.Truncate(path, usedSize(t, path)/3); err != nil {
				t.Fatal(err)
			}
		}, ErrCorrupt, FileName},
		{"damaged pages", func(t *testing.T, dir string) {
			seedDir(t, dir)
			scribble(t, filepath.Join(dir, FileName))
		}, ErrCorrupt, FileName},
		{"damaged leaf page", func(t *testing.T, dir string) {
			seedDir(t, dir)
			scribbleLeaf(t, filepath.Join(dir, FileName), 0)
		}, ErrCorrupt, FileName},
		{"garbage in a leaf page", func(t *testing.T, dir string) {
			seedDir(t, dir)
			scribbleLeaf(t, filepath.Join(dir, FileName), 16)
		}, ErrCorrupt, FileName},
		{"bad private record", func(t *testing.T, dir string) {
			seedDir(t, dir)
			db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(privateBucket("cases")).Put([]byte("c1"), []byte{99})
			}); err != nil {
				t.Fatal(err)
			}
		}, ErrCorrupt, "cases: bad private record"},
		{"another bbolt file", func(t *testing.T, dir string) {
			db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err }); err != nil {
				t.Fatal(err)
			}
		}, ErrCorrupt, "not a Bando data file"},
		{"newer format", func(t *testing.T, dir string) {
			seedDir(t, dir)
			setMeta(t, dir, keyFormat, uint64Bytes(formatVersion+1))
		}, ErrNewerFormat, fmt.Sprintf("data in {dir} was written by a newer Bando (format %d, this binary reads up to %d)", formatVersion+1, formatVersion)},
		{"directory is a file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "sub"), nil)
		}, nil, "data directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			if tt.name == "directory is a file" {
				dir = filepath.Join(dir, "sub")
			}
			s, err := Open(context.Background(), Options{Dir: dir})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
			t.Log(err)
			if text := strings.ReplaceAll(tt.text, "{dir}", dir); !strings.Contains(err.Error(), text) {
				t.Errorf("Open error %q does not say %q", err, text)
			}
		})
	}
}

// TestOpenEmptyFile: a file of zero bytes is what a crash during the very
// first start leaves; it opens as a new store.
func TestOpenEmptyFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, FileName), nil)
	empty, err := openDir(t, dir).Empty(context.Background())
	if err != nil || !empty {
		t.Errorf("Empty = %v, %v; want a new, empty store", empty, err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// seedDir writes the fixture into dir and closes the store.
func seedDir(t *testing.T, dir string) {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Write(context.Background(), storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
}

// scribble overwrites every page after the two meta pages with garbage, so
// that the file opens but its trees are nonsense.
func scribble(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	for i := 2 * page; i < len(data); i++ {
		data[i] = byte(i*7 + 3)
	}
	writeFile(t, path, data)
}

// scribbleLeaf overwrites the first leaf page in use from byte offset from
// of the page on (0: the whole page; 16: past the page header, so that
// bbolt takes it for a leaf and reads garbage elements).
func scribbleLeaf(t *testing.T, path string, from int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf, size := -1, db.Info().PageSize
	err = db.View(func(tx *bolt.Tx) error {
		for id := 2; leaf < 0; id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil {
				return fmt.Errorf("no leaf page found: %v", err)
			}
			if info.Type == "leaf" {
				leaf = id
			}
		}
		return nil
	})
	if err := errors.Join(err, db.Close()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := leaf*size + from; i < (leaf+1)*size; i++ {
		data[i] = byte(i*13 + 5)
	}
	writeFile(t, path, data)
}

// usedSize is how many bytes of a data file hold pages, without the room
// bbolt allocates ahead.
func usedSize(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int64
	if err := db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return size
}

func setMeta(t *testing.T, dir, key string, value []byte) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucketMeta)).Put([]byte(key), value) }); err != nil {
		t.Fatal(err)
	}
}

func TestOpenLocked(t *testing.T) {
	_, dir := openTemp(t)
	start := time.Now()
	s, err := Open(context.Background(), Options{Dir: dir})
	if err == nil {
		s.Close()
		t.Fatal("a second Open of the same directory succeeded")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open error = %v, want ErrLocked naming %s", err, dir)
	}
	if time.Since(start) > lockTimeout+5*time.Second {
		t.Errorf("Open waited %v for the lock", time.Since(start))
	}
}

func TestOpenNoDir(t *testing.T) {
	if _, err := Open(context.Background(), Options{}); !errors.Is(err, features.ErrInvalid) {
		t.Errorf("Open without a directory = %v, want ErrInvalid", err)
	}
}

// TestReopen checks that a store opened again serves the same public data,
// with its indexes rebuilt.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	s, dir := seeded(t)
	type view struct {
		items  map[string][]string
		near   []string
		search []string
	}
	look := func(s *Store) view {
		v := view{items: map[string][]string{}}
		for _, col := range features.NewCatalog().All() {
			page, err := s.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1,
				BBox: &orb.Bound{Min: orb.Point{106.5, 10.8}, Max: orb.Point{106.9, 11.1}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page.Features {
				v.items[col.ID] = append(v.items[col.ID], fmt.Sprintf("%s %v %v", f.ID, f.Geometry, f.Properties))
			}
		}
		near, err := s.Nearby(ctx, features.NearbyQuery{Center: orb.Point{106.6523, 10.9804}, RadiusM: 20000})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range near {
			v.near = append(v.near, fmt.Sprintf("%s/%s %.6f", n.Feature.Collection, n.Feature.ID, n.DistanceM))
		}
		matches, err := s.Search(ctx, features.SearchQuery{Text: "thu dau mot"})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			v.search = append(v.search, fmt.Sprintf("%+v", m))
		}
		return v
	}
	before := look(s)
	s.Close()
	after := look(openDir(t, dir))
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("after reopening:\n%v\nbefore:\n%v", after, before)
	}
	if len(before.items["cases"]) != 3 || len(before.near) == 0 || len(before.search) == 0 {
		t.Errorf("the comparison saw too little: %v", before)
	}
}

// TestRemask opens a store with a coarser cell: every public position of a
// person moves to the new grid, computed from the private exact location.
func TestRemask(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seedDir(t, dir)
	s, err := Open(ctx, Options{Dir: dir, GeomaskCellM: 400})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	homes := storetest.Homes()
	for _, id := range []string{"c1", "k2"} {
		col := testkit.Collection(t, storetest.PeopleCollection(id))
		f, err := s.Item(ctx, col, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := features.Geomask(homes[id], 400); f.Geometry != want {
			t.Errorf("%s at %v, want %v", id, f.Geometry, want)
		}
	}
}
