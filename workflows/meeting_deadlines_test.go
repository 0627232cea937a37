package workflows

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
)

// meetingEnv runs MeetingWorkflow in the SDK's test environment with time
// skipping and records what its activities were asked to do.
type meetingEnv struct {
	t     *testing.T
	te    *testsuite.TestWorkflowEnvironment
	mu    sync.Mutex
	rules motion.DeadlineRules
	loads int
	sent  []sentMeetingReminder
	outs  []*meetingOutcome
}

type sentMeetingReminder struct {
	at time.Time
	in NotifyInput
}

type meetingOutcome struct {
	name meeting.CommandName
	err  error
}

func newMeetingEnv(t *testing.T) *meetingEnv {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	e := &meetingEnv{t: t, te: s.NewTestWorkflowEnvironment(), rules: motion.DefaultDeadlineRules()}
	e.te.SetTestTimeout(30 * time.Second)
	Register(e.te, Options{})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in ProjectMeetingInput) error { return nil },
		activity.RegisterOptions{Name: ActivityProjectMeeting})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, o Outgoing) (TellResult, error) { return TellResult{}, nil },
		activity.RegisterOptions{Name: ActivityTell})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, o Outgoing) error { return nil },
		activity.RegisterOptions{Name: ActivityMeetingDocument})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, o Outgoing) error { return nil },
		activity.RegisterOptions{Name: ActivitySendInvitation})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in LoadCalendarInput) (motion.Calendar, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if in.BodyID != body {
			return motion.Calendar{}, fmt.Errorf("rules of body %q asked for", in.BodyID)
		}
		e.loads++
		return motion.Calendar{Rules: e.rules}, nil
	}, activity.RegisterOptions{Name: ActivityLoadCalendar})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in NotifyInput) (NotifyResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.sent = append(e.sent, sentMeetingReminder{at: e.te.Now(), in: in})
		return NotifyResult{Sent: 1}, nil
	}, activity.RegisterOptions{Name: ActivityNotify})
	return e
}

// meetingStart is the test clock's start: Monday 20 April 2026, 09:00.
var meetingStart = local(2026, 4, 20, 9, 0)

// councilMeeting is a planned council meeting on Wednesday 20 May 2026,
// 16:00: its invitation is due on 13 May 16:00.
func councilMeeting() meeting.Meeting {
	return meeting.Meeting{ID: "gr-2026-05-20", BodyID: body, OrganizationID: "gr", Name: "Gemeinderat",
		Start: local(2026, 5, 20, 16, 0), Status: meeting.StatusPlanned}
}

// sendAt runs a council office command at an absolute time of the test clock.
func (e *meetingEnv) sendAt(when time.Time, cmd meeting.Command) {
	out := &meetingOutcome{name: cmd.Name()}
	e.outs = append(e.outs, out)
	id := fmt.Sprintf("req-%d", when.Unix())
	e.te.RegisterDelayedCallback(func() {
		req := MeetingRequest[meeting.Command]{Command: cmd, Actor: office, ExpectedVersion: motion.AnyVersion, RequestID: id}
		e.te.UpdateWorkflow(string(cmd.Name()), id, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { out.err = err },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { out.err = err },
		}, req)
	}, when.Sub(meetingStart))
}

// run starts the meeting's workflow with in at meetingStart (or from) and
// stops it at until.
func (e *meetingEnv) run(from, until time.Time, in MeetingInput) {
	e.t.Helper()
	e.te.SetStartTime(from)
	e.te.RegisterDelayedCallback(e.te.CancelWorkflow, until.Sub(from))
	e.te.ExecuteWorkflow(MeetingWorkflowName, in)
	for _, o := range e.outs {
		if o.err != nil {
			e.t.Fatalf("%s: %v", o.name, o.err)
		}
	}
}

// reminded lists when each reminder went out, checking that every one went
// to the council office about the meeting.
func (e *meetingEnv) reminded(kind motion.DeadlineKind) []string {
	e.t.Helper()
	var out []string
	for _, s := range e.sent {
		r := s.in.Reminder
		if r.Deadline.Kind != kind {
			continue
		}
		if !slices.Equal(r.Audiences, []string{motion.AudienceCouncilOffice}) {
			e.t.Errorf("reminder %s to %v, want the council office", r.Key, r.Audiences)
		}
		if m := s.in.Motion; m.ID != "meeting/gr-2026-05-20" || m.BodyID != body || m.Title != "Gemeinderat am 20.05.2026" {
			e.t.Errorf("reminder %s about %+v, want the meeting", r.Key, m)
		}
		out = append(out, s.at.In(berlinTZ).Format("2006-01-02 15:04"))
	}
	return out
}

var paper = meeting.AddItem{Kind: meeting.ItemPaper, Title: "Bebauungsplan Turley-Areal", Public: true, Reference: "V41/2026"}

func TestCouncilOfficeIsRemindedOfAnInvitationNotYetSent(t *testing.T) {
	e := newMeetingEnv(t)
	m := councilMeeting()
	e.sendAt(local(2026, 4, 20, 9, 5), paper)
	e.run(meetingStart, local(2026, 5, 21, 0, 0), MeetingInput{MeetingID: m.ID, Initial: &m})
	// Due 13 May 16:00: 7 and 1 days before, on the day, 3 days after; the
	// escalations would fall on or after the meeting's start.
	want := []string{"2026-05-06 16:00", "2026-05-12 16:00", "2026-05-13 16:00", "2026-05-16 16:00"}
	if got := e.reminded(motion.DeadlineInvitationDue); !slices.Equal(got, want) {
		t.Fatalf("invitation reminders at %v, want each once at %v", got, want)
	}
	if len(e.sent) != len(want) {
		t.Errorf("%d reminders sent, want %d", len(e.sent), len(want))
	}
}

