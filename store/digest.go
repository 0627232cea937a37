package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// The daily digest. Watchers who chose the digest get their reminder e-mails
// queued in the reminder log, and the e-mails of the steps of the motions
// they watch queued in the notices (both DeliveryQueued), instead of sent.
// Once a day a digest run gathers them, one e-mail per recipient:
//
//  1. DigestRecipients lists the recipients with queued rows.
//  2. StartDigest makes the run's digest of a recipient: in one transaction
//     it claims every queued row (reminder or notice) that no digest holds
//     yet. It does so once per (run, recipient): calling it again returns
//     the same digest and claims nothing new, so rows queued meanwhile wait
//     for the next run.
//  3. PendingDigests lists the recipient's digests not yet sent: the run's
//     own and any earlier one whose sending never completed.
//  4. ClaimDigest takes a lease on one digest for sending (one sender at a
//     time) and returns its rows: always the same set.
//  5. MarkDigestSent marks the digest and its rows sent, for good;
//     RecordDigestError releases the lease (or, for a permanent failure,
//     marks digest and rows failed).
//
// A row is thus mailed in exactly one digest. Only a crash between sending
// and MarkDigestSent sends a digest again, with the same Message-ID.

// Digest is one digest e-mail to one recipient: the queued reminders and
// steps it claimed, sent together.
type Digest struct {
	// ID is DigestID(Run, Recipient).
	ID string
	// Recipient is an EmailRecipient ("mailto:…").
	Recipient string
	// Run names the digest run that made it ("2026-03-23"); At is the run's
	// time, the date the e-mail speaks of.
	Run string
	At  time.Time
	// Status is DeliveryPending until sent (DeliverySent) or refused for good
	// (DeliveryFailed).
	Status DeliveryStatus
	// Count is the number of rows the digest claimed: reminders and steps.
	Count int `db:"items"`
	// Attempts counts the claims (sends begun).
	Attempts  int
	SentAt    *time.Time
	LastError string
	Created   time.Time

	// Name is the recipient's name as a watcher gave it ("" if unknown); set
	// by ClaimDigest.
	Name string `db:"-"`
	// Items are the reminders of the digest, most urgent first; set by
	// ClaimDigest when it claimed the digest.
	Items []DigestItem `db:"-"`
	// Steps are the steps of watched motions in the digest, in the order
	// they happened; set by ClaimDigest when it claimed the digest.
	Steps []DigestStep `db:"-"`
}

// Address is the digest's e-mail address (the Recipient without "mailto:").
func (d Digest) Address() string { return strings.TrimPrefix(d.Recipient, "mailto:") }

// DigestItem is one reminder in a digest, with what the e-mail says about
// its motion (as the read model has it now, else as the reminder recorded it).
type DigestItem struct {
	DeliveryKey
	BodyID       string
	Reference    string
	Title        string
	Kind         motion.Kind
	MotionStatus motion.Status
	DeadlineKey  string
	DeadlineKind motion.DeadlineKind
	Due          time.Time
	// At is the reminder's time.
	At         time.Time
	Escalation bool
}

// DigestStep is one step of a watched motion in a digest: a queued notice,
// with what it said when it was announced.
type DigestStep struct {
	EventID string
	// Text is the German one-line summary of the step (see Notice.Text).
	Text string
	Link string
	// At is when the step happened.
	At time.Time
}

const digestColumns = `id, recipient, run, at, status, items, attempts, sent_at, last_error, created`

// DigestID is the id of the digest of run for recipient: 32 hex digits of a
// SHA-256 of both. Every attempt of the same digest has the same id, which
// the e-mail's Message-ID derives from.
func DigestID(run, recipient string) string {
	h := sha256.Sum256([]byte("digest\x00" + run + "\x00" + recipient))
	return hex.EncodeToString(h[:16])
}

// DigestRecipients lists, in order, the recipients with reminders or steps
// waiting for a digest: queued rows not yet claimed, or claimed by a digest
// not yet sent.
func (s *Store) DigestRecipients(ctx context.Context) ([]string, error) {
	rows, _ := s.Pool.Query(ctx, `
		SELECT recipient FROM reminders WHERE status = 'queued' AND channel = 'email'
		UNION
		SELECT recipient FROM notices WHERE status = 'queued' AND channel = 'email'
		ORDER BY recipient`)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: digest recipients: %w", mapErr(err))
	}
	return out, nil
}

// errNothingQueued rolls back a digest that would be empty.
var errNothingQueued = errors.New("nothing queued")

