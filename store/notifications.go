package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// Channel is a way a reminder reaches people.
type Channel string

// The channels.
const (
	ChannelEmail   Channel = "email"   // an e-mail over SMTP
	ChannelWebhook Channel = "webhook" // a signed JSON POST
	ChannelInApp   Channel = "inapp"   // the in-app worklist, read from the reminder log
)

// NotificationTarget says where the reminders of one audience of a body go:
// an e-mail address, or a webhook URL with the secret its requests are
// signed with.
type NotificationTarget struct {
	ID       string
	BodyID   string
	Audience string
	Channel  Channel
	Address  string
	Secret   string
	Created  time.Time
}

const targetColumns = `id, body_id, audience, channel, address, secret, created`

// AddNotificationTarget stores a target. An empty ID is generated; a webhook
// without a secret gets a random one (returned, to be handed to the
// receiver). ErrInvalid for an unknown body, a malformed address (an e-mail
// address, or an absolute http(s) URL for a webhook) or an unknown channel;
// ErrConflict if the body already sends that audience to that address.
func (s *Store) AddNotificationTarget(ctx context.Context, t NotificationTarget) (NotificationTarget, error) {
	t.Audience = strings.TrimSpace(t.Audience)
	t.Address = strings.TrimSpace(t.Address)
	if t.BodyID == "" || t.Audience == "" {
		return NotificationTarget{}, invalidf("target body and audience are required")
	}
	switch t.Channel {
	case ChannelEmail:
		a, err := mail.ParseAddress(t.Address)
		if err != nil {
			return NotificationTarget{}, invalidf("e-mail address %q: %v", t.Address, err)
		}
		t.Address = a.Address
	case ChannelWebhook:
		u, err := url.Parse(t.Address)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return NotificationTarget{}, invalidf("webhook URL %q must be an absolute http(s) URL", t.Address)
		}
		if t.Secret == "" {
			t.Secret = randomHex(32)
		}
	default:
		return NotificationTarget{}, invalidf("unknown channel %q for a target", t.Channel)
	}
	rows, _ := s.Pool.Query(ctx, `
		INSERT INTO notification_targets (id, body_id, audience, channel, address, secret)
		VALUES (coalesce(nullif($1, ''), gen_random_uuid()::text), $2, $3, $4, $5, $6)
		RETURNING `+targetColumns,
		t.ID, t.BodyID, t.Audience, string(t.Channel), t.Address, t.Secret)
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[NotificationTarget])
	return out, mapErr(err)
}

// NotificationTargets lists the body's targets for any of the audiences,
// ordered by audience, channel and address; nil audiences means all of them,
// a non-nil empty slice none.
func (s *Store) NotificationTargets(ctx context.Context, bodyID string, audiences []string) ([]NotificationTarget, error) {
	if audiences != nil && len(audiences) == 0 {
		return []NotificationTarget{}, nil
	}
	rows, _ := s.Pool.Query(ctx, `
		SELECT `+targetColumns+` FROM notification_targets
		WHERE body_id = $1 AND ($2::text[] IS NULL OR audience = ANY($2))
		ORDER BY audience, channel, address, id`, bodyID, audiences)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[NotificationTarget])
	return out, mapErr(err)
}

