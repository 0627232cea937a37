package workflows

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// digestEnv runs DigestWorkflow with time skipping and records every
// attempt of the digest activity with the test clock's time.
type digestEnv struct {
	te *testsuite.TestWorkflowEnvironment
	mu sync.Mutex
	// runs are the successful runs: "<Berlin time of the call> <run> <At in UTC>".
	runs     []string
	attempts map[string]int
	fail     func(DigestInput) error
}

func newDigestEnv(t *testing.T, start time.Time) *digestEnv {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	e := &digestEnv{te: s.NewTestWorkflowEnvironment(), attempts: map[string]int{}}
	e.te.SetTestTimeout(30 * time.Second)
	e.te.SetStartTime(start)
	RegisterDigest(e.te)
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in DigestInput) (DigestResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.attempts[in.Run]++
		if e.fail != nil {
			if err := e.fail(in); err != nil {
				return DigestResult{}, err
			}
		}
		e.runs = append(e.runs, e.te.Now().In(berlinTZ).Format("2006-01-02 15:04 MST")+" "+in.Run+" "+in.At.UTC().Format(time.RFC3339))
		return DigestResult{Sent: 1}, nil
	}, activity.RegisterOptions{Name: ActivityDigest})
	return e
}

// runUntil runs the workflow from its start time until `until`, then cancels it.
func (e *digestEnv) runUntil(t *testing.T, start, until time.Time, in DigestWorkflowInput) {
	t.Helper()
	e.te.RegisterDelayedCallback(e.te.CancelWorkflow, until.Sub(start))
	e.te.ExecuteWorkflow(DigestWorkflowName, in)
	if !e.te.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := e.te.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow ended with %v, want it cancelled", err)
	}
}

func (e *digestEnv) at(start, when time.Time, f func()) {
	e.te.RegisterDelayedCallback(f, when.Sub(start))
}

func TestDigestRunsAtSevenBerlinAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		name         string
		start, until time.Time
		want         []string
	}{
		{"summer time begins", local(2026, 3, 26, 12, 0), local(2026, 4, 1, 12, 0), []string{
			"2026-03-27 07:00 CET 2026-03-27 2026-03-27T06:00:00Z",
			"2026-03-28 07:00 CET 2026-03-28 2026-03-28T06:00:00Z",
			// Sunday 29 March: 02:00 becomes 03:00; 07:00 is still 07:00.
			"2026-03-29 07:00 CEST 2026-03-29 2026-03-29T05:00:00Z",
			"2026-03-30 07:00 CEST 2026-03-30 2026-03-30T05:00:00Z",
			"2026-03-31 07:00 CEST 2026-03-31 2026-03-31T05:00:00Z",
			"2026-04-01 07:00 CEST 2026-04-01 2026-04-01T05:00:00Z",
		}},
		{"summer time ends", local(2026, 10, 23, 12, 0), local(2026, 10, 27, 8, 0), []string{
			"2026-10-24 07:00 CEST 2026-10-24 2026-10-24T05:00:00Z",
			// Sunday 25 October: 03:00 becomes 02:00 again.
			"2026-10-25 07:00 CET 2026-10-25 2026-10-25T06:00:00Z",
			"2026-10-26 07:00 CET 2026-10-26 2026-10-26T06:00:00Z",
			"2026-10-27 07:00 CET 2026-10-27 2026-10-27T06:00:00Z",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newDigestEnv(t, tc.start)
			e.runUntil(t, tc.start, tc.until, DigestWorkflowInput{})
			if !slices.Equal(e.runs, tc.want) {
				t.Errorf("digest runs\n%q\nwant\n%q", e.runs, tc.want)
			}
		})
	}
}

func TestDigestStartedBeforeSevenRunsTheSameDay(t *testing.T) {
	start := local(2026, 3, 2, 6, 59)
	e := newDigestEnv(t, start)
	e.runUntil(t, start, local(2026, 3, 3, 6, 59), DigestWorkflowInput{})
	if want := []string{"2026-03-02 07:00 CET 2026-03-02 2026-03-02T06:00:00Z"}; !slices.Equal(e.runs, want) {
		t.Errorf("runs %q, want %q", e.runs, want)
	}
}

