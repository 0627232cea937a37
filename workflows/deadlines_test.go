package workflows

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

var berlinTZ = motion.Berlin

func local(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, berlinTZ)
}

// at schedules a command at an absolute time of the test clock.
func (e *env) sendAt(when time.Time, a motion.Actor, cmd motion.Command) *outcome {
	out := &outcome{}
	e.at = when.Sub(e.start())
	id := fmt.Sprintf("req-%d", when.Unix())
	e.te.RegisterDelayedCallback(func() {
		req := CommandRequest[motion.Command]{Command: cmd, Actor: a, ExpectedVersion: e.state().Version, RequestID: id}
		e.te.UpdateWorkflow(UpdateName(cmd.Name()), id, updateCallbacks(out), req)
	}, e.at)
	return out
}

var started = local(2026, 1, 5, 9, 0)

func (e *env) start() time.Time { return started }

// runUntil runs the workflow from the start time until `until`, then stops it.
func (e *env) runUntil(until time.Time, after func()) {
	e.te.SetStartTime(started)
	e.te.RegisterDelayedCallback(func() {
		if after != nil {
			after()
		}
		e.te.CancelWorkflow()
	}, until.Sub(started))
	e.te.ExecuteWorkflow(WorkflowName, Input{MotionID: "m1", BodyID: body})
}

func (e *env) reminders(kind motion.DeadlineKind) []sentReminder {
	var out []sentReminder
	for _, s := range e.sent {
		if s.r.Deadline.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func times(rs []sentReminder) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.at.In(berlinTZ).Format("2006-01-02 15:04"))
	}
	return out
}

func inquiry(fundamental bool) motion.Create {
	c := content(motion.KindInquiry)
	c.Title = "Sachstand Digitalisierung der Genehmigungsverfahren"
	c.AddressedDepartment = "mannheim-dez1"
	c.Fundamental = fundamental
	return motion.Create{BodyID: body, Kind: motion.KindInquiry, Content: c}
}

func TestInquiryAnswerRemindsTheDepartmentThenEscalates(t *testing.T) {
	e := newEnv(t)
	e.cal.Rules.Stale = 0 // only the answer deadline here
	outs := []*outcome{
		e.sendAt(local(2026, 3, 2, 10, 0), spd, inquiry(false)),
		e.sendAt(local(2026, 3, 2, 10, 5), spd, motion.Submit{}),
		e.sendAt(local(2026, 3, 3, 9, 0), office, motion.Register{}),
	}
	e.runUntil(local(2026, 4, 30, 0, 0), nil)
	mustSucceed(t, outs)
	got := e.reminders(motion.DeadlineInquiryAnswer)
	// Submitted Monday 2 March 10:05, three weeks: due Monday 23 March 10:05.
	want := []string{"2026-03-16 10:05", "2026-03-22 10:05", "2026-03-23 10:05", "2026-03-26 10:05",
		"2026-04-02 10:05", "2026-04-09 10:05", "2026-04-16 10:05", "2026-04-23 10:05", "2026-04-30 10:05"}
	if g := times(got); !slices.Equal(g, want[:len(g)]) || len(g) != 8 {
		t.Fatalf("reminders at\n%v\nwant\n%v (8 before 30 April 00:00)", g, want)
	}
	for i, s := range got {
		wantAud := []string{"department:mannheim-dez1"}
		if i >= 4 {
			wantAud = []string{motion.AudienceCouncilOffice}
		}
		if !slices.Equal(s.r.Audiences, wantAud) || s.r.Escalation != (i >= 4) {
			t.Errorf("reminder %d to %v (escalation %v), want %v", i, s.r.Audiences, s.r.Escalation, wantAud)
		}
		if s.r.Deadline.Rule != "inquiry_answer" || s.r.Deadline.RuleVersion != 1 {
			t.Errorf("reminder %d names rule %s v%d", i, s.r.Deadline.Rule, s.r.Deadline.RuleVersion)
		}
	}
}

