package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Body is a municipality's council as a whole (OParl Body): the tenant. A
// caller sees only the bodies its claims name.
type Body struct {
	ID        string
	Name      string
	ShortName string
	// ReferencePrefix starts every reference number of the body's motions:
	// "A" (the default) gives "A12/2026".
	ReferencePrefix string
	Created         time.Time
	Modified        time.Time
}

const bodyColumns = `id, name, short_name, reference_prefix, created, modified`

// UpsertBody creates the body or, if its id exists, updates its name, short
// name and reference prefix, keeping its creation time. The admin API and the
// dev seed use it, so running a seed twice is harmless. Zero Created/Modified
// mean "now"; an empty ReferencePrefix means "A".
func (s *Store) UpsertBody(ctx context.Context, b Body) (Body, error) {
	if strings.TrimSpace(b.ID) == "" {
		return Body{}, invalidf("body id is required")
	}
	if strings.TrimSpace(b.Name) == "" {
		return Body{}, invalidf("body name is required")
	}
	if b.ReferencePrefix == "" {
		b.ReferencePrefix = "A"
	}
	rows, _ := s.db().Query(ctx, `
		INSERT INTO bodies (id, name, short_name, reference_prefix, created, modified)
		VALUES ($1, $2, $3, $4, coalesce($5, now()), coalesce($6, now()))
		ON CONFLICT (id) DO UPDATE SET
			name = excluded.name,
			short_name = excluded.short_name,
			reference_prefix = excluded.reference_prefix,
			modified = excluded.modified
		RETURNING `+bodyColumns,
		b.ID, b.Name, b.ShortName, b.ReferencePrefix, timeOrNil(b.Created), timeOrNil(b.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Body])
	return out, mapErr(err)
}

// Body returns the body with id, or ErrNotFound.
func (s *Store) Body(ctx context.Context, id string) (Body, error) {
	rows, _ := s.db().Query(ctx, `SELECT `+bodyColumns+` FROM bodies WHERE id = $1`, id)
	b, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Body])
	return b, mapErr(err)
}

// Bodies returns the bodies with the given ids ordered by name, or every body
// when ids is nil. A non-nil empty ids returns none: it is a restriction to
// no body, e.g. for a caller whose claims name none.
func (s *Store) Bodies(ctx context.Context, ids []string) ([]Body, error) {
	if ids != nil && len(ids) == 0 {
		return []Body{}, nil
	}
	rows, _ := s.db().Query(ctx, `
		SELECT `+bodyColumns+` FROM bodies
		WHERE ($1::text[] IS NULL OR id = ANY($1)) AND NOT deleted
		ORDER BY name, id`, ids)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Body])
	return out, mapErr(err)
}

// timeOrNil returns nil for the zero time, so that SQL can default it.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
