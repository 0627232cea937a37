package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Mailer sends one e-mail; *notify.Mailer is one.
type Mailer interface {
	Send(ctx context.Context, to string, msg notify.Message) error
}

// Webhooks sends one signed webhook request; *notify.Webhook is one.
type Webhooks interface {
	Send(ctx context.Context, url, secret, deliveryID string, payload any) error
}

// defaultLease bounds how long a delivery claimed by an attempt that died
// blocks the next attempt, when the activity has no start-to-close timeout.
const defaultLease = 2 * time.Minute

// LoadCalendar loads what a motion's deadlines depend on: the body's current
// deadline rules, the council's meetings since in.Since, those of
// in.OrganizationID (the organization that decides the motion) when it is
// given, and the meetings in.MeetingIDs names; each meeting says whether its
// agenda is published. The calendar is of motion.CalendarRevision.
func (a *Activities) LoadCalendar(ctx context.Context, in workflows.LoadCalendarInput) (motion.Calendar, error) {
	if in.BodyID == "" {
		return motion.Calendar{}, classify(fmt.Errorf("%w: body is required", store.ErrInvalid))
	}
	rules, err := a.Store.DeadlineRules(ctx, in.BodyID)
	if err != nil {
		return motion.Calendar{}, classify(err)
	}
	council, err := a.Store.CouncilMeetings(ctx, in.BodyID, in.Since)
	if err != nil {
		return motion.Calendar{}, classify(err)
	}
	var decisive []motion.MeetingDate
	if in.OrganizationID != "" {
		if decisive, err = a.Store.OrganizationMeetings(ctx, in.BodyID, in.OrganizationID, in.Since); err != nil {
			return motion.Calendar{}, classify(err)
		}
	}
	meetings, err := a.Store.MeetingDates(ctx, in.MeetingIDs)
	if err != nil {
		return motion.Calendar{}, classify(err)
	}
	return motion.Calendar{Rules: rules, CouncilMeetings: council, DecisiveOrganization: in.OrganizationID,
		DecisiveMeetings: decisive, Meetings: meetings, Revision: motion.CalendarRevision}, nil
}

// ProjectDeadlines replaces the motion's current deadlines in the read model
// (deadline lists, worklists, calendar feeds) in one transaction; repeating
// it with the same input changes nothing.
func (a *Activities) ProjectDeadlines(ctx context.Context, in workflows.ProjectDeadlinesInput) error {
	return classify(a.Store.ProjectDeadlines(ctx, in.MotionID, in.BodyID, in.Faction, in.Deadlines))
}

