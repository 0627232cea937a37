package meeting

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

var (
	office = motion.Actor{Issuer: "i", Subject: "office", Name: "Rita Ratsbüro", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"b"}}
	staff  = motion.Actor{Issuer: "i", Subject: "spd", Name: "Sabine", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"b"}}
	start  = time.Date(2027, 4, 20, 16, 0, 0, 0, motion.Berlin)
)

func newMeeting() *Meeting {
	return &Meeting{ID: "gr", BodyID: "b", OrganizationID: "council", Name: "Gemeinderat", Start: start, Status: StatusPlanned}
}

func run(t *testing.T, m *Meeting, at time.Time, c Command) []Tell {
	t.Helper()
	_, tells, err := Apply(m, Request{Command: c, Actor: office, ExpectedVersion: motion.AnyVersion, At: at})
	if err != nil {
		t.Fatalf("%s: %v", c.Name(), err)
	}
	return tells
}

func refused(t *testing.T, m *Meeting, a motion.Actor, at time.Time, c Command, want motion.Code) *motion.Error {
	t.Helper()
	before := *m.Clone()
	_, _, err := Apply(m, Request{Command: c, Actor: a, ExpectedVersion: motion.AnyVersion, At: at})
	var e *motion.Error
	if !errors.As(err, &e) || e.Code != want {
		t.Fatalf("%s: got %v, want %s", c.Name(), err, want)
	}
	if m.Version != before.Version || len(m.Agenda) != len(before.Agenda) || m.Status != before.Status {
		t.Fatalf("%s: a refusal changed the meeting", c.Name())
	}
	return e
}

func TestAgendaIsNumberedByPartAndSubItems(t *testing.T) {
	m := newMeeting()
	before := start.AddDate(0, 0, -14)
	run(t, m, before, AddItem{Kind: ItemPaper, Title: "Haushalt", Public: true})
	run(t, m, before, AddItem{Kind: ItemPaper, Title: "Teil A", Public: true, Sub: true})
	run(t, m, before, AddItem{Kind: ItemFree, Title: "Grundstück", Public: false})
	run(t, m, before, AddItem{Kind: ItemReport, Title: "Bericht", Public: true})
	var got []string
	for _, it := range m.Agenda {
		got = append(got, it.Number)
	}
	if strings.Join(got, " ") != "1 1.1 N1 2" {
		t.Fatalf("numbers %v, want 1 1.1 N1 2", got)
	}
	run(t, m, before, MoveItem{ItemID: "t4", Position: 1})
	if m.Agenda[0].Title != "Bericht" || m.Agenda[0].Number != "1" || m.Agenda[1].Number != "2" {
		t.Fatalf("after moving: %+v", m.Agenda)
	}
}

func TestAMotionItemSchedulesItsConsultation(t *testing.T) {
	m := newMeeting()
	tells := run(t, m, start.AddDate(0, 0, -10), AddItem{Kind: ItemMotion, Title: "Radweg", Public: true, MotionID: "m1", ConsultationID: "c2"})
	if len(tells) != 1 || tells[0].Schedule == nil || tells[0].Schedule.MeetingID != "gr" ||
		tells[0].Schedule.ConsultationID != "c2" || !tells[0].Schedule.MeetingStart.Equal(start) || tells[0].Key == "" {
		t.Fatalf("tells %+v", tells)
	}
	refused(t, m, office, start.AddDate(0, 0, -10), AddItem{Kind: ItemMotion, Title: "Radweg", Public: true, MotionID: "m1", ConsultationID: "c2"}, motion.CodeInvalid)
}

func TestAfterTheInvitationOnlyUrgentItemsWithAReason(t *testing.T) {
	m := newMeeting()
	before := start.AddDate(0, 0, -8)
	refused(t, m, office, before, PublishInvitation{}, motion.CodeInvalid) // empty agenda
	run(t, m, before, AddItem{Kind: ItemPaper, Title: "Haushalt", Public: true})
	run(t, m, before, PublishInvitation{})
	if m.Status != StatusConvened || m.InvitationPublishedAt == nil || !m.Status.AgendaPublished() {
		t.Fatalf("after invitation: %s", m.Status)
	}
	refused(t, m, office, before, MoveItem{ItemID: "t1", Position: 1}, motion.CodeIllegalTransition)
	e := refused(t, m, office, before, AddItem{Kind: ItemReport, Title: "Neu", Public: true}, motion.CodeInvalid)
	if e.Fields[0].Field != "urgent_reason" {
		t.Fatalf("refusal names %v", e.Fields)
	}
	run(t, m, before, AddItem{Kind: ItemReport, Title: "Neu", Public: true, UrgentReason: "Frist des Landes läuft ab."})
	if it := m.Item("t2"); !it.Urgent {
		t.Fatal("the late item is not marked urgent")
	}
}

