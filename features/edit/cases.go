package edit

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
)

// mergePerson applies a merge patch of the personal fields to a case's.
func mergePerson(cur *features.Person, patch map[string]any) (*features.Person, error) {
	var p features.Person
	if cur != nil {
		p = *cur
	}
	fields := map[string]*string{"name": &p.Name, "phone": &p.Phone, "id_number": &p.IDNumber, "address": &p.Address}
	var bad []features.FieldProblem
	for k, v := range patch {
		dst, ok := fields[k]
		if !ok {
			bad = append(bad, features.FieldProblem{Field: "person." + k,
				Reason:   fmt.Sprintf("unknown personal field %q; the fields are name, phone, id_number, address", k),
				ReasonVI: fmt.Sprintf("trường cá nhân %q không có; các trường: name, phone, id_number, address", k)})
			continue
		}
		switch s := v.(type) {
		case nil:
			*dst = ""
		case string:
			*dst = strings.TrimSpace(s)
		default:
			bad = append(bad, features.FieldProblem{Field: "person." + k,
				Reason: "a personal field must be text", ReasonVI: "trường cá nhân phải là văn bản"})
		}
	}
	if len(bad) > 0 {
		return nil, &features.ValidationError{Collection: "cases", Problems: bad}
	}
	return &p, nil
}

// caseProblems checks a case as `bando import cases` checks a row beyond
// the catalog's rules: a code without spaces, a known district (when
// districts are stored), and report and status dates between the first
// COVID-19 cases and tomorrow in Vietnam.
func (s *Service) caseProblems(rec features.Record, districts map[string]bool) []features.FieldProblem {
	var out []features.FieldProblem
	if code, _ := rec.Properties["district_code"].(string); code != "" && len(districts) > 0 && !districts[code] {
		known := slices.Sorted(maps.Keys(districts))
		out = append(out, features.FieldProblem{Field: "district_code",
			Reason:   fmt.Sprintf("unknown district code %q; the codes are %s", code, strings.Join(known, ", ")),
			ReasonVI: fmt.Sprintf("mã huyện %q không có; các mã: %s", code, strings.Join(known, ", "))})
	}
	if code, _ := rec.Properties["code"].(string); strings.IndexFunc(code, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		out = append(out, features.FieldProblem{Field: "code",
			Reason:   fmt.Sprintf("code %q contains spaces or control characters", code),
			ReasonVI: fmt.Sprintf("mã %q chứa khoảng trắng hoặc ký tự điều khiển", code)})
	}
	first, last := features.DayOf(caseimport.EarliestDate()), features.DayOf(caseimport.LatestDate(s.cfg.Now()))
	for _, name := range []string{"report_date", "status_date"} {
		switch d := features.DayValue(rec.Properties[name]); {
		case d == features.NoDay:
		case d < first:
			out = append(out, features.FieldProblem{Field: name,
				Reason:   fmt.Sprintf("%s is before %s, when the first cases of COVID-19 were reported: check the year", d, first),
				ReasonVI: fmt.Sprintf("%s trước %s, trước khi có ca COVID-19 đầu tiên: hãy kiểm tra năm", d, first)})
		case d > last:
			out = append(out, features.FieldProblem{Field: name,
				Reason:   fmt.Sprintf("%s is after %s, tomorrow in Vietnam: check the year and the order of day and month", d, last),
				ReasonVI: fmt.Sprintf("%s sau %s (ngày mai): hãy kiểm tra năm và thứ tự ngày, tháng", d, last)})
		}
	}
	return out
}
