package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// traceConfig is the exposure engine's part of Config: the rules
// (BANDO_TRACE_*, defaults from tracing/exposure/rules.go) and how often
// the engine is reloaded from the store.
type traceConfig struct {
	Rules   exposure.Rules
	Refresh time.Duration // BANDO_TRACE_REFRESH
	// MaxReasons bounds one run's reasons (BANDO_TRACE_MAX_REASONS;
	// exposure.Options.MaxReasons).
	MaxReasons int
	// ZoneResidenceM and ZoneVenueM are the zone suggestion's buffers
	// (BANDO_ZONE_RESIDENCE_M, BANDO_ZONE_VENUE_M).
	ZoneResidenceM, ZoneVenueM float64
	raw                        map[string]*string
}

// traceSetting is one BANDO_TRACE_* setting: its flag (the variable's
// name without BANDO_, lower case, dashed), default and meaning.
type traceSetting struct {
	name, def, usage string
	parse            func(c *traceConfig, v string) error
}

// traceSettings are the engine's settings, in the README's order.
func traceSettings() []traceSetting {
	r := func(c *traceConfig) *exposure.Rules { return &c.Rules }
	return []traceSetting{
		{"depth", "2", "close-contact levels traced: 1 (F1 only) to 4", intTo(func(c *traceConfig) *int { return &r(c).Depth })},
		{"pre-onset", "48h", "an F0's window starts this long before symptom onset (or the positive sample)", durationTo(func(c *traceConfig) *time.Duration { return &r(c).PreOnset })},
		{"notify-delay", "24h", "a contact is taken to be isolated this long after the F0 it came through: the end of its own window for the next level", durationTo(func(c *traceConfig) *time.Duration { return &r(c).NotifyDelay })},
		{"min-overlap", "15m", "a venue overlap this long or longer is a close contact (F1)", durationTo(func(c *traceConfig) *time.Duration { return &r(c).MinOverlap })},
		{"aerosol-tail", "30m", "the F0's presence at a venue lasts this long after it leaves (0: none)", parseTail},
		{"short-overlap-epi", "true", "a positive venue overlap shorter than the minimum is an epidemiological factor (false: nothing)", parseShortOverlap},
		{"large-venues", "market,supermarket,mall,bus_station", "venue categories where even a long overlap is only an epidemiological factor (comma separated; none: no such category)", parseLargeVenues},
		{"ride-tier", "F1", "tier of sharing a shuttle-bus ride with an F0 (F1 or epi)", tierTo(func(c *traceConfig) *exposure.Tier { return &r(c).RideTier })},
		{"ride-duration", "45m", "how long a ride lasts from its departure", durationTo(func(c *traceConfig) *time.Duration { return &r(c).RideDuration })},
		{"morning-departure", "06:30", "local departure of a morning ride given without one (HH:MM)", clockTo(func(c *traceConfig) *time.Duration { return &r(c).MorningDeparture })},
		{"evening-departure", "17:30", "local departure of an evening ride given without one (HH:MM)", clockTo(func(c *traceConfig) *time.Duration { return &r(c).EveningDeparture })},
		{"room-tier", "F1", "tier of sharing a boarding-house room or a household (F1 or epi)", tierTo(func(c *traceConfig) *exposure.Tier { return &r(c).RoomTier })},
		{"house-tier", "epi", "tier of sharing a boarding house, another room (F1 or epi)", tierTo(func(c *traceConfig) *exposure.Tier { return &r(c).HouseTier })},
		{"line-tier", "F1", "tier of sharing a workplace line and shift (F1 or epi)", tierTo(func(c *traceConfig) *exposure.Tier { return &r(c).LineTier })},
		{"distance-m", "25", "two trace points this close (metres, on the sphere) are near each other", parseDistance},
		{"skew", "5m", "two trace points this close in time are at the same time", durationTo(func(c *traceConfig) *time.Duration { return &r(c).TraceSkew })},
		{"step", "10m", "what each near trace point counts for (the sampling interval)", durationTo(func(c *traceConfig) *time.Duration { return &r(c).TraceStep })},
		{"proximity-min", "15m", "trace proximity this long makes a reason", durationTo(func(c *traceConfig) *time.Duration { return &r(c).TraceMinDuration })},
		{"proximity-tier", "epi", "tier of trace proximity (F1 or epi: GPS cannot resolve 2 m)", tierTo(func(c *traceConfig) *exposure.Tier { return &r(c).TraceTier })},
		{"f1-quarantine", "14d", "quarantine of an F1 (concentrated) from its last close exposure", durationTo(func(c *traceConfig) *time.Duration { return &r(c).F1Quarantine })},
		{"f1-monitor", "7d", "health monitoring of an F1 at home after its quarantine", durationTo(func(c *traceConfig) *time.Duration { return &r(c).F1Monitor })},
		{"f2-quarantine", "7d", "quarantine of an F2 and deeper (at home) from its last close exposure", durationTo(func(c *traceConfig) *time.Duration { return &r(c).F2Quarantine })},
		{"epi-monitor", "14d", "health monitoring of an epidemiological factor from its last exposure", durationTo(func(c *traceConfig) *time.Duration { return &r(c).EpiMonitor })},
		{"max-reasons", "5000000", "the most reasons one run may gather (about 300 bytes each) before it stops with 400: a peak day's batch at depth 2 reaches most of a province (0: no bound)", parseMaxReasons},
		{"refresh", "10m", "how often the engine is reloaded from the store and swapped in (imports by the CLI, other instances; 0: never, the live feed only)", parseRefresh},
		{"zone-residence-m", "100", "the suggested zone's buffer around an F0's home, in metres", metresTo(func(c *traceConfig) *float64 { return &c.ZoneResidenceM })},
		{"zone-venue-m", "50", "the suggested zone's buffer around an exposure venue, in metres", metresTo(func(c *traceConfig) *float64 { return &c.ZoneVenueM })},
	}
}