func TestDigestConfigAndRunNow(t *testing.T) {
	start := local(2026, 3, 26, 12, 0)
	e := newDigestEnv(t, start)
	// Configured at start for 06:15 in London (07:15 in Berlin while both keep winter time).
	in := DigestWorkflowInput{Config: DigestConfig{Time: "06:15", TimeZone: "Europe/London"}}
	e.at(start, local(2026, 3, 26, 13, 0), func() {
		e.te.SignalWorkflow(SignalDigestConfig, DigestConfig{Time: "18:30"}) // Berlin by default
	})
	e.at(start, local(2026, 3, 26, 13, 1), func() {
		e.te.SignalWorkflow(SignalDigestConfig, DigestConfig{Time: "25:99"}) // ignored
	})
	e.at(start, local(2026, 3, 27, 20, 0), func() { e.te.SignalWorkflow(SignalDigestNow, nil) })
	// The same configuration again, after today's run: no second run today.
	e.at(start, local(2026, 3, 27, 20, 5), func() { e.te.SignalWorkflow(SignalDigestConfig, DigestConfig{Time: "18:30"}) })
	// An earlier time after today's run: from tomorrow on.
	e.at(start, local(2026, 3, 28, 19, 0), func() {
		e.te.SignalWorkflow(SignalDigestConfig, DigestConfig{Time: "07:00", TimeZone: "Europe/Berlin"})
	})
	e.runUntil(t, start, local(2026, 3, 29, 12, 0), in)
	want := []string{
		"2026-03-26 18:30 CET 2026-03-26 2026-03-26T17:30:00Z",
		"2026-03-27 18:30 CET 2026-03-27 2026-03-27T17:30:00Z",
		"2026-03-27 20:00 CET now/2026-03-27T19:00:00Z 2026-03-27T19:00:00Z",
		"2026-03-28 18:30 CET 2026-03-28 2026-03-28T17:30:00Z",
		"2026-03-29 07:00 CEST 2026-03-29 2026-03-29T05:00:00Z",
	}
	if !slices.Equal(e.runs, want) {
		t.Errorf("runs\n%q\nwant\n%q", e.runs, want)
	}
}

func TestDigestConfiguredTimeZone(t *testing.T) {
	start := local(2026, 3, 26, 12, 0)
	e := newDigestEnv(t, start)
	e.runUntil(t, start, local(2026, 3, 27, 12, 0), DigestWorkflowInput{Config: DigestConfig{Time: "06:15", TimeZone: "Europe/London"}})
	if want := []string{"2026-03-27 07:15 CET 2026-03-27 2026-03-27T06:15:00Z"}; !slices.Equal(e.runs, want) {
		t.Errorf("runs %q, want %q", e.runs, want)
	}
}

func TestDigestFailedDayDoesNotBlockTheNext(t *testing.T) {
	start := local(2026, 3, 26, 12, 0)
	e := newDigestEnv(t, start)
	e.fail = func(in DigestInput) error {
		if in.Run == "2026-03-27" {
			return errors.New("database unavailable")
		}
		return nil
	}
	e.runUntil(t, start, local(2026, 3, 28, 12, 0), DigestWorkflowInput{})
	if want := []string{"2026-03-28 07:00 CET 2026-03-28 2026-03-28T06:00:00Z"}; !slices.Equal(e.runs, want) {
		t.Errorf("runs %q, want only the 28th", e.runs)
	}
	// The test environment caps retries at 10 attempts; a server retries
	// until the 12 hours of ScheduleToCloseTimeout are over.
	if n := e.attempts["2026-03-27"]; n < 2 {
		t.Errorf("the failing run was attempted %d times, want it retried", n)
	}
}

func TestDigestContinuesAsNewWithoutRepeatingADay(t *testing.T) {
	start := local(2026, 3, 1, 12, 0)
	e := newDigestEnv(t, start)
	e.te.RegisterDelayedCallback(func() { e.te.SignalWorkflow(SignalDigestConfig, DigestConfig{Time: "07:00"}) }, time.Hour)
	e.te.ExecuteWorkflow(DigestWorkflowName, DigestWorkflowInput{})
	var can *workflow.ContinueAsNewError
	if err := e.te.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	if len(e.runs) != digestRunsPerExecution || e.runs[0][:16] != "2026-03-02 07:00" || e.runs[len(e.runs)-1][:16] != "2026-03-29 07:00" {
		t.Fatalf("first execution ran %d digests: %q", len(e.runs), e.runs)
	}
	var next DigestWorkflowInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if can.WorkflowType.Name != DigestWorkflowName || next.LastRun != "2026-03-29" ||
		next.Config != (DigestConfig{Time: "07:00", TimeZone: "Europe/Berlin"}) {
		t.Fatalf("continued as %s with %+v", can.WorkflowType.Name, next)
	}

	// The next run starts right away, at 07:00 on the day last run: that day
	// is not run again.
	start = local(2026, 3, 29, 7, 0)
	e2 := newDigestEnv(t, start)
	e2.runUntil(t, start, local(2026, 3, 30, 12, 0), next)
	if want := []string{"2026-03-30 07:00 CEST 2026-03-30 2026-03-30T05:00:00Z"}; !slices.Equal(e2.runs, want) {
		t.Errorf("after continue-as-new: runs %q, want %q", e2.runs, want)
	}
}

