package motion

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The rules that bind a motion's consultations to their meetings (issue 12):
// a result is the meeting's and counts from its start, the route's order
// holds unless the council office gives a reason, a past meeting takes no
// new item, § 34 GemO's agenda placement is met only by a published agenda
// of the organization that decides, and a cancelled meeting asks for a new
// one. All dates are fixed and given in Berlin time.

func berlin(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, Berlin)
}

func ptr(t time.Time) *time.Time { return &t }

// doAt applies a command at the given time and fails the test on refusal.
func doAt(t *testing.T, m *Motion, a Actor, c Command, at time.Time) Event {
	t.Helper()
	ev, err := Apply(m, Request{Command: c, Actor: a, ExpectedVersion: m.Version, At: at})
	if err != nil {
		t.Fatalf("%s: %v", c.Name(), err)
	}
	return ev
}

// refusedAt applies a command at the given time, wants it refused with code
// and the motion unchanged, and returns the refusal.
func refusedAt(t *testing.T, m *Motion, a Actor, c Command, at time.Time, want Code) *Error {
	t.Helper()
	before := m.Clone()
	_, err := Apply(m, Request{Command: c, Actor: a, ExpectedVersion: m.Version, At: at})
	if CodeOf(err) != want {
		t.Fatalf("%s: got %v, want %s", c.Name(), err, want)
	}
	if m.Version != before.Version || len(m.Consultations) != len(before.Consultations) {
		t.Fatalf("%s: a refusal changed the motion", c.Name())
	}
	e, _ := err.(*Error)
	return e
}

// fieldMessage returns the message of the refusal's error on field, or "".
func fieldMessage(e *Error, field string) string {
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

var submitted = berlin(2027, 1, 11, 10, 0)

// routed returns a motion submitted on 11 January 2027 with the route
// given, the last step deciding.
func routed(t *testing.T, orgs ...string) *Motion {
	t.Helper()
	m := &Motion{ID: "m1", BodyID: "ma"}
	doAt(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample}, submitted.Add(-time.Hour))
	doAt(t, m, anna, Submit{}, submitted)
	doAt(t, m, clerk, Register{Reference: "A1/2027", Year: 2027, Seq: 1}, submitted.Add(time.Hour))
	var steps []RouteStep
	for i, o := range orgs {
		steps = append(steps, RouteStep{OrganizationID: o, Decisive: i == len(orgs)-1})
	}
	doAt(t, m, clerk, SetRoute{Steps: steps}, submitted.Add(2*time.Hour))
	return m
}

func route(m *Motion) string {
	var out []string
	for _, c := range m.Consultations {
		out = append(out, c.OrganizationID+":"+string(c.Status))
	}
	return strings.Join(out, " ")
}

func TestDecisionDateIsTheMeetingsStartNotWhenTheResultWasTypedIn(t *testing.T) {
	council := berlin(2027, 4, 20, 16, 0)
	typedIn := berlin(2027, 4, 23, 9, 30)
	m := routed(t, "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-apr", MeetingStart: ptr(council)}, berlin(2027, 3, 1, 9, 0))
	doAt(t, m, clerk, RecordResult{ConsultationID: "c1", MeetingStart: ptr(council),
		ResultInput: ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 30, No: 10}}}, typedIn)

	if m.DecidedAt == nil || !m.DecidedAt.Equal(council) || !m.Outcome.DecidedAt.Equal(council) {
		t.Fatalf("decided at %v (outcome %v), want the council's meeting of 20 April 2027 16:00", m.DecidedAt, m.Outcome.DecidedAt)
	}
	rec := m.Consultation("c1").Record
	if rec.DecidedAt == nil || !rec.DecidedAt.Equal(council) || !rec.RecordedAt.Equal(typedIn) {
		t.Errorf("record decided %v, recorded %v: want the meeting's start and the time it was typed in", rec.DecidedAt, rec.RecordedAt)
	}
	// The report on implementing it is due six months after the meeting, not after the typing.
	cal := Calendar{Rules: DefaultDeadlineRules(), Revision: CalendarRevision}
	var report *Deadline
	for _, d := range Deadlines(m, cal) {
		if d.Kind == DeadlineImplementationReport {
			report = &d
		}
	}
	if report == nil || !report.Due.Equal(berlin(2027, 10, 20, 16, 0)) {
		t.Errorf("implementation report %+v, want due 20 October 2027 16:00", report)
	}
}

