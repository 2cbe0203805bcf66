package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/jackc/pgx/v5"
)

// sharedFile is a file of the real Bình Dương data beside the repository.
func sharedFile(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(testkit.SharedDir(t), "data", "binhduong", name)
}

func runCLI(t *testing.T, dbURL string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("BANDO_DATABASE_URL", dbURL)
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	return out.String(), err
}

// count is the number of rows of a table.
func count(t *testing.T, dbURL, table string) int {
	t.Helper()
	return countWhere(t, dbURL, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize())
}

// countWhere runs a query that counts.
func countWhere(t *testing.T, dbURL, sql string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrateSeedAndImportCommands(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	for i := 0; i < 2; i++ {
		if out, err := runCLI(t, dbURL, "migrate"); err != nil {
			t.Fatalf("migrate run %d: %v\n%s", i+1, err, out)
		}
	}
	out, err := runCLI(t, dbURL, "seed", "--scale", "demo", "--seed", "7")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	for _, id := range []string{"cases", "contacts", "medical_facilities", "epidemic_points", "lockdown_points",
		"emergency_stations", "quarantine_zones", "markets", "shopping_centres", "convenience_stores",
		"mask_sale_points", "supermarkets", "petrol_stations", "districts", "wards"} {
		if n := count(t, dbURL, id); n == 0 {
			t.Errorf("after seed, %s is empty", id)
		}
	}

	t.Run("real boundaries", func(t *testing.T) {
		if out, err := runCLI(t, dbURL, "import", "boundaries", sharedFile(t, "districts.geojson")); err != nil || !strings.Contains(out, "9 districts") {
			t.Fatalf("import boundaries = %q, %v", out, err)
		}
	})
	t.Run("bad boundaries refused whole", func(t *testing.T) {
		body, err := os.ReadFile(sharedFile(t, "districts.geojson"))
		if err != nil {
			t.Fatal(err)
		}
		var fc map[string]any
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		// Feature 3 loses its name: the file must be refused, naming it.
		fc["features"].([]any)[2].(map[string]any)["properties"].(map[string]any)["name"] = ""
		bad := filepath.Join(t.TempDir(), "bad.geojson")
		body, _ = json.Marshal(fc)
		if err := os.WriteFile(bad, body, 0o644); err != nil {
			t.Fatal(err)
		}
		before := count(t, dbURL, "districts")
		_, err = runCLI(t, dbURL, "import", "boundaries", bad)
		if err == nil || !strings.Contains(err.Error(), "feature 3") || !strings.Contains(err.Error(), "nothing imported") {
			t.Fatalf("err = %v, want it to name feature 3 and say nothing was imported", err)
		}
		if after := count(t, dbURL, "districts"); after != before {
			t.Errorf("districts changed from %d to %d after a refused file", before, after)
		}
	})
	t.Run("cases import twice", func(t *testing.T) {
		fixture := filepath.Join(testkit.RepoRoot(t), "features", "bulletin", "testdata", "july5.csv")
		fresh := pgtest.NewDatabase(t)
		out, err := runCLI(t, fresh, "import", "cases", fixture)
		if err != nil || !strings.Contains(out, "812 new cases, 0 updated, 0 unchanged") {
			t.Fatalf("first import = %q, %v", out, err)
		}
		out, err = runCLI(t, fresh, "import", "cases", fixture)
		if err != nil || !strings.Contains(out, "0 new cases, 0 updated, 812 unchanged") {
			t.Fatalf("second import = %q, %v", out, err)
		}
		// A later file that marks a known case as died updates it.
		body, err := os.ReadFile(fixture)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(body), "\n")
		header := strings.Split(lines[0], ",")
		row := strings.Split(lines[1], ",")
		for i, col := range header {
			switch col {
			case "status":
				row[i] = "died"
			case "status_date":
				row[i] = "2021-07-05"
			}
		}
		later := filepath.Join(t.TempDir(), "later.csv")
		if err := os.WriteFile(later, []byte(lines[0]+"\n"+strings.Join(row, ",")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err = runCLI(t, fresh, "import", "cases", later)
		if err != nil || !strings.Contains(out, "0 new cases, 1 updated, 0 unchanged") {
			t.Fatalf("later import = %q, %v", out, err)
		}
		if n := countWhere(t, fresh, "SELECT count(*) FROM cases WHERE status = 'died'"); n < 1 {
			t.Errorf("after the update %d cases died, want at least 1", n)
		}
	})
}

func TestCommandsRefuseBadInput(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"unknown command", nil, []string{"fly"}, `unknown command "fly"`},
		{"bad scale", nil, []string{"seed", "--scale", "huge"}, "--scale"},
		{"bad address", map[string]string{"BANDO_ADDR": "8080"}, []string{"serve"}, "BANDO_ADDR"},
		{"bad database url", map[string]string{"BANDO_DATABASE_URL": "mysql://x"}, []string{"migrate"}, "BANDO_DATABASE_URL"},
		{"geomask too fine", map[string]string{"BANDO_GEOMASK_METRES": "20"}, []string{"serve"}, "at least 100"},
		{"geomask not a number", map[string]string{"BANDO_GEOMASK_METRES": "NaN"}, []string{"serve"}, "at least 100"},
		{"geomask infinite", map[string]string{"BANDO_GEOMASK_METRES": "+Inf"}, []string{"serve"}, "at least 100"},
		{"zoom too deep", map[string]string{"BANDO_MAX_ZOOM": "24"}, []string{"serve"}, "BANDO_MAX_ZOOM"},
		{"not a number", map[string]string{"BANDO_MAX_ZOOM": "deep"}, []string{"serve"}, "--max-zoom"},
		{"no retention", map[string]string{"BANDO_RETENTION_DAYS": "0"}, []string{"serve"}, "BANDO_RETENTION_DAYS"},
		{"retention too long", map[string]string{"BANDO_RETENTION_DAYS": "400"}, []string{"purge"}, "BANDO_RETENTION_DAYS"},
		{"retention not a number", map[string]string{"BANDO_RETENTION_DAYS": "3w"}, []string{"purge"}, "--retention-days"},
		{"bad wave start", map[string]string{"BANDO_WAVE_START": "27/4/2021"}, []string{"serve"}, "BANDO_WAVE_START"},
		{"bad redis url", map[string]string{"BANDO_REDIS_URL": "http://x"}, []string{"serve"}, "BANDO_REDIS_URL"},
		{"redis database not a number", map[string]string{"BANDO_REDIS_URL": "redis://h:6379/abc"}, []string{"serve"}, "BANDO_REDIS_URL"},
		{"redis option unknown", map[string]string{"BANDO_REDIS_URL": "redis://h:6379/0?colour=red"}, []string{"serve"}, "BANDO_REDIS_URL"},
		{"bad frame ancestor", map[string]string{"BANDO_FRAME_ANCESTORS": "https://portal.example.vn https://x.example;script-src"}, []string{"serve"}, "BANDO_FRAME_ANCESTORS"},
		{"cors origin without scheme", map[string]string{"BANDO_CORS_ORIGINS": "portal.example.vn"}, []string{"serve"}, "BANDO_CORS_ORIGINS"},
		{"cors origin with a path", map[string]string{"BANDO_CORS_ORIGINS": "https://a.example, https://b.example/map"}, []string{"serve"}, "BANDO_CORS_ORIGINS"},
		{"redis cluster and redis url", map[string]string{"BANDO_REDIS_CLUSTER": "10.0.0.5:7000", "BANDO_REDIS_URL": "redis://h:6379/0"}, []string{"serve"}, "BANDO_REDIS_CLUSTER"},
		{"redis cluster node without port", map[string]string{"BANDO_REDIS_CLUSTER": "10.0.0.5:7000,10.0.0.6"}, []string{"serve"}, "BANDO_REDIS_CLUSTER"},
		{"tiles what", nil, []string{"tiles"}, "tiles: want"},
		{"tiles export no file", nil, []string{"tiles", "export", "--layers", "cases", "--zoom", "8"}, "--pmtiles FILE"},
		{"tiles export zooms reversed", nil, []string{"tiles", "export", "--pmtiles", "x.pmtiles", "--layers", "cases", "--zoom", "9-3"}, "--zoom"},
		{"tiles seed unknown layer", nil, []string{"tiles", "seed", "--layers", "people", "--zoom", "8"}, "unknown public layer"},
		{"import what", nil, []string{"import"}, "import: what?"},
		{"import no file", nil, []string{"import", "cases"}, "name the file"},
		{"stray argument", nil, []string{"migrate", "now"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("BANDO_DATABASE_URL", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			err := run(context.Background(), tt.args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
			if strings.Count(strings.TrimSpace(err.Error()), "\n") > 2 {
				t.Errorf("error is not short: %q", err)
			}
		})
	}
}

func TestUnitLevel(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Thành phố Thủ Dầu Một", "city"},
		{"Thị xã Bến Cát", "town"},
		{"Huyện Bàu Bàng", "district"},
		{"Phường Phú Cường", "ward"},
		{"Thị trấn Lai Uyên", "township"},
		{"Xã An Sơn", "commune"},
		{"Khu phố 3", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unitLevel(tt.name); got != tt.want {
				t.Errorf("unitLevel(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}
