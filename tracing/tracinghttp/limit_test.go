package tracinghttp_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing/tracinghttp"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, stores[0], tracinghttp.LimitOptions{PerMinute: 30, Burst: 3})
	v := e.venue("Chợ Thủ Dầu Một", "25747", "")
	get := "/api/c/" + e.token(v)
	for i, tc := range []struct {
		advance    time.Duration
		path       string
		status     int
		retryAfter string
	}{
		{0, get, http.StatusOK, ""},
		{0, get, http.StatusOK, ""},
		{0, "/api/c/forged", http.StatusNotFound, ""}, // a refused token counts too
		{0, get, http.StatusTooManyRequests, "2"},     // 30 a minute: one every 2 s
		{time.Second, get, http.StatusTooManyRequests, "1"},
		{time.Second, get, http.StatusOK, ""},
		{0, "/api/s/" + e.staff(v) + "/checkins", http.StatusCreated, ""}, // counted per staff link, not per address
		{time.Minute, get, http.StatusOK, ""},
	} {
		e.clock.add(tc.advance)
		method := http.MethodGet
		var body any
		if tc.path != get && tc.path != "/api/c/forged" {
			method, body = http.MethodPost, map[string]any{"identity": "0912345678"}
		}
		a := e.do(method, tc.path, "", body)
		if a.status != tc.status || a.header.Get("Retry-After") != tc.retryAfter {
			t.Errorf("request %d: %d, Retry-After %q; want %d, %q: %s", i, a.status, a.header.Get("Retry-After"), tc.status, tc.retryAfter, a.body)
		}
	}
}

func TestStaffLinkLimit(t *testing.T) {
	e := newEnv(t, stores[0], tracinghttp.LimitOptions{PerMinute: 30, Burst: 3})
	v := e.venue("Nhà máy Pou Chen", "25747", "")
	staff := "/api/s/" + e.staff(v) + "/checkins"
	// A gate scanning a shift: StaffFactor times a client's burst passes
	// at once from one phone, then the staff link waits like a client.
	for i := range 3 * tracinghttp.StaffFactor {
		phone := fmt.Sprintf("09120%05d", i)
		if a := e.do(http.MethodPost, staff, "", map[string]any{"identity": phone}); a.status != http.StatusCreated {
			t.Fatalf("scan %d of the shift: %d %s", i, a.status, a.body)
		}
	}
	if a := e.do(http.MethodPost, staff, "", map[string]any{"identity": "0987654321"}); a.status != http.StatusTooManyRequests {
		t.Errorf("past the staff link's burst: %d %s", a.status, a.body)
	}
	// The same address still reaches the public page: the buckets differ.
	if a := e.do(http.MethodGet, "/api/c/"+e.token(v), "", nil); a.status != http.StatusOK {
		t.Errorf("the public page after the staff burst: %d %s", a.status, a.body)
	}
}

func TestLimiterForgets(t *testing.T) {
	c := &clock{now: start}
	l := tracinghttp.NewLimiter(tracinghttp.LimitOptions{PerMinute: 60, Burst: 1, MaxClients: 2}, c)
	if l.Take("a") != 0 || l.Take("b") != 0 || l.Take("a") == 0 {
		t.Fatal("a burst of 1 let two through, or refused a first")
	}
	if l.Take("c") != 0 { // past MaxClients: the oldest are forgotten
		t.Fatal("a new client was refused")
	}
	c.add(time.Second)
	if l.Take("a") != 0 {
		t.Error("a refilled bucket refused")
	}
}

func TestCrossSiteChange(t *testing.T) {
	e := newEnv(t, stores[0], tracinghttp.LimitOptions{Off: true})
	v := e.venue("Chợ Thủ Dầu Một", "25747", "")
	path := "/api/c/" + e.token(v) + "/checkin"
	me := map[string]any{"identity": "0912345678"}
	for _, tc := range []struct {
		name   string
		header []string
		status int
	}{
		{"another site's page", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"Sec-Fetch-Site", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"the public URL", []string{"Origin", "https://bando.example.vn"}, http.StatusCreated},
		{"no Origin (a script, the same page): a repeat", nil, http.StatusOK},
	} {
		e.clock.add(time.Minute)
		if a := e.do(http.MethodPost, path, "", me, tc.header...); a.status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
		}
	}
	if n := len(e.visits(v)); n != 1 {
		t.Errorf("%d visits, want 1", n)
	}
}