func TestResultWithoutMeetingStartIsDecidedWhenRecordedAsBefore(t *testing.T) {
	// Commands recorded in workflow histories before the meeting's start was
	// filled in must replay to the same state.
	typedIn := berlin(2027, 4, 23, 9, 30)
	m := routed(t, "hfa", "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-apr"}, berlin(2027, 3, 1, 9, 0))
	doAt(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultAdopted}}, typedIn)
	if !m.DecidedAt.Equal(typedIn) || m.Consultation("c2").Record.DecidedAt != nil {
		t.Errorf("decided at %v, record %+v: want the time recorded and no meeting date", m.DecidedAt, m.Consultation("c2").Record)
	}
	if got := route(m); got != "gr:done" {
		t.Errorf("route %q: a command without the meeting's start drops the open step as it did before", got)
	}
}

func TestNoResultBeforeTheMeetingHasBegun(t *testing.T) {
	council := berlin(2027, 4, 20, 16, 0)
	m := routed(t, "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-apr", MeetingStart: ptr(council)}, berlin(2027, 1, 20, 9, 0))
	record := RecordResult{ConsultationID: "c1", MeetingStart: ptr(council), ResultInput: ResultInput{Result: ResultAdopted}}
	e := refusedAt(t, m, clerk, record, berlin(2027, 2, 3, 10, 0), CodeInvalid)
	if msg := fieldMessage(e, "consultation_id"); !strings.Contains(msg, "Die Sitzung hat noch nicht stattgefunden") || !strings.HasSuffix(msg, ".") {
		t.Errorf("refusal %v: want the sentence that the meeting has not taken place, at consultation_id", e)
	}
	refusedAt(t, m, clerk, record, council.Add(-time.Minute), CodeInvalid)
	doAt(t, m, clerk, record, council.Add(90*time.Minute)) // during the session
	if m.Status != StatusDecided {
		t.Fatalf("status %s", m.Status)
	}
	// A correction of it is the meeting's too.
	fix := CorrectResult{ConsultationID: "c1", Reason: "Tippfehler", MeetingStart: ptr(berlin(2027, 5, 4, 16, 0)), ResultInput: ResultInput{Result: ResultRejected}}
	refusedAt(t, m, clerk, fix, berlin(2027, 4, 30, 9, 0), CodeInvalid)
}

func TestCorrectionWithTheMeetingsStartRepairsTheDecisionDate(t *testing.T) {
	council := berlin(2027, 4, 20, 16, 0)
	m := routed(t, "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-apr"}, berlin(2027, 3, 1, 9, 0))
	doAt(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultAdopted}}, berlin(2027, 4, 28, 9, 0))
	doAt(t, m, clerk, CorrectResult{ConsultationID: "c1", Reason: "Datum der Sitzung", MeetingStart: ptr(council),
		ResultInput: ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 25, No: 20}}}, berlin(2027, 5, 2, 9, 0))
	if !m.DecidedAt.Equal(council) || !m.Outcome.DecidedAt.Equal(council) || !m.Consultation("c1").Record.DecidedAt.Equal(council) {
		t.Errorf("after the correction decided at %v / %v / %v, want 20 April 2027 16:00", m.DecidedAt, m.Outcome.DecidedAt, m.Consultation("c1").Record.DecidedAt)
	}
}

