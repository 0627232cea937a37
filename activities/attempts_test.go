package activities_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// lockedBuffer collects log lines written from activity goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the JSON log records with message containing msg.
func (l *lockedBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(l.b.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m, _ := rec["msg"].(string); strings.Contains(m, msg) {
			out = append(out, rec)
		}
	}
	return out
}

// gauges reads every counter and gauge of reg as "name{label=value}".
func gauges(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			if c := m.GetCounter(); c != nil {
				got[key] = c.GetValue()
			}
			if g := m.GetGauge(); g != nil {
				got[key] = g.GetValue()
			}
		}
	}
	return got
}

// projectOnce runs the Project activity the way a motion's workflow does
// (retried by Temporal, here at most 12 times) for the motion "quadrat",
// on a worker with the attempts interceptor.
func projectOnce(t *testing.T, st *store.Store, attempts *activities.Attempts, logs *lockedBuffer, in workflows.ProjectInput) error {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{attempts.Interceptor()}})
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.WorkflowID("quadrat"), TaskQueue: workflows.TaskQueue})
	acts := &activities.Activities{Store: st}
	env.RegisterActivityWithOptions(acts.Project, activity.RegisterOptions{Name: workflows.ActivityProject})
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, in workflows.ProjectInput) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 12},
		})
		return workflow.ExecuteActivity(ctx, workflows.ActivityProject, in).Get(ctx, nil)
	}, workflow.RegisterOptions{Name: "ProjectOnly"})
	env.ExecuteWorkflow("ProjectOnly", in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	return env.GetWorkflowError()
}

// A Project that keeps failing (the database is gone) is not retried
// silently: every attempt is logged with the motion, from the fifth on at
// ERROR (then every tenth), and the metrics an alert uses say that one
// motion's Project is stuck and for how many attempts, until it succeeds.
func TestFailingProjectIsLoggedAndCounted(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	if _, err := st.UpsertBody(t.Context(), store.Body{ID: "ma", Name: "Stadt Mannheim"}); err != nil {
		t.Fatal(err)
	}
	gone := storetest.New(t)
	gone.Close() // every query now fails, as with a database that went away

	at := time.Date(2019, 12, 12, 9, 0, 0, 0, time.UTC)
	in := workflows.ProjectInput{
		Motion: motion.Motion{ID: "quadrat", BodyID: "ma", Version: 1, Kind: motion.KindMotion, Status: motion.StatusDraft,
			Content: motion.Content{Title: "Digitalisierung im Quadrat"}, Faction: "spd", CreatedAt: at, UpdatedAt: at},
		Event: motion.Event{MotionID: "quadrat", Version: 1, Command: motion.CmdCreate, At: at, Status: motion.StatusDraft},
	}
	reg := prometheus.NewRegistry()
	attempts := activities.NewAttempts(reg)
	logs := &lockedBuffer{}

	if err := projectOnce(t, gone, attempts, logs, in); err == nil {
		t.Fatal("Project on a closed database succeeded")
	}
	errorLines := logs.lines(t, "keeps failing")
	var failures []float64
	for _, rec := range errorLines {
		if rec["level"] != "ERROR" || rec["motion_id"] != "quadrat" || rec["activity"] != workflows.ActivityProject ||
			!strings.Contains(rec["error"].(string), "closed") {
			t.Errorf("log line %v: want level ERROR, motion_id quadrat, activity Project and the error", rec)
		}
		failures = append(failures, rec["attempt"].(float64))
	}
	if len(failures) != 2 || failures[0] != 5 || failures[1] != 10 {
		t.Errorf("ERROR lines at attempts %v, want [5 10]", failures)
	}
	if warns := logs.lines(t, "attempt failed"); len(warns) != 10 || warns[0]["level"] != "WARN" || warns[0]["motion_id"] != "quadrat" {
		t.Errorf("WARN lines: %d (%v), want 10 (attempts 1-4, 6-9, 11, 12) naming the motion", len(warns), warns)
	}
	got := gauges(t, reg)
	for key, want := range map[string]float64{
		activities.MetricAttemptFailures + "{activity=Project,retryable=true}":  12,
		activities.MetricAttemptFailures + "{activity=Project,retryable=false}": 0,
		activities.MetricAttemptFailures + "{activity=Notify,retryable=true}":   0,
		activities.MetricStuck + "{activity=Project}":                           1,
		activities.MetricStuckFailures + "{activity=Project}":                   12,
		activities.MetricStuck + "{activity=ProjectDeadlines}":                  0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}

	// The database is back: the next attempt succeeds and the alert clears.
	if err := projectOnce(t, st, attempts, logs, in); err != nil {
		t.Fatalf("Project after the database came back: %v", err)
	}
	got = gauges(t, reg)
	if got[activities.MetricStuck+"{activity=Project}"] != 0 || got[activities.MetricStuckFailures+"{activity=Project}"] != 0 {
		t.Errorf("after success: stuck = %v, failures = %v, want 0 and 0", got[activities.MetricStuck+"{activity=Project}"],
			got[activities.MetricStuckFailures+"{activity=Project}"])
	}

	// An error no retry fixes is logged at ERROR at once and counted apart.
	bad := in
	bad.Event.MotionID = "other"
	if err := projectOnce(t, st, attempts, logs, bad); err == nil {
		t.Fatal("Project of a mismatched event succeeded")
	}
	final := logs.lines(t, "failed for good")
	if len(final) != 1 || final[0]["level"] != "ERROR" || final[0]["motion_id"] != "quadrat" {
		t.Errorf("failed-for-good lines = %v, want one ERROR naming the motion", final)
	}
	got = gauges(t, reg)
	if got[activities.MetricAttemptFailures+"{activity=Project,retryable=false}"] != 1 || got[activities.MetricStuck+"{activity=Project}"] != 0 {
		t.Errorf("after a final failure: %v", got)
	}
}
