package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/bandomap/bando/tiles/pmtiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/errgroup"
)

// publicData is a store and its public reader: what public tiles are
// drawn from.
type publicData struct {
	store  backend
	public *features.PublicReader
	// reads, when set, is where the public reads go (the replica router);
	// nil: the store.
	reads publicReads
}

// publicRenderer is the renderer of the public map, as the server draws
// it: people layers from public groups (tiles.PublicSource), cache keys
// kept fresh by the store's writes, memory of cfg's size in front of cache
// (nil: none). `bando tiles` draws with the same, so that an archive or a
// warmed cache holds the server's very bytes.
func publicRenderer(cfg *Config, data publicData, cache tiles.Cache, log *slog.Logger) *tiles.Renderer {
	store, public := data.store, data.public
	fresh := tiles.NewFreshness(tiles.FreshnessOptions{Rules: rules(cfg), MaxZoom: cfg.MaxZoom})
	store.Watch(fresh.Apply) // NOTE: lives as long as the store
	var reads publicReads = store
	if data.reads != nil {
		reads = data.reads
	}
	return tiles.NewRenderer(tiles.PublicSource(reads, public), tiles.Options{
		Rules:          rules(cfg),
		MinPublicCount: public.MinCount(),
		MemoryBytes:    int64(cfg.MemoryCacheMB) << 20,
		Cache:          cache,
		Freshness:      fresh,
		Logger:         log,
	})
}

// maxJobTiles bounds the tiles one `bando tiles` run may draw (the
// province's districts to zoom 14 are about 1,300).
const maxJobTiles = 1_000_000

// tileJob is what `bando tiles export|seed` draws: the public layers, the
// zooms and area, and the day.
type tileJob struct {
	layers     []features.Collection
	layerList  string
	minZ, maxZ int
	bbox       *orb.Bound // nil: the province (the extent of the districts)
	date       string
	asOf       time.Time
	parallel   int
	// tiles are the tiles of the zooms over the area, in PMTiles order.
	tiles []maptile.Tile
}

// tileJobFlags are the flags of a tile job, read by parse after fs.Parse.
type tileJobFlags struct{ layers, zoom, bbox, date *string }

// bindTileJob declares the flags of a tile job on fs.
func bindTileJob(fs *flag.FlagSet) tileJobFlags {
	return tileJobFlags{
		layers: fs.String("layers", "", "public layers, comma separated (e.g. cases,quarantine_zones,districts)"),
		zoom:   fs.String("zoom", "", "zooms: MIN-MAX or one zoom (e.g. 8-14)"),
		bbox:   fs.String("bbox", "", "area: minlon,minlat,maxlon,maxlat (default: the province's districts)"),
		date:   fs.String("date", "", "the map as of this day, YYYY-MM-DD (default: today's map)"),
	}
}

// parse validates the flags into a job; every wrong one is named.
func (f tileJobFlags) parse(cfg *Config) (tileJob, error) {
	job := tileJob{layerList: *f.layers, date: *f.date, parallel: 4}
	var errs []error
	cat := features.NewPublicCatalog()
	ids := strings.Split(*f.layers, ",")
	if *f.layers == "" {
		ids = nil
		errs = append(errs, fmt.Errorf("--layers: name at least one of %s", strings.Join(cat.IDs(), ", ")))
	}
	for _, id := range ids {
		col, err := cat.Get(id)
		if err != nil {
			errs = append(errs, fmt.Errorf("--layers: unknown public layer %q; layers are %s", id, strings.Join(cat.IDs(), ", ")))
			continue
		}
		if slices.ContainsFunc(job.layers, func(c features.Collection) bool { return c.ID == id }) {
			errs = append(errs, fmt.Errorf("--layers: %q is listed twice", id))
		}
		job.layers = append(job.layers, col)
	}
	var err error
	if job.minZ, job.maxZ, err = parseZooms(*f.zoom, cfg.MaxZoom); err != nil {
		errs = append(errs, err)
	}
	if *f.bbox != "" {
		b, err := parseBBox(*f.bbox)
		if err != nil {
			errs = append(errs, err)
		}
		job.bbox = &b
	}
	if *f.date != "" {
		if job.asOf, err = time.Parse(features.DateLayout, *f.date); err != nil {
			errs = append(errs, fmt.Errorf("--date %q: want a day YYYY-MM-DD, e.g. 2021-07-05", *f.date))
		}
	}
	return job, errors.Join(errs...)
}

