package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/motionflow/motionflow/motion"
)

// MotionByReference returns the motion of the body registered under the
// reference ("A762/2019", compared without surrounding blanks and case), or
// ErrNotFound. It does not check visibility; only registered motions have a
// reference, and they are public.
func (s *Store) MotionByReference(ctx context.Context, bodyID, reference string) (motion.Motion, error) {
	ref := strings.TrimSpace(reference)
	if ref == "" {
		return motion.Motion{}, ErrNotFound
	}
	var data []byte
	err := s.Pool.QueryRow(ctx, `SELECT data FROM motions WHERE body_id = $1 AND upper(reference) = upper($2)
		ORDER BY updated_at DESC LIMIT 1`, bodyID, ref).Scan(&data)
	if err != nil {
		return motion.Motion{}, mapErr(err)
	}
	var m motion.Motion
	if err := json.Unmarshal(data, &m); err != nil {
		return motion.Motion{}, fmt.Errorf("store: decode motion %s: %w", ref, err)
	}
	return m, nil
}