func TestFundamentalInquiryGetsSixWeeksAndAnAnswerStopsReminders(t *testing.T) {
	e := newEnv(t)
	e.cal.Rules.Stale = 0
	outs := []*outcome{
		e.sendAt(local(2026, 3, 2, 10, 0), spd, inquiry(true)),
		e.sendAt(local(2026, 3, 2, 10, 5), spd, motion.Submit{}),
		e.sendAt(local(2026, 3, 3, 9, 0), office, motion.Register{}),
		// Answered after the −7 days reminder (6 April) but before the −1 day one.
		e.sendAt(local(2026, 4, 8, 12, 0), administration, motion.RecordAnswer{Text: "Antwort der Verwaltung"}),
	}
	e.runUntil(local(2026, 6, 1, 0, 0), nil)
	mustSucceed(t, outs)
	if g := times(e.reminders(motion.DeadlineInquiryAnswer)); !slices.Equal(g, []string{"2026-04-06 10:05"}) {
		t.Fatalf("reminders %v, want only the −7 days one before 13 April", g)
	}
}

func councilCalendar() motion.Calendar {
	rules := motion.DefaultDeadlineRules()
	rules.Stale = 0
	return motion.Calendar{Rules: rules, CouncilMeetings: []motion.MeetingDate{
		{ID: "gr-jan", OrganizationID: "gr", Start: local(2026, 1, 27, 16, 0)},
		{ID: "gr-feb", OrganizationID: "gr", Start: local(2026, 2, 24, 16, 0)},
		{ID: "gr-mar", OrganizationID: "gr", Start: local(2026, 3, 24, 16, 0)},
	}, Meetings: []motion.MeetingDate{
		{ID: "hfa-feb", OrganizationID: "hfa", Start: local(2026, 2, 10, 16, 0)},
		{ID: "gr-feb", OrganizationID: "gr", Start: local(2026, 2, 24, 16, 0)},
	}}
}

func TestAgendaPlacementBySecondNextCouncilMeeting(t *testing.T) {
	e := newEnv(t)
	e.cal = councilCalendar()
	outs := []*outcome{
		e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
		e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
		e.sendAt(local(2026, 1, 16, 9, 0), office, motion.Register{}),
	}
	e.runUntil(local(2026, 3, 1, 0, 0), nil)
	mustSucceed(t, outs)
	// Next council meetings after 15 January: 27 January, 24 February → due 24 February 16:00.
	got := e.reminders(motion.DeadlineAgendaPlacement)
	want := []string{"2026-02-17 16:00", "2026-02-23 16:00", "2026-02-24 16:00", "2026-02-27 16:00"}
	if g := times(got); !slices.Equal(g, want) {
		t.Fatalf("agenda placement reminders %v, want %v", g, want)
	}
	if !slices.Equal(got[0].r.Audiences, []string{motion.AudienceCouncilOffice}) || got[0].r.Deadline.MeetingID != "gr-feb" {
		t.Errorf("reminder %+v: want the council office reminded of the February meeting", got[0].r)
	}
	last := e.deadlines[len(e.deadlines)-1]
	if len(last) != 1 || !slices.Equal(last[0].Informed, []string{"faction:mannheim-spd"}) {
		t.Errorf("projected deadlines %+v: the faction must see the date", last)
	}
}

func TestSchedulingInTimeSatisfiesAgendaPlacementAndArmsPapers(t *testing.T) {
	e := newEnv(t)
	e.cal = councilCalendar()
	outs := []*outcome{
		e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
		e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
		e.sendAt(local(2026, 1, 16, 9, 0), office, motion.Register{}),
		e.sendAt(local(2026, 1, 16, 9, 5), office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: "gr", Decisive: true}}}),
		e.sendAt(local(2026, 1, 16, 9, 10), office, motion.Schedule{ConsultationID: "c1", MeetingID: "gr-feb"}),
	}
	e.runUntil(local(2026, 2, 20, 0, 0), nil)
	mustSucceed(t, outs)
	if n := len(e.reminders(motion.DeadlineAgendaPlacement)); n != 0 {
		t.Errorf("%d agenda placement reminders although the motion is on the February agenda", n)
	}
	// Papers are due 7 days before 24 February 16:00: 17 February; reminders from 10 February.
	if g := times(e.reminders(motion.DeadlinePapersDue)); !slices.Equal(g, []string{"2026-02-10 16:00", "2026-02-16 16:00", "2026-02-17 16:00"}) {
		t.Errorf("papers reminders %v", g)
	}
}

