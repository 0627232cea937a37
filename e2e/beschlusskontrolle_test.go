package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
)

// reportRow is a row of the Beschlusskontrolle as the report lists it.
type reportRow struct {
	MotionID       string `json:"motion_id"`
	Reference      string `json:"reference"`
	Title          string `json:"title"`
	LeadDepartment string `json:"lead_department"`
	Light          string `json:"light"`
	Points         []struct {
		Point  int    `json:"point"`
		State  string `json:"state"`
		Reason string `json:"reason"`
	} `json:"points"`
}

// TestADecisionIsFollowedThroughToItsEnd carries the example motion,
// adopted with its three points, through two periodic implementation reports
// to closing, with report periods of seconds: before each report is due the
// lead department and the faction are reminded by mail; the points reach
// different states, one "nicht umsetzbar" with its reason; then the council
// office is asked to close it, and the public report and its PDF list it. A
// second motion adopted in the same meeting is corrected to "rejected": its
// implementation ends with its deadlines, and nobody is reminded of it.
func TestADecisionIsFollowedThroughToItsEnd(t *testing.T) {
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	h := newHarnessWith(t, api.Config{}, harnessOptions{mailer: notify.NewMailer(notify.SMTPConfig{
		Host: sink.Host(), Port: sink.Port(), From: "motionflow <motionflow@mannheim.example>", TLS: notify.TLSNone})})
	ctx := context.Background()

	// Reminders go to the department's and the SPD's mailboxes. A report is
	// due every 40 s, reminded 25 s before.
	const deptMail, spdMail = "dezernat1@mannheim.example", "spd-fraktion@mannheim.example"
	for audience, addr := range map[string]string{motion.DepartmentAudience(department): deptMail, motion.FactionAudience(factionSPD): spdMail} {
		if _, err := h.Store.AddNotificationTarget(ctx, store.NotificationTarget{BodyID: bodyID, Audience: audience, Channel: store.ChannelEmail, Address: addr}); err != nil {
			t.Fatal(err)
		}
	}
	sec := func(n int) motion.Duration { return motion.Duration(time.Duration(n) * time.Second) }
	rules := motion.DefaultDeadlineRules()
	rules.ImplementationCycle = sec(40)
	rules.Offsets = []motion.Duration{sec(-25)}
	rules.Escalation, rules.EscalationMax = 0, 0
	if _, err := h.Store.SetDeadlineRules(ctx, bodyID, rules); err != nil {
		t.Fatal(err)
	}

	// The example and a second motion, registered with Dezernat I in the
	// lead and adopted by the council in the same meeting.
	ex := readExample(t)
	a := h.create(h.SPD, motion.KindMotion, map[string]any{"title": ex.Title, "resolution_points": ex.ResolutionPoints, "justification": ex.Justification})
	b := h.create(h.SPD, motion.KindMotion, draftContent("Sitzbänke am Neckarufer"))
	start := time.Now().Add(3 * time.Second).Truncate(time.Second)
	meetingID := h.meeting("gr-beschlusskontrolle", council, "Sitzung des Gemeinderats", start)
	for _, id := range []string{a.ID, b.ID} {
		h.run(h.SPD, id, motion.CmdSubmit, nil)
		m := h.run(h.Office, id, motion.CmdRegister, map[string]any{"lead_department": department})
		if m.LeadDepartment != department {
			t.Fatalf("lead department %q after registration", m.LeadDepartment)
		}
		h.run(h.Office, id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": council, "decisive": true}}})
		h.run(h.Office, id, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": meetingID})
	}
	time.Sleep(time.Until(start.Add(time.Second)))
	for _, id := range []string{a.ID, b.ID} {
		h.run(h.Office, id, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "adopted",
			"vote": map[string]any{"yes": 30, "no": 12, "abstain": 2}})
		h.run(h.Office, id, motion.CmdStartImplementation, nil)
	}
	a = h.get(h.SPD, a.ID)
	if len(a.Points) != 3 || a.Points[0].State != motion.PointOpen || a.Light != string(motion.LightYellow) {
		t.Fatalf("implementation begun: points %+v, light %q", a.Points, a.Light)
	}

	waitFor(t, 15*time.Second, "report deadline of the second motion", func() bool {
		ds := h.deadlines(b.ID)
		return len(ds) == 1 && ds[0].Kind == motion.DeadlineImplementationReport
	})
	// Corrected to "rejected", the second motion leaves implementation: no
	// report is asked for, none can be given.
	bm := h.run(h.Office, b.ID, motion.CmdCorrectResult, map[string]any{"consultation_id": "c1", "reason": "Zählfehler in der Niederschrift",
		"result": "rejected", "vote": map[string]any{"yes": 12, "no": 30, "abstain": 2}})
	if bm.Status != motion.StatusDecided || bm.OutcomeLabel != "Abgelehnt" || slices.Contains(bm.AllowedActions, motion.CmdReportImplementation) {
		t.Fatalf("after the correction: %s %q %v", bm.Status, bm.OutcomeLabel, bm.AllowedActions)
	}
	// Deadlines are projected by the motion's workflow right after the step.
	waitFor(t, 15*time.Second, "the rejected motion's deadlines gone", func() bool { return len(h.deadlines(b.ID)) == 0 })

	// Before the first report is due, the department and the faction are
	// reminded; the department reports.
	reminders := func(n int) {
		t.Helper()
		waitFor(t, 60*time.Second, fmt.Sprintf("%d report reminders", n), func() bool { return len(h.reportReminders(sink, a.Reference)) >= n })
		got := h.reportReminders(sink, a.Reference)
		var to []string
		for _, m := range got {
			to = append(to, m.To...)
		}
		slices.Sort(to)
		want := []string{}
		for range n / 2 {
			want = append(want, deptMail, spdMail)
		}
		slices.Sort(want)
		if !slices.Equal(to, want) {
			t.Fatalf("report reminders went to %v, want %v", to, want)
		}
	}
	reminders(2)
	target := time.Now().AddDate(0, 3, 0).UTC().Truncate(time.Second)
	a = h.run(h.Dept, a.ID, motion.CmdReportImplementation, map[string]any{"text": "Erster Bericht zur Umsetzung.", "points": []map[string]any{
		{"point": 1, "state": "in_progress", "target_date": target, "note": "Die Ausschreibung läuft."},
		{"point": 2, "state": "done", "note": "Der Zugang ist eingerichtet."},
		{"point": 3, "state": "in_progress", "target_date": target},
	}})
	if a.Light != string(motion.LightGreen) {
		t.Fatalf("light after the first report: %q", a.Light)
	}

	// The second period: reminded again, then the last report: one point
	// done, one that cannot be done, with its reason.
	reminders(4)
	a = h.run(h.Dept, a.ID, motion.CmdReportImplementation, map[string]any{"points": []map[string]any{
		{"point": 1, "state": "done"},
		{"point": 3, "state": "not_feasible", "reason": "Das Land fördert den Umbau nicht; ohne Fördergeld ist er nicht finanzierbar."},
	}})
	var states []motion.PointState
	for _, p := range a.Points {
		states = append(states, p.State)
	}
	if !slices.Equal(states, []motion.PointState{motion.PointDone, motion.PointDone, motion.PointNotFeasible}) {
		t.Fatalf("states after the second report: %v", states)
	}
	// Nobody is asked for a third report; the council office is asked to close.
	waitFor(t, 15*time.Second, "the council office asked to close", func() bool {
		ds := h.deadlines(a.ID)
		return len(ds) == 1 && ds[0].Kind == motion.DeadlineImplementationClose && slices.Contains(ds[0].Audiences, motion.AudienceCouncilOffice)
	})

	// The public report lists it with its points; the rejected one is not in it.
	r := h.mustStatus(h.call("GET", "/v1/bodies/"+bodyID+"/implementation-report", h.Anon, nil), 200)
	var report struct {
		Items []reportRow `json:"items"`
	}
	h.decode(r, &report)
	var row *reportRow
	for i := range report.Items {
		switch report.Items[i].MotionID {
		case a.ID:
			row = &report.Items[i]
		case b.ID:
			t.Fatalf("the rejected motion is in the report: %+v", report.Items[i])
		}
	}
	if row == nil || row.Reference != a.Reference || row.LeadDepartment != department || len(row.Points) != 3 ||
		row.Points[2].State != "not_feasible" || !strings.HasPrefix(row.Points[2].Reason, "Das Land fördert den Umbau nicht") {
		b, _ := json.Marshal(report)
		t.Fatalf("report row of %s: %s", a.Reference, b)
	}
	r = h.mustStatus(h.call("GET", "/v1/bodies/"+bodyID+"/implementation-report", h.Anon, nil, "Accept", "application/pdf"), 200)
	text := pdfText(t, r.Body)
	for _, want := range []string{a.Reference, ex.Title, "umgesetzt", "nicht umsetzbar", "Das Land fördert den Umbau nicht"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q: %s", want, text)
		}
	}

	// Closed, it asks nothing more of anybody.
	a = h.run(h.Office, a.ID, motion.CmdClose, map[string]any{"note": "Umgesetzt, soweit umsetzbar."})
	if a.Status != motion.StatusClosed {
		t.Fatalf("closed: %s", a.Status)
	}
	waitFor(t, 15*time.Second, "no deadline left once closed", func() bool { return len(h.deadlines(a.ID)) == 0 })
	if got := h.reportReminders(sink, bm.Reference); bm.Reference == "" || bm.Reference == a.Reference || len(got) != 0 {
		t.Errorf("reminded of the rejected motion %q: %d mails", bm.Reference, len(got))
	}
	h.replayHistories(map[string]string{"beschlusskontrolle": a.ID, "corrected-to-rejected": b.ID})
}

// reportReminders are the mails reminding of the implementation report of
// the motion with reference ref.
func (h *harness) reportReminders(sink *smtpsink.Sink, ref string) []smtpsink.Received {
	var out []smtpsink.Received
	for _, m := range sink.Messages() {
		if strings.Contains(m.Subject, "Bericht zur Umsetzung fällig am") && strings.Contains(m.Subject, ref) {
			out = append(out, m)
		}
	}
	return out
}

// deadlines are a motion's open deadlines as the council office reads them.
func (h *harness) deadlines(id string) []api.DeadlineView {
	h.t.Helper()
	var out struct {
		Items []api.DeadlineView `json:"items"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+id+"/deadlines", h.Office, nil), 200), &out)
	return out.Items
}
