package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/motionflow/motionflow/motion"
)

// spd2 is a second member of the SPD faction's staff, who edits the same
// draft as spd.
var spd2 = motion.Actor{Issuer: "https://idp.test", Subject: "spd2", Name: "Bernd Beispiel", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}

func init() { testUsers["spd2"] = spd2 }

// newTestKey is a fresh idempotency key, as a newly rendered form has one.
func newTestKey() string { return uuid.NewString() }

// TestEditorConflictShowsBothVersionsAndOverwritesNothingSilently: two
// colleagues open the same draft; the first saves; the second's save is
// refused with both versions on the page, saving again without a choice is
// still refused, and only the explicit choice saves his text — the
// colleague's version stays in the history.
func TestEditorConflictShowsBothVersionsAndOverwritesNothingSilently(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Sachmittel in Höhe von 225.000 Euro.")
	action := "/antraege/" + id + "/bearbeiten"

	// Both open the editor at version 1.
	formA := e.get("spd", action)
	formB := e.get("spd2", action)
	if v := hidden(t, formB.Body, action, "version"); v != "1" || hidden(t, formA.Body, action, "version") != "1" {
		t.Fatalf("editors opened at version %s, want 1", v)
	}
	edit := func(user, page string, title, justification string) url.Values {
		return url.Values{"version": {hidden(t, page, action, "version")}, "key": {hidden(t, page, action, "key")},
			"title": {title}, "resolution_points": {"Sachmittel in Höhe von 225.000 Euro."},
			"justification": {justification}, "op": {"save"}}
	}

	// Sabine saves first.
	must(t, e.post("spd", action, edit("spd", formA.Body, "Digitalisierung im Quadrat (Sabine)", "Sabines Begründung.")),
		200, "Der Entwurf wurde gespeichert.")

	// Bernd's save is refused; he sees both versions and keeps his text.
	vb := edit("spd2", formB.Body, "Digitalisierung im Quadrat (Bernd)", "Bernds Begründung.")
	conflict := e.post("spd2", action, vb)
	must(t, conflict, 412, "Der Antrag wurde inzwischen geändert", "Zwei Fassungen – bitte entscheiden",
		"Sabine Beispiel hat den Entwurf", "Ihre ungespeicherte Fassung", "Gespeicherte Fassung (Version 2)",
		"Digitalisierung im Quadrat (Bernd)", "Digitalisierung im Quadrat (Sabine)", "Bernds Begründung.", "Sabines Begründung.",
		"Meine Fassung trotzdem speichern", "Aktuelle Fassung übernehmen",
		`value="Digitalisierung im Quadrat (Bernd)"`)
	if strings.Contains(conflict.Body, `<th scope="row">Beschlusspunkte</th>`) {
		t.Error("the conflict lists the resolution points, which are the same in both versions")
	}
	if v := hidden(t, conflict.Body, action, "version"); v != "1" {
		t.Fatalf("the conflict form carries version %s, want the version Bernd started from (1)", v)
	}
	if v := hidden(t, conflict.Body, action, "conflict_version"); v != "2" {
		t.Fatalf("the conflict form offers to save over version %s, want 2", v)
	}

	// "Speichern" again without a choice: still refused, Sabine's text stays.
	again := url.Values{}
	for k, vs := range vb {
		again[k] = vs
	}
	again.Set("version", hidden(t, conflict.Body, action, "version"))
	again.Set("key", hidden(t, conflict.Body, action, "key"))
	again.Set("conflict_version", hidden(t, conflict.Body, action, "conflict_version"))
	conflict = e.post("spd2", action, again)
	must(t, conflict, 412, "Zwei Fassungen – bitte entscheiden", "Sabines Begründung.")
	if m, _ := e.st.Motion(t.Context(), id); m.Title != "Digitalisierung im Quadrat (Sabine)" || m.Version != 2 {
		t.Fatalf("after a second plain save the draft is %q (version %d), want Sabine's version 2", m.Title, m.Version)
	}

	// Bernd chooses to keep his: saved, and Sabine's change is in the history.
	again.Set("key", hidden(t, conflict.Body, action, "key"))
	again.Set("op", "overwrite")
	must(t, e.post("spd2", action, again), 200, "Der Entwurf wurde gespeichert.", "Digitalisierung im Quadrat (Bernd)",
		"Sabine Beispiel, Fraktion", "Bernd Beispiel, Fraktion")
	m, _ := e.st.Motion(t.Context(), id)
	if m.Title != "Digitalisierung im Quadrat (Bernd)" || m.Justification != "Bernds Begründung." || m.Version != 3 {
		t.Fatalf("after overwriting the draft is %q / %q (version %d)", m.Title, m.Justification, m.Version)
	}
	hist, err := e.st.History(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	var editors []string
	for _, ev := range hist {
		if ev.Command == motion.CmdEdit {
			editors = append(editors, ev.Actor.Name)
		}
	}
	if strings.Join(editors, ",") != "Sabine Beispiel,Bernd Beispiel" && strings.Join(editors, ",") != "Bernd Beispiel,Sabine Beispiel" {
		t.Fatalf("edits in the history by %v, want Sabine's and Bernd's", editors)
	}
}

// TestEditorConflictOverwriteIsOnlyForTheVersionShown: "Meine Fassung
// trotzdem speichern" saves over exactly the version the conflict showed; a
// third save in between brings the conflict back with that one.
func TestEditorConflictOverwriteIsOnlyForTheVersionShown(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Erster Punkt")
	action := "/antraege/" + id + "/bearbeiten"
	save := func(user, version, title, op string, extra ...string) page {
		v := url.Values{"version": {version}, "key": {newTestKey()}, "title": {title}, "resolution_points": {"Erster Punkt"}, "op": {op}}
		if len(extra) > 0 {
			v.Set("conflict_version", extra[0])
		}
		return e.post(user, action, v)
	}
	must(t, save("spd", "1", "Sabine eins", "save"), 200, "Der Entwurf wurde gespeichert.")
	must(t, save("spd2", "1", "Bernd", "save"), 412, "Gespeicherte Fassung (Version 2)", "Sabine eins")
	// Sabine saves again while Bernd looks at the conflict with version 2.
	must(t, save("spd", "2", "Sabine zwei", "save"), 200, "Der Entwurf wurde gespeichert.")
	p := save("spd2", "1", "Bernd", "overwrite", "2")
	must(t, p, 412, "Gespeicherte Fassung (Version 3)", "Sabine zwei", "Bernd")
	if v := hidden(t, p.Body, action, "conflict_version"); v != "3" {
		t.Fatalf("conflict_version %s, want 3", v)
	}
	if m, _ := e.st.Motion(t.Context(), id); m.Title != "Sabine zwei" {
		t.Fatalf("the draft's title is %q, want Sabine's latest", m.Title)
	}
}

// TestEditorConflictTakeTheSavedVersion: "Aktuelle Fassung übernehmen"
// drops the user's text for the saved version and continues from there.
func TestEditorConflictTakeTheSavedVersion(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Erster Punkt")
	action := "/antraege/" + id + "/bearbeiten"
	base := url.Values{"resolution_points": {"Erster Punkt"}}
	post := func(user string, v url.Values) page {
		for k, vs := range base {
			if _, ok := v[k]; !ok {
				v[k] = vs
			}
		}
		return e.post(user, action, v)
	}
	must(t, post("spd", url.Values{"version": {"1"}, "key": {newTestKey()}, "title": {"Sabines Titel"}, "op": {"save"}}), 200)
	conflict := post("spd2", url.Values{"version": {"1"}, "key": {newTestKey()}, "title": {"Bernds Titel"}, "op": {"save"}})
	must(t, conflict, 412, "Zwei Fassungen – bitte entscheiden")
	took := post("spd2", url.Values{"version": {"1"}, "key": {hidden(t, conflict.Body, action, "key")}, "title": {"Bernds Titel"},
		"conflict_version": {"2"}, "op": {"take"}})
	must(t, took, 200, "Die gespeicherte Fassung (Version 2) wurde übernommen", `value="Sabines Titel"`)
	if strings.Contains(took.Body, "Bernds Titel") || strings.Contains(took.Body, "Zwei Fassungen") {
		t.Fatal("after taking the saved version the editor still shows Bernd's text or the conflict")
	}
	if v := hidden(t, took.Body, action, "version"); v != "2" {
		t.Fatalf("the editor continues from version %s, want 2", v)
	}
	if m, _ := e.st.Motion(t.Context(), id); m.Title != "Sabines Titel" || m.Version != 2 {
		t.Fatalf("taking the saved version changed the draft: %q version %d", m.Title, m.Version)
	}
	// From there, Bernd's next save is an ordinary one.
	must(t, post("spd2", url.Values{"version": {"2"}, "key": {hidden(t, took.Body, action, "key")}, "title": {"Sabines Titel, ergänzt"}, "op": {"save"}}),
		200, "Der Entwurf wurde gespeichert.")
}

// hhVerw is a member of the administration in Dezernat I, who gives the
// statement with an estimate.
var hhVerw = motion.Actor{Issuer: "https://idp.test", Subject: "hhvw", Name: "Hanna Haushalt", Roles: []motion.Role{motion.RoleAdministration},
	Department: "dez1", Bodies: []string{"ma"}}

func init() { testUsers["hhverw"] = hhVerw }

// TestEditorBudgetFields: the editor offers the body's budget cycles as a
// select and amount rows (year, Euro, one-off or recurring, part of the
// budget, purpose), positions and product; German amounts are read, an
// amount that is none is refused at its row with everything typed kept;
// a saved draft shows its amounts again; the paper submission form has the
// same fields; the administration's statement carries an estimate.
func TestEditorBudgetFields(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.CreateBudgetCycle(t.Context(), motion.BudgetCycle{ID: "hh20", BodyID: "ma", Name: "Haushalt 2020/2021", Years: []int{2020, 2021}}); err != nil {
		t.Fatal(err)
	}
	form := e.get("spd", "/antraege/neu")
	must(t, form, 200, `<select id="editor-budget-cycle" name="budget_cycle"`, `<option value="Haushalt 2020/2021">Haushalt 2020/2021</option>`,
		"<legend>Finanzielle Auswirkungen (bei Haushaltsanträgen)</legend>", `<label for="editor-budget-amount-0">Betrag in Euro</label>`,
		`<label for="editor-budget-rhythm-2">Einmalig oder wiederkehrend</label>`, `<label for="editor-budget-positions">Stellen`)
	v := url.Values{"key": {hidden(t, form.Body, "/antraege/neu", "key")}, "draft": {hidden(t, form.Body, "/antraege/neu", "draft")},
		"body_id": {"ma"}, "kind": {"budget_motion"}, "op": {"save"}, "title": {"Digitalisierung im Quadrat"},
		"resolution_points": {"Sachmittel in Höhe von 225.000 Euro."}, "budget_cycle": {"Haushalt 2020/2021"},
		"budget_year": {"2020", "2021", ""}, "budget_amount": {"225.000", "zwei", ""}, "budget_rhythm": {"once", "recurring", "once"},
		"budget_plan": {"result", "financial", "result"}, "budget_purpose": {"Sachmittel", "Personal", ""},
		"budget_positions": {"2"}, "budget_product": {"1.11 Innere Verwaltung"}}
	bad := e.post("spd", "/antraege/neu", v)
	must(t, bad, 422, "Bitte geben Sie in Zeile 2 den Betrag in ganzen Euro an", `id="editor-budget-items-1-fehler"`, `value="zwei"`,
		`value="225.000"`, `<option value="Haushalt 2020/2021" selected>`)
	v.Set("key", hidden(t, bad.Body, "/antraege/neu", "key"))
	v["budget_amount"] = []string{"225.000", "-1.500 €", ""}
	p := e.post("spd", "/antraege/neu", v)
	must(t, p, 200, "Der Entwurf wurde angelegt.")
	id := motionURL.FindStringSubmatch(p.URL)[1]
	m, err := e.motions.State(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := &motion.BudgetEffect{Items: []motion.BudgetItem{{Year: 2020, Amount: 225000, Plan: motion.PlanResult, Purpose: "Sachmittel"},
		{Year: 2021, Amount: -1500, Recurring: true, Plan: motion.PlanFinancial, Purpose: "Personal"}}, Positions: 2, Product: "1.11 Innere Verwaltung"}
	if m.Budget == nil || len(m.Budget.Items) != 2 || m.Budget.Items[0] != want.Items[0] || m.Budget.Items[1] != want.Items[1] ||
		m.Budget.Positions != 2 || m.Budget.Product != want.Product || m.BudgetCycle != "Haushalt 2020/2021" {
		t.Fatalf("saved budget %+v, cycle %q", m.Budget, m.BudgetCycle)
	}
	must(t, e.get("spd", "/antraege/"+id+"/bearbeiten"), 200, `name="budget_amount" value="225.000"`, `name="budget_amount" value="-1.500"`,
		`<option value="recurring" selected>`, `<option value="financial" selected>`, `value="1.11 Innere Verwaltung"`)

	// A cycle typed before the cycles were set up stays selectable.
	old := e.createDraftWith("spd", url.Values{"kind": {"budget_motion"}, "title": {"Alter Haushaltsantrag"},
		"resolution_points": {"Mittel."}, "budget_cycle": {"Haushalt 2018"}})
	must(t, e.get("spd", "/antraege/"+old+"/bearbeiten"), 200, `<option value="Haushalt 2018" selected>Haushalt 2018 (nicht angelegt)</option>`)

	must(t, e.get("office", "/antraege/erfassen"), 200, `<select id="eingang-budget-cycle" name="budget_cycle"`,
		`<label for="eingang-budget-amount-0">Betrag in Euro</label>`)

	// The administration's statement with an estimate.
	e.send(spd, id, motion.Submit{})
	e.send(office, id, motion.Register{LeadDepartment: "dez1"})
	m, _ = e.motions.State(t.Context(), id)
	st := e.post("hhverw", "/antraege/"+id+"/aktionen/record_statement", url.Values{"version": {fmt.Sprint(m.Version)}, "key": {newTestKey()},
		"text": {"Die Verwaltung hält 200.000 Euro für ausreichend."}, "estimate_year": {"2020", ""}, "estimate_amount": {"200.000", ""},
		"estimate_rhythm": {"once", "once"}, "estimate_plan": {"result", "result"}, "estimate_purpose": {"Sachmittel", ""}})
	if st.Status != 200 {
		t.Fatalf("statement: %d\n%s", st.Status, excerpt(st.Body))
	}
	m, _ = e.motions.State(t.Context(), id)
	if n := len(m.Statements); n != 1 || m.Statements[0].Estimate == nil || m.Statements[0].Estimate.InYear(2020) != 200000 {
		t.Fatalf("statements %+v", m.Statements)
	}
}
