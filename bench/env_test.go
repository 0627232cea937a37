//go:build bench

// Package bench measures motionflow against the engine's own limit: each
// scenario runs motionflow end to end (HTTP API → Temporal update →
// MotionWorkflow → Project activity → PostgreSQL read model → answer) on the
// embedded Temporal server (temporaltest) and the real PostgreSQL
// (storetest), and in the same run the same figure for a bare Temporal
// update on a no-op workflow, so that every result is also a ratio.
//
// The benchmarks run only with -bench (never in `make test`); `make bench`
// runs them all and docs/BENCHMARKS.md lists the figures with the command
// that reproduces each. The files carry the build tag bench, so that
// `go test ./...` does not link this package at all. Scale knobs
// (environment): MOTIONFLOW_BENCH_MOTIONS (rows for the list scenario,
// 100000), MOTIONFLOW_BENCH_DEADLINES (deadlines falling due at once, 500),
// MOTIONFLOW_BENCH_OPEN (open motions for the worker memory scenario, the
// same as the deadlines), MOTIONFLOW_BENCH_TEMPORAL (host:port of an
// external Temporal frontend, e.g. the production engine of deploy/engine
// that `make bench-engine` starts; empty: the embedded server) and
// MOTIONFLOW_BENCH_NAMESPACE (its namespace, "default").
package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"
)

const (
	bodyID     = "mannheim"
	factionSPD = "mannheim-spd"
	factionCDU = "mannheim-cdu"
	department = "mannheim-dez1"
	committee  = "mannheim-ha"
	council    = "mannheim-gr"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		runWorkerProcess() // the subprocess of the worker memory scenario
		return
	}
	code := m.Run()
	cleanups.run()
	os.Exit(code)
}

// cleanups are run when the benchmarks are done: the shared environment
// outlives any one benchmark.
var cleanups cleanupList

type cleanupList struct {
	mu sync.Mutex
	fs []func()
}

func (c *cleanupList) add(f func()) { c.mu.Lock(); c.fs = append(c.fs, f); c.mu.Unlock() }
func (c *cleanupList) run() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.fs) - 1; i >= 0; i-- {
		c.fs[i]()
	}
	c.fs = nil
}

// longTB lets the test helpers (storetest, authtest) set up what lives as
// long as the benchmark process; their cleanups run at its end. Only the
// methods below are used by those helpers.
type longTB struct {
	testing.TB
	cleanups *cleanupList
}

func (l longTB) Helper()                      {}
func (l longTB) Cleanup(f func())             { l.cleanups.add(f) }
func (l longTB) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }
func (l longTB) Fatal(args ...any)            { panic(fmt.Sprint(args...)) }
func (l longTB) Errorf(f string, args ...any) { fmt.Fprintf(os.Stderr, f+"\n", args...) }
func (l longTB) Logf(f string, args ...any)   { fmt.Fprintf(os.Stderr, f+"\n", args...) }
func (l longTB) Name() string                 { return "bench" }

// env is one complete motionflow with a no-op workflow beside it.
type env struct {
	st  *store.Store
	dsn string
	ts  *temporaltest.TestServer // nil on an external engine
	tc  client.Client
	// hostPort and namespace of the Temporal frontend in use.
	hostPort, namespace string
	url                 string
	http                *http.Client
	worker              worker.Worker
	// stopWorker stops the in-process motion worker (once).
	stopWorker func()
	// Tokens of the demo users.
	spd, office, dept string
	motions           *workflows.Client
	verifier          *auth.Verifier
	// issuer is the test identity provider's configuration (its URL serves
	// discovery and keys), for an API started as its own process.
	issuer auth.Config
	// reminders is set by the deadline scenario: it sees every Notify.
	remindersMu sync.Mutex
	reminders   func(workflows.NotifyInput)
	stop        func()
}

// benchLog receives progress notes of the long scenarios.
var benchLog = os.Stderr

var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

// envOptions shape a new environment.
type envOptions struct {
	// noWorker starts no motion worker in this process.
	noWorker bool
}

