package workflows

import (
	"errors"
	"strconv"
	"time"

	"github.com/motionflow/motionflow/motion"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// maxSeen bounds the request ids remembered for deduplication; far more than
// the commands a motion sees between two continue-as-new.
const maxSeen = 2000

// Carried is the state handed from one run to the next on continue-as-new.
type Carried struct {
	Motion motion.Motion `json:"motion"`
	Seen   []string      `json:"seen"`
	// Digests maps a seen request id to the digest of the command it applied,
	// so that the same id with another command is refused also after
	// continue-as-new (absent in runs started before digests existed).
	Digests map[string]string `json:"digests,omitempty"`
	// Reminders holds the deadline bookkeeping, so that no reminder is sent
	// twice across runs.
	Reminders reminderState `json:"reminders"`
	// Announce are the steps not yet announced (see announcer).
	Announce []AnnounceInput `json:"announce,omitempty"`
}

// Register registers MotionWorkflow with a worker.
func Register(r worker.WorkflowRegistry, o Options) {
	r.RegisterWorkflowWithOptions(func(ctx workflow.Context, in Input) error {
		return MotionWorkflow(ctx, in, o)
	}, workflow.RegisterOptions{Name: WorkflowName})
	RegisterMeeting(r, o)
}

// MotionWorkflow owns one motion for its whole life. It never ends by itself:
// corrections and follow-up may come years after the decision.
func MotionWorkflow(ctx workflow.Context, in Input, o Options) error {
	w := &run{in: in, opts: o.withDefaults(), lock: workflow.NewMutex(ctx)}
	if in.State != nil {
		w.m = in.State.Motion
		for _, id := range in.State.Seen {
			w.markSeen(id, in.State.Digests[id])
		}
		w.rem = in.State.Reminders
		w.announce = in.State.Announce
	} else {
		w.m = motion.Motion{ID: in.MotionID, BodyID: in.BodyID}
	}
	// A run started with InputChecks applies commands with the checks of text
	// and plausibility in the update handler too. A run started before them
	// applies its commands as they were accepted then: re-checking them by
	// today's rules could refuse one on replay and lead the replay elsewhere.
	// Its validator checks new commands by today's rules anyway. The run's
	// input says which: it is in the history from the start, so no marker
	// has to be written before the first command.
	w.strict = in.InputChecks >= 1
	if err := w.setup(ctx); err != nil {
		return err
	}
	workflow.Go(ctx, func(ctx workflow.Context) { announcer(ctx, w.opts, &w.announce) })
	return w.loop(ctx)
}

// run is the workflow's state and behaviour for one run.
type run struct {
	in   Input
	opts Options
	m    motion.Motion
	seen map[string]bool
	// digests holds the command digest of each seen request id (empty for
	// ids seen before digests were recorded).
	digests map[string]string
	// order keeps seen ids oldest first, to drop the oldest beyond maxSeen.
	order []string
	lock  workflow.Mutex
	rem   reminderState
	// wake makes the deadline loop recompute: set by every applied command
	// and by the calendar-changed signal.
	wake bool
	// deadlinesFor is the motion version whose deadlines the loop last wrote
	// to the read model (in this run).
	deadlinesFor int64
	// strict says the handler checks commands as the validator does; false
	// in runs recorded before those checks (see MotionWorkflow).
	strict bool
	// announce queues the public steps to announce, oldest first.
	announce []AnnounceInput
}

func (o Options) withDefaults() Options {
	if o.ActivityTimeout == 0 {
		o.ActivityTimeout = 30 * time.Second
	}
	return o
}

func (w *run) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (motion.Motion, error) {
		return w.m, nil
	}); err != nil {
		return err
	}
	return errors.Join(
		handle[motion.Create](ctx, w),
		handle[motion.Edit](ctx, w),
		handle[motion.InviteCosponsor](ctx, w),
		handle[motion.Submit](ctx, w),
		handle[motion.Register](ctx, w),
		handle[motion.DeclareInadmissible](ctx, w),
		handle[motion.SetRoute](ctx, w),
		handle[motion.Schedule](ctx, w),
		handle[motion.RecordResult](ctx, w),
		handle[motion.RecordStatement](ctx, w),
		handle[motion.RecordAnswer](ctx, w),
		handle[motion.RecordOutcome](ctx, w),
		handle[motion.StartImplementation](ctx, w),
		handle[motion.ReportImplementation](ctx, w),
		handle[motion.Close](ctx, w),
		handle[motion.Withdraw](ctx, w),
		handle[motion.CorrectResult](ctx, w),
		handle[motion.Lapse](ctx, w),
		handle[motion.SetDeadline](ctx, w),
		handle[motion.EnterSubmission](ctx, w),
		handle[motion.Sign](ctx, w),
		handle[motion.AcceptCosponsorship](ctx, w),
		handle[motion.DeclineCosponsorship](ctx, w),
		handle[motion.SetDepartments](ctx, w),
	)
}

