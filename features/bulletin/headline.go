package bulletin

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/features"
)

// Headline holds the figures the embeddable banner shows first: the
// latest bulletin's day, its new cases, community cases since the wave
// began and deaths.
type Headline struct {
	Date           string // the bulletin's day, YYYY-MM-DD
	NewCases       int
	Community      int
	CommunitySince string // YYYY-MM-DD
	Deaths         int
	LastUpdate     string // YYYY-MM-DD, empty before the first case
}

// Headline computes the latest bulletin's headline, the figures the
// banner's script shows: the bulletin of the day of the last update when
// that is earlier than the default day (as the 2021 data, which ended
// before today), else of the default day.
func (h *Handler) Headline(ctx context.Context) (Headline, error) {
	cs, err := h.memo.casesOf(ctx, h.src)
	if err != nil {
		return Headline{}, fmt.Errorf("bulletin: headline: %w", err)
	}
	st, err := h.src.stats(ctx, cs, latestDay(cs, features.VietnamDay(h.now())), h.cfg)
	if err != nil {
		return Headline{}, fmt.Errorf("bulletin: headline: %w", err)
	}
	if st.LastUpdate != nil && *st.LastUpdate < st.Date {
		day, err := time.Parse(features.DateLayout, *st.LastUpdate)
		if err == nil {
			if st, err = h.src.stats(ctx, cs, day, h.cfg); err != nil {
				return Headline{}, fmt.Errorf("bulletin: headline: %w", err)
			}
		}
	}
	hl := Headline{
		Date: st.Date, NewCases: st.NewCases.Total, Deaths: st.Deaths,
		Community: st.CommunitySinceWaveStart.Total, CommunitySince: st.CommunitySinceWaveStart.Since,
	}
	if st.LastUpdate != nil {
		hl.LastUpdate = *st.LastUpdate
	}
	return hl, nil
}
