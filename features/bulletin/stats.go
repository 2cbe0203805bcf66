// Package bulletin computes the province's daily COVID-19 bulletin from the
// case registry: new cases of a day split by bulletin session, by where they
// were detected and by epidemiological link; cumulative cases by origin;
// community cases since the start of the current wave; cases by cluster and
// by district; deaths, patients under treatment and recovered; and the close
// contacts in quarantine. It also serves those figures, and a daily series for
// charts, as JSON and CSV under /api/stats.
//
// Everything is computed from a features.Reader, the public side of a store,
// so the bulletin sees exactly what the public map sees and never a personal
// field.
package bulletin

import (
	"context"
	"time"

	"github.com/bandomap/bando/features"
)

// Config holds the bulletin's settings.
type Config struct {
	// WaveStart is the first day of the current epidemic wave, from which
	// community cases are counted separately; zero means DefaultWaveStart().
	WaveStart time.Time
	// MaxSeriesDays caps the length of a daily series; 0 means
	// DefaultMaxSeriesDays.
	MaxSeriesDays int
	// MinCount, when above 1, is k (BANDO_MIN_PUBLIC_COUNT): a cluster is a
	// small place (a company's line, a boarding house), so its counts are
	// shown in multiples of k (rounded down) and a cluster of fewer than k
	// is left out of by_cluster, as the public map does with cells.
	// Province and district figures are those the authorities announce and
	// stay exact. 0 or 1: every count exact.
	MinCount int
	// ClusterLabels, when set, gives each cluster's public label
	// (features.PublicClusterLabels): the bulletin then never shows a
	// cluster's own name, which may name a person, and clusters sharing a
	// label are counted together. Nil shows the names as cases carry them.
	ClusterLabels func(ctx context.Context) (map[string]string, error)
}

// DefaultMaxSeriesDays is the longest daily series served by default.
const DefaultMaxSeriesDays = 366

// DefaultWaveStart is the start of Vietnam's fourth wave, 27 April 2021.
func DefaultWaveStart() time.Time { return time.Date(2021, time.April, 27, 0, 0, 0, 0, time.UTC) }

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() Config {
	if c.WaveStart.IsZero() {
		c.WaveStart = DefaultWaveStart()
	}
	c.WaveStart = day(c.WaveStart)
	if c.MaxSeriesDays <= 0 {
		c.MaxSeriesDays = DefaultMaxSeriesDays
	}
	return c
}

// Stats is the bulletin as of one day. Dates are written as YYYY-MM-DD.
type Stats struct {
	Date                    string          `json:"date"`
	NewCases                NewCases        `json:"new_cases"`
	Cumulative              Cumulative      `json:"cumulative"`
	CommunitySinceWaveStart WaveCount       `json:"community_since_wave_start"`
	ByCluster               []ClusterCount  `json:"by_cluster"`
	ByDistrict              []DistrictCount `json:"by_district"`
	Deaths                  int             `json:"deaths"`
	UnderTreatment          int             `json:"under_treatment"`
	Recovered               int             `json:"recovered"`
	Contacts                Contacts        `json:"contacts"`
	// LastUpdate is the latest day, up to Date, on which a case was reported
	// or changed status; nil when there is no case yet.
	LastUpdate *string `json:"last_update"`
}

// NewCases counts the cases reported on the day.
type NewCases struct {
	Total      int        `json:"total"`
	BySession  BySession  `json:"by_session"`
	ByDetected ByDetected `json:"by_detected"`
	ByLink     ByLink     `json:"by_link"`
}

// BySession splits the day's new cases by the bulletin that announced them;
// Unspecified holds cases imported without a session.
type BySession struct {
	Morning     SessionCount `json:"morning"`
	Afternoon   SessionCount `json:"afternoon"`
	Evening     SessionCount `json:"evening"`
	Unspecified SessionCount `json:"unspecified"`
}

