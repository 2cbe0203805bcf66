package exposurehttp

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"golang.org/x/sync/errgroup"
)

// RunJSON is a run as the routes answer it.
type RunJSON struct {
	ID       string        `json:"id"`
	Created  time.Time     `json:"created"`
	Rules    RulesJSON     `json:"rules"`
	F0       []F0JSON      `json:"f0"`
	Summary  SummaryJSON   `json:"summary"`
	Clusters []ClusterJSON `json:"clusters"`
	// Contacts are one page of the run's contacts: ContactsTotal of them
	// from ContactsOffset (see Page).
	Contacts       []ContactJSON `json:"contacts"`
	ContactsTotal  int           `json:"contacts_total"`
	ContactsOffset int           `json:"contacts_offset"`
	Links          []LinkJSON    `json:"links"`
	// Zone is the suggested quarantine zone as a GeoJSON Feature, when
	// the server suggests zones.
	Zone any `json:"zone,omitempty"`
}

// RulesJSON are the rules a run used; durations as their settings are
// written (48h, 15m, 14d).
type RulesJSON struct {
	Depth            int      `json:"depth"`
	PreOnset         string   `json:"pre_onset"`
	NotifyDelay      string   `json:"notify_delay"`
	MinOverlap       string   `json:"min_overlap"`
	AerosolTail      string   `json:"aerosol_tail"`
	ShortOverlapEpi  bool     `json:"short_overlap_epi"`
	LargeVenues      []string `json:"large_venues"`
	RideTier         string   `json:"ride_tier"`
	RideDuration     string   `json:"ride_duration"`
	MorningDeparture string   `json:"morning_departure"`
	EveningDeparture string   `json:"evening_departure"`
	RoomTier         string   `json:"room_tier"`
	HouseTier        string   `json:"house_tier"`
	LineTier         string   `json:"line_tier"`
	TraceDistanceM   float64  `json:"trace_distance_m"`
	TraceSkew        string   `json:"trace_skew"`
	TraceStep        string   `json:"trace_step"`
	TraceMinDuration string   `json:"trace_min_duration"`
	TraceTier        string   `json:"trace_tier"`
	F1Quarantine     string   `json:"f1_quarantine"`
	F1Monitor        string   `json:"f1_monitor"`
	F2Quarantine     string   `json:"f2_quarantine"`
	EpiMonitor       string   `json:"epi_monitor"`
}

// RulesOf is the JSON of rules.
func RulesOf(r exposure.Rules) RulesJSON {
	large := make([]string, len(r.LargeVenues))
	for i, c := range r.LargeVenues {
		large[i] = string(c)
	}
	return RulesJSON{Depth: r.Depth, PreOnset: dur(r.PreOnset), NotifyDelay: dur(r.NotifyDelay),
		MinOverlap: dur(r.MinOverlap), AerosolTail: dur(r.AerosolTail), ShortOverlapEpi: !r.NoShortOverlap,
		LargeVenues: large, RideTier: string(r.RideTier), RideDuration: dur(r.RideDuration),
		MorningDeparture: clock(r.MorningDeparture), EveningDeparture: clock(r.EveningDeparture),
		RoomTier: string(r.RoomTier), HouseTier: string(r.HouseTier), LineTier: string(r.LineTier),
		TraceDistanceM: r.TraceDistanceM, TraceSkew: dur(r.TraceSkew), TraceStep: dur(r.TraceStep),
		TraceMinDuration: dur(r.TraceMinDuration), TraceTier: string(r.TraceTier),
		F1Quarantine: dur(r.F1Quarantine), F1Monitor: dur(r.F1Monitor), F2Quarantine: dur(r.F2Quarantine),
		EpiMonitor: dur(r.EpiMonitor)}
}

