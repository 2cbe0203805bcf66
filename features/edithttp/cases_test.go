package edithttp_test

import (
	"bytes"
	"context"
	"slices"

	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"

	"github.com/paulmach/orb"
)

const caseHeader = "code,report_date,origin,detected_in,status,district_code,lon,lat,name,phone,id_number,address\n"

// TestCaseUpload checks the CSV upload: a dry run writes nothing, a bad
// file is refused whole with its problems by line, a good one is imported.
func TestCaseUpload(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		good := caseHeader +
			"BN101,2021-07-05,community,community_screening,under_treatment,718,106.651,10.981,Nguyễn Văn Bí Mật,0912000111,079300000111,12 Hẻm Bí Mật\n" +
			"BN102,2021-07-06,community,health_facility,recovered,721,106.751,10.982,,,,\n"
		csv := func(who, query, body string) answer {
			return v.do(http.MethodPost, "/api/cases/import"+query, who, body, "Content-Type", "text/csv")
		}
		if a := csv(nobody, "", good); a.status != http.StatusUnauthorized {
			t.Errorf("no principal: %d", a.status)
		}
		if a := csv(viewer, "", good); a.status != http.StatusForbidden {
			t.Errorf("viewer: %d", a.status)
		}
		a := csv(editor, "?dry_run=true", good)
		if rep := a.json(t); a.status != http.StatusOK || rep["new"] != 2.0 || rep["dry_run"] != true {
			t.Fatalf("dry run: %d %s", a.status, a.body)
		}
		if ids := v.publicIDs("/ogc/collections/cases/items"); len(ids) != 0 {
			t.Fatalf("a dry run wrote %v", ids)
		}
		bad := caseHeader +
			"BN201,2021-07-05,community,community_screening,under_treatment,718,106.651,10.981,,,,\n" +
			"BN202,2021-13-05,martian,community_screening,under_treatment,999,106.651,10.981,,,,\n"
		a = csv(editor, "", bad)
		p := a.json(t)
		errs, _ := p["errors"].([]any)
		if a.status != http.StatusUnprocessableEntity || len(errs) != 3 {
			t.Fatalf("bad file: %d %s", a.status, a.body)
		}
		for i, field := range []string{"report_date", "origin", "district_code"} {
			e := errs[i].(map[string]any)
			if e["line"] != 3.0 || e["field"] != field || e["reason"] == "" {
				t.Errorf("problem %d = %v, want line 3, field %s", i, e, field)
			}
		}
		if ids := v.publicIDs("/ogc/collections/cases/items"); len(ids) != 0 {
			t.Fatalf("a refused file wrote %v", ids)
		}
		if a := csv(district, "", good); a.status != http.StatusForbidden || !strings.Contains(string(a.body), "BN102") {
			t.Errorf("district editor importing another district's case: %d %s", a.status, a.body)
		}
		// The same file as a multipart upload.
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", "cases.csv")
		fw.Write([]byte(good))
		mw.Close()
		a = v.do(http.MethodPost, "/api/cases/import?mode=upsert", editor, form.String(), "Content-Type", mw.FormDataContentType())
		if rep := a.json(t); a.status != http.StatusOK || rep["new"] != 2.0 {
			t.Fatalf("import: %d %s", a.status, a.body)
		}
		if ids := v.publicIDs("/ogc/collections/cases/items"); strings.Join(ids, ",") != "BN101,BN102" {
			t.Errorf("public cases %v", ids)
		}
		entries := v.must(http.StatusOK, http.MethodGet, "/api/audit?collection=cases", admin, nil).json(t)["entries"].([]any)
		if len(entries) != 2 || entries[0].(map[string]any)["action"] != "import" || entries[0].(map[string]any)["actor"] != "binh" {
			t.Errorf("audit entries of the import: %v", entries)
		}
		if a := csv(editor, "", good); a.status != http.StatusOK || a.json(t)["unchanged"] != 2.0 {
			t.Errorf("the same file again: %d %s", a.status, a.body)
		}
		a = csv(admin, "?mode=replace", caseHeader+"BN101,2021-07-05,community,community_screening,recovered,718,106.651,10.981,Nguyễn Văn Bí Mật,0912000111,079300000111,12 Hẻm Bí Mật\n")
		if rep := a.json(t); a.status != http.StatusOK || rep["updated"] != 1.0 || rep["deleted"] != 1.0 {
			t.Errorf("replace: %d %s", a.status, a.body)
		}
		if ids := v.publicIDs("/ogc/collections/cases/items?status=recovered"); strings.Join(ids, ",") != "BN101" {
			t.Errorf("public cases after replace %v", ids)
		}
		checkNoPerson(t, v, "BN101")
	})
}

