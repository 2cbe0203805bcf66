package archtest

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// graph maps each package's import path to the paths it imports.
type graph map[string][]string

// rule says that the packages matching from, less those matching except,
// never import a package matching never, directly or through others.
// Patterns name packages of the module relative to its root ("tiles",
// "features/postgis/...", "..." for all of them) or outside it by full path
// (a first element with a dot: "github.com/labstack/echo/...").
type rule struct {
	name   string
	from   []string
	except []string
	never  []string
}

// Package groups of the direction cmd → HTTP edges → domain ← stores.
var (
	domain = []string{"features", "features/cql2/...", "features/crs/...", "features/demo/...",
		"features/caseimport/...", "features/edit/...", "tiles", "migrations/...", "tracing", "auth", "audit"}
	// stores, and tiles/rediscache, which stores tiles.
	stores = []string{"features/postgis/...", "features/embedded/...", "tracing/postgis/...",
		"tracing/embedded/...", "tiles/rediscache/...", "auth/postgis/...", "auth/embedded/...",
		"audit/postgis/...", "audit/embedded/..."}
	edges = []string{"features/ogc/...", "features/api/...", "features/bulletin/...",
		"tiles/tilehttp/...", "internal/httpx/...", "static/...", "auth/authhttp/...",
		"features/edithttp/...", "tracing/tracinghttp/...", "tracing/enterprisehttp/...",
		"tracing/movementhttp/..."}
	publicReads = []string{"features/ogc/...", "features/api/...", "features/bulletin/...", "tiles/..."}
)

func concat(groups ...[]string) []string { return slices.Concat(groups...) }

// rules are the import rules of the module. Rules are functions, not
// tables in package variables, so that no test can change them for another.
func rules() []rule {
	return []rule{
		{name: "domain and stores never import Echo", from: concat(domain, stores),
			never: []string{"github.com/labstack/echo/..."}},
		{name: "stores never import HTTP edges", from: stores, never: edges},
		{name: "HTTP edges never import stores", from: edges, never: stores},
		{name: "features never imports tiles, stores or HTTP edges", from: []string{"features/..."},
			except: concat(edges, stores, []string{"features/storetest/..."}),
			never:  concat([]string{"tiles/..."}, stores, edges)},
		{name: "the store contract suite never imports stores or HTTP edges",
			from: []string{"features/storetest/..."}, never: concat(stores, edges)},
		{name: "the tile core never imports stores or HTTP edges", from: []string{"tiles"},
			never: concat([]string{"features/postgis/...", "features/embedded/..."}, edges)},
		{name: "features never imports tracing (tracing may import features)", from: []string{"features/..."},
			never: []string{"tracing/..."}},
		{name: "public read packages never import tracing", from: publicReads, never: []string{"tracing/..."}},
		{name: "tracing never imports tiles", from: []string{"tracing/..."}, never: []string{"tiles/..."}},
		{name: "pgx only in the PostGIS stores and cmd", from: []string{"..."},
			except: []string{"features/postgis/...", "tracing/postgis/...", "auth/postgis/...", "audit/postgis/...", "cmd/..."},
			never:  []string{"github.com/jackc/pgx/..."}},
		{name: "bbolt only in the embedded stores and cmd", from: []string{"..."},
			except: []string{"features/embedded/...", "tracing/embedded/...", "auth/embedded/...", "audit/embedded/...", "cmd/..."},
			never:  []string{"go.etcd.io/bbolt/..."}},
		{name: "go-redis only in tiles/rediscache and cmd", from: []string{"..."},
			except: []string{"tiles/rediscache/...", "cmd/..."},
			never:  []string{"github.com/redis/go-redis/..."}},
		{name: "migrations import no package of the project", from: []string{"migrations/..."}, never: []string{"..."}},
		{name: "the web app imports no domain or store package", from: []string{"static/..."},
			never: concat([]string{"features/...", "tiles/...", "tracing/...", "migrations/..."}, stores)},
	}
}

// matches reports whether the import path p matches one of the patterns.
func matches(module, p string, patterns []string) bool {
	for _, pat := range patterns {
		if pat == "..." {
			if p == module || strings.HasPrefix(p, module+"/") {
				return true
			}
			continue
		}
		if first, _, _ := strings.Cut(pat, "/"); !strings.Contains(first, ".") {
			pat = module + "/" + pat
		}
		base, tree := strings.CutSuffix(pat, "/...")
		if p == base || (tree && strings.HasPrefix(p, base+"/")) {
			return true
		}
	}
	return false
}

