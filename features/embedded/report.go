package embedded

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/features"
	bolt "go.etcd.io/bbolt"
)

// Buckets of the daily report (the row's key, DailyReport.Key, → the row as
// JSON; keys sort by day since the day leads) and of the ward risk
// overrides (a big-endian sequence number → the override as JSON).
const (
	bucketDailyReports = "daily_reports"
	bucketRiskOverride = "ward_risk_overrides"
)

// storedReport is a report row as the bucket keeps it.
type storedReport struct {
	Day string `json:"day"`
	features.DailyReport
}

// storedOverride is an override as the bucket keeps it.
type storedOverride struct {
	From  string `json:"from"`
	Until string `json:"until,omitempty"`
	features.WardRiskOverride
}

// DailyReports implements features.Reports.
func (s *Store) DailyReports(ctx context.Context, from, to time.Time) ([]features.DailyReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded: daily reports: %w", err)
	}
	var out []features.DailyReport
	lo, hi := []byte(from.Format(features.DateLayout)), []byte(to.Format(features.DateLayout)+"0") // "0" sorts after "/"
	err := s.viewBucket(bucketDailyReports, func(b *bolt.Bucket) error {
		c := b.Cursor()
		for k, v := c.Seek(lo); k != nil && string(k) < string(hi); k, v = c.Next() {
			r, err := decodeReport(v)
			if err != nil {
				return corrupt(s.path, "daily report "+string(k))
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func decodeReport(v []byte) (features.DailyReport, error) {
	var sr storedReport
	if err := json.Unmarshal(v, &sr); err != nil {
		return features.DailyReport{}, err
	}
	day, err := time.Parse(features.DateLayout, sr.Day)
	sr.DailyReport.Day = day
	return sr.DailyReport, err
}

// viewBucket runs fn on a bucket in a read transaction; a missing bucket is
// empty.
func (s *Store) viewBucket(name string, fn func(*bolt.Bucket) error) error {
	err := guard(s.path, func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			if b := tx.Bucket([]byte(name)); b != nil {
				return fn(b)
			}
			return nil
		})
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// ImportDailyReports implements features.Reports: the rows, the import's
// audit entry and a new write counter commit together.
func (s *Store) ImportDailyReports(ctx context.Context, rows []features.DailyReport, entry audit.Entry) (features.ReportImport, error) {
	if !s.signer.Usable() {
		return features.ReportImport{}, ErrNoSigner
	}
	for _, r := range rows {
		if err := features.CheckDailyReport(r); err != nil {
			return features.ReportImport{}, fmt.Errorf("embedded: %s: %w", r.Key(), err)
		}
	}
	if err := ctx.Err(); err != nil {
		return features.ReportImport{}, fmt.Errorf("embedded: daily reports: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var res features.ReportImport
	var m meta
	changedAny := false
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucketDailyReports))
		if err != nil {
			return fmt.Errorf("embedded: daily reports: %w", err)
		}
		stored := map[string]features.DailyReport{}
		for _, r := range rows {
			if v := b.Get([]byte(r.Key())); v != nil {
				old, err := decodeReport(v)
				if err != nil {
					return corrupt(s.path, "daily report "+r.Key())
				}
				stored[r.Key()] = old
			}
		}
		var changed []features.DailyReport
		res, changed = features.SplitReportImport(rows, stored)
		if len(changed) == 0 {
			return nil
		}
		changedAny = true
		if m, err = bumpWrites(tx); err != nil {
			return err
		}
		for _, r := range changed {
			v, _ := json.Marshal(storedReport{Day: r.Day.Format(features.DateLayout), DailyReport: r}) // NOTE: always encodes
			if err := b.Put([]byte(r.Key()), v); err != nil {
				return fmt.Errorf("embedded: store daily report: %w", err)
			}
		}
		entry.Collection, entry.Subject, entry.Action = "daily_reports", "import", "import"
		entry.After = features.ReportImportAudit(rows, res)
		_, err = auditbolt.Append(tx, s.signer, entry, time.Now())
		return err
	})
	if err != nil {
		return features.ReportImport{}, err
	}
	if changedAny {
		s.publishWrites(m)
	}
	return res, nil
}

// update runs fn in a write transaction.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	err := guard(s.path, func() error { return s.db.Update(fn) })
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// publishWrites publishes a new data version after a write that changed no
// collection.
func (s *Store) publishWrites(m meta) {
	cur := s.snap.Load()
	s.publish(&snapshot{version: m.version(), identity: m.identity, writes: m.writes, cols: cur.cols}, nil)
}

// WardRiskOverrides implements features.Reports.
func (s *Store) WardRiskOverrides(ctx context.Context) ([]features.WardRiskOverride, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded: ward risk overrides: %w", err)
	}
	var out []features.WardRiskOverride
	err := s.viewBucket(bucketRiskOverride, func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			var so storedOverride
			if err := json.Unmarshal(v, &so); err != nil {
				return corrupt(s.path, "ward risk override")
			}
			o := so.WardRiskOverride
			var err error
			if o.From, err = time.Parse(features.DateLayout, so.From); err != nil {
				return corrupt(s.path, "ward risk override")
			}
			if so.Until != "" {
				u, err := time.Parse(features.DateLayout, so.Until)
				if err != nil {
					return corrupt(s.path, "ward risk override")
				}
				o.Until = &u
			}
			out = append(out, o)
			return nil
		})
	})
	return out, err
}

// OverrideWardRisk implements features.Reports.
func (s *Store) OverrideWardRisk(ctx context.Context, o features.WardRiskOverride, entry audit.Entry) (features.WardRiskOverride, error) {
	if !s.signer.Usable() {
		return features.WardRiskOverride{}, ErrNoSigner
	}
	o.Reason = strings.TrimSpace(o.Reason)
	if err := features.CheckWardRiskOverride(o); err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("embedded: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("embedded: ward risk: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	now := time.Now()
	o.SetBy, o.Set = entry.Actor, now.UTC().Truncate(time.Microsecond)
	var m meta
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if m, err = bumpWrites(tx); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists([]byte(bucketRiskOverride))
		if err != nil {
			return fmt.Errorf("embedded: ward risk: %w", err)
		}
		seq, _ := b.NextSequence() // NOTE: fails only on a read-only transaction
		so := storedOverride{From: o.From.Format(features.DateLayout), WardRiskOverride: o}
		if o.Until != nil {
			so.Until = o.Until.Format(features.DateLayout)
		}
		v, _ := json.Marshal(so) // NOTE: always encodes
		if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), v); err != nil {
			return fmt.Errorf("embedded: store ward risk: %w", err)
		}
		entry.Collection, entry.Subject, entry.Action = "ward_risk", o.Ward, "risk.override"
		entry.After = features.WardRiskAudit(o)
		_, err = auditbolt.Append(tx, s.signer, entry, now)
		return err
	})
	if err != nil {
		return features.WardRiskOverride{}, err
	}
	s.publishWrites(m)
	return o, nil
}

var _ features.Reports = (*Store)(nil)
