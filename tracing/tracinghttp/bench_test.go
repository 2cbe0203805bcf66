package tracinghttp_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
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

// BenchmarkSelfCheckIn posts single check-ins through the check-in page's
// route, from parallel clients, each a different person, and reports
// check-ins a second.
//
//	go test -run '^$' -bench SelfCheckIn -benchtime 2000x ./tracing/tracinghttp
func BenchmarkSelfCheckIn(b *testing.B) {
	for _, k := range stores {
		b.Run(k.name, func(b *testing.B) {
			e := newEnv(b, k, tracinghttp.LimitOptions{Off: true})
			e.client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
			v := e.venue("Chợ Thủ Dầu Một", "25747", "")
			path := "/api/c/" + e.token(v) + "/checkin"
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := next.Add(1)
					a := e.do(http.MethodPost, path, "", map[string]any{"identity": fmt.Sprintf("09%08d", n)})
					if a.status != http.StatusCreated {
						b.Errorf("%d %s", a.status, a.body)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
		})
	}
}
