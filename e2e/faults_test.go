//go:build faults

// Fault tests: `make faults` (go test -tags faults -run TestFault ./e2e).
// Each drives real transitions through the HTTP API while a fault is
// injected into a real process — the worker or the API runs as a child
// process of this test binary and is killed with SIGKILL; the embedded
// Temporal server (SQLite file) is stopped and started again; a PostgreSQL
// instance of the test's own is stopped for 30 seconds — and then checks that
// no transition was lost or applied twice, that the read model equals every
// workflow's state, and, where deadlines are armed, that each fired once.
// docs/RELIABILITY.md describes each fault and its result.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// The child processes: this test binary started again with faultRole set.
const (
	faultRole        = "MOTIONFLOW_FAULT_ROLE" // "worker" or "api"
	faultHost        = "MOTIONFLOW_FAULT_TEMPORAL"
	faultDSN         = "MOTIONFLOW_FAULT_DSN"
	faultAddr        = "MOTIONFLOW_FAULT_ADDR"
	faultIssuer      = "MOTIONFLOW_FAULT_ISSUER"
	faultCrashEvery  = "MOTIONFLOW_FAULT_CRASH_EVERY" // the worker kills itself in every n-th Project
	faultActivityTTL = 3 * time.Second                // activity attempt timeout in the fault workers
)

func TestMain(m *testing.M) {
	switch os.Getenv(faultRole) {
	case "worker":
		runFaultWorker()
	case "api":
		runFaultAPI()
	default:
		os.Exit(m.Run())
	}
}

// runFaultWorker is a motion worker process. With faultCrashEvery=n it
// kills itself (SIGKILL) in every n-th Project activity, alternately before
// and after the projection was committed.
func runFaultWorker() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	tc, err := client.Dial(client.Options{HostPort: os.Getenv(faultHost), Namespace: devstack.Namespace, Logger: tlog.NewStructuredLogger(log)})
	if err != nil {
		panic(err)
	}
	st, err := store.Open(context.Background(), os.Getenv(faultDSN))
	if err != nil {
		panic(err)
	}
	w := worker.New(tc, workflows.TaskQueue, worker.Options{})
	// A short activity timeout: an attempt lost with a killed worker is
	// retried after it, not after the production default of 30 s.
	workflows.Register(w, workflows.Options{ActivityTimeout: faultActivityTTL})
	acts := &activities.Activities{Store: st}
	acts.Register(w)
	if every, _ := strconv.Atoi(os.Getenv(faultCrashEvery)); every > 0 {
		var n atomic.Int64
		w.RegisterActivityWithOptions(func(ctx context.Context, in workflows.ProjectInput) error {
			k := n.Add(1)
			if k%int64(every) == 0 {
				if (k/int64(every))%2 == 0 {
					_ = acts.Project(ctx, in) // committed, but the activity never completes
				}
				fmt.Fprintf(os.Stderr, "fault worker: killed during Project of %s v%d\n", in.Motion.ID, in.Motion.Version)
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
			return acts.Project(ctx, in)
		}, activity.RegisterOptions{Name: workflows.ActivityProject, DisableAlreadyRegisteredCheck: true})
	}
	if err := w.Run(worker.InterruptCh()); err != nil {
		panic(err)
	}
}

