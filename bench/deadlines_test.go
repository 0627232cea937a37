//go:build bench

package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// openEnv is an environment with many open (submitted) motions, shared by
// the deadline burst and the worker memory scenarios; the first makes it.
var (
	openOnce sync.Once
	openE    *env
	openIDs  []string
	// openTook is how long creating and submitting them took.
	openTook time.Duration
)

var (
	spdActor    = motion.Actor{Issuer: "bench", Subject: "spd", Name: "SPD", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: factionSPD, Bodies: []string{bodyID}}
	officeActor = motion.Actor{Issuer: "bench", Subject: "office", Name: "Ratsbüro", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{bodyID}}
)

// openMotions makes n submitted motions (through the workflow client: the
// set-up is not what is measured) on a fresh environment whose rules send
// one reminder when a deadline falls due.
func openMotions(b *testing.B, n int) (*env, []string) {
	openOnce.Do(func() {
		e := newEnv(envOptions{})
		cleanups.add(e.stop)
		ctx := context.Background()
		rules := motion.DefaultDeadlineRules()
		rules.Offsets = []motion.Duration{0}
		rules.Escalation, rules.EscalationMax = 0, 0
		rules.Stale = motion.Duration(10 * 365 * 24 * time.Hour)
		if _, err := e.st.SetDeadlineRules(ctx, bodyID, rules); err != nil {
			panic(err)
		}
		ids := make([]string, n)
		t0 := time.Now()
		_, err := run(n, 32, func(_, i int) error {
			id := fmt.Sprintf("open-%d-%d", nanos(), i)
			ids[i] = id
			m, err := e.motions.Create(ctx, id, motion.Create{BodyID: bodyID, Kind: motion.KindMotion, Content: motion.Content{
				Title: fmt.Sprintf("Offener Antrag %d", i), ResolutionPoints: []string{"Die Verwaltung wird beauftragt."}}},
				workflows.Meta{Actor: spdActor, RequestID: id + "/create"})
			if err != nil {
				return err
			}
			_, err = e.motions.Send(ctx, id, motion.Submit{}, workflows.Meta{Actor: spdActor, ExpectedVersion: m.Version, RequestID: id + "/submit"})
			return err
		})
		if err != nil {
			panic(err)
		}
		openTook = time.Since(t0)
		fmt.Fprintf(benchLog, "open motions: %d created and submitted in %v\n", n, openTook.Round(time.Millisecond))
		openE, openIDs = e, ids
	})
	return openE, openIDs
}

