package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// Notice is one notice of an event (a step of a motion or a meeting) to one
// recipient through one channel: an inbox entry (ChannelInApp), a mail
// (ChannelEmail) or a CloudEvents webhook request (ChannelWebhook). Its key
// (EventID, Recipient) makes each event reach each recipient once.
type Notice struct {
	EventID   string
	Recipient string
	Channel   Channel
	// Audience is why the recipient gets it: "faction:<org>" (a sponsor),
	// "events" (a body's event webhooks), AudienceWatchers, AudienceSubscribers.
	Audience    string
	BodyID      string
	SubjectKind string // "motion" or "meeting"
	SubjectID   string
	// Type is the CloudEvents type, e.g. "de.motionflow.motion.registered".
	Type string
	At   time.Time
	// Text is the German one-line summary: the inbox line, the mail's subject.
	Text string
	Link string
	// TargetID is the notification target a webhook request goes to.
	TargetID  string
	Status    DeliveryStatus
	Attempts  int
	SentAt    *time.Time
	LastError string
	ReadAt    *time.Time
	// Payload is the CloudEvent (webhook) or the message (e-mail) as JSON.
	Payload json.RawMessage
	Created time.Time
}

const noticeColumns = `event_id, recipient, channel, audience, body_id, subject_kind, subject_id, type, at,
	text, link, target_id, status, attempts, sent_at, last_error, read_at, payload, created`

// AudienceSubscribers is the Audience of notices to users following a
// keyword or an organization (Subscription).
const AudienceSubscribers = "subscribers"

// AudienceEvents is the audience of a body's notification targets that take
// every public step of its motions and meetings (motion.AudienceEvents).
const AudienceEvents = motion.AudienceEvents

func (n Notice) validate() error {
	if n.EventID == "" || n.Recipient == "" || n.SubjectID == "" || n.Type == "" || n.At.IsZero() {
		return invalidf("notice needs event, recipient, subject, type and time")
	}
	if n.SubjectKind != "motion" && n.SubjectKind != "meeting" {
		return invalidf("notice subject kind %q", n.SubjectKind)
	}
	return nil
}

const insertNotice = `INSERT INTO notices (event_id, recipient, channel, audience, body_id, subject_kind, subject_id,
		type, at, text, link, target_id, status, sent_at, payload)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CASE WHEN $13 = 'sent' THEN now() END, $14)
	ON CONFLICT (event_id, recipient) DO NOTHING`

func (n Notice) insertArgs(status DeliveryStatus) []any {
	return []any{n.EventID, n.Recipient, string(n.Channel), n.Audience, n.BodyID, n.SubjectKind, n.SubjectID,
		n.Type, n.At, n.Text, n.Link, n.TargetID, string(status), payloadOrNil(n.Payload)}
}