// runFaultAPI is an API process on faultAddr.
func runFaultAPI() {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	tc, err := client.Dial(client.Options{HostPort: os.Getenv(faultHost), Namespace: devstack.Namespace, Logger: tlog.NewStructuredLogger(log)})
	if err != nil {
		panic(err)
	}
	st, err := store.Open(ctx, os.Getenv(faultDSN))
	if err != nil {
		panic(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{IssuerURL: os.Getenv(faultIssuer), Audience: authtest.DefaultAudience})
	if err != nil {
		panic(err)
	}
	h, _ := api.New(api.Config{RequestTimeout: time.Minute}, api.Deps{Motions: &workflows.Client{Temporal: tc}, Auth: verifier, Store: st, Logger: log})
	ln, err := net.Listen("tcp", os.Getenv(faultAddr))
	if err != nil {
		panic(err)
	}
	fmt.Println("listening")
	panic(http.Serve(ln, h))
}

// proc supervises a child process: it starts it again whenever it exits
// until stopped; kill sends SIGKILL.
type faultProc struct {
	t    *testing.T
	role string
	env  []string

	mu       sync.Mutex
	cmd      *exec.Cmd
	stopping bool
	starts   int
	kills    int
	done     chan struct{}
}

func startFaultProc(t *testing.T, role string, env ...string) *faultProc {
	p := &faultProc{t: t, role: role, env: env, done: make(chan struct{})}
	p.start()
	go p.supervise()
	t.Cleanup(p.stop)
	return p
}

func (p *faultProc) start() {
	exe, err := os.Executable()
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{faultRole + "=" + p.role}, p.env...)...)
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.role, err)
	}
	if p.role == "api" { // wait until it listens
		sc := bufio.NewScanner(out)
		for sc.Scan() && sc.Text() != "listening" {
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	p.mu.Lock()
	p.cmd = cmd
	p.starts++
	p.mu.Unlock()
}

func (p *faultProc) supervise() {
	defer close(p.done)
	for {
		p.mu.Lock()
		cmd := p.cmd
		p.mu.Unlock()
		_ = cmd.Wait()
		p.mu.Lock()
		stopping := p.stopping
		p.mu.Unlock()
		if stopping {
			return
		}
		time.Sleep(200 * time.Millisecond)
		p.start()
	}
}

// kill kills the running process with SIGKILL; the supervisor restarts it.
func (p *faultProc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		p.kills++
	}
}

func (p *faultProc) stop() {
	p.mu.Lock()
	if p.stopping {
		p.mu.Unlock()
		return
	}
	p.stopping = true
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
	p.mu.Unlock()
	<-p.done
}

func (p *faultProc) killed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kills
}

func (p *faultProc) restarts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.starts - 1
}

// faultSystem is motionflow with its parts in separate, breakable pieces.
type faultSystem struct {
	t        *testing.T
	dsn      string
	st       *store.Store
	temporal *devstack.Temporal
	dbFile   string
	port     int // Temporal's frontend; 0 until the first start picks it
	tc       client.Client
	iss      *authtest.Issuer
	url      string // the API
	http     *http.Client
	spd      user
	office   user
	worker   *faultProc
	api      *faultProc
	// engine is the production engine of deploy/engine (faultOptions.engine);
	// temporal is nil then.
	engine *faultEngine
}

// hostPort is the Temporal frontend in use.
func (fs *faultSystem) hostPort() string {
	if fs.engine != nil {
		return engineHostPort
	}
	return fs.temporal.HostPort
}

type faultOptions struct {
	crashEvery int  // the worker kills itself in every n-th Project
	apiProcess bool // the API runs as a child process (else in this process)
	engine     bool // Temporal is the production engine of deploy/engine (faults_engine_test.go)
}

