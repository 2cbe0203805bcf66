package tracinghttp_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing/tracinghttp"
)

// BenchmarkUpload posts batches of 10,000 check-ins, each row a typed
// phone number (so each keeps a person) or a person key, through the router on each
// store, and reports check-ins a second.
//
//	go test -run '^$' -bench Upload -benchtime 3x ./tracing/tracinghttp
func BenchmarkUpload(b *testing.B) {
	for _, k := range stores {
		for _, byKey := range []bool{false, true} {
			name := k.name + "/identities"
			if byKey {
				name = k.name + "/keys"
			}
			b.Run(name, func(b *testing.B) {
				e := newEnv(b, k, tracinghttp.LimitOptions{Off: true})
				v := e.venue("Chợ Thủ Dầu Một", "25747", "")
				b.ResetTimer()
				n := 0
				for i := range b.N {
					rows := make([]any, tracinghttp.MaxBatch)
					for j := range rows {
						row := map[string]any{"venue": string(v.ID), "identity": fmt.Sprintf("09%08d", i*tracinghttp.MaxBatch+j),
							"at": start.Add(-time.Duration(j%3600) * time.Second).Format(time.RFC3339)}
						if byKey {
							row["person"] = fmt.Sprintf("%064x", i*tracinghttp.MaxBatch+j+1)
							delete(row, "identity")
							delete(row, "name")
						}
						rows[j] = row
					}
					a := e.do(http.MethodPost, "/api/checkins", "editor", map[string]any{"checkins": rows})
					if a.status != http.StatusCreated {
						b.Fatalf("%d %s", a.status, a.body)
					}
					n += len(rows)
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "checkins/s")
			})
		}
	}
}