// parseZooms reads "MIN-MAX" or "Z".
func parseZooms(s string, maxZoom int) (lo, hi int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	lo, errA := strconv.Atoi(a)
	hi, errB := strconv.Atoi(b)
	if errA != nil || errB != nil || lo < 0 || hi < lo || hi > maxZoom {
		return 0, 0, fmt.Errorf("--zoom %q: want MIN-MAX with 0 <= MIN <= MAX <= %d (BANDO_MAX_ZOOM), e.g. 8-14", s, maxZoom)
	}
	return lo, hi, nil
}

// parseBBox reads minlon,minlat,maxlon,maxlat in degrees.
func parseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	var v [4]float64
	bad := fmt.Errorf("--bbox %q: want minlon,minlat,maxlon,maxlat in degrees, e.g. 106.3,10.8,107.0,11.5", s)
	if len(parts) != 4 {
		return orb.Bound{}, bad
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return orb.Bound{}, bad
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -85.05 || v[3] > 85.05 || v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, bad
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// area is the job's bbox, else the extent of the public districts.
func (job *tileJob) area(ctx context.Context, public *features.PublicReader) (orb.Bound, error) {
	if job.bbox != nil {
		return *job.bbox, nil
	}
	col, err := features.NewPublicCatalog().Get("districts")
	if err != nil {
		return orb.Bound{}, err
	}
	ext, err := public.Extent(ctx, col)
	if err != nil {
		return orb.Bound{}, fmt.Errorf("the province's extent: %w", err)
	}
	if ext.Bounds == nil {
		return orb.Bound{}, errors.New("the store holds no districts: give --bbox, or import boundaries first")
	}
	return *ext.Bounds, nil
}

// tilesOf lists the tiles of zooms lo..hi that meet b, in PMTiles order
// (ascending tile id), or fails past maxJobTiles.
func tilesOf(b orb.Bound, lo, hi int) ([]maptile.Tile, error) {
	var out []maptile.Tile
	for z := lo; z <= hi; z++ {
		nw := maptile.At(orb.Point{b.Min[0], b.Max[1]}, maptile.Zoom(z))
		se := maptile.At(orb.Point{b.Max[0], b.Min[1]}, maptile.Zoom(z))
		if n := (int(se.X-nw.X) + 1) * (int(se.Y-nw.Y) + 1); len(out)+n > maxJobTiles {
			return nil, fmt.Errorf("more than %d tiles to zoom %d: narrow --zoom or --bbox", maxJobTiles, z)
		}
		for x := nw.X; x <= se.X; x++ {
			for y := nw.Y; y <= se.Y; y++ {
				out = append(out, maptile.New(x, y, maptile.Zoom(z)))
			}
		}
	}
	slices.SortFunc(out, func(a, b maptile.Tile) int {
		ia, _ := pmtiles.TileID(uint8(a.Z), a.X, a.Y)
		ib, _ := pmtiles.TileID(uint8(b.Z), b.X, b.Y)
		return cmp.Compare(ia, ib)
	})
	return out, nil
}

// tileProgress prints a line every tenth of the work or every few seconds,
// whichever comes first, and a summary at the end.
type tileProgress struct {
	out   io.Writer
	what  string
	total int
	done  int
	start time.Time
	last  time.Time
	next  int
	// levels counts the tiles by the cache level that answered (X-Cache).
	levels map[string]int
}

func newTileProgress(out io.Writer, what string, total int) *tileProgress {
	now := time.Now()
	return &tileProgress{out: out, what: what, total: total, start: now, last: now, next: max(1, total/10), levels: map[string]int{}}
}

// add counts n more tiles done.
func (p *tileProgress) add(n int) {
	p.done += n
	if p.done < p.next && time.Since(p.last) < 3*time.Second {
		return
	}
	for p.next <= p.done {
		p.next += max(1, p.total/10)
	}
	p.last = time.Now()
	fmt.Fprintf(p.out, "%s: %d/%d tiles (%d%%), %s\n", p.what, p.done, p.total, 100*p.done/max(1, p.total), time.Since(p.start).Round(100*time.Millisecond))
}

// drawEach draws every tile of the job with r, job.parallel at a time, and
// hands them to use in the order of ts.
func (job *tileJob) drawEach(ctx context.Context, r *tiles.Renderer, prog *tileProgress,
	use func(t maptile.Tile, s *tiles.Served, level tiles.Level) error) error {
	ts := job.tiles
	const window = 64
	for start := 0; start < len(ts); start += window {
		chunk := ts[start:min(start+window, len(ts))]
		served := make([]*tiles.Served, len(chunk))
		levels := make([]tiles.Level, len(chunk))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(job.parallel)
		for i, t := range chunk {
			g.Go(func() error {
				s, level, err := r.Tile(gctx, tiles.TileRequest{Tile: t, Layers: job.layers, AsOf: job.asOf})
				if err != nil {
					return fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
				}
				served[i], levels[i] = s, level
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for i, t := range chunk {
			if err := use(t, served[i], levels[i]); err != nil {
				return err
			}
		}
		prog.add(len(chunk))
	}
	return nil
}

func runTiles(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "export":
			return runTilesExport(ctx, args[1:], out)
		case "seed":
			return runTilesSeed(ctx, args[1:], out)
		}
	}
	return errors.New("tiles: want tiles export --pmtiles FILE … | tiles seed … (see --help of each)")
}

// loadTileJob loads the config and the job's flags (declared on fs by
// bindTileJob before).
func loadTileJob(fs *flag.FlagSet, flags tileJobFlags, args []string) (*Config, tileJob, error) {
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return nil, tileJob{}, err
	}
	if err := noArgs(fs); err != nil {
		return nil, tileJob{}, err
	}
	job, err := flags.parse(cfg)
	if err != nil {
		return nil, tileJob{}, fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return cfg, job, nil
}

// openTileStore opens the store for a tile job and lists the job's tiles.
func openTileStore(ctx context.Context, name string, cfg *Config, job *tileJob) (publicData, error) {
	// NOTE: a tile job keeps every pooled connection busy on purpose
	// (job.parallel tiles of several layers each): waiting for one is its
	// pace, not a request to refuse quickly; and a slow connection on a
	// busy database is waited for, not taken for a database that is down.
	cfg.DBAcquireTimeout = max(cfg.DBAcquireTimeout, time.Minute)
	cfg.DBConnectTimeout = max(cfg.DBConnectTimeout, 10*time.Second)
	store, err := openBackend(ctx, cfg, false, newLogger(io.Discard))
	if err != nil {
		return publicData{}, err
	}
	public := features.NewPublicReader(store, features.PublicOptions{MinCount: cfg.MinPublicCount, Version: store.Version})
	area, err := job.area(ctx, public)
	if err == nil {
		if job.tiles, err = tilesOf(area, job.minZ, job.maxZ); err == nil {
			return publicData{store: store, public: public}, nil
		}
	}
	store.Close()
	return publicData{}, fmt.Errorf("%s: %w", name, err)
}

// runTilesExport writes a PMTiles archive of public layers as of a day.
func runTilesExport(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("tiles export", flag.ContinueOnError)
	flags := bindTileJob(fs)
	file := fs.String("pmtiles", "", "the archive to write (PMTiles v3)")
	cfg, job, err := loadTileJob(fs, flags, args)
	if err != nil {
		return err
	}
	if *file == "" {
		return errors.New("tiles export: --pmtiles FILE is needed")
	}
	data, err := openTileStore(ctx, fs.Name(), cfg, &job)
	if err != nil {
		return err
	}
	defer data.store.Close()
	start := time.Now()
	// NOTE: no cache: an archive is drawn from the data, never from a
	// cache another version may have filled.
	noCache := *cfg
	noCache.MemoryCacheMB = 0
	r := publicRenderer(&noCache, data, nil, newLogger(io.Discard))
	w, err := pmtiles.NewWriter(filepath.Dir(*file))
	if err != nil {
		return fmt.Errorf("tiles export: %w", err)
	}
	defer w.Close()
	prog := newTileProgress(out, "bando tiles export", len(job.tiles))
	written := 0
	err = job.drawEach(ctx, r, prog, func(t maptile.Tile, s *tiles.Served, _ tiles.Level) error {
		if s.Empty() {
			return nil
		}
		written++
		return w.Add(uint8(t.Z), t.X, t.Y, s.Gzip)
	})
	if err != nil {
		return fmt.Errorf("tiles export: %w", err)
	}
	h, size, err := job.finish(ctx, w, *file, data.public)
	if err != nil {
		return fmt.Errorf("tiles export: %w", err)
	}
	fmt.Fprintf(out, "bando tiles export: wrote %s: %d tiles with content of %d drawn (%d distinct), zoom %d-%d, %s as of %s, %d bytes in %s\n",
		*file, written, len(job.tiles), h.TileContents, job.minZ, job.maxZ, job.layerList, job.day(), size, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// day names the job's day for people.
func (job *tileJob) day() string {
	if job.date == "" {
		return "today"
	}
	return job.date
}

// finish writes the archive next to file and renames it into place, so
// that a CDN never serves half an archive.
func (job *tileJob) finish(ctx context.Context, w *pmtiles.Writer, file string, public *features.PublicReader) (pmtiles.Header, int64, error) {
	area, err := job.area(ctx, public)
	if err != nil {
		return pmtiles.Header{}, 0, err
	}
	meta, err := job.metadata()
	if err != nil {
		return pmtiles.Header{}, 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp")
	if err != nil {
		return pmtiles.Header{}, 0, err
	}
	defer os.Remove(tmp.Name())
	c := area.Center()
	h, err := w.Finish(tmp, pmtiles.Info{
		TileCompression: pmtiles.Gzip, MinZoom: uint8(job.minZ), MaxZoom: uint8(job.maxZ), CenterZoom: uint8(job.minZ),
		MinLon: area.Min[0], MinLat: area.Min[1], MaxLon: area.Max[0], MaxLat: area.Max[1], CenterLon: c[0], CenterLat: c[1],
		Metadata: meta,
	})
	size, _ := tmp.Seek(0, io.SeekCurrent)
	// NOTE: CreateTemp makes the file private; an archive is public, read
	// by whatever serves or uploads it.
	if err = errors.Join(err, tmp.Chmod(0o644), tmp.Close()); err != nil {
		return pmtiles.Header{}, 0, err
	}
	return h, size, os.Rename(tmp.Name(), file)
}

// metadata is the archive's TileJSON-like description.
func (job *tileJob) metadata() ([]byte, error) {
	type vectorLayer struct {
		ID          string         `json:"id"`
		Description string         `json:"description,omitempty"`
		MinZoom     int            `json:"minzoom"`
		MaxZoom     int            `json:"maxzoom"`
		Fields      map[string]any `json:"fields"`
	}
	var layers []vectorLayer
	for _, c := range job.layers {
		layers = append(layers, vectorLayer{ID: c.ID, Description: c.Title, MinZoom: max(job.minZ, c.MinZoom), MaxZoom: job.maxZ, Fields: map[string]any{}})
	}
	return json.Marshal(map[string]any{
		"name":          "Bando — Bình Dương epidemic map",
		"description":   "public layers " + job.layerList + " as of " + job.day(),
		"attribution":   "Bando — Bình Dương epidemic map",
		"format":        "pbf",
		"date":          job.date,
		"generator":     "bando " + versionString(),
		"vector_layers": layers,
	})
}

// runTilesSeed draws tiles into the shared cache (Redis or a Redis
// Cluster), or asks a running server for them (--url), which keeps them in
// its memory and shared cache alike and needs no store here (the server
// may hold the embedded store, which admits one process).
func runTilesSeed(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("tiles seed", flag.ContinueOnError)
	flags := bindTileJob(fs)
	serverURL := fs.String("url", "", "a running server to ask for the tiles (warms its memory too; the area defaults to its TileJSON bounds); default: draw into BANDO_REDIS_URL or BANDO_REDIS_CLUSTER")
	cfg, job, err := loadTileJob(fs, flags, args)
	if err != nil {
		return err
	}
	if *serverURL != "" {
		return job.seedThroughServer(ctx, *serverURL, out)
	}
	data, err := openTileStore(ctx, fs.Name(), cfg, &job)
	if err != nil {
		return err
	}
	defer data.store.Close()
	prog := newTileProgress(out, "bando tiles seed", len(job.tiles))
	if err := job.seedCache(ctx, cfg, data, prog); err != nil {
		return fmt.Errorf("tiles seed: %w", err)
	}
	job.seedSummary(prog)
	return nil
}

// seedSummary prints what a seed did.
func (job *tileJob) seedSummary(prog *tileProgress) {
	n, drawn := len(job.tiles), prog.levels[string(tiles.Miss)]
	fmt.Fprintf(prog.out, "bando tiles seed: %d tiles of %s, zoom %d-%d, as of %s: %d drawn, %d were cached already, in %s\n",
		n, job.layerList, job.minZ, job.maxZ, job.day(), drawn, n-drawn, time.Since(prog.start).Round(100*time.Millisecond))
}

// seedThroughServer is tiles seed --url: the tiles of the job asked of the
// server, the area from --bbox or the server's TileJSON.
func (job *tileJob) seedThroughServer(ctx context.Context, serverURL string, out io.Writer) error {
	base := strings.TrimSuffix(serverURL, "/")
	area := job.bbox
	var err error
	if area == nil {
		if area, err = serverBounds(ctx, base, job.layerList); err != nil {
			return fmt.Errorf("tiles seed: %w", err)
		}
	}
	if job.tiles, err = tilesOf(*area, job.minZ, job.maxZ); err != nil {
		return fmt.Errorf("tiles seed: %w", err)
	}
	prog := newTileProgress(out, "bando tiles seed", len(job.tiles))
	if err := job.seedThrough(ctx, base, prog); err != nil {
		return fmt.Errorf("tiles seed: %w", err)
	}
	job.seedSummary(prog)
	return nil
}

// serverBounds reads the bounds of the server's TileJSON of layers.
func serverBounds(ctx context.Context, base, layers string) (*orb.Bound, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/tiles/"+layers+".json", nil)
	if err != nil {
		return nil, err
	}
	res, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var tj struct {
		Bounds [4]float64 `json:"bounds"`
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", req.URL, res.Status)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&tj); err != nil {
		return nil, fmt.Errorf("TileJSON of %s: %w", req.URL, err)
	}
	b := orb.Bound{Min: orb.Point{tj.Bounds[0], tj.Bounds[1]}, Max: orb.Point{tj.Bounds[2], tj.Bounds[3]}}
	return &b, nil
}

// seedCache draws the tiles with the server's renderer over the shared
// cache alone: a miss is drawn and stored there.
func (job *tileJob) seedCache(ctx context.Context, cfg *Config, data publicData, prog *tileProgress) error {
	if cfg.RedisURL == "" && cfg.RedisCluster == "" {
		return errors.New("no shared cache to warm: set BANDO_REDIS_URL or BANDO_REDIS_CLUSTER, or give --url of a running server")
	}
	log := newLogger(os.Stderr)
	cache, closeCache, err := tileCache(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeCache()
	shared := *cfg
	shared.MemoryCacheMB = 0
	r := publicRenderer(&shared, data, cache, log)
	return job.drawEach(ctx, r, prog, func(_ maptile.Tile, _ *tiles.Served, level tiles.Level) error {
		prog.levels[string(level)]++
		return nil
	})
}

// seedThrough asks the server at base for each tile.
func (job *tileJob) seedThrough(ctx context.Context, base string, prog *tileProgress) error {
	ts := job.tiles
	client := &http.Client{Timeout: time.Minute}
	query := ""
	if job.date != "" {
		query = "?date=" + job.date
	}
	for i, t := range ts {
		u := fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt%s", base, job.layerList, t.Z, t.X, t.Y, query)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
			return fmt.Errorf("GET %s: %s", u, res.Status)
		}
		prog.levels[res.Header.Get("X-Cache")]++
		if (i+1)%16 == 0 || i == len(ts)-1 {
			prog.add(i + 1 - prog.done)
		}
	}
	return nil
}