// SessionCount counts the new cases of one bulletin session. ByCluster
// splits those linked to a cluster (ByLink.Cluster of them) by cluster, the
// largest first, so that a bulletin can say "of the afternoon's 114, 110 are
// linked to the Wanek 2 cluster".
type SessionCount struct {
	Total      int            `json:"total"`
	ByDetected ByDetected     `json:"by_detected"`
	ByLink     ByLink         `json:"by_link"`
	ByCluster  []ClusterTotal `json:"by_cluster"`
}

// ClusterTotal counts the cases of one cluster.
type ClusterTotal struct {
	Cluster string `json:"cluster"`
	Total   int    `json:"total"`
}

// ByDetected splits cases by where they were detected.
type ByDetected struct {
	QuarantineArea     int `json:"quarantine_area"`
	HealthFacility     int `json:"health_facility"`
	CommunityScreening int `json:"community_screening"`
}

// ByLink splits cases by epidemiological link: linked to a known cluster, or
// found in the community with no known link.
type ByLink struct {
	Cluster   int `json:"cluster"`
	Community int `json:"community"`
}

// Cumulative counts every case reported up to the day.
type Cumulative struct {
	Total    int      `json:"total"`
	ByOrigin ByOrigin `json:"by_origin"`
}

// ByOrigin splits cases by origin.
type ByOrigin struct {
	Community        int `json:"community"`
	ReturningCitizen int `json:"returning_citizen"`
	ForeignExpert    int `json:"foreign_expert"`
	IllegalEntry     int `json:"illegal_entry"`
}

// WaveCount counts community cases reported from Since up to the day.
type WaveCount struct {
	Since string `json:"since"`
	Total int    `json:"total"`
}

// ClusterCount counts the cases linked to one cluster: all of them up to the
// day, and those reported on the day.
type ClusterCount struct {
	Cluster string `json:"cluster"`
	Total   int    `json:"total"`
	New     int    `json:"new"`
}

// DistrictCount counts the cases of one district: all of them up to the day,
// and those reported on the day.
type DistrictCount struct {
	DistrictCode string `json:"district_code"`
	DistrictName string `json:"district_name"`
	Total        int    `json:"total"`
	New          int    `json:"new"`
}

// Contacts counts the close contacts in quarantine on the day.
type Contacts struct {
	F1 int `json:"f1"`
	F2 int `json:"f2"`
}

// DailySeries is a daily series for charts, from From to To inclusive.
type DailySeries struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days []Day  `json:"days"`
}

// Day is one day of a DailySeries; all but NewCases are as of the end of the day.
type Day struct {
	Date           string `json:"date"`
	NewCases       int    `json:"new_cases"`
	Cumulative     int    `json:"cumulative"`
	Deaths         int    `json:"deaths"`
	UnderTreatment int    `json:"under_treatment"`
	Recovered      int    `json:"recovered"`
}

// namedSession is one session of a BySession and its name in the exports.
type namedSession struct {
	name  string
	count *SessionCount
}

// sessions lists the sessions of b in bulletin order.
func (b *BySession) sessions() []namedSession {
	return []namedSession{
		{features.SessionMorning, &b.Morning}, {features.SessionAfternoon, &b.Afternoon},
		{features.SessionEvening, &b.Evening}, {sessionUnspecified, &b.Unspecified},
	}
}

// of returns the count of a case's session.
func (b *BySession) of(session string) *SessionCount {
	switch session {
	case features.SessionMorning:
		return &b.Morning
	case features.SessionAfternoon:
		return &b.Afternoon
	case features.SessionEvening:
		return &b.Evening
	}
	return &b.Unspecified
}

// sessionUnspecified names the cases imported without a session.
const sessionUnspecified = "unspecified"

// sessionName is the name of a case's session in BySession.sessions.
func sessionName(session string) string {
	switch session {
	case features.SessionMorning, features.SessionAfternoon, features.SessionEvening:
		return session
	}
	return sessionUnspecified
}

// day truncates t to its calendar day, in UTC, as dates are stored.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func format(t time.Time) string { return t.Format(features.DateLayout) }