func TestMeetingMovedAfterTheReminderWasArmed(t *testing.T) {
	e := newEnv(t)
	e.cal = councilCalendar()
	outs := []*outcome{
		e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
		e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
		e.sendAt(local(2026, 1, 16, 9, 0), office, motion.Register{}),
		e.sendAt(local(2026, 1, 16, 9, 5), office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: "hfa"}, {OrganizationID: "gr", Decisive: true}}}),
		e.sendAt(local(2026, 1, 16, 9, 10), office, motion.Schedule{ConsultationID: "c1", MeetingID: "hfa-feb"}),
	}
	// The committee meeting of 10 February moves to 3 March before any reminder.
	e.te.RegisterDelayedCallback(func() {
		e.mu.Lock()
		e.cal.Meetings[0].Start = local(2026, 3, 3, 16, 0)
		e.mu.Unlock()
		e.te.SignalWorkflow(SignalCalendarChanged, nil)
	}, local(2026, 1, 26, 12, 0).Sub(started))
	e.runUntil(local(2026, 3, 10, 0, 0), nil)
	mustSucceed(t, outs)
	// Old dates would have been 27 Jan, 2 Feb, 3 Feb; new due 24 February 16:00.
	if g := times(e.reminders(motion.DeadlinePapersDue)); !slices.Equal(g, []string{"2026-02-17 16:00", "2026-02-23 16:00", "2026-02-24 16:00", "2026-02-27 16:00"}) {
		t.Errorf("papers reminders %v, want only the moved meeting's", g)
	}
}

func TestMeetingMovedEarlierSkipsRemindersAlreadyPast(t *testing.T) {
	e := newEnv(t)
	e.cal = councilCalendar()
	outs := []*outcome{
		e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
		e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
		e.sendAt(local(2026, 1, 16, 9, 0), office, motion.Register{}),
		e.sendAt(local(2026, 1, 16, 9, 5), office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: "hfa"}, {OrganizationID: "gr", Decisive: true}}}),
		e.sendAt(local(2026, 1, 16, 9, 10), office, motion.Schedule{ConsultationID: "c1", MeetingID: "hfa-feb"}),
	}
	// On 30 January the committee meeting moves from 10 to 5 February: papers
	// due 29 January — already past, so only the overdue reminder remains.
	e.te.RegisterDelayedCallback(func() {
		e.mu.Lock()
		e.cal.Meetings[0].Start = local(2026, 2, 5, 16, 0)
		e.mu.Unlock()
		e.te.SignalWorkflow(SignalCalendarChanged, nil)
	}, local(2026, 1, 30, 12, 0).Sub(started))
	e.runUntil(local(2026, 2, 4, 0, 0), nil)
	mustSucceed(t, outs)
	g := times(e.reminders(motion.DeadlinePapersDue))
	// Before the move: −7d reminder for due 3 Feb fired 27 January. After: +3d of 29 Jan = 1 Feb.
	if !slices.Equal(g, []string{"2026-01-27 16:00", "2026-02-01 16:00"}) {
		t.Errorf("papers reminders %v", g)
	}
}

func TestWithdrawalCancelsReminders(t *testing.T) {
	e := newEnv(t)
	outs := []*outcome{
		e.sendAt(local(2026, 3, 2, 10, 0), spd, inquiry(false)),
		e.sendAt(local(2026, 3, 2, 10, 5), spd, motion.Submit{}),
		e.sendAt(local(2026, 3, 10, 9, 0), spd, motion.Withdraw{Reason: "Hat sich erledigt."}),
	}
	e.runUntil(local(2026, 12, 31, 0, 0), nil)
	mustSucceed(t, outs)
	if len(e.sent) != 0 {
		t.Errorf("a withdrawn inquiry still sent %d reminders, first %s", len(e.sent), e.sent[0].r.Key)
	}
	if last := e.deadlines[len(e.deadlines)-1]; len(last) != 0 {
		t.Errorf("deadlines left after withdrawal: %+v", last)
	}
}

