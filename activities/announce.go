package activities

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Announce tells everybody concerned of one step of a motion or a meeting,
// exactly once per recipient however often it is retried:
//
//   - a motion's sponsors (the originating and the co-sponsoring factions
//     that accepted; an invited faction that has not is told nothing; for a
//     motion of councillors each signer): an entry in the faction's shared
//     inbox or the councillor's own (audiences "faction:<org>",
//     "person:<id>"), their notification targets: e-mail, and webhooks as
//     CloudEvents, and a councillor's e-mail address from the directory;
//   - the body's targets of audience "events": every public step of its
//     motions and meetings, mostly webhooks;
//   - the users watching the motion, and those following one of its
//     keywords, its faction, a co-sponsor or an organization on its route
//     (for a meeting: its organization), by the channels they chose (inbox,
//     e-mail to a confirmed address); a watcher who chose the daily digest
//     gets the e-mail queued for the digest (store.DeliveryQueued, sent by
//     SendDigests), not sent now.
//
// Only what the public may read is announced (notify.MotionStep,
// notify.MeetingStep): a motion's draft phase is announced to nobody, so a
// third faction and the public never learn of a draft. Every notice is a row
// keyed by (event, recipient), claimed before sending and marked after, as
// Notify does for reminders; one address reached several ways gets one
// e-mail, and an immediate one (a target's, a subscriber's) wins over a
// digest. A failed channel is recorded on its row and, once every other
// recipient was tried, returned as a retryable error. Without a Mailer,
// immediate e-mails are skipped with a warning; digest queueing goes on.
func (a *Activities) Announce(ctx context.Context, in workflows.AnnounceInput) (workflows.NotifyResult, error) {
	var res workflows.NotifyResult
	var (
		step          notify.Step
		ok            bool
		sponsors      []string // audiences "faction:<org>" and "person:<id>"
		organizations []string
		keywords      []string
		motionID      string
	)
	switch {
	case in.Motion != nil && in.Event != nil:
		m := in.Motion
		step, ok = notify.MotionStep(m, *in.Event, a.BaseURL)
		motionID = m.ID
		for _, f := range append([]string{m.Faction}, m.Cosponsors...) {
			if f != "" && !slices.Contains(organizations, f) {
				organizations = append(organizations, f)
			}
		}
		for _, aud := range m.SponsorAudiences() {
			if aud != motion.FactionAudience("") && aud != motion.PersonAudience("") && !slices.Contains(sponsors, aud) {
				sponsors = append(sponsors, aud)
			}
		}
		for _, c := range m.Consultations {
			if c.OrganizationID != "" && !slices.Contains(organizations, c.OrganizationID) {
				organizations = append(organizations, c.OrganizationID)
			}
		}
		keywords = m.Tags
	case in.Meeting != nil && in.MeetingEvent != nil:
		step, ok = notify.MeetingStep(*in.Meeting, *in.MeetingEvent, a.BaseURL)
		if in.Meeting.OrganizationID != "" {
			organizations = []string{in.Meeting.OrganizationID}
		}
	default:
		return res, classify(fmt.Errorf("%w: announce needs a motion or a meeting with its event", store.ErrInvalid))
	}
	if !ok {
		return res, nil
	}
	ce, err := step.CloudEvent()
	if err != nil {
		return res, classify(fmt.Errorf("%w: %v", store.ErrInvalid, err))
	}
	cePayload, err := json.Marshal(ce)
	if err != nil {
		return res, err
	}
	msg := step.Message()
	base := store.Notice{EventID: step.ID, BodyID: step.BodyID, SubjectKind: step.Kind, SubjectID: step.SubjectID,
		Type: step.Type, At: step.At, Text: step.Text, Link: step.Link}

	// The inbox entries: the sponsors' shared inboxes, then each watcher and
	// subscriber who chose the inbox.
	inbox := func(recipient, audience string) error {
		n := base
		n.Recipient, n.Channel, n.Audience = recipient, store.ChannelInApp, audience
		_, err := a.Store.RecordNotice(ctx, n)
		return err
	}
	for _, aud := range sponsors {
		if err := inbox(store.AudienceRecipient(aud), aud); err != nil {
			return res, classify(err)
		}
	}
	type follower struct {
		subject, name, email, audience string
		channels                       []store.Channel
		// digest: the watcher wants one mail a day: the e-mail of the step
		// is queued for the daily digest.
		digest bool
	}
	var followers []follower
	if motionID != "" {
		ws, err := a.Store.Watchers(ctx, motionID)
		if err != nil {
			return res, classify(err)
		}
		for _, w := range ws {
			followers = append(followers, follower{w.Subject, w.Name, w.Email, store.AudienceWatchers, w.Channels, w.Digest})
		}
	}
	subs, err := a.Store.Subscribers(ctx, step.BodyID, keywords, organizations)
	if err != nil {
		return res, classify(err)
	}
	for _, s := range subs {
		followers = append(followers, follower{s.Subject, s.Name, s.Email, store.AudienceSubscribers, s.Channels, false})
	}
	for _, f := range followers {
		if hasChannel(f.channels, store.ChannelInApp) {
			if err := inbox(store.UserRecipient(f.subject), f.audience); err != nil {
				return res, classify(err)
			}
		}
	}

	// The sends: targets first, then followers' immediate e-mail, then the
	// e-mail queued for digests, so that an immediate e-mail wins; one per
	// recipient.
	type send struct {
		n      store.Notice
		to     string // e-mail address or webhook URL
		secret string
		digest bool
	}
	var sends []send
	seen := map[string]bool{}
	add := func(s send) {
		if !seen[s.n.Recipient] {
			seen[s.n.Recipient] = true
			sends = append(sends, s)
		}
	}
	targets, err := a.Store.NotificationTargets(ctx, step.BodyID, append(slices.Clone(sponsors), store.AudienceEvents))
	if err != nil {
		return res, classify(err)
	}
	emailDisabled := 0
	for _, t := range targets {
		n := base
		n.Audience, n.Channel, n.TargetID = t.Audience, t.Channel, t.ID
		switch t.Channel {
		case store.ChannelEmail:
			if a.Mailer == nil {
				emailDisabled++
				continue
			}
			n.Recipient = store.EmailRecipient(t.Address)
		case store.ChannelWebhook:
			n.Recipient, n.Payload = store.WebhookRecipient(t.Address), cePayload
		default:
			continue
		}
		add(send{n: n, to: t.Address, secret: t.Secret})
	}
	persons, err := a.personAddresses(ctx, step.BodyID, sponsors)
	if err != nil {
		return res, classify(err)
	}
	for _, p := range persons {
		if a.Mailer == nil {
			emailDisabled++
			continue
		}
		n := base
		n.Recipient, n.Channel, n.Audience = store.EmailRecipient(p.email), store.ChannelEmail, p.audience
		add(send{n: n, to: mailTo(p.name, p.email)})
	}
	for _, digest := range []bool{false, true} {
		for _, f := range followers {
			if f.digest != digest || !hasChannel(f.channels, store.ChannelEmail) || f.email == "" {
				continue
			}
			if a.Mailer == nil && !digest {
				emailDisabled++
				continue
			}
			n := base
			n.Recipient, n.Channel, n.Audience = store.EmailRecipient(f.email), store.ChannelEmail, f.audience
			add(send{n: n, to: mailTo(f.name, f.email), digest: digest})
		}
	}
	log := activity.GetLogger(ctx)
	if emailDisabled > 0 {
		log.Warn("e-mail is disabled (no SMTP configured): step not mailed", "event", step.ID, "recipients", emailDisabled)
	}

	// E-mails first: a webhook receiver that hangs must not keep a step from
	// the mailboxes (each webhook request is bounded by webhookPatience).
	slices.SortStableFunc(sends, func(x, y send) int {
		return cmp.Compare(channelOrder(x.n.Channel), channelOrder(y.n.Channel))
	})
	lease := defaultLease
	if info := activity.GetInfo(ctx); info.StartToCloseTimeout > 0 {
		lease = info.StartToCloseTimeout + 10*time.Second
	}
	var errs []error
	tried := 0
	for _, s := range sends {
		if s.digest {
			n := s.n
			n.Status = store.DeliveryQueued
			if _, err := a.Store.RecordNotice(ctx, n); err != nil {
				return res, classify(err)
			}
			continue
		}
		tried++
		stored, claimed, err := a.Store.ClaimNotice(ctx, s.n, lease)
		if err != nil {
			return res, classify(err)
		}
		if !claimed {
			switch stored.Status {
			case store.DeliverySent:
				res.Skipped++
			case store.DeliveryPending:
				errs = append(errs, fmt.Errorf("notice to %s is in progress elsewhere", s.n.Recipient))
			}
			continue
		}
		sendErr := a.sendNotice(ctx, s.n, s.to, s.secret, msg, ce)
		if sendErr != nil {
			permanent := notify.IsPermanent(sendErr)
			if err := a.Store.RecordNoticeError(context.WithoutCancel(ctx), s.n.EventID, s.n.Recipient, sendErr, permanent); err != nil {
				return res, errors.Join(sendErr, err)
			}
			if permanent {
				log.Warn("notice refused for good", "event", step.ID, "recipient", s.n.Recipient, "error", sendErr)
				continue
			}
			errs = append(errs, sendErr)
			continue
		}
		if err := a.Store.MarkNoticeSent(context.WithoutCancel(ctx), s.n.EventID, s.n.Recipient); err != nil {
			return res, err
		}
		res.Sent++
	}
	if len(errs) > 0 {
		return res, temporal.NewApplicationErrorWithCause(
			fmt.Sprintf("step %s: %d of %d notices failed", step.ID, len(errs), tried),
			ErrTypeDelivery, errors.Join(errs...))
	}
	return res, nil
}

// sendNotice sends one claimed notice: the e-mail, or the CloudEvent to a
// webhook (its X-Motionflow-Delivery is the same on every attempt).
func (a *Activities) sendNotice(ctx context.Context, n store.Notice, to, secret string, msg notify.Message, ce any) error {
	id := notify.DeliveryID(n.SubjectID, n.EventID, n.Recipient)
	switch n.Channel {
	case store.ChannelEmail:
		msg.DeliveryID = id
		return a.Mailer.Send(ctx, to, msg)
	case store.ChannelWebhook:
		hooks := a.Webhooks
		if hooks == nil {
			hooks = &notify.Webhook{}
		}
		ctx, cancel := context.WithTimeout(ctx, webhookPatience)
		defer cancel()
		return hooks.Send(ctx, to, secret, id, ce)
	}
	return nil
}

// webhookPatience bounds one webhook request of Announce, well inside the
// activity's time, so that the attempt gets to record the failure and the
// other recipients.
const webhookPatience = 10 * time.Second

// channelOrder sorts e-mails before webhooks.
func channelOrder(c store.Channel) int {
	if c == store.ChannelWebhook {
		return 1
	}
	return 0
}
