package embedded

import (
	"context"
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

// bucketClusterLabels holds the approved cluster labels: the cluster's name
// → the label as JSON.
const bucketClusterLabels = "cluster_labels"

// ApprovedClusterLabels implements features.ClusterLabels.
func (s *Store) ApprovedClusterLabels(ctx context.Context) (map[string]features.ClusterLabel, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded: cluster labels: %w", err)
	}
	out := map[string]features.ClusterLabel{}
	err := guard(s.path, func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte(bucketClusterLabels))
			if b == nil {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				var l features.ClusterLabel
				if err := json.Unmarshal(v, &l); err != nil {
					return corrupt(s.path, "cluster label "+string(k))
				}
				out[string(k)] = l
				return nil
			})
		})
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return nil, ErrClosed
	}
	return out, err
}

// ApproveClusterLabel implements features.ClusterLabels: the label, its
// audit entry and a new write counter (the data version) commit together.
func (s *Store) ApproveClusterLabel(ctx context.Context, l features.ClusterLabel, entry audit.Entry) (features.ClusterLabel, error) {
	if !s.signer.Usable() {
		return features.ClusterLabel{}, ErrNoSigner
	}
	l.Label = strings.TrimSpace(l.Label)
	if err := features.CheckClusterLabel(l); err != nil {
		return features.ClusterLabel{}, fmt.Errorf("embedded: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return features.ClusterLabel{}, fmt.Errorf("embedded: cluster label: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	now := time.Now()
	l.ApprovedBy, l.Approved = entry.Actor, now.UTC().Truncate(time.Microsecond)
	var m meta
	err := guard(s.path, func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			var err error
			if m, err = bumpWrites(tx); err != nil {
				return err
			}
			b, err := tx.CreateBucketIfNotExists([]byte(bucketClusterLabels))
			if err != nil {
				return fmt.Errorf("embedded: cluster labels: %w", err)
			}
			v, _ := json.Marshal(l) // NOTE: strings and a time always encode
			if err := b.Put([]byte(l.Cluster), v); err != nil {
				return fmt.Errorf("embedded: store cluster label: %w", err)
			}
			entry.Collection, entry.Subject, entry.Action = "cluster_labels", s.signer.Digest([]byte(l.Cluster)), "label.approve"
			entry.After = features.ClusterLabelAudit(l, s.signer)
			_, err = auditbolt.Append(tx, s.signer, entry, now)
			return err
		})
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return features.ClusterLabel{}, ErrClosed
	}
	if err != nil {
		return features.ClusterLabel{}, err
	}
	cur := s.snap.Load()
	s.publish(&snapshot{version: m.version(), identity: m.identity, writes: m.writes, cols: cur.cols}, nil)
	return l, nil
}

var _ features.ClusterLabels = (*Store)(nil)
