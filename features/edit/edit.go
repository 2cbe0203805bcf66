// Package edit is officials' editing of the map's data, as a domain service
// that knows no HTTP: it checks who may change what (roles, a district
// editor's district), the quarantine zone lifecycle (draft → published →
// lifted), validates each record with reasons in English and Vietnamese,
// makes ids, builds the audit entry of each change and applies it through a
// features.Editor, which stores the change and its entry in one transaction.
package edit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// Defaults of Config.
const (
	// DefaultDistrictBufferM is how far beyond their district's boundary a
	// district editor's zone may reach: boundaries and hand-drawn zones
	// differ by a street's width.
	DefaultDistrictBufferM = 200
	// DefaultGeomaskCellM is the geomask cell when none is configured.
	DefaultGeomaskCellM = 100
)

// Config is what a Service is built from.
type Config struct {
	// Editor stores changes with their audit entries; required.
	Editor features.Editor
	// Reader reads the districts (boundaries and the province's bounds);
	// required.
	Reader features.Reader
	// Log reads revisions; required for Revisions and Revert.
	Log audit.Log
	// Catalog lists the collections; required.
	Catalog *features.Catalog
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxVertices caps a drawn geometry; 0 means features.DefaultMaxVertices.
	MaxVertices int
	// ProvinceToleranceM is how far beyond the province's bounds a vertex
	// may lie; 0 means features.DefaultProvinceToleranceM.
	ProvinceToleranceM float64
	// GeomaskCellM is the store's geomask cell: principals who may not see
	// personal fields get people's positions snapped to it, as the public
	// does. 0 means DefaultGeomaskCellM.
	GeomaskCellM float64
	// DistrictBufferM is how far beyond a district editor's district a zone
	// may reach; 0 means DefaultDistrictBufferM.
	DistrictBufferM float64
	// LogPersonalRead, when set, records every read of people records
	// with their personal fields (who, why, what) before they are
	// returned; reads without a Request.Reason then get them withheld.
	// Nil (tests, tools): personal fields come to whoever may see them.
	LogPersonalRead func(ctx context.Context, r PersonalRead) error
}

// Service applies officials' changes to the map's data.
type Service struct {
	cfg Config
}

// New returns a service for cfg.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxVertices <= 0 {
		cfg.MaxVertices = features.DefaultMaxVertices
	}
	if cfg.ProvinceToleranceM <= 0 {
		cfg.ProvinceToleranceM = features.DefaultProvinceToleranceM
	}
	if cfg.GeomaskCellM <= 0 {
		cfg.GeomaskCellM = DefaultGeomaskCellM
	}
	if cfg.DistrictBufferM <= 0 {
		cfg.DistrictBufferM = DefaultDistrictBufferM
	}
	return &Service{cfg: cfg}
}

// Editable lists the collections officials edit, in catalog order: the
// situation layers, the lookup places and the cases. Contacts and the
// boundaries are not edited here.
func Editable() []string {
	return []string{"cases", "medical_facilities", "epidemic_points", "lockdown_points", "emergency_stations",
		"quarantine_zones", "markets", "shopping_centres", "convenience_stores", "mask_sale_points",
		"supermarkets", "petrol_stations"}
}

// IsEditable reports whether officials edit the collection.
func IsEditable(col string) bool { return slices.Contains(Editable(), col) }

// Request is who asks for a change, and why.
type Request struct {
	Principal auth.Principal
	// RequestID ties the audit entry to the HTTP request.
	RequestID string
	// Note is the official's reason, kept in the audit entry.
	Note string
	// Reason is why an official reads personal fields (X-Bando-Reason);
	// see Config.LogPersonalRead.
	Reason string
	// Withheld is set by Get and List when they withheld personal fields
	// for want of a Reason.
	Withheld *bool
}

// Patch is a partial change: an RFC 7396 merge patch of the properties
// (a nil value removes the property), a new geometry when not nil and,
// for people layers, a merge patch of the personal fields (name, phone,
// id_number, address; nil clears one).
type Patch struct {
	Properties map[string]any
	Geometry   orb.Geometry
	Person     map[string]any
}

// Errors of the service, beyond features' and auth's. Each comes wrapped in
// a *Refusal that says why in English and Vietnamese.
var (
	// ErrLifecycle: the zone lifecycle does not allow the change (HTTP 409).
	ErrLifecycle = errors.New("edit: not allowed by the zone's lifecycle")
	// ErrNotEditable: the collection is not edited by officials (HTTP 405).
	ErrNotEditable = errors.New("edit: collection is not editable")
	// ErrExists: a record with the id being created exists (HTTP 409).
	ErrExists = errors.New("edit: already exists")
)

// Refusal is a change refused for a reason a person can act on, given in
// English and Vietnamese. It wraps the kind of refusal (auth.ErrForbidden,
// ErrLifecycle, ErrNotEditable, ErrExists, features.ErrInvalid).
type Refusal struct {
	Err      error
	Reason   string
	ReasonVI string
}

// Error returns the English reason.
func (r *Refusal) Error() string { return r.Reason }

// Unwrap returns the kind of refusal.
func (r *Refusal) Unwrap() error { return r.Err }

func refuse(kind error, en, vi string) *Refusal { return &Refusal{Err: kind, Reason: en, ReasonVI: vi} }

// collection resolves an editable collection.
func (s *Service) collection(id string) (features.Collection, error) {
	col, err := s.cfg.Catalog.Get(id)
	if err != nil {
		return col, err
	}
	if !IsEditable(id) {
		return col, refuse(ErrNotEditable,
			fmt.Sprintf("collection %s is not edited here; the editable collections are %s", id, strings.Join(Editable(), ", ")),
			fmt.Sprintf("lớp %s không chỉnh sửa được ở đây; các lớp chỉnh sửa được: %s", id, strings.Join(Editable(), ", ")))
	}
	return col, nil
}

// newID makes the id of a new record: a prefix from the collection's name
// and 12 random hex digits.
func newID(col features.Collection) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("edit: no randomness: %v", err)) // crypto/rand does not fail on supported systems
	}
	var prefix strings.Builder
	for _, w := range strings.Split(col.ID, "_") {
		if w != "" {
			prefix.WriteByte(w[0])
		}
	}
	return prefix.String() + "-" + hex.EncodeToString(b[:])
}

// entry starts the audit entry of a change.
func entry(r Request, action string) audit.Entry {
	return audit.Entry{Actor: r.Principal.User, Role: string(r.Principal.Role), Action: action, RequestID: r.RequestID, Note: r.Note}
}

// today is the current day in Vietnam, as a date property value.
func (s *Service) today() string { return features.VietnamDay(s.cfg.Now()).Format(features.DateLayout) }

// apply runs an edit, turning a store's conflict on create into ErrExists.
func (s *Service) apply(ctx context.Context, e features.Edit) (features.Stored, error) {
	st, err := s.cfg.Editor.Apply(ctx, e)
	if err != nil && e.Action == features.EditCreate && errors.Is(err, features.ErrConflict) {
		return st, refuse(ErrExists, fmt.Sprintf("%s %q already exists", e.Collection.ID, e.ID),
			fmt.Sprintf("%s %q đã có", e.Collection.ID, e.ID))
	}
	if err != nil {
		return st, fmt.Errorf("edit: %s %s %q: %w", e.Audit.Action, e.Collection.ID, e.ID, err)
	}
	return st, nil
}
