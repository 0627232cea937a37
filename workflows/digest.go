package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/motionflow/motionflow/motion"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The daily digest runs as one long-lived workflow per namespace
// (DigestWorkflowID), not as a Temporal Schedule:
//
//   - its wait is a durable timer to the next local time of day, computed
//     with the time zone's rules each day, so 07:00 stays 07:00 in Berlin
//     across daylight saving changes; a worker that is down at that time
//     runs the digest as soon as it is back;
//   - the SDK's test suite runs it with time skipping, so tests see the
//     digest fire at the right wall-clock times across DST changes (a
//     Schedule's calendar lives in the server and cannot be tested that way);
//   - it needs nothing of the server beyond workflows and timers (the
//     embedded dev server included), and the time of day changes by a signal
//     without recreating anything.
//
// It continues as new after digestRunsPerExecution days (or when Temporal
// suggests it), carrying the last day it ran so that no day runs twice.

// digestRunsPerExecution bounds one run's history: about four weeks of days.
const digestRunsPerExecution = 28

// Defaults of DigestConfig.
const (
	DefaultDigestTime     = "07:00"
	DefaultDigestTimeZone = "Europe/Berlin"
)

// RegisterDigest registers DigestWorkflow with a worker, under DigestWorkflowName.
func RegisterDigest(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(DigestWorkflow, workflow.RegisterOptions{Name: DigestWorkflowName})
}

// EnsureDigestSchedule makes sure the digest workflow runs, with cfg (at most
// one; the defaults, 07:00 Europe/Berlin, without): it starts the workflow
// if none runs and tells a running one the configured time (signal-with-
// start), so calling it at every worker start is safe and several workers
// may call it at once. A configuration that cannot be parsed is an error.
func EnsureDigestSchedule(ctx context.Context, c client.Client, cfg ...DigestConfig) error {
	if len(cfg) > 1 {
		return errors.New("workflows: EnsureDigestSchedule takes at most one DigestConfig")
	}
	var conf DigestConfig
	if len(cfg) == 1 {
		conf = cfg[0]
	}
	conf = conf.withDefaults()
	if _, err := conf.schedule(); err != nil {
		return err
	}
	_, err := c.SignalWithStartWorkflow(ctx, DigestWorkflowID, SignalDigestConfig, conf, client.StartWorkflowOptions{
		ID:        DigestWorkflowID,
		TaskQueue: TaskQueue,
		// A digest workflow that failed or was terminated is started afresh.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, DigestWorkflowName, DigestWorkflowInput{Config: conf})
	if err != nil {
		return fmt.Errorf("workflows: start digest workflow: %w", err)
	}
	return nil
}

func (c DigestConfig) withDefaults() DigestConfig {
	if c.Time == "" {
		c.Time = DefaultDigestTime
	}
	if c.TimeZone == "" {
		c.TimeZone = DefaultDigestTimeZone
	}
	return c
}

// digestSchedule is a parsed DigestConfig.
type digestSchedule struct {
	hour, minute int
	loc          *time.Location
}

func (c DigestConfig) schedule() (digestSchedule, error) {
	c = c.withDefaults()
	t, err := time.Parse("15:04", c.Time)
	if err != nil {
		return digestSchedule{}, fmt.Errorf("workflows: digest time %q: want HH:MM", c.Time)
	}
	loc, err := motion.LoadLocation(c.TimeZone)
	if err != nil {
		return digestSchedule{}, fmt.Errorf("workflows: digest time zone %q: %w", c.TimeZone, err)
	}
	return digestSchedule{hour: t.Hour(), minute: t.Minute(), loc: loc}, nil
}

// next returns the first daily run after now that comes after the run last
// (runs are local dates, "2006-01-02", which order as strings): its name and
// time. A time of day that a DST change skips moves forward by the gap.
func (s digestSchedule) next(now time.Time, last string) (string, time.Time) {
	y, m, d := now.In(s.loc).Date()
	for i := 0; ; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC) // the calendar day, free of DST
		run := day.Format(time.DateOnly)
		at := time.Date(day.Year(), day.Month(), day.Day(), s.hour, s.minute, 0, 0, s.loc)
		if at.After(now) && run > last {
			return run, at
		}
	}
}