// loop keeps the motion's deadlines armed: it waits for the next due
// reminder (one durable timer, recomputed from state whenever a command or a
// calendar change wakes it), sends what is due, and hands the state to a
// fresh run when Temporal suggests continue-as-new.
func (w *run) loop(ctx workflow.Context) error {
	calendar := workflow.GetSignalChannel(ctx, SignalCalendarChanged)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for calendar.Receive(ctx, nil) {
			w.rem.CalendarKey = "" // reload even when nothing the motion names changed
			w.wake = true
		}
	})
	for {
		// Version 1 clears the wake flag before recomputing, so that a command
		// applied while the recomputation waits for an activity wakes the loop
		// again; the default version (histories recorded before) cleared it
		// after and could miss that command until the next one.
		wakeFirst := workflow.GetVersion(ctx, "clear-wake-before-deadlines", workflow.DefaultVersion, 1) == 1
		if wakeFirst {
			w.wake = false
		}
		next, err := w.deadlines(ctx)
		if err != nil {
			return err
		}
		if !wakeFirst {
			w.wake = false
		}
		canSuggested := func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() }
		cond := func() bool { return w.wake || canSuggested() }
		if next == nil {
			err = workflow.Await(ctx, cond)
		} else {
			wait := next.At.Sub(workflow.Now(ctx))
			_, err = workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
				Timeout:      max(wait, time.Millisecond),
				TimerOptions: workflow.TimerOptions{Summary: "Erinnerung " + next.Key},
			}, cond)
		}
		if err != nil {
			return err
		}
		if canSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			carried := &Carried{Motion: w.m, Seen: w.order, Digests: w.digests, Reminders: w.rem, Announce: w.announce}
			return workflow.NewContinueAsNewError(ctx, WorkflowName, Input{MotionID: w.in.MotionID, BodyID: w.in.BodyID, State: carried, InputChecks: currentInputChecks})
		}
	}
}

// announceChange is the change id of the version that announces the step
// making version v of a motion or a meeting.
func announceChange(v int64) string { return "announce-step-" + strconv.FormatInt(v, 10) }

// announcer announces the queued steps one after the other, beside the
// workflow's main loop, so that a receiver that is down delays the
// announcements but never a reminder or what a meeting tells its motions. Each step is retried with backoff for up to a day
// (Announce sends each notice once, so a retry resends only what failed),
// then logged and dropped. Steps still queued at continue-as-new are carried
// over; one being announced then is announced again, harmlessly.
func announcer(ctx workflow.Context, o Options, queue *[]AnnounceInput) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    o.ActivityTimeout,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
	for {
		if err := workflow.Await(ctx, func() bool { return len(*queue) > 0 }); err != nil {
			return
		}
		if err := workflow.ExecuteActivity(actx, ActivityAnnounce, (*queue)[0]).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("step not announced", "error", err)
		}
		*queue = (*queue)[1:]
	}
}

// handle registers the update for one command type: a validator that decides
// on a copy of the state, and a handler that applies for real.
func handle[C motion.Command](ctx workflow.Context, w *run) error {
	var zero C
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateName(zero.Name()),
		func(ctx workflow.Context, req CommandRequest[C]) (motion.Motion, error) {
			return w.apply(ctx, req.Command, req.meta())
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req CommandRequest[C]) error {
			return w.validate(ctx, req.Command, req.meta())
		}},
	)
}

func (r CommandRequest[C]) meta() Meta {
	return Meta{Actor: r.Actor, ExpectedVersion: r.ExpectedVersion, RequestID: r.RequestID, Digest: r.Digest}
}

// validate runs the command on a copy of the motion; a refusal here leaves no
// trace in the workflow's history.
func (w *run) validate(ctx workflow.Context, cmd motion.Command, meta Meta) error {
	if w.seen[meta.RequestID] {
		if w.reused(meta) {
			return applicationError(errKeyReused)
		}
		return nil
	}
	if body, ok := createdIn(cmd); ok && body != w.in.BodyID {
		return applicationError(&motion.Error{Code: motion.CodeInvalid, Message: "Gremium passt nicht zum Antrag.",
			Fields: []motion.FieldError{{Field: "body_id", Message: "passt nicht"}}})
	}
	_, err := motion.Apply(w.m.Clone(), w.request(ctx, placeholder(cmd), meta))
	return applicationError(err)
}

