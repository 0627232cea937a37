package workflows

import (
	"slices"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// reminderState is the workflow's bookkeeping of deadlines and reminders.
type reminderState struct {
	// Calendar is the last loaded calendar; CalendarKey says for which
	// submission time and meetings it was loaded ("" forces a reload).
	Calendar    *motion.Calendar `json:"calendar,omitempty"`
	CalendarKey string           `json:"calendar_key,omitempty"`
	// Armed records, per deadline key and due time, when the workflow first
	// knew the deadline: reminders whose time had passed by then are not sent
	// late, those that fall due afterwards always are.
	Armed map[string]time.Time `json:"armed,omitempty"`
	// Sent are the keys of reminders handed to the Notify activity.
	Sent []string `json:"sent,omitempty"`
	// Projected is the deadline set last written to the read model.
	Projected []motion.Deadline `json:"projected,omitempty"`
}

// deadlines recomputes the motion's deadlines, keeps the read model's copy
// current, sends every reminder that is due, and returns the next one to wait
// for (nil when there is none).
func (w *run) deadlines(ctx workflow.Context) (*motion.Reminder, error) {
	if w.m.Version == 0 {
		return nil, nil
	}
	if err := w.loadCalendar(ctx); err != nil {
		return nil, err
	}
	for {
		now := workflow.Now(ctx)
		version := w.m.Version
		ds := motion.Deadlines(&w.m, *w.rem.Calendar)
		if err := w.projectDeadlines(ctx, ds); err != nil {
			return nil, err
		}
		w.deadlinesFor = max(w.deadlinesFor, version)
		w.arm(ds, now)
		var due []motion.Reminder
		var next *motion.Reminder
		for _, d := range ds {
			armed := w.rem.Armed[armKey(d)]
			for _, r := range motion.Reminders(d, w.rem.Calendar.Rules) {
				if r.At.Before(armed) || slices.Contains(w.rem.Sent, r.Key) {
					continue
				}
				if !r.At.After(now) {
					due = append(due, r)
				} else if next == nil || r.At.Before(next.At) {
					next = &r
				}
			}
		}
		if len(due) == 0 {
			return next, nil
		}
		for _, r := range due {
			if err := w.notify(ctx, r); err != nil {
				return nil, err
			}
		}
	}
}

// loadCalendar fetches the rules and meetings the deadlines depend on when
// what the motion names of them changed (or a signal asked for it).
//
// The organization that decides the motion is part of what the calendar
// depends on only for calendars that know of it (Revision 1): a calendar
// loaded before (a history recorded then, or one carried across
// continue-as-new) is reloaded exactly when it was then, so that a replay
// runs the same activities. Both are decided by the recorded calendar, so no
// version marker is needed.
func (w *run) loadCalendar(ctx workflow.Context) error {
	since := w.m.CreatedAt
	if w.m.SubmittedAt != nil {
		since = *w.m.SubmittedAt
	}
	ids := w.m.MeetingIDs()
	if w.m.TargetMeeting != "" && !slices.Contains(ids, w.m.TargetMeeting) {
		ids = append(ids, w.m.TargetMeeting)
	}
	org := w.m.DecisiveOrganization()
	base := since.UTC().Format(time.RFC3339Nano) + "|" + strings.Join(ids, ",")
	keyFor := func(cal *motion.Calendar) string {
		if cal != nil && cal.Revision >= 1 {
			return base + "|" + org
		}
		return base
	}
	if w.rem.Calendar != nil && w.rem.CalendarKey == keyFor(w.rem.Calendar) {
		return nil
	}
	var cal motion.Calendar
	err := workflow.ExecuteActivity(w.activityCtx(ctx), ActivityLoadCalendar,
		LoadCalendarInput{BodyID: w.m.BodyID, MotionID: w.m.ID, Since: since, MeetingIDs: ids, OrganizationID: org}).Get(ctx, &cal)
	if err != nil {
		return err
	}
	w.rem.Calendar, w.rem.CalendarKey = &cal, keyFor(&cal)
	return nil
}

func (w *run) projectDeadlines(ctx workflow.Context, ds []motion.Deadline) error {
	if slices.EqualFunc(ds, w.rem.Projected, sameDeadline) && (len(ds) > 0 || w.rem.Projected != nil) {
		return nil
	}
	err := workflow.ExecuteActivity(w.activityCtx(ctx), ActivityProjectDeadlines, ProjectDeadlinesInput{
		MotionID: w.m.ID, BodyID: w.m.BodyID, Faction: w.m.Faction, Deadlines: ds,
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	w.rem.Projected = slices.Clone(ds)
	if w.rem.Projected == nil {
		w.rem.Projected = []motion.Deadline{}
	}
	return nil
}

func sameDeadline(a, b motion.Deadline) bool {
	return a.Key == b.Key && a.Due.Equal(b.Due) && a.Rule == b.Rule && a.RuleVersion == b.RuleVersion &&
		a.Reason == b.Reason && slices.Equal(a.Audiences, b.Audiences) && slices.Equal(a.Informed, b.Informed)
}

// arm notes when each current deadline was first known and forgets the ones
// that are gone.
func (w *run) arm(ds []motion.Deadline, now time.Time) {
	armed := make(map[string]time.Time, len(ds))
	for _, d := range ds {
		k := armKey(d)
		if t, ok := w.rem.Armed[k]; ok {
			armed[k] = t
		} else {
			armed[k] = now
		}
	}
	w.rem.Armed = armed
}

func armKey(d motion.Deadline) string { return d.Key + "@" + d.Due.UTC().Format(time.RFC3339) }

// notify hands one reminder to the Notify activity, which delivers it at most
// once per recipient even when retried.
func (w *run) notify(ctx workflow.Context, r motion.Reminder) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    w.opts.ActivityTimeout,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
		},
	})
	in := NotifyInput{Motion: MotionSummary{
		ID: w.m.ID, BodyID: w.m.BodyID, Reference: w.m.Reference, Title: w.m.Title,
		Kind: w.m.Kind, Status: w.m.Status, Faction: w.m.Faction,
	}, Reminder: r}
	if err := workflow.ExecuteActivity(actx, ActivityNotify, in).Get(ctx, nil); err != nil {
		// A day of failed deliveries: record and move on rather than block
		// every later reminder of this motion.
		workflow.GetLogger(ctx).Error("reminder not delivered", "reminder", r.Key, "error", err)
	}
	w.rem.Sent = append(w.rem.Sent, r.Key)
	return nil
}
