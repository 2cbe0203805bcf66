package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
)

// TestReasonHeaderDecodedAlike: every route that reads personal data with
// a reason in X-Bando-Reason (the run's contacts, a roster, a venue's
// check-ins, a person's traces, a case's personal fields) decodes the
// header the same way (httpx.Reason): a percent-encoded Vietnamese reason
// lands decoded in the audit log, and a header that is not percent-encoded
// UTF-8, or holds a line break, is a 400 that logs nothing.
func TestReasonHeaderDecodedAlike(t *testing.T) {
	const reason = "Ca bệnh BD-1, ổ dịch quán phở"
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			w := s.populate(t)
			s.addCase(t, w)
			s.must(t, http.StatusOK, auth.Tracer, http.MethodPost, "/api/tracing/traces",
				"person,time,lon,lat,accuracy\n"+phoneF0+","+at(w.d, 0, "08:10")+",106.651,10.98,8\n", "Content-Type: text/csv")
			run := s.run(t, fmt.Sprintf(`{"f0":[{"case":"BD-1","onset":%q,"isolation":%q}],"reason":"ca BD-1, ổ dịch quán phở"}`,
				at(w.d, 0, "00:00"), at(w.d, 1, "12:00")))
			log, err := auditLogOf(s.b)
			if err != nil {
				t.Fatal(err)
			}
			count := func() int { return len(allAudit(t, log)) }
			for _, target := range []string{
				"/api/tracing/runs/" + run.ID + "/contacts.csv",
				"/api/enterprises/ent-1/workers",
				"/api/venues/" + w.venue + "/checkins",
				"/api/tracing/traces?person=" + phoneF0,
				"/api/editor/collections/cases/items/bd-1",
			} {
				t.Run(target, func(t *testing.T) {
					for _, bad := range []string{"ca%zzBD-1 outbreak", "ca BD-1%0Alý do: forged", url.PathEscape(strings.Repeat("ổ", 501))} {
						before := count()
						rec := s.as(auth.Tracer, http.MethodGet, target, "", httpx.ReasonHeader+": "+bad)
						if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "X-Bando-Reason") {
							t.Errorf("reason %.40q: %d %.300s, want 400 naming the header", bad, rec.Code, rec.Body)
						}
						if after := count(); after != before {
							t.Errorf("reason %.40q: %d audit entries written", bad, after-before)
						}
					}
					before := count()
					rec := s.as(auth.Tracer, http.MethodGet, target, "", httpx.ReasonHeader+": "+url.PathEscape(reason))
					if rec.Code != http.StatusOK {
						t.Fatalf("%d %s", rec.Code, rec.Body)
					}
					es := allAudit(t, log)[before:]
					if len(es) == 0 {
						t.Fatal("the read was not logged")
					}
					for _, e := range es {
						if e.Note != reason {
							t.Errorf("entry %d (%s %s) keeps the reason %q, want %q", e.Seq, e.Action, e.Collection, e.Note, reason)
						}
					}
				})
			}
		})
	}
}

// allAudit is every entry of log, oldest first.
func allAudit(t *testing.T, log audit.Log) []audit.Entry {
	t.Helper()
	es, err := log.Entries(context.Background(), audit.Query{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestReasonLengthsAgree: the header's bound is the audited read's.
func TestReasonLengthsAgree(t *testing.T) {
	if httpx.MaxReasonLength != tracing.MaxReasonLength {
		t.Errorf("httpx.MaxReasonLength %d, tracing.MaxReasonLength %d", httpx.MaxReasonLength, tracing.MaxReasonLength)
	}
}