func newFaultSystem(t *testing.T, dsn string, o faultOptions) *faultSystem {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fs := &faultSystem{t: t, dsn: dsn, dbFile: filepath.Join(t.TempDir(), "temporal.db")}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	fs.st = st
	if _, err := st.UpsertBody(ctx, store.Body{ID: bodyID, Name: "Stadt Mannheim", ReferencePrefix: "A"}); err != nil {
		t.Fatal(err)
	}
	for _, org := range []store.Organization{
		{ID: factionSPD, BodyID: bodyID, Kind: store.OrgFaction, Name: "SPD"},
		{ID: department, BodyID: bodyID, Kind: store.OrgDepartment, Name: "Dezernat I"},
		{ID: council, BodyID: bodyID, Kind: store.OrgCouncil, Name: "Gemeinderat"},
	} {
		if _, err := st.CreateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	if o.engine {
		fs.startEngine()
	} else {
		fs.startTemporal()
		t.Cleanup(func() { fs.temporal.Stop() })
	}
	// Building and starting the engine takes minutes on a machine with a
	// cold module cache; what follows gets its own time, or the issuer's
	// discovery below fails on a deadline the build used up.
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	env := []string{faultHost + "=" + fs.hostPort(), faultDSN + "=" + dsn}
	if o.crashEvery > 0 {
		env = append(env, faultCrashEvery+"="+strconv.Itoa(o.crashEvery))
	}
	fs.worker = startFaultProc(t, "worker", env...)

	fs.iss = authtest.NewIssuer(t)
	fs.http = &http.Client{Timeout: 30 * time.Second}
	if o.apiProcess {
		addr := freeAddr(t)
		fs.api = startFaultProc(t, "api", faultHost+"="+fs.hostPort(), faultDSN+"="+dsn, faultAddr+"="+addr, faultIssuer+"="+fs.iss.URL())
		fs.url = "http://" + addr
	} else {
		verifier, err := auth.NewVerifier(ctx, fs.iss.Config())
		if err != nil {
			t.Fatal(err)
		}
		apiClient, err := client.DialContext(ctx, client.Options{HostPort: fs.hostPort(), Namespace: devstack.Namespace, Logger: tlog.NewStructuredLogger(faultQuietLog)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(apiClient.Close)
		h, _ := api.New(api.Config{RequestTimeout: 2 * time.Minute}, api.Deps{Motions: &workflows.Client{Temporal: apiClient}, Auth: verifier, Store: st})
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		fs.url = srv.URL
	}
	groups := func(g ...string) []string { return append(g, "body:"+bodyID) }
	fs.spd = user{Subject: "spd-staff", Role: motion.RoleFactionStaff,
		token: fs.iss.Token(t, authtest.Claims{Subject: "spd-staff", Name: "SPD", Groups: groups("role:faction_staff", "faction:"+factionSPD), Expiry: 2 * time.Hour})}
	fs.office = user{Subject: "ratsbuero", Role: motion.RoleCouncilOffice,
		token: fs.iss.Token(t, authtest.Claims{Subject: "ratsbuero", Name: "Ratsbüro", Groups: groups("role:council_office"), Expiry: 2 * time.Hour})}
	return fs
}

var faultQuietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func (fs *faultSystem) startTemporal() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{DBFile: fs.dbFile, Port: fs.port, UIPort: -1})
	if err != nil {
		fs.t.Fatalf("start Temporal: %v", err)
	}
	fs.port = hostPortPort(fs.t, tmp.HostPort) // the first start picks it, restarts keep it
	if fs.tc == nil {
		tc, err := client.DialContext(ctx, client.Options{HostPort: tmp.HostPort, Namespace: tmp.Namespace, Logger: tlog.NewStructuredLogger(faultQuietLog)})
		if err != nil {
			fs.t.Fatal(err)
		}
		fs.t.Cleanup(tc.Close)
		fs.tc = tc
	}
	fs.temporal = tmp
}

// send posts a request until it gets an answer that is not a failure of the
// system (network error, 5xx, 499): each retry carries the same
// Idempotency-Key. It returns the final status and body, and the retries.
func (fs *faultSystem) send(method, path string, u user, body any, key, ifMatch string) (int, []byte, int) {
	b, _ := json.Marshal(body)
	retries := 0
	deadline := time.Now().Add(5 * time.Minute)
	for {
		req, _ := http.NewRequest(method, fs.url+path, strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+u.token)
		req.Header.Set("Idempotency-Key", key)
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		res, err := fs.http.Do(req)
		if err == nil {
			out, rerr := io.ReadAll(res.Body)
			res.Body.Close()
			if rerr == nil && res.StatusCode < 500 && res.StatusCode != 499 {
				return res.StatusCode, out, retries
			}
		}
		if time.Now().After(deadline) {
			fs.t.Fatalf("%s %s: no answer within 5 minutes (%d retries, last error %v)", method, path, retries, err)
		}
		retries++
		time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
	}
}

// workload is motions × steps edits, each with its own Idempotency-Key.
type faultLoad struct {
	motions, steps, conc int
	ids                  []string
	retries              atomic.Int64
}

// faultWorkload reads its size from MOTIONFLOW_FAULT_MOTIONS (40) and
// MOTIONFLOW_FAULT_STEPS (25): 1,000 transitions.
func faultWorkload() *faultLoad {
	n := func(name string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
			return v
		}
		return def
	}
	return &faultLoad{motions: n("MOTIONFLOW_FAULT_MOTIONS", 40), steps: n("MOTIONFLOW_FAULT_STEPS", 25), conc: 16}
}

// create makes the drafts (each create has an Idempotency-Key too).
func (fs *faultSystem) create(w *faultLoad, tag string) {
	w.ids = make([]string, w.motions)
	parallel(fs.t, w.motions, w.conc, func(i int) {
		status, body, retries := fs.send("POST", "/v1/motions", fs.spd, map[string]any{
			"body_id": bodyID, "kind": "motion", "title": fmt.Sprintf("Antrag %s %d", tag, i),
			"resolution_points": []string{"Die Verwaltung wird beauftragt."},
		}, fmt.Sprintf("%s-create-%d", tag, i), "")
		w.retries.Add(int64(retries))
		if status != http.StatusCreated {
			fs.t.Errorf("create %d: %d %s", i, status, body)
			return
		}
		var m motion.Motion
		_ = json.Unmarshal(body, &m)
		w.ids[i] = m.ID
	})
	if fs.t.Failed() {
		fs.t.FailNow()
	}
}

