package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestReason is the one decoding of the reason of a read of personal data
// every route shares: the header percent-decoded, reason= before it where
// a route takes one, and a 400 naming what is wrong for bad input.
func TestReason(t *testing.T) {
	long := strings.Repeat("ệ", MaxReasonLength+1)
	tests := []struct {
		name    string
		query   string   // the request's query
		header  []string // values of ReasonHeader
		useQ    bool
		want    string
		problem string // part of the 400's detail; "" means accepted
	}{
		{name: "plain ASCII", header: []string{"case BD-1 outbreak"}, want: "case BD-1 outbreak"},
		{name: "trimmed", header: []string{"  case BD-1  "}, want: "case BD-1"},
		{name: "percent-encoded Vietnamese", header: []string{url.PathEscape("Ca bệnh BD-1, ổ dịch Phú Cường")}, want: "Ca bệnh BD-1, ổ dịch Phú Cường"},
		{name: "a plus stays a plus", header: []string{"case+BD-1"}, want: "case+BD-1"},
		{name: "empty: the route decides", header: nil, want: ""},
		{name: "blank: the route decides", header: []string{"   "}, want: ""},
		{name: "invalid percent escape", header: []string{"case %zz BD-1"}, problem: "not percent-encoded UTF-8"},
		{name: "cut percent escape", header: []string{"case BD-1 %E1%BB"}, problem: "not percent-encoded UTF-8"},
		{name: "bytes not UTF-8", header: []string{"case %FF%FE BD-1"}, problem: "not UTF-8"},
		{name: "encoded line break", header: []string{"case BD-1%0Areason: forged"}, problem: "control characters"},
		{name: "encoded NUL", header: []string{"case BD-1%00"}, problem: "control characters"},
		{name: "encoded line separator", header: []string{"case BD-1%E2%80%A8forged"}, problem: "control characters"},
		{name: "overlong decoded", header: []string{url.PathEscape(long)}, problem: "at most 500 characters"},
		{name: "overlong raw", header: []string{strings.Repeat("a", maxReasonBytes+1)}, problem: "at most 500 characters"},
		{name: "the longest", header: []string{url.PathEscape(long[len("ệ"):])}, want: long[len("ệ"):]},
		{name: "given twice", header: []string{"case BD-1", "case BD-2"}, problem: "once"},
		{name: "query first", useQ: true, query: "reason=" + url.QueryEscape("ổ dịch BD-2"), header: []string{"case BD-1"}, want: "ổ dịch BD-2"},
		{name: "blank query: the header", useQ: true, query: "reason=%20", header: []string{"case BD-1"}, want: "case BD-1"},
		{name: "query ignored when the route takes none", query: "reason=" + url.QueryEscape("ổ dịch BD-2"), header: []string{"case BD-1"}, want: "case BD-1"},
		{name: "query with a line break", useQ: true, query: "reason=case%0Aforged", problem: "control characters"},
		{name: "query twice", useQ: true, query: "reason=case+one&reason=case+two", problem: "once"},
		{name: "query overlong", useQ: true, query: "reason=" + url.QueryEscape(long), problem: "at most 500 characters"},
	}
	e := echo.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/x?"+tt.query, nil)
			for _, v := range tt.header {
				req.Header.Add(ReasonHeader, v)
			}
			got, err := Reason(e.NewContext(req, httptest.NewRecorder()), tt.useQ)
			status, detail := reasonOf(err)
			switch {
			case tt.problem == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.problem == "" && got != tt.want:
				t.Errorf("reason %q, want %q", got, tt.want)
			case tt.problem != "" && (status != http.StatusBadRequest || !strings.Contains(detail, tt.problem)):
				t.Errorf("got %q, %v; want a 400 saying %q", got, err, tt.problem)
			}
			if tt.problem != "" {
				var p *ProblemError
				if !errors.As(err, &p) || p.Members["detail_vi"] == nil {
					t.Errorf("the 400 has no Vietnamese detail: %+v", p)
				}
			}
		})
	}
}
