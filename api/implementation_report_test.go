package api_test

import (
	"bytes"
	"context"
	"github.com/motionflow/motionflow/internal/pdftext"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

type reportJSON struct {
	BodyID   string `json:"body_id"`
	BodyName string `json:"body_name"`
	Items    []struct {
		MotionID           string   `json:"motion_id"`
		Reference          string   `json:"reference"`
		Title              string   `json:"title"`
		FactionName        string   `json:"faction_name"`
		OrganizationName   string   `json:"organization_name"`
		LeadDepartmentName string   `json:"lead_department_name"`
		Involved           []string `json:"involved_departments"`
		Light              string   `json:"light"`
		LightLabel         string   `json:"light_label"`
		Points             []struct {
			Point      int     `json:"point"`
			Text       string  `json:"text"`
			State      string  `json:"state"`
			StateLabel string  `json:"state_label"`
			TargetDate *string `json:"target_date"`
			Reason     string  `json:"reason"`
			LastNote   string  `json:"last_note"`
		} `json:"points"`
	} `json:"items"`
}

// TestImplementationReport: anybody reads the Beschlusskontrolle of a body:
// the adopted motions in implementation in reference order, with the
// traffic light in words, the lead department and each point's state,
// target date and the reason a point cannot be carried out; filtered by
// organization, faction and department; as CSV and XLSX with German
// columns and as a PDF report. The office's implementation list shows the
// same light and points.
func TestImplementationReport(t *testing.T) {
	e := newEnv(t, api.Config{})
	ctx := context.Background()
	for _, o := range []store.Organization{
		{ID: "dez1", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat I"},
		{ID: "dez2", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat II"},
	} {
		if _, err := e.store.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	decided := func(token, title string, points []string, result motion.Result) string {
		id := e.motionAs(token, "motion", title, map[string]any{"resolution_points": points})
		e.run(token, id, motion.CmdSubmit, nil, http.StatusOK)
		e.run("office", id, motion.CmdRegister, nil, http.StatusOK)
		e.run("office", id, motion.CmdRecordOutcome, map[string]any{"result": result}, http.StatusOK)
		return id
	}
	radwege := decided("spd", "Radwege sanieren", []string{"Die Radwege werden saniert.", "Die Ampeln werden umgerüstet."}, motion.ResultAdopted)
	e.run("office", radwege, motion.CmdSetDepartments, map[string]any{"lead": "dez1", "involved": []string{"dez2"}}, http.StatusOK)
	e.run("office", radwege, motion.CmdStartImplementation, nil, http.StatusOK)
	past := time.Now().AddDate(0, -2, 0).UTC().Format(time.RFC3339)
	e.run("verw", radwege, motion.CmdReportImplementation, map[string]any{"points": []map[string]any{
		{"point": 1, "state": "in_progress", "target_date": past, "note": "Die Ausschreibung läuft."},
		{"point": 2, "state": "not_feasible", "reason": "Die Ampeln gehören dem Land."},
	}}, http.StatusOK)
	baenke := decided("cdu", "Bänke aufstellen", []string{"Im Park werden Bänke aufgestellt."}, motion.ResultAdoptedAmended)
	e.run("office", baenke, motion.CmdStartImplementation, nil, http.StatusOK)
	rejected := decided("spd", "Abgelehnter Antrag", []string{"Nichts."}, motion.ResultRejected)
	draft := e.draft("Ein Entwurf")

	report := func(query string) reportJSON {
		t.Helper()
		r := e.do("GET", "/v1/bodies/mannheim/implementation-report"+query, "", nil)
		expect(t, r, http.StatusOK)
		return decode[reportJSON](t, r)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{radwege, baenke}},
		{"?faction=cdu", []string{baenke}},
		{"?department=dez2", []string{radwege}},
		{"?organization=gr", []string{radwege, baenke}},
		{"?organization=ha", nil},
		{"?closed=true", []string{radwege, baenke}},
	} {
		var got []string
		for _, it := range report(c.query).Items {
			got = append(got, it.MotionID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("report %q lists %v, want %v", c.query, got, c.want)
		}
		if slices.Contains(got, rejected) || slices.Contains(got, draft) {
			t.Errorf("report %q lists a rejected motion or a draft", c.query)
		}
	}

	rep := report("")
	if rep.BodyName != "Stadt Mannheim" || len(rep.Items) != 2 {
		t.Fatalf("report %+v", rep)
	}
	r0, r1 := rep.Items[0], rep.Items[1]
	if r0.Light != "red" || r0.LightLabel != "Zieldatum überschritten" || r0.LeadDepartmentName != "Dezernat I" ||
		r0.FactionName != "SPD-Fraktion" || r0.OrganizationName != "Gemeinderat" || !slices.Equal(r0.Involved, []string{"dez2"}) {
		t.Errorf("first row %+v", r0)
	}
	if len(r0.Points) != 2 {
		t.Fatalf("first row points %+v", r0.Points)
	}
	if p := r0.Points[0]; p.StateLabel != "in Arbeit" || p.TargetDate == nil || p.LastNote != "Die Ausschreibung läuft." || p.Text != "Die Radwege werden saniert." {
		t.Errorf("point 1 %+v", p)
	}
	if p := r0.Points[1]; p.State != "not_feasible" || p.StateLabel != "nicht umsetzbar" || p.Reason != "Die Ampeln gehören dem Land." {
		t.Errorf("point 2 %+v", p)
	}
	if r1.Light != "yellow" || r1.LightLabel != "offen oder nicht umsetzbar" || len(r1.Points) != 1 || r1.Points[0].StateLabel != "offen" {
		t.Errorf("second row %+v", r1)
	}

	cs, _ := e.exportTable("", "/v1/bodies/mannheim/implementation-report", "beschlusskontrolle-mannheim", "Beschlusskontrolle")
	wantHead := []string{"Aktenzeichen", "Titel", "Antragsteller", "Mitantragsteller", "Beschlossen von", "Beschlossen", "Status",
		"Federführung", "Beteiligt", "Ampel", "Punkt", "Beschlusspunkt", "Stand", "Zieldatum", "Begründung",
		"Letzte Notiz", "Notiz vom", "Nächster Bericht", "Berichte", "Antrag-Id"}
	if !slices.Equal(cs[0], wantHead) {
		t.Errorf("CSV header %q", cs[0])
	}
	if len(cs) != 4 {
		t.Fatalf("CSV has %d rows, want the header and one row per point: %q", len(cs), cs)
	}
	if row := cs[2]; row[1] != "Radwege sanieren" || row[2] != "SPD-Fraktion" || row[7] != "Dezernat I" || row[9] != "Zieldatum überschritten" ||
		row[12] != "nicht umsetzbar" || row[14] != "Die Ampeln gehören dem Land." {
		t.Errorf("CSV row of point 2: %q", row)
	}

	r := e.do("GET", "/v1/bodies/mannheim/implementation-report?department=dez1", "", nil, "Accept", "application/pdf")
	expect(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF-")) {
		t.Fatalf("PDF answer: Content-Type %q, starts %q", ct, r.body[:min(10, len(r.body))])
	}
	text := pdftext.Text(t, r.body)
	for _, want := range []string{"Bericht zur Umsetzung von Beschlüssen (Beschlusskontrolle)", "Stadt Mannheim", "Radwege sanieren",
		"SPD-Fraktion", "Dezernat I", "Zieldatum überschritten", "in Arbeit", "nicht umsetzbar", "Die Ampeln gehören dem Land.",
		"Die Ausschreibung läuft."} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Bänke aufstellen") {
		t.Errorf("PDF for Dezernat I lists another department's motion:\n%s", text)
	}

	expect(t, e.do("GET", "/v1/bodies/nirgendwo/implementation-report", "", nil), http.StatusNotFound)

	// The office's implementation list carries the same light and points.
	lr := e.do("GET", "/v1/implementation", "office", nil)
	expect(t, lr, http.StatusOK)
	list := decode[struct {
		Items []struct {
			Motion struct {
				ID string `json:"id"`
			} `json:"motion"`
			LeadDepartment string `json:"lead_department"`
			Light          string `json:"light"`
			Points         []struct {
				StateLabel string `json:"state_label"`
				Reason     string `json:"reason"`
			} `json:"points"`
		} `json:"items"`
	}](t, lr)
	found := false
	for _, it := range list.Items {
		if it.Motion.ID == radwege {
			found = true
			if it.LeadDepartment != "dez1" || it.Light != "red" || len(it.Points) != 2 || it.Points[1].Reason != "Die Ampeln gehören dem Land." {
				t.Errorf("implementation list item %+v", it)
			}
		}
	}
	if !found {
		t.Errorf("the implementation list lacks %s", radwege)
	}
}