// drive runs the edits: step k of a motion expects version k and sets the
// title "… Fassung k". A retry of a step that was applied but whose answer
// was lost is answered from the deduplication, with the version after it.
func (fs *faultSystem) drive(w *faultLoad, tag string) {
	parallel(fs.t, w.motions, w.conc, func(i int) {
		id := w.ids[i]
		for k := 1; k <= w.steps; k++ {
			status, body, retries := fs.send("POST", "/v1/motions/"+id+"/edit", fs.spd, map[string]any{
				"title": fmt.Sprintf("Antrag %s %d, Fassung %d", tag, i, k), "resolution_points": []string{"Die Verwaltung wird beauftragt."},
			}, fmt.Sprintf("%s-%d-edit-%d", tag, i, k), etag(int64(k)))
			w.retries.Add(int64(retries))
			if status != http.StatusOK {
				fs.t.Errorf("%s step %d: %d %s", id, k, status, body)
				return
			}
			var m motion.Motion
			_ = json.Unmarshal(body, &m)
			if m.Version != int64(k+1) {
				fs.t.Errorf("%s step %d answered version %d, want %d", id, k, m.Version, k+1)
				return
			}
		}
	})
}

// verify checks every motion of the workload: the workflow's state has the
// version 1 + steps and the last title; the read model holds exactly that
// state; the audit trail has one event per version, each step's edit once
// and in order.
func (fs *faultSystem) verify(w *faultLoad, tag string) {
	t := fs.t
	ctx := context.Background()
	for i, id := range w.ids {
		var wf motion.Motion
		waitFor(t, 2*time.Minute, "workflow state of "+id, func() bool {
			v, err := fs.tc.QueryWorkflow(ctx, workflows.WorkflowID(id), "", workflows.QueryState)
			return err == nil && v.Get(&wf) == nil
		})
		want := int64(1 + w.steps)
		if wf.Version != want {
			t.Errorf("%s: workflow at version %d, want %d (lost or duplicated transitions)", id, wf.Version, want)
		}
		if title := fmt.Sprintf("Antrag %s %d, Fassung %d", tag, i, w.steps); wf.Title != title {
			t.Errorf("%s: workflow title %q, want %q", id, wf.Title, title)
		}
		rm, err := fs.st.Motion(ctx, id)
		if err != nil {
			t.Errorf("%s: read model: %v", id, err)
			continue
		}
		a, _ := json.Marshal(wf)
		b, _ := json.Marshal(rm)
		if string(a) != string(b) {
			t.Errorf("%s: read model differs from the workflow\nworkflow %s\nread     %s", id, a, b)
		}
		evs, err := fs.st.History(ctx, id)
		if err != nil {
			t.Errorf("%s: history: %v", id, err)
			continue
		}
		if len(evs) != int(want) {
			t.Errorf("%s: %d events in the audit trail, want %d", id, len(evs), want)
		}
		reqs := map[string]bool{}
		for j, ev := range evs {
			if ev.Version != int64(j+1) {
				t.Errorf("%s: event %d has version %d", id, j, ev.Version)
			}
			if reqs[ev.RequestID] {
				t.Errorf("%s: request %s recorded twice", id, ev.RequestID)
			}
			reqs[ev.RequestID] = true
			if j > 0 && !strings.Contains(string(ev.Data), fmt.Sprintf("Fassung %d\"", j)) {
				t.Errorf("%s: event %d is not step %d: %s", id, j+1, j, ev.Data)
			}
		}
	}
}

