package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

// Persons' private records go by group commit as check-ins do (group.go):
// concurrent RememberPerson calls share one round trip and one commit.

const (
	// sqlGroupPersons keeps each person once (the first record of a key
	// in the list wins, as the first call does).
	sqlGroupPersons = `INSERT INTO private.tracing_persons (person_key, name, phone, id_number, first_seen)
		SELECT DISTINCT ON (k) k, n, p, i, f
		FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[]) AS u(k, n, p, i, f, o)
		ORDER BY k, o ON CONFLICT DO NOTHING`
	// sqlGroupNamePersons names nameless persons (officials only).
	sqlGroupNamePersons = `UPDATE private.tracing_persons t SET name = u.n
		FROM (SELECT DISTINCT ON (k) k, n FROM unnest($1::bytea[], $2::text[], $3::int[]) AS u(k, n, o) WHERE n <> '' ORDER BY k, o) u
		WHERE t.person_key = u.k AND t.name = ''`
)

// personCall is one RememberPerson waiting for its group.
type personCall struct {
	ctx  context.Context
	a    tracing.Access
	p    tracing.Person
	err  error
	done chan struct{}
}

func (c *personCall) finish() { close(c.done) }

// checkPerson refuses a person record without key or number.
func (s *Store) checkPerson(p *tracing.Person) error {
	if p.Key.IsZero() || (p.Phone == "" && p.IDNumber == "") {
		return &tracing.FieldError{Field: "person", Reason: "a person has a key and a phone or ID number"}
	}
	if p.FirstSeen.IsZero() {
		p.FirstSeen = s.clock.Now()
	}
	return nil
}

// RememberPerson implements tracing.Store.
func (s *Store) RememberPerson(ctx context.Context, p tracing.Person) error {
	a, err := access(ctx)
	if err != nil {
		return err
	}
	if err := s.checkPerson(&p); err != nil {
		return err
	}
	call := &personCall{ctx: ctx, a: a, p: p, done: make(chan struct{})}
	s.persons.submit(call, s.writePersons)
	<-call.done
	return call.err
}

// writePersons writes one group of RememberPerson calls; on a failure of
// the whole, each call alone.
func (s *Store) writePersons(calls []*personCall) {
	live := calls[:0:0]
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.err = fmt.Errorf("postgis: remember person: %w", err)
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(live[0].ctx), groupTimeout)
	defer cancel()
	err := s.sendPersons(ctx, live)
	if err == nil || len(live) == 1 {
		if err != nil {
			live[0].err = err
		}
		return
	}
	for _, c := range live {
		c.err = s.sendPersons(c.ctx, []*personCall{c})
	}
}

// sendPersons keeps calls' persons in one round trip: per tenant its
// scope, the insert and, for officials, the naming of nameless persons.
func (s *Store) sendPersons(ctx context.Context, calls []*personCall) error {
	var tenants []string
	byTenant := map[string][]*personCall{}
	for _, c := range calls {
		t := c.a.Tenant()
		if _, ok := byTenant[t]; !ok {
			tenants = append(tenants, t)
		}
		byTenant[t] = append(byTenant[t], c)
	}
	b := &pgx.Batch{}
	for _, t := range tenants {
		cs := byTenant[t]
		keys, names, phones, ids := make([][]byte, len(cs)), make([]string, len(cs)), make([]string, len(cs)), make([]string, len(cs))
		seen, order := make([]time.Time, len(cs)), make([]int32, len(cs))
		for i, c := range cs {
			keys[i], names[i], phones[i], ids[i], seen[i], order[i] = keyBytes(c.p.Key), c.p.Name, c.p.Phone, c.p.IDNumber, c.p.FirstSeen, int32(i)
		}
		b.Queue(sqlScope, t)
		b.Queue(sqlGroupPersons, keys, names, phones, ids, seen, order)
		if t == (tracing.Access{All: true}).Tenant() {
			b.Queue(sqlGroupNamePersons, keys, names, order)
		}
	}
	// NOTE: one implicit transaction up to the pipeline's end (group.go).
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgis: remember persons: %w", err)
	}
	return nil
}
