package main

import (
	"flag"
	"strings"
	"testing"
)

// TestOpsSettings: each operators' setting is read from its variable and
// a wrong one stops the server naming it.
func TestOpsSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // in the error; empty: valid
	}{
		{"defaults", nil, ""},
		{"metrics off", map[string]string{"BANDO_METRICS_ADDR": "off"}, ""},
		{"metrics not host:port", map[string]string{"BANDO_METRICS_ADDR": "9464"}, "BANDO_METRICS_ADDR"},
		{"metrics on the public port", map[string]string{"BANDO_ADDR": "127.0.0.1:8080", "BANDO_METRICS_ADDR": "127.0.0.1:8080"}, "other than BANDO_ADDR"},
		{"short token", map[string]string{"BANDO_METRICS_TOKEN": "abc"}, "BANDO_METRICS_TOKEN"},
		{"log format", map[string]string{"BANDO_LOG_FORMAT": "xml"}, "BANDO_LOG_FORMAT"},
		{"json logs", map[string]string{"BANDO_LOG_FORMAT": "json", "BANDO_ACCESS_LOG": "1"}, ""},
		{"access log not a boolean", map[string]string{"BANDO_ACCESS_LOG": "maybe"}, "--access-log"},
		{"shutdown timeout", map[string]string{"BANDO_SHUTDOWN_TIMEOUT": "0s"}, "BANDO_SHUTDOWN_TIMEOUT"},
		{"prefix with a wildcard", map[string]string{"BANDO_REDIS_PREFIX": "bando*"}, "BANDO_REDIS_PREFIX"},
		{"replica without primary", map[string]string{"BANDO_DATABASE_REPLICA_URL": "postgres://r:5432/bando"}, "needs its primary"},
		{"replica not a URL", map[string]string{"BANDO_DATABASE_URL": "postgres://p:5432/bando", "BANDO_DATABASE_REPLICA_URL": "mysql://r/bando"}, "BANDO_DATABASE_REPLICA_URL"},
		{"replica lag", map[string]string{"BANDO_REPLICA_MAX_LAG": "-1s"}, "BANDO_REPLICA_MAX_LAG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := func(k string) string { return tt.env[k] }
			c := &Config{}
			fs := newFlagSet()
			nums := bindConfig(fs, c, env)
			if err := fs.Parse(nil); err != nil {
				t.Fatal(err)
			}
			c.DataDir = t.TempDir()
			err := c.parseNumbers(nums)
			if err == nil {
				err = c.Validate()
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want it to name %s", err, tt.want)
			}
			if tt.want == "" && tt.env["BANDO_METRICS_ADDR"] == "off" && c.Ops.MetricsAddr != "" {
				t.Errorf("metrics address %q, want none", c.Ops.MetricsAddr)
			}
		})
	}
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }
