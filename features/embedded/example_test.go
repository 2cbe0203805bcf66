package embedded_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/embedded"
	"github.com/paulmach/orb"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "bando-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := embedded.Open(ctx, embedded.Options{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if empty, _ := s.Empty(ctx); empty {
		fmt.Println("a new store: seed it")
	}
	_, err = s.Write(ctx, features.Batch{Collection: "markets", Mode: features.Replace, Records: slices.Values([]features.Record{
		{ID: "m1", Geometry: orb.Point{106.6550, 10.9810}, Properties: map[string]any{"name": "Chợ Thủ Dầu Một"}},
	})})
	if err != nil {
		log.Fatal(err)
	}
	matches, err := s.Search(ctx, features.SearchQuery{Text: "thu dau mot"})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range matches {
		fmt.Println(m.Collection, m.ID, m.Name)
	}
	// Output:
	// a new store: seed it
	// markets m1 Chợ Thủ Dầu Một
}
