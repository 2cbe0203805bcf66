package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/bandomap/bando/audit"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

// AccessLog returns the store's tracing.AccessLog: reads are appended to
// the database's audit log (audit/postgis), signed with signer.
func (s *Store) AccessLog(signer audit.Signer) tracing.AccessLog {
	return accessLog{s: s, signer: signer}
}

type accessLog struct {
	s      *Store
	signer audit.Signer
}

// LogRead implements tracing.AccessLog, in its own transaction: the caller
// sends what it read only once this has committed.
func (l accessLog) LogRead(ctx context.Context, r tracing.Read) (audit.Entry, error) {
	if !l.signer.Usable() {
		return audit.Entry{}, errors.New("postgis: log a read: the store was opened without the audit signing key")
	}
	e, err := tracing.ReadEntry(ctx, r)
	if err != nil {
		return audit.Entry{}, err
	}
	err = pgx.BeginFunc(ctx, l.s.pool, func(tx pgx.Tx) error {
		e, err = auditpg.Append(ctx, tx, l.signer, e)
		return err
	})
	if err != nil {
		return audit.Entry{}, fmt.Errorf("postgis: log a read: %w", err)
	}
	return e, nil
}
