package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
)

// TestSearchAttributesFollowTheMotion: operators find motions in the
// Temporal UI by status, faction and reference number. The workflow keeps
// those search attributes current, but writes them only when one of them
// changes (an edit of a draft does not), and each transition is answered
// after the projection without a second workflow task.
func TestSearchAttributesFollowTheMotion(t *testing.T) {
	h := newHarness(t, api.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	points := []string{"Die Verwaltung stellt fünf Trinkbrunnen auf."}
	m := h.create(h.SPD, motion.KindMotion, map[string]any{"title": "Trinkbrunnen in der Innenstadt", "resolution_points": points})
	h.run(h.SPD, m.ID, motion.CmdEdit, map[string]any{"title": "Trinkbrunnen in der Innenstadt und am Rhein", "resolution_points": points})
	h.run(h.SPD, m.ID, motion.CmdEdit, map[string]any{"title": "Trinkbrunnen in der Innenstadt und am Neckar", "resolution_points": points})
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	reg := h.run(h.Office, m.ID, motion.CmdRegister, nil)
	if reg.Reference == "" {
		t.Fatal("registered without a reference number")
	}

	attrs := h.searchAttributes(ctx, m.ID)
	want := map[string]string{
		"MotionStatus": string(motion.StatusRegistered), "MotionKind": string(motion.KindMotion),
		"MotionBody": bodyID, "MotionFaction": reg.Faction, "MotionReference": reg.Reference,
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("search attribute %s = %q, want %q (all: %v)", k, attrs[k], v, attrs)
		}
	}
	if v, ok := attrs["MotionVersion"]; ok {
		t.Errorf("search attribute MotionVersion = %s, want none (it would change with every command)", v)
	}

	// The history: search attributes written by the transitions that changed
	// one (create, submit, register), not by the edits; Project never a
	// scheduled activity of its own.
	var upserts, projects int
	it := h.Temporal.GetWorkflowHistory(ctx, workflows.WorkflowID(m.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			// (The SDK's own TemporalChangeVersion upserts are not counted.)
			for k := range ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields() {
				if strings.HasPrefix(k, "Motion") {
					upserts++
					break
				}
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == workflows.ActivityProject {
				projects++
			}
		}
	}
	if upserts != 3 || projects != 0 {
		t.Errorf("history has %d search attribute upserts (want 3: create, submit, register) and %d Project activity tasks (want 0: Project runs inside the update's workflow task)", upserts, projects)
	}

	// And the Temporal UI's query finds it (visibility is written asynchronously).
	query := fmt.Sprintf(`MotionStatus = %q AND MotionReference = %q`, motion.StatusRegistered, reg.Reference)
	waitFor(t, 20*time.Second, "the motion in the visibility query "+query, func() bool {
		resp, err := h.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatalf("list %s: %v", query, err)
		}
		for _, e := range resp.GetExecutions() {
			if e.GetExecution().GetWorkflowId() == workflows.WorkflowID(m.ID) {
				return true
			}
		}
		return false
	})
}

// searchAttributes are the motion's workflow's custom search attributes as
// the server holds them, decoded to strings.
func (h *harness) searchAttributes(ctx context.Context, motionID string) map[string]string {
	h.t.Helper()
	d, err := h.Temporal.DescribeWorkflowExecution(ctx, workflows.WorkflowID(motionID), "")
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]string{}
	for k, p := range d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields() {
		out[k] = decodePayload(h.t, p)
	}
	return out
}

func decodePayload(t *testing.T, p *commonpb.Payload) string {
	t.Helper()
	var v any
	if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil {
		t.Fatalf("search attribute payload: %v", err)
	}
	return fmt.Sprint(v)
}
