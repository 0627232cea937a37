package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestOfficeSeesTheNextStepFirst: after registering, the council office's
// page opens with the next sensible step (the route) and folds the rest
// under their names; the destructive steps come last and ask for a
// confirmation the browser requires. The route form asks for the
// advising gremia and then the deciding one, as its legend says, and the
// page then offers scheduling the first consultation as the next step.
func TestOfficeSeesTheNextStepFirst(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Mehr Bänke am Neckar", "Bänke aufstellen.")
	must(t, e.act("spd", id, "submit", nil), 200)
	p := e.act("office", id, "register", nil)
	must(t, p, 200, "Der Antrag wurde registriert.")
	actions := p.Body[strings.Index(p.Body, `id="h-aktionen"`):]
	first := regexp.MustCompile(`<(section|details) class="aktion[^"]*"`).FindString(actions)
	if first != `<section class="aktion naechster"` {
		t.Fatalf("the first action is %q, want the next step, open", first)
	}
	if !strings.Contains(actions, `Nächster Schritt:</span> Beratungsfolge festlegen</h3>`) {
		t.Fatal("the next step is not the route")
	}
	inadmissible := regexp.MustCompile(`(?s)<details class="aktion gefahr" id="aktion-declare-inadmissible">.*?</details>`).FindString(actions)
	if inadmissible == "" {
		t.Fatal("declaring it inadmissible is not folded among the destructive steps")
	}
	for _, want := range []string{`<summary><h3 id="h-aktion-declare-inadmissible" class="inline">Für unzulässig erklären</h3></summary>`,
		`name="bestaetigt" value="ja" required>`, "Ich bestätige, dass der Antrag für unzulässig erklärt wird."} {
		if !strings.Contains(inadmissible, want) {
			t.Errorf("the inadmissibility step lacks %q:\n%s", want, inadmissible)
		}
	}
	if strings.Index(actions, `id="aktion-set-deadline"`) > strings.Index(actions, `id="aktion-declare-inadmissible"`) {
		t.Error("a destructive step comes before the others")
	}
	route := regexp.MustCompile(`(?s)<form [^>]*aktionen/set_route.*?</form>`).FindString(actions)
	if strings.Contains(route, `type="radio"`) || !strings.Contains(route, "zuletzt das beschließende</legend>") ||
		!strings.Contains(route, `<input type="hidden" name="decisive" value="3">`) {
		t.Fatalf("the route form lets the user choose the deciding gremium anywhere or says otherwise:\n%s", route)
	}
	// As the browser posts it: three advising rows, the deciding one last.
	p = e.act("office", id, "set_route", url.Values{"steps": {"ha", "", "", "gr"}, "decisive": {"3"}})
	must(t, p, 200, "Die Beratungsfolge wurde festgelegt.", `Nächster Schritt:</span> Beratung im Gremium „Hauptausschuss“ einplanen</h3>`)
	// The form shows the route as set: the committee advises, the council decides.
	route = regexp.MustCompile(`(?s)<form [^>]*aktionen/set_route.*?</form>`).FindString(p.Body)
	deciding := route[strings.Index(route, `class="beschluss"`):]
	if !strings.Contains(deciding, `<option value="gr" selected>`) || strings.Contains(deciding, `<option value="ha" selected>`) {
		t.Errorf("the deciding row does not show the council:\n%s", deciding)
	}
}
