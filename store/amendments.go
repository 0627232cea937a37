package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/motionflow/motionflow/motion"
)

// AmendmentsOf returns the amendments of the motion with id (those whose
// "amends" names it by id or reference), in the order they were submitted;
// drafts only to their sponsors (viewer), like every list.
func (s *Store) AmendmentsOf(ctx context.Context, id string, viewer motion.Actor) ([]motion.Motion, error) {
	rows, err := s.Pool.Query(ctx, `SELECT data FROM motions WHERE amends_motion = $1
		ORDER BY submitted_at NULLS LAST, id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: amendments of %s: %w", id, mapErr(err))
	}
	defer rows.Close()
	var out []motion.Motion
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("store: amendments of %s: %w", id, mapErr(err))
		}
		var m motion.Motion
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("store: decode amendment of %s: %w", id, err)
		}
		if m.VisibleTo(viewer) {
			out = append(out, m)
		}
	}
	return out, mapErr(rows.Err())
}

// AmendedMotion returns the motion of the body an amendment names in its
// "amends", by id or by reference, or ErrNotFound (also for a paper of the
// administration that is no motion). It does not check visibility.
func (s *Store) AmendedMotion(ctx context.Context, bodyID, amends string) (motion.Motion, error) {
	a := strings.TrimSpace(amends)
	if a == "" {
		return motion.Motion{}, ErrNotFound
	}
	if m, err := s.Motion(ctx, a); err == nil && m.BodyID == bodyID {
		return m, nil
	} else if err != nil && !absent(err) {
		return motion.Motion{}, err
	}
	return s.MotionByReference(ctx, bodyID, a)
}
