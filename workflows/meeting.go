package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// MeetingWorkflowName is the registered name of MeetingWorkflow.
const MeetingWorkflowName = "Meeting"

// QueryMeeting is the query that returns the meeting's current state.
const QueryMeeting = "meeting"

// Activities of the meeting, registered by the activities package.
const (
	ActivityProjectMeeting  = "ProjectMeeting"
	ActivityTell            = "Tell"
	ActivityMeetingDocument = "MeetingDocument"
	ActivitySendInvitation  = "SendInvitation"
)

// MeetingWorkflowID is the Temporal workflow id of the meeting with id.
func MeetingWorkflowID(meetingID string) string { return "meeting/" + meetingID }

// MeetingInput starts a meeting's workflow. Meetings exist in the directory
// before their workflow: the first command starts it with the meeting as the
// read model has it (Initial), so that the workflow can take the command in
// its first task.
type MeetingInput struct {
	MeetingID string           `json:"meeting_id"`
	Initial   *meeting.Meeting `json:"initial,omitempty"`
	// State is set when a run continues as new.
	State *MeetingCarried `json:"state,omitempty"`
}

// MeetingCarried is the state handed from one run to the next.
type MeetingCarried struct {
	Meeting meeting.Meeting   `json:"meeting"`
	Seen    []string          `json:"seen"`
	Digests map[string]string `json:"digests,omitempty"`
	Outbox  []Outgoing        `json:"outbox,omitempty"`
	// Reminders is the bookkeeping of the meeting's deadlines.
	Reminders *MeetingReminders `json:"reminders,omitempty"`
	// Announce are the steps not yet announced (see announcer).
	Announce []AnnounceInput `json:"announce,omitempty"`
}

// MeetingReminders is what the meeting workflow remembers of its deadlines
// (meeting.Deadlines) and their reminders, across continue-as-new.
type MeetingReminders struct {
	// Rules are the body's deadline rules as last loaded; RulesFor is the
	// meeting status they were loaded in ("" forces a reload): the rules
	// are read again at every change of status and on the signal
	// calendar_changed.
	Rules    *motion.DeadlineRules `json:"rules,omitempty"`
	RulesFor meeting.Status        `json:"rules_for,omitempty"`
	// Armed records, per deadline key and due time, when the workflow first
	// knew the deadline: a reminder whose time had passed by then is not
	// sent late; one that falls due afterwards always is.
	Armed map[string]time.Time `json:"armed,omitempty"`
	// Sent are the keys of the reminders handed to the Notify activity.
	Sent []string `json:"sent,omitempty"`
}

// Outgoing is one thing the meeting still has to do outside itself after a
// transition, in order: tell a motion or another meeting (Tell), generate a
// document, mail the invitation, or wake the motions on the agenda to
// recompute their deadlines.
type Outgoing struct {
	Kind OutgoingKind  `json:"kind"`
	Tell *meeting.Tell `json:"tell,omitempty"`
	// Actor is who caused it: the motion's history names them.
	Actor motion.Actor `json:"actor"`
	// Meeting is the state the document or mail is made of.
	Meeting *meeting.Meeting `json:"meeting,omitempty"`
	// Document is "invitation" or "minutes".
	Document string `json:"document,omitempty"`
	// MotionIDs are the motions to wake.
	MotionIDs []string `json:"motion_ids,omitempty"`
}

// OutgoingKind says what an Outgoing does.
type OutgoingKind string

// The kinds of Outgoing.
const (
	OutTell     OutgoingKind = "tell"
	OutDocument OutgoingKind = "document"
	OutMail     OutgoingKind = "mail"
	OutCalendar OutgoingKind = "calendar"
)

// MeetingRequest is the argument of every meeting update.
type MeetingRequest[C meeting.Command] struct {
	Command         C            `json:"command"`
	Actor           motion.Actor `json:"actor"`
	ExpectedVersion int64        `json:"expected_version"`
	RequestID       string       `json:"request_id"`
	Digest          string       `json:"digest,omitempty"`
}

// ProjectMeetingInput is the argument of the ProjectMeeting activity.
type ProjectMeetingInput struct {
	Meeting meeting.Meeting `json:"meeting"`
	Event   meeting.Event   `json:"event"`
}

// TellResult is what the Tell activity reports: Refused is the refusal of
// the receiving motion or meeting, which retrying would not change.
type TellResult struct {
	Refused string `json:"refused,omitempty"`
}

// RegisterMeeting registers MeetingWorkflow with a worker.
func RegisterMeeting(r worker.WorkflowRegistry, o Options) {
	r.RegisterWorkflowWithOptions(func(ctx workflow.Context, in MeetingInput) error {
		return MeetingWorkflow(ctx, in, o)
	}, workflow.RegisterOptions{Name: MeetingWorkflowName})
}