// Notify delivers one reminder to everybody it concerns, at most once per
// recipient however often it is retried:
//
//   - the body's notification targets of the reminder's audiences (e-mail
//     and webhook), and, unless it is an escalation (which goes to the council
//     office only), the motion's watchers by their chosen channels;
//   - a councillor in person (audience "person:<id>", a signer of a motion
//     of councillors) at the e-mail address the directory has for the
//     person, as a faction is reached through its target;
//   - one in-app record per audience (and per watcher who chose in-app), which
//     the worklist reads;
//   - watchers who chose the digest get their e-mail queued, not sent.
//
// Every delivery is a row of the reminder log keyed by (motion, reminder,
// recipient): it is claimed before sending and marked sent after, so a retry
// skips what was delivered (counted in Skipped) and sends only the rest. One
// address reached through several targets or watches gets one e-mail; a
// target's immediate e-mail wins over a watcher's digest.
//
// A channel error is recorded on its row and, after every other recipient was
// tried, returned as a retryable error, so Temporal retries with backoff. An
// address the mail server rejects for good is marked failed, logged and not
// retried. Without a Mailer, e-mail is disabled: immediate e-mail recipients
// are skipped with a warning and nothing is logged for them (in-app records,
// webhooks and digest queueing go on as usual), so enabling e-mail later does
// not flood anybody with old reminders. Should the process die between sending and recording, the next
// attempt sends again once the claim's lease ran out; such a resend carries
// the same Message-ID and X-Motionflow-Delivery as the first.
func (a *Activities) Notify(ctx context.Context, in workflows.NotifyInput) (workflows.NotifyResult, error) {
	var res workflows.NotifyResult
	m, r := in.Motion, in.Reminder
	if m.ID == "" || m.BodyID == "" || r.Key == "" || r.Deadline.Due.IsZero() {
		return res, classify(fmt.Errorf("%w: notify needs motion, body, reminder key and due time", store.ErrInvalid))
	}
	log := activity.GetLogger(ctx)
	audiences := r.Audiences
	if len(audiences) == 0 {
		audiences = r.Deadline.Audiences
	}
	nm := notify.Motion{ID: m.ID, BodyID: m.BodyID, Reference: m.Reference, Title: m.Title, Kind: m.Kind, Status: m.Status, Faction: m.Faction}
	msg := notify.Compose(nm, r, a.BaseURL)
	payload, err := json.Marshal(notify.NewEvent(nm, r, msg, ""))
	if err != nil {
		return res, err
	}
	base := store.Delivery{
		DeliveryKey: store.DeliveryKey{MotionID: m.ID, ReminderKey: r.Key},
		BodyID:      m.BodyID, DeadlineKey: r.Deadline.Key, DeadlineKind: r.Deadline.Kind,
		Due: r.Deadline.Due, At: r.At, Escalation: r.Escalation, Payload: payload,
	}
	if base.At.IsZero() {
		base.At = r.Deadline.Due.Add(time.Duration(r.Offset))
	}

	targets, err := a.Store.NotificationTargets(ctx, m.BodyID, nonNilStrings(audiences))
	if err != nil {
		return res, classify(err)
	}
	var watchers []store.Watch
	if !r.Escalation {
		if watchers, err = a.Store.Watchers(ctx, m.ID); err != nil {
			return res, classify(err)
		}
	}

	// The in-app records: one per audience and per in-app watcher.
	record := func(d store.Delivery) error {
		_, _, err := a.Store.RecordDelivery(ctx, d)
		return err
	}
	for _, aud := range audiences {
		d := base
		d.Recipient, d.Channel, d.Audience, d.Status = store.AudienceRecipient(aud), store.ChannelInApp, aud, store.DeliverySent
		if err := record(d); err != nil {
			return res, classify(err)
		}
	}
	for _, w := range watchers {
		if hasChannel(w.Channels, store.ChannelInApp) {
			d := base
			d.Recipient, d.Channel, d.Audience, d.Status = store.UserRecipient(w.Subject), store.ChannelInApp, store.AudienceWatchers, store.DeliverySent
			if err := record(d); err != nil {
				return res, classify(err)
			}
		}
	}

	// The sends, targets first so that an immediate e-mail wins over a digest.
	type send struct {
		d      store.Delivery
		to     string // e-mail address or webhook URL
		secret string
		digest bool
	}
	var sends []send
	seen := map[string]bool{}
	add := func(s send) {
		if !seen[s.d.Recipient] {
			seen[s.d.Recipient] = true
			sends = append(sends, s)
		}
	}
	emailDisabled := 0
	for _, t := range targets {
		d := base
		d.Audience, d.Channel = t.Audience, t.Channel
		switch t.Channel {
		case store.ChannelEmail:
			if a.Mailer == nil {
				emailDisabled++
				continue
			}
			d.Recipient = store.EmailRecipient(t.Address)
		case store.ChannelWebhook:
			d.Recipient = store.WebhookRecipient(t.Address)
		default:
			continue
		}
		add(send{d: d, to: t.Address, secret: t.Secret})
	}
	persons, err := a.personAddresses(ctx, m.BodyID, audiences)
	if err != nil {
		return res, classify(err)
	}
	for _, p := range persons {
		if a.Mailer == nil {
			emailDisabled++
			continue
		}
		d := base
		d.Recipient, d.Channel, d.Audience = store.EmailRecipient(p.email), store.ChannelEmail, p.audience
		add(send{d: d, to: mailTo(p.name, p.email)})
	}
	for _, w := range watchers {
		if !hasChannel(w.Channels, store.ChannelEmail) || w.Email == "" {
			continue
		}
		if a.Mailer == nil && !w.Digest {
			emailDisabled++
			continue
		}
		d := base
		d.Recipient, d.Channel, d.Audience = store.EmailRecipient(w.Email), store.ChannelEmail, store.AudienceWatchers
		add(send{d: d, to: mailTo(w.Name, w.Email), digest: w.Digest})
	}
	if emailDisabled > 0 {
		log.Warn("e-mail is disabled (no SMTP configured): reminder not mailed", "motion", m.ID, "reminder", r.Key, "recipients", emailDisabled)
	}

	lease := defaultLease
	if info := activity.GetInfo(ctx); info.StartToCloseTimeout > 0 {
		lease = info.StartToCloseTimeout + 10*time.Second
	}
	var errs []error
	for _, s := range sends {
		if s.digest {
			d := s.d
			d.Status = store.DeliveryQueued
			if err := record(d); err != nil {
				return res, classify(err)
			}
			continue
		}
		stored, claimed, err := a.Store.ClaimDelivery(ctx, s.d, lease)
		if err != nil {
			return res, classify(err)
		}
		if !claimed {
			switch stored.Status {
			case store.DeliverySent:
				res.Skipped++
			case store.DeliveryPending: // another attempt is sending it right now
				errs = append(errs, fmt.Errorf("delivery to %s is in progress elsewhere", s.d.Recipient))
			}
			continue // queued for a digest or failed for good: not sent now
		}
		id := notify.DeliveryID(m.ID, r.Key, s.d.Recipient)
		var sendErr error
		switch s.d.Channel {
		case store.ChannelEmail:
			mm := msg
			mm.DeliveryID = id
			sendErr = a.Mailer.Send(ctx, s.to, mm)
		case store.ChannelWebhook:
			hooks := a.Webhooks
			if hooks == nil {
				hooks = &notify.Webhook{}
			}
			sendErr = hooks.Send(ctx, s.to, s.secret, id, notify.NewEvent(nm, r, msg, id))
		}
		if sendErr != nil {
			permanent := notify.IsPermanent(sendErr)
			if err := a.Store.RecordDeliveryError(context.WithoutCancel(ctx), s.d.DeliveryKey, sendErr, permanent); err != nil {
				return res, errors.Join(sendErr, err)
			}
			if permanent {
				log.Warn("reminder refused for good", "motion", m.ID, "reminder", r.Key, "recipient", s.d.Recipient, "error", sendErr)
				continue
			}
			errs = append(errs, sendErr)
			continue
		}
		// The send happened: record it even if the activity's context is
		// being cancelled, so that a retry does not send it again.
		if err := a.Store.MarkDelivered(context.WithoutCancel(ctx), s.d.DeliveryKey); err != nil {
			return res, err
		}
		res.Sent++
	}
	if len(errs) > 0 {
		return res, temporal.NewApplicationErrorWithCause(
			fmt.Sprintf("reminder %s of motion %s: %d of %d deliveries failed", r.Key, m.ID, len(errs), len(sends)),
			ErrTypeDelivery, errors.Join(errs...))
	}
	return res, nil
}

