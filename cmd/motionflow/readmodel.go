package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const readModelUsage = `usage: motionflow readmodel check|repair [flags] [motion id ...]

  check    list the motions whose read model (PostgreSQL) lags their workflow
           (Temporal), and the motions whose activities keep failing
  repair   the same, and write the lagging motions again from their workflows:
           the motion row, the audit-trail events the workflow histories still
           hold, the reference number and the deadlines

Without motion ids every motion workflow is checked, page by page; -state
makes a long run resumable, -limit bounds it. The flags: motionflow readmodel check -h`

// runReadModel is `motionflow readmodel check|repair`: the operator's way to
// find motions whose projection is behind (a Project that keeps failing, a
// database restored from an older backup or lost) and to write them again.
func runReadModel(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "repair") {
		return errors.New(readModelUsage)
	}
	var c config
	fs := flag.NewFlagSet("readmodel "+args[0], flag.ContinueOnError)
	c.bind(fs, false, true, true, false)
	ops := bindTemporal(fs, "motionflow-readmodel")
	r := readModel{Out: os.Stdout, Repair: args[0] == "repair"}
	fs.IntVar(&r.PageSize, "page-size", 100, "workflows listed per page of Temporal's visibility")
	fs.IntVar(&r.Limit, "limit", 0, "stop after this many motions (0: all); with -state the next run goes on there")
	fs.StringVar(&r.StateFile, "state", "", "file recording the page reached, so that a re-run resumes there (removed when all pages are done)")
	fs.DurationVar(&r.QueryTimeout, "query-timeout", 30*time.Second, "time limit for one workflow's state query (a worker must be running)")
	if r.Repair {
		fs.BoolVar(&r.All, "all", false, "write every motion again, not only the lagging ones (rebuild after losing the database)")
	}
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), readModelUsage)
		fmt.Fprintln(fs.Output())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	r.MotionIDs = fs.Args()
	if c.databaseURL == "" {
		return errors.New("no database: set DATABASE_URL or -database-url")
	}
	tel, err := ops.start(ctx, log)
	if err != nil {
		return err
	}
	defer tel.shutdown()
	st, err := store.Open(ctx, c.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer st.Close()
	tc, err := tel.dialTemporal(ctx, log, c.temporalAddress, c.temporalNamespace)
	if err != nil {
		return err
	}
	defer tc.Close()
	r.Temporal, r.Store = tc, st
	rep, err := r.Run(ctx)
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%d motion(s) could not be checked or repaired (see above)", rep.Failed)
	}
	if !r.Repair && len(rep.Lagging) > 0 {
		// A non-zero exit lets a scheduled check raise an alert.
		return fmt.Errorf("%d motion(s) lag behind their workflow: motionflow readmodel repair writes them again", len(rep.Lagging))
	}
	return nil
}

// readModel compares the motions' workflows with the read model and, with
// Repair, writes the lagging ones again.
type readModel struct {
	Temporal client.Client
	Store    *store.Store
	Out      io.Writer
	// MotionIDs restricts the run to these motions; empty: every motion
	// workflow (open or closed) that Temporal's visibility lists.
	MotionIDs []string
	PageSize  int
	// Limit stops the run after that many motions (0: no limit).
	Limit int
	// StateFile, when set, holds the next page's token between runs.
	StateFile    string
	QueryTimeout time.Duration
	// Repair writes the lagging motions again; All writes every motion.
	Repair, All bool
}

// readModelReport is what a run found and did.
type readModelReport struct {
	Checked int
	// Lagging are the motions whose read model is behind their workflow (or,
	// with All, every motion repaired).
	Lagging []motionLag
	// Stuck counts the motions with an activity failing StuckAfter times or more.
	Stuck int
	// Repaired and Failed count motions written again and motions that could
	// not be checked or repaired.
	Repaired, Failed int
	// More is set when the run stopped at Limit before the last page.
	More bool
}

// motionLag is one motion the run reports.
type motionLag struct {
	MotionID  string
	Workflow  int64 // the workflow's version
	ReadModel int64 // the motion row's version, 0 without a row
	Events    int64 // audit-trail rows
	Note      string
}