// TestFaultLostWakeUp is the regression test of a defect these tests found
// (no fault injected): a command applied while the motion's deadline loop
// waited for one of its activities (here: ProjectDeadlines after the
// submission) did not wake the loop, because the loop cleared its wake flag
// after recomputing instead of before, so a deadline set by hand right after
// submitting was neither projected nor armed until the next command. Fixed
// in workflows/workflow.go (the flag is cleared first, behind
// workflow.GetVersion "clear-wake-before-deadlines").
func TestFaultLostWakeUp(t *testing.T) {
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{})
	ctx := context.Background()
	rules := motion.DefaultDeadlineRules()
	rules.Offsets = []motion.Duration{0}
	rules.Escalation, rules.EscalationMax = 0, 0
	if _, err := fs.st.SetDeadlineRules(ctx, bodyID, rules); err != nil {
		t.Fatal(err)
	}
	w := &faultLoad{motions: 5, conc: 5}
	fs.create(w, "wake")
	due := time.Now().Add(20 * time.Second).Truncate(time.Second)
	parallel(t, w.motions, w.conc, func(i int) {
		id := w.ids[i]
		if s, b, _ := fs.send("POST", "/v1/motions/"+id+"/submit", fs.spd, nil, "wake-submit-"+id, etag(1)); s != 200 {
			t.Errorf("submit %s: %d %s", id, s, b)
			return
		}
		if s, b, _ := fs.send("POST", "/v1/motions/"+id+"/set-deadline", fs.office, map[string]any{
			"key": "stale_motion", "due": due.Format(time.RFC3339), "reason": "sofort"}, "wake-deadline-"+id, etag(2)); s != 200 {
			t.Errorf("set-deadline %s: %d %s", id, s, b)
		}
	})
	for _, id := range w.ids {
		arrived := func() bool { ds, err := fs.st.Reminders(ctx, id); return err == nil && len(ds) > 0 }
		for deadline := due.Add(time.Minute); !arrived() && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
		}
		if !arrived() {
			t.Errorf("%s: the deadline set right after submitting never fired; history:\n%s", id, fs.historyOf(id))
		}
	}
}

// historyOf lists a workflow's events, for failure messages.
func (fs *faultSystem) historyOf(id string) string {
	var b strings.Builder
	it := fs.tc.GetWorkflowHistory(context.Background(), workflows.WorkflowID(id), "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			break
		}
		fmt.Fprintf(&b, "%s %s", ev.GetEventTime().AsTime().Format("15:04:05.000"), ev.GetEventType())
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			fmt.Fprintf(&b, " %s", a.GetActivityType().GetName())
		}
		if a := ev.GetTimerStartedEventAttributes(); a != nil {
			fmt.Fprintf(&b, " %v", a.GetStartToFireTimeout().AsDuration())
		}
		if a := ev.GetActivityTaskFailedEventAttributes(); a != nil {
			fmt.Fprintf(&b, " %s", a.GetFailure().GetMessage())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// transitions is the number of transitions the workload makes.
func (w *faultLoad) transitions() int { return w.motions * (1 + w.steps) }

// TestFaultWorkerKilledDuringProjection: the worker process kills itself in
// every 40th Project activity — alternately before the projection is written
// and after it was committed but before the activity completes — and is
// started again each time.
func TestFaultWorkerKilledDuringProjection(t *testing.T) {
	start := time.Now()
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{crashEvery: 40})
	w := faultWorkload()
	fs.create(w, "proj")
	fs.drive(w, "proj")
	fs.verify(w, "proj")
	if fs.worker.restarts() == 0 {
		t.Error("the worker was never killed")
	}
	t.Logf("%d transitions, worker killed during Project %d times, %d client retries, %v",
		w.transitions(), fs.worker.restarts(), w.retries.Load(), time.Since(start).Round(time.Second))
}

// TestFaultWorkerKilledDuringUpdate: while 16 clients send transitions, the
// worker process is killed with SIGKILL every 2 to 4 seconds (mid-update:
// in a workflow task, in the Project activity or between them) and started
// again.
func TestFaultWorkerKilledDuringUpdate(t *testing.T) {
	start := time.Now()
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{})
	w := faultWorkload()
	fs.create(w, "upd")
	stop := fs.killEvery(fs.worker, 2*time.Second, 4*time.Second)
	fs.drive(w, "upd")
	stop()
	fs.verify(w, "upd")
	if fs.worker.killed() == 0 {
		t.Error("the worker was never killed")
	}
	t.Logf("%d transitions, worker killed %d times, %d client retries, %v",
		w.transitions(), fs.worker.killed(), w.retries.Load(), time.Since(start).Round(time.Second))
}