// racing is a real store on which, once race is set, another official
// changes a case just before an upload's batch is applied.
type racing struct {
	store
	race func(ctx context.Context, s store) error
}

func (r *racing) ApplyAll(ctx context.Context, edits []features.Edit) ([]features.Stored, error) {
	if r.race != nil {
		if err := r.race(ctx, r.store); err != nil {
			return nil, err
		}
	}
	return r.store.ApplyAll(ctx, edits)
}

// TestCaseUploadRefusedWritesNothing checks that an upload the store
// refuses part way (a case edited while the file was read) answers 409 and
// leaves every case, and the audit log, as they were.
func TestCaseUploadRefusedWritesNothing(t *testing.T) {
	for _, o := range stores() {
		t.Run(o.name, func(t *testing.T) {
			var rs *racing
			v := newEnvWith(t, o, func(s store) features.Editor { rs = &racing{store: s}; return rs })
			csv := func(query, body string) answer {
				return v.do(http.MethodPost, "/api/cases/import"+query, admin, body, "Content-Type", "text/csv")
			}
			first := caseHeader +
				"BN101,2021-07-05,community,community_screening,under_treatment,718,106.651,10.981,,,,\n" +
				"BN102,2021-07-06,community,health_facility,under_treatment,721,106.751,10.982,,,,\n"
			if a := csv("", first); a.status != http.StatusOK {
				t.Fatalf("first upload: %d %s", a.status, a.body)
			}
			cases := testkit.Collection(t, "cases")
			rs.race = func(ctx context.Context, s store) error {
				cur, err := s.Current(ctx, cases, "BN102")
				if err != nil {
					return err
				}
				cur.Properties["status"] = "died"
				_, err = s.Apply(ctx, features.Edit{Action: features.EditReplace, Collection: cases, ID: "BN102", Record: cur.Record,
					IfRevision: cur.Revision, Audit: audit.Entry{Actor: "chi", Action: "update"}})
				return err
			}
			second := caseHeader +
				"BN101,2021-07-05,community,community_screening,recovered,718,106.651,10.981,,,,\n" +
				"BN103,2021-07-07,community,community_screening,under_treatment,718,106.652,10.981,,,,\n" +
				"BN102,2021-07-06,community,health_facility,recovered,721,106.751,10.982,,,,\n"
			for _, mode := range []string{"upsert", "replace"} {
				a := csv("?mode="+mode, second)
				if a.status != http.StatusConflict || !strings.Contains(string(a.body), "BN102") || !strings.Contains(string(a.body), "nothing imported") {
					t.Fatalf("%s upload with BN102 changed meanwhile: %d %s", mode, a.status, a.body)
				}
			}
			if ids := v.publicIDs("/ogc/collections/cases/items"); strings.Join(ids, ",") != "BN101,BN102" {
				t.Errorf("public cases after the refused uploads %v", ids)
			}
			if ids := v.publicIDs("/ogc/collections/cases/items?status=under_treatment"); strings.Join(ids, ",") != "BN101" {
				t.Errorf("cases under treatment after the refused uploads %v, want BN101 unchanged", ids)
			}
			var actions []string
			for _, e := range v.must(http.StatusOK, http.MethodGet, "/api/audit?collection=cases", admin, nil).json(t)["entries"].([]any) {
				m := e.(map[string]any)
				actions = append(actions, m["subject"].(string)+":"+m["action"].(string))
			}
			slices.Sort(actions)
			if got := strings.Join(actions, " "); got != "BN101:import BN102:import BN102:update BN102:update" {
				t.Errorf("audit entries %s, want the first upload's and the two edits made meanwhile", got)
			}
		})
	}
}