// DigestWorkflow sends the daily digest: every day at the configured local
// time (default 07:00 Europe/Berlin) it runs the ActivityDigest activity
// once, which mails each recipient's queued reminders in one e-mail. It never
// ends by itself. SignalDigestConfig changes the time of day (a day already
// done is not run again); SignalDigestNow runs a digest at once.
//
// A run that still fails after hours of retries is logged and left: the
// next day's run resends what it claimed and takes up everything else.
func DigestWorkflow(ctx workflow.Context, in DigestWorkflowInput) error {
	log := workflow.GetLogger(ctx)
	cfg := in.Config.withDefaults()
	sched, err := cfg.schedule()
	if err != nil {
		log.Error("invalid digest configuration, using the defaults", "error", err)
		cfg = DigestConfig{}.withDefaults()
		if sched, err = cfg.schedule(); err != nil {
			return err
		}
	}
	last := in.LastRun
	configs := workflow.GetSignalChannel(ctx, SignalDigestConfig)
	nows := workflow.GetSignalChannel(ctx, SignalDigestNow)
	// reconfigure applies a configuration signal; it reports whether the
	// time of day changed.
	reconfigure := func(c DigestConfig) bool {
		c = c.withDefaults()
		if c == cfg {
			return false
		}
		s, err := c.schedule()
		if err != nil {
			log.Error("digest configuration ignored", "error", err)
			return false
		}
		cfg, sched = c, s
		return true
	}
	runNow := func() {
		now := workflow.Now(ctx)
		sendDigests(ctx, DigestInput{Run: "now/" + now.UTC().Format(time.RFC3339Nano), At: now})
	}

	for runs := 0; ; {
		run, at := sched.next(workflow.Now(ctx), last)
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		timer := workflow.NewTimerWithOptions(timerCtx, at.Sub(workflow.Now(ctx)),
			workflow.TimerOptions{Summary: "Tageszusammenfassung " + run})
		var fired, changed, now bool
		var timerErr error
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(f workflow.Future) {
			timerErr = f.Get(ctx, nil)
			fired = timerErr == nil
		})
		sel.AddReceive(configs, func(c workflow.ReceiveChannel, _ bool) {
			var nc DigestConfig
			c.Receive(ctx, &nc)
			changed = reconfigure(nc)
		})
		sel.AddReceive(nows, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			now = true
		})
		for !fired && !changed && !now && timerErr == nil {
			sel.Select(ctx)
		}
		if err := ctx.Err(); err != nil {
			return err // cancelled
		}
		cancelTimer() // a no-op once it fired
		if timerErr != nil && !temporal.IsCanceledError(timerErr) {
			return timerErr
		}
		if now {
			runNow()
		}
		if fired {
			sendDigests(ctx, DigestInput{Run: run, At: at})
			last = run
			runs++
		}
		if runs >= digestRunsPerExecution || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			// Signals not yet received would be lost with this run.
			for {
				var nc DigestConfig
				if configs.ReceiveAsync(&nc) {
					reconfigure(nc)
					continue
				}
				if nows.ReceiveAsync(nil) {
					runNow()
					continue
				}
				break
			}
			return workflow.NewContinueAsNewError(ctx, DigestWorkflowName, DigestWorkflowInput{Config: cfg, LastRun: last})
		}
	}
}

// sendDigests runs the digest activity, retrying for hours; a run that
// still fails is logged, not fatal.
func sendDigests(ctx workflow.Context, in DigestInput) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    time.Hour,
		HeartbeatTimeout:       5 * time.Minute,
		ScheduleToCloseTimeout: 12 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    10 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
		},
	})
	var res DigestResult
	if err := workflow.ExecuteActivity(actx, ActivityDigest, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("digest run failed", "run", in.Run, "error", err)
		return
	}
	workflow.GetLogger(ctx).Info("digest run done", "run", in.Run, "sent", res.Sent, "items", res.Items,
		"skipped", res.Skipped, "failed", res.Failed)
}