// killEvery kills p at random intervals until the returned stop is called.
func (fs *faultSystem) killEvery(p *faultProc, lo, hi time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(lo + time.Duration(rand.Int64N(int64(hi-lo)))):
				p.kill()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// TestFaultAPIKilledMidRequest: the API runs as its own process and is
// killed with SIGKILL every 1 to 3 seconds while clients create motions and
// send transitions; a client that loses its answer retries with the same
// Idempotency-Key until it gets one. Creates are retried the same way.
func TestFaultAPIKilledMidRequest(t *testing.T) {
	start := time.Now()
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{apiProcess: true})
	w := faultWorkload()
	stop := fs.killEvery(fs.api, time.Second, 3*time.Second)
	fs.create(w, "api")
	fs.drive(w, "api")
	stop()
	// The retried creates made exactly one motion each.
	items, _, err := fs.st.Motions(context.Background(), store.MotionFilter{Viewer: motion.Actor{Subject: "spd-staff",
		Roles: []motion.Role{motion.RoleFactionStaff}, Faction: factionSPD, Bodies: []string{bodyID}}, Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != w.motions {
		t.Errorf("%d motions in the read model, want %d (a retried create made another)", len(items), w.motions)
	}
	fs.verify(w, "api")
	if fs.api.killed() == 0 {
		t.Error("the API was never killed")
	}
	t.Logf("%d transitions, API killed %d times, %d client retries, %v",
		w.transitions(), fs.api.killed(), w.retries.Load(), time.Since(start).Round(time.Second))
}

// TestFaultTemporalRestart: motions with deadlines armed to fall due just
// after a restart, and transitions in flight, when the embedded Temporal
// server (SQLite file) is stopped and started again twice. Every
// transition arrives once and every deadline's reminder is sent once.
func TestFaultTemporalRestart(t *testing.T) {
	start := time.Now()
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{})
	ctx := context.Background()
	rules := motion.DefaultDeadlineRules()
	rules.Offsets = []motion.Duration{0}
	rules.Escalation, rules.EscalationMax = 0, 0
	if _, err := fs.st.SetDeadlineRules(ctx, bodyID, rules); err != nil {
		t.Fatal(err)
	}
	w := faultWorkload()
	fs.create(w, "srv")

	// Motions with armed deadlines: submitted, a deadline set by hand.
	armed := &faultLoad{motions: max(10, w.motions/2), steps: 0, conc: 16}
	fs.create(armed, "armed")
	due := time.Now().Add(40 * time.Second).Truncate(time.Second)
	parallel(t, armed.motions, armed.conc, func(i int) {
		id := armed.ids[i]
		if s, b, _ := fs.send("POST", "/v1/motions/"+id+"/submit", fs.spd, nil, "armed-submit-"+id, etag(1)); s != 200 {
			t.Errorf("submit %s: %d %s", id, s, b)
			return
		}
		if s, b, _ := fs.send("POST", "/v1/motions/"+id+"/set-deadline", fs.office, map[string]any{
			"key": "stale_motion", "due": due.Format(time.RFC3339), "reason": "Fehlertest"}, "armed-deadline-"+id, etag(2)); s != 200 {
			t.Errorf("set-deadline %s: %d %s", id, s, b)
		}
	})
	if time.Now().After(due.Add(-10 * time.Second)) {
		t.Fatalf("arming the deadlines took too long")
	}

	// Restart the server twice while the transitions run; the first
	// restart spans the deadlines' due time.
	var restarts int
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, at := range []time.Time{due.Add(-5 * time.Second), due.Add(20 * time.Second)} {
			time.Sleep(time.Until(at))
			fs.temporal.Stop()
			time.Sleep(8 * time.Second)
			fs.startTemporal()
			restarts++
		}
	})
	fs.drive(w, "srv")
	wg.Wait()
	fs.verify(w, "srv")

	// Every armed deadline fired exactly once: one Notify in the
	// workflow's history, its deliveries recorded as sent once.
	for _, id := range armed.ids {
		var got []store.Delivery
		arrived := func() bool {
			ds, err := fs.st.Reminders(ctx, id)
			got = ds
			return err == nil && len(ds) > 0 && !slices.ContainsFunc(ds, func(d store.Delivery) bool { return d.Status != store.DeliverySent })
		}
		for deadline := time.Now().Add(2 * time.Minute); !arrived() && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
		}
		if !arrived() {
			t.Fatalf("%s: the reminder due %v did not arrive (deliveries %+v); history:\n%s", id, due, got, fs.historyOf(id))
		}
		for _, d := range got {
			if !strings.HasPrefix(d.ReminderKey, "stale_motion@") {
				t.Errorf("%s: unexpected delivery %s to %s", id, d.ReminderKey, d.Recipient)
			}
		}
		notifies := 0
		it := fs.tc.GetWorkflowHistory(ctx, workflows.WorkflowID(id), "", false, 0)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == workflows.ActivityNotify {
				notifies++
			}
		}
		if notifies != 1 {
			t.Errorf("%s: the deadline's reminder was handed to Notify %d times, want once", id, notifies)
		}
	}
	t.Logf("%d transitions and %d armed deadlines across %d server restarts, %d client retries, %v",
		w.transitions()+3*armed.motions, armed.motions, restarts, w.retries.Load(), time.Since(start).Round(time.Second))
}