func TestDecidedBeforeDeadlineSendsNothingMore(t *testing.T) {
	e := newEnv(t)
	e.cal = councilCalendar()
	e.cal.Rules.Stale = motion.Duration(90 * 24 * time.Hour)
	outs := []*outcome{
		e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
		e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
		e.sendAt(local(2026, 1, 16, 9, 0), office, motion.Register{}),
		e.sendAt(local(2026, 2, 3, 9, 0), office, motion.RecordOutcome{Result: motion.ResultRejected}),
	}
	e.runUntil(local(2027, 1, 31, 0, 0), nil)
	mustSucceed(t, outs)
	if len(e.sent) != 0 {
		t.Errorf("a motion decided before its deadlines sent %d reminders (%s)", len(e.sent), e.sent[0].r.Key)
	}
}

func TestAdoptedMotionRemindsOfTheImplementationReport(t *testing.T) {
	e := newEnv(t)
	e.cal = councilCalendar()
	outs := []*outcome{
		e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
		e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
		e.sendAt(local(2026, 1, 16, 9, 0), office, motion.Register{}),
		e.sendAt(local(2026, 1, 27, 18, 0), office, motion.RecordOutcome{Result: motion.ResultAdopted}),
	}
	e.runUntil(local(2026, 7, 28, 0, 0), nil)
	mustSucceed(t, outs)
	// Decided 27 January 18:00 → report due 27 July 18:00 (six calendar months).
	g := times(e.reminders(motion.DeadlineImplementationReport))
	if !slices.Equal(g, []string{"2026-07-20 18:00", "2026-07-26 18:00", "2026-07-27 18:00"}) {
		t.Fatalf("implementation reminders %v", g)
	}
	if aud := e.reminders(motion.DeadlineImplementationReport)[0].r.Audiences; !slices.Equal(aud, []string{"administration", "faction:mannheim-spd"}) {
		t.Errorf("audiences %v", aud)
	}
}

func TestManualDeadlineReplacesTheComputedDate(t *testing.T) {
	e := newEnv(t)
	e.cal.Rules.Stale = 0
	outs := []*outcome{
		e.sendAt(local(2026, 3, 2, 10, 0), spd, inquiry(false)),
		e.sendAt(local(2026, 3, 2, 10, 5), spd, motion.Submit{}),
		e.sendAt(local(2026, 3, 3, 9, 0), office, motion.SetDeadline{Key: "inquiry_answer", Due: local(2026, 4, 30, 12, 0), Reason: "Fristverlängerung wegen Osterferien"}),
	}
	e.runUntil(local(2026, 5, 1, 0, 0), nil)
	mustSucceed(t, outs)
	got := e.reminders(motion.DeadlineInquiryAnswer)
	if g := times(got); !slices.Equal(g, []string{"2026-04-23 12:00", "2026-04-29 12:00", "2026-04-30 12:00"}) {
		t.Fatalf("reminders %v, want them for the deadline set by hand", g)
	}
	if got[0].r.Deadline.Rule != "manual" || !strings.Contains(got[0].r.Deadline.Reason, "Osterferien") {
		t.Errorf("deadline %+v does not say it was set by hand and why", got[0].r.Deadline)
	}
}

func TestRetriedNotifyIsNotSentAgain(t *testing.T) {
	e := newEnv(t)
	e.cal.Rules.Stale = 0
	e.failNotify = 2
	outs := []*outcome{
		e.sendAt(local(2026, 3, 2, 10, 0), spd, inquiry(false)),
		e.sendAt(local(2026, 3, 2, 10, 5), spd, motion.Submit{}),
	}
	e.runUntil(local(2026, 3, 24, 0, 0), nil)
	mustSucceed(t, outs)
	keys := map[string]int{}
	for _, s := range e.sent {
		keys[s.r.Key]++
	}
	if len(e.sent) != 3 || len(keys) != 3 {
		t.Errorf("%d deliveries of %d reminders, want 3 each exactly once: %v", len(e.sent), len(keys), keys)
	}
}