// createdIn is the body a creating command names.
func createdIn(cmd motion.Command) (string, bool) {
	switch c := cmd.(type) {
	case motion.Create:
		return c.BodyID, true
	case motion.EnterSubmission:
		return c.BodyID, true
	}
	return "", false
}

// apply runs the command for real, one at a time: assign a reference number if
// the command registers, change the state, tell the search index and project
// the new version into the read model before answering.
func (w *run) apply(ctx workflow.Context, cmd motion.Command, meta Meta) (motion.Motion, error) {
	if err := w.lock.Lock(ctx); err != nil {
		return motion.Motion{}, err
	}
	defer w.lock.Unlock()
	if w.seen[meta.RequestID] {
		// Histories recorded before digests never reach the refusal: their
		// seen ids have no digest. The version marks the first refusal.
		if w.reused(meta) && workflow.GetVersion(ctx, "refuse-reused-key", workflow.DefaultVersion, 1) == 1 {
			return motion.Motion{}, applicationError(errKeyReused)
		}
		return w.m, nil
	}
	// The state may have changed while this command waited for the lock.
	if _, err := motion.Apply(w.m.Clone(), w.handlerRequest(ctx, placeholder(cmd), meta)); err != nil {
		return motion.Motion{}, applicationError(err)
	}
	if reg, ok := cmd.(motion.Register); ok {
		var res AssignReferenceResult
		year := workflow.Now(ctx).In(motion.Berlin).Year()
		err := workflow.ExecuteActivity(w.activityCtx(ctx), ActivityAssignReference,
			AssignReferenceInput{BodyID: w.m.BodyID, MotionID: w.m.ID, Year: year}).Get(ctx, &res)
		if err != nil {
			return motion.Motion{}, err
		}
		reg.Reference, reg.Year, reg.Seq = res.Reference, res.Year, res.Seq
		cmd = reg
	}
	ev, err := motion.Apply(&w.m, w.handlerRequest(ctx, cmd, meta))
	if err != nil {
		return motion.Motion{}, applicationError(err)
	}
	w.markSeen(meta.RequestID, meta.Digest)
	w.wake = true
	if err := w.indexAndProject(ctx, ProjectInput{Motion: w.m, Event: ev}); err != nil {
		return motion.Motion{}, err
	}
	// Every step of a submitted motion is announced once it is in the read
	// model (its draft phase belongs to its sponsors alone). The version is
	// per step: a run that took steps before announcing existed replays them
	// without announcing and announces the steps it takes from then on (one
	// change id for all steps would stay at the default version for ever in
	// such a run, since the first call during replay decides it).
	if w.m.Public() && workflow.GetVersion(ctx, announceChange(w.m.Version), workflow.DefaultVersion, 1) == 1 {
		m, e := w.m.Clone(), ev
		w.announce = append(w.announce, AnnounceInput{Motion: m, Event: &e})
	}
	// A deadline set by hand is what its sender reads next: answer once the
	// deadlines of this version are in the read model (version 1; before, the
	// answer came first and a read right after it could show the old rule).
	if _, ok := cmd.(motion.SetDeadline); ok &&
		workflow.GetVersion(ctx, "set-deadline-awaits-deadlines", workflow.DefaultVersion, 1) == 1 {
		version := w.m.Version
		if err := workflow.Await(ctx, func() bool { return w.deadlinesFor >= version }); err != nil {
			return motion.Motion{}, err
		}
	}
	return w.m, nil
}

// indexAndProject tells the search index and writes the new version into the
// read model. Version 1 (one task per transition) runs the projection as a
// local activity inside the workflow task that applied the command, so the
// update completes in that one task instead of waiting for a second one
// dispatched through the server's queues, and upserts the search attributes
// only when one of them changed (the version number is no longer one of
// them: every command would change it). A transition took 7.5 times a bare
// update before; see docs/BENCHMARKS.md. When the database stays away longer
// than a local activity may hold the task, Project continues as a regular
// activity. The default version (histories recorded before) upserted every
// time and ran a regular activity.
func (w *run) indexAndProject(ctx workflow.Context, in ProjectInput) error {
	if workflow.GetVersion(ctx, "one-task-transition", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		if err := workflow.UpsertTypedSearchAttributes(ctx, append(w.searchAttributes(), AttrVersion.ValueSet(w.m.Version))...); err != nil {
			return err
		}
		return workflow.ExecuteActivity(w.activityCtx(ctx), ActivityProject, in).Get(ctx, nil)
	}
	if changed := w.changedSearchAttributes(ctx); len(changed) > 0 {
		if err := workflow.UpsertTypedSearchAttributes(ctx, changed...); err != nil {
			return err
		}
	}
	if err := workflow.ExecuteLocalActivity(w.localActivityCtx(ctx), ActivityProject, in).Get(ctx, nil); err == nil {
		return nil
	}
	// The database has been away for longer than a local activity should
	// keep the workflow task open: the server retries a regular activity for
	// as long as it takes, without adding to the history while it waits.
	return workflow.ExecuteActivity(w.activityCtx(ctx), ActivityProject, in).Get(ctx, nil)
}

