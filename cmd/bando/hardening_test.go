package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/embedded"
)

// randomToken is n letters, a valid HTTP method or path segment.
func randomToken(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + r.IntN(26))
	}
	return string(b)
}

// TestMetricsLabelsAreBounded sends 1,000 requests with random long
// methods and paths: /metrics keeps a handful of series, since no label
// takes a value the client chose.
func TestMetricsLabelsAreBounded(t *testing.T) {
	base, ops := newEdgeServerWithOps(t, nil, nil)
	r := rand.New(rand.NewPCG(1, 2))
	prefixes := []string{"/", "/tiles/", "/ogc/collections/", "/api/", "/assets/", "/c/"}
	for i := range 1000 {
		method := randomToken(r, 100+r.IntN(400))
		path := prefixes[i%len(prefixes)] + randomToken(r, 50+r.IntN(500))
		if i%2 == 0 {
			method = http.MethodGet
		}
		res, _ := do(t, method, base+path)
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", method[:10], path[:20], res.StatusCode)
		}
	}
	_, body := do(t, http.MethodGet, ops+"/metrics")
	series := 0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "bando_http_requests_total{") {
			series++
			if strings.Contains(line, "method=\"") && !strings.Contains(line, `method="GET"`) && !strings.Contains(line, `method="OTHER"`) {
				t.Errorf("a method of the client's is a label: %.200s", line)
			}
		}
	}
	if series == 0 || series > 20 {
		t.Errorf("%d series of bando_http_requests_total after 1,000 random requests, want 1..20:\n%.3000s", series, body)
	}
	if len(body) > 16<<10 {
		t.Errorf("/metrics is %d bytes after 1,000 random requests, want under 16 KiB", len(body))
	}
}

// newListeningServer serves a server over an empty embedded store on a
// real listener with httpServer's settings (configure changes them), so
// that connection timeouts apply; it returns the address.
func newListeningServer(t *testing.T, configure func(*Config)) string {
	t.Helper()
	cfg, h := newEdgeHandler(t, configure, nil)
	srv := httpServer(cfg, h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedByServer reads from conn until the server closes it; it fails the
// test if that has not happened by the guard (far longer than the
// timeouts under test, so that a slow machine does not fail it).
func closedByServer(t *testing.T, conn net.Conn, r *bufio.Reader) {
	t.Helper()
	const guard = 20 * time.Second
	if err := conn.SetReadDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v", guard)
	}
}

// TestConnectionTimeouts: an idle keep-alive connection is closed after
// the idle timeout, and a client that sends its headers a byte at a time
// is cut by the header timeout. The other timeouts are a minute, longer
// than the test's guard, so that the test fails without these two.
func TestConnectionTimeouts(t *testing.T) {
	addr := newListeningServer(t, func(c *Config) {
		c.IdleTimeout, c.ReadHeaderTimeout = 200*time.Millisecond, 200*time.Millisecond
		c.ReadTimeout, c.WriteTimeout, c.TransferTimeout, c.ImportTimeout = time.Minute, time.Minute, time.Minute, 30*time.Second
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(conn)
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Close {
			t.Fatalf("status %d, close %v: want a kept-alive 200", res.StatusCode, res.Close)
		}
		closedByServer(t, conn, r)
	})
	t.Run("slow headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { // a header byte every 50 ms, until the server cuts
			defer close(done)
			for range 400 {
				if _, err := io.WriteString(conn, "X"); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		closedByServer(t, conn, bufio.NewReader(conn))
		conn.Close()
		<-done
	})
}

// TestBodyLimits: a body over its route family's limit is a 413 that says
// the limit, whether Content-Length announces it or the body just runs on.
func TestBodyLimits(t *testing.T) {
	addr := newListeningServer(t, nil)
	big := strings.Repeat("x", 2<<20)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"sign-in, announced", "/api/auth/signin", "1 MiB"},
		{"check-in, announced", "/api/c/abc/checkin", "1 MiB"},
		{"check-ins batch, 9 MiB announced", "/api/checkins", "8 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := big
			if strings.Contains(tc.want, "8") {
				body = strings.Repeat("x", 9<<20)
			}
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+tc.path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			got, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(got), tc.want) {
				t.Errorf("POST %s with %d bytes: %d %s; want 413 naming %s", tc.path, len(body), res.StatusCode, got, tc.want)
			}
		})
	}
}

