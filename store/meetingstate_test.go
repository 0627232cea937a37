package store_test

import (
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// TestAWithdrawnMotionIsMarkedOnTheAgenda: the faction withdraws a motion
// that is on a meeting's agenda; the agenda shows its item as withdrawn at
// once, without a command of the council office, while the other items stay
// as they are. The meeting's projection never goes back to an older version.
func TestAWithdrawnMotionIsMarkedOnTheAgenda(t *testing.T) {
	s := newStore(t, "ma")
	at := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, err := s.CreateOrganization(ctx(t), store.Organization{ID: "gr", BodyID: "ma", Kind: "council", Name: "Gemeinderat"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 4, 20, 14, 0, 0, 0, time.UTC)
	if _, err := s.CreateMeeting(ctx(t), store.Meeting{ID: "gr-1", BodyID: "ma", OrganizationID: "gr", Name: "Gemeinderat", Start: start}); err != nil {
		t.Fatal(err)
	}
	withdrawn := submit(draft("m1", "ma", "spd", "Radweg am Neckar", at), at)
	kept := submit(draft("m2", "ma", "spd", "Bänke am Rhein", at), at)
	project(t, s, withdrawn)
	project(t, s, kept)

	m := meeting.Meeting{ID: "gr-1", BodyID: "ma", OrganizationID: "gr", Name: "Gemeinderat", Start: start,
		Version: 3, Status: meeting.StatusConvened, UpdatedAt: at, Agenda: []meeting.Item{
			{ID: "t1", Number: "1", Kind: meeting.ItemMotion, Title: withdrawn.Title, Public: true, MotionID: "m1", ConsultationID: "c1", Status: meeting.ItemOpen},
			{ID: "t2", Number: "2", Kind: meeting.ItemMotion, Title: kept.Title, Public: true, MotionID: "m2", ConsultationID: "c1", Status: meeting.ItemOpen},
		}}
	ev := meeting.Event{MeetingID: "gr-1", Version: 3, Command: meeting.CmdPublishInvitation, At: at, Status: m.Status, Summary: "Einladung"}
	if err := s.ProjectMeeting(ctx(t), m, ev); err != nil {
		t.Fatal(err)
	}
	older := m
	older.Version, older.Status = 2, meeting.StatusPlanned
	if err := s.ProjectMeeting(ctx(t), older, meeting.Event{MeetingID: "gr-1", Version: 2, Command: meeting.CmdAddItem, At: at, Status: older.Status}); err != nil {
		t.Fatal(err)
	}

	w := *withdrawn.Clone()
	w.Version++
	w.Status = motion.StatusWithdrawn
	w.UpdatedAt = at.Add(time.Hour)
	project(t, s, w)

	got, err := s.MeetingState(ctx(t), "gr-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || got.Status != meeting.StatusConvened {
		t.Fatalf("state version %d status %s, want the newer projection (3, convened)", got.Version, got.Status)
	}
	if it := got.Item("t1"); it.Status != meeting.ItemWithdrawn || it.Result != motion.ResultWithdrawn {
		t.Errorf("the withdrawn motion's item is %s, want withdrawn", it.Status)
	}
	if it := got.Item("t2"); it.Status != meeting.ItemOpen {
		t.Errorf("the other item is %s, want open", it.Status)
	}
	evs, err := s.MeetingEvents(ctx(t), "gr-1")
	if err != nil || len(evs) != 2 || evs[0].Version != 2 || evs[1].Version != 3 {
		t.Fatalf("events %+v %v, want versions 2 and 3 in order", evs, err)
	}
}

// TestAnOlderMeetingDocumentDoesNotReplaceANewerOne: the minutes made when
// the session closed may be stored after those made when they were
// published; the published ones stay. The same state stored again, or a
// newer one, replaces as before.
func TestAnOlderMeetingDocumentDoesNotReplaceANewerOne(t *testing.T) {
	s := newStore(t, "ma")
	if _, err := s.CreateOrganization(ctx(t), store.Organization{ID: "gr", BodyID: "ma", Kind: "council", Name: "Gemeinderat"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 4, 20, 14, 0, 0, 0, time.UTC)
	if _, err := s.CreateMeeting(ctx(t), store.Meeting{ID: "gr-1", BodyID: "ma", OrganizationID: "gr", Name: "Gemeinderat", Start: start}); err != nil {
		t.Fatal(err)
	}
	closed, published, amended := start.Add(3*time.Hour), start.Add(26*time.Hour), start.Add(50*time.Hour)
	save := func(content string, at time.Time) {
		t.Helper()
		if err := s.SaveMeetingFile(ctx(t), store.MeetingFile{MeetingID: "gr-1", Kind: "minutes", Name: "Niederschrift.pdf", Content: []byte(content)}, at); err != nil {
			t.Fatal(err)
		}
	}
	stored := func(want string, modified time.Time) {
		t.Helper()
		f, err := s.MeetingFileOf(ctx(t), "gr-1", "minutes")
		if err != nil {
			t.Fatal(err)
		}
		if string(f.Content) != want || !f.Modified.Equal(modified) {
			t.Errorf("minutes %q of %v, want %q of %v", f.Content, f.Modified, want, modified)
		}
	}
	save("veröffentlicht", published)
	save("geschlossen", closed) // late
	stored("veröffentlicht", published)
	save("veröffentlicht", published) // a retry
	stored("veröffentlicht", published)
	save("berichtigt", amended)
	stored("berichtigt", amended)
}
