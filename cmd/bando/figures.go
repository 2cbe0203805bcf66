package main

import (
	"context"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/static"
)

// embedFigures gives /embed the latest bulletin's headline, rendered into
// its HTML before any script runs.
func embedFigures(b *bulletin.Handler) static.FiguresFunc {
	return func(ctx context.Context) (static.Figures, error) {
		h, err := b.Headline(ctx)
		if err != nil {
			return static.Figures{}, err
		}
		return static.Figures{
			Date: h.Date, Today: features.VietnamDay(time.Now()).Format(features.DateLayout),
			NewCases: h.NewCases, Community: h.Community, CommunitySince: h.CommunitySince,
			Deaths: h.Deaths, LastUpdate: h.LastUpdate,
		}, nil
	}
}
