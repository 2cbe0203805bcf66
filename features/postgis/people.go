package postgis

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
)

var _ features.People = (*Store)(nil)

// sqlDigits is the digits of a personal column, as features.DigitsOf.
const sqlDigits = "regexp_replace(coalesce(p.%s, ''), '[^0-9]', '', 'g')"

// People implements features.People: every people layer's records whose
// private phone or ID number, as digits, is one of m.Digits, or the case
// of code m.Code.
func (s *Store) People(ctx context.Context, m features.PersonMatch) ([]features.Stored, error) {
	out := []features.Stored{}
	for _, col := range s.catalog.All() {
		if _, ok := privateTables[col.ID]; !ok || !col.People {
			continue
		}
		cols, from := editorSelect(col)
		cond := fmt.Sprintf("("+sqlDigits+" = ANY($1) OR "+sqlDigits+" = ANY($1))", "phone", "id_number")
		args := []any{m.Digits}
		if _, ok := col.Property("code"); ok && m.Code != "" {
			cond += " OR t.code = $2"
			args = append(args, m.Code)
		}
		rows, err := s.db.Query(ctx, "SELECT "+cols+" FROM "+from+" WHERE "+cond+" ORDER BY t.id", args...)
		if err != nil {
			return nil, fmt.Errorf("postgis: find a person's %s: %w", col.ID, classify(err))
		}
		for rows.Next() {
			r, err := scanEditorRow(col, rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, r.Stored)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("postgis: find a person's %s: %w", col.ID, classify(err))
		}
	}
	return out, nil
}

// ErasePeopleTx deletes, in tx, the private rows (name, phone, ID number,
// address, exact location) of the records refs names; the public rows,
// whose positions are already geomasked, stay, so that counts do not
// change. It returns how many private rows went. tracing/postgis calls it
// in the transaction of a person's erasure.
func (s *Store) ErasePeopleTx(ctx context.Context, tx pgx.Tx, refs []features.PersonRef) (int64, error) {
	ids := map[string][]string{}
	for _, r := range refs {
		if _, ok := privateTables[r.Collection]; !ok {
			return 0, fmt.Errorf("postgis: %w: %s holds no personal fields", features.ErrInvalid, r.Collection)
		}
		ids[r.Collection] = append(ids[r.Collection], r.ID)
	}
	var n int64
	for col, list := range ids {
		priv := privateTables[col]
		tag, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{"private", priv[0]}.Sanitize()+" WHERE "+
			pgx.Identifier{priv[1]}.Sanitize()+" = ANY($1)", list)
		if err != nil {
			return 0, fmt.Errorf("postgis: erase the personal side of %s: %w", col, classify(err))
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