// TestFaultPostgresDown: the read model's PostgreSQL (an instance of the
// test's own, started with pg_ctl in a temporary directory as user postgres
// on a free port) is stopped for 30 seconds while transitions continue.
// Commands wait for the projection, which retries until the database is
// back; nothing is lost.
func TestFaultPostgresDown(t *testing.T) {
	start := time.Now()
	pg := startFaultPostgres(t)
	t.Setenv("TEST_DATABASE_URL", pg.url)
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{})
	w := faultWorkload()
	fs.create(w, "pg")
	var wg sync.WaitGroup
	var down time.Duration
	wg.Go(func() {
		time.Sleep(5 * time.Second)
		t0 := time.Now()
		pg.ctl("stop", "-m", "immediate")
		time.Sleep(30 * time.Second)
		pg.ctl("start")
		down = time.Since(t0)
	})
	fs.drive(w, "pg")
	wg.Wait()
	fs.verify(w, "pg")
	t.Logf("%d transitions, PostgreSQL down for %v, %d client retries, %v",
		w.transitions(), down.Round(time.Second), w.retries.Load(), time.Since(start).Round(time.Second))
}

// ownPostgres is a PostgreSQL server of the test's own.
type faultPostgres struct {
	t        *testing.T
	dir, url string
	port     int
	ctlCmd   func(args ...string) *exec.Cmd
}

func startFaultPostgres(t *testing.T) *faultPostgres {
	t.Helper()
	bin := ""
	for _, v := range []string{"17", "16", "15", "14"} {
		if _, err := os.Stat("/usr/lib/postgresql/" + v + "/bin/pg_ctl"); err == nil {
			bin = "/usr/lib/postgresql/" + v + "/bin"
			break
		}
	}
	if bin == "" {
		t.Skip("no PostgreSQL server binaries under /usr/lib/postgresql: cannot run an instance of the test's own")
	}
	dir, err := os.MkdirTemp("", "motionflow-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	port := hostPortPort(t, freeAddr(t))
	pg := &faultPostgres{t: t, dir: dir, port: port, url: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)}
	asPostgres := func(name string, args ...string) *exec.Cmd {
		if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
			if err := os.Chown(dir, faultPostgresUID(t), -1); err != nil {
				t.Fatal(err)
			}
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...)
		}
		return exec.Command(filepath.Join(bin, name), args...)
	}
	if out, err := asPostgres("initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	pg.ctlCmd = func(args ...string) *exec.Cmd { return asPostgres("pg_ctl", args...) }
	pg.ctl("start")
	t.Cleanup(func() { _ = pg.ctlCmd("-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop").Run() })
	return pg
}

// ctl runs pg_ctl with the instance's options.
func (pg *faultPostgres) ctl(action string, args ...string) {
	pg.t.Helper()
	all := append([]string{"-D", filepath.Join(pg.dir, "data"), "-w", "-l", filepath.Join(pg.dir, "log")}, args...)
	if action == "start" {
		all = append(all, "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", pg.port, pg.dir))
	}
	all = append(all, action)
	if out, err := pg.ctlCmd(all...).CombinedOutput(); err != nil {
		pg.t.Fatalf("pg_ctl %s: %v\n%s", action, err, out)
	}
}

func faultPostgresUID(t *testing.T) int {
	out, err := exec.Command("id", "-u", "postgres").Output()
	if err != nil {
		t.Skip("no user postgres to run a PostgreSQL instance as")
	}
	uid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return uid
}