// check returns one message per broken rule and package, naming the
// shortest chain of imports that leads to a forbidden package.
func check(module string, g graph, rs []rule) []string {
	var pkgs []string
	for p := range g {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	var out []string
	for _, r := range rs {
		for _, p := range pkgs {
			if !matches(module, p, r.from) || matches(module, p, r.except) {
				continue
			}
			for _, chain := range forbidden(module, g, p, r.never) {
				out = append(out, fmt.Sprintf("%s: %s", r.name, describe(module, chain)))
			}
		}
	}
	return out
}

// forbidden walks the imports of p breadth first and returns the shortest
// chain to each forbidden package reached; it does not walk past one.
func forbidden(module string, g graph, p string, never []string) [][]string {
	parent := map[string]string{p: ""}
	queue := []string{p}
	var chains [][]string
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, dep := range g[cur] {
			if _, seen := parent[dep]; seen {
				continue
			}
			parent[dep] = cur
			if matches(module, dep, never) {
				var chain []string
				for at := dep; at != ""; at = parent[at] {
					chain = append(chain, at)
				}
				slices.Reverse(chain)
				chains = append(chains, chain)
				continue
			}
			queue = append(queue, dep)
		}
	}
	return chains
}

// describe writes a chain with the module's packages relative to its root.
func describe(module string, chain []string) string {
	names := make([]string, len(chain))
	for i, p := range chain {
		names[i] = strings.TrimPrefix(p, module+"/")
	}
	return strings.Join(names, " → ")
}

// loadGraph reads the module's import graph, standard library and other
// modules included (an outside package can carry a forbidden import too).
// Test files are left out: a store's tests may import what the store may
// not.
func loadGraph(t *testing.T) (string, graph) {
	t.Helper()
	module := strings.TrimSpace(string(goCmd(t, "list", "-m")))
	out := goCmd(t, "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...")
	g := graph{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			g[fields[0]] = fields[1:]
		}
	}
	return module, g
}

