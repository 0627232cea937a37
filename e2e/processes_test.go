package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store/storetest"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestServeAndWorkersAsProcesses runs motionflow the way production does:
// the production binary (-tags nodev, no embedded server) as one `serve`
// and two `worker` processes, against a Temporal server in another process
// (the test's own, started with devstack), a PostgreSQL database and an
// OIDC issuer. Motions go from draft to outcome over HTTP while one worker
// is killed with SIGKILL; nothing is lost: every motion reaches its outcome
// with a gapless audit trail and gapless reference numbers. The start-up
// checks refuse a missing namespace, missing search attributes and an
// unmigrated database with errors that say how to fix them; /metrics and the
// JSON logs carry what operations needs; SIGTERM stops serve and worker
// cleanly.
func TestServeAndWorkersAsProcesses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin := buildProduction(t)

	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{UIPort: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tmp.Stop)
	dsn := storetest.NewDatabase(t)
	iss := authtest.NewIssuer(t)
	baseEnv := []string{
		"DATABASE_URL=" + dsn,
		"TEMPORAL_ADDRESS=" + tmp.HostPort,
		"TEMPORAL_NAMESPACE=" + tmp.Namespace,
		"OIDC_ISSUER=" + iss.URL(),
		"OIDC_AUDIENCE=" + authtest.DefaultAudience,
		"MOTIONFLOW_SHUTDOWN_TIMEOUT=20s",
	}

	t.Run("start-up checks", func(t *testing.T) {
		checkStartupRefusals(ctx, t, bin, baseEnv, tmp)
	})

	serveAddr := freeAddr(t)
	serve := startProcess(ctx, t, bin, "serve", append(baseEnv, "MOTIONFLOW_ADDR="+serveAddr, "MOTIONFLOW_METRICS_ADDR="+freeAddr(t)))
	workerA := startProcess(ctx, t, bin, "worker", append(baseEnv, "MOTIONFLOW_METRICS_ADDR="+freeAddr(t)))
	workerB := startProcess(ctx, t, bin, "worker", append(baseEnv, "MOTIONFLOW_METRICS_ADDR="+freeAddr(t)))
	api := "http://" + serveAddr
	for _, p := range []*process{serve, workerA, workerB} {
		p.awaitReady(t)
	}

	// The directory, over HTTP as an operator would set it up.
	h := &harness{t: t, URL: api, Issuer: iss, http: &http.Client{Timeout: 2 * time.Minute}}
	h.SPD = h.user("spd-staff", "Sabine Beispiel (SPD)", motion.RoleFactionStaff, "faction:"+factionSPD)
	h.Office = h.user("ratsbuero", "Rita Ratsbüro", motion.RoleCouncilOffice)
	h.Admin = h.user("admin", "Ada Admin", motion.RoleAdmin)
	h.mustStatus(h.call("PUT", "/v1/bodies/"+bodyID, h.Admin, map[string]any{"name": "Stadt Mannheim"}), 200)
	for _, o := range []map[string]any{
		{"id": factionSPD, "kind": "faction", "name": "SPD-Gemeinderatsfraktion Mannheim"},
		{"id": committee, "kind": "committee", "name": "Hauptausschuss"},
		{"id": council, "kind": "council", "name": "Gemeinderat"},
	} {
		h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/organizations", h.Office, o), 201)
	}
	// Both meetings have been held, so that their results can be recorded;
	// the council office schedules into them after the fact, with a reason.
	start := time.Now().AddDate(0, 0, -14).Truncate(time.Hour)
	h.meeting("p-ha", committee, "Sitzung des Hauptausschusses", start)
	h.meeting("p-gr", council, "Sitzung des Gemeinderats", start.AddDate(0, 0, 7))

	// Six motions at once, each through eight commands; when a third of all
	// commands are done, worker A dies without a chance to clean up.
	const motions, steps = 6, 8
	var done atomic.Int32
	killed := make(chan struct{})
	var killOnce sync.Once
	progress := func() {
		if done.Add(1) == motions*steps/3 {
			killOnce.Do(func() {
				workerA.requireWorked(t)
				if err := workerA.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Errorf("kill worker A: %v", err)
				}
				close(killed)
			})
		}
	}
	d := &driver{api: api, http: h.http, spd: h.SPD.token, office: h.Office.token}
	ids := make([]string, motions)
	errs := make([]error, motions)
	var wg sync.WaitGroup
	for i := range motions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = d.carry(ctx, i, progress)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("carrying the motions: %v", err)
	}
	select {
	case <-killed:
	default:
		t.Fatal("worker A was never killed")
	}
	if code := workerA.wait(10 * time.Second); code != -1 {
		t.Errorf("worker A exited with %d, want killed by SIGKILL", code)
	}

	// Nothing is lost: every motion has its outcome, every version is in its
	// audit trail once, and the reference numbers have no gap.
	var refs []string
	for _, id := range ids {
		m := h.get(h.Anon, id)
		if m.Status != motion.StatusDecided || m.Outcome == nil || m.Outcome.Result != motion.ResultAdopted || m.Version != steps {
			t.Errorf("motion %s: status %s, outcome %+v, version %d", id, m.Status, m.Outcome, m.Version)
		}
		refs = append(refs, m.Reference)
		hist := h.history(h.Office, id)
		var versions []int64
		for _, e := range hist {
			versions = append(versions, e.Version)
		}
		if want := []int64{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(versions, want) {
			t.Errorf("motion %s: audit trail versions %v, want %v", id, versions, want)
		}
	}
	year := time.Now().Year()
	var want []string
	for i := 1; i <= motions; i++ {
		want = append(want, fmt.Sprintf("A%d/%d", i, year))
	}
	slices.Sort(refs)
	slices.Sort(want)
	if !slices.Equal(refs, want) {
		t.Errorf("reference numbers %v, want %v", refs, want)
	}

	// The metrics name what happened; the logs carry the ids.
	serveMetrics := serve.metrics(t)
	for _, want := range []string{
		`motionflow_transitions_total{command="record_result",result="ok"} 12`,
		`motionflow_transitions_total{command="create",result="ok"} 6`,
		`motionflow_http_requests_total{method="POST",route="/v1/motions/{id}/submit",status="200"} 6`,
		`motionflow_http_request_duration_seconds_bucket{method="POST",route="/v1/motions/{id}/register",le="+Inf"} 6`,
		"temporal_request{",
		"go_goroutines ",
	} {
		if !strings.Contains(serveMetrics, want) {
			t.Errorf("serve /metrics lacks %q", want)
		}
	}
	workerMetrics := workerB.metrics(t)
	for _, want := range []string{
		`motionflow_reminders_total{result="sent"}`,
		`motionflow_reminder_errors_total `,
		"temporal_workflow_task_execution_latency_seconds_count{",
		"temporal_activity_execution_latency_seconds_count{",
	} {
		if !strings.Contains(workerMetrics, want) {
			t.Errorf("worker /metrics lacks %q", want)
		}
	}
	serve.requireLog(t, func(rec map[string]any) bool {
		path, _ := rec["path"].(string)
		return rec["msg"] == "http request" && path == "/v1/motions/"+ids[0]+"/submit" &&
			rec["workflow_id"] == "motion/"+ids[0] && rec["request_id"] != "" && rec["trace_id"] != nil
	}, "an access log line of a submit with request_id, workflow_id and trace_id")
	workerB.requireLog(t, func(rec map[string]any) bool {
		return rec["msg"] == "start-up checks passed"
	}, "the start-up checks passing")

	// SIGTERM: serve drains, the worker stops polling and finishes; both exit 0.
	for _, p := range []*process{serve, workerB} {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*process{serve, workerB} {
		if code := p.wait(40 * time.Second); code != 0 {
			t.Errorf("%s exited with %d after SIGTERM", p.name, code)
		}
	}
}

// checkStartupRefusals runs serve and worker where something they need is
// missing, and expects them to stop at once, saying what and how to fix it.
func checkStartupRefusals(ctx context.Context, t *testing.T, bin string, env []string, tmp *devstack.Temporal) {
	// A namespace without motionflow's search attributes.
	tc, err := client.DialContext(ctx, client.Options{HostPort: tmp.HostPort, Namespace: tmp.Namespace})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if _, err := tc.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: "bare", WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}); err != nil {
		t.Fatalf("register namespace: %v", err)
	}
	for {
		if _, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "bare"}); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("namespace bare did not appear")
		case <-time.After(100 * time.Millisecond):
		}
	}
	empty := emptyDatabase(t)

	cases := []struct {
		name, cmd string
		env       []string
		want      []string
	}{
		{"missing namespace", "worker", []string{"TEMPORAL_NAMESPACE=nope"},
			[]string{`namespace "nope" does not exist`, "temporal operator namespace create --namespace nope"}},
		{"missing search attributes", "worker", []string{"TEMPORAL_NAMESPACE=bare"},
			[]string{`namespace "bare" lacks the search attributes MotionBody, MotionFaction, MotionKind, MotionReference, MotionStatus, MotionVersion`,
				"temporal operator search-attribute create --namespace bare --name MotionBody --type Keyword",
				"--name MotionVersion --type Int"}},
		{"unmigrated database", "serve", []string{"DATABASE_URL=" + empty, "MOTIONFLOW_ADDR=" + freeAddr(t)},
			[]string{"database: store: schema version", "motionflow migrate"}},
		{"Temporal not there", "worker", []string{"TEMPORAL_ADDRESS=" + freeAddr(t)},
			[]string{"TEMPORAL_ADDRESS"}},
	}
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			cmd := exec.CommandContext(cctx, bin, c.cmd)
			cmd.Env = append(append(os.Environ(), env...), c.env...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("%s: %s exited with %v, want 1\n%s", c.name, c.cmd, err, out)
				return
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("%s: output lacks %q:\n%s", c.name, w, out)
				}
			}
		}()
	}
	wg.Wait()
}

