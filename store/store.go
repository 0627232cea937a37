package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound reports that the requested row does not exist. The API answers it
// with 404; for motions it is also what a caller gets for what it may not see.
var ErrNotFound = errors.New("not found")

// ErrConflict reports a unique violation, e.g. creating a row with an id that
// is already taken, so that the API can answer 409 instead of 500.
var ErrConflict = errors.New("conflict")

// ErrInvalid reports input the store refuses: a missing required field, a
// reference to a row that does not exist, an unknown kind, a malformed cursor,
// text PostgreSQL cannot hold (invalid UTF-8, NUL) or that is too long for
// its column. The API answers it with 422 (or 400 for a cursor).
var ErrInvalid = errors.New("invalid")

// Store is the read model's handle: a pgx connection pool. It is safe for
// concurrent use; the pool is exported for tests and ad-hoc queries.
type Store struct {
	Pool *pgxpool.Pool
	// live fans PostgreSQL's meeting_changed notifications out to every
	// WaitMeeting, over one connection (started with the first waiter).
	live meetingListener
	// tx is set on the Store that InTx hands to its function: the
	// directory's reads and writes (bodies, organizations, persons,
	// memberships, meetings) then run in that transaction.
	tx pgx.Tx
	// walk bounds a search's walk (0: searchWalk); tests set it small to
	// reach the search index's part with a few hundred motions.
	walk int
}

// querier is what the directory's statements run on: the pool, or the
// transaction of InTx.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// db is where the directory's statements run: InTx's transaction, else the pool.
func (s *Store) db() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.Pool
}

// InTx runs fn in one transaction: fn gets a Store whose directory methods
// (UpsertBody, Body, CreateOrganization, UpdateOrganization, Organization,
// CheckGremium, CreatePerson, UpdatePerson, Person, PersonEmail,
// SetPersonEmail, AddMembership, Membership, UpdateMembership,
// CreateMeeting, UpdateMeeting, Meeting) all run in it; it commits when fn
// returns nil and rolls back otherwise, so that a set-up either happens
// completely or not at all (motionflow bootstrap). The Store given to fn has
// no pool: any other method panics instead of writing outside the
// transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return fn(&Store{tx: tx})
	})
}

// Open connects a pool to databaseURL and pings the server, so that a wrong
// URL or a down database fails at start-up, not at the first request.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: ping %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{Pool: pool}, nil
}

// Close closes the pool and waits for its connections to be released.
func (s *Store) Close() {
	s.live.stop()
	s.Pool.Close()
}

// invalidf returns an error wrapping ErrInvalid.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// invalidInput are the SQLSTATEs of input PostgreSQL refuses; mapErr makes
// them ErrInvalid, so that bad input is a 4xx and never a 500.
var invalidInput = map[string]bool{
	"23503": true, // foreign_key_violation: a reference to a row that is not there
	"23502": true, // not_null_violation
	"23514": true, // check_violation
	"22P02": true, // invalid_text_representation: not a uuid, not a number
	"22007": true, // invalid_datetime_format
	"22008": true, // datetime_field_overflow
	"22001": true, // string_data_right_truncation: too long for its column
	"22021": true, // character_not_in_repertoire: invalid UTF-8
	"22P05": true, // untranslatable_character: NUL in text or jsonb
}

// mapErr turns pgx and PostgreSQL errors into the package's sentinel errors,
// keeping the original in the chain.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case invalidInput[pg.Code]:
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	return err
}

// nonNil returns s, or an empty slice for nil, for NOT NULL array columns.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
