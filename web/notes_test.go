package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestNotesOnTheMotionPage: the SPD comments on its draft (stored once when
// sent twice); the CDU and the public never read it; an empty note is
// refused at its field with the text kept; after submission the council
// office writes an internal note the faction does not see.
func TestNotesOnTheMotionPage(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Mehr Radwege", "Die Verwaltung plant Radwege.")
	note := func(user, visibility, text string) (url.Values, string) {
		t.Helper()
		show := e.get(user, "/antraege/"+id)
		return url.Values{"key": {hidden(t, show.Body, "/antraege/"+id+"/notizen", "key")}, "visibility": {visibility}, "text": {text}}, "/antraege/" + id + "/notizen"
	}
	v, action := note("spd", "sponsors", "Bitte Punkt 1 mit dem ADFC abstimmen.")
	must(t, e.post("spd", action, v), 200, "Gespeichert.", "Bitte Punkt 1 mit dem ADFC abstimmen.", "nur für die Antragsteller")
	p := e.post("spd", action, v) // sent again: stored once
	if n := strings.Count(p.Body, "Bitte Punkt 1 mit dem ADFC abstimmen."); n != 1 {
		t.Fatalf("a note sent twice is shown %d times", n)
	}
	v, action = note("spd", "sponsors", "   ")
	must(t, e.post("spd", action, v), 422, "Die Notiz ist leer.", `aria-invalid="true"`)

	e.act("spd", id, "submit", nil)
	for _, user := range []string{"cdu", ""} {
		if strings.Contains(e.get(user, "/antraege/"+id).Body, "ADFC") {
			t.Errorf("%q reads the sponsors' note", user)
		}
	}
	v, action = note("office", "internal", "Rechtsamt prüft die Zuständigkeit.")
	must(t, e.post("office", action, v), 200, "Rechtsamt prüft die Zuständigkeit.", "Ratsbüro und Verwaltung")
	if body := e.get("spd", "/antraege/"+id).Body; strings.Contains(body, "Rechtsamt") || !strings.Contains(body, "ADFC") {
		t.Error("the faction reads the internal note, or no longer its own")
	}
	if strings.Contains(e.get("office", "/antraege/"+id).Body, "ADFC") {
		t.Error("the council office reads the sponsors' note")
	}
}
