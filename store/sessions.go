package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// Session is the server side of a browser session (package auth/session).
// The session id itself is never stored, only its SHA-256 hash: whoever reads
// the table cannot present a session.
type Session struct {
	Subject string
	Issuer  string
	Name    string
	// Actor is the caller as mapped from the ID token's claims at login; it
	// stays as it was until the next login.
	Actor motion.Actor
	// IDToken is the raw ID token, sent as id_token_hint at logout.
	IDToken  string
	Created  time.Time
	LastSeen time.Time
	// Expires is the absolute end of the session.
	Expires time.Time
}

const sessionColumns = `subject, issuer, name, actor, created, last_seen, expires, id_token`

// CreateSession stores a new session under the SHA-256 hash of id (the raw
// session id, which is not stored). Subject and Issuer are required, and
// Expires must be after Created; LastSeen defaults to Created.
// ErrConflict if the id is taken.
func (s *Store) CreateSession(ctx context.Context, id string, sess Session) error {
	if id == "" || sess.Subject == "" || sess.Issuer == "" {
		return invalidf("session id, subject and issuer are required")
	}
	if !sess.Expires.After(sess.Created) {
		return invalidf("session expires before it is created")
	}
	if sess.LastSeen.IsZero() {
		sess.LastSeen = sess.Created
	}
	_, err := s.Pool.Exec(ctx, `
		INSERT INTO sessions (id_hash, subject, issuer, name, actor, created, last_seen, expires, id_token)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		hashToken(id), sess.Subject, sess.Issuer, sess.Name, sess.Actor,
		sess.Created, sess.LastSeen, sess.Expires, sess.IDToken)
	return mapErr(err)
}

// LiveSession returns the session with id if it is alive at now: known, not
// past its Expires, and last seen after idleSince (now minus the idle
// timeout). ErrNotFound otherwise; an unknown, expired and idle session look
// the same. It does not change last_seen (see TouchSession).
func (s *Store) LiveSession(ctx context.Context, id string, now, idleSince time.Time) (Session, error) {
	if id == "" {
		return Session{}, ErrNotFound
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE id_hash = $1 AND expires > $2 AND last_seen > $3`, hashToken(id), now, idleSince)
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Session])
	return sess, mapErr(err)
}

// TouchSession records that the session with id was used at now; last_seen
// never moves backwards. ErrNotFound for an unknown id.
func (s *Store) TouchSession(ctx context.Context, id string, now time.Time) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE sessions SET last_seen = greatest(last_seen, $2) WHERE id_hash = $1`,
		hashToken(id), now)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSession ends the session with id and returns what it was (for the
// ID token hint at logout). ErrNotFound for an unknown id.
func (s *Store) DeleteSession(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, ErrNotFound
	}
	rows, _ := s.Pool.Query(ctx, `DELETE FROM sessions WHERE id_hash = $1 RETURNING `+sessionColumns, hashToken(id))
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Session])
	return sess, mapErr(err)
}

// LoginState is a login in progress: what the callback needs to finish it.
// State and Binding (the pre-login cookie) are stored as SHA-256 hashes only.
type LoginState struct {
	State    string `db:"-"`
	Binding  string `db:"-"`
	Nonce    string
	Verifier string // the PKCE code verifier
	Next     string // the local path to land on after login
	Created  time.Time
	Expires  time.Time
}

// MaxLoginStatesPerBinding is how many logins in progress one browser (one
// pre-login cookie) may have; CreateLoginState forgets the oldest beyond it.
const MaxLoginStatesPerBinding = 8

const loginStateColumns = `nonce, verifier, next, created, expires`

// CreateLoginState stores a login in progress. State, Binding, Nonce and
// Verifier are required, and Expires must be after Created. The binding's
// oldest logins beyond MaxLoginStatesPerBinding are dropped.
func (s *Store) CreateLoginState(ctx context.Context, ls LoginState) error {
	if ls.State == "" || ls.Binding == "" || ls.Nonce == "" || ls.Verifier == "" {
		return invalidf("login state, binding, nonce and verifier are required")
	}
	if !ls.Expires.After(ls.Created) {
		return invalidf("login state expires before it is created")
	}
	if ls.Next == "" {
		ls.Next = "/"
	}
	return mapErr(pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		binding := hashToken(ls.Binding)
		if _, err := tx.Exec(ctx, `
			INSERT INTO login_states (state_hash, binding_hash, nonce, verifier, next, created, expires)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			hashToken(ls.State), binding, ls.Nonce, ls.Verifier, ls.Next, ls.Created, ls.Expires); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			DELETE FROM login_states WHERE binding_hash = $1 AND state_hash NOT IN (
				SELECT state_hash FROM login_states WHERE binding_hash = $1
				ORDER BY created DESC, state_hash LIMIT $2)`,
			binding, MaxLoginStatesPerBinding)
		return err
	}))
}

// TakeLoginState removes and returns the login in progress with state, if it
// was started by the browser holding binding and has not expired at now.
// It succeeds at most once per state: ErrNotFound for an unknown, used,
// expired or foreign (other binding) state. A state presented with another
// binding stays in place for its own browser.
func (s *Store) TakeLoginState(ctx context.Context, state, binding string, now time.Time) (LoginState, error) {
	if state == "" || binding == "" {
		return LoginState{}, ErrNotFound
	}
	rows, _ := s.Pool.Query(ctx, `DELETE FROM login_states WHERE state_hash = $1 AND binding_hash = $2
		RETURNING `+loginStateColumns, hashToken(state), hashToken(binding))
	ls, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[LoginState])
	if err != nil {
		return LoginState{}, mapErr(err)
	}
	if !ls.Expires.After(now) {
		return LoginState{}, ErrNotFound
	}
	ls.State, ls.Binding = state, binding
	return ls, nil
}

// DeleteLoginStates forgets every login in progress of binding (after a
// login has finished, its other attempts are void).
func (s *Store) DeleteLoginStates(ctx context.Context, binding string) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM login_states WHERE binding_hash = $1`, hashToken(binding))
	return mapErr(err)
}

// PurgeSessions deletes the sessions that are dead at now (past their
// Expires, or last seen at or before idleSince) and the logins in progress
// that have expired, and returns how many rows went.
func (s *Store) PurgeSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires <= $1 OR last_seen <= $2`, now, idleSince)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		tag, err = tx.Exec(ctx, `DELETE FROM login_states WHERE expires <= $1`, now)
		n += tag.RowsAffected()
		return err
	})
	return n, mapErr(err)
}