// MeetingWorkflow owns one meeting from planning to published minutes. It
// applies the council office's commands (meeting.Apply), projects the state
// into the read model before answering, and then works off its outbox in
// order: it tells each motion what happened to it (idempotently, keyed by
// meeting, version and position), generates the documents and mails the
// invitation. The outbox is carried across continue-as-new, so nothing the
// session recorded is lost when a worker or the server restarts.
//
// Between transitions it watches the meeting's own deadlines (invitation,
// publication of the decisions, minutes; meeting.Deadlines under the body's
// rules): it sends every reminder that is due to the council office
// (activity Notify, at most once per recipient) and waits with one durable
// timer for the next one, like a motion's deadline loop.
func MeetingWorkflow(ctx workflow.Context, in MeetingInput, o Options) error {
	w := &meetingRun{in: in, opts: o.withDefaults(), lock: workflow.NewMutex(ctx), seen: map[string]string{}}
	if in.State != nil {
		w.m = in.State.Meeting
		for _, id := range in.State.Seen {
			w.markSeen(id, in.State.Digests[id])
		}
		w.outbox = in.State.Outbox
		if in.State.Reminders != nil {
			w.rem = *in.State.Reminders
		}
		w.announce = in.State.Announce
	} else if in.Initial != nil {
		w.m = *in.Initial
	} else {
		w.m = meeting.Meeting{ID: in.MeetingID, Status: meeting.StatusPlanned}
	}
	if err := workflow.SetQueryHandler(ctx, QueryMeeting, func() (meeting.Meeting, error) { return w.m, nil }); err != nil {
		return err
	}
	if err := errors.Join(
		handleMeeting[meeting.AddItem](ctx, w),
		handleMeeting[meeting.RemoveItem](ctx, w),
		handleMeeting[meeting.MoveItem](ctx, w),
		handleMeeting[meeting.PublishInvitation](ctx, w),
		handleMeeting[meeting.Cancel](ctx, w),
		handleMeeting[meeting.OpenSession](ctx, w),
		handleMeeting[meeting.RecordAttendance](ctx, w),
		handleMeeting[meeting.CallItem](ctx, w),
		handleMeeting[meeting.RecordResults](ctx, w),
		handleMeeting[meeting.CloseSession](ctx, w),
		handleMeeting[meeting.AmendMinutes](ctx, w),
		handleMeeting[meeting.ApproveMinutes](ctx, w),
		handleMeeting[meeting.PublishMinutes](ctx, w),
		handleMeeting[meeting.MarkWithdrawn](ctx, w),
	); err != nil {
		return err
	}
	workflow.Go(ctx, func(ctx workflow.Context) { announcer(ctx, w.opts, &w.announce) })
	calendar := workflow.GetSignalChannel(ctx, SignalCalendarChanged)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for calendar.Receive(ctx, nil) {
			w.rem.RulesFor = "" // the body's rules changed: read them again
			w.wake = true
		}
	})
	directory := workflow.GetSignalChannel(ctx, SignalMeetingDirectory)
	workflow.Go(ctx, func(ctx workflow.Context) {
		var d MeetingDirectory
		for directory.Receive(ctx, &d) {
			// The directory owns name, place, time and organization; the
			// meeting's deadlines and what it tells motions follow them.
			w.m.Name, w.m.Location, w.m.OrganizationID = d.Name, d.Location, d.OrganizationID
			if !d.Start.IsZero() {
				w.m.Start = d.Start
			}
			w.wake = true
		}
	})
	for {
		if len(w.outbox) > 0 {
			w.deliver(ctx, w.outbox[0])
			w.outbox = w.outbox[1:]
			continue
		}
		// Cleared before recomputing, so that a command applied while a
		// reminder is being sent wakes the loop again.
		w.wake = false
		next := w.deadlines(ctx)
		canSuggested := func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() }
		cond := func() bool { return len(w.outbox) > 0 || w.wake || canSuggested() }
		var err error
		if next == nil {
			err = workflow.Await(ctx, cond)
		} else {
			_, err = workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
				Timeout:      max(next.At.Sub(workflow.Now(ctx)), time.Millisecond),
				TimerOptions: workflow.TimerOptions{Summary: "Erinnerung " + next.Key},
			}, cond)
		}
		if err != nil {
			return err
		}
		if len(w.outbox) > 0 || !canSuggested() {
			continue
		}
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		if len(w.outbox) > 0 {
			continue
		}
		rem := w.rem
		carried := &MeetingCarried{Meeting: w.m, Seen: w.order, Digests: w.seen, Outbox: w.outbox, Reminders: &rem, Announce: w.announce}
		return workflow.NewContinueAsNewError(ctx, MeetingWorkflowName, MeetingInput{MeetingID: w.in.MeetingID, State: carried})
	}
}

