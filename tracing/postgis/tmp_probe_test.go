package postgis_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/paulmach/orb"
)

func TestProbe(t *testing.T) {
	fs, _ := pgtest.NewStore(t)
	fmt.Println("pool max", fs.Pool().Config().MaxConns)
	s := postgis.New(fs.Pool(), tracing.Options{})
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "admin", Role: auth.Admin})
	keys, _ := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	var vs []tracing.Venue
	for i := 0; i < 200; i++ {
		v, _ := s.RegisterVenue(ctx, tracing.Venue{ID: tracing.NewVenueID(), Name: "Chợ", Category: tracing.Market,
			Ward: "25747", Location: orb.Point{106.6, 10.9}, DefaultStay: time.Hour})
		vs = append(vs, v)
	}
	var next atomic.Int64
	var mu sync.Mutex
	lat := map[string][]time.Duration{}
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(t0) < 5*time.Second {
				i := next.Add(1)
				v := vs[i%200]
				vctx := auth.WithPrincipal(context.Background(), tracing.VenueClaim{Venue: v.ID, Generation: 1}.Principal())
				if os.Getenv("PROBE_ADMIN") != "" {
					vctx = ctx
				}
				a := time.Now()
				if _, err := s.Venue(vctx, v.ID); err != nil {
					t.Error(err)
					return
				}
				b := time.Now()
				p := keys.NewPerson(tracing.Identity{Kind: tracing.Phone, Value: fmt.Sprintf("09%08d", i)}, "", b)
				if err := s.RememberPerson(vctx, p); err != nil {
					t.Error(err)
					return
				}
				c := time.Now()
				if _, err := s.CheckIn(vctx, tracing.CheckIn{Venue: v.ID, Person: p.Key, At: c, Source: tracing.SelfScan}); err != nil {
					t.Error(err)
					return
				}
				d := time.Now()
				mu.Lock()
				lat["venue"] = append(lat["venue"], b.Sub(a))
				lat["person"] = append(lat["person"], c.Sub(b))
				lat["checkin"] = append(lat["checkin"], d.Sub(c))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%d requests in %v: %.0f/s\n", next.Load(), time.Since(t0), float64(next.Load())/time.Since(t0).Seconds())
	for k, l := range lat {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		fmt.Println(k, "p50", l[len(l)/2], "p99", l[len(l)*99/100])
	}
}
