package motion

import (
	"strings"
	"testing"
	"time"
)

// adoptedWithThreePoints brings the example's three points through the
// council into implementation under today's rules, with dez1 in the lead.
func adoptedWithThreePoints(t *testing.T) *Motion {
	t.Helper()
	m := &Motion{ID: "m1", BodyID: "ma"}
	now(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample})
	now(t, m, anna, Submit{})
	now(t, m, clerk, Register{Reference: "A1/2019", Year: 2019, Seq: 1, LeadDepartment: "dez1", InvolvedDepartments: []string{"dez2"}})
	now(t, m, clerk, SetRoute{Steps: []RouteStep{{OrganizationID: "gr", Decisive: true}}})
	now(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-1"})
	now(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 30, No: 10}}})
	now(t, m, clerk, StartImplementation{})
	return m
}

// TestEachPointIsFollowedToItsEnd: the lead and involved departments report
// per point; a point that cannot be done needs a reason; the light turns red
// past a target date; once every point is final the council office is asked
// to close the motion instead of the departments being asked to report.
func TestEachPointIsFollowedToItsEnd(t *testing.T) {
	m := adoptedWithThreePoints(t)
	if len(m.Points) != 3 || m.Points[2].State != PointOpen || m.LeadDepartment != "dez1" {
		t.Fatalf("points %+v lead %q", m.Points, m.LeadDepartment)
	}
	if m.Light(t0) != LightYellow {
		t.Fatalf("nothing started: %s", m.Light(t0))
	}
	outsider := Actor{Subject: "x", Name: "X", Roles: []Role{RoleAdministration}, Department: "dez3", Bodies: []string{"ma"}}
	refusedNow(t, m, outsider, ReportImplementation{Text: "Bericht."}, CodeForbidden)
	e := refusedNow(t, m, dez1, ReportImplementation{Points: []PointReport{{Point: 4, State: PointDone}, {Point: 2, State: PointNotFeasible}, {Point: 2, State: "fertig"}}}, CodeInvalid)
	want := []string{
		"points[0].point: Den 4. Beschlusspunkt gibt es nicht; der Antrag hat 3.",
		"points[1].reason: Bitte begründen Sie, warum der 2. Beschlusspunkt nicht umsetzbar ist.",
		"points[2].point: Der 2. Beschlusspunkt ist im Bericht schon genannt.",
		"points[2].state: Bitte wählen Sie den Stand des 2. Beschlusspunkts: offen, in Arbeit, umgesetzt oder nicht umsetzbar.",
	}
	if got := fieldErrors(e); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("refusal\n got %q\nwant %q", got, want)
	}
	target := t0.AddDate(0, 2, 0)
	now(t, m, dez1, ReportImplementation{Text: "Erster Quartalsbericht.", Points: []PointReport{
		{Point: 1, State: PointInProgress, TargetDate: &target, Note: "Ausschreibung läuft."},
		{Point: 2, State: PointDone}, {Point: 3, State: PointInProgress, TargetDate: &target}}})
	if m.Light(t0) != LightGreen || m.Light(target.Add(time.Hour)) != LightGreen || m.Light(target.AddDate(0, 0, 1)) != LightRed {
		t.Fatalf("light %s / on the target day %s / the day after %s", m.Light(t0), m.Light(target.Add(time.Hour)), m.Light(target.AddDate(0, 0, 1)))
	}
	cal := Calendar{Rules: DefaultDeadlineRules(), Revision: CalendarRevision}
	ds := Deadlines(m, cal)
	if len(ds) != 1 || ds[0].Kind != DeadlineImplementationReport ||
		strings.Join(ds[0].Audiences, ",") != "department:dez1,department:dez2,faction:spd" {
		t.Fatalf("deadlines during implementation: %+v", ds)
	}
	now(t, m, dez2, ReportImplementation{Points: []PointReport{{Point: 1, State: PointDone}, {Point: 3, State: PointNotFeasible, Reason: "Kein Fördergeld."}}})
	if !m.ImplementationDone() || m.Points[2].Reason != "Kein Fördergeld." || len(m.Points[0].Notes) != 2 || m.Light(target.AddDate(0, 0, 1)) != LightYellow {
		t.Fatalf("done: %+v", m.Points)
	}
	ds = Deadlines(m, cal)
	if len(ds) != 1 || ds[0].Kind != DeadlineImplementationClose || ds[0].Audiences[0] != AudienceCouncilOffice ||
		!ds[0].Due.Equal(m.Reports[1].At.Add(14*24*time.Hour)) {
		t.Fatalf("the council office is asked to close: %+v", ds)
	}
	now(t, m, clerk, Close{Note: "Umgesetzt."})
	if len(Deadlines(m, cal)) != 0 {
		t.Fatal("a closed motion has no deadlines")
	}
}

