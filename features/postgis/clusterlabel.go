package postgis

import (
	"context"
	"fmt"
	"strings"

	"github.com/bandomap/bando/audit"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/features"
)

// SQL of the cluster labels (migration 10).
const (
	sqlClusterLabels       = `SELECT cluster, label, approved_by, approved FROM cluster_labels`
	sqlApproveClusterLabel = `INSERT INTO cluster_labels (cluster, label, approved_by, approved) VALUES ($1, $2, $3, now())
		ON CONFLICT (cluster) DO UPDATE SET label = EXCLUDED.label, approved_by = EXCLUDED.approved_by, approved = EXCLUDED.approved
		RETURNING approved`
	// sqlBumpVersion changes the data version without a change of any
	// collection's rows, and tells the other servers (migration 3's channel).
	sqlBumpVersion = `WITH v AS (UPDATE data_version SET version = version + 1 RETURNING version)
		SELECT pg_notify('bando_data', json_build_object('v', version, 'c', 'cases', 'b', json_build_array())::text) FROM v`
)

// ApprovedClusterLabels implements features.ClusterLabels.
func (s *Store) ApprovedClusterLabels(ctx context.Context) (map[string]features.ClusterLabel, error) {
	rows, err := s.db.Query(ctx, sqlClusterLabels)
	if err != nil {
		return nil, fmt.Errorf("postgis: read cluster labels: %w", classify(err))
	}
	defer rows.Close()
	out := map[string]features.ClusterLabel{}
	for rows.Next() {
		var l features.ClusterLabel
		if err := rows.Scan(&l.Cluster, &l.Label, &l.ApprovedBy, &l.Approved); err != nil {
			return nil, fmt.Errorf("postgis: read cluster labels: %w", classify(err))
		}
		out[l.Cluster] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgis: read cluster labels: %w", classify(err))
	}
	return out, nil
}

// ApproveClusterLabel implements features.ClusterLabels: the label, its
// audit entry and a new data version commit together.
func (s *Store) ApproveClusterLabel(ctx context.Context, l features.ClusterLabel, entry audit.Entry) (features.ClusterLabel, error) {
	if !s.signer.Usable() {
		return features.ClusterLabel{}, ErrNoSigner
	}
	l.Label = strings.TrimSpace(l.Label)
	if err := features.CheckClusterLabel(l); err != nil {
		return features.ClusterLabel{}, fmt.Errorf("postgis: %w", err)
	}
	l.ApprovedBy = entry.Actor
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return features.ClusterLabel{}, fmt.Errorf("postgis: begin cluster label: %w", classify(err))
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := tx.QueryRow(ctx, sqlApproveClusterLabel, l.Cluster, l.Label, l.ApprovedBy).Scan(&l.Approved); err != nil {
		return features.ClusterLabel{}, fmt.Errorf("postgis: store cluster label: %w", classify(err))
	}
	if _, err := tx.Exec(ctx, sqlBumpVersion); err != nil {
		return features.ClusterLabel{}, fmt.Errorf("postgis: cluster label: %w", classify(err))
	}
	entry.Collection, entry.Subject, entry.Action = "cluster_labels", s.signer.Digest([]byte(l.Cluster)), "label.approve"
	entry.After = features.ClusterLabelAudit(l, s.signer)
	if _, err := auditpg.AppendAll(ctx, tx, s.signer, []audit.Entry{entry}); err != nil {
		return features.ClusterLabel{}, fmt.Errorf("postgis: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return features.ClusterLabel{}, fmt.Errorf("postgis: commit cluster label: %w", classify(err))
	}
	s.caughtUp(ctx)
	return l, nil
}

var _ features.ClusterLabels = (*Store)(nil)