// Run checks (and repairs) the motions page by page.
func (r *readModel) Run(ctx context.Context) (readModelReport, error) {
	var rep readModelReport
	tw := tabwriter.NewWriter(r.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MOTION\tWORKFLOW\tREAD MODEL\tEVENTS\tNOTE")
	defer tw.Flush()

	if len(r.MotionIDs) > 0 {
		var execs []execution
		for _, id := range r.MotionIDs {
			execs = append(execs, execution{motionID: id, workflowID: workflows.WorkflowID(id)})
		}
		if err := r.page(ctx, tw, execs, &rep); err != nil {
			return rep, err
		}
		return rep, r.summary(tw, rep)
	}

	token, err := r.loadState()
	if err != nil {
		return rep, err
	}
	size := r.PageSize
	if size <= 0 {
		size = 100
	}
	for {
		if r.Limit > 0 {
			size = min(size, r.Limit-rep.Checked)
		}
		resp, err := r.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize:      int32(size),
			NextPageToken: token,
			// Every motion once: the runs a motion continued as new from are
			// listed too, and left out here.
			Query: fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus != 'ContinuedAsNew'", workflows.WorkflowName),
		})
		if err != nil {
			return rep, fmt.Errorf("list motion workflows: %w", err)
		}
		var execs []execution
		for _, e := range resp.GetExecutions() {
			id, ok := strings.CutPrefix(e.GetExecution().GetWorkflowId(), workflows.WorkflowID(""))
			if !ok {
				continue
			}
			execs = append(execs, execution{motionID: id, workflowID: e.GetExecution().GetWorkflowId(),
				runID: e.GetExecution().GetRunId()})
		}
		if err := r.page(ctx, tw, execs, &rep); err != nil {
			return rep, err
		}
		tw.Flush()
		token = resp.GetNextPageToken()
		if err := r.saveState(token); err != nil {
			return rep, err
		}
		if len(token) == 0 {
			break
		}
		if r.Limit > 0 && rep.Checked >= r.Limit {
			rep.More = true
			break
		}
	}
	return rep, r.summary(tw, rep)
}

func (r *readModel) summary(tw *tabwriter.Writer, rep readModelReport) error {
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "%d motion(s) checked, %d lag behind their workflow, %d with an activity failing %d+ times in a row",
		rep.Checked, len(rep.Lagging), rep.Stuck, activities.StuckAfter)
	if r.Repair {
		fmt.Fprintf(r.Out, ", %d repaired", rep.Repaired)
	}
	if rep.Failed > 0 {
		fmt.Fprintf(r.Out, ", %d failed", rep.Failed)
	}
	fmt.Fprintln(r.Out)
	if rep.More {
		if r.StateFile != "" {
			fmt.Fprintf(r.Out, "stopped at -limit %d: run again with -state %s to go on\n", r.Limit, r.StateFile)
		} else {
			fmt.Fprintf(r.Out, "stopped at -limit %d (use -state FILE to resume where a run stopped)\n", r.Limit)
		}
	}
	return nil
}

// execution is one motion's workflow as visibility lists it.
type execution struct {
	motionID, workflowID, runID string
}

// page checks one page of motions: their workflows' versions (one query
// each) against the read model's (one query to the database for the page,
// made after the workflows answered, so that a transition in between cannot
// look like a lag).
func (r *readModel) page(ctx context.Context, tw io.Writer, execs []execution, rep *readModelReport) error {
	wc := &workflows.Client{Temporal: r.Temporal}
	var found []execution
	var states []motion.Motion
	for _, e := range execs {
		rep.Checked++
		qctx, cancel := context.WithTimeout(ctx, r.queryTimeout())
		m, err := wc.State(qctx, e.motionID)
		cancel()
		var merr *motion.Error
		switch {
		case errors.As(err, &merr) && merr.Code == motion.CodeNotFound:
			continue // no workflow, or one whose create never applied: nothing to project
		case err != nil:
			rep.Failed++
			fmt.Fprintf(tw, "%s\t?\t\t\tquery failed: %v\n", e.motionID, oneLine(err))
			continue
		}
		found, states = append(found, e), append(states, m)
	}
	if len(found) == 0 {
		return nil
	}
	ids := make([]string, len(found))
	for i, e := range found {
		ids[i] = e.motionID
	}
	versions, err := r.Store.ReadModelVersions(ctx, ids)
	if err != nil {
		return err
	}
	for i, e := range found {
		m, rm := states[i], versions[i]
		stuck := r.stuckActivities(ctx, e)
		if stuck != "" {
			rep.Stuck++
		}
		if rm.Version >= m.Version && !(r.Repair && r.All) {
			if stuck != "" {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", e.motionID, m.Version, rm.Version, rm.Events, stuck)
			}
			continue
		}
		lag := motionLag{MotionID: e.motionID, Workflow: m.Version, ReadModel: rm.Version, Events: rm.Events, Note: stuck}
		if r.Repair {
			note, err := r.repair(ctx, e, m, rm)
			if err != nil {
				rep.Failed++
				note = "repair failed: " + oneLine(err)
			} else {
				rep.Repaired++
			}
			lag.Note = strings.TrimPrefix(strings.Join([]string{lag.Note, note}, "; "), "; ")
		}
		rep.Lagging = append(rep.Lagging, lag)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", lag.MotionID, lag.Workflow, lag.ReadModel, lag.Events, lag.Note)
	}
	return nil
}

