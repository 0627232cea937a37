package meeting

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

func berlin(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, motion.Berlin)
}

// meetingOn is a planned council meeting with one public paper of the
// administration on its agenda.
func meetingOn(t *testing.T, id string, at time.Time) *Meeting {
	t.Helper()
	m := &Meeting{ID: id, BodyID: "b", OrganizationID: "council", Name: "Gemeinderat", Start: at, Status: StatusPlanned}
	run(t, m, at.AddDate(0, 0, -30), AddItem{Kind: ItemPaper, Title: "Haushaltssatzung 2027", Public: true, Reference: "V12/2026"})
	return m
}

// held runs m through invitation and session to closed: the paper is
// decided with result, the session took place on the meeting's day.
func held(t *testing.T, m *Meeting, result motion.Result) {
	t.Helper()
	run(t, m, m.Start.AddDate(0, 0, -10), PublishInvitation{})
	run(t, m, m.Start, OpenSession{Members: []string{"A", "B", "C"}, Present: []string{"A", "B"}})
	run(t, m, m.Start.Add(time.Hour), RecordResults{ItemIDs: []string{"t1"}, ResultInput: motion.ResultInput{Result: result}})
	run(t, m, m.Start.Add(2*time.Hour), CloseSession{})
}

func keysAndDue(ds []motion.Deadline) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Key+" "+d.Due.In(motion.Berlin).Format("2006-01-02 15:04"))
	}
	return out
}

func TestInvitationIsDueSevenDaysBeforeTheMeetingAtItsClockTime(t *testing.T) {
	// 31 March 2026 18:00 CEST; seven calendar days before is 24 March 18:00
	// CET, across the change to summer time on 29 March.
	m := meetingOn(t, "gr-2026-03-31", berlin(2026, 3, 31, 18, 0))
	r := motion.DefaultDeadlineRules()
	ds := Deadlines(*m, r)
	if got, want := keysAndDue(ds), []string{"invitation_due:gr-2026-03-31 2026-03-24 18:00"}; !slices.Equal(got, want) {
		t.Fatalf("deadlines %v, want %v", got, want)
	}
	d := ds[0]
	if d.Kind != motion.DeadlineInvitationDue || d.MeetingID != m.ID || d.Rule != "invitation_due" || d.RuleVersion != r.Version {
		t.Errorf("deadline %+v: want kind invitation_due of the meeting under rule invitation_due v%d", d, r.Version)
	}
	if !slices.Equal(d.Audiences, []string{motion.AudienceCouncilOffice}) {
		t.Errorf("audiences %v, want the council office", d.Audiences)
	}
	// The reminders go out 7 and 1 days before, on the day and 3 days after
	// the due date; escalations would fall on or after the start, when an
	// invitation is of no use any more.
	var at []string
	for _, rem := range motion.Reminders(d, r) {
		at = append(at, rem.At.In(motion.Berlin).Format("2006-01-02 15:04"))
		if !slices.Equal(rem.Audiences, []string{motion.AudienceCouncilOffice}) {
			t.Errorf("reminder %s to %v", rem.Key, rem.Audiences)
		}
	}
	want := []string{"2026-03-17 18:00", "2026-03-23 18:00", "2026-03-24 18:00", "2026-03-27 18:00"}
	if !slices.Equal(at, want) {
		t.Errorf("reminders at %v, want %v", at, want)
	}
}

func TestInvitationDeadlineEndsWithTheInvitationOrTheCancellation(t *testing.T) {
	r := motion.DefaultDeadlineRules()
	m := meetingOn(t, "gr", berlin(2026, 5, 12, 16, 0))
	run(t, m, berlin(2026, 5, 4, 9, 0), PublishInvitation{})
	if ds := Deadlines(*m, r); len(ds) != 0 {
		t.Errorf("after the invitation: %v, want none", keysAndDue(ds))
	}
	c := meetingOn(t, "gr", berlin(2026, 5, 12, 16, 0))
	run(t, c, berlin(2026, 5, 4, 9, 0), Cancel{Reason: "Die Tagesordnung ist zu kurz."})
	if ds := Deadlines(*c, r); len(ds) != 0 {
		t.Errorf("after the cancellation: %v, want none", keysAndDue(ds))
	}
}

func TestAfterTheSessionDecisionsAreDueInAWeekAndMinutesInAMonth(t *testing.T) {
	r := motion.DefaultDeadlineRules()
	// A meeting on 31 January: a month later is the last day of February.
	m := meetingOn(t, "gr-2026-01-31", berlin(2026, 1, 31, 10, 0))
	held(t, m, motion.ResultAdopted)
	want := []string{
		"decisions_published:gr-2026-01-31 2026-02-07 10:00",
		"minutes_due:gr-2026-01-31 2026-02-28 10:00",
	}
	if got := keysAndDue(Deadlines(*m, r)); !slices.Equal(got, want) {
		t.Fatalf("after the session: %v, want %v", got, want)
	}
	run(t, m, berlin(2026, 2, 20, 9, 0), ApproveMinutes{})
	if got := keysAndDue(Deadlines(*m, r)); !slices.Equal(got, want[:1]) {
		t.Fatalf("minutes approved: %v, want only %v", got, want[:1])
	}
	run(t, m, berlin(2026, 2, 21, 9, 0), PublishMinutes{})
	if ds := Deadlines(*m, r); len(ds) != 0 {
		t.Fatalf("minutes published: %v, want none", keysAndDue(ds))
	}
}

