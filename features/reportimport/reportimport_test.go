package reportimport

import (
	"errors"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
)

func TestParse(t *testing.T) {
	opts := Options{Districts: map[string]bool{"718": true}, Wards: map[string]bool{"25747": true}}
	tests := []struct {
		name, csv string
		rows      int
		problems  []string // each RowError.String() wanted, in order
	}{
		{"good", "date,level,code,cases_lockdown_area,treating_home,dose1\n" +
			"2021-12-21,province,,120,40_000,\n2021-12-21,district,718,30,,\n2021-12-21,ward,25747,,,9000\n", 3, nil},
		{"bad figure named with its column", "date,level,code,deaths\n2021-12-21,province,,x\n", 0,
			[]string{`line 2, column deaths: "x" is not a whole number`}},
		{"negative", "date,level,code,deaths\n2021-12-21,province,,-3\n", 0, []string{"line 2, column deaths: -3: want 0 to 200000000"}},
		{"unknown district", "date,level,code,deaths\n2021-12-21,district,999,1\n", 0, []string{`line 2, column code: no district has the code "999"`}},
		{"bad date and level", "date,level,code\n21/12/2021,town,1\n", 0,
			[]string{`line 2, column date: "21/12/2021" is not a date; want YYYY-MM-DD`, `line 2, column level: "town": want province, district or ward`}},
		{"twice", "date,level,code,deaths\n2021-12-21,province,,1\n2021-12-21,province,,2\n", 0,
			[]string{`line 3: province "" of 2021-12-21 again (first on line 2)`}},
		{"unknown column", "date,level,code,icu\n", 0, []string{"line 1, column icu: unknown column; want date, level, code or a figure: " + strings.Join(features.ReportFigureNames(), ", ")}},
		{"missing column", "date,code\n", 0, []string{"line 1, column level: missing column"}},
		{"coverage above adults", "date,level,code,adults,adults_dose1\n2021-12-21,ward,25747,10,11\n", 0,
			[]string{"line 2, column adults_dose1: 11 adults with a dose, more than the 10 adults"}},
		{"empty", "", 0, []string{"line 1: the file is empty; want a header: date,level,code,<figures>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(tt.csv), opts)
			if len(tt.problems) == 0 {
				if err != nil || len(rows) != tt.rows {
					t.Fatalf("Parse: %d rows, %v; want %d", len(rows), err, tt.rows)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || !errors.Is(err, features.ErrInvalid) || rows != nil {
				t.Fatalf("Parse: %v, %d rows; want an *Error and no row", err, len(rows))
			}
			var got []string
			for _, r := range pe.Rows {
				got = append(got, r.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.problems, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.problems, "\n"))
			}
		})
	}
	rows, _ := Parse(strings.NewReader(tests[0].csv), opts)
	if p := rows[0]; *p.TreatingHome != 40000 || p.Dose1 != nil || *p.CasesLockdownArea != 120 || rows[2].Code != "25747" {
		t.Errorf("values: %+v", rows)
	}
}
