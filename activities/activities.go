// Package activities holds the Temporal activities of the motion workflow:
// the ones that touch the world outside the workflow's deterministic code.
//
// Guarantees: every activity here is safe to retry. Project writes the read
// model and the audit trail idempotently (an event already recorded, or an
// older version, changes nothing), and AssignReference returns the same
// reference number to every attempt for the same motion, so retries and
// replays never duplicate rows or burn numbers. LoadCalendar only reads;
// ProjectDeadlines replaces a motion's deadlines as a whole.
// Notify sends a reminder at most once per (motion, reminder, recipient):
// every delivery is claimed in the reminder log before it is sent and marked
// sent after, so a retried Notify sends only what is still missing. Errors
// that a retry cannot fix (invalid input, an unknown body) are non-retryable
// ApplicationErrors; a failed channel is a retryable one (ErrTypeDelivery).
package activities

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
)

// Error types of the non-retryable ApplicationErrors the activities return,
// for the workflow to tell them apart.
const (
	ErrTypeInvalid  = "Invalid"
	ErrTypeNotFound = "NotFound"
)

// Activities are the motion workflow's activities, bound to the read model
// and the reminder channels.
type Activities struct {
	Store *store.Store
	// Mailer sends reminder e-mails; nil disables e-mail (see Notify).
	Mailer Mailer
	// Webhooks sends signed webhook requests; nil means a &notify.Webhook{}.
	Webhooks Webhooks
	// BaseURL is where links in reminders point: the API's base URL
	// ("https://rat.example", giving ".../v1/motions/<id>") or a template
	// with "{id}" (see notify.MotionLink).
	BaseURL string
}

// Project writes the motion as it is after the event, and the event itself,
// into the read model in one transaction, so that lists, search and the audit
// trail see the write. Projecting the same or an older version again is a no-op.
func (a *Activities) Project(ctx context.Context, in workflows.ProjectInput) error {
	return classify(a.Store.Project(ctx, in.Motion, in.Event))
}

// AssignReference gives the motion its gapless reference number in its body's
// sequence of the year; a retry for the same motion returns the same number.
func (a *Activities) AssignReference(ctx context.Context, in workflows.AssignReferenceInput) (workflows.AssignReferenceResult, error) {
	ref, seq, err := a.Store.AssignReference(ctx, in.BodyID, in.MotionID, in.Year)
	if err != nil {
		return workflows.AssignReferenceResult{}, classify(err)
	}
	return workflows.AssignReferenceResult{Reference: ref, Year: yearOf(ref, in.Year), Seq: seq}, nil
}

// Register registers the activities with a worker under the names of the
// wire contract (workflows.ActivityProject, workflows.ActivityAssignReference,
// workflows.ActivityLoadCalendar, workflows.ActivityNotify,
// workflows.ActivityProjectDeadlines).
func (a *Activities) Register(w worker.Registry) {
	w.RegisterActivityWithOptions(a.Project, activity.RegisterOptions{Name: workflows.ActivityProject})
	w.RegisterActivityWithOptions(a.AssignReference, activity.RegisterOptions{Name: workflows.ActivityAssignReference})
	w.RegisterActivityWithOptions(a.LoadCalendar, activity.RegisterOptions{Name: workflows.ActivityLoadCalendar})
	w.RegisterActivityWithOptions(a.Notify, activity.RegisterOptions{Name: workflows.ActivityNotify})
	w.RegisterActivityWithOptions(a.ProjectDeadlines, activity.RegisterOptions{Name: workflows.ActivityProjectDeadlines})
	w.RegisterActivityWithOptions(a.SendDigests, activity.RegisterOptions{Name: workflows.ActivityDigest})
	w.RegisterActivityWithOptions(a.ProjectMeeting, activity.RegisterOptions{Name: workflows.ActivityProjectMeeting})
	w.RegisterActivityWithOptions(a.Tell, activity.RegisterOptions{Name: workflows.ActivityTell})
	w.RegisterActivityWithOptions(a.MeetingDocument, activity.RegisterOptions{Name: workflows.ActivityMeetingDocument})
	w.RegisterActivityWithOptions(a.SendInvitation, activity.RegisterOptions{Name: workflows.ActivitySendInvitation})
	w.RegisterActivityWithOptions(a.Announce, activity.RegisterOptions{Name: workflows.ActivityAnnounce})
}

// classify makes errors that no retry can fix non-retryable, keeping the
// others (a database that is down, a timeout) retryable.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrInvalid):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalid, err)
	case errors.Is(err, store.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNotFound, err)
	}
	return err
}

// yearOf returns the year of a reference ("A762/2019" → 2019). It differs from
// the requested year only when a retry crosses New Year: the motion keeps the
// reference of its first assignment.
func yearOf(reference string, requested int) int {
	i := strings.LastIndexByte(reference, '/')
	if i < 0 {
		return requested
	}
	y, err := strconv.Atoi(reference[i+1:])
	if err != nil {
		return requested
	}
	return y
}
