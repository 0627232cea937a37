//go:build faults

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/store/storetest"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// The fault tests on the production engine (issue 17): Temporal v1.32.1 on
// PostgreSQL with 16 history shards, frontend+matching+worker in one process
// and two history processes, built and run by deploy/engine/run.sh (`make
// engine`). Each test sets up a fresh engine (its databases are dropped and
// created again), so that the motion ids of its fresh read model are new to
// Temporal as well.

// engineHostPort is the frontend of deploy/engine/run.sh.
const engineHostPort = "127.0.0.1:7233"

type faultEngine struct {
	t      *testing.T
	script string
}

// run runs the engine script with args and fails the test if it fails.
func (e *faultEngine) run(args ...string) {
	e.t.Helper()
	if out, err := e.cmd(args...).CombinedOutput(); err != nil {
		e.t.Fatalf("deploy/engine/run.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (e *faultEngine) cmd(args ...string) *exec.Cmd {
	return exec.Command("bash", append([]string{e.script}, args...)...)
}

// startEngine builds the engine (a relink when the build cache is warm, nothing
// when the binaries are current), starts a fresh one and dials it. Only when
// the binaries cannot be built is the test skipped — and in CI (CI=true) it
// fails instead.
func (fs *faultSystem) startEngine() {
	t := fs.t
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	e := &faultEngine{t: t, script: filepath.Join(root, "deploy", "engine", "run.sh")}
	if out, err := e.cmd("build").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the engine cannot be built: %v\n%s", err, out)
		}
		t.Skipf("the engine cannot be built (in CI this fails): %v\n%s", err, out)
	}
	e.run("down")
	e.run("schema")
	t.Cleanup(func() { _ = e.cmd("down").Run() })
	e.run("up")
	fs.engine = e
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tc, err := client.DialContext(ctx, client.Options{HostPort: engineHostPort, Namespace: devstack.Namespace, Logger: tlog.NewStructuredLogger(faultQuietLog)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	fs.tc = tc
}

// during runs fault once, after delay, while drive runs; it returns when both
// are done.
func (fs *faultSystem) during(drive func(), delay time.Duration, fault func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(delay)
		fault()
	})
	drive()
	wg.Wait()
}

// TestFaultEngineHistoryKilled: while 16 clients drive motions through
// transitions, history process 1 of the engine is killed with SIGKILL and
// started again 5 seconds later; then the same with history process 2. The
// shards of a killed process move to the other one after its membership
// lapses. Nothing is lost: every motion reaches its version, the read model
// equals the workflow and every event is there once.
func TestFaultEngineHistoryKilled(t *testing.T) {
	start := time.Now()
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{engine: true})
	w := faultWorkload()
	fs.create(w, "hist")
	var stalls []time.Duration
	fs.during(func() { fs.drive(w, "hist") }, 3*time.Second, func() {
		for _, n := range []string{"1", "2"} {
			fs.engine.run("kill-history", n)
			t0 := time.Now()
			time.Sleep(5 * time.Second)
			fs.engine.run("start-history", n)
			stalls = append(stalls, time.Since(t0).Round(time.Millisecond))
			time.Sleep(5 * time.Second)
		}
	})
	fs.verify(w, "hist")
	t.Logf("%d transitions, history processes killed twice (down %v), %d client retries, %v",
		w.transitions(), stalls, w.retries.Load(), time.Since(start).Round(time.Second))
}

// TestFaultEngineFrontendRestart: while 16 clients drive motions through
// transitions, the engine's frontend process (frontend, matching and worker
// services) is stopped and started again. Clients retry with the same
// Idempotency-Key; workers reconnect. Nothing is lost.
func TestFaultEngineFrontendRestart(t *testing.T) {
	start := time.Now()
	fs := newFaultSystem(t, storetest.NewDatabase(t), faultOptions{engine: true})
	w := faultWorkload()
	fs.create(w, "front")
	fs.during(func() { fs.drive(w, "front") }, 3*time.Second, func() { fs.engine.run("restart-frontend") })
	fs.verify(w, "front")
	t.Logf("%d transitions, frontend restarted once, %d client retries, %v",
		w.transitions(), w.retries.Load(), time.Since(start).Round(time.Second))
}