func TestSubmissionCutOffRemindsTheFactionOfItsDraft(t *testing.T) {
	e := newEnv(t)
	e.cal = councilCalendar()
	c := content(motion.KindMotion)
	c.TargetMeeting = "gr-feb" // Tuesday 24 February 16:00 → cut-off Tuesday 10 February 16:00
	outs := []*outcome{
		e.sendAt(local(2026, 1, 20, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: c}),
		// Submitted after the −1 day reminder, before the cut-off: nothing more.
		e.sendAt(local(2026, 2, 9, 18, 0), spd, motion.Submit{}),
	}
	e.runUntil(local(2026, 2, 20, 0, 0), nil)
	mustSucceed(t, outs)
	got := e.reminders(motion.DeadlineSubmissionCutoff)
	if g := times(got); !slices.Equal(g, []string{"2026-02-03 16:00", "2026-02-09 16:00"}) {
		t.Fatalf("cut-off reminders %v", g)
	}
	if !slices.Equal(got[0].r.Audiences, []string{"faction:mannheim-spd"}) {
		t.Errorf("cut-off reminder to %v, want the drafting faction", got[0].r.Audiences)
	}
}

func TestStaleMotionAfterNinetyDaysWithoutATransition(t *testing.T) {
	e := newEnv(t)
	e.cal.Rules.Offsets = []motion.Duration{0} // just the due reminder, to read the date
	e.cal.Rules.EscalationMax = 0
	outs := []*outcome{
		e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
		e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
		// Registering moves the motion: the 90 days start again from 2 February 09:00.
		e.sendAt(local(2026, 2, 2, 9, 0), office, motion.Register{}),
	}
	e.runUntil(local(2026, 6, 1, 0, 0), nil)
	mustSucceed(t, outs)
	got := e.reminders(motion.DeadlineStale)
	if g := times(got); !slices.Equal(g, []string{"2026-05-03 09:00"}) {
		t.Fatalf("stale reminders %v, want one 90 calendar days after the last transition", g)
	}
	if !slices.Equal(got[0].r.Audiences, []string{motion.AudienceCouncilOffice, "faction:mannheim-spd"}) {
		t.Errorf("stale reminder to %v", got[0].r.Audiences)
	}
}

// TestRouteToADecidingCommitteeReloadsTheCalendar: a calendar that knows
// which organization decides (revision 1) is loaded again when the route
// names another one, so that agenda placement counts that committee's
// meetings; a calendar of revision 0 (recorded before) is reloaded only when
// it was then, so that recorded histories replay with the same activities.
func TestRouteToADecidingCommitteeReloadsTheCalendar(t *testing.T) {
	for _, rev := range []int{0, motion.CalendarRevision} {
		t.Run(fmt.Sprintf("revision %d", rev), func(t *testing.T) {
			e := newEnv(t)
			e.cal = councilCalendar()
			e.cal.Revision = rev
			outs := []*outcome{
				e.sendAt(local(2026, 1, 15, 10, 0), spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}),
				e.sendAt(local(2026, 1, 15, 11, 0), spd, motion.Submit{}),
				e.sendAt(local(2026, 1, 16, 9, 0), office, motion.Register{}),
				e.sendAt(local(2026, 1, 16, 9, 5), office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: "ha", Decisive: true}}}),
			}
			// The directory now answers with the committee's meetings for it.
			var before int
			e.te.RegisterDelayedCallback(func() {
				e.mu.Lock()
				defer e.mu.Unlock()
				before = e.loads
				e.cal.DecisiveOrganization = "ha"
				e.cal.DecisiveMeetings = []motion.MeetingDate{
					{ID: "ha-jan", OrganizationID: "ha", Start: local(2026, 1, 20, 16, 0)},
					{ID: "ha-feb", OrganizationID: "ha", Start: local(2026, 2, 10, 16, 0)},
				}
			}, local(2026, 1, 16, 9, 2).Sub(started))
			e.runUntil(local(2026, 1, 17, 0, 0), nil)
			mustSucceed(t, outs)
			last := e.deadlines[len(e.deadlines)-1]
			var agenda string
			for _, d := range last {
				if d.Kind == motion.DeadlineAgendaPlacement {
					agenda = d.MeetingID
				}
			}
			switch {
			case rev == 0 && (e.loads != before || agenda != "gr-feb"):
				t.Errorf("revision 0: %d loads after the route (want none), agenda placement at %q (want gr-feb)", e.loads-before, agenda)
			case rev >= 1 && (e.loads != before+1 || agenda != "ha-feb"):
				t.Errorf("revision 1: %d loads after the route (want 1), agenda placement at %q (want the committee's ha-feb)", e.loads-before, agenda)
			}
		})
	}
}
