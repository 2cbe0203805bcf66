package tracing

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// VenueID is a venue's id: 32 lowercase hex digits (128 random bits), so
// that ids in tokens cannot be guessed either.
type VenueID string

// NewVenueID returns a random venue id.
func NewVenueID() VenueID {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("tracing: crypto/rand failed: " + err.Error()) // NOTE: rand.Read never fails on supported systems.
	}
	return VenueID(hex.EncodeToString(b[:]))
}

// Validate checks the id's form.
func (id VenueID) Validate() error {
	if len(id) != 32 || strings.Trim(string(id), "0123456789abcdef") != "" {
		return invalid("id", "a venue id is 32 lowercase hex digits, got %q", id)
	}
	return nil
}

// Category is a venue's kind, from the seed's list.
type Category string

// The categories of venues.
const (
	Market        Category = "market"
	Supermarket   Category = "supermarket"
	Mall          Category = "mall"
	Factory       Category = "factory"
	Office        Category = "office"
	Hospital      Category = "hospital"
	School        Category = "school"
	Restaurant    Category = "restaurant"
	Bar           Category = "bar"
	Karaoke       Category = "karaoke"
	Gym           Category = "gym"
	BusStation    Category = "bus_station"
	ReligiousSite Category = "religious_site"
	WeddingHall   Category = "wedding_hall"
	FuneralHall   Category = "funeral_hall"
	Other         Category = "other"
)

// Categories lists every category.
func Categories() []Category {
	return []Category{Market, Supermarket, Mall, Factory, Office, Hospital, School, Restaurant,
		Bar, Karaoke, Gym, BusStation, ReligiousSite, WeddingHall, FuneralHall, Other}
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return slices.Contains(Categories(), c) }

// MaxStay bounds a visit's length: a check-out later than this after the
// check-in, or a default stay longer, is refused. Overlap queries rely on
// it to bound their scans.
const MaxStay = 24 * time.Hour

// Venue is a place with a QR code where people check in.
type Venue struct {
	ID       VenueID
	Name     string
	Category Category
	Address  string
	// Ward is the ward's (commune's) code.
	Ward     string
	Location orb.Point
	// Contact and ContactPhone are private: only All access reads them.
	Contact      string
	ContactPhone string
	// DefaultStay closes a visit with no check-out.
	DefaultStay time.Duration
	// Enterprise owns the venue; empty for a venue editors registered.
	Enterprise string
	// RegisteredBy is the user who registered it.
	RegisteredBy string
	// TokenGeneration is the generation of the venue's valid QR tokens;
	// bumping it revokes every token printed before.
	TokenGeneration uint32
	Created         time.Time
	// Revoked, when not zero, is when the venue stopped taking check-ins.
	Revoked time.Time
}

// Validate checks the venue's fields, naming the first that is wrong.
func (v Venue) Validate() error {
	if err := v.ID.Validate(); err != nil {
		return err
	}
	if s := strings.TrimSpace(v.Name); s == "" || utf8.RuneCountInString(s) > 200 {
		return invalid("name", "a venue needs a name of 1 to 200 characters")
	}
	if !v.Category.Valid() {
		return invalid("category", "unknown category %q; use one of %v", v.Category, Categories())
	}
	if strings.TrimSpace(v.Ward) == "" {
		return invalid("ward", "a venue needs its ward's code")
	}
	if lon, lat := v.Location.Lon(), v.Location.Lat(); lon < -180 || lon > 180 || lat < -90 || lat > 90 || (lon == 0 && lat == 0) {
		return invalid("location", "a venue needs a point as lon, lat in WGS 84")
	}
	if v.DefaultStay < time.Minute || v.DefaultStay > MaxStay {
		return invalid("default_stay", "the default stay is 1 to %d minutes", int(MaxStay/time.Minute))
	}
	if v.ContactPhone != "" {
		if _, err := NormalisePhone(v.ContactPhone); err != nil {
			return invalid("contact_phone", "%v", err)
		}
	}
	if v.Enterprise == "*" || strings.ContainsAny(v.Enterprise, ":") {
		return invalid("enterprise", "an enterprise id holds no '*' or ':'")
	}
	return nil
}

// Active reports whether the venue takes check-ins.
func (v Venue) Active() bool { return v.Revoked.IsZero() }

// VenueQuery selects venues; empty fields select all the principal sees.
type VenueQuery struct {
	Ward       string
	Enterprise string
	// EditorsOnly selects venues registered by editors (no enterprise).
	EditorsOnly bool
	// WithRevoked includes revoked venues.
	WithRevoked bool
}

// WardCoverage is a ward's QR deployment: venues registered (not revoked)
// and of those, venues with a check-in in the last 7 days.
type WardCoverage struct {
	Ward       string
	Registered int
	Scanned    int
}

// CoverageWindow is the span of "scans in the last 7 days".
const CoverageWindow = 7 * 24 * time.Hour
