package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

const (
	// digestLease bounds how long a digest claimed by an attempt that died
	// blocks the next attempt.
	digestLease = 10 * time.Minute
	// digestSendTimeout bounds the sending of one digest e-mail, well inside
	// its lease, so that no attempt still sends while another may claim it.
	digestSendTimeout = 2 * time.Minute
)

// SendDigests sends one digest run: each recipient with queued reminders or
// steps (watchers who chose the daily digest; see Notify and Announce) gets
// one e-mail listing them all.
//
// For each recipient it first makes the run's digest (store.StartDigest
// claims, once per run and recipient, every queued row no digest holds yet),
// then sends every digest of the recipient not sent yet: the run's own and
// any earlier one whose sending never completed, each under its own id. A
// digest is claimed before sending and marked sent after (with its rows), so
// a retried run skips what it sent (counted in Skipped) and never mails a
// reminder or a step in two digests; rows queued while a run is retried
// wait for the next run. The e-mail's Message-ID and X-Motionflow-Delivery
// derive from the digest id, the same on every attempt; only a crash between
// sending and recording sends a digest again, identical to the first.
//
// A failed send is recorded on the digest and, after every other recipient
// was tried, returned as a retryable error (ErrTypeDelivery); an address the
// mail server refuses for good marks the digest and its rows failed.
// Without a Mailer nothing is sent and the rows stay queued.
func (a *Activities) SendDigests(ctx context.Context, in workflows.DigestInput) (workflows.DigestResult, error) {
	var res workflows.DigestResult
	if in.Run == "" || in.At.IsZero() {
		return res, classify(fmt.Errorf("%w: a digest run needs a name and a time", store.ErrInvalid))
	}
	log := activity.GetLogger(ctx)
	if a.Mailer == nil {
		log.Warn("e-mail is disabled (no SMTP configured): digests stay queued", "run", in.Run)
		return res, nil
	}
	recipients, err := a.Store.DigestRecipients(ctx)
	if err != nil {
		return res, classify(err)
	}
	res.Recipients = len(recipients)
	var errs []error
	for _, rcpt := range recipients {
		activity.RecordHeartbeat(ctx, rcpt)
		own, made, err := a.Store.StartDigest(ctx, in.Run, in.At, rcpt)
		if err != nil {
			return res, classify(err)
		}
		if !made && own.Status == store.DeliverySent {
			res.Skipped++
		}
		pending, err := a.Store.PendingDigests(ctx, rcpt)
		if err != nil {
			return res, classify(err)
		}
		for _, d := range pending {
			if err := a.sendDigest(ctx, d.ID, &res); err != nil {
				errs = append(errs, err)
			}
			activity.RecordHeartbeat(ctx, rcpt)
		}
	}
	if len(errs) > 0 {
		return res, temporal.NewApplicationErrorWithCause(
			fmt.Sprintf("digest run %s: %d digests not sent", in.Run, len(errs)),
			ErrTypeDelivery, errors.Join(errs...))
	}
	return res, nil
}

// sendDigest claims, sends and records one digest; it returns the error to
// retry (a send that failed, a claim held elsewhere) and counts the rest.
func (a *Activities) sendDigest(ctx context.Context, id string, res *workflows.DigestResult) error {
	d, claimed, err := a.Store.ClaimDigest(ctx, id, digestLease)
	if err != nil {
		return err
	}
	if !claimed {
		if d.Status == store.DeliveryPending {
			return fmt.Errorf("digest %s to %s is being sent elsewhere", d.ID, d.Address())
		}
		return nil // sent or failed meanwhile
	}
	to := mailTo(d.Name, d.Address())
	items := make([]notify.DigestItem, len(d.Items))
	for i, it := range d.Items {
		items[i] = notify.DigestItem{
			Motion: notify.Motion{ID: it.MotionID, BodyID: it.BodyID, Reference: it.Reference, Title: it.Title,
				Kind: it.Kind, Status: it.MotionStatus},
			DeadlineKind: it.DeadlineKind, Due: it.Due, At: it.At, Escalation: it.Escalation,
			Link: notify.MotionLink(a.BaseURL, it.MotionID),
		}
	}
	steps := make([]notify.DigestStep, len(d.Steps))
	for i, st := range d.Steps {
		steps[i] = notify.DigestStep{Text: st.Text, At: st.At, Link: st.Link}
	}
	msg := notify.ComposeDigest(to, d.At, items, steps)
	msg.DeliveryID = d.ID

	sendCtx, cancel := context.WithTimeout(ctx, digestSendTimeout)
	sendErr := a.Mailer.Send(sendCtx, to, msg)
	cancel()
	if sendErr != nil {
		permanent := notify.IsPermanent(sendErr)
		if err := a.Store.RecordDigestError(context.WithoutCancel(ctx), d.ID, sendErr, permanent); err != nil {
			return errors.Join(sendErr, err)
		}
		if permanent {
			activity.GetLogger(ctx).Warn("digest refused for good", "digest", d.ID, "recipient", d.Recipient, "error", sendErr)
			res.Failed++
			return nil
		}
		return sendErr
	}
	// The send happened: record it even if the activity's context is being
	// cancelled, so that a retry does not send it again.
	if err := a.Store.MarkDigestSent(context.WithoutCancel(ctx), d.ID); err != nil {
		return err
	}
	res.Sent++
	res.Items += len(d.Items) + len(d.Steps)
	return nil
}
