package postgis

import (
	"context"
	"fmt"
	"time"
)

// ReplicaStatus is what a streaming replica says of itself.
type ReplicaStatus struct {
	// InRecovery is false when the server is not a replica (a primary, or
	// a replica promoted).
	InRecovery bool
	// Lag is how far behind the primary the replica's replay is: zero when
	// it has replayed all it received, else the time since the last
	// transaction it replayed committed on the primary. A replica whose
	// link is down says zero: compare Version with the primary's.
	Lag time.Duration
	// Version is the data version the replica has replayed (as Version
	// reports it on the primary).
	Version string
}

// sqlReplicaStatus reads the replay state: the time since the last
// transaction replayed, while WAL received waits to be replayed; zero when
// the replica has replayed all it received (a quiet primary sends
// nothing, and the replay timestamp then ages without any lag) or
// receives nothing (the caller compares data versions for that).
const sqlReplicaStatus = `SELECT pg_is_in_recovery(),
	CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() IS NULL
			OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
		ELSE extract(epoch FROM clock_timestamp() - coalesce(pg_last_xact_replay_timestamp(), pg_postmaster_start_time())) END,
	(SELECT identity || '.' || version FROM data_version)`

// ReplicaStatus reads whether the database is a replica, its replay lag
// and the data version it has replayed.
func (s *Store) ReplicaStatus(ctx context.Context) (ReplicaStatus, error) {
	var st ReplicaStatus
	var lag float64
	if err := s.db.QueryRow(ctx, sqlReplicaStatus).Scan(&st.InRecovery, &lag, &st.Version); err != nil {
		return ReplicaStatus{}, fmt.Errorf("postgis: replica status: %w", classify(err))
	}
	st.Lag = time.Duration(lag * float64(time.Second))
	return st, nil
}
