package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestImplausibleRecordsAreRefusedFieldByField: over HTTP, each implausible
// record of issue 15 is refused with a German sentence at its field and
// changes nothing: "adopted" against its tally, a person voting twice, a
// per-faction vote of something that is no faction, an inquiry to a
// department that does not exist; an outcome recorded without a meeting can
// be corrected.
func TestImplausibleRecordsAreRefusedFieldByField(t *testing.T) {
	h := newHarness(t, api.Config{})
	m := h.create(h.SPD, motion.KindMotion, draftContent("Ein Spielplatz am Marktplatz"))
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	h.run(h.Office, m.ID, motion.CmdRegister, nil)
	h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": council, "decisive": true}}})
	start := time.Now().Add(2 * time.Second).Truncate(time.Second)
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": h.meeting("gr-plausibel", council, "Gemeinderat", start)})
	time.Sleep(time.Until(start.Add(time.Second)))
	m = h.get(h.Office, m.ID)

	refused := func(body map[string]any, want string) {
		t.Helper()
		r := h.mustStatus(h.command(h.Office, m.ID, motion.CmdRecordResult, m.Version, body), 422)
		if got := h.fieldMessages(r); !slices.Contains(got, want) {
			t.Errorf("refusal %q, want %q", got, want)
		}
	}
	refused(map[string]any{"consultation_id": "c1", "result": "adopted", "vote": map[string]any{"yes": 10, "no": 20, "abstain": 0}},
		"result: Ein Beschluss braucht mehr Ja- als Nein-Stimmen; bei Stimmengleichheit ist der Antrag abgelehnt.")
	refused(map[string]any{"consultation_id": "c1", "result": "adopted", "vote": map[string]any{"yes": 2, "no": 0, "abstain": 0, "named": []map[string]any{
		{"name": "Anna Albrecht", "vote": "yes"}, {"name": "anna  albrecht", "vote": "yes"}}}},
		"vote.named[1].name: Die 2. namentliche Stimme nennt eine Person, die schon abgestimmt hat.")
	refused(map[string]any{"consultation_id": "c1", "result": "adopted", "vote": map[string]any{"yes": 3, "no": 1, "abstain": 0, "by_faction": []map[string]any{
		{"organization_id": factionSPD, "yes": 2, "no": 0, "abstain": 0}, {"organization_id": committee, "yes": 1, "no": 1, "abstain": 0}}}},
		"vote.by_faction[1].organization_id: Diese Fraktion gibt es in dieser Körperschaft nicht.")
	if h.get(h.Office, m.ID).Version != m.Version {
		t.Fatal("a refused record changed the motion")
	}

	r := h.mustStatus(h.call("POST", "/v1/motions", h.SPD, map[string]any{"body_id": bodyID, "kind": "inquiry",
		"title": "Wie viele Bänke gibt es?", "resolution_points": []string{"Wie viele?"}, "addressed_department": "mannheim-dez9"}), 422)
	if got := h.fieldMessages(r); len(got) != 1 || !strings.HasPrefix(got[0], "addressed_department: ") {
		t.Errorf("inquiry to a department that does not exist: %q", got)
	}

	// Settled without a meeting, then corrected.
	o := h.create(h.SPD, motion.KindMotion, draftContent("Ein Brunnen am Wasserturm"))
	h.run(h.SPD, o.ID, motion.CmdSubmit, nil)
	h.run(h.Office, o.ID, motion.CmdRegister, nil)
	h.run(h.Office, o.ID, motion.CmdRecordOutcome, map[string]any{"result": "settled_by_administration", "note": "Die Verwaltung baut ihn ohnehin."})
	o = h.run(h.Office, o.ID, motion.CmdCorrectResult, map[string]any{"consultation_id": motion.OutcomeConsultation, "reason": "Falsch erfasst",
		"result": "noted"})
	if o.Outcome == nil || o.Outcome.Result != motion.ResultNoted {
		t.Fatalf("corrected outcome: %+v", o.Outcome)
	}
}
