package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.9.9.9/x", true},
		{"http://[::1]:7800/public.markets/0/0/0.pbf", true},
		{"http://localhost:1", true},
		{"http://10.0.0.1:8080", false},
		{"http://example.org", false},
		{"ftp://127.0.0.1/", false},
		{"127.0.0.1:8080", false},
	} {
		if err := checkLoopback(tc.url); (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok %v", tc.url, err, tc.ok)
		}
	}
}

func TestParseTargets(t *testing.T) {
	for _, tc := range []struct {
		name    string
		flags   []string
		want    string // name:urls|... then static
		wantErr string
	}{
		{"two", []string{"a=http://127.0.0.1:1", "b=http://127.0.0.1:2/{z}/{x}/{y}.pbf"}, "a:1|b:1 ", ""},
		{"repeated name adds a URL", []string{"p=http://127.0.0.1:2/a", "p=http://127.0.0.1:2/b"}, "p:2 ", ""},
		{"static", []string{"a=http://127.0.0.1:1", "static"}, "a:1 static", ""},
		{"no target", nil, "", "at least one"},
		{"only static", []string{"static"}, "", "at least one"},
		{"remote", []string{"a=http://192.0.2.1/"}, "", "not a loopback"},
		{"two statics", []string{"a=http://127.0.0.1:1", "s", "t"}, "", "one static"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, static, err := parseTargets(tc.flags)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, g := range got {
				parts = append(parts, g.name+":"+string(rune('0'+len(g.urls))))
			}
			if s := strings.Join(parts, "|") + " " + static; s != tc.want {
				t.Errorf("got %q, want %q", s, tc.want)
			}
		})
	}
}

// TestRunLoadAndReplay drives a server and its static replay: every unit
// is counted, a unit of two URLs sends two requests, a failing status is
// an error, and the replay answers the recorded bytes and headers.
func TestRunLoadAndReplay(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/bad" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
		w.Header().Set("ETag", `"e"`)
		_, _ = w.Write([]byte("tile:" + r.URL.Path))
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	good := loadTarget{name: "srv", units: [][]string{{srv.URL + "/a", srv.URL + "/b"}, {srv.URL + "/c", srv.URL + "/d"}}}
	static, err := staticTarget(ctx, good, "static")
	if err != nil {
		t.Fatal(err)
	}
	bad := loadTarget{name: "bad", units: [][]string{{srv.URL + "/bad"}}}
	stats, err := runLoad(ctx, []loadTarget{good, static, bad}, loadOptions{clients: 2, requests: 10, rounds: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct{ units, requests, errors int }{{20, 40, 0}, {20, 40, 0}, {20, 20, 20}} {
		s := stats[i]
		if s.units != want.units || s.requests != want.requests || s.errors != want.errors {
			t.Errorf("target %d: units %d requests %d errors %d, want %+v", i, s.units, s.requests, s.errors, want)
		}
	}
	if stats[1].bytes != stats[0].bytes {
		t.Errorf("replay sent %d bytes, the server %d", stats[1].bytes, stats[0].bytes)
	}
	client := newLoadClient(1)
	resp, body, err := fetchOnce(ctx, client, static.units[1][1])
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != "tile:/d" || resp.Header.Get("ETag") != `"e"` || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Errorf("replay answered %q with %v", body, resp.Header)
	}
	if _, err := runLoad(ctx, []loadTarget{good}, loadOptions{clients: 0, requests: 1, rounds: 1}, nil); err == nil {
		t.Error("0 clients accepted")
	}
}