// newEnv starts PostgreSQL database, Temporal, worker, API and the no-op
// workflow's worker; stop tears it all down.
func newEnv(o envOptions) *env {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var own cleanupList
	tb := longTB{cleanups: &own}
	e := &env{}
	e.dsn = storetest.NewDatabase(tb)
	st, err := store.Open(ctx, e.dsn)
	if err != nil {
		panic(err)
	}
	own.add(st.Close)
	e.st = st
	if _, err := st.UpsertBody(ctx, store.Body{ID: bodyID, Name: "Stadt Mannheim", ReferencePrefix: "A"}); err != nil {
		panic(err)
	}
	for _, org := range []store.Organization{
		{ID: factionSPD, BodyID: bodyID, Kind: store.OrgFaction, Name: "SPD"},
		{ID: factionCDU, BodyID: bodyID, Kind: store.OrgFaction, Name: "CDU"},
		{ID: department, BodyID: bodyID, Kind: store.OrgDepartment, Name: "Dezernat I"},
		{ID: committee, BodyID: bodyID, Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: council, BodyID: bodyID, Kind: store.OrgCouncil, Name: "Gemeinderat"},
	} {
		if _, err := st.CreateOrganization(ctx, org); err != nil {
			panic(err)
		}
	}

	if ext := os.Getenv("MOTIONFLOW_BENCH_TEMPORAL"); ext != "" {
		// The external engine is set up (namespace, search attributes) by
		// deploy/engine/run.sh; it is fresh for every `make bench-engine`,
		// so the motion ids of this run's new database are new there too.
		e.hostPort, e.namespace = ext, cmp.Or(os.Getenv("MOTIONFLOW_BENCH_NAMESPACE"), "default")
		tc, err := client.Dial(client.Options{HostPort: e.hostPort, Namespace: e.namespace, Logger: tlog.NewStructuredLogger(quiet)})
		if err != nil {
			panic(err)
		}
		own.add(tc.Close)
		e.tc = tc
	} else {
		e.ts = temporaltest.NewServer(temporaltest.WithBaseClientOptions(client.Options{Logger: tlog.NewStructuredLogger(quiet)}),
			temporaltest.WithBaseServerOptions(serverTuning()...))
		own.add(e.ts.Stop)
		e.tc = e.ts.GetDefaultClient()
		e.hostPort, e.namespace = e.ts.GetFrontendHostPort(), e.ts.GetDefaultNamespace()
		if _, err := e.tc.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace: e.namespace, SearchAttributes: workflows.SearchAttributes,
		}); err != nil {
			panic(err)
		}
	}
	if !o.noWorker {
		e.worker = worker.New(e.tc, workflows.TaskQueue, worker.Options{})
		e.register(e.worker, st)
		if err := e.worker.Start(); err != nil {
			panic(err)
		}
		e.stopWorker = sync.OnceFunc(e.worker.Stop)
		own.add(e.stopWorker)
	}
	e.newWorker(own.add, bareQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: "Noop"})
		r.RegisterWorkflowWithOptions(noopTimerWorkflow, workflow.RegisterOptions{Name: "NoopTimer"})
		r.RegisterActivityWithOptions(noopActivity, activityOptions("NoopActivity"))
	})

	iss := authtest.NewIssuer(tb)
	verifier, err := auth.NewVerifier(ctx, iss.Config())
	if err != nil {
		panic(err)
	}
	groups := func(extra ...string) []string { return append(extra, "body:"+bodyID) }
	e.spd = iss.Token(tb, authtest.Claims{Subject: "spd", Name: "SPD", Groups: groups("role:faction_staff", "faction:"+factionSPD), Expiry: 6 * time.Hour})
	e.office = iss.Token(tb, authtest.Claims{Subject: "office", Name: "Ratsbüro", Groups: groups("role:council_office"), Expiry: 6 * time.Hour})
	e.dept = iss.Token(tb, authtest.Claims{Subject: "dez1", Name: "Dezernat I", Groups: groups("role:administration", "department:"+department), Expiry: 6 * time.Hour})
	e.motions = &workflows.Client{Temporal: e.tc}
	e.verifier, e.issuer = verifier, iss.Config()
	h, _ := api.New(api.Config{RequestTimeout: time.Minute}, api.Deps{Motions: e.motions, Auth: verifier, Store: st,
		Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	own.add(srv.Close)
	e.url = srv.URL
	e.http = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	e.stop = own.run
	return e
}

// newWorker starts a worker on queue with what reg registers; stop is
// handed to onStop (the environment's cleanups).
func (e *env) newWorker(onStop func(func()), queue string, reg func(worker.Registry)) {
	if e.ts != nil {
		e.ts.NewWorker(queue, reg)
		return
	}
	w := worker.New(e.tc, queue, worker.Options{})
	reg(w)
	if err := w.Start(); err != nil {
		panic(err)
	}
	onStop(w.Stop)
}

// serverTuning applies MOTIONFLOW_BENCH_POLL_RPS: the rate at which the
// (single) history shard polls its transfer, timer and visibility queues,
// 20 per second by default. The embedded server has one shard, so this rate
// caps every path that needs a transfer task — a workflow task after an
// activity completes — at about 20 per second for the whole server and adds
// up to 50 ms to it (docs/BENCHMARKS.md).
func serverTuning() []temporal.ServerOption {
	rps := envInt("MOTIONFLOW_BENCH_POLL_RPS", 0)
	if rps == 0 {
		return nil
	}
	return []temporal.ServerOption{temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.TransferProcessorMaxPollRPS.Key():             rps,
		dynamicconfig.TimerProcessorMaxPollRPS.Key():                rps,
		dynamicconfig.VisibilityProcessorMaxPollRPS.Key():           rps,
	})}
}

