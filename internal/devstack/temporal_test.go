package devstack

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// testLogger logs warnings and errors to the test log until the test ends
// (server goroutines may outlive it).
func testLogger(t *testing.T) *slog.Logger {
	w := &tWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct {
	mu   sync.Mutex
	done bool
	t    *testing.T
}

func (w *tWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func dial(t *testing.T, tmp *Temporal) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  tmp.HostPort,
		Namespace: tmp.Namespace,
		Logger:    sdklog.NewStructuredLogger(testLogger(t)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", tmp.HostPort, err)
	}
	t.Cleanup(c.Close)
	return c
}

func checkSearchAttributes(t *testing.T, c client.Client) {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(t.Context(), &operatorservice.ListSearchAttributesRequest{Namespace: Namespace})
	if err != nil {
		t.Fatalf("ListSearchAttributes: %v", err)
	}
	for name, typ := range workflows.SearchAttributes {
		if got, ok := resp.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("search attribute %s: got %v (present %v), want %v", name, got, ok, typ)
		}
	}
}

func greet(_ workflow.Context, name string) (string, error) { return "hello " + name, nil }

// waitForGo blocks until the signal "go" arrives.
func waitForGo(ctx workflow.Context) (string, error) {
	var v string
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &v)
	return "went " + v, nil
}

func TestTemporalEphemeral(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	tmp, err := StartTemporal(ctx, TemporalOptions{UIPort: -1, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	defer tmp.Stop()
	if tmp.UIURL != "" || tmp.Namespace != "default" {
		t.Errorf("UIURL %q, Namespace %q", tmp.UIURL, tmp.Namespace)
	}
	c := dial(t, tmp)

	checkSearchAttributes(t, c)

	const tq = "devstack-test"
	w := worker.New(c, tq, worker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "greet-1",
		TaskQueue: tq,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrStatus.ValueSet("draft"), workflows.AttrVersion.ValueSet(3)),
	}, greet, "Mannheim")
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "hello Mannheim" {
		t.Fatalf("result %q, %v", got, err)
	}

	// The search attributes are usable in visibility queries.
	for {
		list, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: tmp.Namespace, Query: `MotionStatus = "draft" AND MotionVersion = 3`})
		if err != nil {
			t.Fatalf("ListWorkflow: %v", err)
		}
		if len(list.GetExecutions()) == 1 && list.GetExecutions()[0].GetExecution().GetWorkflowId() == "greet-1" {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("workflow not found by search attributes: %v", list.GetExecutions())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestTemporalRestartOnFile(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	db := filepath.Join(t.TempDir(), "state", "temporal.db")

	// The file is created with an older set of search attributes; the
	// restart must add the rest.
	searchAttributes = map[string]enumspb.IndexedValueType{"MotionStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	tmp, err := StartTemporal(ctx, TemporalOptions{DBFile: db, Logger: testLogger(t)})
	searchAttributes = workflows.SearchAttributes
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	if tmp.UIURL == "" {
		t.Error("no UI URL")
	} else {
		resp, err := http.Get(tmp.UIURL + "/")
		if err != nil {
			t.Errorf("UI: %v", err)
		} else {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || len(body) == 0 {
				t.Errorf("UI: %s, %d bytes", resp.Status, len(body))
			}
		}
	}
	c, err := client.Dial(client.Options{HostPort: tmp.HostPort, Namespace: tmp.Namespace, Logger: sdklog.NewStructuredLogger(testLogger(t))})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: Namespace}); err != nil {
		t.Fatal(err)
	} else if _, ok := resp.GetCustomAttributes()["MotionKind"]; ok {
		t.Fatal("the old set should lack MotionKind")
	}
	const tq = "devstack-restart"
	// No worker yet: the workflow just waits in the server's store.
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "wait-1", TaskQueue: tq}, waitForGo); err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	c.Close()
	tmp.Stop()
	tmp.Stop() // idempotent

	tmp, err = StartTemporal(ctx, TemporalOptions{DBFile: db, UIPort: -1, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("StartTemporal again: %v", err)
	}
	defer tmp.Stop()
	c = dial(t, tmp)
	checkSearchAttributes(t, c)
	desc, err := c.DescribeWorkflowExecution(ctx, "wait-1", "")
	if err != nil {
		t.Fatalf("the workflow did not survive the restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status %v after restart", st)
	}
	w := worker.New(c, tq, worker.Options{})
	w.RegisterWorkflow(waitForGo)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := c.SignalWorkflow(ctx, "wait-1", "", "go", "on"); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := c.GetWorkflow(ctx, "wait-1", "").Get(ctx, &got); err != nil || got != "went on" {
		t.Fatalf("result %q, %v", got, err)
	}
}
