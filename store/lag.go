package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// ReadModelVersion is how far the read model has followed one motion's
// workflow: the version of its motion row and the rows of its audit trail.
type ReadModelVersion struct {
	MotionID string
	// Version is the motion row's version, 0 when there is no row.
	Version int64
	// Events counts the motion's audit-trail rows (one per version projected).
	Events int64
}

// ReadModelVersions returns the read model's version of each motion in ids,
// in the order of ids; a motion without a row has version 0. The operator
// command `motionflow readmodel` compares them with the workflows' versions.
func (s *Store) ReadModelVersions(ctx context.Context, ids []string) ([]ReadModelVersion, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT i.id, coalesce(m.version, 0),
			(SELECT count(*) FROM motion_events e WHERE e.motion_id = i.id)
		FROM unnest($1::text[]) WITH ORDINALITY AS i(id, n)
		LEFT JOIN motions m ON m.id = i.id
		ORDER BY i.n`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: read-model versions: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReadModelVersion, error) {
		var v ReadModelVersion
		return v, r.Scan(&v.MotionID, &v.Version, &v.Events)
	})
	if err != nil {
		return nil, fmt.Errorf("store: read-model versions: %w", mapErr(err))
	}
	return out, nil
}

// RestoreMotion writes the motion row as the workflow holds it, without an
// audit-trail event, unless the row holds a newer version: for rebuilding the
// read model when the event of the motion's current version is no longer
// known (it was projected in a workflow run Temporal has deleted). Project
// is the way for everything else.
func (s *Store) RestoreMotion(ctx context.Context, m motion.Motion) error {
	if m.ID == "" || m.Version <= 0 {
		return invalidf("motion id and a positive version are required")
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error { return upsertMotion(ctx, tx, m) })
	if err != nil {
		return fmt.Errorf("store: restore motion %s version %d: %w", m.ID, m.Version, mapErr(err))
	}
	return nil
}

// RestoreReference records a reference number the motion's workflow already
// holds (after the database lost it), and raises the body's counter of the
// year to at least seq, so that AssignReference goes on after it instead of
// giving the number again. Restoring the same reference again changes
// nothing. ErrConflict when the motion holds another number in the database
// or another motion holds this one (numbers were given twice while the rows
// were missing: the council office must decide); ErrInvalid for an unknown
// body (restore or import the directory first).
func (s *Store) RestoreReference(ctx context.Context, bodyID, motionID string, year, seq int, reference string) error {
	if bodyID == "" || motionID == "" || reference == "" || seq < 1 || year < 1 || year > 9999 {
		return invalidf("restore reference of motion %q: body, reference, year and number are required", motionID)
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO reference_counters (body_id, year, last) VALUES ($1, $2, $3)
			ON CONFLICT (body_id, year) DO UPDATE SET last = greatest(reference_counters.last, excluded.last)`,
			bodyID, year, seq); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO reference_numbers (motion_id, body_id, year, seq, reference) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (motion_id) DO NOTHING`, motionID, bodyID, year, seq, reference); err != nil {
			return err
		}
		var held string
		if err := tx.QueryRow(ctx, `SELECT reference FROM reference_numbers WHERE motion_id = $1`, motionID).Scan(&held); err != nil {
			return err
		}
		if held != reference {
			return fmt.Errorf("%w: motion %s holds %s in the database, %s in its workflow", ErrConflict, motionID, held, reference)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: restore reference %s of motion %s: %w", reference, motionID, mapErr(err))
	}
	return nil
}