// DeleteNotificationTarget removes the body's target with id; ErrNotFound if
// the body has no such target. Reminders already recorded stay.
func (s *Store) DeleteNotificationTarget(ctx context.Context, bodyID, id string) error {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM notification_targets WHERE body_id = $1 AND id = $2`, bodyID, id)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Watch is a user following a motion: its reminders reach the user through
// the channels chosen (ChannelEmail, ChannelInApp). With Digest, e-mails are
// queued for a daily digest instead of sent at once. Watchers get the
// reminders of a motion's deadlines, not the escalations to the council office.
//
// E-mail goes only to a confirmed address (EmailConfirmed): one the identity
// provider vouches for, or one whose owner opened a confirmation link
// (RequestWatchConfirmation, ConfirmWatchAddress). Confirmation belongs to
// the pair of user and address, so it holds for all the user's watches.
type Watch struct {
	MotionID string
	// Subject is the user's OIDC subject.
	Subject  string
	Name     string
	Email    string
	Channels []Channel
	Digest   bool
	Created  time.Time
	// EmailConfirmed reports whether Email is confirmed for Subject. Set it
	// when calling Store.Watch only if the address is the user's verified
	// one (the token's email claim): it then counts as confirmed.
	EmailConfirmed bool
}

const watchColumns = `w.motion_id, w.subject, w.name, w.email, w.channels, w.digest, w.created,
	EXISTS (SELECT 1 FROM watch_addresses a WHERE a.subject = w.subject AND a.email = lower(w.email)) AS email_confirmed`

// Watch starts or changes a watch (keeping its creation time) and returns it,
// with EmailConfirmed as it stands. ErrInvalid for an unknown motion, a
// channel other than e-mail and in-app, or the e-mail channel without a valid
// address. No channels means in-app.
func (s *Store) Watch(ctx context.Context, w Watch) (Watch, error) {
	if w.MotionID == "" || w.Subject == "" {
		return Watch{}, invalidf("watch motion and subject are required")
	}
	if len(w.Channels) == 0 {
		w.Channels = []Channel{ChannelInApp}
	}
	var chans []string
	for _, c := range w.Channels {
		if c != ChannelEmail && c != ChannelInApp {
			return Watch{}, invalidf("a watch cannot use channel %q", c)
		}
		if !slices.Contains(chans, string(c)) {
			chans = append(chans, string(c))
		}
	}
	if w.Email = strings.TrimSpace(w.Email); w.Email != "" {
		a, err := mail.ParseAddress(w.Email)
		if err != nil {
			return Watch{}, invalidf("e-mail address %q: %v", w.Email, err)
		}
		w.Email = a.Address
	}
	if slices.Contains(chans, string(ChannelEmail)) && w.Email == "" {
		return Watch{}, invalidf("watching by e-mail needs an e-mail address")
	}
	var out Watch
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if w.EmailConfirmed && w.Email != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO watch_addresses (subject, email) VALUES ($1, lower($2))
				ON CONFLICT DO NOTHING`, w.Subject, w.Email); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO watches (motion_id, subject, name, email, channels, digest)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (motion_id, subject) DO UPDATE SET
				name = excluded.name, email = excluded.email, channels = excluded.channels, digest = excluded.digest`,
			w.MotionID, w.Subject, w.Name, w.Email, chans, w.Digest); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+watchColumns+` FROM watches w WHERE motion_id = $1 AND subject = $2`, w.MotionID, w.Subject)
		var err error
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Watch])
		return err
	})
	return out, mapErr(err)
}

// RequestWatchConfirmation makes the token of a confirmation link for the
// subject's address email, valid for ttl, and returns it once: only its hash
// is stored, and it replaces any earlier token of that address. So that an
// address gets at most one confirmation mail per resendAfter, it returns
// ErrConflict (and makes nothing) while the previous token is younger than
// that. ErrInvalid for an empty subject or a malformed address. Tokens
// expired for more than a day are deleted on the way.
func (s *Store) RequestWatchConfirmation(ctx context.Context, subject, email string, ttl, resendAfter time.Duration) (string, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(email))
	if subject == "" || err != nil {
		return "", invalidf("a confirmation needs a subject and a valid e-mail address")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	raw := base64.RawURLEncoding.EncodeToString(b)
	// Tokens nobody used are kept a day past their expiry (to tell the one
	// who opens the link late that it expired), then dropped here.
	if _, err := s.Pool.Exec(ctx, `DELETE FROM watch_confirmations WHERE expires < now() - interval '1 day'`); err != nil {
		return "", mapErr(err)
	}
	tag, err := s.Pool.Exec(ctx, `
		INSERT INTO watch_confirmations (subject, email, token_hash, expires)
		VALUES ($1, lower($2), $3, now() + $4::interval)
		ON CONFLICT (subject, email) DO UPDATE SET
			token_hash = excluded.token_hash, created = excluded.created, expires = excluded.expires
		WHERE watch_confirmations.created <= now() - $5::interval`,
		subject, a.Address, hashToken(raw), ttl, resendAfter)
	if err != nil {
		return "", mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return "", ErrConflict
	}
	return raw, nil
}

// ErrExpired reports a confirmation token that was valid once but is no
// longer.
var ErrExpired = errors.New("expired")

// ConfirmWatchAddress confirms the address of the token from a confirmation
// link and returns the subject and address it belongs to. A token works once:
// it is gone afterwards, also when it had expired (ErrExpired). ErrNotFound
// for a token that is unknown or used.
func (s *Store) ConfirmWatchAddress(ctx context.Context, raw string) (subject, email string, err error) {
	if raw == "" || len(raw) > 200 {
		return "", "", ErrNotFound
	}
	var valid bool
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `DELETE FROM watch_confirmations WHERE token_hash = $1
			RETURNING subject, email, expires > now()`, hashToken(raw)).Scan(&subject, &email, &valid)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || !valid {
			return err // an expired token is deleted all the same
		}
		_, err = tx.Exec(ctx, `INSERT INTO watch_addresses (subject, email) VALUES ($1, $2)
			ON CONFLICT (subject, email) DO UPDATE SET confirmed = now()`, subject, email)
		return err
	})
	if err != nil {
		return "", "", mapErr(err)
	}
	if !valid {
		return "", "", ErrExpired
	}
	return subject, email, nil
}

// Unwatch ends the subject's watch of the motion; ErrNotFound if there was none.
func (s *Store) Unwatch(ctx context.Context, motionID, subject string) error {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM watches WHERE motion_id = $1 AND subject = $2`, motionID, subject)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Watchers lists the watches of a motion in the order they were made, as
// reminders reach them: a watch whose address is not confirmed comes without
// the e-mail channel, so that nothing is mailed (or queued for a digest) to
// an address its owner did not agree to.
func (s *Store) Watchers(ctx context.Context, motionID string) ([]Watch, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+watchColumns+` FROM watches w WHERE motion_id = $1 ORDER BY created, subject`, motionID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Watch])
	for i, w := range out {
		if !w.EmailConfirmed {
			out[i].Channels = slices.DeleteFunc(w.Channels, func(c Channel) bool { return c == ChannelEmail })
		}
	}
	return out, mapErr(err)
}