// emptyDatabase creates a database without motionflow's schema.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = storetest.DefaultURL
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("motionflow_test_empty_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// buildProduction builds cmd/motionflow with the tags of the Dockerfile
// (not its -trimpath, which would recompile every dependency here).
func buildProduction(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "motionflow")
	cmd := exec.Command("go", "build", "-tags", "nodev", "-o", bin, "./cmd/motionflow")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags nodev: %v\n%s", err, out)
	}
	return bin
}

// process is a running motionflow serve or worker.
type process struct {
	name        string
	cmd         *exec.Cmd
	stderr      *syncBuffer
	metricsAddr string
	addr        string
	done        chan struct{}
	code        int
}

func startProcess(ctx context.Context, t *testing.T, bin, role string, env []string) *process {
	t.Helper()
	p := &process{name: role, stderr: &syncBuffer{}, done: make(chan struct{})}
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "MOTIONFLOW_METRICS_ADDR="); ok {
			p.metricsAddr = v
		}
		if v, ok := strings.CutPrefix(e, "MOTIONFLOW_ADDR="); ok {
			p.addr = v
		}
	}
	p.cmd = exec.CommandContext(ctx, bin, role)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p.stderr
	p.cmd.Stdout = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.name = fmt.Sprintf("%s (pid %d)", role, p.cmd.Process.Pid)
	go func() {
		defer close(p.done)
		err := p.cmd.Wait()
		p.code = 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			p.code = exit.ExitCode()
		} else if err != nil {
			p.code = -2
		}
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s output:\n%s", p.name, p.stderr.String())
		}
	})
	return p
}

