package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// ProjectMeeting writes the meeting's new state and event into the read
// model; repeating it changes nothing.
func (a *Activities) ProjectMeeting(ctx context.Context, in workflows.ProjectMeetingInput) error {
	return classify(a.Store.ProjectMeeting(ctx, in.Meeting, in.Event))
}

// Tell passes on what a meeting decided: a command to a motion's workflow
// (schedule, record_result) or an item to the agenda of the meeting a
// postponed item moves to. The request id is the Tell's key, so a retry is
// answered with the first result and never applied twice. A refusal by the
// receiver comes back in TellResult.Refused: retrying would not change it.
func (a *Activities) Tell(ctx context.Context, o workflows.Outgoing) (workflows.TellResult, error) {
	t := o.Tell
	if t == nil {
		return workflows.TellResult{}, temporal.NewNonRetryableApplicationError("nothing to tell", ErrTypeInvalid, nil)
	}
	c := &workflows.Client{Temporal: activity.GetClient(ctx)}
	meta := workflows.Meta{Actor: o.Actor, ExpectedVersion: motion.AnyVersion, RequestID: t.Key}
	var err error
	switch {
	case t.Schedule != nil:
		_, err = c.Send(ctx, t.MotionID, *t.Schedule, meta)
	case t.Result != nil:
		// The amendments still open in the organization hold the motion's
		// result back, as they do a result entered on its page.
		_, err = workflows.Completing(c, a.Store.WithAmendments).Send(ctx, t.MotionID, *t.Result, meta)
	case t.Item != nil:
		var current meeting.Meeting
		if current, err = a.Store.MeetingState(ctx, t.MeetingID); err == nil {
			_, err = c.SendMeeting(ctx, current, *t.Item, meta)
		}
	default:
		return workflows.TellResult{}, temporal.NewNonRetryableApplicationError("nothing to tell", ErrTypeInvalid, nil)
	}
	var refusal *motion.Error
	switch {
	case errors.As(err, &refusal):
		return workflows.TellResult{Refused: refusal.Error()}, nil
	case errors.Is(err, store.ErrNotFound):
		return workflows.TellResult{Refused: "Die Sitzung " + t.MeetingID + " gibt es nicht."}, nil
	}
	return workflows.TellResult{}, err
}

// MeetingDocument generates a meeting's invitation or minutes as PDF and
// stores it; the bytes depend only on the state, so a retry stores the
// same document. The minutes are stored as the public may read them (the
// non-public part without its content); they are served once published.
func (a *Activities) MeetingDocument(ctx context.Context, o workflows.Outgoing) error {
	if o.Meeting == nil {
		return temporal.NewNonRetryableApplicationError("no meeting", ErrTypeInvalid, nil)
	}
	m := *o.Meeting
	org, names, err := a.meetingNames(ctx, m)
	if err != nil {
		return classify(err)
	}
	var (
		pdf  []byte
		name string
	)
	switch o.Document {
	case "invitation":
		pdf, err = documents.InvitationPDF(m.PublicView(), org, names)
		name = "Einladung " + m.Start.In(motion.Berlin).Format("2006-01-02") + ".pdf"
	case "minutes":
		pdf, err = documents.MinutesPDF(m.PublicView(), org, names)
		name = "Niederschrift " + m.Start.In(motion.Berlin).Format("2006-01-02") + ".pdf"
	default:
		return temporal.NewNonRetryableApplicationError("unknown document "+o.Document, ErrTypeInvalid, nil)
	}
	if err != nil {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s of meeting %s: %v", o.Document, m.ID, err), ErrTypeInvalid, err)
	}
	return classify(a.Store.SaveMeetingFile(ctx, store.MeetingFile{MeetingID: m.ID, Kind: o.Document, Name: name, Content: pdf}, m.UpdatedAt))
}

// meetingNames looks up the names the meeting's documents and mail show
// (store.DisplayNames): the body, the organizations, and the organization's
// name on its own (the meeting's name when it has none).
func (a *Activities) meetingNames(ctx context.Context, m meeting.Meeting) (string, documents.Names, error) {
	var n documents.Names
	var err error
	if n.Body, n.Organizations, err = a.Store.DisplayNames(ctx, m.BodyID, documents.MeetingOrganizationIDs(m)); err != nil {
		return "", n, err
	}
	org := n.Organizations[m.OrganizationID]
	if org == "" {
		org = m.Name
	}
	return org, n, nil
}

// invitationLease bounds how long a claimed invitation mail blocks a retry.
const invitationLease = 2 * time.Minute

// SendInvitation mails the invitation with its agenda (the stored PDF) to
// every member of the meeting's organization with an e-mail address, at most
// once per member however often it is retried: each mail is a row of the
// delivery log, keyed by the meeting, the invitation's version and the
// address, claimed before sending and marked sent after. A member's address
// the mail server refuses for good is recorded and skipped; other failures
// are retried after everybody else was tried.
func (a *Activities) SendInvitation(ctx context.Context, o workflows.Outgoing) error {
	if o.Meeting == nil {
		return temporal.NewNonRetryableApplicationError("no meeting", ErrTypeInvalid, nil)
	}
	m := *o.Meeting
	if a.Mailer == nil || m.OrganizationID == "" {
		activity.GetLogger(ctx).Warn("invitation not mailed: no mail server or no organization", "meeting", m.ID)
		return nil
	}
	_, emails, err := a.Store.MeetingMembers(ctx, m.OrganizationID, m.Start)
	if err != nil {
		return classify(err)
	}
	f, err := a.Store.MeetingFileOf(ctx, m.ID, "invitation")
	if err != nil {
		return classify(err) // generated just before, in order; NotFound would be a bug
	}
	org, _, err := a.meetingNames(ctx, m)
	if err != nil {
		return classify(err)
	}
	msg := notify.InvitationMessage(m, org, notify.MeetingLink(a.BaseURL, m.ID))
	msg.Attachments = []notify.Attachment{{Name: f.Name, ContentType: f.ContentType, Data: f.Content}}
	at := time.Now()
	if m.InvitationPublishedAt != nil {
		at = *m.InvitationPublishedAt
	}
	key := fmt.Sprintf("invitation@v%d", m.Version)
	var errs []error
	for _, to := range emails {
		d := store.Delivery{DeliveryKey: store.DeliveryKey{MotionID: workflows.MeetingWorkflowID(m.ID), ReminderKey: key,
			Recipient: "email:" + strings.ToLower(to)}, Channel: store.ChannelEmail, BodyID: m.BodyID,
			DeadlineKey: "invitation", DeadlineKind: "invitation", Due: m.Start, At: at}
		_, claimed, err := a.Store.ClaimDelivery(ctx, d, invitationLease)
		if err != nil {
			return classify(err)
		}
		if !claimed {
			continue // sent already, failed for good, or being sent by another attempt
		}
		mm := msg
		mm.DeliveryID = notify.DeliveryID(d.MotionID, key, d.Recipient)
		if sendErr := a.Mailer.Send(ctx, to, mm); sendErr != nil {
			permanent := notify.IsPermanent(sendErr)
			if err := a.Store.RecordDeliveryError(context.WithoutCancel(ctx), d.DeliveryKey, sendErr, permanent); err != nil {
				return errors.Join(sendErr, err)
			}
			if !permanent {
				errs = append(errs, sendErr)
			}
			continue
		}
		if err := a.Store.MarkDelivered(context.WithoutCancel(ctx), d.DeliveryKey); err != nil {
			return classify(err)
		}
	}
	return errors.Join(errs...)
}
