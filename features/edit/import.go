package edit

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
)

// ImportOptions says how a case file meets the stored cases.
type ImportOptions struct {
	// Mode is features.Upsert (rows replace the stored cases of the same
	// code) or features.Replace (the file becomes the whole registry).
	Mode features.WriteMode
	// DryRun checks the file and counts what would change, writing nothing.
	DryRun bool
}

// ImportReport counts the rows of an import.
type ImportReport struct {
	Rows      int  `json:"rows"`
	New       int  `json:"new"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	DryRun    bool `json:"dry_run"`
}

// ImportCases reads a case registry CSV file with the checks of `bando
// import cases` (features/caseimport) and writes it as one unit: a file
// with any problem is refused whole with a *caseimport.Error listing each
// line, field and reason. A district editor may import only cases inside
// the district, and only as an upsert.
func (s *Service) ImportCases(ctx context.Context, r Request, body io.Reader, opts ImportOptions) (ImportReport, error) {
	col, err := s.collection("cases")
	if err != nil {
		return ImportReport{}, err
	}
	if err := MayChange(r.Principal); err != nil {
		return ImportReport{}, err
	}
	d, err := s.districtOf(ctx, r.Principal)
	if err != nil {
		return ImportReport{}, err
	}
	if d != nil && opts.Mode == features.Replace {
		return ImportReport{}, refuse(auth.ErrForbidden,
			"a district editor may not replace the whole case registry; import with mode upsert",
			"biên tập viên cấp huyện không được thay thế toàn bộ danh sách ca bệnh; hãy nhập với mode upsert")
	}
	codes, err := s.districtCodes(ctx)
	if err != nil {
		return ImportReport{}, err
	}
	recs, err := caseimport.Parse(body, caseimport.Options{Districts: codes, Now: s.cfg.Now})
	if err != nil {
		return ImportReport{}, err
	}
	if err := d.checkCases(recs, s.cfg.DistrictBufferM); err != nil {
		return ImportReport{}, err
	}
	rep, err := s.count(ctx, col, recs)
	if err != nil || opts.DryRun {
		rep.DryRun = opts.DryRun
		return rep, err
	}
	if _, err := s.cfg.Writer.Write(ctx, features.Batch{Collection: col.ID, Mode: opts.Mode, Records: slices.Values(recs)}); err != nil {
		return ImportReport{}, fmt.Errorf("edit: import cases: nothing imported: %w", err)
	}
	return rep, nil
}

// checkCases refuses cases outside a district editor's district, naming
// the first few codes.
func (d *district) checkCases(recs []features.Record, bufferM float64) error {
	if d == nil {
		return nil
	}
	var out []string
	for _, rec := range recs {
		if !d.holds(rec.Geometry, bufferM) {
			out = append(out, rec.ID)
		}
	}
	if len(out) == 0 {
		return nil
	}
	if len(out) > 5 {
		out = append(out[:5], "…")
	}
	list := strings.Join(out, ", ")
	return refuse(auth.ErrForbidden,
		fmt.Sprintf("you edit district %s (%s) only; cases %s lie outside it; nothing imported", d.code, d.name, list),
		fmt.Sprintf("bạn chỉ được sửa dữ liệu của %s (mã %s); các ca %s nằm ngoài địa bàn; chưa nhập gì", d.name, d.code, list))
}

// districtCodes lists the stored districts' codes; none stored means no
// check.
func (s *Service) districtCodes(ctx context.Context) (map[string]bool, error) {
	col, err := s.cfg.Catalog.Get("districts")
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.Reader.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("edit: read districts: %w", err)
	}
	codes := make(map[string]bool, len(page.Features))
	for _, f := range page.Features {
		codes[f.ID] = true
	}
	return codes, nil
}

// count compares the file's cases with the stored ones.
func (s *Service) count(ctx context.Context, col features.Collection, recs []features.Record) (ImportReport, error) {
	page, err := s.cfg.Reader.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
	if err != nil {
		return ImportReport{}, fmt.Errorf("edit: read stored cases: %w", err)
	}
	stored := make(map[string]features.Feature, len(page.Features))
	for _, f := range page.Features {
		stored[f.ID] = f
	}
	rep := ImportReport{Rows: len(recs)}
	for _, r := range recs {
		f, ok := stored[r.ID]
		switch {
		case !ok:
			rep.New++
		case !samePublic(col, r, f):
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	return rep, nil
}

func samePublic(col features.Collection, r features.Record, f features.Feature) bool {
	for _, name := range col.PropertyNames() {
		if text(r.Properties[name]) != text(f.Properties[name]) {
			return false
		}
	}
	return true
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format(features.DateLayout)
	}
	return fmt.Sprint(v)
}