func TestDigestScheduleNext(t *testing.T) {
	sched, err := DigestConfig{}.schedule()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now     time.Time
		last    string
		run, at string
	}{
		{local(2026, 3, 28, 6, 59), "", "2026-03-28", "2026-03-28 07:00 CET"},
		{local(2026, 3, 28, 7, 0), "", "2026-03-29", "2026-03-29 07:00 CEST"},
		{local(2026, 3, 28, 6, 0), "2026-03-28", "2026-03-29", "2026-03-29 07:00 CEST"},
		{local(2026, 12, 31, 8, 0), "2026-12-30", "2027-01-01", "2027-01-01 07:00 CET"},
		// A clock behind the last run (never in practice) waits for the day after it.
		{local(2026, 3, 1, 8, 0), "2026-03-03", "2026-03-04", "2026-03-04 07:00 CET"},
	} {
		run, at := sched.next(tc.now, tc.last)
		if got := at.In(berlinTZ).Format("2006-01-02 15:04 MST"); run != tc.run || got != tc.at {
			t.Errorf("next(%v, %q) = %s %s, want %s %s", tc.now, tc.last, run, got, tc.run, tc.at)
		}
	}
	// A time a DST change skips moves forward by the gap.
	gap, _ := DigestConfig{Time: "02:30"}.schedule()
	if _, at := gap.next(local(2026, 3, 28, 12, 0), ""); at.In(berlinTZ).Format("2006-01-02 15:04") != "2026-03-29 03:30" {
		t.Errorf("02:30 on the day summer time begins = %v", at.In(berlinTZ))
	}
	for _, bad := range []DigestConfig{{Time: "7"}, {Time: "07:00", TimeZone: "Mars/Olympus"}} {
		if _, err := bad.schedule(); err == nil {
			t.Errorf("schedule(%+v) accepted", bad)
		}
	}
}

// signalWithStartClient records SignalWithStartWorkflow; nothing else is used.
type signalWithStartClient struct {
	client.Client
	calls []string
	opts  client.StartWorkflowOptions
	arg   any
	in    []any
}

func (c *signalWithStartClient) SignalWithStartWorkflow(ctx context.Context, workflowID, signalName string, signalArg any,
	options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error) {
	c.calls = append(c.calls, workflowID+" "+signalName+" "+workflow.(string))
	c.opts, c.arg, c.in = options, signalArg, args
	return nil, nil
}

func TestEnsureDigestSchedule(t *testing.T) {
	c := &signalWithStartClient{}
	if err := EnsureDigestSchedule(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	def := DigestConfig{Time: "07:00", TimeZone: "Europe/Berlin"}
	if want := []string{"digest digest_config Digest"}; !slices.Equal(c.calls, want) || c.arg != def ||
		c.opts.ID != DigestWorkflowID || c.opts.TaskQueue != TaskQueue ||
		c.opts.WorkflowIDReusePolicy != enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE ||
		len(c.in) != 1 || c.in[0] != (DigestWorkflowInput{Config: def}) {
		t.Errorf("EnsureDigestSchedule sent %v %+v %+v %+v", c.calls, c.arg, c.opts, c.in)
	}
	if err := EnsureDigestSchedule(t.Context(), c, DigestConfig{Time: "06:30"}); err != nil ||
		c.arg != (DigestConfig{Time: "06:30", TimeZone: "Europe/Berlin"}) {
		t.Errorf("configured: %v, %+v", err, c.arg)
	}
	c.calls = nil
	for _, bad := range [][]DigestConfig{{{Time: "halb acht"}}, {{}, {}}} {
		if err := EnsureDigestSchedule(t.Context(), c, bad...); err == nil {
			t.Errorf("EnsureDigestSchedule(%+v) accepted", bad)
		}
	}
	if len(c.calls) != 0 {
		t.Errorf("a bad configuration reached Temporal: %v", c.calls)
	}
}