// dur writes a rule's duration as its setting is written: whole days as
// 14d, else as Go does without zero units (48h, 15m, 1h30m).
func dur(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 && d >= 72*time.Hour {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	out := d.String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

// clock writes a time of day as HH:MM.
func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// F0JSON is an F0 of a run.
type F0JSON struct {
	Label  string     `json:"label"`
	Key    string     `json:"key"`
	Case   string     `json:"case,omitempty"`
	Window WindowJSON `json:"window"`
	// Known is false when the engine held no tracing data of the person
	// (a mistyped number, or data past the retention); absent when unknown.
	Known *bool `json:"known,omitempty"`
}

// WindowJSON is a transmission window [from, to).
type WindowJSON struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// SummaryJSON counts a run's contacts.
type SummaryJSON struct {
	F1       int `json:"f1"`
	F2       int `json:"f2"` // F2 and deeper
	Epi      int `json:"epi"`
	Clusters int `json:"clusters"`
}

// ClusterJSON is a cluster of F0s.
type ClusterJSON struct {
	ID          int      `json:"id"`
	F0          []string `json:"f0"` // labels
	F1          int      `json:"f1"`
	F2          int      `json:"f2"`
	Epi         int      `json:"epi"`
	Venues      []string `json:"venues"`
	Enterprises []string `json:"enterprises"`
}

// ContactJSON is one contact with its reasons and private details.
type ContactJSON struct {
	Key           string       `json:"key"`
	Name          string       `json:"name"`
	Phone         string       `json:"phone"`
	IDNumber      string       `json:"id_number"`
	Tier          string       `json:"tier"`
	Level         int          `json:"level"`
	Via           []string     `json:"via"`
	FirstExposure time.Time    `json:"first_exposure"`
	LastExposure  time.Time    `json:"last_exposure"`
	QuarantineEnd *time.Time   `json:"quarantine_end"`
	MonitorEnd    time.Time    `json:"monitor_end"`
	Reasons       []ReasonJSON `json:"reasons"`
}

// ReasonJSON is one reason, with the evidence of its kind.
type ReasonJSON struct {
	Kind      string         `json:"kind"`
	Tier      string         `json:"tier"`
	Via       string         `json:"via"`
	Start     time.Time      `json:"start"`
	End       time.Time      `json:"end"`
	Venue     *VenueJSON     `json:"venue,omitempty"`
	Ride      *RideJSON      `json:"ride,omitempty"`
	Residence *ResidenceJSON `json:"residence,omitempty"`
	Line      *LineJSON      `json:"line,omitempty"`
	Proximity *ProximityJSON `json:"proximity,omitempty"`
}

// VenueJSON is a venue overlap's evidence.
type VenueJSON struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Category       string  `json:"category"`
	Lon            float64 `json:"lon"`
	Lat            float64 `json:"lat"`
	OverlapMinutes float64 `json:"overlap_minutes"`
}

// RideJSON is a shared ride's evidence.
type RideJSON struct {
	Enterprise string    `json:"enterprise"`
	Bus        string    `json:"bus"`
	Date       string    `json:"date"`
	Trip       string    `json:"trip"`
	Departure  time.Time `json:"departure"`
	Seat       string    `json:"seat"`
	ViaSeat    string    `json:"via_seat"`
}

// ResidenceJSON is a shared room, house or household.
type ResidenceJSON struct {
	Ward          string `json:"ward"`
	BoardingHouse string `json:"boarding_house"`
	Address       string `json:"address"`
	Room          string `json:"room"`
	ViaRoom       string `json:"via_room"`
	Days          int    `json:"days"`
}

// LineJSON is a shared line and shift.
type LineJSON struct {
	Enterprise string `json:"enterprise"`
	Site       string `json:"site"`
	Line       string `json:"line"`
	Shift      string `json:"shift"`
	Days       int    `json:"days"`
}

// ProximityJSON is trace proximity.
type ProximityJSON struct {
	Minutes  int     `json:"minutes"`
	Points   int     `json:"points"`
	ClosestM float64 `json:"closest_m"`
}

// LinkJSON is a reason from one F0 to another.
type LinkJSON struct {
	F0     string     `json:"f0"`
	Reason ReasonJSON `json:"reason"`
}

// names resolves, once per person and venue, what a run's JSON shows
// beside keys: private details and venue names.
type names struct {
	ctx     context.Context
	dir     Directory
	venues  VenueReader
	labels  map[tracing.PersonKey]string
	persons map[tracing.PersonKey]Private
	places  map[tracing.VenueID]tracing.Venue
}

func (h *Handler) names(ctx context.Context, r *run) *names {
	return newNames(ctx, h.cfg.Directory, h.cfg.Venues, r.F0s, r.Result)
}

func newNames(ctx context.Context, dir Directory, venues VenueReader, f0s []Input, res exposure.Result) *names {
	n := &names{ctx: ctx, dir: dir, venues: venues, labels: map[tracing.PersonKey]string{},
		persons: map[tracing.PersonKey]Private{}, places: map[tracing.VenueID]tracing.Venue{}}
	for i := range res.Contacts {
		c := &res.Contacts[i]
		for j, l := range c.ViaLabels() {
			if l != "" {
				n.labels[c.Via[j]] = l
			}
		}
	}
	for _, f := range f0s {
		n.labels[f.Person] = f.Label
	}
	return n
}

// label names a Via: an F0's label, a contact's masked key.
func (n *names) label(k tracing.PersonKey) string {
	if l, ok := n.labels[k]; ok {
		return l
	}
	return viaLabel(k)
}

// lookups is how many private details are read at once: a run of
// thousands of contacts reads them in parallel, not one after another.
const lookups = 8

// prefetch reads the private details of every contact, lookups at a time.
func (n *names) prefetch(cs []exposure.Contact) error {
	if n.dir == nil || len(cs) == 0 {
		return nil
	}
	got := make([]Private, len(cs))
	g, ctx := errgroup.WithContext(n.ctx)
	g.SetLimit(lookups)
	for i, c := range cs {
		g.Go(func() error {
			p, err := n.dir.Private(ctx, c.Person)
			if err != nil {
				return fmt.Errorf("exposurehttp: private details of %s: %w", c.Person, err)
			}
			got[i] = p
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, c := range cs {
		n.persons[c.Person] = got[i]
	}
	return nil
}

func (n *names) private(k tracing.PersonKey) (Private, error) {
	if n.dir == nil {
		return Private{}, nil
	}
	if p, ok := n.persons[k]; ok {
		return p, nil
	}
	p, err := n.dir.Private(n.ctx, k)
	if err != nil {
		return Private{}, fmt.Errorf("exposurehttp: private details of %s: %w", k, err)
	}
	n.persons[k] = p
	return p, nil
}

func (n *names) venue(id tracing.VenueID) tracing.Venue {
	if v, ok := n.places[id]; ok {
		return v
	}
	v := tracing.Venue{ID: id}
	if n.venues != nil {
		// NOTE: a venue that cannot be read is shown by its id only.
		if got, err := n.venues.Venue(n.ctx, id); err == nil {
			v = got
		}
	}
	n.places[id] = v
	return v
}

// MaxPage is the most contacts one answer holds: each is named from the
// private side (about a millisecond a contact on PostGIS), and a peak
// day's batch has far more contacts than an answer's deadline allows.
const MaxPage = 10000

// Page selects the contacts of a report: Limit of them from Offset; a
// zero Limit is every contact.
type Page struct {
	Offset, Limit int
}

// of returns the page's contacts of cs.
func (p Page) of(cs []exposure.Contact) []exposure.Contact {
	from := min(max(p.Offset, 0), len(cs))
	to := len(cs)
	if p.Limit > 0 {
		to = min(from+p.Limit, len(cs))
	}
	return cs[from:to]
}

// runJSON builds the answer of a run for the reader on ctx.
func (h *Handler) runJSON(ctx context.Context, r *run, page Page) (RunJSON, error) {
	out, err := Report(ctx, Sources{Directory: h.cfg.Directory, Venues: h.cfg.Venues, Page: page}, r.Rules, r.F0s, r.Result)
	if err != nil {
		return RunJSON{}, err
	}
	out.ID, out.Created = r.ID, r.Created.UTC()
	if r.Zone != nil {
		out.Zone = zoneFeature(r.ID, *r.Zone)
	}
	return out, nil
}

// Sources are where a report reads what it shows beside keys; either may
// be nil.
type Sources struct {
	Directory Directory
	Venues    VenueReader
	// Page selects the contacts reported (the zero Page: all).
	Page Page
}

// Report is the JSON of a run's result (without id, time or zone), with
// the private details the reader on ctx may read: what the routes answer
// and `bando trace` prints.
func Report(ctx context.Context, src Sources, rules exposure.Rules, f0s []Input, res exposure.Result) (RunJSON, error) {
	page := src.Page.of(res.Contacts)
	n := newNames(ctx, src.Directory, src.Venues, f0s, res)
	if err := n.prefetch(page); err != nil {
		return RunJSON{}, err
	}
	out := RunJSON{Rules: RulesOf(rules), F0: []F0JSON{}, Clusters: []ClusterJSON{},
		Contacts: make([]ContactJSON, 0, len(page)), ContactsTotal: len(res.Contacts),
		ContactsOffset: min(max(src.Page.Offset, 0), len(res.Contacts)), Links: []LinkJSON{}}
	for _, f := range f0s {
		from, to := rules.Window(f.F0)
		out.F0 = append(out.F0, F0JSON{Label: f.Label, Key: f.Person.String(), Case: f.Case, Window: WindowJSON{From: from.UTC(), To: to.UTC()}, Known: f.Known})
	}
	out.Summary = summaryOf(res)
	for _, c := range res.Clusters {
		out.Clusters = append(out.Clusters, clusterJSON(n, c))
	}
	for _, c := range page {
		cj, err := contactJSON(n, c)
		if err != nil {
			return RunJSON{}, err
		}
		out.Contacts = append(out.Contacts, cj)
	}
	for _, l := range res.Links {
		out.Links = append(out.Links, LinkJSON{F0: n.label(l.F0), Reason: reasonJSON(n, l.Reason)})
	}
	return out, nil
}

// summaryOf counts a result's contacts by tier.
func summaryOf(res exposure.Result) SummaryJSON {
	s := SummaryJSON{Clusters: len(res.Clusters)}
	for _, c := range res.Contacts {
		switch {
		case c.Level == 1:
			s.F1++
		case c.Level >= 2:
			s.F2++
		default:
			s.Epi++
		}
	}
	return s
}

func clusterJSON(n *names, c exposure.Cluster) ClusterJSON {
	out := ClusterJSON{ID: c.ID, F1: c.F1, F2: c.F2, Epi: c.Epi, F0: []string{}, Venues: []string{}, Enterprises: []string{}}
	for _, k := range c.F0s {
		out.F0 = append(out.F0, n.label(k))
	}
	for _, v := range c.Venues {
		out.Venues = append(out.Venues, string(v))
	}
	out.Enterprises = append(out.Enterprises, c.Enterprises...)
	return out
}

func contactJSON(n *names, c exposure.Contact) (ContactJSON, error) {
	p, err := n.private(c.Person)
	if err != nil {
		return ContactJSON{}, err
	}
	out := ContactJSON{Key: c.Person.String(), Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber, Tier: string(c.Tier),
		Level: c.Level, Via: make([]string, len(c.Via)), FirstExposure: c.FirstExposure.UTC(), LastExposure: c.LastExposure.UTC(),
		MonitorEnd: c.MonitorEnd.UTC(), Reasons: make([]ReasonJSON, c.NumReasons())}
	for i, v := range c.Via {
		out.Via[i] = n.label(v)
	}
	if !c.QuarantineEnd.IsZero() {
		q := c.QuarantineEnd.UTC()
		out.QuarantineEnd = &q
	}
	for i, r := range c.Reasons() {
		out.Reasons[i] = reasonJSON(n, r)
	}
	return out, nil
}

func reasonJSON(n *names, r exposure.Reason) ReasonJSON {
	out := ReasonJSON{Kind: string(r.Kind), Tier: string(r.Tier), Via: n.label(r.Via), Start: r.Start.UTC(), End: r.End.UTC()}
	if e := r.Venue; e != nil {
		v := n.venue(e.Venue)
		out.Venue = &VenueJSON{ID: string(e.Venue), Name: v.Name, Category: string(e.Category), Lon: v.Location.Lon(),
			Lat: v.Location.Lat(), OverlapMinutes: e.Overlap.Minutes()}
	}
	if e := r.Ride; e != nil {
		out.Ride = &RideJSON{Enterprise: e.Enterprise, Bus: e.Bus, Date: e.Date.Format(features.DateLayout), Trip: string(e.Trip),
			Departure: e.Departure.UTC(), Seat: e.Seat, ViaSeat: e.ViaSeat}
	}
	if e := r.Residence; e != nil {
		out.Residence = &ResidenceJSON{Ward: e.Ward, BoardingHouse: e.BoardingHouse, Address: e.Address, Room: e.Room,
			ViaRoom: e.ViaRoom, Days: e.Days}
	}
	if e := r.Line; e != nil {
		out.Line = &LineJSON{Enterprise: e.Enterprise, Site: e.Site, Line: e.Line, Shift: e.Shift, Days: e.Days}
	}
	if e := r.Proximity; e != nil {
		out.Proximity = &ProximityJSON{Minutes: e.Minutes, Points: e.Points, ClosestM: e.ClosestM}
	}
	return out
}