// RecordNotice stores a notice its caller does not send itself, unless the
// event already reached the recipient (an existing row is never changed):
// an inbox entry (n.Status DeliverySent or empty), or an e-mail queued for
// the recipient's daily digest (DeliveryQueued; see StartDigest). inserted
// tells whether it is new.
func (s *Store) RecordNotice(ctx context.Context, n Notice) (inserted bool, err error) {
	if err := n.validate(); err != nil {
		return false, err
	}
	status := n.Status
	switch {
	case status == "":
		status = DeliverySent
	case status == DeliveryQueued && n.Channel != ChannelEmail:
		return false, invalidf("only e-mail notices wait for a digest")
	case status != DeliverySent && status != DeliveryQueued:
		return false, invalidf("notice recorded as %s", status)
	}
	tag, err := s.Pool.Exec(ctx, insertNotice, n.insertArgs(status)...)
	if err != nil {
		return false, fmt.Errorf("store: record notice: %w", mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimNotice logs the notice (as pending) and claims it for sending for the
// lease, as ClaimDelivery does for reminders: claimed is true when the caller
// must send it now and then call MarkNoticeSent or RecordNoticeError; false
// when it was sent, failed for good, or another attempt holds the claim
// (stored.Status DeliveryPending: try again later).
func (s *Store) ClaimNotice(ctx context.Context, n Notice, lease time.Duration) (stored Notice, claimed bool, err error) {
	if err := n.validate(); err != nil {
		return Notice{}, false, err
	}
	if lease <= 0 {
		return Notice{}, false, invalidf("lease must be positive")
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, insertNotice, n.insertArgs(DeliveryPending)...); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			UPDATE notices SET lease_until = now() + $3::interval, attempts = attempts + 1
			WHERE event_id = $1 AND recipient = $2 AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
			RETURNING `+noticeColumns, n.EventID, n.Recipient, lease)
		stored, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Notice])
		if err == nil {
			claimed = true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		stored, err = getNotice(ctx, tx, n.EventID, n.Recipient)
		return err
	})
	if err != nil {
		return Notice{}, false, fmt.Errorf("store: claim notice: %w", mapErr(err))
	}
	return stored, claimed, nil
}

// MarkNoticeSent records that a claimed notice was sent: it is never sent
// again by the workflows (Redeliver sends it again on request).
func (s *Store) MarkNoticeSent(ctx context.Context, eventID, recipient string) error {
	_, err := s.Pool.Exec(ctx, `UPDATE notices SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = ''
		WHERE event_id = $1 AND recipient = $2`, eventID, recipient)
	if err != nil {
		return fmt.Errorf("store: mark notice sent: %w", mapErr(err))
	}
	return nil
}

// RecordNoticeError records why sending a claimed notice failed and releases
// the claim; a permanent failure marks it failed (not tried again).
func (s *Store) RecordNoticeError(ctx context.Context, eventID, recipient string, cause error, permanent bool) error {
	msg := errorText(cause)
	_, err := s.Pool.Exec(ctx, `UPDATE notices SET last_error = $3, lease_until = NULL,
			status = CASE WHEN $4 THEN 'failed' ELSE status END
		WHERE event_id = $1 AND recipient = $2 AND status = 'pending'`, eventID, recipient, msg, permanent)
	if err != nil {
		return fmt.Errorf("store: record notice error: %w", mapErr(err))
	}
	return nil
}

// Notice is the notice of event to recipient; ErrNotFound if there is none.
func (s *Store) Notice(ctx context.Context, eventID, recipient string) (Notice, error) {
	n, err := getNotice(ctx, s.Pool, eventID, recipient)
	return n, mapErr(err)
}

// getNotice reads one notice through the pool or a transaction.
func getNotice(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, eventID, recipient string) (Notice, error) {
	rows, _ := q.Query(ctx, `SELECT `+noticeColumns+` FROM notices WHERE event_id = $1 AND recipient = $2`, eventID, recipient)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Notice])
}

// InboxFilter selects the inbox entries of a user: those addressed to any of
// Recipients (UserRecipient of the user, AudienceRecipient of each audience
// whose shared inbox the user reads, e.g. the faction's).
type InboxFilter struct {
	Recipients []string
	BodyIDs    []string
	UnreadOnly bool
	Limit      int
}

// Inbox lists inbox entries, newest first. An event that reached the user
// both personally and through a shared inbox is listed once.
func (s *Store) Inbox(ctx context.Context, f InboxFilter) ([]Notice, error) {
	if len(f.Recipients) == 0 || (f.BodyIDs != nil && len(f.BodyIDs) == 0) {
		return []Notice{}, nil
	}
	rows, _ := s.Pool.Query(ctx, `
		SELECT * FROM (
			SELECT DISTINCT ON (event_id) `+noticeColumns+` FROM notices
			WHERE channel = 'inapp' AND recipient = ANY($1::text[])
			  AND ($2::text[] IS NULL OR body_id = ANY($2::text[]))
			  AND (NOT $3 OR read_at IS NULL)
			ORDER BY event_id, read_at NULLS FIRST, recipient
		) x ORDER BY at DESC, event_id LIMIT $4`, f.Recipients, f.BodyIDs, f.UnreadOnly, limit(f.Limit))
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Notice])
	if err != nil {
		return nil, fmt.Errorf("store: inbox: %w", mapErr(err))
	}
	return out, nil
}

// UnreadCount counts the unread events of an inbox (as Inbox lists them).
func (s *Store) UnreadCount(ctx context.Context, f InboxFilter) (int, error) {
	if len(f.Recipients) == 0 || (f.BodyIDs != nil && len(f.BodyIDs) == 0) {
		return 0, nil
	}
	var n int
	err := s.Pool.QueryRow(ctx, `SELECT count(DISTINCT event_id) FROM notices
		WHERE channel = 'inapp' AND recipient = ANY($1::text[]) AND read_at IS NULL
		  AND ($2::text[] IS NULL OR body_id = ANY($2::text[]))`, f.Recipients, f.BodyIDs).Scan(&n)
	return n, mapErr(err)
}

// MarkRead marks the inbox entries of the events (all unread ones when
// eventIDs is empty) addressed to any of recipients as read.
func (s *Store) MarkRead(ctx context.Context, recipients, eventIDs []string) (int, error) {
	if len(recipients) == 0 {
		return 0, nil
	}
	tag, err := s.Pool.Exec(ctx, `UPDATE notices SET read_at = now()
		WHERE channel = 'inapp' AND read_at IS NULL AND recipient = ANY($1::text[])
		  AND (cardinality($2::text[]) = 0 OR event_id = ANY($2::text[]))`, recipients, nonNil(eventIDs))
	if err != nil {
		return 0, fmt.Errorf("store: mark read: %w", mapErr(err))
	}
	return int(tag.RowsAffected()), nil
}

// TargetDeliveries is the delivery log of a notification target: its
// notices, newest first.
func (s *Store) TargetDeliveries(ctx context.Context, targetID string, max int) ([]Notice, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+noticeColumns+` FROM notices WHERE target_id = $1
		ORDER BY created DESC, event_id LIMIT $2`, targetID, limit(max))
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Notice])
	if err != nil {
		return nil, fmt.Errorf("store: target deliveries: %w", mapErr(err))
	}
	return out, nil
}

// ReopenNotice makes a sent or failed notice pending again, so that it is
// sent once more (a redelivery asked for by the council office); ErrNotFound
// if there is none. A notice an attempt holds a live claim on stays as it is,
// so that the following ClaimNotice refuses it and it is not sent twice at once.
func (s *Store) ReopenNotice(ctx context.Context, eventID, recipient string) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE notices SET status = 'pending', lease_until = NULL
		WHERE event_id = $1 AND recipient = $2 AND channel <> 'inapp'
		  AND NOT (status = 'pending' AND lease_until IS NOT NULL AND lease_until > now())`, eventID, recipient)
	if err == nil && tag.RowsAffected() == 0 {
		var exists bool
		err = s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notices WHERE event_id = $1 AND recipient = $2 AND channel <> 'inapp')`,
			eventID, recipient).Scan(&exists)
		if err == nil && exists {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("store: reopen notice: %w", mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Subscription is a user following a keyword ("keyword") or an
// organization ("organization": a committee or a faction) of a body: the
// public steps of the motions concerned reach the user through the channels
// chosen. E-mail goes only to an address confirmed for the user, as for
// watches (see Watch).
type Subscription struct {
	Subject  string
	BodyID   string
	Kind     string
	Value    string
	Name     string
	Email    string
	Channels []Channel
	Created  time.Time
	// EmailConfirmed reports whether Email is confirmed for Subject; set it
	// when calling Subscribe only for the identity provider's verified address.
	EmailConfirmed bool
}

// The kinds of subscriptions.
const (
	SubscribeKeyword      = "keyword"
	SubscribeOrganization = "organization"
)

const subscriptionColumns = `s.subject, s.body_id, s.kind, s.value, s.name, s.email, s.channels, s.created,
	EXISTS (SELECT 1 FROM watch_addresses a WHERE a.subject = s.subject AND a.email = lower(s.email)) AS email_confirmed`

// Subscribe starts or changes a subscription and returns it. ErrInvalid for
// an unknown kind, an empty value, no channel, e-mail without an address,
// an unknown body or organization.
func (s *Store) Subscribe(ctx context.Context, sub Subscription) (Subscription, error) {
	sub.Value = strings.TrimSpace(sub.Value)
	switch {
	case sub.Subject == "" || sub.BodyID == "":
		return Subscription{}, invalidf("subscription needs subject and body")
	case sub.Kind != SubscribeKeyword && sub.Kind != SubscribeOrganization:
		return Subscription{}, invalidf("unknown subscription kind %q", sub.Kind)
	case sub.Value == "":
		return Subscription{}, invalidf("subscription needs a value")
	case len(sub.Channels) == 0:
		return Subscription{}, invalidf("subscription needs a channel")
	}
	chans := make([]string, 0, len(sub.Channels))
	for _, c := range sub.Channels {
		if c != ChannelEmail && c != ChannelInApp {
			return Subscription{}, invalidf("unknown channel %q for a subscription", c)
		}
		if !slices.Contains(chans, string(c)) {
			chans = append(chans, string(c))
		}
	}
	if slices.Contains(chans, string(ChannelEmail)) {
		a, err := mail.ParseAddress(sub.Email)
		if err != nil {
			return Subscription{}, invalidf("e-mail address %q: %v", sub.Email, err)
		}
		sub.Email = a.Address
	}
	if sub.Kind == SubscribeKeyword {
		sub.Value = strings.ToLower(sub.Value)
	}
	var out Subscription
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if sub.Kind == SubscribeOrganization {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1 AND body_id = $2)`,
				sub.Value, sub.BodyID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return invalidf("unknown organization %q", sub.Value)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (subject, body_id, kind, value, name, email, channels)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (subject, body_id, kind, value) DO UPDATE SET name = $5, email = $6, channels = $7`,
			sub.Subject, sub.BodyID, sub.Kind, sub.Value, sub.Name, sub.Email, chans); err != nil {
			return err
		}
		if sub.EmailConfirmed && sub.Email != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO watch_addresses (subject, email) VALUES ($1, lower($2)) ON CONFLICT DO NOTHING`,
				sub.Subject, sub.Email); err != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions s
			WHERE subject = $1 AND body_id = $2 AND kind = $3 AND value = $4`, sub.Subject, sub.BodyID, sub.Kind, sub.Value)
		var err error
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Subscription])
		return err
	})
	if err != nil {
		return Subscription{}, fmt.Errorf("store: subscribe: %w", mapErr(err))
	}
	return out, nil
}

// Unsubscribe ends a subscription; ErrNotFound if there is none.
func (s *Store) Unsubscribe(ctx context.Context, subject, bodyID, kind, value string) error {
	if kind == SubscribeKeyword {
		value = strings.ToLower(strings.TrimSpace(value))
	}
	tag, err := s.Pool.Exec(ctx, `DELETE FROM subscriptions WHERE subject = $1 AND body_id = $2 AND kind = $3 AND value = $4`,
		subject, bodyID, kind, value)
	if err != nil {
		return fmt.Errorf("store: unsubscribe: %w", mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Subscriptions lists the user's subscriptions, newest first.
func (s *Store) Subscriptions(ctx context.Context, subject string) ([]Subscription, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions s
		WHERE subject = $1 ORDER BY created DESC, kind, value`, subject)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Subscription])
	return out, mapErr(err)
}

// Subscribers lists the subscriptions of the body that follow any of the
// keywords (compared without regard to case) or organizations, ordered by
// subject; e-mail is dropped from the channels of a subscription whose
// address is not confirmed.
func (s *Store) Subscribers(ctx context.Context, bodyID string, keywords, organizations []string) ([]Subscription, error) {
	lower := make([]string, len(keywords))
	for i, k := range keywords {
		lower[i] = strings.ToLower(strings.TrimSpace(k))
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions s
		WHERE body_id = $1 AND ((kind = 'keyword' AND value = ANY($2::text[])) OR (kind = 'organization' AND value = ANY($3::text[])))
		ORDER BY subject, kind, value`, bodyID, lower, nonNil(organizations))
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Subscription])
	for i, sub := range out {
		if !sub.EmailConfirmed { // as for watches: no mail to an unconfirmed address
			out[i].Channels = slices.DeleteFunc(sub.Channels, func(c Channel) bool { return c == ChannelEmail })
		}
	}
	return out, mapErr(err)
}