func TestTheCouncilCannotDecideBeforeTheAdvisingCommitteeWithoutAReason(t *testing.T) {
	committee := berlin(2027, 3, 2, 16, 0)
	council := berlin(2027, 2, 23, 16, 0)
	m := routed(t, "hfa", "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "hfa-mar", MeetingStart: ptr(committee)}, berlin(2027, 1, 20, 9, 0))
	doAt(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-feb", MeetingStart: ptr(council)}, berlin(2027, 1, 20, 9, 5))
	after := council.Add(3 * time.Hour)
	adopt := RecordResult{ConsultationID: "c2", MeetingStart: ptr(council), ResultInput: ResultInput{Result: ResultAdopted}}

	e := refusedAt(t, m, clerk, adopt, after, CodeInvalid)
	msg := fieldMessage(e, "override")
	if !strings.Contains(msg, "vorberatende Gremium hfa hat den Antrag noch nicht beraten") || !strings.HasSuffix(msg, ".") {
		t.Errorf("refusal %v: want a sentence at override saying that hfa has not dealt with it", e)
	}
	// Postponing it deals with nothing and needs no reason.
	doAt(t, m, clerk, RecordResult{ConsultationID: "c2", MeetingStart: ptr(council), ResultInput: ResultInput{Result: ResultPostponed}}, after)
	if got := route(m); got != "hfa:scheduled gr:planned" {
		t.Fatalf("route after the postponement %q", got)
	}

	// With the council office's reason it is recorded, and the committee's
	// step stays in the route as skipped, with the reason.
	doAt(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-feb", MeetingStart: ptr(council)}, after)
	adopt.Override = "Eilentscheidung: Förderfrist endet am 28. Februar."
	ev := doAt(t, m, clerk, adopt, after.Add(time.Minute))
	if m.Status != StatusDecided || m.Outcome.ConsultationID != "c2" {
		t.Fatalf("status %s, outcome %+v", m.Status, m.Outcome)
	}
	if got := route(m); got != "hfa:skipped gr:done" {
		t.Fatalf("route %q, want the committee's step kept as skipped", got)
	}
	skipped := m.Consultation("c1")
	if skipped.Skipped == nil || skipped.Skipped.Reason != adopt.Override || skipped.Skipped.By != "c2" || skipped.MeetingID != "" ||
		skipped.Status.Label() != "übersprungen" {
		t.Errorf("skipped step %+v: want the reason, the step that skipped it, no meeting, and the label „übersprungen“", skipped)
	}
	if m.Consultation("c2").Record.Override != adopt.Override || ev.Reason != adopt.Override || !strings.Contains(ev.Summary, "abweichend von der Beratungsfolge") {
		t.Errorf("record %+v, event %q / %q: the deviation must be on record and in the history", m.Consultation("c2").Record, ev.Summary, ev.Reason)
	}
	if slices.Contains(m.MeetingIDs(), "hfa-mar") {
		t.Errorf("the skipped step is still on the committee's agenda: %v", m.MeetingIDs())
	}
}

func TestSkippedStepsStayThroughANewRouteAndCannotBeScheduled(t *testing.T) {
	council := berlin(2027, 2, 23, 16, 0)
	m := routed(t, "hfa", "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-feb", MeetingStart: ptr(council)}, berlin(2027, 1, 20, 9, 0))
	doAt(t, m, clerk, RecordResult{ConsultationID: "c2", MeetingStart: ptr(council), Override: "Der Ausschuss tagt erst nach der Frist.",
		ResultInput: ResultInput{Result: ResultReferred, ReferredTo: "bau"}}, council.Add(time.Hour))
	if got := route(m); got != "hfa:skipped gr:done bau:planned gr:planned" {
		t.Fatalf("route after a referral ahead of the committee %q", got)
	}
	e := refusedAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "hfa-mar"}, council.Add(2*time.Hour), CodeInvalid)
	if fieldMessage(e, "consultation_id") == "" {
		t.Errorf("scheduling a skipped step: %v", e)
	}
	doAt(t, m, clerk, SetRoute{Steps: []RouteStep{{OrganizationID: "gr", Decisive: true}}}, council.Add(3*time.Hour))
	if got := route(m); got != "hfa:skipped gr:done gr:planned" {
		t.Errorf("route after a new route %q: the skipped step stays", got)
	}
}

