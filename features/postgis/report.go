package postgis

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
)

// SQL of the daily report and the ward risk overrides (migration 12). The
// figures' columns are features.ReportFigureNames, a fixed list, in order.
// NOTE: variables only because the text is built from that list once;
// nothing assigns them after package initialisation.
var (
	reportColumns    = strings.Join(features.ReportFigureNames(), ", ")
	sqlDailyReports  = `SELECT day, level, code, ` + reportColumns + ` FROM daily_reports WHERE day BETWEEN $1 AND $2 ORDER BY day, level, code`
	sqlUpsertReport  = upsertReportSQL()
	sqlRiskOverrides = `SELECT ward, level, reason, from_day, until_day, set_by, set_at FROM ward_risk_overrides ORDER BY set_at, id`
	sqlInsertRisk    = `INSERT INTO ward_risk_overrides (ward, level, reason, from_day, until_day, set_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING set_at`
	sqlReportKeys    = `SELECT day, level, code, ` + reportColumns + ` FROM daily_reports WHERE (day, level, code) IN (SELECT * FROM unnest($1::date[], $2::text[], $3::text[])) FOR UPDATE`
)

func upsertReportSQL() string {
	names := features.ReportFigureNames()
	params, sets := make([]string, len(names)), make([]string, len(names))
	for i, n := range names {
		params[i] = fmt.Sprintf("$%d", i+4)
		sets[i] = n + " = EXCLUDED." + n
	}
	return `INSERT INTO daily_reports (day, level, code, ` + reportColumns + `) VALUES ($1, $2, $3, ` + strings.Join(params, ", ") +
		`) ON CONFLICT (day, level, code) DO UPDATE SET ` + strings.Join(sets, ", ")
}

// DailyReports implements features.Reports.
func (s *Store) DailyReports(ctx context.Context, from, to time.Time) ([]features.DailyReport, error) {
	rows, err := s.db.Query(ctx, sqlDailyReports, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgis: read daily reports: %w", classify(err))
	}
	return scanReports(rows)
}

func scanReports(rows pgx.Rows) ([]features.DailyReport, error) {
	defer rows.Close()
	var out []features.DailyReport
	for rows.Next() {
		var r features.DailyReport
		dest := []any{&r.Day, &r.Level, &r.Code}
		for _, f := range r.Fields() {
			dest = append(dest, f)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("postgis: read daily reports: %w", classify(err))
		}
		r.Day = r.Day.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgis: read daily reports: %w", classify(err))
	}
	return out, nil
}

// ImportDailyReports implements features.Reports: the rows, the import's
// audit entry and a new data version commit together.
func (s *Store) ImportDailyReports(ctx context.Context, rows []features.DailyReport, entry audit.Entry) (features.ReportImport, error) {
	if !s.signer.Usable() {
		return features.ReportImport{}, ErrNoSigner
	}
	for _, r := range rows {
		if err := features.CheckDailyReport(r); err != nil {
			return features.ReportImport{}, fmt.Errorf("postgis: %s: %w", r.Key(), err)
		}
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return features.ReportImport{}, fmt.Errorf("postgis: begin report import: %w", classify(err))
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	stored, err := storedReports(ctx, tx, rows)
	if err != nil {
		return features.ReportImport{}, err
	}
	res, changed := features.SplitReportImport(rows, stored)
	if len(changed) == 0 {
		return res, nil
	}
	batch := &pgx.Batch{}
	for _, r := range changed {
		args := []any{r.Day, r.Level, r.Code}
		for _, f := range r.Fields() {
			args = append(args, *f)
		}
		batch.Queue(sqlUpsertReport, args...)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return features.ReportImport{}, fmt.Errorf("postgis: store daily reports: %w", classify(err))
	}
	if _, err := tx.Exec(ctx, sqlBumpVersion); err != nil {
		return features.ReportImport{}, fmt.Errorf("postgis: daily reports: %w", classify(err))
	}
	entry.Collection, entry.Subject, entry.Action = "daily_reports", "import", "import"
	entry.After = features.ReportImportAudit(rows, res)
	if _, err := auditpg.AppendAll(ctx, tx, s.signer, []audit.Entry{entry}); err != nil {
		return features.ReportImport{}, fmt.Errorf("postgis: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return features.ReportImport{}, fmt.Errorf("postgis: commit daily reports: %w", classify(err))
	}
	s.caughtUp(ctx)
	return res, nil
}

// storedReports reads the stored rows of the keys of rows, locked.
func storedReports(ctx context.Context, tx pgx.Tx, rows []features.DailyReport) (map[string]features.DailyReport, error) {
	days, levels, codes := make([]time.Time, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		days[i], levels[i], codes[i] = r.Day, r.Level, r.Code
	}
	q, err := tx.Query(ctx, sqlReportKeys, days, levels, codes)
	if err != nil {
		return nil, fmt.Errorf("postgis: read daily reports: %w", classify(err))
	}
	old, err := scanReports(q)
	if err != nil {
		return nil, err
	}
	out := make(map[string]features.DailyReport, len(old))
	for _, r := range old {
		out[r.Key()] = r
	}
	return out, nil
}

// WardRiskOverrides implements features.Reports.
func (s *Store) WardRiskOverrides(ctx context.Context) ([]features.WardRiskOverride, error) {
	rows, err := s.db.Query(ctx, sqlRiskOverrides)
	if err != nil {
		return nil, fmt.Errorf("postgis: read ward risk overrides: %w", classify(err))
	}
	defer rows.Close()
	var out []features.WardRiskOverride
	for rows.Next() {
		var o features.WardRiskOverride
		var level int16
		if err := rows.Scan(&o.Ward, &level, &o.Reason, &o.From, &o.Until, &o.SetBy, &o.Set); err != nil {
			return nil, fmt.Errorf("postgis: read ward risk overrides: %w", classify(err))
		}
		o.Level, o.From = int(level), o.From.UTC()
		if o.Until != nil {
			u := o.Until.UTC()
			o.Until = &u
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgis: read ward risk overrides: %w", classify(err))
	}
	return out, nil
}

// OverrideWardRisk implements features.Reports.
func (s *Store) OverrideWardRisk(ctx context.Context, o features.WardRiskOverride, entry audit.Entry) (features.WardRiskOverride, error) {
	if !s.signer.Usable() {
		return features.WardRiskOverride{}, ErrNoSigner
	}
	o.Reason = strings.TrimSpace(o.Reason)
	if err := features.CheckWardRiskOverride(o); err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("postgis: %w", err)
	}
	o.SetBy = entry.Actor
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("postgis: begin ward risk: %w", classify(err))
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := tx.QueryRow(ctx, sqlInsertRisk, o.Ward, o.Level, o.Reason, o.From, o.Until, o.SetBy).Scan(&o.Set); err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("postgis: store ward risk: %w", classify(err))
	}
	if _, err := tx.Exec(ctx, sqlBumpVersion); err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("postgis: ward risk: %w", classify(err))
	}
	entry.Collection, entry.Subject, entry.Action = "ward_risk", o.Ward, "risk.override"
	entry.After = features.WardRiskAudit(o)
	if _, err := auditpg.AppendAll(ctx, tx, s.signer, []audit.Entry{entry}); err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("postgis: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return features.WardRiskOverride{}, fmt.Errorf("postgis: commit ward risk: %w", classify(err))
	}
	s.caughtUp(ctx)
	return o, nil
}

var _ features.Reports = (*Store)(nil)