// TestHostHeaderTrust: without a public URL, an answer built from a Host
// header the server does not accept (or from a scheme header that is not
// http or https) is never stored by shared caches; one built from
// localhost or a configured host keeps its public caching.
func TestHostHeaderTrust(t *testing.T) {
	base := newEdgeServer(t, func(c *Config) { c.AllowedHosts = "map.example.org *.bando.test" }, nil)
	for _, tc := range []struct {
		name, host, proto string
		public            bool
	}{
		{"localhost", "localhost:8080", "", true},
		{"loopback", "127.0.0.1", "", true},
		{"configured", "map.example.org", "https", true},
		{"configured wildcard", "tiles.bando.test:443", "", true},
		{"unknown host", "evil.example", "", false},
		{"unknown host like a configured one", "map.example.org.evil.example", "", false},
		{"odd scheme", "localhost", "javascript", false},
	} {
		for _, path := range []string{"/tiles/cases.json", "/ogc/collections", "/ogc"} {
			t.Run(tc.name+path, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodGet, base+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Host = tc.host
				if tc.proto != "" {
					req.Header.Set("X-Forwarded-Proto", tc.proto)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				cc := res.Header.Get("Cache-Control")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %.300s", res.StatusCode, body)
				}
				host, _, _ := strings.Cut(tc.host, ":")
				linked := strings.Contains(string(body), host)
				stored := !strings.Contains(cc, "no-store") && !strings.Contains(cc, "private")
				switch {
				case tc.public && (strings.Contains(cc, "no-store") || path == "/tiles/cases.json" && !strings.Contains(cc, "public")):
					t.Errorf("Cache-Control %q for an accepted host, want the handler's (TileJSON: public)", cc)
				case !tc.public && stored:
					t.Errorf("Cache-Control %q for a host not accepted (linked in the body: %v), want no-store", cc, linked)
				}
			})
		}
	}
}

// hangingPing is a store whose ping waits for the request's context and
// then fails with an error that does not say why, as a driver might.
type hangingPing struct {
	backend
	entered chan struct{}
}

func (p hangingPing) Ping(ctx context.Context) error {
	p.entered <- struct{}{}
	<-ctx.Done()
	return errors.New("store: connection closed")
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestClientThatGoesAway: a request whose client leaves is logged at debug
// level, not as an error, and counted as client_closed, not as a 5xx.
func TestClientThatGoesAway(t *testing.T) {
	cfg := testConfig(t)
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	entered := make(chan struct{}, 1)
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := newMetrics()
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: hangingPing{s, entered}, log: log, metrics: m}))
	t.Cleanup(srv.Close)
	ops := httptest.NewServer(newOpsHandler(opsHandlerConfig{metrics: m}))
	t.Cleanup(ops.Close)

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/readyz", nil)
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	<-entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request ended with %v, want canceled", err)
	}
	var metrics string
	for range 200 { // the server notices the closed connection shortly
		_, metrics = do(t, http.MethodGet, ops.URL+"/metrics")
		if strings.Contains(metrics, `route="/readyz"`) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(metrics, `bando_http_requests_total{route="/readyz",method="GET",status="client_closed"} 1`) {
		t.Errorf("the request is not counted as client_closed:\n%s", metrics)
	}
	out := logs.String()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "path=/readyz") && !strings.Contains(line, "level=DEBUG") {
			t.Errorf("a client that went away is logged above debug: %s", line)
		}
	}
	if !strings.Contains(out, "level=DEBUG msg=\"client closed the request\"") {
		t.Errorf("no debug record of the client that went away:\n%s", out)
	}
}

// TestErrorBodiesEchoShortExcerpts: an error answer repeats at most a
// short, escaped excerpt of what the client sent, however long it was or
// whatever bytes it held.
func TestErrorBodiesEchoShortExcerpts(t *testing.T) {
	base := newEdgeServer(t, nil, nil)
	long := strings.Repeat("a\x01", 50000)
	for _, value := range []string{long, strings.Repeat("é", 40000) + "\x00\xff\xfe", "x\x00y\xffz\u2028"} {
		q := url.QueryEscape(value)
		for _, p := range []string{
			"/ogc/collections/cases/items?bbox=" + q,
			"/ogc/collections/cases/items?filter=" + q,
			"/ogc/collections/cases/items?filter=" + url.QueryEscape(`{"op":"`+value+`"}`),
			"/ogc/collections/cases/items?datetime=" + q,
			"/ogc/collections/cases/items?" + q + "=1",
			"/ogc/collections/cases/items?limit=" + q,
			"/ogc/collections/cases/items?crs=" + q,
			"/ogc/collections/cases/items?status=" + q,
			"/ogc/collections/" + q + "/items",
			"/ogc/collections/cases/items/" + q,
			"/tiles/" + q + "/1/2/3.mvt",
			"/tiles/cases/1/2/" + q,
			"/api/nearby?lon=" + q,
			"/api/search?q=" + q,
			"/api/c/" + q,
		} {
			res, body := do(t, http.MethodGet, base+p)
			name := fmt.Sprintf("%.50s (%d bytes)", p, len(p))
			if res.StatusCode < 400 || res.StatusCode >= 500 {
				t.Errorf("%s: status %d, want a 4xx", name, res.StatusCode)
			}
			if len(body) > 2000 {
				t.Errorf("%s: a %d-byte error body: %.300s", name, len(body), body)
			}
			if !utf8.ValidString(body) {
				t.Errorf("%s: the body is not UTF-8", name)
			}
			var pb problem
			if err := json.Unmarshal([]byte(body), &pb); err != nil {
				t.Fatalf("%s: %v in %.300s", name, err, body)
			}
			for _, text := range []string{pb.Detail, pb.Instance} {
				if strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError || r == '\u2028' }) {
					t.Errorf("%s: raw control or invalid bytes echoed: %q", name, text)
				}
			}
		}
	}
}

