//go:build bench

package bench

import (
	"context"
	"slices"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/motionflow/motionflow/workflows"
)

// BenchmarkTransitionAnatomy (diagnosis for scenario 1): runs b.N edits
// back to back, one client, on one motion, then splits each into its phases
// from the workflow's history: the workflow task that accepts the update
// (validator and handler up to scheduling Project), the wait until a worker
// starts the Project activity (0 when it is dispatched eagerly with the
// workflow task's completion), the activity itself as the server sees it
// (it includes the round trip of the workflow task completion when the
// activity was dispatched eagerly), the wait for the workflow task that
// completes the update, and that task; plus what the client saw in total.
// The medians show where an end-to-end transition spends its time. Since
// the workflow's "one-task-transition" version, Project runs as a local
// activity and a transition is one workflow task: reported as
// one-task-wft-ms (validator, handler, Project and the task's completion as
// the server sees them) and counted in updates-one-task.
func BenchmarkTransitionAnatomy(b *testing.B) {
	e := shared(b)
	ds := e.draftPool(b, "anatomy", 1)
	d := ds[0]
	warm(b, e, ds, e.noopPool("anatomy", 1))
	start := len(e.history(b, d.id))
	b.ResetTimer()
	s, err := run(b.N, 1, func(_, i int) error { return e.edit(d, i) })
	if err != nil {
		b.Fatal(err)
	}
	evs := e.history(b, d.id)[start:]
	var accept, dispatch, activity, resume, complete, eager, single []time.Duration
	// One segment per update: from the workflow task before its
	// acceptance to the task that completes it.
	var seg []*historypb.HistoryEvent
	flush := func() {
		at := func(t enumspb.EventType, nth int) time.Time {
			for _, ev := range seg {
				if ev.GetEventType() == t {
					if nth == 0 {
						return ev.GetEventTime().AsTime()
					}
					nth--
				}
			}
			return time.Time{}
		}
		wftStarted1 := at(enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, 0)
		wftCompleted1 := at(enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 0)
		actSched := at(enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 0)
		actStarted := at(enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, 0)
		actDone := at(enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 0)
		wftStarted2 := at(enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, 1)
		wftCompleted2 := at(enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 1)
		if !wftStarted1.IsZero() && !wftCompleted1.IsZero() && actSched.IsZero() &&
			slices.ContainsFunc(seg, func(x *historypb.HistoryEvent) bool {
				return x.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED
			}) {
			// One task: Project ran as a local activity inside it.
			single = append(single, wftCompleted1.Sub(wftStarted1))
			return
		}
		if wftStarted1.IsZero() || actDone.IsZero() || wftCompleted2.IsZero() {
			return
		}
		accept = append(accept, wftCompleted1.Sub(wftStarted1))
		dispatch = append(dispatch, actStarted.Sub(actSched))
		if actStarted.Sub(actSched) < time.Millisecond {
			eager = append(eager, 0)
		}
		activity = append(activity, actDone.Sub(actStarted))
		resume = append(resume, wftStarted2.Sub(actDone))
		complete = append(complete, wftCompleted2.Sub(wftStarted2))
	}
	for _, ev := range evs {
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED && len(seg) > 0 &&
			slices.ContainsFunc(seg, func(x *historypb.HistoryEvent) bool {
				return x.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
			}) {
			flush()
			seg = nil
		}
		seg = append(seg, ev)
	}
	flush()
	med := func(l []time.Duration) float64 { return ms(stats{lat: l}.pct(50)) }
	b.ReportMetric(ms(s.pct(50)), "total-p50-ms")
	b.ReportMetric(med(accept), "accept-wft-ms")
	b.ReportMetric(med(dispatch), "activity-dispatch-ms")
	b.ReportMetric(float64(len(eager))/float64(max(1, len(accept))), "eager-share")
	b.ReportMetric(med(activity), "project-activity-ms")
	b.ReportMetric(med(resume), "resume-dispatch-ms")
	b.ReportMetric(med(complete), "complete-wft-ms")
	b.ReportMetric(float64(len(accept)), "updates-split")
	b.ReportMetric(med(single), "one-task-wft-ms")
	b.ReportMetric(float64(len(single)), "updates-one-task")
	b.ReportMetric(0, "ns/op")
}

func (e *env) history(b *testing.B, motionID string) []*historypb.HistoryEvent {
	it := e.tc.GetWorkflowHistory(context.Background(), workflows.WorkflowID(motionID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}
