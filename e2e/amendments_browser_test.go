package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// webCDU is the CDU's staff in the browser.
var webCDU = webUser{Subject: "cdu-web", Name: "Carl Muster", Groups: []string{"role:faction_staff", "faction:" + factionCDU, "body:" + bodyID}}

// amendmentPath matches the page of a motion and takes its id.
var amendmentPath = regexp.MustCompile(`^/antraege/([0-9a-f-]{36})$`)

// TestAmendmentThroughThePages: the CDU's staff open the SPD's submitted
// motion, read its text with line numbers, write an amendment against a
// line on the amendment form and create it; the motion's page lists it with
// the diff (struck and added words, said in words for screen readers). The
// motion's result waits for the amendment; once the amendment and then the
// motion are adopted (over the API, through the real workflows), the
// motion's page shows the merged Beschlusstext. axe-core finds nothing on
// the motion's page and on the form.
func TestAmendmentThroughThePages(t *testing.T) {
	w := newWebHarness(t)
	b := w.b

	m := w.create(w.SPD, motion.KindMotion, map[string]any{"title": "Bänke am Neckarufer",
		"resolution_points": []string{"Die Verwaltung stellt zehn Bänke am Neckarufer auf.", "Die Kosten trägt der Ergebnishaushalt."},
		"justification":     "Am Ufer fehlen Sitzplätze."})
	w.run(w.SPD, m.ID, motion.CmdSubmit, nil)
	w.run(w.Office, m.ID, motion.CmdRegister, nil)

	w.login(webCDU)
	b.open("/antraege/" + m.ID)
	b.must("Bänke am Neckarufer", "Mit Zeilennummern", "Änderungsantrag stellen")
	// Each line carries its number, visible and named "Zeile n" for screen readers.
	if got := b.eval(`Array.from(document.querySelectorAll("#h-punkte ~ ol .zeile")).map(z => z.textContent.trim()).join("|")`); got !=
		"Zeile 1 Die Verwaltung stellt zehn Bänke am Neckarufer auf.|Zeile 2 Die Kosten trägt der Ergebnishaushalt." {
		t.Errorf("numbered lines: %q", got)
	}
	b.checkA11y("motion page with line numbers")

	b.click(`a[href="/antraege/` + m.ID + `/aendern"]`)
	b.must("Änderungsantrag stellen", "Von Zeile", "Bis Zeile", "Neuer Text")
	b.checkA11y("amendment form")
	b.fill("#aendern-from", "1")
	b.fill("#aendern-to", "1")
	// The script takes the chosen line's text into "Neuer Text" to edit it.
	b.clickHere("[data-zeilen-uebernehmen]")
	if got := b.eval(`document.getElementById("aendern-text").value`); got != "Die Verwaltung stellt zehn Bänke am Neckarufer auf." {
		t.Errorf("taken text %q", got)
	}
	b.fill("#aendern-text", "Die Verwaltung stellt zwanzig Bänke am Neckarufer auf.")
	b.fill("#aendern-title", "Mehr Bänke am Neckarufer")
	b.fill("#aendern-justification", "Zehn Bänke reichen für das lange Ufer nicht.")
	b.click(`form#aendern button[type="submit"]`)
	b.must("Der Entwurf wurde angelegt.", "Mehr Bänke am Neckarufer", "Änderungen", "Zeile 1 ersetzen")
	mm := amendmentPath.FindStringSubmatch(b.path())
	if mm == nil {
		t.Fatalf("not on the amendment's page: %s", b.path())
	}
	am := mm[1]
	if a := w.get(w.CDU, am); a.Kind != motion.KindAmendment || a.Status != motion.StatusDraft {
		t.Fatalf("amendment %+v", a)
	}
	w.run(w.CDU, am, motion.CmdSubmit, nil)
	w.run(w.Office, am, motion.CmdRegister, nil)

	b.open("/antraege/" + m.ID)
	b.must("Änderungsanträge", "Mehr Bänke am Neckarufer", "Eingereicht")
	if del, ins := b.eval(`document.querySelector(".aenderungsliste del").textContent`),
		b.eval(`document.querySelector(".aenderungsliste ins").textContent`); del != "gestrichen: zehn" || ins != "eingefügt: zwanzig" {
		t.Errorf("diff: struck %q, added %q", del, ins)
	}
	b.checkA11y("motion page with an amendment")

	// Both are voted in the council's meeting, the amendment first.
	gr := w.meeting("gr-aenderung", council, "Sitzung des Gemeinderats", time.Now().In(berlin).AddDate(0, 0, -7))
	for _, id := range []string{m.ID, am} {
		w.run(w.Office, id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": council, "decisive": true}}})
		w.run(w.Office, id, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": gr,
			"override": "Nacherfassung: die Sitzung wurde nachträglich erfasst."})
	}
	cur := w.get(w.Office, m.ID)
	r := w.command(w.Office, m.ID, motion.CmdRecordResult, cur.Version, map[string]any{"consultation_id": "c1", "result": "adopted"})
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "Änderungsanträge") {
		t.Fatalf("the motion's result before its amendment's: %d %s", r.Status, r.Body)
	}
	w.run(w.Office, am, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "adopted",
		"vote": map[string]any{"yes": 30, "no": 14, "abstain": 0}})
	w.run(w.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "adopted_amended",
		"vote": map[string]any{"yes": 40, "no": 4, "abstain": 0}})

	b.open("/antraege/" + m.ID)
	b.must("Beschlusstext mit den angenommenen Änderungsanträgen", "Die Verwaltung stellt zwanzig Bänke am Neckarufer auf.",
		"Die Kosten trägt der Ergebnishaushalt.", "Eingearbeitet:")
	b.checkA11y("motion page with the merged resolution text")
}
