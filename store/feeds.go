package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/jackc/pgx/v5"
)

// FeedKind says whose iCalendar feed a token opens.
type FeedKind string

// The kinds of feed.
const (
	FeedUser    FeedKind = "user"    // a user's feed; Owner is the OIDC subject
	FeedFaction FeedKind = "faction" // a faction's feed; Owner is the faction's organization id
)

// FeedTokenInfo is what a feed token stands for. The token itself is never
// stored, only its SHA-256 hash; ID names the token for lists and revocation.
type FeedTokenInfo struct {
	ID     string
	Kind   FeedKind
	Owner  string
	BodyID string
	// Audiences are the reminder audiences the owner had when the token was
	// made (e.g. "council_office", "faction:spd"), for the deadlines in the
	// feed: a feed request carries no session to derive them from.
	Audiences []string
	Created   time.Time
	RevokedAt *time.Time
}

const feedTokenColumns = `id, kind, owner, body_id, audiences, created, revoked_at`

// CreateFeedToken makes a new unguessable token (256 random bits, URL-safe
// base64) for the feed described by t (Kind, Owner, BodyID, Audiences; the
// rest is ignored) and returns it once with its stored description. Only the
// token's hash is kept: it cannot be shown again. ErrInvalid for an unknown
// kind, owner or body.
func (s *Store) CreateFeedToken(ctx context.Context, t FeedTokenInfo) (raw string, info FeedTokenInfo, err error) {
	if t.Kind != FeedUser && t.Kind != FeedFaction {
		return "", FeedTokenInfo{}, invalidf("unknown feed kind %q", t.Kind)
	}
	if t.Owner == "" || t.BodyID == "" {
		return "", FeedTokenInfo{}, invalidf("feed owner and body are required")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", FeedTokenInfo{}, err
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	rows, _ := s.Pool.Query(ctx, `
		INSERT INTO feed_tokens (token_hash, id, kind, owner, body_id, audiences)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING `+feedTokenColumns,
		hashToken(raw), randomHex(8), string(t.Kind), t.Owner, t.BodyID, nonNil(t.Audiences))
	info, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[FeedTokenInfo])
	if err != nil {
		return "", FeedTokenInfo{}, mapErr(err)
	}
	return raw, info, nil
}

// FeedToken returns what the raw token stands for; ErrNotFound for a token
// that is unknown or revoked (the feed answers both with 404).
func (s *Store) FeedToken(ctx context.Context, raw string) (FeedTokenInfo, error) {
	if raw == "" {
		return FeedTokenInfo{}, ErrNotFound
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+feedTokenColumns+` FROM feed_tokens
		WHERE token_hash = $1 AND revoked_at IS NULL`, hashToken(raw))
	info, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[FeedTokenInfo])
	return info, mapErr(err)
}

// FeedTokens lists the tokens of a feed owner, revoked ones included, newest first.
func (s *Store) FeedTokens(ctx context.Context, kind FeedKind, owner string) ([]FeedTokenInfo, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+feedTokenColumns+` FROM feed_tokens
		WHERE kind = $1 AND owner = $2 ORDER BY created DESC, id`, string(kind), owner)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[FeedTokenInfo])
	return out, mapErr(err)
}

// RevokeFeedToken revokes the token with id (FeedTokenInfo.ID) for good;
// revoking it again changes nothing. ErrNotFound for an unknown id.
func (s *Store) RevokeFeedToken(ctx context.Context, id string) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE feed_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

func hashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}