// changedSearchAttributes is what differs between the motion and its search
// attributes as the workflow last set them, including a version number left
// by the default version, which is removed.
func (w *run) changedSearchAttributes(ctx workflow.Context) []temporal.SearchAttributeUpdate {
	current := workflow.GetTypedSearchAttributes(ctx)
	var out []temporal.SearchAttributeUpdate
	for _, a := range w.keywords() {
		got, ok := current.GetKeyword(a.key)
		switch {
		case a.want == "" && ok: // an empty keyword is no keyword
			out = append(out, a.key.ValueUnset())
		case a.want != "" && (!ok || got != a.want):
			out = append(out, a.key.ValueSet(a.want))
		}
	}
	if current.ContainsKey(AttrVersion) {
		out = append(out, AttrVersion.ValueUnset())
	}
	return out
}

// placeholder stands in for values the workflow fills in later, so that a
// dry run can decide on a command before its reference number exists.
func placeholder(cmd motion.Command) motion.Command {
	if reg, ok := cmd.(motion.Register); ok && reg.Reference == "" {
		reg.Reference = "?"
		return reg
	}
	return cmd
}

func (w *run) request(ctx workflow.Context, cmd motion.Command, meta Meta) motion.Request {
	return motion.Request{
		Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
		At: workflow.Now(ctx).Truncate(time.Microsecond), RequestID: meta.RequestID,
		Revision: w.in.InputChecks,
	}
}

// handlerRequest is the request the update handler applies: accepted as
// it was when the run predates the checks of text and plausibility.
func (w *run) handlerRequest(ctx workflow.Context, cmd motion.Command, meta Meta) motion.Request {
	req := w.request(ctx, cmd, meta)
	req.Accepted = !w.strict
	return req
}

func (w *run) markSeen(id, digest string) {
	if id == "" {
		return
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[id] {
		return
	}
	w.seen[id] = true
	if digest != "" {
		if w.digests == nil {
			w.digests = map[string]string{}
		}
		w.digests[id] = digest
	}
	w.order = append(w.order, id)
	if len(w.order) > maxSeen {
		delete(w.seen, w.order[0])
		delete(w.digests, w.order[0])
		w.order = w.order[1:]
	}
}

// errKeyReused refuses a request id (Idempotency-Key) that already applied a
// different command (motion.ErrKeyReused).
var errKeyReused = motion.ErrKeyReused

// reused reports whether the seen request id applied a command with another
// digest than this one. Unknown digests (older clients and histories) match.
func (w *run) reused(meta Meta) bool {
	d := w.digests[meta.RequestID]
	return d != "" && meta.Digest != "" && d != meta.Digest
}

// keyword is one of the motion's search attributes with its current value.
type keyword struct {
	key  temporal.SearchAttributeKeyKeyword
	want string
}

// keywords are the motion's search attributes as the motion says they are.
func (w *run) keywords() []keyword {
	return []keyword{
		{AttrStatus, string(w.m.Status)}, {AttrKind, string(w.m.Kind)}, {AttrBody, w.m.BodyID},
		{AttrFaction, w.m.Faction}, {AttrReference, w.m.Reference},
	}
}

// searchAttributes sets every keyword, empty ones too (the default version).
func (w *run) searchAttributes() []temporal.SearchAttributeUpdate {
	var out []temporal.SearchAttributeUpdate
	for _, a := range w.keywords() {
		out = append(out, a.key.ValueSet(a.want))
	}
	return out
}

// localActivityCtx gives a local activity the time a workflow task can wait
// for it: every retry stays inside the task (backoffs up to the task's 10 s
// timeout are slept in the worker; longer ones would each add a timer and a
// task to the history), and after localActivityPatience the caller hands
// over to a regular activity.
func (w *run) localActivityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    min(w.opts.ActivityTimeout, 10*time.Second),
		ScheduleToCloseTimeout: localActivityPatience,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Second,
		},
	})
}

// localActivityPatience is how long a local activity is retried before the
// work goes to a regular activity: attempts at 0, 1, 3, 7, 12 and 17 s.
const localActivityPatience = 20 * time.Second

// activityCtx retries activities until they succeed: a database outage delays
// a command's answer but never loses it.
func (w *run) activityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: w.opts.ActivityTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}
