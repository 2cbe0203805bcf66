package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// logMarkers are values a run's log must never hold: the server's key, a
// password in a connection string, a password and a token sent to sign
// in, and a person's phone, ID number and name.
var logMarkers = map[string]string{
	"secret":         "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
	"redis password": "redis-pass-7Qx",
	"password":       "Pa55-marker-9Zw",
	"token":          "bando_markertoken4Kp",
	"phone":          "0912999888",
	"id number":      "079123999888",
	"name":           "Trần Thị Bí Mật",
}

// TestLogsCarryNoSecrets runs `bando serve` as its own process, sends it
// requests carrying secrets and personal values (sign-in, bearer tokens,
// check-ins, searches, filters, hostile inputs), stops it, and reads its
// whole log: none of them is in it.
func TestLogsCarryNoSecrets(t *testing.T) {
	if os.Getenv("BANDO_LOGTEST_CHILD") == "1" {
		os.Args = []string{"bando", "serve"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLogsCarryNoSecrets$")
	cmd.Env = append(os.Environ(), "BANDO_LOGTEST_CHILD=1", "BANDO_ADDR=127.0.0.1:0", "BANDO_METRICS_ADDR=127.0.0.1:0",
		"BANDO_LOG_FORMAT=json", "BANDO_ACCESS_LOG=1", // the most the log can say
		"BANDO_DATA_DIR="+t.TempDir(), "BANDO_SECRET="+logMarkers["secret"],
		"BANDO_REDIS_URL=redis://:"+logMarkers["redis password"]+"@127.0.0.1:1/0", "BANDO_DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := listeningAt(t, stdout)
	go io.Copy(io.Discard, stdout)
	sendMarkedRequests(t, base)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bando serve: %v\n%s", err, logs.String())
	}
	out := logs.String()
	if !strings.Contains(out, "demo province seeded") {
		t.Fatalf("the log is not the server's:\n%s", out)
	}
	for what, v := range logMarkers {
		if strings.Contains(out, v) || strings.Contains(out, url.QueryEscape(v)) {
			t.Errorf("the log holds the %s:\n%s", what, out)
		}
	}
}

// listeningAt reads the server's address from its first lines.
func listeningAt(t *testing.T, stdout io.Reader) string {
	t.Helper()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	lines := bufio.NewScanner(stdout)
	deadline := time.Now().Add(2 * time.Minute)
	for lines.Scan() && time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(lines.Text()); m != nil {
			return m[1]
		}
	}
	t.Fatal("the server did not say where it listens")
	return ""
}

// sendMarkedRequests sends requests that carry the markers.
func sendMarkedRequests(t *testing.T, base string) {
	t.Helper()
	m := logMarkers
	person := `{"identity":"` + m["phone"] + `","name":"` + m["name"] + `"}`
	for _, r := range []struct{ method, target, body, header string }{
		{"POST", "/api/auth/signin", `{"name":"admin","password":"` + m["password"] + `"}`, ""},
		{"POST", "/api/auth/signin", `{"name":"` + m["phone"] + `","password":"` + m["password"] + `"}`, ""},
		{"GET", "/api/users", "", "Authorization: Bearer " + m["token"]},
		{"GET", "/api/tracing/cases", "", "Cookie: bando_session=" + m["token"]},
		{"POST", "/api/c/AAAA/checkin", person, ""},
		{"POST", "/api/c/AAAA/checkin", `{"identity":"` + m["id number"] + `"}`, ""},
		{"POST", "/api/s/AAAA/checkins", person, ""},
		{"GET", "/api/search?q=" + url.QueryEscape(m["name"]), "", ""},
		{"GET", "/api/search?q=" + m["phone"], "", ""},
		{"GET", "/ogc/collections/cases/items?filter=" + url.QueryEscape("name='"+m["name"]+"'"), "", ""},
		{"GET", "/ogc/collections/cases/items?phone=" + m["phone"], "", ""},
		{"GET", "/ogc/collections/cases/items/" + m["id number"], "", ""},
		{"POST", "/api/cases/import", "code,name,phone\nBD-1," + m["name"] + "," + m["phone"] + "\n", "Authorization: Bearer " + m["token"]},
		{"GET", "/readyz", "", ""},
		{"GET", "/tiles/cases/12/3249/1873.mvt", "", ""},
	} {
		req, err := http.NewRequestWithContext(context.Background(), r.method, base+r.target, strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if name, value, ok := strings.Cut(r.header, ": "); ok {
			req.Header.Set(name, value)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Errorf("%s %s: %d", r.method, r.target, res.StatusCode)
		}
	}
}
