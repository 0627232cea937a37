package notify

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

func TestStepsSayWhatHappenedWithoutIds(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := &motion.Motion{ID: "m1", BodyID: "ma", Reference: "A12/2026", Kind: motion.KindMotion, Status: motion.StatusInConsultation,
		Content: motion.Content{Title: "Sanierung der Schulen"}, Faction: "spd", SubmittedAt: &at}
	data := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	cases := []struct {
		ev        motion.Event
		outcome   *motion.Outcome
		typ, text string
	}{
		{motion.Event{Version: 3, Command: motion.CmdRegister, Summary: "Registriert als A12/2026"}, nil,
			"de.motionflow.motion.registered", "Registriert als A12/2026 – „Sanierung der Schulen“"},
		{motion.Event{Version: 4, Command: motion.CmdSetRoute, Summary: "Beratungsfolge: ma-ha → ma-gr"}, nil,
			"de.motionflow.motion.route_set", "Beratungsfolge festgelegt – A12/2026 „Sanierung der Schulen“"},
		{motion.Event{Version: 5, Command: motion.CmdRecordResult, Status: motion.StatusInConsultation,
			Summary: "ma-ha: Empfehlung", Data: data(map[string]any{"consultation_id": "c1", "result": "recommend_approval"})}, nil,
			"de.motionflow.motion.result_recorded", "Beratungsergebnis: " + motion.ResultRecommendApproval.Label() + " – A12/2026 „Sanierung der Schulen“"},
		{motion.Event{Version: 6, Command: motion.CmdRecordResult, Status: motion.StatusDecided,
			Summary: "ma-gr: Angenommen", Data: data(map[string]any{"consultation_id": "c2", "result": "adopted"})},
			&motion.Outcome{Result: motion.ResultAdopted, DecidedAt: at},
			"de.motionflow.motion.decided", "Entschieden: " + motion.ResultAdopted.Label() + " – A12/2026 „Sanierung der Schulen“"},
	}
	for _, c := range cases {
		mm := *m
		mm.Outcome = c.outcome
		c.ev.MotionID, c.ev.At = "m1", at
		s, ok := MotionStep(&mm, c.ev, "https://rat.example/antraege/{id}")
		if !ok || s.Type != c.typ || s.Text != c.text || s.ID != "motion/m1/v"+itoa(c.ev.Version) || s.Link != "https://rat.example/antraege/m1" {
			t.Errorf("%s: %v %+v\nwant %s %q", c.ev.Command, ok, s, c.typ, c.text)
		}
		if strings.Contains(s.Text, "ma-") {
			t.Errorf("%s: the text shows an id: %q", c.ev.Command, s.Text)
		}
		ce, err := s.CloudEvent()
		if err != nil || ce.Source() != "/bodies/ma" || ce.Subject() != "motions/m1" || ce.SpecVersion() != "1.0" {
			t.Errorf("%s: CloudEvent %v (%v)", c.ev.Command, ce, err)
		}
	}

	draft := *m
	draft.SubmittedAt, draft.Reference, draft.Status = nil, "", motion.StatusDraft
	for _, c := range []motion.CommandName{motion.CmdCreate, motion.CmdEdit, motion.CmdInviteCosponsor, motion.CmdWithdraw} {
		if s, ok := MotionStep(&draft, motion.Event{MotionID: "m1", Version: 2, Command: c, At: at}, ""); ok {
			t.Errorf("%s of a draft is announced: %+v", c, s)
		}
	}

	mt := meeting.Meeting{ID: "gr-1", BodyID: "ma", Name: "Gemeinderat", Start: time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC), Status: meeting.StatusConvened}
	s, ok := MeetingStep(mt, meeting.Event{MeetingID: "gr-1", Version: 4, Command: meeting.CmdPublishInvitation, At: at}, "https://rat.example/antraege/{id}")
	if !ok || s.Type != "de.motionflow.meeting.invitation_published" || s.Text != "Einladung veröffentlicht – Gemeinderat am 10.03.2026" ||
		s.Link != "https://rat.example/sitzungen/gr-1" {
		t.Errorf("meeting step %+v", s)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
