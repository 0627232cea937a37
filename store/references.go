package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// AssignReference gives the motion its reference number in the body's
// sequence of the year, e.g. "A762/2019" with seq 762 for prefix "A".
//
// Numbers are unique and consecutive per (body, year) under any concurrency:
// the counter row is incremented by an upsert that locks it until the
// transaction that records the assignment commits, and a transaction that
// fails rolls its increment back, so no number is skipped or given twice. The
// call is idempotent per motion: once a motion has a reference, every later
// call returns that reference (whatever body and year it names), so a retried
// activity never burns a number. ErrNotFound if the body does not exist.
func (s *Store) AssignReference(ctx context.Context, bodyID, motionID string, year int) (reference string, seq int, err error) {
	if motionID == "" {
		return "", 0, invalidf("motion id is required")
	}
	if year < 1 || year > 9999 {
		return "", 0, invalidf("year %d out of range", year)
	}
	// A concurrent call for the same motion makes the insert below fail with
	// a unique violation on motion_id; the retry then finds its assignment.
	for attempt := 0; ; attempt++ {
		reference, seq, err = s.assignReference(ctx, bodyID, motionID, year)
		var pg *pgconn.PgError
		if attempt < 3 && errors.As(err, &pg) && pg.Code == "23505" && pg.ConstraintName == "reference_numbers_pkey" {
			continue
		}
		if err != nil {
			return "", 0, fmt.Errorf("store: assign reference to motion %s: %w", motionID, mapErr(err))
		}
		return reference, seq, nil
	}
}

func (s *Store) assignReference(ctx context.Context, bodyID, motionID string, year int) (reference string, seq int, err error) {
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT reference, seq FROM reference_numbers WHERE motion_id = $1`, motionID).Scan(&reference, &seq)
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var prefix string
		if err := tx.QueryRow(ctx, `SELECT reference_prefix FROM bodies WHERE id = $1`, bodyID).Scan(&prefix); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("body %q: %w", bodyID, ErrNotFound)
			}
			return err
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO reference_counters (body_id, year, last) VALUES ($1, $2, 1)
			ON CONFLICT (body_id, year) DO UPDATE SET last = reference_counters.last + 1
			RETURNING last`, bodyID, year).Scan(&seq); err != nil {
			return err
		}
		reference = FormatReference(prefix, seq, year)
		_, err = tx.Exec(ctx, `
			INSERT INTO reference_numbers (motion_id, body_id, year, seq, reference)
			VALUES ($1, $2, $3, $4, $5)`, motionID, bodyID, year, seq, reference)
		return err
	})
	return reference, seq, err
}

// FormatReference writes a reference number the way the council office does:
// prefix, number, slash, year ("A762/2019"). An empty prefix means "A".
func FormatReference(prefix string, seq, year int) string {
	if prefix == "" {
		prefix = "A"
	}
	return prefix + strconv.Itoa(seq) + "/" + strconv.Itoa(year)
}