// TestCaseCreate checks that a case added by an official keeps its
// personal fields and home private: no public answer holds them, viewers
// do not see them, tracers do.
func TestCaseCreate(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		home := orb.Point{106.651234, 10.981234}
		f := feature(home, map[string]any{"code": "BN301", "report_date": "2021-07-18", "origin": "community", "status": "under_treatment", "district_code": "718"})
		f["person"] = map[string]any{"name": "Nguyễn Văn Bí Mật", "phone": "0912000111", "id_number": "079300000111", "address": "12 Hẻm Bí Mật"}
		id, tag := v.create(editor, "cases", f)
		if id != "BN301" {
			t.Errorf("a case's id is %q, want its code", id)
		}
		v.must(http.StatusConflict, http.MethodPost, "/ogc/collections/cases/items", editor, f)
		a := v.must(http.StatusOK, http.MethodPatch, "/ogc/collections/cases/items/"+id, editor,
			map[string]any{"person": map[string]any{"phone": "0912000222"}, "properties": map[string]any{"status": "recovered", "status_date": "2021-07-19"}}, "If-Match", tag)
		if p := a.json(t)["person"].(map[string]any); p["phone"] != "0912000222" || p["name"] != "Nguyễn Văn Bí Mật" {
			t.Errorf("person after PATCH %v", p)
		}
		v.must(http.StatusUnprocessableEntity, http.MethodPatch, "/ogc/collections/cases/items/"+id, editor,
			map[string]any{"properties": map[string]any{"code": "BN999"}}, "If-Match", a.header.Get("ETag"))
		bad := v.must(http.StatusUnprocessableEntity, http.MethodPatch, "/ogc/collections/cases/items/"+id, editor,
			map[string]any{"properties": map[string]any{"district_code": "999", "report_date": "2019-01-01"}}, "If-Match", a.header.Get("ETag"))
		if s := string(bad.body); !strings.Contains(s, `unknown district code \"999\"`) || !strings.Contains(s, "first cases of COVID-19") {
			t.Errorf("a case's district and date checks: %s", s)
		}
		for who, sees := range map[string]bool{viewer: false, tracer: true, admin: true} {
			one := v.must(http.StatusOK, http.MethodGet, "/api/editor/collections/cases/items/"+id, who, nil)
			if has := strings.Contains(string(one.body), "0912000222"); has != sees {
				t.Errorf("%s sees the phone: %v, want %v", who, has, sees)
			}
			if has := strings.Contains(string(one.body), "106.651234"); has != sees {
				t.Errorf("%s sees the home: %v, want %v", who, has, sees)
			}
		}
		v.must(http.StatusForbidden, http.MethodGet, "/api/editor/collections/markets/items", tracer, nil)
		v.must(http.StatusForbidden, http.MethodGet, "/api/editor/collections/cases/items", corporate, nil)
		checkNoPerson(t, v, id)
	})
}

// checkNoPerson fails when a public answer about the case holds a personal
// value or the exact home of the fixtures.
func checkNoPerson(t *testing.T, v *env, id string) {
	t.Helper()
	var public bytes.Buffer
	for _, target := range []string{"/ogc/collections/cases/items", "/ogc/collections/cases/items/" + id, "/ogc/collections/cases/items?f=html", "/ogc/collections/cases/items/" + id + "?f=html"} {
		a := v.must(http.StatusOK, http.MethodGet, target, nobody, nil)
		public.Write(a.body)
	}
	for _, secret := range []string{"Bí Mật", "0912000", "079300000", "Hẻm", "106.651234", "10.981234", "106.651,", "10.981,"} {
		if strings.Contains(public.String(), secret) {
			t.Errorf("a public answer holds %q", secret)
		}
	}
}
