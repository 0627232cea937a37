package motion

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	t0     = time.Date(2019, 12, 12, 10, 0, 0, 0, time.UTC)
	anna   = Actor{Subject: "anna", Name: "Anna", Roles: []Role{RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	other  = Actor{Subject: "bernd", Name: "Bernd", Roles: []Role{RoleFactionStaff}, Faction: "cdu", Bodies: []string{"ma"}}
	clerk  = Actor{Subject: "rita", Name: "Rita", Roles: []Role{RoleCouncilOffice}, Bodies: []string{"ma"}}
	yes    = true
	sample = Content{Title: "Digitalisierung im Quadrat", ResolutionPoints: []string{"Punkt 1", "Punkt 2", "Punkt 3"}, BudgetCycle: "Haushalt 2020/2021"}
)

// do applies a command with the motion's current version and fails the test on refusal.
func do(t *testing.T, m *Motion, a Actor, c Command) Event {
	t.Helper()
	ev, err := Apply(m, Request{Command: c, Actor: a, ExpectedVersion: m.Version, At: t0.Add(time.Duration(m.Version) * time.Hour)})
	if err != nil {
		t.Fatalf("%s: %v", c.Name(), err)
	}
	return ev
}

func refused(t *testing.T, m *Motion, a Actor, c Command, want Code) *Error {
	t.Helper()
	before := m.Version
	_, err := Apply(m, Request{Command: c, Actor: a, ExpectedVersion: m.Version, At: t0})
	if CodeOf(err) != want {
		t.Fatalf("%s: got %v, want %s", c.Name(), err, want)
	}
	if m.Version != before {
		t.Fatalf("%s: a refusal changed the motion", c.Name())
	}
	e, _ := err.(*Error)
	return e
}

func inConsultation(t *testing.T) *Motion {
	m := &Motion{ID: "m1", BodyID: "ma"}
	do(t, m, anna, Create{BodyID: "ma", Kind: KindBudgetMotion, Content: sample})
	do(t, m, anna, Submit{})
	do(t, m, clerk, Register{Reference: "A1/2019", Year: 2019, Seq: 1})
	do(t, m, clerk, SetRoute{Steps: []RouteStep{{OrganizationID: "hfa"}, {OrganizationID: "gr", Decisive: true}}})
	do(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "hfa-1"})
	return m
}

func TestDraftIsVisibleOnlyToItsSponsors(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	do(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample})
	if m.VisibleTo(other) || m.VisibleTo(clerk) || m.VisibleTo(Actor{}) {
		t.Fatal("a draft is visible beyond its faction")
	}
	refused(t, m, other, Edit{Content: sample}, CodeNotFound)
	do(t, m, anna, InviteCosponsor{Faction: "cdu"})
	if !m.VisibleTo(other) {
		t.Fatal("an invited co-sponsor cannot see the draft")
	}
	do(t, m, other, Edit{Content: sample})
	refused(t, m, other, Submit{}, CodeForbidden) // only the originator submits
	do(t, m, anna, Submit{})
	if !m.VisibleTo(Actor{}) || m.VisibleTo(Actor{Subject: "x", Bodies: []string{"other-body"}}) {
		t.Fatal("a submitted motion must be public, but only within its body for signed-in callers")
	}
}

func TestSubmitRequiresACompleteMotion(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	do(t, m, anna, Create{BodyID: "ma", Kind: KindBudgetMotion, Content: Content{Title: "Nur ein Titel"}})
	e := refused(t, m, anna, Submit{}, CodeInvalid)
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	if got := strings.Join(names, ","); got != "resolution_points,budget_cycle" {
		t.Errorf("fields %s, want resolution_points,budget_cycle", got)
	}
}

func TestContentLimits(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	long := Content{Title: strings.Repeat("x", MaxTitle+1), ResolutionPoints: []string{"  "}, Tags: []string{"a\x00b"},
		Attachments: []Attachment{{Name: "a.pdf", URL: "javascript:alert(1)"}}}
	e := refused(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: long}, CodeInvalid)
	want := map[string]bool{"title": true, "resolution_points[0]": true, "tags[0]": true, "attachments[0].url": true}
	for _, f := range e.Fields {
		delete(want, f.Field)
	}
	if len(want) > 0 {
		t.Errorf("not reported: %v (got %v)", want, e.Fields)
	}
	refused(t, m, anna, Create{BodyID: "ma", Kind: "petition", Content: sample}, CodeInvalid)
	refused(t, m, clerk, Create{BodyID: "ma", Kind: KindMotion, Content: sample}, CodeForbidden)
	refused(t, m, anna, Create{BodyID: "elsewhere", Kind: KindMotion, Content: sample}, CodeForbidden)
}

func TestSettledByOtherResolutionsNeedsLinksAndAgreement(t *testing.T) {
	m := inConsultation(t)
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval}})
	do(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-1"})
	e := refused(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultSettledByOtherResolutions}}, CodeInvalid)
	if len(e.Fields) != 2 || e.Fields[0].Field != "links" || e.Fields[1].Field != "originator_agreed" {
		t.Errorf("fields %v, want links and originator_agreed", e.Fields)
	}
	do(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultSettledByOtherResolutions,
		Links: []Link{{Reference: "V1/2019"}}, OriginatorAgreed: &yes, Vote: &Vote{Yes: 40, Unanimous: true}}})
	if m.Status != StatusDecided || m.Outcome.Result != ResultSettledByOtherResolutions || m.Outcome.ConsultationID != "c2" {
		t.Fatalf("status %s outcome %+v", m.Status, m.Outcome)
	}
	refused(t, m, clerk, StartImplementation{}, CodeIllegalTransition) // nothing adopted to implement
}

