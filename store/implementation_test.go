package store_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// adoptedInImplementation is a submitted motion of faction with reference
// A<seq>/<year>, adopted (by the consultation in org when org is not "")
// and in implementation with one progress entry per resolution point.
func adoptedInImplementation(id, faction string, year, seq int, org string, points ...string) motion.Motion {
	m := submit(draft(id, "ma", faction, "Antrag "+id, t0), t0.Add(time.Hour))
	m.Version++
	m.ResolutionPoints = points
	m.Reference, m.ReferenceYear, m.ReferenceSeq = "A"+strconv.Itoa(seq)+"/"+strconv.Itoa(year), year, seq
	decided := t0.AddDate(0, 1, 0)
	m.DecidedAt = &decided
	m.Outcome = &motion.Outcome{Result: motion.ResultAdopted, DecidedAt: decided}
	if org != "" {
		m.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: org, Decisive: true, Status: motion.ConsultationDone}}
		m.Outcome.ConsultationID = "c1"
	}
	m.Status = motion.StatusImplementation
	for i := range points {
		m.Points = append(m.Points, motion.PointProgress{Point: i + 1, State: motion.PointOpen})
	}
	m.UpdatedAt = decided
	return m
}

// TestImplementationReport: the report holds the public adopted motions in
// implementation of one body, in reference order (year, then number, not
// the reference's text), with the deciding organization, the traffic light
// and each point's state, target date, reason and latest note, and the next
// report deadline; the filters narrow it, closed motions come with
// IncludeClosed only when they were followed point by point.
func TestImplementationReport(t *testing.T) {
	s := newStore(t, "ma", "hd")
	for _, o := range []store.Organization{
		{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "ha", BodyID: "ma", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
	} {
		if _, err := s.CreateOrganization(ctx(t), o); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.AddDate(0, -1, 0), now.AddDate(0, 2, 0)

	// A10/2026: red, a point past its target date; lead dez1, involved dez2.
	late := adoptedInImplementation("late", "spd", 2026, 10, "", "Radwege sanieren.", "Ampeln umrüsten.")
	late.LeadDepartment, late.InvolvedDepartments = "dez1", []string{"dez2"}
	late.Points[0] = motion.PointProgress{Point: 1, State: motion.PointInProgress, TargetDate: &past,
		Notes: []motion.ProgressNote{{At: past.AddDate(0, -1, 0), Department: "dez1", State: motion.PointInProgress, Text: "Planung läuft."},
			{At: past, Department: "dez1", State: motion.PointInProgress}}}
	late.Points[1] = motion.PointProgress{Point: 2, State: motion.PointNotFeasible, Reason: "Kein Geld im Haushalt.",
		Notes: []motion.ProgressNote{{At: past, Department: "dez1", State: motion.PointNotFeasible, Text: "Kein Geld im Haushalt."}}}
	late.Cosponsors = []string{"cdu"}
	// A2/2026: green, decided by the Hauptausschuss.
	green := adoptedInImplementation("green", "cdu", 2026, 2, "ha", "Bänke aufstellen.")
	green.LeadDepartment = "dez2"
	green.Points[0] = motion.PointProgress{Point: 1, State: motion.PointInProgress, TargetDate: &future}
	// A5/2025: yellow, nothing started yet.
	old := adoptedInImplementation("old", "gruene", 2025, 5, "", "Bäume pflanzen.")
	// Closed: with points (IncludeClosed) and without (never).
	closed := adoptedInImplementation("closed", "spd", 2024, 1, "", "Schulhöfe öffnen.")
	closed.Status, closed.Points[0].State = motion.StatusClosed, motion.PointDone
	closedBare := adoptedInImplementation("closed-bare", "spd", 2024, 2, "")
	closedBare.Status = motion.StatusClosed
	// Not in the report: another body, a draft, a rejected motion, one decided only.
	other := adoptedInImplementation("other", "spd", 2026, 1, "", "Anderswo.")
	other.BodyID = "hd"
	private := adoptedInImplementation("private", "spd", 2026, 3, "", "Geheim.")
	private.SubmittedAt = nil
	rejected := adoptedInImplementation("rejected", "spd", 2026, 4, "", "Abgelehnt.")
	rejected.Outcome.Result = motion.ResultRejected
	decided := adoptedInImplementation("decided", "spd", 2026, 6, "", "Noch nicht begonnen.")
	decided.Status, decided.Points = motion.StatusDecided, nil
	for _, m := range []motion.Motion{late, green, old, closed, closedBare, other, private, rejected, decided} {
		project(t, s, m)
	}
	due := now.AddDate(0, 0, 20)
	for _, d := range []time.Time{due.AddDate(0, 1, 0), due} {
		if err := s.ProjectDeadlines(ctx(t), "late", "ma", "spd", []motion.Deadline{{Key: "implementation_report:" + d.Format("0102"),
			Kind: motion.DeadlineImplementationReport, Due: d, Rule: "implementation_report", RuleVersion: 1, Audiences: []string{"department:dez1"}}}); err != nil {
			t.Fatal(err)
		}
	}

	report := func(q store.ImplementationQuery) []store.ImplementationRow {
		t.Helper()
		q.BodyID, q.Now = "ma", now
		rows, err := s.ImplementationReport(ctx(t), q)
		if err != nil {
			t.Fatalf("ImplementationReport(%+v): %v", q, err)
		}
		return rows
	}
	rowIDs := func(rows []store.ImplementationRow) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.MotionID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    store.ImplementationQuery
		want []string
	}{
		{"all", store.ImplementationQuery{}, []string{"old", "green", "late"}},
		{"closed", store.ImplementationQuery{IncludeClosed: true}, []string{"closed", "old", "green", "late"}},
		{"council", store.ImplementationQuery{Organization: "gr"}, []string{"old", "late"}},
		{"committee", store.ImplementationQuery{Organization: "ha"}, []string{"green"}},
		{"co-sponsor", store.ImplementationQuery{Faction: "cdu"}, []string{"green", "late"}},
		{"involved department", store.ImplementationQuery{Department: "dez2"}, []string{"green", "late"}},
		{"lead department", store.ImplementationQuery{Department: "dez1"}, []string{"late"}},
		{"nobody", store.ImplementationQuery{Faction: "fdp"}, nil},
	} {
		equal(t, c.name, rowIDs(report(c.q)), c.want)
	}

	rows := report(store.ImplementationQuery{})
	byID := map[string]store.ImplementationRow{}
	for _, r := range rows {
		byID[r.MotionID] = r
	}
	r := byID["late"]
	if r.Reference != "A10/2026" || r.Organization != "gr" || r.LeadDepartment != "dez1" || r.Light != motion.LightRed ||
		r.Faction != "spd" || len(r.Cosponsors) != 1 || r.Status != motion.StatusImplementation {
		t.Errorf("late row %+v", r)
	}
	if r.NextReportDue == nil || !r.NextReportDue.Equal(due) {
		t.Errorf("late row: next report due %v, want the earliest deadline %v", r.NextReportDue, due)
	}
	if len(r.Points) != 2 {
		t.Fatalf("late row points %+v", r.Points)
	}
	if p := r.Points[0]; p.Text != "Radwege sanieren." || p.State != motion.PointInProgress || p.TargetDate == nil ||
		p.LastNote != "Planung läuft." || p.LastNoteAt == nil {
		t.Errorf("point 1 %+v: want its text, state, target date and the latest note with a text", p)
	}
	if p := r.Points[1]; p.State != motion.PointNotFeasible || p.Reason != "Kein Geld im Haushalt." {
		t.Errorf("point 2 %+v", p)
	}
	if g := byID["green"]; g.Light != motion.LightGreen || g.Organization != "ha" || g.NextReportDue != nil {
		t.Errorf("green row %+v", g)
	}
	if o := byID["old"]; o.Light != motion.LightYellow || o.DecidedAt == nil {
		t.Errorf("old row %+v", o)
	}
	if _, err := s.ImplementationReport(ctx(t), store.ImplementationQuery{}); err == nil {
		t.Error("a report without a body is not refused")
	}
}