func TestOverrideIsCheckedAsText(t *testing.T) {
	council := berlin(2027, 2, 23, 16, 0)
	m := routed(t, "hfa", "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-feb", MeetingStart: ptr(council)}, berlin(2027, 1, 20, 9, 0))
	e := refusedAt(t, m, clerk, RecordResult{ConsultationID: "c2", MeetingStart: ptr(council), Override: "Eilig\x00",
		ResultInput: ResultInput{Result: ResultAdopted}}, council.Add(time.Hour), CodeInvalid)
	if fieldMessage(e, "override") == "" {
		t.Errorf("a NUL in the reason: %v, want a refusal at override", e)
	}
	e = refusedAt(t, m, clerk, RecordResult{ConsultationID: "c2", MeetingStart: ptr(council), Override: "   ",
		ResultInput: ResultInput{Result: ResultAdopted}}, council.Add(time.Hour), CodeInvalid)
	if fieldMessage(e, "override") == "" {
		t.Errorf("a blank reason: %v, want a refusal at override", e)
	}
}

func TestNoSchedulingIntoAMeetingOfAnEarlierDay(t *testing.T) {
	m := routed(t, "gr")
	now := berlin(2027, 2, 3, 11, 0)
	e := refusedAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-feb-2", MeetingStart: ptr(berlin(2027, 2, 2, 16, 0))}, now, CodeInvalid)
	if msg := fieldMessage(e, "meeting_id"); !strings.Contains(msg, "bereits stattgefunden") {
		t.Errorf("refusal %v: want a sentence at meeting_id", e)
	}
	// Late in the evening in Berlin it is the next day there, though not in UTC.
	late := time.Date(2027, 2, 3, 23, 30, 0, 0, time.UTC) // 4 February 00:30 in Berlin
	refusedAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-feb-3", MeetingStart: ptr(berlin(2027, 2, 3, 19, 0))}, late, CodeInvalid)
	// A meeting of today still takes an item, even after it began.
	today := berlin(2027, 2, 3, 9, 0)
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-feb-3", MeetingStart: ptr(today)}, now)
	if k := m.Consultation("c1"); k.Status != ConsultationScheduled || k.MeetingStart == nil || !k.MeetingStart.Equal(today) {
		t.Errorf("consultation %+v: want it scheduled with the meeting's start kept", k)
	}
	// Without the meeting's start (commands recorded before) the old rule applies.
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-2020"}, now)
	if k := m.Consultation("c1"); k.MeetingID != "gr-2020" || k.MeetingStart != nil {
		t.Errorf("consultation %+v: moved without a start, it keeps none", k)
	}
}

// councilMeetings are the council's meetings of early 2027: 26 January,
// 23 February, 23 March.
func councilMeetings(published ...string) []MeetingDate {
	out := []MeetingDate{
		{ID: "gr-jan", OrganizationID: "gr", Start: berlin(2027, 1, 26, 16, 0)},
		{ID: "gr-feb", OrganizationID: "gr", Start: berlin(2027, 2, 23, 16, 0)},
		{ID: "gr-mar", OrganizationID: "gr", Start: berlin(2027, 3, 23, 16, 0)},
	}
	for i := range out {
		out[i].Published = slices.Contains(published, out[i].ID)
	}
	return out
}

func calendar(revision int, published ...string) Calendar {
	rules := DefaultDeadlineRules()
	rules.Stale = 0
	council := councilMeetings(published...)
	return Calendar{Rules: rules, CouncilMeetings: council, DecisiveOrganization: "gr", DecisiveMeetings: council,
		Meetings: council, Revision: revision}
}

func agendaPlacement(m *Motion, cal Calendar) *Deadline {
	for _, d := range Deadlines(m, cal) {
		if d.Kind == DeadlineAgendaPlacement {
			return &d
		}
	}
	return nil
}