// WatchedBy lists the subject's watches, newest first.
func (s *Store) WatchedBy(ctx context.Context, subject string) ([]Watch, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+watchColumns+` FROM watches w WHERE subject = $1 ORDER BY created DESC, motion_id`, subject)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Watch])
	return out, mapErr(err)
}

// DeliveryStatus is where one delivery of a reminder stands.
type DeliveryStatus string

// The statuses of a delivery.
const (
	// DeliveryPending: claimed, being sent or to be retried.
	DeliveryPending DeliveryStatus = "pending"
	// DeliverySent: delivered (for in-app rows: recorded); never sent again.
	DeliverySent DeliveryStatus = "sent"
	// DeliveryQueued: waiting for the recipient's daily digest.
	DeliveryQueued DeliveryStatus = "queued"
	// DeliveryFailed: refused for good (e.g. an address the mail server
	// rejects); never retried.
	DeliveryFailed DeliveryStatus = "failed"
)

// Recipients in the reminder log are strings with a scheme, so that one
// address reached through two targets (or a target and a watch) gets one
// delivery.

// EmailRecipient is the recipient of an e-mail to addr ("mailto:" + the address, lower case).
func EmailRecipient(addr string) string { return "mailto:" + strings.ToLower(strings.TrimSpace(addr)) }

// WebhookRecipient is the recipient of a webhook POST to url.
func WebhookRecipient(url string) string { return "webhook:" + url }

// AudienceRecipient is the recipient of the in-app record of a reminder for an audience.
func AudienceRecipient(audience string) string { return "audience:" + audience }