// BenchmarkDeadlineBurst (scenario 5): MOTIONFLOW_BENCH_DEADLINES (500)
// deadlines of as many motions set by hand to fall due at the same instant;
// measured is the delay from the due time to the Notify activity having
// sent each reminder. The same figure for the engine: as many no-op
// workflows sleeping until one instant and then running a no-op activity.
// It runs once whatever b.N.
func BenchmarkDeadlineBurst(b *testing.B) {
	n := envInt("MOTIONFLOW_BENCH_DEADLINES", 500)
	e, ids := openMotions(b, n)
	ctx := context.Background()

	// The reminders as the worker sends them.
	var mu sync.Mutex
	sent := map[string]time.Time{}
	dups := 0
	e.remindersMu.Lock()
	e.reminders = func(in workflows.NotifyInput) {
		mu.Lock()
		defer mu.Unlock()
		k := in.Motion.ID + "|" + in.Reminder.Key
		if _, ok := sent[k]; ok {
			dups++
			return
		}
		sent[k] = time.Now()
	}
	e.remindersMu.Unlock()

	// Arm every deadline for one instant, far enough ahead for the arming
	// to finish first (a reminder whose time passed before it was armed is
	// not sent late, by design).
	t0 := time.Now()
	lead := max(20*time.Second, openTook) // one command each instead of two, with room to spare
	due := time.Now().Add(lead).Truncate(time.Second)
	_, err := run(n, 32, func(_, i int) error {
		_, err := e.motions.Send(ctx, ids[i], motion.SetDeadline{Key: string(motion.DeadlineStale), Due: due, Reason: "Lasttest"},
			workflows.Meta{Actor: officeActor, ExpectedVersion: 2, RequestID: ids[i] + "/deadline"})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	armed := time.Since(t0)
	if time.Now().After(due) {
		b.Fatalf("arming %d deadlines took %v, beyond the due time: raise the lead", n, armed)
	}
	fmt.Fprintf(benchLog, "deadline burst: %d deadlines armed in %v, due in %v\n", n, armed.Round(time.Millisecond), time.Until(due).Round(time.Millisecond))
	s := waitAll(b, &mu, func() int { return len(sent) }, n, due)
	mu.Lock()
	lat := make([]time.Duration, 0, len(sent))
	for _, at := range sent {
		lat = append(lat, at.Sub(due))
	}
	d := dups
	mu.Unlock()
	s.lat = lat
	logBurst("reminders", n, s, d)

	bare := timerBurst(b, e, n)

	report(b, s, bare)
	b.ReportMetric(float64(n), "deadlines")
	b.ReportMetric(ms(s.pct(100)), "max-ms")
	b.ReportMetric(ms(bare.pct(100)), "bare-max-ms")
	b.ReportMetric(float64(d), "duplicates")
	b.ReportMetric(float64(n-len(s.lat)), "missing")
}

// BenchmarkTimerBurst is BenchmarkDeadlineBurst's bare part alone: the
// engine's own figure for MOTIONFLOW_BENCH_DEADLINES (500) no-op workflows
// sleeping until one instant and then running a no-op activity, without the
// motions' set-up (on the production engine, most of an hour at 10,000).
// It runs once whatever b.N.
func BenchmarkTimerBurst(b *testing.B) {
	n := envInt("MOTIONFLOW_BENCH_DEADLINES", 500)
	e := newEnv(envOptions{})
	cleanups.add(e.stop)
	bare := timerBurst(b, e, n)
	report(b, bare, stats{})
	b.ReportMetric(float64(n), "deadlines")
	b.ReportMetric(ms(bare.pct(100)), "max-ms")
	b.ReportMetric(float64(n-len(bare.lat)), "missing")
}

// timerBurst starts n no-op workflows sleeping until one instant, then
// running a no-op activity, and returns each one's delay from that instant
// to its activity. The instant leaves room for twice the time the starts
// take, measured on a first hundred (their instant already past, so they run
// at once and are not counted): an engine that starts 30 workflows a second
// needs minutes for 10,000, the embedded one far less.
func timerBurst(b *testing.B, e *env, n int) stats {
	ctx := context.Background()
	var mu sync.Mutex
	var lat []time.Duration
	var bdue time.Time
	noopMu.Lock()
	noopReport = func(d time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if d.Equal(bdue) {
			lat = append(lat, time.Since(d))
		}
	}
	noopMu.Unlock()
	start := func(k int, due time.Time) error {
		_, err := run(k, 32, func(_, i int) error {
			_, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("timer-%d-%d", nanos(), i), TaskQueue: bareQueue}, "NoopTimer", due)
			return err
		})
		return err
	}
	probe := min(n, 100)
	t0 := time.Now()
	if err := start(probe, t0.Add(-time.Hour)); err != nil {
		b.Fatal(err)
	}
	per := time.Since(t0) / time.Duration(probe)
	mu.Lock()
	bdue = time.Now().Add(max(20*time.Second, 2*per*time.Duration(n))).Truncate(time.Second)
	due := bdue
	mu.Unlock()
	t0 = time.Now()
	if err := start(n, due); err != nil {
		b.Fatal(err)
	}
	if time.Now().After(due) {
		b.Fatalf("starting %d timers took %v, beyond their due time", n, time.Since(t0))
	}
	fmt.Fprintf(benchLog, "deadline burst: %d bare timers started in %v, due in %v\n", n, time.Since(t0).Round(time.Millisecond), time.Until(due).Round(time.Millisecond))
	s := waitAll(b, &mu, func() int { return len(lat) }, n, due)
	mu.Lock()
	s.lat = slices.Clone(lat)
	mu.Unlock()
	logBurst("bare timers", n, s, 0)
	return s
}

