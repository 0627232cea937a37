package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
)

// send runs a command on a motion as actor, as the workflow would.
func (e *env) send(a motion.Actor, id string, cmd motion.Command) {
	e.t.Helper()
	meta := workflows.Meta{Actor: a, ExpectedVersion: motion.AnyVersion, RequestID: newRequest()}
	var err error
	if motion.Creating(cmd.Name()) {
		_, err = e.motions.Create(e.t.Context(), id, cmd, meta)
	} else {
		_, err = e.motions.Send(e.t.Context(), id, cmd, meta)
	}
	if err != nil {
		e.t.Fatalf("%T: %v", cmd, err)
	}
}

var requests atomic.Int64

// newRequest is a fresh request id.
func newRequest() string { return fmt.Sprintf("amend-test-%d", requests.Add(1)) }

// lineNo matches a numbered line: the number visible, "Zeile" for screen readers.
var lineNo = regexp.MustCompile(`<span class="ln"><span class="vh">Zeile </span>(\d+)</span> ([^<]*)</span>`)

// TestAmendmentOnThePages: the motion's page shows its text in numbered
// lines; the CDU writes an amendment on the form against a line; the
// amendment's page names the motion it amends and its change; the
// motion's page lists it with the diff (struck and added words, said in
// words for screen readers); the motion's result waits for the amendment;
// once both are adopted the page and the print view show the merged
// resolution text.
func TestAmendmentOnThePages(t *testing.T) {
	e := newEnv(t)
	const id = "neckar"
	e.send(spd, id, motion.Create{BodyID: "ma", Kind: motion.KindMotion, Content: motion.Content{Title: "Bänke am Neckarufer",
		ResolutionPoints: []string{"Die Verwaltung stellt zehn Bänke am Neckarufer auf.", "Die Kosten trägt der Ergebnishaushalt."},
		Justification:    "Am Ufer fehlen Sitzplätze."}})

	// A draft cannot be amended yet: its own faction sees it but is
	// offered no form, and the form refuses it.
	if strings.Contains(e.get("spd", "/antraege/"+id).Body, "Änderungsantrag stellen") {
		t.Error("a draft offers the amendment form")
	}
	must(t, e.get("spd", "/antraege/"+id+"/aendern"), 403, "Kein Änderungsantrag möglich")
	e.send(spd, id, motion.Submit{})

	p := e.get("cdu", "/antraege/"+id)
	must(t, p, 200, "Änderungsantrag stellen", `href="/antraege/neckar/aendern"`)
	got := lineNo.FindAllStringSubmatch(p.Body, -1)
	if len(got) < 3 || got[0][1] != "1" || got[0][2] != "Die Verwaltung stellt zehn Bänke am Neckarufer auf." ||
		got[2][1] != "3" || got[2][2] != "Am Ufer fehlen Sitzplätze." {
		t.Fatalf("numbered lines %q", got)
	}
	// Anonymous visitors and the council office get no form.
	if strings.Contains(e.get("", "/antraege/"+id).Body, "Änderungsantrag stellen") {
		t.Error("anonymous visitors are offered the amendment form")
	}
	must(t, e.get("office", "/antraege/"+id+"/aendern"), 403)

	form := e.get("cdu", "/antraege/"+id+"/aendern")
	must(t, form, 200, "Von Zeile", "Bis Zeile", "Zeilen ersetzen", "Zeilen streichen", "Nach einer Zeile einfügen", "Neuer Text",
		`<span class="vh">Zeile </span>2</span>`)
	key, draft := hidden(t, form.Body, "/antraege/"+id+"/aendern", "key"), hidden(t, form.Body, "/antraege/"+id+"/aendern", "draft")
	// A line the motion does not have: the domain's message at "Von Zeile".
	bad := e.post("cdu", "/antraege/"+id+"/aendern", url.Values{"key": {key}, "draft": {draft}, "op": {"replace"}, "from": {"7"},
		"text": {"x"}, "title": {"Mehr Bänke"}})
	must(t, bad, 422, "Von Zeile", "Die Zeile 7 gibt es im geänderten Antrag nicht", `value="Mehr Bänke"`)
	// A line that is no number is the form's to refuse; a change the
	// domain does not know, the domain's.
	nan := e.post("cdu", "/antraege/"+id+"/aendern", url.Values{"key": {hidden(t, bad.Body, "/antraege/"+id+"/aendern", "key")},
		"draft": {draft}, "op": {"replace"}, "from": {"drei"}, "text": {"x"}, "title": {"Mehr Bänke"}})
	must(t, nan, 422, "Von Zeile", "Bitte geben Sie die Zeile als Zahl an")
	badOp := e.post("cdu", "/antraege/"+id+"/aendern", url.Values{"key": {hidden(t, nan.Body, "/antraege/"+id+"/aendern", "key")},
		"draft": {draft}, "op": {"verschieben"}, "from": {"1"}, "text": {"x"}, "title": {"Mehr Bänke"}})
	must(t, badOp, 422, "„verschieben“ gibt es nicht")
	ok := e.post("cdu", "/antraege/"+id+"/aendern", url.Values{"key": {hidden(t, badOp.Body, "/antraege/"+id+"/aendern", "key")},
		"draft": {draft}, "op": {"replace"}, "from": {"1"}, "to": {"1"},
		"text": {"Die Verwaltung stellt zwanzig Bänke am Neckarufer auf."}, "title": {"Mehr Bänke"}, "justification": {"Zehn reichen nicht."}})
	must(t, ok, 200, "Der Entwurf wurde angelegt.", "Änderungsantrag", `<a href="/antraege/neckar">„Bänke am Neckarufer“</a>`,
		"Zeile 1</strong> ersetzen")
	m := motionURL.FindStringSubmatch(ok.URL)
	if m == nil {
		t.Fatalf("not redirected to the amendment: %s", ok.URL)
	}
	am := m[1]
	stored, err := e.st.Motion(t.Context(), am)
	if err != nil || stored.Kind != motion.KindAmendment || stored.Amends != id || len(stored.AmendedPoints) != 2 || stored.Faction != "cdu" {
		t.Fatalf("amendment %+v %v", stored, err)
	}

	// The SPD does not see the CDU's draft; the CDU sees it with the diff.
	if strings.Contains(e.get("spd", "/antraege/"+id).Body, "Mehr Bänke") {
		t.Error("a foreign draft amendment is listed")
	}
	must(t, e.get("cdu", "/antraege/"+id), 200, "Änderungsanträge", "Mehr Bänke",
		`<del><span class="vh">gestrichen: </span>zehn</del>`, `<ins><span class="vh">eingefügt: </span>zwanzig</ins>`)
	e.send(cdu, am, motion.Submit{})

	// Both in the same council meeting: the motion's result waits.
	meeting := e.councilMeeting()
	for _, x := range []string{id, am} {
		must(t, e.act("office", x, "register", nil), 200)
		must(t, e.act("office", x, "set_route", url.Values{"steps": {"gr"}, "decisive": {"0"}}), 200)
		must(t, e.act("office", x, "schedule", url.Values{"consultation_id": {"c1"}, "meeting_id": {meeting}, "override": {"Nacherfassung"}}), 200)
	}
	refused := e.act("office", id, "record_result", url.Values{"consultation_id": {"c1"}, "result": {"adopted"}})
	must(t, refused, 409, "Über die Änderungsanträge wird vor dem Antrag abgestimmt")
	e.decide(am, motion.ResultAdopted)
	// Before its own vote the motion's text is shown as amended, not yet
	// as the resolution.
	p = e.get("", "/antraege/"+id)
	must(t, p, 200, "Antragstext in der geänderten Fassung (angenommene Änderungsanträge eingearbeitet)",
		"Die Verwaltung stellt zwanzig Bänke am Neckarufer auf.")
	if strings.Contains(p.Body, "Beschlusstext mit den angenommenen") {
		t.Error("an undecided motion's text is called its Beschlusstext")
	}
	must(t, e.get("", "/antraege/"+id+"/druck"), 200, "Antragstext in der geänderten Fassung")
	e.decide(id, motion.ResultAdoptedAmended)

	// A decided motion offers no form.
	if strings.Contains(e.get("cdu", "/antraege/"+id).Body, "Änderungsantrag stellen") {
		t.Error("a decided motion offers the amendment form")
	}
	must(t, e.get("cdu", "/antraege/"+id+"/aendern"), 403, "Kein Änderungsantrag möglich")

	p = e.get("", "/antraege/"+id)
	must(t, p, 200, "Beschlusstext mit den angenommenen Änderungsanträgen", "Die Verwaltung stellt zwanzig Bänke am Neckarufer auf.",
		"Eingearbeitet: A2/")
	pr := e.get("", "/antraege/"+id+"/druck")
	must(t, pr, 200, "Beschlusstext mit den angenommenen Änderungsanträgen", "Die Verwaltung stellt zwanzig Bänke am Neckarufer auf.",
		`<span class="vh">Zeile </span>1</span>`, "<del>")
}

