package e2e

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/motionflow/motionflow/workflows"
	historypb "go.temporal.io/api/history/v1"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordEnv, when set to 1, makes the end-to-end tests write the histories
// they replay into workflows/testdata/histories (`make histories`), where the
// workflows package's replay test keeps checking them against later code.
const recordEnv = "MOTIONFLOW_RECORD_HISTORIES"

// replayHistories fetches the named motions' workflow histories from the
// embedded server and replays them with the current workflow code: a
// non-deterministic change fails here. With MOTIONFLOW_RECORD_HISTORIES=1 the
// histories are also written to workflows/testdata/histories.
func (h *harness) replayHistories(motions map[string]string) {
	h.t.Helper()
	ids := map[string]string{}
	for name, id := range motions {
		ids[name] = workflows.WorkflowID(id)
	}
	h.replayWorkflows(ids)
}

// replayWorkflows does what replayHistories does for any workflows, by
// name and workflow id (a meeting's: workflows.MeetingWorkflowID).
func (h *harness) replayWorkflows(workflowIDs map[string]string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for name, id := range workflowIDs {
		hist := &historypb.History{}
		it := h.Temporal.GetWorkflowHistory(ctx, id, "", false, 0)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				h.t.Fatalf("history of %s: %v", name, err)
			}
			hist.Events = append(hist.Events, ev)
		}
		// Marshalled before the replay: replaying merges the workflow's
		// search attribute upserts into the started event in place.
		b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
		if err != nil {
			h.t.Fatal(err)
		}
		r := worker.NewWorkflowReplayer()
		workflows.Register(r, workflows.Options{})
		logger := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err := r.ReplayWorkflowHistoryWithOptions(logger, hist, worker.ReplayWorkflowHistoryOptions{}); err != nil {
			h.t.Fatalf("replay %s: %v", name, err)
		}
		if os.Getenv(recordEnv) != "1" {
			continue
		}
		dir := filepath.Join("..", "workflows", "testdata", "histories")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
			h.t.Fatal(err)
		}
		h.t.Logf("recorded %s (%d events)", name, len(hist.Events))
	}
}