// register puts the motion workflow and the real activities on a worker; the
// Notify activity also reports to e.reminders.
func (e *env) register(r worker.Registry, st *store.Store) {
	workflows.Register(r, workflows.Options{})
	acts := &activities.Activities{Store: st}
	acts.Register(r)
	r.RegisterActivityWithOptions(func(ctx context.Context, in workflows.NotifyInput) (workflows.NotifyResult, error) {
		res, err := acts.Notify(ctx, in)
		if err == nil {
			e.remindersMu.Lock()
			f := e.reminders
			e.remindersMu.Unlock()
			if f != nil {
				f(in)
			}
		}
		return res, err
	}, activityOptions(workflows.ActivityNotify))
}

var (
	sharedOnce sync.Once
	sharedEnv  *env
)

// shared is the environment of the latency and throughput scenarios.
func shared(b *testing.B) *env {
	b.Helper()
	sharedOnce.Do(func() {
		sharedEnv = newEnv(envOptions{})
		cleanups.add(sharedEnv.stop)
	})
	return sharedEnv
}

// The no-op workflow: an update handler that returns its argument, and
// nothing else. A bare update on it is the engine's own round trip.
const bareQueue = "bench-bare"

func noopWorkflow(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, "noop", func(_ workflow.Context, n int) (int, error) { return n, nil }); err != nil {
		return err
	}
	wake := workflow.GetSignalChannel(ctx, "stop")
	wake.Receive(ctx, nil)
	return nil
}

// noopTimerWorkflow sleeps until its due time and then runs a no-op
// activity: the engine's own figure for a reminder.
func noopTimerWorkflow(ctx workflow.Context, due time.Time) error {
	if d := due.Sub(workflow.Now(ctx)); d > 0 {
		if err := workflow.Sleep(ctx, d); err != nil {
			return err
		}
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	return workflow.ExecuteActivity(ctx, "NoopActivity", due).Get(ctx, nil)
}

// noopReport is set by the deadline scenario to see the bare reminders.
var (
	noopMu     sync.Mutex
	noopReport func(due time.Time)
)

func noopActivity(_ context.Context, due time.Time) error {
	noopMu.Lock()
	f := noopReport
	noopMu.Unlock()
	if f != nil {
		f(due)
	}
	return nil
}

// startNoops starts n no-op workflows and returns their ids.
func (e *env) startNoops(n int, prefix string) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), i)
		if _, err := e.tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: ids[i], TaskQueue: bareQueue}, "Noop"); err != nil {
			panic(err)
		}
	}
	return ids
}

// bareUpdate is one update on a no-op workflow, waiting for its completion.
func (e *env) bareUpdate(id string, n int) error {
	h, err := e.tc.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: "noop", Args: []any{n}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var out int
	return h.Get(context.Background(), &out)
}

// bareCreate starts a no-op workflow with its first update (update-with-start),
// as a motion is created.
func (e *env) bareCreate(id string) error {
	start := e.tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: bareQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, "Noop")
	h, err := e.tc.UpdateWithStartWorkflow(context.Background(), client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: "noop", Args: []any{1}, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return err
	}
	var out int
	return h.Get(context.Background(), &out)
}