// UserRecipient is the recipient of the in-app record of a reminder for a watching user.
func UserRecipient(subject string) string { return "user:" + subject }

// AudienceWatchers is the Audience of the deliveries to a motion's watchers.
const AudienceWatchers = "watchers"

// DeliveryKey identifies one delivery: a reminder of a motion to a recipient.
type DeliveryKey struct {
	MotionID    string
	ReminderKey string
	Recipient   string
}

// Delivery is one row of the reminder log: one reminder of one motion to one
// recipient through one channel. Every reminder is recorded here, whatever
// the channel: in-app rows (ChannelInApp, recipient AudienceRecipient or
// UserRecipient) are what the worklist reads.
type Delivery struct {
	DeliveryKey
	Channel      Channel
	Audience     string
	BodyID       string
	DeadlineKey  string
	DeadlineKind motion.DeadlineKind
	Due          time.Time
	// At is the reminder's time, as the workflow computed it.
	At         time.Time
	Escalation bool
	Status     DeliveryStatus
	// Attempts counts the claims (sends begun).
	Attempts  int
	SentAt    *time.Time
	LastError string
	// Payload is what the reminder says, as JSON (the webhook body).
	Payload json.RawMessage
	Created time.Time
}

const deliveryColumns = `motion_id, reminder_key, recipient, channel, audience, body_id, deadline_key,
	deadline_kind, due, at, escalation, status, attempts, sent_at, last_error, payload, created`

func (d Delivery) validate() error {
	if d.MotionID == "" || d.ReminderKey == "" || d.Recipient == "" {
		return invalidf("delivery needs motion, reminder key and recipient")
	}
	if d.Due.IsZero() || d.At.IsZero() {
		return invalidf("delivery needs due and reminder times")
	}
	return nil
}