// ErrTypeDelivery is the type of the (retryable) ApplicationError Notify
// returns when a channel failed.
const ErrTypeDelivery = "DeliveryFailed"

func hasChannel(cs []store.Channel, c store.Channel) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// personAddress is a councillor reached in person: the audience
// "person:<id>" and the directory's name and e-mail address for the person.
type personAddress struct{ audience, name, email string }

// personAddresses resolves each audience of a single councillor
// (motion.PersonAudience) to the e-mail address the directory has for that
// person in body bodyID. A person without an address, or no (longer) in the
// body's directory, is left out: the in-app record of the audience still
// reaches the councillor's worklist.
func (a *Activities) personAddresses(ctx context.Context, bodyID string, audiences []string) ([]personAddress, error) {
	var out []personAddress
	for _, aud := range audiences {
		id, ok := strings.CutPrefix(aud, motion.PersonAudience(""))
		if !ok || id == "" {
			continue
		}
		name, email, err := a.Store.PersonAddress(ctx, bodyID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(email) != "" {
			out = append(out, personAddress{audience: aud, name: name, email: strings.TrimSpace(email)})
		}
	}
	return out, nil
}

// mailTo is the recipient of an e-mail to addr: "Erika Muster <addr>" when
// the name is known, else the bare address.
func mailTo(name, addr string) string {
	if name == "" {
		return addr
	}
	return (&mail.Address{Name: name, Address: addr}).String()
}
