package edit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/paulmach/orb"
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
	Deleted   int  `json:"deleted"`
	DryRun    bool `json:"dry_run"`
}

// ImportCases reads a case registry CSV file with the checks of `bando
// import cases` (features/caseimport) and applies it through the Editor
// as one batch, all or nothing, so that each changed case gets its audit
// entry (action "import"): a file with any problem is refused whole with a
// *caseimport.Error listing each line, field and reason, and a change the
// store refuses (a case edited meanwhile) leaves every case as it was.
// Cases the file holds unchanged are not written; with features.Replace the
// deletions of stored cases the file does not hold are in the same batch. A district editor may import only cases inside the district,
// and only as an upsert.
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
	steps, rep, err := s.plan(ctx, col, recs, opts.Mode)
	if err != nil {
		return ImportReport{}, err
	}
	if err := d.checkSteps(steps, s.cfg.DistrictBufferM); err != nil {
		return ImportReport{}, err
	}
	rep.DryRun = opts.DryRun
	if opts.DryRun {
		return rep, nil
	}
	if r.Note == "" {
		r.Note = "case file upload"
	}
	return rep, s.run(ctx, r, steps)
}

// step is one change of an import, with the record it replaces (nil for a
// new case).
type step struct {
	edit   features.Edit
	before *features.Stored
}

// plan compares the file with the stored cases, read in one go: new ones
// are created, changed ones replaced, the others left alone; with
// features.Replace the stored cases the file does not hold are deleted.
func (s *Service) plan(ctx context.Context, col features.Collection, recs []features.Record, mode features.WriteMode) ([]step, ImportReport, error) {
	rep := ImportReport{Rows: len(recs)}
	all, _, err := s.cfg.Editor.List(ctx, features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: col, Limit: -1}})
	if err != nil {
		return nil, rep, fmt.Errorf("edit: list cases: %w", err)
	}
	stored := make(map[string]*features.Stored, len(all))
	for i := range all {
		stored[all[i].ID] = &all[i]
	}
	var steps []step
	inFile := make(map[string]bool, len(recs))
	for _, rec := range recs {
		inFile[rec.ID] = true
		cur := stored[rec.ID]
		switch {
		case cur == nil:
			rep.New++
			steps = append(steps, step{edit: features.Edit{Action: features.EditCreate, Collection: col, ID: rec.ID, Record: rec}})
		case sameCase(col, rec, cur.Record):
			rep.Unchanged++
		default:
			rep.Updated++
			steps = append(steps, step{edit: features.Edit{Action: features.EditReplace, Collection: col, ID: rec.ID, Record: rec, IfRevision: cur.Revision}, before: cur})
		}
	}
	if mode != features.Replace {
		return steps, rep, nil
	}
	for _, cur := range all {
		if !inFile[cur.ID] {
			rep.Deleted++
			steps = append(steps, step{edit: features.Edit{Action: features.EditDelete, Collection: col, ID: cur.ID, IfRevision: cur.Revision}, before: stored[cur.ID]})
		}
	}
	return steps, rep, nil
}

// run applies the steps as one batch (features.Editor.ApplyAll): every
// change with its audit entry, or, on any failure, none of them.
func (s *Service) run(ctx context.Context, r Request, steps []step) error {
	if len(steps) == 0 {
		return nil
	}
	edits := make([]features.Edit, len(steps))
	for i, st := range steps {
		edits[i] = st.edit
		edits[i].Audit = entry(r, "import")
	}
	_, err := s.cfg.Editor.ApplyAll(ctx, edits)
	var failed *features.EditError
	if errors.As(err, &failed) && (errors.Is(err, features.ErrConflict) || errors.Is(err, features.ErrNotFound)) {
		return refuse(ErrExists,
			fmt.Sprintf("case %s changed while the file was imported; nothing imported: upload it again", failed.ID),
			fmt.Sprintf("ca %s vừa được sửa trong khi nhập tệp; chưa nhập gì: hãy tải lên lại", failed.ID))
	}
	if err != nil {
		return fmt.Errorf("edit: import cases; nothing imported: %w", err)
	}
	return nil
}

// checkSteps refuses an import by a district editor that touches cases
// outside the district, before or after.
func (d *district) checkSteps(steps []step, bufferM float64) error {
	if d == nil {
		return nil
	}
	var recs []features.Record
	for _, st := range steps {
		if st.edit.Action != features.EditDelete {
			recs = append(recs, st.edit.Record)
		}
		if st.before != nil {
			recs = append(recs, st.before.Record)
		}
	}
	return d.checkCases(recs, bufferM)
}

// sameCase reports whether a file's case equals the stored one: public
// properties, exact position and personal fields.
func sameCase(col features.Collection, rec, cur features.Record) bool {
	for _, name := range col.PropertyNames() {
		if name != "revision" && text(rec.Properties[name]) != text(cur.Properties[name]) {
			return false
		}
	}
	var a, b features.Person
	if rec.Person != nil {
		a = *rec.Person
	}
	if cur.Person != nil {
		b = *cur.Person
	}
	return a == b && rec.Geometry != nil && cur.Geometry != nil && orb.Equal(rec.Geometry, cur.Geometry)
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

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format(features.DateLayout)
	}
	return fmt.Sprint(v)
}