func (r *readModel) queryTimeout() time.Duration {
	if r.QueryTimeout <= 0 {
		return 30 * time.Second
	}
	return r.QueryTimeout
}

// stuckActivities names the motion's pending activities that have failed
// StuckAfter times or more, with their last error; "" when there are none.
func (r *readModel) stuckActivities(ctx context.Context, e execution) string {
	d, err := r.Temporal.DescribeWorkflowExecution(ctx, e.workflowID, "")
	if err != nil {
		return ""
	}
	var out []string
	for _, p := range d.GetPendingActivities() {
		if p.GetAttempt() >= activities.StuckAfter {
			out = append(out, fmt.Sprintf("%s failing, attempt %d: %s", p.GetActivityType().GetName(), p.GetAttempt(),
				oneLine(errors.New(p.GetLastFailure().GetMessage()))))
		}
	}
	return strings.Join(out, "; ")
}

// repair writes the motion again from its workflow: every version the
// workflow histories still hold (motion row and audit event, through
// store.Project like the Project activity), the current state when its event
// is no longer held, its reference number, and its current deadlines.
func (r *readModel) repair(ctx context.Context, e execution, m motion.Motion, rm store.ReadModelVersion) (string, error) {
	from := rm.Version // versions above it are missing
	if r.All {
		from = 0
	}
	captured, deadlines, gone, err := r.replayRuns(ctx, e.workflowID, e.runID, from)
	if err != nil {
		return "", err
	}
	var restored []int64
	for _, v := range slices.Sorted(maps.Keys(captured)) {
		if v <= from || v > m.Version {
			continue
		}
		in := captured[v]
		if err := r.Store.Project(ctx, in.Motion, in.Event); err != nil {
			return "", fmt.Errorf("version %d: %w", v, err)
		}
		restored = append(restored, v)
	}
	if _, ok := captured[m.Version]; !ok {
		// The event of the current version was projected in a run Temporal
		// no longer keeps: the motion row at least.
		if err := r.Store.RestoreMotion(ctx, m); err != nil {
			return "", err
		}
	}
	var notes []string
	switch {
	case len(restored) == 0:
		notes = append(notes, fmt.Sprintf("motion row written at version %d, no audit event", m.Version))
	default:
		notes = append(notes, fmt.Sprintf("events %s written", versionRange(restored)))
	}
	if gone > from {
		missing := make([]int64, 0, gone-from)
		for v := from + 1; v <= gone; v++ {
			missing = append(missing, v)
		}
		notes = append(notes, fmt.Sprintf("events %s no longer in Temporal", versionRange(missing)))
	}
	if m.Reference != "" && m.ReferenceSeq > 0 && m.ReferenceYear > 0 {
		if err := r.Store.RestoreReference(ctx, m.BodyID, m.ID, m.ReferenceYear, m.ReferenceSeq, m.Reference); err != nil {
			return "", err
		}
	}
	if deadlines != nil {
		if err := r.Store.ProjectDeadlines(ctx, m.ID, m.BodyID, m.Faction, deadlines.Deadlines); err != nil {
			return "", err
		}
		notes = append(notes, fmt.Sprintf("%d deadline(s)", len(deadlines.Deadlines)))
	}
	return "repaired: " + strings.Join(notes, ", "), nil
}

// replayRuns replays the motion's workflow runs, newest first, back to the
// run that holds version from+1 (or as far back as Temporal keeps them). It
// returns the Project inputs they hold by version, the deadlines the newest
// run last projected (nil when unknown), and, when older runs are gone, the
// last version they held (0 when nothing is missing).
func (r *readModel) replayRuns(ctx context.Context, workflowID, runID string, from int64) (
	captured map[int64]workflows.ProjectInput, deadlines *workflows.ProjectDeadlinesInput, gone int64, err error,
) {
	captured = map[int64]workflows.ProjectInput{}
	hist, err := r.history(ctx, workflowID, runID)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("history of %s: %w", workflowID, err)
	}
	for newest := true; ; newest = false {
		rc, err := replayRun(workflowID, runID, hist)
		if err != nil {
			return nil, nil, 0, err
		}
		for _, in := range rc.projects {
			captured[in.Event.Version] = in // a retried version: the last call wins, as in the store
		}
		if newest {
			deadlines = rc.deadlines()
		}
		runID = hist.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if runID == "" || rc.start <= from {
			return captured, deadlines, 0, nil // this run holds version from+1
		}
		hist, err = r.history(ctx, workflowID, runID)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return captured, deadlines, rc.start, nil // deleted after the namespace's retention
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("history of %s run %s: %w", workflowID, runID, err)
		}
	}
}

