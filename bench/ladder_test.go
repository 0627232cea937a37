//go:build bench

package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// BenchmarkUpdateLadder (diagnosis for scenario 1): what an update costs as
// the motion workflow's ingredients are added one by one to the no-op
// workflow, one client at a time. Rungs: none (the bare update), sa (upsert
// the six search attributes), act (a no-op activity), lact (a no-op local
// activity), project (an activity running the real store.Project), lproject
// (store.Project as a local activity), sa+project (what MotionWorkflow does
// per command, without its domain logic), sa+lproject (the same with a
// local activity). The API edit of BenchmarkTransition adds HTTP, the token
// check and the domain code to sa+project.
func BenchmarkUpdateLadder(b *testing.B) {
	e := shared(b)
	ladderOnce.Do(func() { e.startLadderWorker() })
	for _, rung := range []string{"none", "sa", "act", "lact", "project", "lproject", "sa+project", "sa+lproject"} {
		b.Run(rung, func(b *testing.B) {
			const pool = 10
			ids := e.ladderPool(rung, pool)
			for i := range 5 {
				if err := e.ladderUpdate(ids[i%pool], rung, i); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			s, err := run(b.N, 1, func(_, i int) error { return e.ladderUpdate(ids[i%pool], rung, i) })
			if err != nil {
				b.Fatal(err)
			}
			report(b, s, stats{})
		})
	}
}

const ladderQueue = "bench-ladder"

var (
	ladderOnce  sync.Once
	ladderMu    sync.Mutex
	ladderPools = map[string][]string{}
	ladderStore func(ctx context.Context, m motion.Motion, ev motion.Event) error
)

func (e *env) startLadderWorker() {
	ladderStore = e.st.Project
	e.newWorker(cleanups.add, ladderQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(ladderWorkflow, workflow.RegisterOptions{Name: "Ladder"})
		r.RegisterActivityWithOptions(func(context.Context) error { return nil }, activityOptions("LadderNoop"))
		r.RegisterActivityWithOptions(ladderProject, activityOptions("LadderProject"))
	})
}

func (e *env) ladderPool(name string, n int) []string {
	ladderMu.Lock()
	defer ladderMu.Unlock()
	if p, ok := ladderPools[name]; ok {
		return p
	}
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("ladder-%s-%d-%d", name, nanos(), i)
		if _, err := e.tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: p[i], TaskQueue: ladderQueue}, "Ladder", p[i]); err != nil {
			panic(err)
		}
	}
	ladderPools[name] = p
	return p
}

func (e *env) ladderUpdate(id, rung string, n int) error {
	h, err := e.tc.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: "step", Args: []any{rung, n}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(context.Background(), nil)
}

func ladderProject(ctx context.Context, in workflows.ProjectInput) error {
	return ladderStore(ctx, in.Motion, in.Event)
}

func ladderWorkflow(ctx workflow.Context, id string) error {
	m := motion.Motion{ID: id, BodyID: bodyID, Kind: motion.KindMotion, Status: motion.StatusDraft, Faction: factionSPD,
		Content: motion.Content{Title: "Bänke am Neckarufer", ResolutionPoints: []string{"Die Verwaltung stellt 20 Bänke auf."}}}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 30 * time.Second})
	err := workflow.SetUpdateHandler(ctx, "step", func(ctx workflow.Context, rung string, n int) error {
		m.Version++
		m.UpdatedAt = workflow.Now(ctx).UTC().Truncate(time.Microsecond)
		if m.CreatedAt.IsZero() {
			m.CreatedAt = m.UpdatedAt
		}
		m.Title = fmt.Sprintf("Bänke am Neckarufer, Fassung %d", n)
		in := workflows.ProjectInput{Motion: m, Event: motion.Event{MotionID: id, Version: m.Version, Command: motion.CmdEdit,
			At: m.UpdatedAt, Status: m.Status, Summary: "Entwurf bearbeitet"}}
		if rung == "sa" || rung == "sa+project" || rung == "sa+lproject" {
			if err := workflow.UpsertTypedSearchAttributes(workflow.WithValue(ctx, "", nil),
				workflows.AttrStatus.ValueSet(string(m.Status)), workflows.AttrKind.ValueSet(string(m.Kind)),
				workflows.AttrBody.ValueSet(m.BodyID), workflows.AttrFaction.ValueSet(m.Faction),
				workflows.AttrReference.ValueSet(""), workflows.AttrVersion.ValueSet(m.Version)); err != nil {
				return err
			}
		}
		switch rung {
		case "act":
			return workflow.ExecuteActivity(actx, "LadderNoop").Get(ctx, nil)
		case "lact":
			return workflow.ExecuteLocalActivity(lctx, func(context.Context) error { return nil }).Get(ctx, nil)
		case "project", "sa+project":
			return workflow.ExecuteActivity(actx, "LadderProject", in).Get(ctx, nil)
		case "lproject", "sa+lproject":
			return workflow.ExecuteLocalActivity(lctx, ladderProject, in).Get(ctx, nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}
