package web_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
)

// bkVerw is a member of the administration in Dezernat I.
var bkVerw = motion.Actor{Issuer: "https://idp.test", Subject: "vw", Name: "Vera Verwaltung", Roles: []motion.Role{motion.RoleAdministration},
	Department: "dez1", Bodies: []string{"ma"}}

// bkAdopted runs a motion of faction (as actor) through the domain until it
// is adopted and in implementation, and returns its id.
func (e *env) bkAdopted(actor motion.Actor, id, title string, points ...string) string {
	e.t.Helper()
	n := 0
	send := func(a motion.Actor, cmd motion.Command) {
		e.t.Helper()
		n++
		meta := workflows.Meta{Actor: a, ExpectedVersion: motion.AnyVersion, RequestID: fmt.Sprintf("%s-%d", id, n)}
		var err error
		if n == 1 {
			_, err = e.motions.Create(e.t.Context(), id, cmd, meta)
		} else {
			_, err = e.motions.Send(e.t.Context(), id, cmd, meta)
		}
		if err != nil {
			e.t.Fatalf("%s: %T: %v", title, cmd, err)
		}
	}
	send(actor, motion.Create{BodyID: "ma", Kind: motion.KindMotion, Content: motion.Content{Title: title, ResolutionPoints: points}})
	send(actor, motion.Submit{})
	send(office, motion.Register{})
	send(office, motion.RecordOutcome{Result: motion.ResultAdopted})
	send(office, motion.StartImplementation{})
	return id
}

// TestBeschlusskontrolle: anybody finds the Beschlusskontrolle in the
// navigation; it lists the adopted motions in implementation under the
// deciding gremium with the traffic light in words (not by colour alone),
// each point's state, target date in German and the reason a point cannot
// be carried out; the filters narrow it; PDF, CSV and XLSX downloads hold
// the same report.
func TestBeschlusskontrolle(t *testing.T) {
	e := newEnv(t)
	radwege := e.bkAdopted(spd, "00000000-0000-4000-8000-000000000001", "Radwege sanieren", "Die Radwege werden saniert.", "Die Ampeln werden umgerüstet.")
	baenke := e.bkAdopted(cdu, "00000000-0000-4000-8000-000000000002", "Bänke aufstellen", "Im Park werden Bänke aufgestellt.")
	// Dezernat I leads the Radwege and reports: one point late, one not feasible.
	target := time.Date(2020, 3, 15, 12, 0, 0, 0, time.UTC)
	for i, cmd := range []motion.Command{
		motion.SetDepartments{Lead: "dez1"},
		motion.ReportImplementation{Points: []motion.PointReport{
			{Point: 1, State: motion.PointInProgress, TargetDate: &target, Note: "Die Ausschreibung läuft."},
			{Point: 2, State: motion.PointNotFeasible, Reason: "Die Ampeln gehören dem Land."},
		}},
	} {
		a := office
		if i == 1 {
			a = bkVerw
		}
		if _, err := e.motions.Send(t.Context(), radwege, cmd, workflows.Meta{Actor: a, ExpectedVersion: motion.AnyVersion, RequestID: fmt.Sprint("bk-", i)}); err != nil {
			t.Fatal(err)
		}
	}

	for _, user := range []string{"", "spd", "office"} {
		must(t, e.get(user, "/"), 200, `<a href="/beschlusskontrolle">Beschlusskontrolle</a>`)
	}
	p := e.get("", "/beschlusskontrolle")
	must(t, p, 200, "<h1>Beschlusskontrolle</h1>", `aria-current="page">Beschlusskontrolle`,
		`<h2 id="bk-g-gr">Gemeinderat</h2>`, "Radwege sanieren", "Bänke aufstellen", "SPD-Gemeinderatsfraktion", "Dezernat I",
		"Rot: Zieldatum überschritten", "Gelb: offen oder nicht umsetzbar", `class="ampel ampel-red"`, `<span class="punktstatus punkt-in_progress">in Arbeit</span>`,
		"<strong>Zieldatum:</strong> 15.03.2020", `<span class="punktstatus punkt-not_feasible">nicht umsetzbar</span>`, "<strong>Begründung:</strong> Die Ampeln gehören dem Land.",
		"Die Ausschreibung läuft.", `<label for="bk-gremium">Gremium</label>`, `<label for="bk-fraktion">Fraktion</label>`,
		`<label for="bk-abgeschlossen">abgeschlossene einbeziehen</label>`, `data-label="Ampel"`)
	if strings.Index(p.Body, "Radwege sanieren") > strings.Index(p.Body, "Bänke aufstellen") {
		t.Error("the report is not in reference order")
	}

	must(t, e.get("", "/beschlusskontrolle?fraktion=cdu"), 200, "Bänke aufstellen", `<option value="cdu" selected>`)
	if p := e.get("", "/beschlusskontrolle?fraktion=cdu"); strings.Contains(p.Body, "Radwege sanieren") {
		t.Error("the faction filter lets another faction's motion through")
	}
	must(t, e.get("", "/beschlusskontrolle?gremium=ha"), 200, "Zurzeit wird kein Beschluss umgesetzt, der zu diesen Filtern passt.")
	if p := e.get("", "/beschlusskontrolle?dezernat=dez1&abgeschlossen=1"); !strings.Contains(p.Body, "Radwege sanieren") ||
		strings.Contains(p.Body, "Bänke aufstellen") || !strings.Contains(p.Body, `id="bk-abgeschlossen" name="abgeschlossen" value="1" checked`) {
		t.Errorf("department filter:\n%s", excerpt(p.Body))
	}
	must(t, e.get("", "/beschlusskontrolle?koerperschaft=gibt-es-nicht"), 404)

	// The downloads carry the filters and hold the same report.
	list := e.get("", "/beschlusskontrolle?fraktion=spd")
	link := downloadLink(list.Body, "CSV")
	if !strings.Contains(link, "fraktion=spd") || !strings.Contains(link, "format=csv") {
		t.Fatalf("CSV link %q", link)
	}
	table := csvTable(t, e.get("", link))
	if got := column(t, table, "Stand"); len(got) != 2 || got[1] != "nicht umsetzbar" {
		t.Errorf("CSV Stand column %q", got)
	}
	if got := column(t, table, "Begründung"); got[1] != "Die Ampeln gehören dem Land." {
		t.Errorf("CSV Begründung column %q", got)
	}
	if x := e.get("", downloadLink(list.Body, "Excel (XLSX)")); x.Status != 200 || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("XLSX download: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	pdf := e.get("", downloadLink(list.Body, "PDF"))
	if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix([]byte(pdf.Body), []byte("%PDF-")) {
		t.Errorf("PDF download: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	_ = baenke
}