// waitAll waits until count() reaches n, or until MOTIONFLOW_BENCH_BURST_WAIT
// (10m) after due, and returns the drain time since due as the series' wall
// time. A shortfall fails the benchmark but is no reason to stop: the caller
// logs what did arrive and goes on to the bare part, whose figures a miss
// needs most.
func waitAll(b *testing.B, mu *sync.Mutex, count func() int, n int, due time.Time) stats {
	limit := 10 * time.Minute
	if v := os.Getenv("MOTIONFLOW_BENCH_BURST_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("MOTIONFLOW_BENCH_BURST_WAIT: %v", err)
		}
		limit = d
	}
	for {
		mu.Lock()
		c := count()
		mu.Unlock()
		if c >= n {
			break
		}
		if time.Since(due) > limit {
			b.Errorf("only %d of %d arrived %v after their due time", c, n, limit)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return stats{wall: time.Since(due)}
}

// logBurst writes a burst part's figures to the bench log, so that they
// survive a failed benchmark (testing prints no metrics of one): how many of
// n arrived, their delays after the due time, the duplicates.
func logBurst(what string, n int, s stats, dups int) {
	if len(s.lat) == 0 {
		fmt.Fprintf(benchLog, "deadline burst: %s: none of %d arrived within %v\n", what, n, s.wall.Round(time.Second))
		return
	}
	fmt.Fprintf(benchLog, "deadline burst: %s: %d of %d arrived, %d duplicates; delay after due p50 %v, p90 %v, p99 %v, max %v; %.1f/s\n",
		what, len(s.lat), n, dups, s.pct(50).Round(time.Millisecond), s.pct(90).Round(time.Millisecond),
		s.pct(99).Round(time.Millisecond), s.pct(100).Round(time.Millisecond), s.opsPerSec())
}

// The worker memory scenario runs each workflow cache size in a worker
// process of its own (the cache size is per process and fixed before the
// first worker starts): this test binary, started again with these
// variables.
const (
	workerEnv   = "MOTIONFLOW_BENCH_WORKER"
	workerCache = "MOTIONFLOW_BENCH_CACHE"
	workerHost  = "MOTIONFLOW_BENCH_HOSTPORT"
	workerNS    = "MOTIONFLOW_BENCH_NAMESPACE"
	workerDSN   = "MOTIONFLOW_BENCH_DSN"
)

// memSample is what a worker process reports about itself.
type memSample struct {
	HeapInuse  uint64 `json:"heap_inuse"`
	HeapAlloc  uint64 `json:"heap_alloc"`
	Sys        uint64 `json:"sys"`
	RSS        uint64 `json:"rss"`
	Goroutines int    `json:"goroutines"`
}

// BenchmarkWorkerMemory (scenario 6): a worker process with the workflow
// cache at 0, 1,000 and 10,000 workflows serves MOTIONFLOW_BENCH_OPEN (500,
// the motions of the deadline scenario) open motions; each motion is touched
// twice with a command its workflow refuses (it is loaded and replayed, and
// nothing is written). Reported: the process's heap and RSS after the
// touches, and the touch latency of the second round (a hit in the cache or
// a replay of the whole history). It runs once whatever b.N.
func BenchmarkWorkerMemory(b *testing.B) {
	n := envInt("MOTIONFLOW_BENCH_OPEN", envInt("MOTIONFLOW_BENCH_DEADLINES", 500))
	e, ids := openMotions(b, n)
	e.stopWorker() // from now on only the worker processes serve the motions
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("cache=%d", size), func(b *testing.B) {
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), workerEnv+"=1", workerCache+"="+strconv.Itoa(size),
				workerHost+"="+e.hostPort, workerNS+"="+e.namespace, workerDSN+"="+e.dsn)
			cmd.Stderr = os.Stderr
			in, _ := cmd.StdinPipe()
			outPipe, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer func() { in.Close(); _ = cmd.Wait() }()
			out := bufio.NewScanner(outPipe)
			measure := func() memSample {
				fmt.Fprintln(in, "measure")
				for out.Scan() {
					var m memSample
					if json.Unmarshal(out.Bytes(), &m) == nil && m.Sys > 0 {
						return m
					}
				}
				b.Fatalf("worker process ended: %v", out.Err())
				return memSample{}
			}
			before := measure()
			touch := func(round int) stats {
				s, err := run(len(ids), 16, func(_, i int) error {
					_, err := e.motions.Send(context.Background(), ids[i], motion.Edit{Content: motion.Content{Title: "Berührt"}},
						workflows.Meta{Actor: spdActor, ExpectedVersion: 1, RequestID: fmt.Sprintf("touch-%d-%d-%d", size, round, i)})
					if motion.CodeOf(err) == motion.CodeStaleVersion {
						return nil
					}
					return fmt.Errorf("touch %s: want a stale-version refusal, got %v", ids[i], err)
				})
				if err != nil {
					b.Fatal(err)
				}
				return s
			}
			touch(1)
			s := touch(2)
			after := measure()
			mib := func(x uint64) float64 { return float64(x) / (1 << 20) }
			b.ReportMetric(float64(len(ids)), "open-motions")
			b.ReportMetric(mib(after.HeapInuse), "heap-MiB")
			b.ReportMetric(mib(after.RSS), "rss-MiB")
			b.ReportMetric(mib(after.HeapInuse-min(after.HeapInuse, before.HeapInuse)), "heap-growth-MiB")
			b.ReportMetric(float64(after.HeapInuse-min(after.HeapInuse, before.HeapInuse))/float64(len(ids))/1024, "KiB/motion")
			b.ReportMetric(ms(s.pct(50)), "touch-p50-ms")
			b.ReportMetric(ms(s.pct(99)), "touch-p99-ms")
			b.ReportMetric(s.opsPerSec(), "touch-ops/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// runWorkerProcess is the worker process of BenchmarkWorkerMemory: a motion
// worker with the given cache size that reports its memory on "measure".
func runWorkerProcess() {
	size, _ := strconv.Atoi(os.Getenv(workerCache))
	worker.SetStickyWorkflowCacheSize(size)
	ctx := context.Background()
	tc, err := client.Dial(client.Options{HostPort: os.Getenv(workerHost), Namespace: os.Getenv(workerNS), Logger: tlog.NewStructuredLogger(quiet)})
	if err != nil {
		panic(err)
	}
	defer tc.Close()
	st, err := store.Open(ctx, os.Getenv(workerDSN))
	if err != nil {
		panic(err)
	}
	defer st.Close()
	w := worker.New(tc, workflows.TaskQueue, worker.Options{})
	workflows.Register(w, workflows.Options{})
	(&activities.Activities{Store: st}).Register(w)
	if err := w.Start(); err != nil {
		panic(err)
	}
	defer w.Stop()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if strings.TrimSpace(in.Text()) != "measure" {
			continue
		}
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		out, _ := json.Marshal(memSample{HeapInuse: m.HeapInuse, HeapAlloc: m.HeapAlloc, Sys: m.Sys, RSS: rss(), Goroutines: runtime.NumGoroutine()})
		fmt.Println(string(out))
	}
}

// rss is the process's resident set size from /proc (0 elsewhere).
func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
