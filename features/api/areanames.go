package api

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/features"
)

// areaNames are the names of the wards and districts by GSO code, as of one
// data version.
type areaNames struct {
	version          string
	wards, districts map[string]string
}

// areaNames returns the names of the wards and districts, read once per data
// version when the handler knows the version.
func (h *Handler) areaNames(ctx context.Context) (*areaNames, error) {
	version := ""
	if h.version != nil {
		version = h.version()
	}
	h.labelsMu.Lock()
	held := h.namesAt
	h.labelsMu.Unlock()
	if held != nil && version != "" && held.version == version {
		return held, nil
	}
	out := &areaNames{version: version}
	var err error
	if out.wards, err = h.namesOf(ctx, "wards"); err != nil {
		return nil, err
	}
	if out.districts, err = h.namesOf(ctx, "districts"); err != nil {
		return nil, err
	}
	if version != "" {
		h.labelsMu.Lock()
		h.namesAt = out
		h.labelsMu.Unlock()
	}
	return out, nil
}

// namesOf maps the codes of a boundary collection to their names.
func (h *Handler) namesOf(ctx context.Context, id string) (map[string]string, error) {
	col, err := h.catalog.Get(id)
	if err != nil {
		return nil, fmt.Errorf("api: area names: %w", err)
	}
	page, err := h.reader.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("api: area names: %w", err)
	}
	names := make(map[string]string, len(page.Features))
	for _, f := range page.Features {
		code, _ := f.Properties["code"].(string)
		name, _ := f.Properties["name"].(string)
		if code != "" {
			names[code] = name
		}
	}
	return names, nil
}
