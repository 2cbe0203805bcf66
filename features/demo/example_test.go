package demo_test

import (
	"fmt"
	"log"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
)

func ExampleGenerate() {
	batches, err := demo.Generate(demo.Options{Scale: demo.ScaleDemo, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("one batch per collection:", len(batches) == len(features.NewCatalog().IDs()))
	fmt.Println("first:", batches[0].Collection)
	for _, b := range batches {
		if b.Collection != "cases" {
			continue
		}
		total, today := 0, 0
		for r := range b.Records {
			total++
			if r.Properties["report_date"].(time.Time).Format(features.DateLayout) == "2021-07-05" {
				today++
			}
		}
		fmt.Printf("%d cases, %d reported on 5 July 2021\n", total, today)
	}
	// Output:
	// one batch per collection: true
	// first: districts
	// 812 cases, 131 reported on 5 July 2021
}