func TestAgendaPlacementNeedsThePublishedAgenda(t *testing.T) {
	m := routed(t, "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-feb", MeetingStart: ptr(berlin(2027, 2, 23, 16, 0))}, berlin(2027, 1, 20, 9, 0))
	// Scheduled in the second-next meeting, but its invitation is not out yet.
	d := agendaPlacement(m, calendar(CalendarRevision))
	if d == nil || d.MeetingID != "gr-feb" || !d.Due.Equal(berlin(2027, 2, 23, 16, 0)) {
		t.Fatalf("agenda placement %+v, want it still due at the February meeting", d)
	}
	if d := agendaPlacement(m, calendar(CalendarRevision, "gr-feb")); d != nil {
		t.Errorf("agenda placement %+v although the motion is on the published February agenda", d)
	}
	// A published agenda after the limit does not meet it.
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-mar", MeetingStart: ptr(berlin(2027, 3, 23, 16, 0))}, berlin(2027, 1, 21, 9, 0))
	if d := agendaPlacement(m, calendar(CalendarRevision, "gr-mar")); d == nil {
		t.Error("no agenda placement deadline although the motion waits for the third meeting")
	}
	// A calendar loaded before agendas were published (a replayed history) counts scheduling, as then.
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-feb"}, berlin(2027, 1, 22, 9, 0))
	if d := agendaPlacement(m, calendar(0)); d != nil {
		t.Errorf("agenda placement %+v under a calendar of revision 0", d)
	}
}

func TestAgendaPlacementIsGoneOnceTheCouncilDealtWithTheMotion(t *testing.T) {
	jan := berlin(2027, 1, 26, 16, 0)
	m := routed(t, "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-jan", MeetingStart: ptr(jan)}, berlin(2027, 1, 12, 9, 0))
	doAt(t, m, clerk, RecordResult{ConsultationID: "c1", MeetingStart: ptr(jan), ResultInput: ResultInput{Result: ResultReferred, ReferredTo: "bau"}}, jan.Add(2*time.Hour))
	if got := route(m); got != "gr:done bau:planned gr:planned" {
		t.Fatalf("route after the referral %q", got)
	}
	if d := agendaPlacement(m, calendar(CalendarRevision, "gr-jan")); d != nil {
		t.Errorf("agenda placement %+v came back after the council referred the motion to a committee", d)
	}

	// A postponement is not dealing with it: the deadline stays.
	p := routed(t, "gr")
	doAt(t, p, clerk, Schedule{ConsultationID: "c1", MeetingID: "gr-jan", MeetingStart: ptr(jan)}, berlin(2027, 1, 12, 9, 0))
	doAt(t, p, clerk, RecordResult{ConsultationID: "c1", MeetingStart: ptr(jan), ResultInput: ResultInput{Result: ResultPostponed}}, jan.Add(2*time.Hour))
	if d := agendaPlacement(p, calendar(CalendarRevision, "gr-jan")); d == nil || d.MeetingID != "gr-feb" {
		t.Errorf("agenda placement %+v after a postponement, want it due at the February meeting", d)
	}
}