// wait waits for the process to end and returns its exit code (-1: killed
// by a signal), or fails when it does not end in time.
func (p *process) wait(d time.Duration) int {
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		return -100
	}
}

// awaitReady waits until the process answers 200 on /readyz (the API's for
// serve, the metrics listener's for a worker).
func (p *process) awaitReady(t *testing.T) {
	t.Helper()
	u := "http://" + p.metricsAddr + "/readyz"
	if p.addr != "" {
		u = "http://" + p.addr + "/readyz"
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("%s exited with %d:\n%s", p.name, p.code, p.stderr.String())
		default:
		}
		if res, err := http.Get(u); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not ready at %s:\n%s", p.name, u, p.stderr.String())
}

// metrics scrapes the process's /metrics.
func (p *process) metrics(t *testing.T) string {
	t.Helper()
	res, err := http.Get("http://" + p.metricsAddr + "/metrics")
	if err != nil {
		t.Fatalf("%s /metrics: %v", p.name, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// requireWorked fails unless the worker has run a task: killing an idle
// worker would prove nothing. It may run on any goroutine.
func (p *process) requireWorked(t *testing.T) {
	res, err := http.Get("http://" + p.metricsAddr + "/metrics")
	if err != nil {
		t.Errorf("%s /metrics: %v", p.name, err)
		return
	}
	defer res.Body.Close()
	m, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(m), "\n") {
		if (strings.HasPrefix(line, "temporal_activity_execution_latency_seconds_count{") ||
			strings.HasPrefix(line, "temporal_workflow_task_execution_latency_seconds_count{")) && !strings.HasSuffix(line, " 0") {
			return
		}
	}
	t.Errorf("%s ran no task before it was killed", p.name)
}

// requireLog fails unless a JSON log line of the process matches.
func (p *process) requireLog(t *testing.T, match func(map[string]any) bool, what string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(p.stderr.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && match(rec) {
			return
		}
	}
	t.Errorf("%s logged no %s", p.name, what)
}

// driver carries motions through the API as a client would, from any
// goroutine: it retries a command that failed with 5xx or a broken
// connection, with the same Idempotency-Key, so that it applies once.
type driver struct {
	api                string
	http               *http.Client
	spd, office        string
	retries, transient atomic.Int32
}

func (d *driver) carry(ctx context.Context, n int, progress func()) (string, error) {
	var m motion.Motion
	if err := d.send(ctx, "/v1/motions", d.spd, fmt.Sprintf("p%d-create", n), 0, map[string]any{
		"body_id": bodyID, "kind": "motion", "title": fmt.Sprintf("Antrag %d: Mehr Bänke am Rheinufer", n),
		"resolution_points": []string{"Die Verwaltung stellt zehn Bänke auf."},
	}, &m); err != nil {
		return "", err
	}
	progress()
	vote := map[string]any{"yes": 10, "no": 4, "abstain": 2}
	for _, s := range []struct {
		cmd   string
		token string
		body  any
	}{
		{"submit", d.spd, nil},
		{"register", d.office, nil},
		{"set-route", d.office, map[string]any{"steps": []map[string]any{{"organization_id": committee}, {"organization_id": council, "decisive": true}}}},
		{"schedule", d.office, map[string]any{"consultation_id": "c1", "meeting_id": "p-ha", "override": "Nacherfassung der Sitzung."}},
		{"record-result", d.office, map[string]any{"consultation_id": "c1", "result": "recommend_approval", "vote": vote}},
		{"schedule", d.office, map[string]any{"consultation_id": "c2", "meeting_id": "p-gr", "override": "Nacherfassung der Sitzung."}},
		{"record-result", d.office, map[string]any{"consultation_id": "c2", "result": "adopted", "vote": vote}},
	} {
		before := m.Version
		if err := d.send(ctx, "/v1/motions/"+m.ID+"/"+s.cmd, s.token, fmt.Sprintf("p%d-%s-%d", n, s.cmd, before), before, s.body, &m); err != nil {
			return m.ID, err
		}
		if m.Version != before+1 {
			return m.ID, fmt.Errorf("motion %d: %s moved version %d to %d", n, s.cmd, before, m.Version)
		}
		progress()
	}
	return m.ID, nil
}

// send posts one command (version > 0: with If-Match) and decodes the motion.
func (d *driver) send(ctx context.Context, path, token, key string, version int64, body any, out *motion.Motion) error {
	buf, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if body == nil {
		buf = []byte("{}")
	}
	var last string
	for attempt := 0; attempt < 10; attempt++ {
		if attempt > 0 {
			d.retries.Add(1)
			time.Sleep(time.Second)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.api+path, bytes.NewReader(buf))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		if version > 0 {
			req.Header.Set("If-Match", etag(version))
		}
		res, err := d.http.Do(req)
		if err != nil {
			last = err.Error()
			continue
		}
		b, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		switch {
		case res.StatusCode == http.StatusOK || res.StatusCode == http.StatusCreated:
			return json.Unmarshal(b, out)
		case res.StatusCode >= 500:
			d.transient.Add(1)
			last = fmt.Sprintf("%d %s", res.StatusCode, b)
			continue
		default:
			return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, b)
		}
	}
	return fmt.Errorf("POST %s: gave up after retries: %s", path, last)
}
