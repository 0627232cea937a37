//go:build bench

package bench

import (
	"fmt"
	"sync"
	"testing"

	"github.com/motionflow/motionflow/motion"
)

// pools caches the motions and no-op workflows a benchmark works on, so
// that the repeated calls of one benchmark function (b.N ramp-up) reuse them.
var (
	poolsMu sync.Mutex
	drafts  = map[string][]*draftRef{}
	noops   = map[string][]string{}
)

type draftRef struct {
	id      string
	version int64
}

// draftPool returns n drafts of the SPD faction, made once per name.
func (e *env) draftPool(b *testing.B, name string, n int) []*draftRef {
	poolsMu.Lock()
	defer poolsMu.Unlock()
	if p, ok := drafts[name]; ok && len(p) >= n {
		return p[:n]
	}
	p := make([]*draftRef, n)
	if _, err := run(n, 8, func(_, i int) error {
		id, err := e.draft(fmt.Sprintf("Bänke am Neckarufer (%s %d)", name, i))
		p[i] = &draftRef{id: id, version: 1}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	drafts[name] = p
	return p
}

// noopPool returns n no-op workflows, started once per name.
func (e *env) noopPool(name string, n int) []string {
	poolsMu.Lock()
	defer poolsMu.Unlock()
	if p, ok := noops[name]; ok && len(p) >= n {
		return p[:n]
	}
	p := e.startNoops(n, name)
	noops[name] = p
	return p
}

// edit is the transition the scenarios measure: a full command through the
// API — token check, If-Match, the workflow's validator and handler, the
// Project activity writing the read model and the audit trail — on a draft
// (it stays a draft, so it can be repeated indefinitely).
func (e *env) edit(d *draftRef, i int) error {
	v, err := e.command(e.spd, d.id, motion.CmdEdit, d.version, map[string]any{
		"title":             fmt.Sprintf("Bänke am Neckarufer, Fassung %d", i),
		"resolution_points": []string{"Die Verwaltung stellt 20 Bänke auf.", fmt.Sprintf("Bericht bis Ende %d.", 2026+i%5)},
	})
	if err == nil {
		d.version = v
	}
	return err
}

// BenchmarkTransition (scenario 1): one client, one transition at a time,
// HTTP → update → projection → response; against one bare update at a time.
func BenchmarkTransition(b *testing.B) {
	e := shared(b)
	const pool = 20
	ds := e.draftPool(b, "transition", pool)
	ws := e.noopPool("transition", pool)
	warm(b, e, ds, ws)
	b.ResetTimer()
	s, bare, err := paired(b.N, 1, 10,
		func(_, i int) error { return e.bareUpdate(ws[i%pool], i) },
		func(_, i int) error { return e.edit(ds[i%pool], i) })
	if err != nil {
		b.Fatal(err)
	}
	report(b, s, bare)
}

func warm(b *testing.B, e *env, ds []*draftRef, ws []string) {
	for i := range 10 {
		if err := e.edit(ds[i%len(ds)], i); err != nil {
			b.Fatal(err)
		}
		if err := e.bareUpdate(ws[i%len(ws)], i); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkThroughput (scenario 2): transitions at concurrency 1, 8 and 32,
// each client on its own motions (4 each); against bare updates at the same
// concurrency, each client on its own no-op workflows.
func BenchmarkThroughput(b *testing.B) {
	for _, conc := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("c=%d", conc), func(b *testing.B) {
			e := shared(b)
			const per = 4
			name := fmt.Sprintf("throughput-%d", conc)
			ds := e.draftPool(b, name, conc*per)
			ws := e.noopPool(name, conc*per)
			warm(b, e, ds, ws)
			b.ResetTimer()
			// Each client owns its motions: no 412 between clients.
			s, bare, err := paired(b.N, conc, 4,
				func(w, i int) error { return e.bareUpdate(ws[w*per+i%per], i) },
				func(w, i int) error { return e.edit(ds[w*per+i%per], i) })
			if err != nil {
				b.Fatal(err)
			}
			report(b, s, bare)
		})
	}
}

// BenchmarkCreate (scenario 3): new drafts over HTTP (update-with-start,
// Project, LoadCalendar, ProjectDeadlines) at concurrency 1 and 8; against
// update-with-start of a no-op workflow.
func BenchmarkCreate(b *testing.B) {
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("c=%d", conc), func(b *testing.B) {
			e := shared(b)
			tag := fmt.Sprintf("create-%d-%d", conc, b.N)
			s, bare, err := paired(b.N, conc, 4,
				func(_, i int) error { return e.bareCreate(fmt.Sprintf("%s-%d-%d", tag, i, nanos())) },
				func(_, i int) error {
					_, err := e.draft(fmt.Sprintf("Neuer Antrag %s %d", tag, i))
					return err
				})
			if err != nil {
				b.Fatal(err)
			}
			report(b, s, bare)
		})
	}
}