func TestAgendaPlacementCountsTheMeetingsOfTheCommitteeThatDecides(t *testing.T) {
	m := routed(t, "bbr", "ha")
	cal := calendar(CalendarRevision)
	cal.DecisiveOrganization = "ha"
	cal.DecisiveMeetings = []MeetingDate{
		{ID: "ha-jan", OrganizationID: "ha", Start: berlin(2027, 1, 19, 16, 0)},
		{ID: "ha-feb", OrganizationID: "ha", Start: berlin(2027, 2, 9, 16, 0), Cancelled: true},
		{ID: "ha-mar", OrganizationID: "ha", Start: berlin(2027, 3, 9, 16, 0)},
	}
	d := agendaPlacement(m, cal)
	if d == nil || d.MeetingID != "ha-mar" || !d.Due.Equal(berlin(2027, 3, 9, 16, 0)) {
		t.Fatalf("agenda placement %+v, want the committee's second meeting after submission that takes place (9 March)", d)
	}
	if m.DecisiveOrganization() != "ha" {
		t.Errorf("deciding organization %q, want ha", m.DecisiveOrganization())
	}
	// A calendar loaded for another organization (the route changed since)
	// or of revision 0 counts the council's meetings.
	for _, c := range []Calendar{calendar(CalendarRevision), calendar(0)} {
		c.DecisiveMeetings = cal.DecisiveMeetings
		if d := agendaPlacement(m, c); d == nil || d.MeetingID != "gr-feb" {
			t.Errorf("agenda placement %+v under a calendar for gr of revision %d, want the council's February meeting", d, c.Revision)
		}
	}
	// The committee that only advises does not meet it; the deciding one does.
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "bbr-feb", MeetingStart: ptr(berlin(2027, 2, 1, 18, 0))}, berlin(2027, 1, 12, 9, 0))
	cal.Meetings = append(cal.Meetings, MeetingDate{ID: "bbr-feb", OrganizationID: "bbr", Start: berlin(2027, 2, 1, 18, 0), Published: true})
	if agendaPlacement(m, cal) == nil {
		t.Error("an advising committee's agenda met the deadline of the committee that decides")
	}
	doAt(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "ha-jan", MeetingStart: ptr(berlin(2027, 1, 19, 16, 0))}, berlin(2027, 1, 12, 9, 5))
	cal.Meetings = append(cal.Meetings, MeetingDate{ID: "ha-jan", OrganizationID: "ha", Start: berlin(2027, 1, 19, 16, 0), Published: true})
	if d := agendaPlacement(m, cal); d != nil {
		t.Errorf("agenda placement %+v although the deciding committee has it on its published January agenda", d)
	}
}

func TestACancelledMeetingAsksTheCouncilOfficeToReschedule(t *testing.T) {
	m := routed(t, "hfa", "gr")
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "hfa-feb", MeetingStart: ptr(berlin(2027, 2, 9, 16, 0))}, berlin(2027, 1, 20, 9, 0))
	cal := calendar(CalendarRevision)
	cal.Meetings = append(cal.Meetings, MeetingDate{ID: "hfa-feb", OrganizationID: "hfa", Start: berlin(2027, 2, 9, 16, 0), Cancelled: true})
	var re []Deadline
	for _, d := range Deadlines(m, cal) {
		switch d.Kind {
		case DeadlineReschedule:
			re = append(re, d)
		case DeadlinePapersDue:
			t.Errorf("papers due for the cancelled meeting: %+v", d)
		}
	}
	if len(re) != 1 || re[0].Key != "reschedule:hfa-feb" || re[0].MeetingID != "hfa-feb" || !re[0].Due.Equal(berlin(2027, 2, 9, 16, 0)) ||
		!slices.Equal(re[0].Audiences, []string{AudienceCouncilOffice}) || !slices.Equal(re[0].Informed, []string{FactionAudience("spd")}) {
		t.Fatalf("reschedule deadlines %+v, want one for the council office due at the cancelled meeting's start", re)
	}
	if !slices.Contains(DeadlineKinds, DeadlineReschedule) || DeadlineReschedule.Label() == string(DeadlineReschedule) {
		t.Errorf("the new kind must be listed and labelled in German: %q", DeadlineReschedule.Label())
	}
	// The council office may set its date by hand like any other.
	doAt(t, m, clerk, SetDeadline{Key: "reschedule:hfa-feb", Due: berlin(2027, 2, 16, 12, 0), Reason: "Neue Sitzung wird noch terminiert."}, berlin(2027, 2, 1, 9, 0))
	// Once the consultation is in another meeting, it is gone.
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "hfa-mar", MeetingStart: ptr(berlin(2027, 3, 2, 16, 0))}, berlin(2027, 2, 2, 9, 0))
	for _, d := range Deadlines(m, cal) {
		if d.Kind == DeadlineReschedule {
			t.Errorf("still asked to reschedule: %+v", d)
		}
	}
	// A calendar of revision 0 (a replayed history) knew no such deadline.
	doAt(t, m, clerk, Schedule{ConsultationID: "c1", MeetingID: "hfa-feb"}, berlin(2027, 2, 3, 9, 0))
	cal.Revision = 0
	for _, d := range Deadlines(m, cal) {
		if d.Kind == DeadlineReschedule {
			t.Errorf("reschedule deadline under a calendar of revision 0: %+v", d)
		}
	}
}