// call sends an API request and decodes a JSON answer into out (if not nil).
func (e *env) call(method, path, token string, body any, out any, headers ...string) (int, error) {
	return e.callAt(e.url, method, path, token, body, out, headers...)
}

// callAt is call against the API at base.
func (e *env) callAt(base, method, path, token string, body any, out any, headers ...string) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		return res.StatusCode, json.Unmarshal(b, out)
	}
	return res.StatusCode, nil
}

// draft creates a draft as SPD over HTTP and returns its id.
func (e *env) draft(title string) (string, error) {
	var m motion.Motion
	_, err := e.call("POST", "/v1/motions", e.spd, map[string]any{
		"body_id": bodyID, "kind": "motion", "title": title,
		"resolution_points": []string{"Die Verwaltung wird beauftragt, ein Konzept vorzulegen."},
	}, &m)
	return m.ID, err
}

// command posts a command with If-Match and returns the new version.
func (e *env) command(token, id string, cmd motion.CommandName, version int64, body any) (int64, error) {
	var m motion.Motion
	path := "/v1/motions/" + id + "/" + string(api.CommandPath(cmd)[len("/v1/motions/{id}/"):])
	_, err := e.call("POST", path, token, body, &m, "If-Match", strconv.Quote(strconv.FormatInt(version, 10)))
	return m.Version, err
}

// stats are the latencies of one series.
type stats struct {
	lat  []time.Duration
	wall time.Duration
}

func (s stats) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	l := slices.Clone(s.lat)
	slices.Sort(l)
	i := int(math.Ceil(p/100*float64(len(l)))) - 1
	return l[max(0, min(i, len(l)-1))]
}

func (s stats) opsPerSec() float64 {
	if s.wall <= 0 {
		return 0
	}
	return float64(len(s.lat)) / s.wall.Seconds()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report sets the benchmark's metrics: the scenario's, the bare update's and
// their ratios.
func report(b *testing.B, s, bare stats) {
	b.ReportMetric(ms(s.pct(50)), "p50-ms")
	b.ReportMetric(ms(s.pct(90)), "p90-ms")
	b.ReportMetric(ms(s.pct(99)), "p99-ms")
	b.ReportMetric(s.opsPerSec(), "ops/s")
	if len(bare.lat) > 0 {
		b.ReportMetric(ms(bare.pct(50)), "bare-p50-ms")
		b.ReportMetric(ms(bare.pct(99)), "bare-p99-ms")
		b.ReportMetric(bare.opsPerSec(), "bare-ops/s")
		if bare.pct(50) > 0 {
			b.ReportMetric(float64(s.pct(50))/float64(bare.pct(50)), "p50-x-bare")
		}
		if bare.opsPerSec() > 0 {
			b.ReportMetric(s.opsPerSec()/bare.opsPerSec(), "ops-x-bare")
		}
	}
	b.ReportMetric(0, "ns/op") // the latencies above say it better
}

// run performs n operations with conc goroutines; op(worker, i) does the
// i-th. It returns each latency and the wall time.
func run(n, conc int, op func(w, i int) error) (stats, error) {
	lat := make([]time.Duration, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	start := time.Now()
	for w := range conc {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				err := op(w, i)
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return stats{lat: lat, wall: time.Since(start)}, first
}

func activityOptions(name string) activity.RegisterOptions {
	return activity.RegisterOptions{Name: name, DisableAlreadyRegisteredCheck: true}
}

// paired runs n bare operations and n scenario operations with conc
// goroutines in alternating rounds, so that both series see the same load on
// a shared machine.
func paired(n, conc, rounds int, bare, scen func(w, i int) error) (stats, stats, error) {
	var sb, ss stats
	rounds = max(1, min(rounds, n))
	done := 0
	for r := range rounds {
		k := (n - done) / (rounds - r)
		off := done
		b, err := run(k, conc, func(w, i int) error { return bare(w, off+i) })
		if err != nil {
			return sb, ss, err
		}
		s, err := run(k, conc, func(w, i int) error { return scen(w, off+i) })
		if err != nil {
			return sb, ss, err
		}
		sb.lat, sb.wall = append(sb.lat, b.lat...), sb.wall+b.wall
		ss.lat, ss.wall = append(ss.lat, s.lat...), ss.wall+s.wall
		done += k
	}
	return ss, sb, nil
}

// envInt reads a scale knob.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func nanos() int64 { return time.Now().UnixNano() }