// TestReportsFollowTheQuarters: with quarterly reports, each one is due at
// the end of the first quarter that ends at least three months after the
// last report (or the decision), in the council's time zone.
func TestReportsFollowTheQuarters(t *testing.T) {
	r := DefaultDeadlineRules()
	for _, tc := range []struct{ anchor, want string }{
		{"2027-02-10T10:00:00+01:00", "2027-07-01T00:00:00+02:00"},
		{"2027-06-20T10:00:00+02:00", "2027-10-01T00:00:00+02:00"},
		{"2026-12-31T23:30:00+01:00", "2027-04-01T00:00:00+02:00"},
		{"2027-01-01T00:00:00+01:00", "2027-04-01T00:00:00+02:00"},
	} {
		anchor, _ := time.Parse(time.RFC3339, tc.anchor)
		want, _ := time.Parse(time.RFC3339, tc.want)
		if got := r.nextReport(anchor.UTC()); !got.Equal(want) {
			t.Errorf("after %s: due %s, want %s", tc.anchor, got.In(Berlin).Format(time.RFC3339), tc.want)
		}
	}
}

// TestACorrectionToRejectedEndsTheImplementation: a decision corrected to
// "rejected" leaves nothing to implement: back to decided, no report asked
// for, and no "ohne Fortgang" either. A run of revision 0 keeps the status.
func TestACorrectionToRejectedEndsTheImplementation(t *testing.T) {
	m := adoptedWithThreePoints(t)
	now(t, m, clerk, CorrectResult{ConsultationID: "c1", Reason: "Zählfehler", ResultInput: ResultInput{Result: ResultRejected, Vote: &Vote{Yes: 10, No: 30}}})
	if m.Status != StatusDecided || m.Outcome.Result != ResultRejected {
		t.Fatalf("status %s outcome %s", m.Status, m.Outcome.Result)
	}
	if ds := Deadlines(m, Calendar{Rules: DefaultDeadlineRules(), Revision: CalendarRevision}); len(ds) != 0 {
		t.Fatalf("deadlines after the correction: %+v", ds)
	}
	refusedNow(t, m, dez1, ReportImplementation{Text: "Bericht."}, CodeIllegalTransition)
}

// TestNoStaleDeadlineDuringImplementation: calendars of revision 2 ask for
// reports instead; those of revision 1 (histories recorded before) keep the
// stale deadline they had.
func TestNoStaleDeadlineDuringImplementation(t *testing.T) {
	m := adoptedWithThreePoints(t)
	for _, d := range Deadlines(m, Calendar{Rules: DefaultDeadlineRules(), Revision: CalendarRevision}) {
		if d.Kind == DeadlineStale {
			t.Fatal("stale deadline during implementation")
		}
	}
	stale := false
	for _, d := range Deadlines(m, Calendar{Rules: DefaultDeadlineRules(), Revision: 1}) {
		stale = stale || d.Kind == DeadlineStale
	}
	if !stale {
		t.Fatal("a calendar of revision 1 lost its stale deadline")
	}
}

// TestARegistrationNamesItsDepartmentsOnce: the fields of a refusal are
// those of the registration.
func TestARegistrationNamesItsDepartmentsOnce(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	now(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample})
	now(t, m, anna, Submit{})
	e := refusedNow(t, m, clerk, Register{Reference: "A1/2019", Year: 2019, Seq: 1, LeadDepartment: "dez1", InvolvedDepartments: []string{"dez2", "dez1"}}, CodeInvalid)
	if got := fieldErrors(e); len(got) != 1 || got[0] != "involved_departments[1]: Das 2. beteiligte Dezernat ist schon genannt oder federführend." {
		t.Fatalf("refusal %q", got)
	}
}

// TestTheQuorumIsTheBodysShare: one sixth of the members by default
// (§ 34 GemO BW), another share where the body's code asks for it, one for
// an inquiry.
func TestTheQuorumIsTheBodysShare(t *testing.T) {
	r := DefaultDeadlineRules()
	if q := r.Quorum(KindMotion, 48); q != 8 {
		t.Errorf("one sixth of 48: %d", q)
	}
	if q := r.Quorum(KindMotion, 49); q != 9 {
		t.Errorf("one sixth of 49, rounded up: %d", q)
	}
	r.QuorumDivisor = 5
	if q := r.Quorum(KindBudgetMotion, 48); q != 10 {
		t.Errorf("one fifth of 48: %d", q)
	}
	if q := r.Quorum(KindInquiry, 48); q != 1 {
		t.Errorf("an inquiry: %d", q)
	}
	r.QuorumDivisor = 0 // rules stored before the field
	if q := r.Quorum(KindMotion, 48); q != 8 {
		t.Errorf("unset: %d", q)
	}
	r.QuorumDivisor = 101
	if err := r.Validate(); err == nil || !strings.Contains(err.(*Error).Fields[0].Field, "quorum_divisor") {
		t.Errorf("a divisor beyond 100: %v", err)
	}
}
