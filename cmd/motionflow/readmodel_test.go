package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/server/temporaltest"
)

// readModelWorld is Temporal (embedded), the worker as `motionflow worker`
// builds it, and a fresh database, with a body and some motions.
type readModelWorld struct {
	st *store.Store
	tc client.Client
	wc *workflows.Client
	n  int
}

const rmBody = "mannheim"

var (
	rmStaff = motion.Actor{Issuer: "https://id.test", Subject: "anna", Name: "Anna Staff",
		Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "mannheim-spd", Bodies: []string{rmBody}}
	rmOffice = motion.Actor{Issuer: "https://id.test", Subject: "rita", Name: "Rita Ratsbüro",
		Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{rmBody}}
)

// newReadModelWorld starts it; the worker logs as JSON to logs and counts
// activity attempts in reg (both may be nil).
func newReadModelWorld(t *testing.T, logs io.Writer, reg prometheus.Registerer) *readModelWorld {
	t.Helper()
	st := storetest.New(t)
	if _, err := st.UpsertBody(t.Context(), store.Body{ID: rmBody, Name: "Stadt Mannheim"}); err != nil {
		t.Fatal(err)
	}
	if logs == nil {
		logs = io.Discard
	}
	ts := temporaltest.NewServer(temporaltest.WithT(t), temporaltest.WithBaseClientOptions(client.Options{
		Logger: tlog.NewStructuredLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}))
	tc := ts.GetDefaultClient()
	if _, err := tc.OperatorService().AddSearchAttributes(t.Context(), &operatorservice.AddSearchAttributesRequest{
		Namespace: ts.GetDefaultNamespace(), SearchAttributes: workflows.SearchAttributes,
	}); err != nil {
		t.Fatal(err)
	}
	w := newWorker(tc, &activities.Activities{Store: st}, activities.NewAttempts(reg))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return &readModelWorld{st: st, tc: tc, wc: &workflows.Client{Temporal: tc}}
}

// send applies commands to motion id in order (the first must be Create).
func (w *readModelWorld) send(t *testing.T, id string, cmds ...motion.Command) motion.Motion {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var m motion.Motion
	var err error
	for _, cmd := range cmds {
		w.n++
		meta := workflows.Meta{RequestID: fmt.Sprintf("req-%d", w.n), ExpectedVersion: m.Version, Actor: rmStaff}
		switch c := cmd.(type) {
		case motion.Create:
			m, err = w.wc.Create(ctx, id, c, meta)
		case motion.Register:
			meta.Actor = rmOffice
			m, err = w.wc.Send(ctx, id, c, meta)
		default:
			m, err = w.wc.Send(ctx, id, c, meta)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", id, cmd.Name(), err)
		}
	}
	return m
}

// idle waits until the motion's workflow has nothing left to do (its
// deadline loop wrote what the last command changed).
func (w *readModelWorld) idle(t *testing.T, id string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		d, err := w.tc.DescribeWorkflowExecution(t.Context(), workflows.WorkflowID(id), "")
		if err == nil && d.GetPendingWorkflowTask() == nil && len(d.GetPendingActivities()) == 0 {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("workflow of %s still busy: %v", id, err)
		}
	}
}