// env is the variable of a setting: BANDO_ZONE_* for the zone's,
// BANDO_TRACE_* for the others.
func (s traceSetting) env() string {
	name := strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
	if strings.HasPrefix(name, "ZONE_") {
		return "BANDO_" + name
	}
	return "BANDO_TRACE_" + name
}

// flag is the flag of a setting: --zone-… or --trace-….
func (s traceSetting) flag() string {
	if strings.HasPrefix(s.name, "zone-") {
		return s.name
	}
	return "trace-" + s.name
}

// bind registers the settings' flags on fs (--trace-depth …).
func (c *traceConfig) bind(fs *flag.FlagSet, env func(string) string) {
	c.raw = map[string]*string{}
	for _, s := range traceSettings() {
		c.raw[s.name] = fs.String(s.flag(), envOr(env, s.env(), s.def), s.usage+" ["+s.env()+"]")
	}
}

// parse reads the bound values into the rules, naming each wrong one.
func (c *traceConfig) parse() error {
	var errs []error
	for _, s := range traceSettings() {
		v, ok := c.raw[s.name]
		if !ok {
			continue
		}
		if err := s.parse(c, strings.TrimSpace(*v)); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", s.env(), *v, err))
		}
	}
	return errors.Join(errs...)
}

// validate checks the rules as the engine will, and the refresh.
func (c *traceConfig) validate() []error {
	var errs []error
	if err := c.Rules.WithDefaults().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("BANDO_TRACE_*: %w", err))
	}
	for _, z := range []struct {
		env string
		m   float64
	}{{"BANDO_ZONE_RESIDENCE_M", c.ZoneResidenceM}, {"BANDO_ZONE_VENUE_M", c.ZoneVenueM}} {
		if z.m < 10 || z.m > 2000 {
			errs = append(errs, fmt.Errorf("%s %v: 10 to 2000 m", z.env, z.m))
		}
	}
	if c.Refresh != 0 && c.Refresh < time.Minute {
		errs = append(errs, fmt.Errorf("BANDO_TRACE_REFRESH %v: 0 (never) or at least 1m (a reload reads every tracing row)", c.Refresh))
	}
	return errs
}

// parseTraceDuration reads a Go duration or a whole number of days (14d).
func parseTraceDuration(v string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, errors.New("want a duration like 15m, 48h or 14d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, errors.New("want a duration like 15m, 48h or 14d")
	}
	return d, nil
}

func durationTo(field func(*traceConfig) *time.Duration) func(*traceConfig, string) error {
	return func(c *traceConfig, v string) error {
		d, err := parseTraceDuration(v)
		if err == nil && d == 0 {
			err = errors.New("want a positive duration")
		}
		*field(c) = d
		return err
	}
}

func intTo(field func(*traceConfig) *int) func(*traceConfig, string) error {
	return func(c *traceConfig, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return errors.New("want a positive whole number")
		}
		*field(c) = n
		return nil
	}
}

func tierTo(field func(*traceConfig) *exposure.Tier) func(*traceConfig, string) error {
	return func(c *traceConfig, v string) error {
		switch strings.ToLower(v) {
		case "f1":
			*field(c) = exposure.F1
		case "epi":
			*field(c) = exposure.Epi
		default:
			return errors.New("want F1 or epi")
		}
		return nil
	}
}

func clockTo(field func(*traceConfig) *time.Duration) func(*traceConfig, string) error {
	return func(c *traceConfig, v string) error {
		t, err := time.Parse("15:04", v)
		if err != nil {
			return errors.New("want a local time HH:MM")
		}
		*field(c) = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
		if *field(c) == 0 {
			*field(c) = time.Nanosecond // NOTE: 00:00 is a departure, not "the default"
		}
		return nil
	}
}

// parseRefresh reads the refresh period: 0 is never.
func parseRefresh(c *traceConfig, v string) error {
	d, err := parseTraceDuration(v)
	c.Refresh = d
	return err
}

// parseTail reads the aerosol tail: 0 is none (the rules' negative).
func parseTail(c *traceConfig, v string) error {
	d, err := parseTraceDuration(v)
	if d == 0 {
		d = -1
	}
	c.Rules.AerosolTail = d
	return err
}

func parseShortOverlap(c *traceConfig, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("want true or false")
	}
	c.Rules.NoShortOverlap = !b
	return nil
}

func parseLargeVenues(c *traceConfig, v string) error {
	c.Rules.LargeVenues = []tracing.Category{}
	if strings.EqualFold(v, "none") {
		return nil
	}
	for _, name := range strings.Split(v, ",") {
		cat := tracing.Category(strings.TrimSpace(name))
		if !slices.Contains(tracing.Categories(), cat) {
			return fmt.Errorf("unknown category %q; known: %v", cat, tracing.Categories())
		}
		c.Rules.LargeVenues = append(c.Rules.LargeVenues, cat)
	}
	return nil
}

func metresTo(field func(*traceConfig) *float64) func(*traceConfig, string) error {
	return func(c *traceConfig, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return errors.New("want a number of metres")
		}
		*field(c) = f
		return nil
	}
}

func parseDistance(c *traceConfig, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return errors.New("want a number of metres")
	}
	c.Rules.TraceDistanceM = f
	return nil
}

// parseMaxReasons reads BANDO_TRACE_MAX_REASONS.
func parseMaxReasons(c *traceConfig, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New("a number of reasons, 0 for no bound")
	}
	c.MaxReasons = n
	return nil
}
