package edit

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/features"
)

// PersonalRead is an official's read of people records with their
// personal fields (name, phone, ID number, address, exact location), for
// the audit log: who (the principal), why, what and how many.
type PersonalRead struct {
	Collection string
	// Subject is the record's id, or "list" for a page of records.
	Subject string
	// Reason is why, as the official gave it (X-Bando-Reason).
	Reason    string
	Count     int
	RequestID string
}

// personalView applies the rule of personal reads to records an official
// who may see personal fields read: with Config.LogPersonalRead set, the
// personal fields come only with a reason, and only once the read is
// logged; without a reason they are withheld (the position geomasked, as
// for those who may not see them) and withheld reports it.
func (s *Service) personalView(ctx context.Context, p Request, col features.Collection, subject string, sts []features.Stored) (withheld bool, err error) {
	if !col.People || !SeesPerson(p.Principal) || s.cfg.LogPersonalRead == nil {
		return false, nil
	}
	n := 0
	for _, st := range sts {
		if st.Person != nil {
			n++
		}
	}
	if n == 0 {
		return false, nil
	}
	if p.Reason == "" {
		hidden := Request{Principal: p.Principal}
		hidden.Principal.Role = "" // hidePerson's rule for those who may not see
		for i := range sts {
			sts[i] = s.hidePerson(hidden, col, sts[i])
		}
		return true, nil
	}
	err = s.cfg.LogPersonalRead(ctx, PersonalRead{Collection: col.ID, Subject: subject, Reason: p.Reason, Count: n, RequestID: p.RequestID})
	if err != nil {
		return false, fmt.Errorf("edit: log the read of personal fields: %w", err)
	}
	return false, nil
}