func goCmd(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestImportDirection checks the module's packages against the rules.
func TestImportDirection(t *testing.T) {
	module, g := loadGraph(t)
	// The graph must hold what the rules are about, or they check nothing.
	for _, p := range []string{"features", "tiles", "features/postgis", "features/embedded", "cmd/bando", "tiles/tilehttp"} {
		if _, ok := g[module+"/"+p]; !ok {
			t.Fatalf("package %s is not in the import graph (%d packages)", p, len(g))
		}
	}
	if !slices.ContainsFunc(g[module+"/tiles/tilehttp"], func(p string) bool { return strings.HasPrefix(p, "github.com/labstack/echo/") }) {
		t.Fatal("tiles/tilehttp does not import Echo in the graph read; the graph is wrong")
	}
	for _, msg := range check(module, g, rules()) {
		t.Error(msg)
	}
}

// TestCheck feeds the checker small graphs, so that each kind of breach is
// seen to fail and allowed imports are seen to pass.
func TestCheck(t *testing.T) {
	const mod = "example.org/bando"
	m := func(p string) string { return mod + "/" + p }
	const echo, pgx, redis = "github.com/labstack/echo/v4", "github.com/jackc/pgx/v5", "github.com/redis/go-redis/v9"
	// today is the shape of the module after the split, with no breach.
	today := func() graph {
		return graph{
			m("cmd/bando"):         {m("tiles/tilehttp"), m("features/postgis"), m("features/embedded"), m("tiles/rediscache"), echo, redis},
			m("tiles/tilehttp"):    {m("tiles"), m("features"), echo, "net/http"},
			m("tiles"):             {m("features"), "context"},
			m("tiles/rediscache"):  {m("tiles"), redis},
			m("features"):          {"context"},
			m("features/ogc"):      {m("features"), echo},
			m("features/postgis"):  {m("features"), m("tiles"), m("migrations"), pgx},
			m("features/embedded"): {m("features"), m("tiles"), "go.etcd.io/bbolt"},
			m("migrations"):        {"embed"},
			echo:                   {"net/http"},
			pgx:                    {"context"},
			redis:                  {"context"},
		}
	}
	tests := []struct {
		name   string
		change func(graph)
		want   []string // the messages, in order
	}{
		{"today's module", func(graph) {}, nil},
		{"future packages that keep the rules", func(g graph) {
			g[m("tracing")] = []string{m("features")}
			g[m("tracing/postgis")] = []string{m("tracing"), pgx}
			g[m("internal/httpx")] = []string{echo}
			g[m("features/ogc")] = append(g[m("features/ogc")], m("internal/httpx"))
		}, nil},
		{"a store compiles Echo through the tile core", func(g graph) {
			g[m("tiles")] = append(g[m("tiles")], echo)
		}, []string{
			"domain and stores never import Echo: features/embedded → tiles → github.com/labstack/echo/v4",
			"domain and stores never import Echo: features/postgis → tiles → github.com/labstack/echo/v4",
			"domain and stores never import Echo: tiles → github.com/labstack/echo/v4",
			"domain and stores never import Echo: tiles/rediscache → tiles → github.com/labstack/echo/v4",
		}},
		{"a store imports the tile edge", func(g graph) {
			g[m("features/embedded")] = append(g[m("features/embedded")], m("tiles/tilehttp"))
		}, []string{
			"domain and stores never import Echo: features/embedded → tiles/tilehttp → github.com/labstack/echo/v4",
			"stores never import HTTP edges: features/embedded → tiles/tilehttp",
		}},
		{"features imports tracing", func(g graph) {
			g[m("tracing")] = []string{"context"}
			g[m("features")] = append(g[m("features")], m("tracing"))
		}, []string{
			"features never imports tracing (tracing may import features): features → tracing",
			"features never imports tracing (tracing may import features): features/embedded → features → tracing",
			"features never imports tracing (tracing may import features): features/ogc → features → tracing",
			"features never imports tracing (tracing may import features): features/postgis → features → tracing",
			"public read packages never import tracing: features/ogc → features → tracing",
			"public read packages never import tracing: tiles → features → tracing",
			"public read packages never import tracing: tiles/rediscache → tiles → features → tracing",
			"public read packages never import tracing: tiles/tilehttp → features → tracing",
		}},
		{"features imports the tile core", func(g graph) {
			g[m("features/demo")] = []string{m("tiles")}
		}, []string{"features never imports tiles, stores or HTTP edges: features/demo → tiles"}},
		{"pgx outside the PostGIS store", func(g graph) {
			g[m("features/ogc")] = append(g[m("features/ogc")], pgx)
		}, []string{"pgx only in the PostGIS stores and cmd: features/ogc → github.com/jackc/pgx/v5"}},
		{"an edge reaches a store", func(g graph) {
			g[m("tiles/tilehttp")] = append(g[m("tiles/tilehttp")], m("features/postgis"))
		}, []string{
			"HTTP edges never import stores: tiles/tilehttp → features/postgis",
			"pgx only in the PostGIS stores and cmd: tiles/tilehttp → features/postgis → github.com/jackc/pgx/v5",
		}},
		{"go-redis in the tile core", func(g graph) {
			g[m("tiles")] = append(g[m("tiles")], redis)
		}, []string{
			"go-redis only in tiles/rediscache and cmd: features/embedded → tiles → github.com/redis/go-redis/v9",
			"go-redis only in tiles/rediscache and cmd: features/postgis → tiles → github.com/redis/go-redis/v9",
			"go-redis only in tiles/rediscache and cmd: tiles → github.com/redis/go-redis/v9",
			"go-redis only in tiles/rediscache and cmd: tiles/tilehttp → tiles → github.com/redis/go-redis/v9",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := today()
			tt.change(g)
			got := check(mod, g, rules())
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %d messages:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestMatches(t *testing.T) {
	const mod = "example.org/bando"
	tests := []struct {
		path    string
		pattern string
		want    bool
	}{
		{mod + "/tiles", "tiles", true},
		{mod + "/tiles/tilehttp", "tiles", false},
		{mod + "/tiles/tilehttp", "tiles/...", true},
		{mod + "/tiles", "tiles/...", true},
		{mod + "/tilesx", "tiles/...", false},
		{mod + "/features/postgis/pgtest", "features/postgis/...", true},
		{mod + "/cmd/bando", "...", true},
		{"github.com/labstack/echo/v4/middleware", "github.com/labstack/echo/...", true},
		{"github.com/labstack/echox", "github.com/labstack/echo/...", false},
		{"context", "...", false},
		{mod, "...", true},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.pattern, func(t *testing.T) {
			if got := matches(mod, tt.path, []string{tt.pattern}); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}