// TestBudgetMotionPage: a budget motion's financial effect and the
// administration's estimate stand on the page and in the print view, in
// euros the German way.
func TestBudgetMotionPage(t *testing.T) {
	e := newEnv(t)
	const id = "haushalt"
	e.send(spd, id, motion.Create{BodyID: "ma", Kind: motion.KindBudgetMotion, Content: motion.Content{Title: "Mehr Schulsozialarbeit",
		BudgetCycle: "Haushalt 2027/2028", ResolutionPoints: []string{"Zwei Stellen Schulsozialarbeit werden geschaffen."},
		Budget: &motion.BudgetEffect{Items: []motion.BudgetItem{{Year: 2027, Amount: 225000, Recurring: true, Plan: motion.PlanResult, Purpose: "Personal"}},
			Positions: 2, Product: "Schulsozialarbeit"}}})
	e.send(spd, id, motion.Submit{})
	e.send(office, id, motion.Register{})
	must(t, e.get("", "/antraege/"+id), 200, "Finanzielle Auswirkungen", "225.000 Euro", "wiederkehrend", "Ergebnishaushalt", "Personal",
		"Schulsozialarbeit")
	must(t, e.get("", "/antraege/"+id+"/druck"), 200, "Finanzielle Auswirkungen", "225.000 Euro", "wiederkehrend")

	// The administration's estimate stands with its statement.
	e.send(bkVerw, id, motion.RecordStatement{Text: "Die Verwaltung rechnet mit höheren Kosten.",
		Estimate: &motion.BudgetEffect{Items: []motion.BudgetItem{{Year: 2027, Amount: 260000, Recurring: true, Plan: motion.PlanResult}}}})
	must(t, e.get("", "/antraege/"+id), 200, "Schätzung der Verwaltung zu den finanziellen Auswirkungen", "260.000 Euro")
	must(t, e.get("", "/antraege/"+id+"/druck"), 200, "Schätzung der Verwaltung zu den finanziellen Auswirkungen", "260.000 Euro")
}