// meetingRun is the meeting workflow's state for one run.
type meetingRun struct {
	in     MeetingInput
	opts   Options
	m      meeting.Meeting
	lock   workflow.Mutex
	seen   map[string]string
	order  []string
	outbox []Outgoing
	rem    MeetingReminders
	// announce queues the steps to announce, oldest first.
	announce []AnnounceInput
	// wake asks the loop to recompute the deadlines (a transition or a
	// change of the rules happened).
	wake bool
}

func (w *meetingRun) markSeen(id, digest string) {
	if id == "" {
		return
	}
	if _, ok := w.seen[id]; ok {
		return
	}
	w.seen[id] = digest
	w.order = append(w.order, id)
	if len(w.order) > maxSeen {
		delete(w.seen, w.order[0])
		w.order = w.order[1:]
	}
}

// handleMeeting registers the update for one meeting command type.
func handleMeeting[C meeting.Command](ctx workflow.Context, w *meetingRun) error {
	var zero C
	return workflow.SetUpdateHandlerWithOptions(ctx, string(zero.Name()),
		func(ctx workflow.Context, req MeetingRequest[C]) (meeting.Meeting, error) {
			return w.apply(ctx, req.Command, req.meta())
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req MeetingRequest[C]) error {
			meta := req.meta()
			if d, ok := w.seen[meta.RequestID]; ok {
				if d != "" && meta.Digest != "" && d != meta.Digest {
					return applicationError(errKeyReused)
				}
				return nil
			}
			_, _, err := meeting.Apply(w.m.Clone(), w.request(ctx, req.Command, meta))
			return applicationError(err)
		}},
	)
}

func (r MeetingRequest[C]) meta() Meta {
	return Meta{Actor: r.Actor, ExpectedVersion: r.ExpectedVersion, RequestID: r.RequestID, Digest: r.Digest}
}

func (w *meetingRun) request(ctx workflow.Context, cmd meeting.Command, meta Meta) meeting.Request {
	return meeting.Request{Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
		At: workflow.Now(ctx).Truncate(time.Microsecond), RequestID: meta.RequestID}
}

// apply runs a command for real, one at a time, projects the new state and
// queues what the transition has to tell others.
func (w *meetingRun) apply(ctx workflow.Context, cmd meeting.Command, meta Meta) (meeting.Meeting, error) {
	if err := w.lock.Lock(ctx); err != nil {
		return meeting.Meeting{}, err
	}
	defer w.lock.Unlock()
	if d, ok := w.seen[meta.RequestID]; ok {
		if d != "" && meta.Digest != "" && d != meta.Digest {
			return meeting.Meeting{}, applicationError(errKeyReused)
		}
		return w.m, nil
	}
	ev, tells, err := meeting.Apply(&w.m, w.request(ctx, cmd, meta))
	if err != nil {
		return meeting.Meeting{}, applicationError(err)
	}
	w.markSeen(meta.RequestID, meta.Digest)
	w.wake = true
	// What the transition has to do outside is queued only once the new
	// state is projected (and a published document stored), so that the
	// outbox never runs ahead of what it refers to.
	var out []Outgoing
	for i := range tells {
		out = append(out, Outgoing{Kind: OutTell, Tell: &tells[i], Actor: meta.Actor})
	}
	state := w.m
	// What is published is there when the answer comes: the document is
	// generated and stored before the new state is projected (and so before
	// anybody can read that it is published).
	var publish string
	switch cmd.(type) {
	case meeting.PublishInvitation:
		publish = "invitation"
		out = append(out,
			Outgoing{Kind: OutMail, Document: "invitation", Meeting: &state, Actor: meta.Actor},
			Outgoing{Kind: OutCalendar, MotionIDs: w.motionIDs(), Actor: meta.Actor})
	case meeting.Cancel:
		out = append(out, Outgoing{Kind: OutCalendar, MotionIDs: w.motionIDs(), Actor: meta.Actor})
	case meeting.PublishMinutes:
		publish = "minutes"
	case meeting.CloseSession, meeting.AmendMinutes, meeting.ApproveMinutes:
		out = append(out, Outgoing{Kind: OutDocument, Document: "minutes", Meeting: &state, Actor: meta.Actor})
	}
	if publish != "" {
		doc := Outgoing{Kind: OutDocument, Document: publish, Meeting: &state, Actor: meta.Actor}
		if err := workflow.ExecuteActivity(activityOptions(ctx, w.opts), ActivityMeetingDocument, doc).Get(ctx, nil); err != nil {
			// Only a document that cannot be made at all ends here (the
			// activity retries everything else); the transition stands.
			workflow.GetLogger(ctx).Error("meeting: document failed", "meeting", w.m.ID, "document", publish, "error", err)
		}
	}
	ao := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: min(w.opts.ActivityTimeout, 10*time.Second), ScheduleToCloseTimeout: localActivityPatience,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second},
	})
	in := ProjectMeetingInput{Meeting: w.m, Event: ev}
	if err := workflow.ExecuteLocalActivity(ao, ActivityProjectMeeting, in).Get(ctx, nil); err != nil {
		if err := workflow.ExecuteActivity(activityOptions(ctx, w.opts), ActivityProjectMeeting, in).Get(ctx, nil); err != nil {
			w.outbox = append(w.outbox, out...)
			return meeting.Meeting{}, err
		}
	}
	w.outbox = append(w.outbox, out...)
	// Every step from the invitation on is announced (before it, the agenda
	// is the council office's draft); versioned per step like the motion's.
	if w.m.Status != meeting.StatusPlanned && workflow.GetVersion(ctx, announceChange(w.m.Version), workflow.DefaultVersion, 1) == 1 {
		m, e := w.m.Clone(), ev
		w.announce = append(w.announce, AnnounceInput{Meeting: m, MeetingEvent: &e})
	}
	return w.m, nil
}

