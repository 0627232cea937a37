package web_test

import (
	"net/url"
	"regexp"
	"testing"
)

// TestRouteStepThatIsNoGremium: a route step naming a faction is refused
// (store.CheckReferences, as in the API) and the message stands at the row
// the user filled in, counting the blank row before it; nothing changes.
func TestRouteStepThatIsNoGremium(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Mehr Bänke am Neckar", "Bänke aufstellen.")
	must(t, e.act("spd", id, "submit", nil), 200)
	must(t, e.act("office", id, "register", nil), 200)
	p := e.act("office", id, "set_route", url.Values{"steps": {"ha", "", "spd"}, "decisive": {"2"}})
	must(t, p, 422)
	row := regexp.MustCompile(`id="[^"]*-steps-2-fehler"><span class="vh">Fehler: </span>([^<]*)</p>`).FindStringSubmatch(p.Body)
	if row == nil || row[1] != "Das ist kein Gremium; bitte wählen Sie den Gemeinderat, einen Ausschuss oder einen Bezirksbeirat." {
		t.Errorf("message at the third row: %q", row)
	}
	if m, _ := e.st.Motion(t.Context(), id); m.Version != 3 || len(m.Consultations) != 0 {
		t.Errorf("refused route changed the motion: version %d, %+v", m.Version, m.Consultations)
	}
}