func (w *readModelWorld) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := w.st.Pool.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// deadlines is what the council office's deadline list shows of the motion.
func (w *readModelWorld) deadlines(t *testing.T, id string) []string {
	t.Helper()
	items, _, err := w.st.Deadlines(t.Context(), store.DeadlineFilter{Viewer: rmOffice, MotionID: id, IncludeInformed: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range items {
		out = append(out, d.Key+"@"+d.Due.UTC().Format(time.RFC3339))
	}
	return out
}

func (w *readModelWorld) run(t *testing.T, r readModel) (readModelReport, string) {
	t.Helper()
	var out bytes.Buffer
	r.Temporal, r.Store, r.Out = w.tc, w.st, &out
	rep, err := r.Run(t.Context())
	if err != nil {
		t.Fatalf("readmodel: %v\n%s", err, out.String())
	}
	return rep, out.String()
}

func lagsOf(rep readModelReport) []motionLag {
	out := slices.Clone(rep.Lagging)
	slices.SortFunc(out, func(a, b motionLag) int { return strings.Compare(a.MotionID, b.MotionID) })
	for i := range out {
		out[i].Note = ""
	}
	return out
}

// `motionflow readmodel check` lists exactly the motions whose read model is
// behind their workflow, and `repair` writes them again from the workflows:
// motion row, the audit trail of every version, the reference number (so
// that the next registration does not give it twice) and the deadlines.
func TestReadModelCheckAndRepair(t *testing.T) {
	w := newReadModelWorld(t, nil, nil)
	inquiry := motion.Content{Title: "Wie digital ist das Quadrat?", ResolutionPoints: []string{"Wie viele Ämter nehmen Anträge online an?"}}
	registered := w.send(t, "anfrage", motion.Create{BodyID: rmBody, Kind: motion.KindInquiry, Content: inquiry},
		motion.Submit{}, motion.Register{})
	w.send(t, "entwurf", motion.Create{BodyID: rmBody, Kind: motion.KindMotion, Content: motion.Content{Title: "Mehr Bänke am Wasserturm"}})
	w.send(t, "eingereicht", motion.Create{BodyID: rmBody, Kind: motion.KindMotion, Content: motion.Content{Title: "Digitalisierung im Quadrat", ResolutionPoints: []string{"Ein Digitalbeirat wird eingerichtet."}}},
		motion.Submit{})
	if registered.Version != 3 || registered.Reference == "" || registered.ReferenceSeq != 1 {
		t.Fatalf("registered inquiry = version %d, reference %q seq %d", registered.Version, registered.Reference, registered.ReferenceSeq)
	}

	// The deadlines are written by the workflow's loop after the command.
	w.idle(t, "anfrage")
	deadlines := w.deadlines(t, "anfrage")
	if len(deadlines) == 0 {
		t.Fatal("the registered inquiry has no deadlines")
	}
	history, err := w.st.History(t.Context(), "anfrage")
	if err != nil || len(history) != 3 {
		t.Fatalf("history of the inquiry: %d events, %v", len(history), err)
	}
	// Temporal's visibility lists new workflows a moment later.
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := w.tc.CountWorkflow(t.Context(), &workflowservice.CountWorkflowExecutionsRequest{Query: "WorkflowType = 'Motion'"})
		if err == nil && resp.GetCount() == 3 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("visibility lists %d motion workflows, %v; want 3", resp.GetCount(), err)
		}
	}

	rep, out := w.run(t, readModel{})
	if rep.Checked != 3 || len(rep.Lagging) != 0 || rep.Failed != 0 {
		t.Fatalf("check of a current read model: %+v\n%s", rep, out)
	}

	// The inquiry's rows are lost (as with a database restored without
	// them), the submitted motion's row is rewound to version 1.
	w.exec(t, `DELETE FROM motion_deadlines WHERE motion_id = 'anfrage'`)
	w.exec(t, `DELETE FROM motion_events WHERE motion_id = 'anfrage'`)
	w.exec(t, `DELETE FROM reference_numbers WHERE motion_id = 'anfrage'`)
	w.exec(t, `DELETE FROM reference_counters`)
	w.exec(t, `DELETE FROM motions WHERE id = 'anfrage'`)
	w.exec(t, `DELETE FROM motion_events WHERE motion_id = 'eingereicht' AND version = 2`)
	w.exec(t, `UPDATE motions SET version = 1, status = 'draft' WHERE id = 'eingereicht'`)

	want := []motionLag{
		{MotionID: "anfrage", Workflow: 3, ReadModel: 0, Events: 0},
		{MotionID: "eingereicht", Workflow: 2, ReadModel: 1, Events: 1},
	}
	rep, out = w.run(t, readModel{})
	if got := lagsOf(rep); !reflect.DeepEqual(got, want) || rep.Checked != 3 || rep.Repaired != 0 {
		t.Errorf("check found %+v (%+v), want %+v\n%s", got, rep, want, out)
	}
	for _, line := range []string{"anfrage      3         0           0", "eingereicht  2         1           1"} {
		if !strings.Contains(out, line) {
			t.Errorf("check output lacks %q:\n%s", line, out)
		}
	}
	if _, err := w.st.Motion(t.Context(), "anfrage"); err == nil {
		t.Error("check wrote the lost motion: it must only list")
	}

	// Resumable and bounded: one motion per page, two per run.
	state := filepath.Join(t.TempDir(), "readmodel.state")
	rep1, _ := w.run(t, readModel{PageSize: 1, Limit: 2, StateFile: state})
	if _, err := os.Stat(state); err != nil || rep1.Checked != 2 || !rep1.More {
		t.Fatalf("first bounded run: %+v, state file: %v", rep1, err)
	}
	rep2, _ := w.run(t, readModel{PageSize: 1, Limit: 2, StateFile: state})
	if _, err := os.Stat(state); !os.IsNotExist(err) || rep2.Checked != 1 || rep2.More {
		t.Fatalf("second bounded run: %+v, state file: %v", rep2, err)
	}
	if got := lagsOf(readModelReport{Lagging: append(rep1.Lagging, rep2.Lagging...)}); !reflect.DeepEqual(got, want) {
		t.Errorf("the two bounded runs found %+v, want %+v", got, want)
	}

	rep, out = w.run(t, readModel{Repair: true})
	if rep.Repaired != 2 || rep.Failed != 0 {
		t.Fatalf("repair: %+v\n%s", rep, out)
	}
	if !strings.Contains(out, "events 1-3 written") || !strings.Contains(out, "events 2 written") {
		t.Errorf("repair output does not say what it wrote:\n%s", out)
	}
	versions, err := w.st.ReadModelVersions(t.Context(), []string{"anfrage", "eingereicht", "entwurf"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(versions); got != "[{anfrage 3 3} {eingereicht 2 2} {entwurf 1 1}]" {
		t.Errorf("read model after repair: %s", got)
	}
	restored, err := w.st.History(t.Context(), "anfrage")
	if err != nil || !reflect.DeepEqual(restored, history) {
		t.Errorf("restored history = %+v, %v\nwant %+v", restored, err, history)
	}
	m, err := w.st.Motion(t.Context(), "anfrage")
	if err != nil || m.Status != motion.StatusRegistered || m.Reference != registered.Reference {
		t.Errorf("restored motion: %+v, %v", m, err)
	}
	if got := w.deadlines(t, "anfrage"); !reflect.DeepEqual(got, deadlines) {
		t.Errorf("restored deadlines = %v, want %v", got, deadlines)
	}
	sub, err := w.st.Motion(t.Context(), "eingereicht")
	if err != nil || sub.Status != motion.StatusSubmitted {
		t.Errorf("repaired submitted motion: %+v, %v", sub, err)
	}

	// The next registration goes on after the restored number.
	next := w.send(t, "naechste", motion.Create{BodyID: rmBody, Kind: motion.KindInquiry, Content: inquiry}, motion.Submit{}, motion.Register{})
	if next.ReferenceYear == registered.ReferenceYear && next.ReferenceSeq != registered.ReferenceSeq+1 {
		t.Errorf("next reference %s after the restored %s: a number given twice", next.Reference, registered.Reference)
	}

	// Nothing lags any more.
	rep, out = w.run(t, readModel{})
	if len(rep.Lagging) != 0 || rep.Failed != 0 {
		t.Errorf("check after repair: %+v\n%s", rep, out)
	}
}

// syncBuffer is a log sink written by the worker's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A Project that keeps failing on the real worker is not retried silently:
// the worker logs it at ERROR with the motion's id, the stuck metric says so,
// `readmodel check` lists the motion with the failing activity, and once the
// cause is gone `repair` brings the read model up to the workflow.
func TestReadModelShowsAStuckProject(t *testing.T) {
	logs := &syncBuffer{}
	reg := prometheus.NewRegistry()
	w := newReadModelWorld(t, logs, reg)
	w.send(t, "blockiert", motion.Create{BodyID: rmBody, Kind: motion.KindMotion,
		Content: motion.Content{Title: "Mehr Bänke am Wasserturm", ResolutionPoints: []string{"Es werden zehn Bänke aufgestellt."}}})
	w.idle(t, "blockiert")
	// From now on the database refuses every write of this motion.
	w.exec(t, `CREATE FUNCTION refuse_blockiert() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.id = 'blockiert' THEN RAISE EXCEPTION 'Schreiben verweigert (Test)'; END IF;
			RETURN NEW;
		END $$`)
	w.exec(t, `CREATE TRIGGER refuse_blockiert BEFORE INSERT OR UPDATE ON motions FOR EACH ROW EXECUTE FUNCTION refuse_blockiert()`)

	// The submit is applied in the workflow, but its projection fails; the
	// caller gives up waiting, the workflow goes on retrying.
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	_, err := w.wc.Send(ctx, "blockiert", motion.Submit{}, workflows.Meta{RequestID: "submit-blockiert", ExpectedVersion: 1, Actor: rmStaff})
	cancel()
	if err == nil {
		t.Fatal("submit answered although its projection fails")
	}
	for end := time.Now().Add(2 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		d, err := w.tc.DescribeWorkflowExecution(t.Context(), workflows.WorkflowID("blockiert"), "")
		if err == nil && len(d.GetPendingActivities()) > 0 && d.GetPendingActivities()[0].GetAttempt() >= activities.StuckAfter {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("Project of the blocked motion is not retried as a regular activity: %v\n%s", err, logs)
		}
	}

	var stuck []map[string]any
	for line := range strings.Lines(logs.String()) {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["level"] == "ERROR" && strings.Contains(fmt.Sprint(rec["msg"]), "keeps failing") {
			stuck = append(stuck, rec)
		}
	}
	if len(stuck) == 0 || stuck[0]["motion_id"] != "blockiert" || stuck[0]["activity"] != workflows.ActivityProject ||
		!strings.Contains(fmt.Sprint(stuck[0]["error"]), "Schreiben verweigert") {
		t.Errorf("ERROR lines of the stuck Project: %v\n%s", stuck, logs)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var gauge float64 = -1
	for _, f := range families {
		if f.GetName() != activities.MetricStuck {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == workflows.ActivityProject {
				gauge = m.GetGauge().GetValue()
			}
		}
	}
	if gauge != 1 {
		t.Errorf("%s{activity=Project} = %v, want 1", activities.MetricStuck, gauge)
	}

	rep, out := w.run(t, readModel{MotionIDs: []string{"blockiert"}, QueryTimeout: 30 * time.Second})
	if len(rep.Lagging) != 1 || rep.Lagging[0].Workflow != 2 || rep.Lagging[0].ReadModel != 1 || rep.Stuck != 1 ||
		!strings.Contains(rep.Lagging[0].Note, "Project failing, attempt") || !strings.Contains(rep.Lagging[0].Note, "Schreiben verweigert") {
		t.Errorf("check of the stuck motion: %+v\n%s", rep, out)
	}

	// The cause is removed; repair does not wait for the next retry.
	w.exec(t, `DROP TRIGGER refuse_blockiert ON motions`)
	rep, out = w.run(t, readModel{MotionIDs: []string{"blockiert"}, Repair: true, QueryTimeout: 30 * time.Second})
	if rep.Failed != 0 || len(rep.Lagging) != 1 {
		t.Fatalf("repair: %+v\n%s", rep, out)
	}
	m, err := w.st.Motion(t.Context(), "blockiert")
	if err != nil || m.Version != 2 || m.Status != motion.StatusSubmitted {
		t.Errorf("after repair the read model has %+v, %v; want version 2, submitted", m, err)
	}
}
