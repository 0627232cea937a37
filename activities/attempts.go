package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/motionflow/motionflow/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
)

// Metric names of failing activity attempts.
const (
	// MetricAttemptFailures counts failed attempts by activity and by
	// whether Temporal retries them (retryable "true") or the activity failed
	// for good ("false": bad input, a bug; no retry will fix it).
	MetricAttemptFailures = "motionflow_activity_attempt_failures_total"
	// MetricStuck is the number of (activity, workflow) pairs on this worker
	// whose last attempt failed and that have failed StuckAfter times or
	// more in a row: an alert on it says "a motion's Project keeps failing".
	MetricStuck = "motionflow_activity_stuck"
	// MetricStuckFailures is the longest run of failures among them.
	MetricStuckFailures = "motionflow_activity_stuck_failures"
)

// StuckAfter is the number of failures in a row from which an activity
// counts as stuck: logged at ERROR (then at every 10th failure) and counted
// in MetricStuck. A local Project retries six times in its first 20 s, so
// a database that is away for a few seconds stays below it.
const StuckAfter = 5

// forgetAfter is how long a failing activity that is not retried any more
// (its workflow was terminated or reset) stays in MetricStuck: longer than
// the longest backoff of the workflows' retry policies (10 minutes).
const forgetAfter = 30 * time.Minute

// Attempts watches every activity attempt on a worker, so that an activity
// that Temporal retries without end is seen instead of retrying silently:
// each failed attempt is logged (WARN; ERROR from StuckAfter failures on,
// and always for a failure no retry fixes) with the motion's id, the
// activity, the attempt and the error, and counted in the metrics above.
// Install it with Interceptor when the worker is built; it sees regular and
// local activities alike.
type Attempts struct {
	failures *prometheus.CounterVec
	stuck    *prometheus.Desc
	longest  *prometheus.Desc
	now      func() time.Time

	mu sync.Mutex
	// failing holds the activities whose last attempt failed, or that are
	// running again after a failure.
	failing map[attemptKey]*failingActivity
}

type attemptKey struct{ activity, workflowID string }

type failingActivity struct {
	// failures in a row: the larger of Temporal's attempt number and the
	// failures this worker saw (a local Project that hands over to a regular
	// activity starts again at attempt 1).
	failures int32
	running  bool
	seen     time.Time
}

// retriedActivities are the activities whose series exist from the start.
var retriedActivities = []string{
	workflows.ActivityProject, workflows.ActivityAssignReference, workflows.ActivityLoadCalendar,
	workflows.ActivityProjectDeadlines, workflows.ActivityNotify, workflows.ActivityDigest,
}

// NewAttempts creates the watcher and registers its metrics on reg (none
// when reg is nil: logging only).
func NewAttempts(reg prometheus.Registerer) *Attempts {
	a := &Attempts{
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricAttemptFailures,
			Help: "Failed activity attempts by activity; retryable=\"false\" for failures no retry fixes.",
		}, []string{"activity", "retryable"}),
		stuck: prometheus.NewDesc(MetricStuck,
			fmt.Sprintf("Activities (per workflow) whose last %d or more attempts in a row failed and that Temporal still retries.", StuckAfter),
			[]string{"activity"}, nil),
		longest: prometheus.NewDesc(MetricStuckFailures,
			"The most failures in a row of one workflow's activity still being retried (0 when none fails).",
			[]string{"activity"}, nil),
		now:     time.Now,
		failing: map[attemptKey]*failingActivity{},
	}
	for _, name := range retriedActivities {
		a.failures.WithLabelValues(name, "true")
		a.failures.WithLabelValues(name, "false")
	}
	if reg != nil {
		reg.MustRegister(a.failures, stuckCollector{a})
	}
	return a
}

// Interceptor is the worker interceptor to put into worker.Options.Interceptors.
func (a *Attempts) Interceptor() interceptor.WorkerInterceptor { return &workerInterceptor{a: a} }

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
	a *Attempts
}

func (w *workerInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &activityInterceptor{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, a: w.a}
}

type activityInterceptor struct {
	interceptor.ActivityInboundInterceptorBase
	a *Attempts
}

func (i *activityInterceptor) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (res any, err error) {
	info := activity.GetInfo(ctx)
	key := attemptKey{info.ActivityType.Name, info.WorkflowExecution.ID}
	i.a.started(key)
	defer func() {
		if p := recover(); p != nil {
			i.a.finished(ctx, key, info.Attempt, fmt.Errorf("panic: %v", p))
			panic(p)
		}
		i.a.finished(ctx, key, info.Attempt, err)
	}()
	return i.Next.ExecuteActivity(ctx, in)
}

func (a *Attempts) started(key attemptKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if f := a.failing[key]; f != nil {
		f.running, f.seen = true, a.now()
	}
}

// finished records the end of one attempt and logs a failure.
func (a *Attempts) finished(ctx context.Context, key attemptKey, attempt int32, err error) {
	if err == nil {
		a.mu.Lock()
		delete(a.failing, key)
		a.mu.Unlock()
		return
	}
	var app *temporal.ApplicationError
	final := errors.As(err, &app) && app.NonRetryable()
	a.failures.WithLabelValues(key.activity, fmt.Sprint(!final)).Inc()

	a.mu.Lock()
	failures := attempt
	if f := a.failing[key]; f != nil {
		failures = max(failures, f.failures+1)
	}
	if final {
		delete(a.failing, key)
	} else {
		a.failing[key] = &failingActivity{failures: failures, seen: a.now()}
	}
	a.mu.Unlock()

	log := activity.GetLogger(ctx)
	kv := []any{"activity", key.activity, "attempt", attempt, "failures", failures, "error", err.Error()}
	if id, ok := strings.CutPrefix(key.workflowID, workflows.WorkflowID("")); ok {
		kv = append([]any{"motion_id", id}, kv...)
	} else {
		kv = append([]any{"workflow_id", key.workflowID}, kv...)
	}
	switch {
	case final:
		log.Error("activity failed for good: no retry fixes this error", kv...)
	case failures >= StuckAfter && (failures == StuckAfter || failures%10 == 0):
		log.Error(fmt.Sprintf("activity keeps failing (%d attempts in a row); Temporal retries it", failures), kv...)
	default:
		log.Warn("activity attempt failed; Temporal retries it", kv...)
	}
}

// stuckCollector computes MetricStuck and MetricStuckFailures at scrape time.
type stuckCollector struct{ a *Attempts }

func (c stuckCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.a.stuck
	ch <- c.a.longest
}

func (c stuckCollector) Collect(ch chan<- prometheus.Metric) {
	stuck, longest := c.a.snapshot()
	for name, n := range stuck {
		ch <- prometheus.MustNewConstMetric(c.a.stuck, prometheus.GaugeValue, float64(n), name)
	}
	for name, n := range longest {
		ch <- prometheus.MustNewConstMetric(c.a.longest, prometheus.GaugeValue, float64(n), name)
	}
}

// snapshot counts, per activity, the stuck workflows and the longest run of
// failures, forgetting what has not been retried for forgetAfter.
func (a *Attempts) snapshot() (stuck, longest map[string]int32) {
	stuck, longest = map[string]int32{}, map[string]int32{}
	for _, name := range retriedActivities {
		stuck[name], longest[name] = 0, 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for k, f := range a.failing {
		if !f.running && now.Sub(f.seen) > forgetAfter {
			delete(a.failing, k)
			continue
		}
		if f.failures >= StuckAfter {
			stuck[k.activity]++
		}
		longest[k.activity] = max(longest[k.activity], f.failures)
	}
	return stuck, longest
}