func TestOnlyTheCouncilOfficeRunsAMeeting(t *testing.T) {
	m := newMeeting()
	refused(t, m, staff, start, AddItem{Kind: ItemPaper, Title: "Haushalt", Public: true}, motion.CodeForbidden)
	other := office
	other.Bodies = []string{"x"}
	refused(t, m, other, start, AddItem{Kind: ItemPaper, Title: "Haushalt", Public: true}, motion.CodeForbidden)
	_, _, err := Apply(m, Request{Command: AddItem{Kind: ItemPaper, Title: "Haushalt", Public: true}, Actor: office, ExpectedVersion: 3, At: start})
	if motion.CodeOf(err) != motion.CodeStaleVersion {
		t.Fatalf("stale version: %v", err)
	}
}

// convened returns a meeting with three motions, a paper and a non-public
// item whose invitation is out.
func convened(t *testing.T) *Meeting {
	m := newMeeting()
	before := start.AddDate(0, 0, -8)
	for _, id := range []string{"m1", "m2", "m3"} {
		run(t, m, before, AddItem{Kind: ItemMotion, Title: "Antrag " + id, Public: true, MotionID: id, ConsultationID: "c1"})
	}
	run(t, m, before, AddItem{Kind: ItemPaper, Title: "Haushalt", Public: true})
	run(t, m, before, AddItem{Kind: ItemFree, Title: "Grundstück Q 7", Public: false})
	run(t, m, before, PublishInvitation{})
	return m
}

func TestTheSessionOpensOnTheMeetingsDayWithQuorum(t *testing.T) {
	m := convened(t)
	members := []string{"A", "B", "C", "D", "E"}
	refused(t, m, office, start.AddDate(0, 0, -1), OpenSession{Members: members, Present: members}, motion.CodeIllegalTransition)
	refused(t, m, office, start, OpenSession{Members: members, Present: []string{"A", "Z"}}, motion.CodeInvalid)
	run(t, m, start, OpenSession{Members: members, Present: []string{"A", "B"}})
	if m.Quorate() {
		t.Fatal("two of five is quorate")
	}
	e := refused(t, m, office, start, RecordResults{ItemIDs: []string{"t1"}, ResultInput: motion.ResultInput{Result: motion.ResultAdopted}}, motion.CodeIllegalTransition)
	if !strings.Contains(e.Message, "beschlussfähig") {
		t.Fatalf("refusal %q", e.Message)
	}
	run(t, m, start, RecordAttendance{Present: []string{"A", "B", "C"}})
	if !m.Quorate() {
		t.Fatal("three of five is not quorate")
	}
}

func TestOneVoteForSeveralItemsTellsEachMotion(t *testing.T) {
	m := convened(t)
	at := start.Add(time.Hour)
	run(t, m, start, OpenSession{Members: []string{"A", "B", "C"}, Present: []string{"A", "B", "C"}})
	vote := &motion.Vote{Yes: 2, No: 1}
	tells := run(t, m, at, RecordResults{ItemIDs: []string{"t1", "t2", "t4"}, ResultInput: motion.ResultInput{Result: motion.ResultAdopted, Vote: vote},
		ResolutionText: "Wie beantragt."})
	if len(tells) != 2 {
		t.Fatalf("%d tells, want one per motion (2)", len(tells))
	}
	for _, tl := range tells {
		if tl.Result == nil || tl.Result.Result != motion.ResultAdopted || !tl.Result.MeetingStart.Equal(start) {
			t.Fatalf("tell %+v", tl)
		}
	}
	if tells[0].Key == tells[1].Key {
		t.Fatal("two tells share a key")
	}
	for _, id := range []string{"t1", "t2", "t4"} {
		if it := m.Item(id); it.Status != ItemDecided || it.EnBloc == "" || it.ResolutionText != "Wie beantragt." {
			t.Fatalf("item %s: %+v", id, it)
		}
	}
	refused(t, m, office, at, RecordResults{ItemIDs: []string{"t1"}, ResultInput: motion.ResultInput{Result: motion.ResultRejected}}, motion.CodeInvalid)
	// A tally that contradicts the result is refused, as on the motion.
	refused(t, m, office, at, RecordResults{ItemIDs: []string{"t3"}, ResultInput: motion.ResultInput{Result: motion.ResultAdopted,
		Vote: &motion.Vote{Yes: 0, No: 3}}}, motion.CodeInvalid)
}

