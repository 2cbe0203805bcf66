package embedded

import (
	"context"
	"errors"
	"fmt"

	"github.com/bandomap/bando/audit"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// AccessLog returns the store's tracing.AccessLog: reads are appended to
// the file's audit log (audit/embedded), signed with signer.
func (s *Store) AccessLog(signer audit.Signer) tracing.AccessLog {
	return accessLog{s: s, signer: signer}
}

type accessLog struct {
	s      *Store
	signer audit.Signer
}

// LogRead implements tracing.AccessLog in one write transaction.
func (l accessLog) LogRead(ctx context.Context, r tracing.Read) (audit.Entry, error) {
	if !l.signer.Usable() {
		return audit.Entry{}, errors.New("embedded: log a read: the store was opened without the audit signing key")
	}
	e, err := tracing.ReadEntry(ctx, r)
	if err != nil {
		return audit.Entry{}, err
	}
	if err := checkCtx(ctx); err != nil {
		return audit.Entry{}, err
	}
	err = l.s.db.Update(func(tx *bolt.Tx) error {
		e, err = auditbolt.Append(tx, l.signer, e, l.s.clock.Now())
		return err
	})
	if err != nil {
		return audit.Entry{}, fmt.Errorf("embedded: log a read: %w", err)
	}
	return e, nil
}