func TestCommitteesRecommendAndTheCouncilDecides(t *testing.T) {
	m := inConsultation(t)
	refused(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultAdopted}}, CodeInvalid)
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval}})
	if m.Status != StatusInConsultation {
		t.Fatalf("a recommendation decided the motion: %s", m.Status)
	}
	do(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-1"})
	refused(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultRecommendApproval}}, CodeInvalid)
	do(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultAdopted}})
	do(t, m, clerk, StartImplementation{})
	if m.Status != StatusImplementation {
		t.Fatalf("status %s", m.Status)
	}
}

func TestPostponedGoesBackToPlannedAndReferredAddsSteps(t *testing.T) {
	m := inConsultation(t)
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultPostponed}})
	if c := m.Consultation("c1"); c.Status != ConsultationPlanned || c.MeetingID != "" {
		t.Fatalf("postponed consultation: %+v", c)
	}
	do(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "hfa-2"})
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval}})
	do(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-1"})
	do(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultReferred, ReferredTo: "bau"}})
	var route []string
	for _, c := range m.Consultations {
		route = append(route, c.OrganizationID+":"+string(c.Status))
	}
	if got := strings.Join(route, " "); got != "hfa:done gr:done bau:planned gr:planned" {
		t.Fatalf("route after referral: %s", got)
	}
	if last := m.Consultations[3]; !last.Decisive || m.Consultations[1].Decisive {
		t.Errorf("the council must decide after the referral: %+v", m.Consultations)
	}
}

func TestCorrectionNeedsReasonAndKeepsOutcomeInStep(t *testing.T) {
	m := inConsultation(t)
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval}})
	do(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-1"})
	do(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 30, No: 12}}})
	refused(t, m, clerk, CorrectResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultRejected}}, CodeInvalid)
	refused(t, m, clerk, CorrectResult{ConsultationID: "c2", Reason: "x", ResultInput: ResultInput{Result: ResultPostponed}}, CodeInvalid)
	ev := do(t, m, clerk, CorrectResult{ConsultationID: "c2", Reason: "Stimmen vertauscht", ResultInput: ResultInput{Result: ResultRejected, Vote: &Vote{Yes: 12, No: 30}}})
	if m.Outcome.Result != ResultRejected || m.Consultation("c2").Corrections != 1 || ev.Reason != "Stimmen vertauscht" {
		t.Fatalf("after correction: outcome %+v, event %+v", m.Outcome, ev)
	}
}

func TestVoteMustAddUp(t *testing.T) {
	m := inConsultation(t)
	bad := []*Vote{
		{Yes: -1},
		{Yes: 10, No: 2, Unanimous: true},
		{Yes: 10, No: 2, ByFaction: []FactionVote{{OrganizationID: "spd", Yes: 9, No: 2}}},
		{Yes: 1, Named: []NamedVote{{Name: "A", Vote: "no"}}},
	}
	for _, v := range bad {
		refused(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval, Vote: v}}, CodeInvalid)
	}
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval, Vote: &Vote{
		Yes: 2, No: 1, ByFaction: []FactionVote{{OrganizationID: "spd", Yes: 2}, {OrganizationID: "cdu", No: 1}},
		Named: []NamedVote{{Name: "A", Vote: "yes"}, {Name: "B", Vote: "yes"}, {Name: "C", Vote: "no"}},
	}}})
}

func TestStaleVersionIsRefusedBeforeAnythingElse(t *testing.T) {
	m := inConsultation(t)
	_, err := Apply(m, Request{Command: Lapse{Reason: "x"}, Actor: clerk, ExpectedVersion: m.Version - 1, At: t0})
	if CodeOf(err) != CodeStaleVersion {
		t.Fatalf("got %v", err)
	}
}

// TestAnyVersionAppliesToTheCurrentOne: If-Match "*" skips only the version
// check; visibility, role and status still decide.
func TestAnyVersionAppliesToTheCurrentOne(t *testing.T) {
	m := inConsultation(t)
	before := m.Version
	if _, err := Apply(m, Request{Command: Lapse{Reason: "Ende der Amtszeit"}, Actor: clerk, ExpectedVersion: AnyVersion, At: t0}); err != nil {
		t.Fatalf("lapse with any version: %v", err)
	}
	if m.Version != before+1 || m.Status != StatusLapsed {
		t.Fatalf("after lapse with any version: v%d %s", m.Version, m.Status)
	}
	if _, err := Apply(m, Request{Command: Lapse{Reason: "nochmal"}, Actor: clerk, ExpectedVersion: AnyVersion, At: t0}); CodeOf(err) != CodeIllegalTransition {
		t.Fatalf("second lapse with any version: %v, want IllegalTransition", err)
	}
}

func TestAllowedListsOnlyWhatSucceeds(t *testing.T) {
	m := inConsultation(t)
	got := Allowed(m, clerk)
	for _, c := range got {
		if _, err := Permit(m, c, clerk, m.Version); err != nil {
			t.Errorf("%s listed but refused: %v", c, err)
		}
	}
	if len(Allowed(m, Actor{})) != 0 {
		t.Error("the public may do nothing")
	}
	if a := Allowed(m, anna); len(a) != 1 || a[0] != CmdWithdraw {
		t.Errorf("originator may only withdraw now, got %v", a)
	}
}

func TestAllowedLeavesOutImplementingWhatWasNotAdopted(t *testing.T) {
	m := inConsultation(t)
	do(t, m, clerk, RecordOutcome{Result: ResultRejected})
	if slices.Contains(Allowed(m, clerk), CmdStartImplementation) {
		t.Errorf("a rejected motion offers %q: %v", CmdStartImplementation, Allowed(m, clerk))
	}
	if !slices.Contains(Allowed(m, clerk), CmdClose) {
		t.Errorf("a rejected motion can be closed: %v", Allowed(m, clerk))
	}
}
