package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestBlankReferencesSayMissing: a faction, route step or meeting sent as
// blanks is missing, and the answer says so at the field (the domain's
// "… fehlt."), not that there is no such faction, Gremium or meeting in
// the body; an id PostgreSQL cannot even hold (a NUL) is not there: 422,
// never 500, and the answer does not repeat it.
func TestBlankReferencesSayMissing(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Bänke am Neckar")
	wantField := func(r resp, location, message string) {
		t.Helper()
		var p struct {
			Errors []struct{ Location, Message string }
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatalf("problem: %v: %s", err, r.body)
		}
		for _, d := range p.Errors {
			if d.Location == location && strings.Contains(d.Message, message) {
				return
			}
		}
		t.Errorf("want %s %q in %s", location, message, r.body)
	}
	wantField(e.run("spd", id, motion.CmdInviteCosponsor, map[string]any{"faction": "  "}, http.StatusUnprocessableEntity),
		"body.faction", "fehlt")
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	e.run("office", id, motion.CmdRegister, nil, http.StatusOK)
	wantField(e.run("office", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": "ha"}, {"organization_id": " ", "decisive": true},
	}}, http.StatusUnprocessableEntity), "body.steps[1].organization_id", "fehlt")
	e.run("office", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": "ha"}, {"organization_id": "gr", "decisive": true},
	}}, http.StatusOK)
	wantField(e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": " "}, http.StatusUnprocessableEntity),
		"body.meeting_id", "fehlt")
	r := e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": "a\u0000b"}, http.StatusUnprocessableEntity)
	wantField(r, "body.meeting_id", "Diese Sitzung gibt es in dieser Körperschaft nicht.")
	if strings.Contains(string(r.body), `a\u0000b`) {
		t.Errorf("the refusal repeats the id sent: %s", r.body)
	}
	if m, _ := e.motions.State(t.Context(), id); m.Version != 4 || m.Consultations[0].MeetingID != "" {
		t.Errorf("refused commands changed the motion: version %d, %+v", m.Version, m.Consultations)
	}
}