// TestRateLimitsPerRouteFamily: past its allowance a client gets 429 with
// Retry-After, per route family; X-Forwarded-For names the client only
// when it comes from a configured proxy.
func TestRateLimitsPerRouteFamily(t *testing.T) {
	strict := func(proxies string) func(*Config) {
		return func(c *Config) {
			c.RateOGC, c.RateTiles, c.RateAPI = 2, 2, 2 // bursts of 1
			c.TrustedProxies = proxies
		}
	}
	t.Run("no proxy: the connection's address counts", func(t *testing.T) {
		base := newEdgeServer(t, strict(""), nil)
		if res, body := do(t, http.MethodGet, base+"/ogc/collections", "X-Forwarded-For: 10.0.0.1"); res.StatusCode != http.StatusOK {
			t.Fatalf("first request: %d %s", res.StatusCode, body)
		}
		res, body := do(t, http.MethodGet, base+"/ogc/collections", "X-Forwarded-For: 10.0.0.2")
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "too many requests to the ogc routes") {
			t.Errorf("second request from loopback with another X-Forwarded-For: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if res, body := do(t, http.MethodGet, base+"/api/labels"); res.StatusCode != http.StatusOK {
			t.Errorf("another family is counted apart: /api/labels %d %s", res.StatusCode, body)
		}
		if res, _ := do(t, http.MethodGet, base+"/"); res.StatusCode != http.StatusOK {
			t.Errorf("pages: %d", res.StatusCode)
		}
	})
	t.Run("trusted proxy: X-Forwarded-For counts", func(t *testing.T) {
		base := newEdgeServer(t, strict("127.0.0.1/32"), nil)
		for i := range 5 {
			res, body := do(t, http.MethodGet, base+"/ogc/collections", fmt.Sprintf("X-Forwarded-For: 10.0.0.%d", i+1))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("client %d's first request: %d %s", i+1, res.StatusCode, body)
			}
		}
		if res, _ := do(t, http.MethodGet, base+"/ogc/collections", "X-Forwarded-For: 10.0.0.1"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("client 1's second request: %d, want 429", res.StatusCode)
		}
	})
	t.Run("defaults stay out of the way", func(t *testing.T) {
		base := newEdgeServer(t, nil, nil)
		for i := range 300 {
			if res, _ := do(t, http.MethodGet, base+"/tiles/cases/10/800/400.mvt"); res.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("tile %d of a map's load refused", i+1)
			}
		}
	})
}

// TestImportErrorsEchoShortExcerpts: the line problems of an import quote
// at most an excerpt of each bad value.
func TestImportErrorsEchoShortExcerpts(t *testing.T) {
	s := newAuthServer(t, "embedded")
	token := s.tokenOf(t, "importer", auth.Admin)
	long := strings.Repeat("a\x01", 50000)
	for _, tc := range []struct{ name, target, body string }{
		{"cases", "/api/cases/import", "code,report_date,report_session,origin,detected_in,cluster,status,status_date,district_code,ward_code,address,lon,lat,name,phone,id_number\n" +
			long + ",2021-07-05,afternoon," + long + ",quarantine_area,x,under_treatment,,719,25813,Số 1,106.6,11.25,An,0900000001,074000000001\n"},
		{"workers", "/api/enterprises/e1/workers:import", "employee_id,phone\nNV1," + long + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			s.e.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
			}
			if rec.Body.Len() > 4000 || strings.Contains(rec.Body.String(), `\u0001`) {
				t.Errorf("a %d-byte answer: %.600s", rec.Body.Len(), rec.Body)
			}
		})
	}
}