// motionIDs lists the motions on the agenda, once each, in agenda order.
func (w *meetingRun) motionIDs() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range w.m.Agenda {
		if it.MotionID != "" && !seen[it.MotionID] {
			seen[it.MotionID] = true
			out = append(out, it.MotionID)
		}
	}
	return out
}

// deliver does one Outgoing. Activities retry until the database or the
// receiving workflow answers; a refusal by the receiver (it does not accept
// what the meeting says, e.g. a motion withdrawn meanwhile) is logged and
// kept on the meeting as a notice for the council office, since retrying
// would not change it.
func (w *meetingRun) deliver(ctx workflow.Context, o Outgoing) {
	log := workflow.GetLogger(ctx)
	actx := activityOptions(ctx, w.opts)
	switch o.Kind {
	case OutTell:
		var res TellResult
		if err := workflow.ExecuteActivity(actx, ActivityTell, o).Get(ctx, &res); err != nil {
			log.Error("meeting: tell failed", "meeting", w.m.ID, "key", o.Tell.Key, "error", err)
			return
		}
		if res.Refused != "" {
			log.Warn("meeting: receiver refused", "meeting", w.m.ID, "key", o.Tell.Key, "refused", res.Refused)
		}
	case OutDocument, OutMail:
		name := ActivityMeetingDocument
		if o.Kind == OutMail {
			name = ActivitySendInvitation
		}
		if err := workflow.ExecuteActivity(actx, name, o).Get(ctx, nil); err != nil {
			log.Error("meeting: "+string(o.Kind)+" failed", "meeting", w.m.ID, "error", err)
		}
	case OutCalendar:
		for _, id := range o.MotionIDs {
			// A motion without a workflow (imported) has nothing to recompute.
			_ = workflow.SignalExternalWorkflow(ctx, WorkflowID(id), "", SignalCalendarChanged, nil).Get(ctx, nil)
		}
	}
}

// activityOptions retries an activity until it succeeds, like the motion's.
func activityOptions(ctx workflow.Context, o Options) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: o.ActivityTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// digestOf identifies a command's content, for any domain.
func digestOf(name string, cmd any) string {
	b, err := json.Marshal(cmd)
	if err != nil { // commands are plain data; this cannot happen
		panic(err)
	}
	sum := sha256.Sum256(append([]byte(name+"\n"), b...))
	return hex.EncodeToString(sum[:16])
}

// SignalMeetingDirectory tells a meeting's workflow that the directory's
// entry of the meeting (name, place, start, organization) changed.
const SignalMeetingDirectory = "meeting_directory"

// MeetingDirectory is the directory's entry of a meeting, as the signal
// SignalMeetingDirectory carries it.
type MeetingDirectory struct {
	Name           string    `json:"name"`
	Location       string    `json:"location,omitempty"`
	OrganizationID string    `json:"organization_id,omitempty"`
	Start          time.Time `json:"start"`
}