func TestOnlyAPublicDecisionHasToBePublished(t *testing.T) {
	r := motion.DefaultDeadlineRules()
	m := &Meeting{ID: "gr", BodyID: "b", Name: "Gemeinderat", Start: berlin(2026, 6, 30, 16, 0), Status: StatusPlanned}
	run(t, m, berlin(2026, 6, 1, 9, 0), AddItem{Kind: ItemFree, Title: "Grundstücksangelegenheit", Public: false})
	held(t, m, motion.ResultAdopted)
	if got, want := keysAndDue(Deadlines(*m, r)), []string{"minutes_due:gr 2026-07-30 16:00"}; !slices.Equal(got, want) {
		t.Fatalf("non-public decision only: %v, want %v", got, want)
	}
}

func TestNoDeadlinesBeforeTheSessionIsClosedOrUnderOldRules(t *testing.T) {
	r := motion.DefaultDeadlineRules()
	m := meetingOn(t, "gr", berlin(2026, 6, 30, 16, 0))
	run(t, m, berlin(2026, 6, 20, 9, 0), PublishInvitation{})
	run(t, m, berlin(2026, 6, 30, 16, 0), OpenSession{Members: []string{"A", "B", "C"}, Present: []string{"A", "B"}})
	if ds := Deadlines(*m, r); len(ds) != 0 {
		t.Fatalf("in session: %v, want none", keysAndDue(ds))
	}

	// Rules a body stored before the meeting deadlines existed read with
	// the three fields zero: no meeting deadline at all.
	var old motion.DeadlineRules
	stored := `{"version":3,"agenda_placement_meetings":2,"submission_cutoff":"14d","papers_due":"7d",
		"inquiry_answer":"21d","inquiry_answer_fundamental":"42d","implementation_report_months":6,
		"stale":"90d","offsets":["-7d","0s"],"escalation":"7d","escalation_max":8}`
	if err := json.Unmarshal([]byte(stored), &old); err != nil {
		t.Fatal(err)
	}
	if err := old.Validate(); err != nil {
		t.Fatalf("stored rules no longer valid: %v", err)
	}
	planned := meetingOn(t, "gr2", berlin(2026, 6, 30, 16, 0))
	done := meetingOn(t, "gr3", berlin(2026, 6, 30, 16, 0))
	held(t, done, motion.ResultAdopted)
	for _, mt := range []*Meeting{planned, done} {
		if ds := Deadlines(*mt, old); len(ds) != 0 {
			t.Errorf("%s under old rules: %v, want none", mt.Status, keysAndDue(ds))
		}
	}
}

func TestMeetingRulesInJSONAndTheirBounds(t *testing.T) {
	b, err := json.Marshal(motion.DefaultDeadlineRules())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["invitation_due"] != "7d" || got["decisions_published"] != "7d" || got["minutes_due_months"] != 1.0 {
		t.Errorf("default rules in JSON: invitation_due %v, decisions_published %v, minutes_due_months %v",
			got["invitation_due"], got["decisions_published"], got["minutes_due_months"])
	}
	off := motion.DefaultDeadlineRules()
	off.InvitationDue, off.DecisionsPublished, off.MinutesDueMonths = 0, 0, 0
	var offJSON map[string]any
	if b, _ := json.Marshal(off); json.Unmarshal(b, &offJSON) != nil || offJSON["invitation_due"] != nil ||
		offJSON["decisions_published"] != nil || offJSON["minutes_due_months"] != nil {
		t.Errorf("rules with the meeting deadlines off write them: %s", b)
	}

	bad := motion.DefaultDeadlineRules()
	bad.InvitationDue = -motion.Duration(24 * time.Hour)
	bad.DecisionsPublished = motion.MaxRulePeriod + 1
	bad.MinutesDueMonths = motion.MaxMinutesDueMonths + 1
	var e *motion.Error
	if !errors.As(bad.Validate(), &e) {
		t.Fatalf("bad rules accepted")
	}
	fields := map[string]string{}
	for _, f := range e.Fields {
		fields[f.Field] = f.Message
	}
	for _, f := range []string{"invitation_due", "decisions_published", "minutes_due_months"} {
		if fields[f] == "" {
			t.Errorf("no German message for %s in %v", f, fields)
		}
	}
}

func TestMeetingDeadlineKindsAreNotMotionDeadlines(t *testing.T) {
	for _, k := range motion.MeetingDeadlineKinds {
		if slices.Contains(motion.DeadlineKinds, k) {
			t.Errorf("%s is listed among a motion's deadlines", k)
		}
		if k.Label() == string(k) {
			t.Errorf("%s has no German label", k)
		}
	}
}