func TestPostponingMovesTheItemAndLeavesATrace(t *testing.T) {
	m := convened(t)
	run(t, m, start, OpenSession{Members: []string{"A"}, Present: []string{"A"}})
	tells := run(t, m, start, RecordResults{ItemIDs: []string{"t3"}, ResultInput: motion.ResultInput{Result: motion.ResultPostponed}, PostponeTo: "gr-2"})
	if it := m.Item("t3"); it.Status != ItemPostponed || it.PostponedTo != "gr-2" {
		t.Fatalf("item %+v", it)
	}
	if len(tells) != 2 || tells[0].Result == nil || tells[1].Item == nil || tells[1].MeetingID != "gr-2" || tells[1].Item.PostponedFrom != "gr" {
		t.Fatalf("tells %+v", tells)
	}
}

func TestTheSessionClosesWhenEveryItemIsDealtWith(t *testing.T) {
	m := convened(t)
	run(t, m, start, OpenSession{Members: []string{"A"}, Present: []string{"A"}})
	e := refused(t, m, office, start, CloseSession{}, motion.CodeIllegalTransition)
	if !strings.Contains(e.Message, "TOP 1, 2, 3, 4, N1") {
		t.Fatalf("refusal %q does not name the open items", e.Message)
	}
	run(t, m, start, RecordResults{ItemIDs: []string{"t1", "t2", "t3", "t4", "t5"}, ResultInput: motion.ResultInput{Result: motion.ResultAdopted}})
	run(t, m, start, CloseSession{})
	run(t, m, start, AmendMinutes{Notes: "Unterbrechung\r\nvon 10 Minuten."})
	if m.MinutesNotes != "Unterbrechung\nvon 10 Minuten." {
		t.Fatalf("notes %q", m.MinutesNotes)
	}
	refused(t, m, office, start, PublishMinutes{}, motion.CodeIllegalTransition)
	run(t, m, start, ApproveMinutes{})
	run(t, m, start, PublishMinutes{})
	if m.Status != StatusPublished || !m.DocumentPublic("minutes") {
		t.Fatalf("status %s", m.Status)
	}
}

func TestThePublicSeesNoNonPublicContent(t *testing.T) {
	m := convened(t)
	v := m.PublicView()
	for _, it := range v.Agenda {
		if strings.Contains(it.Title, "Q 7") {
			t.Fatal("the public view shows a non-public title")
		}
	}
	if len(v.Agenda) != len(m.Agenda) || v.Agenda[4].Number != "N1" {
		t.Fatal("the public view drops the non-public item's number")
	}
	if m.Agenda[4].Title != "Grundstück Q 7" {
		t.Fatal("the public view changed the meeting")
	}
}

func TestTextsAreCheckedLikeTheMotions(t *testing.T) {
	m := newMeeting()
	refused(t, m, office, start, AddItem{Kind: ItemPaper, Title: "Haus\nhalt", Public: true}, motion.CodeInvalid)
	refused(t, m, office, start, AddItem{Kind: ItemPaper, Title: "Haus\x00halt", Public: true}, motion.CodeInvalid)
	refused(t, m, office, start, AddItem{Kind: "vote", Title: "Haushalt", Public: true}, motion.CodeInvalid)
	refused(t, m, office, start, Cancel{}, motion.CodeInvalid)
}

// A motion dealt with in the non-public part gets its result, not the vote:
// the vote stays in the meeting, which shows it to the council office only.
func TestANonPublicItemsVoteStaysInTheMeeting(t *testing.T) {
	m := newMeeting()
	before := start.AddDate(0, 0, -8)
	run(t, m, before, AddItem{Kind: ItemMotion, Title: "Grundstücksankauf", Public: false, MotionID: "m9", ConsultationID: "c1"})
	run(t, m, before, AddItem{Kind: ItemMotion, Title: "Radweg", Public: true, MotionID: "m8", ConsultationID: "c1"})
	run(t, m, before, PublishInvitation{})
	run(t, m, start, OpenSession{Members: []string{"A", "B", "C"}, Present: []string{"A", "B", "C"}})
	vote := &motion.Vote{Yes: 2, No: 1, ByFaction: []motion.FactionVote{{OrganizationID: "spd", Yes: 2, No: 1}}}
	for _, motionID := range []string{"m8", "m9"} {
		it := m.ItemFor(motionID, "c1")
		tells := run(t, m, start.Add(time.Hour), RecordResults{ItemIDs: []string{it.ID}, ResultInput: motion.ResultInput{Result: motion.ResultAdopted, Vote: vote}})
		if len(tells) != 1 || tells[0].Result == nil || tells[0].Result.Result != motion.ResultAdopted {
			t.Fatalf("%s: tells %+v", it.Number, tells)
		}
		if got := tells[0].Result.Vote; (got != nil) == !it.Public {
			t.Errorf("TOP %s (public %v) tells the motion the vote %+v", it.Number, it.Public, got)
		}
		if it := m.Item(it.ID); it.Vote == nil || it.Vote.Yes != 2 {
			t.Errorf("TOP %s lost its vote in the meeting: %+v", it.Number, it.Vote)
		}
	}
}