func TestNoInvitationReminderAfterTheInvitationIsPublished(t *testing.T) {
	e := newMeetingEnv(t)
	m := councilMeeting()
	e.sendAt(local(2026, 4, 20, 9, 5), paper)
	e.sendAt(local(2026, 5, 8, 10, 0), meeting.PublishInvitation{})
	e.run(meetingStart, local(2026, 5, 20, 12, 0), MeetingInput{MeetingID: m.ID, Initial: &m})
	if got, want := e.reminded(motion.DeadlineInvitationDue), []string{"2026-05-06 16:00"}; !slices.Equal(got, want) {
		t.Fatalf("invitation reminders at %v, want only %v (before the invitation)", got, want)
	}
	if len(e.sent) != 1 {
		t.Errorf("%d reminders sent, want 1", len(e.sent))
	}
}

func TestAMeetingPlannedAtShortNoticeGetsNoLateReminders(t *testing.T) {
	e := newMeetingEnv(t)
	m := councilMeeting()
	// The workflow starts on 14 May, the day after the invitation was due:
	// the reminders of 6, 12 and 13 May are not sent late; the one of 16
	// May falls due afterwards and is.
	from := local(2026, 5, 14, 9, 0)
	e.te.RegisterDelayedCallback(func() {
		req := MeetingRequest[meeting.Command]{Command: paper, Actor: office, ExpectedVersion: motion.AnyVersion, RequestID: "late"}
		e.te.UpdateWorkflow(string(paper.Name()), "late", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("add item: %v", err) }, OnAccept: func() {},
			OnComplete: func(_ any, err error) {
				if err != nil {
					t.Errorf("add item: %v", err)
				}
			},
		}, req)
	}, time.Minute)
	e.run(from, local(2026, 5, 20, 12, 0), MeetingInput{MeetingID: m.ID, Initial: &m})
	if got, want := e.reminded(motion.DeadlineInvitationDue), []string{"2026-05-16 16:00"}; !slices.Equal(got, want) {
		t.Fatalf("invitation reminders at %v, want only %v", got, want)
	}
}

func TestSentMeetingRemindersAreRememberedAcrossContinueAsNew(t *testing.T) {
	e := newMeetingEnv(t)
	m := councilMeeting()
	m.Agenda = []meeting.Item{{ID: "t1", Number: "1", Kind: meeting.ItemPaper, Title: paper.Title, Public: true, Status: meeting.ItemOpen}}
	m.NextItem, m.Version = 1, 1
	// The run before sent the reminder of 6 May and handed over on 10 May.
	rules := motion.DefaultDeadlineRules()
	ds := meeting.Deadlines(m, rules)
	if len(ds) != 1 {
		t.Fatalf("deadlines %v, want the invitation", ds)
	}
	first := motion.Reminders(ds[0], rules)[0]
	carried := &MeetingCarried{Meeting: m, Reminders: &MeetingReminders{
		Rules: &rules, RulesFor: meeting.StatusPlanned, Sent: []string{first.Key},
		Armed: map[string]time.Time{armKey(ds[0]): meetingStart},
	}}
	e.run(local(2026, 5, 10, 9, 0), local(2026, 5, 14, 0, 0), MeetingInput{MeetingID: m.ID, State: carried})
	want := []string{"2026-05-12 16:00", "2026-05-13 16:00"}
	if got := e.reminded(motion.DeadlineInvitationDue); !slices.Equal(got, want) {
		t.Fatalf("reminders at %v, want %v and not the one of 6 May again", got, want)
	}
	if e.loads != 0 {
		t.Errorf("rules loaded %d times, want the carried ones used", e.loads)
	}
}

// TestAMovedMeetingMovesItsReminders: the council office moves the meeting a
// week later in the directory; the workflow learns it by the directory's
// signal, and the invitation reminders follow the new date (those of the
// old date that had not gone out yet are not sent).
func TestAMovedMeetingMovesItsReminders(t *testing.T) {
	e := newMeetingEnv(t)
	m := councilMeeting()
	e.sendAt(local(2026, 4, 20, 9, 5), paper)
	moved := local(2026, 5, 27, 16, 0)
	e.te.RegisterDelayedCallback(func() {
		e.te.SignalWorkflow(SignalMeetingDirectory, MeetingDirectory{Name: m.Name, OrganizationID: m.OrganizationID, Start: moved})
	}, local(2026, 5, 1, 12, 0).Sub(meetingStart))
	e.run(meetingStart, local(2026, 5, 28, 0, 0), MeetingInput{MeetingID: m.ID, Initial: &m})
	var got []string
	for _, s := range e.sent {
		if s.in.Reminder.Deadline.Kind == motion.DeadlineInvitationDue {
			got = append(got, s.at.In(berlinTZ).Format("2006-01-02 15:04"))
		}
	}
	want := []string{"2026-05-13 16:00", "2026-05-19 16:00", "2026-05-20 16:00", "2026-05-23 16:00"}
	if !slices.Equal(got, want) {
		t.Fatalf("invitation reminders at %v, want %v (due 20 May, a week before the moved meeting)", got, want)
	}
}