// RecordDelivery inserts d with its Status (DeliverySent for in-app records,
// DeliveryQueued for a digest) unless a delivery with its key exists, and
// returns the stored row: inserted tells whether it was new. An existing row
// is never changed, so recording a reminder twice is harmless.
func (s *Store) RecordDelivery(ctx context.Context, d Delivery) (stored Delivery, inserted bool, err error) {
	if err := d.validate(); err != nil {
		return Delivery{}, false, err
	}
	if d.Status == "" {
		d.Status = DeliverySent
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO reminders (motion_id, reminder_key, recipient, channel, audience, body_id, deadline_key,
				deadline_kind, due, at, escalation, status, sent_at, payload)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
				CASE WHEN $12 = 'sent' THEN now() END, $13)
			ON CONFLICT ON CONSTRAINT reminders_delivery DO NOTHING`,
			d.MotionID, d.ReminderKey, d.Recipient, string(d.Channel), d.Audience, d.BodyID, d.DeadlineKey,
			string(d.DeadlineKind), d.Due, d.At, d.Escalation, string(d.Status), payloadOrNil(d.Payload))
		if err != nil {
			return err
		}
		inserted = tag.RowsAffected() == 1
		stored, err = getDelivery(ctx, tx, d.DeliveryKey)
		return err
	})
	if err != nil {
		return Delivery{}, false, fmt.Errorf("store: record delivery: %w", mapErr(err))
	}
	return stored, inserted, nil
}

// ClaimDelivery makes sure the delivery d is logged (as pending) and claims it
// for sending for the lease: claimed is true when the caller must send it now
// and then call MarkDelivered or RecordDeliveryError. It is false when the
// delivery was already sent (stored.Status DeliverySent: skip it), queued for
// a digest or failed for good, or when another attempt holds an unexpired
// claim (stored.Status DeliveryPending: try again later). The lease bounds how
// long a crashed sender blocks a retry; claims use the database's clock.
func (s *Store) ClaimDelivery(ctx context.Context, d Delivery, lease time.Duration) (stored Delivery, claimed bool, err error) {
	if err := d.validate(); err != nil {
		return Delivery{}, false, err
	}
	if lease <= 0 {
		return Delivery{}, false, invalidf("lease must be positive")
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO reminders (motion_id, reminder_key, recipient, channel, audience, body_id, deadline_key,
				deadline_kind, due, at, escalation, status, payload)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12)
			ON CONFLICT ON CONSTRAINT reminders_delivery DO NOTHING`,
			d.MotionID, d.ReminderKey, d.Recipient, string(d.Channel), d.Audience, d.BodyID, d.DeadlineKey,
			string(d.DeadlineKind), d.Due, d.At, d.Escalation, payloadOrNil(d.Payload)); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			UPDATE reminders SET lease_until = now() + $4::interval, attempts = attempts + 1
			WHERE motion_id = $1 AND reminder_key = $2 AND recipient = $3
			  AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
			RETURNING `+deliveryColumns,
			d.MotionID, d.ReminderKey, d.Recipient, lease)
		stored, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Delivery])
		if err == nil {
			claimed = true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		stored, err = getDelivery(ctx, tx, d.DeliveryKey)
		return err
	})
	if err != nil {
		return Delivery{}, false, fmt.Errorf("store: claim delivery: %w", mapErr(err))
	}
	return stored, claimed, nil
}

// MarkDelivered records that a claimed delivery was sent: it is never sent again.
func (s *Store) MarkDelivered(ctx context.Context, k DeliveryKey) error {
	tag, err := s.Pool.Exec(ctx, `
		UPDATE reminders SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = ''
		WHERE motion_id = $1 AND reminder_key = $2 AND recipient = $3 AND status IN ('pending', 'queued')`,
		k.MotionID, k.ReminderKey, k.Recipient)
	if err != nil {
		return fmt.Errorf("store: mark delivered: %w", mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		var status string
		if err := s.Pool.QueryRow(ctx, `SELECT status FROM reminders WHERE motion_id = $1 AND reminder_key = $2 AND recipient = $3`,
			k.MotionID, k.ReminderKey, k.Recipient).Scan(&status); err != nil {
			return mapErr(err)
		}
		if status != string(DeliverySent) {
			return invalidf("delivery is %s, cannot mark it sent", status)
		}
	}
	return nil
}

// RecordDeliveryError records why sending a claimed delivery failed and
// releases the claim, so that a retry may claim it at once. A permanent
// failure marks it DeliveryFailed: it is not tried again.
func (s *Store) RecordDeliveryError(ctx context.Context, k DeliveryKey, cause error, permanent bool) error {
	msg := errorText(cause)
	_, err := s.Pool.Exec(ctx, `
		UPDATE reminders SET last_error = $4, lease_until = NULL,
			status = CASE WHEN $5 THEN 'failed' ELSE status END
		WHERE motion_id = $1 AND reminder_key = $2 AND recipient = $3 AND status = 'pending'`,
		k.MotionID, k.ReminderKey, k.Recipient, msg, permanent)
	if err != nil {
		return fmt.Errorf("store: record delivery error: %w", mapErr(err))
	}
	return nil
}

// DeliveryFilter selects rows of the reminder log; the fields combine with
// AND, except Audiences and Recipients, which select rows addressed to any
// of them.
//
// The in-app worklist of a user is
//
//	DeliveryFilter{BodyIDs: bodies, Channels: []Channel{ChannelInApp},
//		Audiences: the caller's audiences, Recipients: []string{UserRecipient(subject)},
//		Current: true, LatestPerDeadline: true}
//
// and the digest of a recipient is
//
//	DeliveryFilter{Recipients: []string{EmailRecipient(addr)}, Statuses: []DeliveryStatus{DeliveryQueued}}
type DeliveryFilter struct {
	MotionID   string
	BodyIDs    []string
	Audiences  []string
	Recipients []string
	Channels   []Channel
	Statuses   []DeliveryStatus
	// From and To restrict the reminder time At to [From, To).
	From, To *time.Time
	// Current keeps only reminders of deadlines the motion still has (with
	// the same due time), as last written by ProjectDeadlines.
	Current bool
	// LatestPerDeadline keeps only the latest reminder of each deadline of a
	// motion.
	LatestPerDeadline bool
	// Limit caps the rows: DefaultLimit when <= 0, at most MaxLimit.
	Limit int
}

// Deliveries lists rows of the reminder log ordered by due time (most urgent
// first), then motion, deadline, reminder time and recipient.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	if f.BodyIDs != nil && len(f.BodyIDs) == 0 {
		return []Delivery{}, nil
	}
	var a args
	where := []string{"true"}
	if f.MotionID != "" {
		where = append(where, "r.motion_id = "+a.add(f.MotionID))
	}
	if f.BodyIDs != nil {
		where = append(where, "r.body_id = ANY("+a.add(f.BodyIDs)+"::text[])")
	}
	switch {
	case f.Audiences != nil && f.Recipients != nil:
		where = append(where, fmt.Sprintf("(r.audience = ANY(%s::text[]) OR r.recipient = ANY(%s::text[]))",
			a.add(f.Audiences), a.add(f.Recipients)))
	case f.Audiences != nil:
		where = append(where, "r.audience = ANY("+a.add(f.Audiences)+"::text[])")
	case f.Recipients != nil:
		where = append(where, "r.recipient = ANY("+a.add(f.Recipients)+"::text[])")
	}
	if len(f.Channels) > 0 {
		cs := make([]string, len(f.Channels))
		for i, c := range f.Channels {
			cs[i] = string(c)
		}
		where = append(where, "r.channel = ANY("+a.add(cs)+"::text[])")
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			ss[i] = string(x)
		}
		where = append(where, "r.status = ANY("+a.add(ss)+"::text[])")
	}
	if f.From != nil {
		where = append(where, "r.at >= "+a.add(*f.From))
	}
	if f.To != nil {
		where = append(where, "r.at < "+a.add(*f.To))
	}
	if f.Current {
		where = append(where, `EXISTS (SELECT 1 FROM motion_deadlines d
			WHERE d.motion_id = r.motion_id AND d.key = r.deadline_key AND d.due = r.due)`)
	}
	cols := "r." + strings.ReplaceAll(deliveryColumns, ", ", ", r.")
	inner := `SELECT ` + cols + ` FROM reminders r WHERE ` + strings.Join(where, " AND ")
	if f.LatestPerDeadline {
		inner = `SELECT DISTINCT ON (r.motion_id, r.deadline_key) ` + cols + ` FROM reminders r
			WHERE ` + strings.Join(where, " AND ") + `
			ORDER BY r.motion_id, r.deadline_key, r.at DESC, r.recipient`
	}
	rows, _ := s.Pool.Query(ctx, `SELECT * FROM (`+inner+`) x
		ORDER BY due, motion_id, deadline_key, at, recipient
		LIMIT `+a.add(limit(f.Limit)), a...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Delivery])
	if err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", mapErr(err))
	}
	return out, nil
}

// Reminders lists every delivery of the motion's reminders, in the order
// they were due to go out.
func (s *Store) Reminders(ctx context.Context, motionID string) ([]Delivery, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+deliveryColumns+` FROM reminders WHERE motion_id = $1
		ORDER BY at, deadline_key, channel, recipient`, motionID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Delivery])
	return out, mapErr(err)
}

func getDelivery(ctx context.Context, q pgx.Tx, k DeliveryKey) (Delivery, error) {
	rows, _ := q.Query(ctx, `SELECT `+deliveryColumns+` FROM reminders
		WHERE motion_id = $1 AND reminder_key = $2 AND recipient = $3`, k.MotionID, k.ReminderKey, k.Recipient)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Delivery])
}

func payloadOrNil(p json.RawMessage) any {
	if len(p) == 0 {
		return nil
	}
	return []byte(p)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// errorText is what a delivery's log keeps of why it failed: the error's
// text, at most 2,000 bytes.
func errorText(cause error) string {
	if cause == nil {
		return "unknown error"
	}
	msg := cause.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	return msg
}
