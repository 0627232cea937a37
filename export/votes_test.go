package export

import (
	"reflect"
	"testing"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// TestMeetingVotes: the motion's record wins over the item (corrections),
// a non-public item never comes back as a result recorded on its motion,
// and a result recorded for the meeting on a motion alone follows the agenda.
func TestMeetingVotes(t *testing.T) {
	vote := func(y, n int) *motion.Vote { return &motion.Vote{Yes: y, No: n} }
	m := meeting.Meeting{ID: "gr-1", Agenda: []meeting.Item{
		{ID: "t1", Number: "1", Kind: meeting.ItemMotion, Public: true, MotionID: "a", ConsultationID: "c1", Title: "A",
			Result: motion.ResultAdopted, Vote: vote(3, 1), EnBloc: "v9"},
		{ID: "t2", Number: "2", Kind: meeting.ItemPaper, Public: true, Title: "Vorlage", Result: motion.ResultNoted, EnBloc: "v9"},
		{ID: "t3", Number: "3", Kind: meeting.ItemReport, Public: true, Title: "Bericht"}, // no result yet
		{ID: "t4", Number: "N1", Kind: meeting.ItemMotion, Public: false, MotionID: "s", ConsultationID: "c1", Title: "Geheim",
			Result: motion.ResultRejected, Vote: vote(0, 4), EnBloc: "v10"},
		{ID: "t5", Number: "N2", Kind: meeting.ItemFree, Public: false, Title: "Personal", Result: motion.ResultNoted, EnBloc: "v10"},
	}}
	rec := func(meetingID string, r motion.Result, v *motion.Vote) []motion.Consultation {
		return []motion.Consultation{{ID: "c1", MeetingID: meetingID, Status: motion.ConsultationDone,
			Record: &motion.ResultRecord{Result: r, Vote: v, MeetingID: meetingID}}}
	}
	ms := []motion.Motion{
		{ID: "z", ReferenceYear: 2026, ReferenceSeq: 9, Reference: "A9/2026", Content: motion.Content{Title: "Z"},
			Consultations: rec("gr-1", motion.ResultAdopted, vote(5, 0))},
		{ID: "a", Consultations: rec("gr-1", motion.ResultAdopted, vote(4, 0))}, // corrected on the motion
		{ID: "s", Consultations: rec("gr-1", motion.ResultRejected, vote(0, 4))},
		{ID: "y", ReferenceYear: 2026, ReferenceSeq: 2, Reference: "A2/2026", Content: motion.Content{Title: "Y"},
			Consultations: rec("gr-2", motion.ResultAdopted, nil)}, // another meeting
		{ID: "x", ReferenceYear: 2026, ReferenceSeq: 1, Reference: "A1/2026", Content: motion.Content{Title: "X"},
			Consultations: rec("gr-1", motion.ResultRejected, nil)},
	}
	numbers := func(items []VoteItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Number+"/"+it.MotionID+"/"+string(it.Result))
		}
		return out
	}
	pub := MeetingVotes(m, ms, false)
	if got, want := numbers(pub), []string{"1/a/adopted", "2//noted", "/x/rejected", "/z/adopted"}; !reflect.DeepEqual(got, want) {
		t.Errorf("public %q, want %q", got, want)
	}
	if pub[0].Vote.Yes != 4 || !reflect.DeepEqual(pub[0].EnBloc, []string{"1", "2"}) {
		t.Errorf("item 1 %+v: want the motion's corrected vote and the bloc 1, 2", pub[0])
	}
	office := MeetingVotes(m, ms, true)
	if got, want := numbers(office), []string{"1/a/adopted", "2//noted", "N1/s/rejected", "N2//noted", "/x/rejected", "/z/adopted"}; !reflect.DeepEqual(got, want) {
		t.Errorf("office %q, want %q", got, want)
	}
	if !reflect.DeepEqual(office[2].EnBloc, []string{"N1", "N2"}) {
		t.Errorf("non-public bloc %v", office[2].EnBloc)
	}

	items := []VoteItem{{Number: "1", Kind: meeting.ItemMotion, Title: "A", Result: motion.ResultAdopted,
		Vote: &motion.Vote{Yes: 3, No: 1, ByFaction: []motion.FactionVote{{OrganizationID: "spd", Yes: 3}, {OrganizationID: "x", No: 1}}}}}
	fs := VoteFactions(items, map[string]string{"spd": "SPD-Fraktion"})
	if !reflect.DeepEqual(fs, []Faction{{ID: "spd", Name: "SPD-Fraktion"}, {ID: "x", Name: "x"}}) {
		t.Errorf("factions %+v", fs)
	}
	rows := VoteRows(items, fs)
	want := []string{"1", "Antrag", "", "A", motion.ResultAdopted.Label(), "3", "1", "0", "", "", "", "3", "0", "0", "0", "1", "0", "", ""}
	if len(rows) != 2 || len(rows[0]) != len(want) || !reflect.DeepEqual(rows[1], want) {
		t.Errorf("rows %q, want header and %q", rows, want)
	}
}