// MeetingChanged tells the meeting's workflow what the directory now says
// of the meeting, starting the workflow if the meeting has none yet: a
// meeting created in the directory gets its process, and with it the
// reminders of its deadlines (invitation due), at once.
func (c *Client) MeetingChanged(ctx context.Context, current meeting.Meeting) error {
	_, err := c.Temporal.SignalWithStartWorkflow(ctx, MeetingWorkflowID(current.ID), SignalMeetingDirectory,
		MeetingDirectory{Name: current.Name, Location: current.Location, OrganizationID: current.OrganizationID, Start: current.Start},
		client.StartWorkflowOptions{
			ID:                       MeetingWorkflowID(current.ID),
			TaskQueue:                TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}, MeetingWorkflowName, MeetingInput{MeetingID: current.ID, Initial: &current})
	return domainError(err)
}

// SendMeeting runs a command on a meeting's workflow, starting it with
// current (the meeting as the read model has it) if the meeting has none
// yet, and returns the new state. Refusals come back as *motion.Error, like
// a motion's.
func (c *Client) SendMeeting(ctx context.Context, current meeting.Meeting, cmd meeting.Command, meta Meta) (meeting.Meeting, error) {
	meetingID := current.ID
	meta.Digest = digestOf(string(cmd.Name()), cmd)
	start := c.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       MeetingWorkflowID(meetingID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, MeetingWorkflowName, MeetingInput{MeetingID: meetingID, Initial: &current})
	h, err := c.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:   updateID(meta),
			UpdateName: string(cmd.Name()),
			Args: []any{MeetingRequest[meeting.Command]{Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
				RequestID: meta.RequestID, Digest: meta.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return meeting.Meeting{}, domainError(err)
	}
	var m meeting.Meeting
	if err := h.Get(ctx, &m); err != nil {
		return meeting.Meeting{}, domainError(err)
	}
	return m, nil
}

// deadlines recomputes the meeting's deadlines, sends every reminder that is
// due and returns the next one to wait for (nil when there is none). A
// reminder whose time had passed before its deadline was known (a meeting
// planned at short notice) is not sent late. The rules cannot be loaded only
// when the activity refuses for good (a meeting without a body): that is
// logged, and the meeting goes on without deadlines until its next
// transition.
func (w *meetingRun) deadlines(ctx workflow.Context) *motion.Reminder {
	for {
		if w.m.BodyID == "" || w.m.Start.IsZero() || !w.m.Status.Watched() {
			w.rem.Armed = nil
			return nil
		}
		status := w.m.Status
		if status == "" {
			status = meeting.StatusPlanned
		}
		if w.rem.Rules == nil || w.rem.RulesFor != status {
			var cal motion.Calendar
			err := workflow.ExecuteActivity(activityOptions(ctx, w.opts), ActivityLoadCalendar,
				LoadCalendarInput{BodyID: w.m.BodyID, Since: w.m.Start}).Get(ctx, &cal)
			if err != nil {
				workflow.GetLogger(ctx).Error("meeting: deadline rules not loaded", "meeting", w.m.ID, "error", err)
				return nil
			}
			w.rem.Rules, w.rem.RulesFor = &cal.Rules, status
		}
		now := workflow.Now(ctx)
		ds := meeting.Deadlines(w.m, *w.rem.Rules)
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
		var due []motion.Reminder
		var next *motion.Reminder
		for _, d := range ds {
			for _, r := range motion.Reminders(d, *w.rem.Rules) {
				if r.At.Before(armed[armKey(d)]) || slices.Contains(w.rem.Sent, r.Key) {
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
			return next
		}
		for _, r := range due {
			w.notify(ctx, r)
		}
	}
}

// notify hands one reminder of the meeting to the Notify activity, which
// delivers it at most once per recipient (keyed by "meeting/<id>", the
// reminder's key and the recipient) even when retried. The reminder names
// the meeting by its name and date.
func (w *meetingRun) notify(ctx workflow.Context, r motion.Reminder) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    w.opts.ActivityTimeout,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
		},
	})
	title := strings.TrimSpace(w.m.Name + " am " + w.m.Start.In(motion.Berlin).Format("02.01.2006"))
	in := NotifyInput{Motion: MotionSummary{ID: MeetingWorkflowID(w.m.ID), BodyID: w.m.BodyID, Title: title}, Reminder: r}
	if err := workflow.ExecuteActivity(actx, ActivityNotify, in).Get(ctx, nil); err != nil {
		// A day of failed deliveries: record and move on rather than block
		// every later reminder of this meeting.
		workflow.GetLogger(ctx).Error("meeting: reminder not delivered", "meeting", w.m.ID, "reminder", r.Key, "error", err)
	}
	w.rem.Sent = append(w.rem.Sent, r.Key)
}