// history fetches one run's whole history.
func (r *readModel) history(ctx context.Context, workflowID, runID string) (*historypb.History, error) {
	hist := &historypb.History{}
	it := r.Temporal.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		hist.Events = append(hist.Events, ev)
	}
	if len(hist.Events) == 0 {
		return nil, serviceerror.NewNotFound("empty history")
	}
	return hist, nil
}

// runCapture is what the workflow code asked for while one run was replayed:
// the run's carried state and its Project and ProjectDeadlines inputs, in order.
type runCapture struct {
	start     int64 // the version the run started with (continue-as-new), 0 for the first run
	carried   *workflows.Carried
	projects  []workflows.ProjectInput
	projected []workflows.ProjectDeadlinesInput
}

// deadlines is the deadline set the run last wrote or meant to write: its
// last ProjectDeadlines input, else the set carried into the run; nil when
// the run never computed any (a motion without deadlines).
func (c *runCapture) deadlines() *workflows.ProjectDeadlinesInput {
	if n := len(c.projected); n > 0 {
		return &c.projected[n-1]
	}
	if c.carried != nil && c.carried.Reminders.Projected != nil {
		m := c.carried.Motion
		return &workflows.ProjectDeadlinesInput{MotionID: m.ID, BodyID: m.BodyID, Faction: m.Faction, Deadlines: c.carried.Reminders.Projected}
	}
	return nil
}

// replayRun runs the workflow code over one run's history, as a worker does
// after a restart, and records the inputs it gives the projection
// activities: the same values the activities got when the run was live,
// whether they ran as local activities (whose inputs the history does not
// keep) or as regular ones.
func replayRun(workflowID, runID string, hist *historypb.History) (*runCapture, error) {
	rc := &runCapture{}
	rp, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
		Interceptors: []interceptor.WorkerInterceptor{&captureInterceptor{rc: rc}},
	})
	if err != nil {
		return nil, err
	}
	workflows.Register(rp, workflows.Options{})
	logger := tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	err = rp.ReplayWorkflowHistoryWithOptions(logger, hist, worker.ReplayWorkflowHistoryOptions{
		OriginalExecution: workflow.Execution{ID: workflowID, RunID: runID},
	})
	if err != nil {
		return nil, fmt.Errorf("replay of %s run %s with this binary's workflow code: %w", workflowID, runID, err)
	}
	return rc, nil
}

// captureInterceptor records, during a replay, the run's input and the
// arguments of the Project and ProjectDeadlines activities.
type captureInterceptor struct {
	interceptor.WorkerInterceptorBase
	rc *runCapture
}

func (i *captureInterceptor) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &captureInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, rc: i.rc}
}

type captureInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	rc *runCapture
}

func (i *captureInbound) Init(out interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&captureOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: out}, rc: i.rc})
}

func (i *captureInbound) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	if len(in.Args) > 0 {
		if wi, ok := in.Args[0].(workflows.Input); ok && wi.State != nil {
			i.rc.carried, i.rc.start = wi.State, wi.State.Motion.Version
		}
	}
	return i.Next.ExecuteWorkflow(ctx, in)
}

type captureOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	rc *runCapture
}

func (o *captureOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.record(activityType, args)
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (o *captureOutbound) ExecuteLocalActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.record(activityType, args)
	return o.Next.ExecuteLocalActivity(ctx, activityType, args...)
}

func (o *captureOutbound) record(activityType string, args []any) {
	if len(args) != 1 {
		return
	}
	switch in := args[0].(type) {
	case workflows.ProjectInput:
		if activityType == workflows.ActivityProject {
			o.rc.projects = append(o.rc.projects, in)
		}
	case workflows.ProjectDeadlinesInput:
		if activityType == workflows.ActivityProjectDeadlines {
			o.rc.projected = append(o.rc.projected, in)
		}
	}
}

// loadState reads the next page's token a previous run left.
func (r *readModel) loadState() ([]byte, error) {
	if r.StateFile == "" {
		return nil, nil
	}
	b, err := os.ReadFile(r.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	token, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w (remove it to start from the first page)", r.StateFile, err)
	}
	return token, nil
}

// saveState records the next page's token, or removes the file when there
// is no next page.
func (r *readModel) saveState(token []byte) error {
	if r.StateFile == "" {
		return nil
	}
	if len(token) == 0 {
		if err := os.Remove(r.StateFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("state file: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(r.StateFile), 0o755); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := os.WriteFile(r.StateFile, []byte(base64.StdEncoding.EncodeToString(token)+"\n"), 0o600); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	return nil
}

// versionRange writes sorted versions compactly: "3", "3-7", "1, 4-6".
func versionRange(vs []int64) string {
	var parts []string
	for i := 0; i < len(vs); {
		j := i
		for j+1 < len(vs) && vs[j+1] == vs[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(vs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", vs[i], vs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// oneLine shortens an error for a table cell.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
