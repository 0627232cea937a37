package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
)

// budgetMotion creates and submits a budget motion of actor's faction with
// the items given, and returns its id.
func (e *env) budgetMotion(actor motion.Actor, id, title, cycle string, items ...motion.BudgetItem) string {
	e.t.Helper()
	for i, cmd := range []motion.Command{
		motion.Create{BodyID: "ma", Kind: motion.KindBudgetMotion, Content: motion.Content{Title: title, BudgetCycle: cycle,
			ResolutionPoints: []string{"Die Mittel werden bereitgestellt."}, Budget: &motion.BudgetEffect{Items: items, Positions: 1.5, Product: "1.11"}}},
		motion.Submit{},
	} {
		meta := workflows.Meta{Actor: actor, ExpectedVersion: motion.AnyVersion, RequestID: fmt.Sprintf("%s-%d", id, i)}
		var err error
		if i == 0 {
			_, err = e.motions.Create(e.t.Context(), id, cmd, meta)
		} else {
			_, err = e.motions.Send(e.t.Context(), id, cmd, meta)
		}
		if err != nil {
			e.t.Fatalf("%s: %T: %v", title, cmd, err)
		}
	}
	return id
}

// TestHaushalt: anybody finds the budget deliberations in the navigation;
// the council office creates a cycle from /haushalt (a bad one is refused
// field by field, nobody else may); the cycle's page lists every budget
// motion with its amounts per year in German Euro, the totals per faction
// and overall in captioned tables, filters and downloads that carry them.
func TestHaushalt(t *testing.T) {
	e := newEnv(t)
	for _, user := range []string{"", "spd", "office"} {
		must(t, e.get(user, "/"), 200, `<a href="/haushalt">Haushalt</a>`)
	}
	must(t, e.get("", "/haushalt"), 200, "<h1>Haushaltsberatungen</h1>", "noch keine Haushaltsberatung angelegt")
	if p := e.get("spd", "/haushalt"); strings.Contains(p.Body, "Haushaltsberatung anlegen") {
		t.Error("faction staff see the form to create a cycle")
	}
	must(t, e.post("spd", "/haushalt", url.Values{"body_id": {"ma"}, "name": {"Haushalt"}, "first_year": {"2020"}}), 403)

	p := e.get("office", "/haushalt")
	must(t, p, 200, "Haushaltsberatung anlegen", `<label for="neue-haushaltsberatung-name">Name`)
	bad := e.post("office", "/haushalt", url.Values{"body_id": {"ma"}, "name": {""}, "first_year": {"2021"}, "last_year": {"2020"}})
	// The years' order is the domain's to judge (motion.CheckBudgetCycle).
	must(t, bad, 422, "Die Haushaltsjahre folgen lückenlos aufeinander", `role="alert"`)
	long := e.post("office", "/haushalt", url.Values{"body_id": {"ma"}, "name": {"Lang"}, "first_year": {"2020"}, "last_year": {"2099"}})
	must(t, long, 422, "Eine Haushaltsberatung umfasst höchstens 10 Jahre.")
	created := e.post("office", "/haushalt", url.Values{"body_id": {"ma"}, "name": {"Haushalt 2020/2021"}, "first_year": {"2020"},
		"last_year": {"2021"}, "motion_deadline": {"2019-11-30"}})
	must(t, created, 200, "<h1>Haushaltsantragsliste: Haushalt 2020/2021</h1>", "Antragsschluss: 30.11.2019, 23:59 Uhr")
	cyclePath := created.URL
	must(t, e.post("office", "/haushalt", url.Values{"body_id": {"ma"}, "name": {"haushalt 2020/2021"}, "first_year": {"2020"}}), 422,
		"Eine Haushaltsberatung mit diesem Namen gibt es schon.")
	must(t, e.get("", "/haushalt"), 200, `<a href="`+cyclePath+`">Haushalt 2020/2021</a>`, "2020 und 2021", "30.11.2019")

	e.budgetMotion(spd, "00000000-0000-4000-8000-0000000000b1", "Digitalisierung im Quadrat", "Haushalt 2020/2021",
		motion.BudgetItem{Year: 2020, Amount: 225000, Plan: motion.PlanResult, Purpose: "Sachmittel"})
	e.budgetMotion(cdu, "00000000-0000-4000-8000-0000000000b2", "Bäder sparen", strings.TrimPrefix(cyclePath, "/haushalt/"),
		motion.BudgetItem{Year: 2020, Amount: -1500, Recurring: true, Plan: motion.PlanFinancial})

	// An amendment with money names the motion it amends by reference or
	// title, never by its id.
	points := []string{"Die Mittel werden bereitgestellt."}
	line := motion.NumberLines(points, "")[0]
	amendment := motion.Create{BodyID: "ma", Kind: motion.KindAmendment, Content: motion.Content{Title: "Weniger Digitalisierung",
		Amends: "00000000-0000-4000-8000-0000000000b1", AmendedPoints: points,
		Changes: []motion.Change{{Op: motion.ChangeReplace, From: line.No, To: line.No, Text: "Die Hälfte der Mittel wird bereitgestellt."}},
		Budget:  &motion.BudgetEffect{Items: []motion.BudgetItem{{Year: 2020, Amount: 112500, Plan: motion.PlanResult}}}}}
	for i, cmd := range []motion.Command{amendment, motion.Submit{}} {
		meta := workflows.Meta{Actor: spd, ExpectedVersion: motion.AnyVersion, RequestID: fmt.Sprintf("amend-%d", i)}
		var err error
		if i == 0 {
			_, err = e.motions.Create(t.Context(), "00000000-0000-4000-8000-0000000000b3", cmd, meta)
		} else {
			_, err = e.motions.Send(t.Context(), "00000000-0000-4000-8000-0000000000b3", cmd, meta)
		}
		if err != nil {
			t.Fatalf("amendment: %T: %v", cmd, err)
		}
	}

	list := e.get("", cyclePath)
	must(t, list, 200, "Änderungsantrag zu „Digitalisierung im Quadrat“ (nicht in den Summen)")
	if strings.Contains(list.Body, "Änderungsantrag zu 0000") {
		t.Error("the amendment names the amended motion by its id")
	}
	must(t, list, 200, `aria-current="page">Haushalt`, "Digitalisierung im Quadrat", "Bäder sparen",
		"<caption>Summen je Fraktion", "<caption>Haushaltsanträge Haushalt 2020/2021", `<th scope="col" class="zahl">2021</th>`,
		`<th scope="row" data-label="Fraktion">SPD-Gemeinderatsfraktion</th>`, "225.000 €", "-1.500 €", "-3.000 €",
		"<strong>223.500 €</strong>", "<strong>222.000 €</strong>", "<strong>3</strong>", `<label for="hh-fraktion">Fraktion</label>`,
		`<label for="hh-haushalt">Teil des Haushalts</label>`, `data-label="Summe"`, "Nach dem Antragsschluss eingereicht")

	cduOnly := e.get("", cyclePath+"?fraktion=cdu")
	must(t, cduOnly, 200, "Bäder sparen", `<option value="cdu" selected>`, "(mit den gewählten Filtern)")
	if strings.Contains(cduOnly.Body, "Digitalisierung im Quadrat") {
		t.Error("the faction filter lets another faction's motion through")
	}
	must(t, e.get("", cyclePath+"?haushalt=result"), 200, "Digitalisierung im Quadrat", "<strong>225.000 €</strong>")

	link := downloadLink(cduOnly.Body, "CSV")
	if !strings.Contains(link, "fraktion=cdu") || !strings.Contains(link, "format=csv") {
		t.Fatalf("CSV link %q", link)
	}
	table := csvTable(t, e.get("", link))
	if got := column(t, table, "Summe"); len(got) != 3 || got[0] != "-3000" || got[2] != "-3000" {
		t.Errorf("CSV Summe column %q (motion, faction total, overall)", got)
	}
	if x := e.get("", downloadLink(list.Body, "Excel (XLSX)")); x.Status != 200 || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("XLSX download: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	pdf := e.get("", downloadLink(list.Body, "PDF"))
	if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix([]byte(pdf.Body), []byte("%PDF-")) {
		t.Errorf("PDF download: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	must(t, e.get("", "/haushalt/gibt-es-nicht"), 404)
}