// StartDigest returns the digest of run (taken at time at) for recipient,
// making it on the first call: in one transaction it claims every queued row
// of the recipient (reminders and notices) that no digest holds yet, and
// counts them. Later calls with the same run return the digest as it stands
// and claim nothing, whatever was queued since. made is false, and nothing is stored, when the digest did not exist
// and nothing was waiting for it.
func (s *Store) StartDigest(ctx context.Context, run string, at time.Time, recipient string) (d Digest, made bool, err error) {
	if run == "" || recipient == "" || at.IsZero() {
		return Digest{}, false, invalidf("digest needs run, time and recipient")
	}
	id := DigestID(run, recipient)
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// A concurrent call for the same digest waits here for the first to
		// commit (or roll back), so the claim happens once.
		tag, err := tx.Exec(ctx, `INSERT INTO digests (id, recipient, run, at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, id, recipient, run, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			// A row another digest claims concurrently is re-checked after
			// that one commits and skipped: no row is claimed twice.
			var items int64
			for _, table := range []string{"reminders", "notices"} {
				tag, err := tx.Exec(ctx, `UPDATE `+table+` SET digest_id = $1
					WHERE recipient = $2 AND channel = 'email' AND status = 'queued' AND digest_id IS NULL`, id, recipient)
				if err != nil {
					return err
				}
				items += tag.RowsAffected()
			}
			if items == 0 {
				return errNothingQueued
			}
			if _, err := tx.Exec(ctx, `UPDATE digests SET items = $2 WHERE id = $1`, id, items); err != nil {
				return err
			}
			made = true
		}
		d, err = getDigest(ctx, tx, id)
		return err
	})
	switch {
	case errors.Is(err, errNothingQueued):
		return Digest{}, false, nil
	case err != nil:
		return Digest{}, false, fmt.Errorf("store: start digest: %w", mapErr(err))
	}
	return d, made, nil
}

// PendingDigests lists the recipient's digests not sent yet (and not failed
// for good), oldest first.
func (s *Store) PendingDigests(ctx context.Context, recipient string) ([]Digest, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+digestColumns+` FROM digests
		WHERE recipient = $1 AND status = 'pending' ORDER BY created, id`, recipient)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Digest])
	if err != nil {
		return nil, fmt.Errorf("store: pending digests: %w", mapErr(err))
	}
	return out, nil
}

// Digest returns the digest with id, without its items and steps;
// ErrNotFound if there is none.
func (s *Store) Digest(ctx context.Context, id string) (Digest, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+digestColumns+` FROM digests WHERE id = $1`, id)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Digest])
	return d, mapErr(err)
}

// ClaimDigest claims the pending digest id for sending for the lease:
// claimed is true when the caller must send it now, with its Items, Steps
// and Name filled in, and then call MarkDigestSent or RecordDigestError. It
// is false when the digest was sent or failed for good (d.Status tells), or
// when another attempt holds an unexpired claim (d.Status DeliveryPending:
// try again later). Claims use the database's clock. ErrNotFound for an
// unknown digest.
func (s *Store) ClaimDigest(ctx context.Context, id string, lease time.Duration) (d Digest, claimed bool, err error) {
	if lease <= 0 {
		return Digest{}, false, invalidf("lease must be positive")
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			UPDATE digests SET lease_until = now() + $2::interval, attempts = attempts + 1
			WHERE id = $1 AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
			RETURNING `+digestColumns, id, lease)
		d, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Digest])
		if errors.Is(err, pgx.ErrNoRows) {
			d, err = getDigest(ctx, tx, id)
			return err
		}
		if err != nil {
			return err
		}
		claimed = true
		rows, _ = tx.Query(ctx, `
			SELECT r.motion_id, r.reminder_key, r.recipient, r.body_id,
				coalesce(nullif(m.reference, ''), r.payload -> 'motion' ->> 'reference', '') AS reference,
				coalesce(nullif(m.title, ''), r.payload -> 'motion' ->> 'title', '') AS title,
				coalesce(m.kind, r.payload -> 'motion' ->> 'kind', '') AS kind,
				coalesce(m.status, r.payload -> 'motion' ->> 'status', '') AS motion_status,
				r.deadline_key, r.deadline_kind, r.due, r.at, r.escalation
			FROM reminders r LEFT JOIN motions m ON m.id = r.motion_id
			WHERE r.digest_id = $1
			ORDER BY r.due, reference, r.motion_id, r.deadline_key, r.at, r.reminder_key`, id)
		if d.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[DigestItem]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT event_id, text, link, at FROM notices
			WHERE digest_id = $1 ORDER BY at, event_id`, id)
		if d.Steps, err = pgx.CollectRows(rows, pgx.RowToStructByName[DigestStep]); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT coalesce((SELECT name FROM watches
			WHERE lower(email) = $1 AND name <> '' ORDER BY digest DESC, created DESC LIMIT 1), '')`,
			strings.ToLower(d.Address())).Scan(&d.Name)
		return err
	})
	if err != nil {
		return Digest{}, false, fmt.Errorf("store: claim digest: %w", mapErr(err))
	}
	return d, claimed, nil
}

// MarkDigestSent records that a claimed digest was sent: the digest and its
// reminders and notices are DeliverySent and never sent again. Marking a
// sent digest again is a no-op; a failed one gives ErrInvalid.
func (s *Store) MarkDigestSent(ctx context.Context, id string) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE digests SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = ''
			WHERE id = $1 AND status = 'pending'`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			d, err := getDigest(ctx, tx, id)
			if err != nil {
				return err
			}
			if d.Status != DeliverySent {
				return invalidf("digest is %s, cannot mark it sent", d.Status)
			}
			return nil
		}
		for _, table := range []string{"reminders", "notices"} {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = ''
				WHERE digest_id = $1 AND status = 'queued'`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark digest sent: %w", mapErr(err))
	}
	return nil
}

// RecordDigestError records why sending a claimed digest failed and releases
// the claim, so that a retry may claim it at once. A permanent failure (an
// address the mail server refuses) marks the digest and its reminders and
// notices DeliveryFailed: they are not tried again.
func (s *Store) RecordDigestError(ctx context.Context, id string, cause error, permanent bool) error {
	msg := errorText(cause)
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE digests SET last_error = $2, lease_until = NULL,
				status = CASE WHEN $3 THEN 'failed' ELSE status END
			WHERE id = $1 AND status = 'pending'`, id, msg, permanent)
		if err != nil || tag.RowsAffected() == 0 || !permanent {
			return err
		}
		for _, table := range []string{"reminders", "notices"} {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET status = 'failed', last_error = $2
				WHERE digest_id = $1 AND status = 'queued'`, id, msg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record digest error: %w", mapErr(err))
	}
	return nil
}

func getDigest(ctx context.Context, q pgx.Tx, id string) (Digest, error) {
	rows, _ := q.Query(ctx, `SELECT `+digestColumns+` FROM digests WHERE id = $1`, id)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Digest])
}
