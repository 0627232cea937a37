package web_test

import (
	"strings"
	"testing"
)

// TestMotionPageHistoryHidesTheDraftPhase: after submission everybody sees
// the motion's history on its page, but not the draft's working title in the
// summary of its creation; its sponsors see their history in full.
func TestMotionPageHistoryHidesTheDraftPhase(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Geheimer Arbeitstitel", "Die Verwaltung berichtet.")
	// The summary as events were stored before it stopped naming the title.
	hist, err := e.st.History(t.Context(), id)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history %v, %v", hist, err)
	}
	m, err := e.st.Motion(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	old := hist[0]
	old.Summary = "Entwurf angelegt: Geheimer Arbeitstitel"
	if err := e.st.Project(t.Context(), m, old); err != nil {
		t.Fatal(err)
	}
	must(t, e.act("spd", id, "submit", nil), 200, "Der Antrag wurde eingereicht.")
	for _, user := range []string{"", "office", "cdu"} {
		p := e.get(user, "/antraege/"+id)
		must(t, p, 200, "Entwurf angelegt")
		if strings.Contains(p.Body, "Entwurf angelegt: Geheimer Arbeitstitel") {
			t.Errorf("%q sees the draft's working title in the history", user)
		}
	}
	must(t, e.get("spd", "/antraege/"+id), 200, "Entwurf angelegt: Geheimer Arbeitstitel")
}
