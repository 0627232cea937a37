package e2e

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/internal/pdftext"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/oparl/oparltest"
)

// lineView is a numbered line as GET /v1/motions/{id}/lines lists it.
type lineView struct {
	No    int    `json:"no"`
	Point int    `json:"point"`
	Text  string `json:"text"`
}

// TestABudgetMotionIsAmendedAndMerged carries the example as a budget
// motion (225.000 Euro Sachmittel in 2020, one-off, and two positions)
// through budget deliberations: the CDU moves an amendment that brings
// point 1 down to 150.000 Euro by naming the line that holds the sum, a
// second amendment strikes the same line; the committee recommends the
// first, the council adopts both amendments and then the motion (it
// refuses the motion's result while an amendment is open). The
// Beschlusstext reads 150.000 Euro, the second amendment is shown as a
// conflict, and the page, the print view and the PDF show the line numbers
// and the diff.
func TestABudgetMotionIsAmendedAndMerged(t *testing.T) {
	w := newWebHarness(t)
	h := w.harness
	ex := readExample(t)

	m := h.create(h.SPD, motion.KindBudgetMotion, map[string]any{
		"title": ex.Title, "resolution_points": ex.ResolutionPoints, "justification": ex.Justification,
		"budget_cycle": "Haushalt 2020/2021",
		"budget": map[string]any{"items": []map[string]any{{"year": 2020, "amount": 225000, "plan": "result", "purpose": "Sachmittel"}},
			"positions": 2, "product": "Digitalisierung"},
	})
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	m = h.run(h.Office, m.ID, motion.CmdRegister, nil)
	if m.Budget == nil || m.Budget.InYear(2020) != 225000 || m.Budget.Positions != 2 {
		t.Fatalf("the budget motion's money: %+v", m.Budget)
	}
	// The administration gives its own estimate with its statement.
	st := h.run(h.Dept, m.ID, motion.CmdRecordStatement, map[string]any{"text": "Die Verwaltung hält 180.000 Euro für ausreichend.",
		"estimate": map[string]any{"items": []map[string]any{{"year": 2020, "amount": 180000, "plan": "result", "purpose": "Sachmittel"}}, "positions": 1.5}})
	if n := len(st.Statements); n != 1 || st.Statements[0].Estimate.InYear(2020) != 180000 || st.Statements[0].Estimate.Positions != 1.5 {
		t.Fatalf("the statement's estimate: %+v", st.Statements)
	}

	// The CDU finds the line with the sum and replaces it.
	var lines struct {
		Lines []lineView `json:"lines"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+m.ID+"/lines", h.Anon, nil), 200), &lines)
	var sum lineView
	for _, l := range lines.Lines {
		if strings.Contains(l.Text, "225.000") {
			sum = l
			break
		}
	}
	if sum.Point != 1 || lines.Lines[len(lines.Lines)-1].Point != 0 {
		t.Fatalf("numbered lines: the sum in %+v; %d lines", sum, len(lines.Lines))
	}
	newLine := strings.Replace(sum.Text, "225.000", "150.000", 1)
	change := func(op string, text string) map[string]any {
		return map[string]any{"op": op, "from": sum.No, "to": sum.No, "text": text}
	}
	// Changes that name lines the motion does not have are refused by field.
	r := h.mustStatus(h.call("POST", "/v1/motions", h.CDU, map[string]any{"body_id": bodyID, "kind": motion.KindAmendment,
		"title": "Zu viele Zeilen", "amends": m.Reference, "changes": []map[string]any{{"op": "delete", "from": len(lines.Lines) + 5, "to": len(lines.Lines) + 5}}}), 422)
	if got := h.fieldMessages(r); len(got) != 1 || !strings.Contains(got[0], "gibt es im geänderten Antrag nicht") {
		t.Fatalf("a change beyond the text: %v", got)
	}
	a1 := h.create(h.CDU, motion.KindAmendment, map[string]any{"title": "Sachmittel auf 150.000 Euro begrenzen", "amends": m.Reference,
		"justification": "Die Anschubfinanzierung genügt mit 150.000 Euro.", "changes": []map[string]any{change("replace", newLine)}})
	a2 := h.create(h.CDU, motion.KindAmendment, map[string]any{"title": "Keine Sachmittel", "amends": m.Reference,
		"changes": []map[string]any{change("delete", "")}})
	// The administration recommends a change of its own (Änderungsempfehlung),
	// which the council office enters; it is listed with the amendments.
	var rec motionView
	h.decode(h.mustStatus(h.call("POST", "/v1/submissions", h.Office, map[string]any{
		"body_id": bodyID, "kind": motion.KindAmendment, "title": "Änderungsempfehlung der Verwaltung: Sachmittel gestaffelt",
		"amends": m.ID, "originator": "administration", "organization": department,
		"changes": []map[string]any{{"op": "insert", "from": sum.No, "text": "Davon werden 100.000 Euro erst 2021 ausgezahlt."}},
		"paper":   map[string]any{"submitted_by": "Dezernat I", "received_at": time.Now().Add(-time.Hour).UTC().Truncate(time.Second), "channel": "email"},
	}), 201), &rec)
	if rec.Originator == nil || rec.Originator.Kind != motion.OriginatorAdministration || rec.Faction != department || len(rec.AmendedPoints) == 0 {
		t.Fatalf("the administration's recommendation: %+v", rec.Motion)
	}
	for _, a := range []*motionView{&a1, &a2} {
		if len(a.AmendedPoints) != len(ex.ResolutionPoints) {
			t.Fatalf("the amendment does not hold the amended text: %v", a.AmendedPoints)
		}
		h.run(h.CDU, a.ID, motion.CmdSubmit, nil)
		*a = h.run(h.Office, a.ID, motion.CmdRegister, nil)
	}

	// The committee advises on the motion and the first amendment, the
	// council decides all three.
	start := time.Now().Add(3 * time.Second).Truncate(time.Second)
	ha := h.meeting("ha-haushalt", committee, "Hauptausschuss (Haushaltsberatung)", start)
	gr := h.meeting("gr-haushalt", council, "Gemeinderat (Haushaltsberatung)", start)
	route := func(id string, steps ...map[string]any) {
		h.run(h.Office, id, motion.CmdSetRoute, map[string]any{"steps": steps})
		for i, s := range steps {
			meeting := gr
			if s["organization_id"] == committee {
				meeting = ha
			}
			h.run(h.Office, id, motion.CmdSchedule, map[string]any{"consultation_id": "c" + strconv.Itoa(i+1), "meeting_id": meeting})
		}
	}
	advise := map[string]any{"organization_id": committee}
	decide := map[string]any{"organization_id": council, "decisive": true}
	route(m.ID, advise, decide)
	route(a1.ID, advise, decide)
	route(a2.ID, decide)
	time.Sleep(time.Until(start.Add(time.Second)))

	vote := func(yes, no int) map[string]any { return map[string]any{"yes": yes, "no": no, "abstain": 1} }
	result := func(id, consultation, res string, v map[string]any) response {
		cur := h.get(h.Office, id)
		return h.command(h.Office, id, motion.CmdRecordResult, cur.Version, map[string]any{"consultation_id": consultation, "result": res, "vote": v})
	}
	// The motion's result waits for its amendment in the committee.
	r = h.mustStatus(result(m.ID, "c1", "recommend_amended", vote(9, 4)), 409)
	if !strings.Contains(string(r.Body), "Über die Änderungsanträge wird vor dem Antrag abgestimmt") || !strings.Contains(string(r.Body), a1.Reference) {
		t.Fatalf("the motion voted before its amendment: %s", r.Body)
	}
	h.mustStatus(result(a1.ID, "c1", "recommend_approval", vote(9, 4)), 200)
	h.mustStatus(result(m.ID, "c1", "recommend_amended", vote(9, 4)), 200)
	h.mustStatus(result(a1.ID, "c2", "adopted", vote(30, 16)), 200)
	h.mustStatus(result(a2.ID, "c1", "adopted", vote(24, 23)), 200)
	m2 := h.mustStatus(result(m.ID, "c2", "adopted_amended", vote(40, 6)), 200)
	var decided motionView
	h.decode(m2, &decided)
	if decided.Outcome == nil || decided.Outcome.Result != motion.ResultAdoptedAmended {
		t.Fatalf("the motion's outcome: %+v", decided.Outcome)
	}

	// The Beschlusstext: 150.000 Euro; the second amendment is a conflict.
	var merged motion.Merged
	h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+m.ID+"/resolution-text", h.Anon, nil), 200), &merged)
	if !strings.Contains(merged.Points[0], "150.000 Euro") || strings.Contains(merged.Points[0], "225.000") ||
		!slices.Equal(merged.Points[1:], ex.ResolutionPoints[1:]) {
		t.Fatalf("Beschlusstext: %q", merged.Points)
	}
	if len(merged.Applied) != 1 || !strings.Contains(merged.Applied[0], a1.Reference) ||
		len(merged.Conflicts) != 1 || !strings.Contains(merged.Conflicts[0].Amendment, a2.Reference) || !strings.Contains(merged.Conflicts[0].With, a1.Reference) {
		t.Fatalf("applied %v, conflicts %+v", merged.Applied, merged.Conflicts)
	}
	var amendments struct {
		Amendments []struct {
			ID      string              `json:"id"`
			Changes []motion.ChangeView `json:"changes"`
		} `json:"amendments"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+m.ID+"/amendments", h.Anon, nil), 200), &amendments)
	if len(amendments.Amendments) != 3 || amendments.Amendments[0].ID != rec.ID || amendments.Amendments[1].ID != a1.ID || len(amendments.Amendments[1].Changes) != 1 {
		t.Fatalf("the motion's amendments: %+v", amendments.Amendments)
	}
	parts := amendments.Amendments[1].Changes[0].Parts
	if !slices.Contains(parts, motion.DiffPart{Op: motion.DiffDelete, Text: "225.000"}) || !slices.Contains(parts, motion.DiffPart{Op: motion.DiffInsert, Text: "150.000"}) {
		t.Fatalf("the amendment's diff: %+v", parts)
	}

	checkAmendedMotionPages(t, w, m, a1, a2, sum.No)

	// OParl: the amendments are papers below the motion, and everything
	// an importing client reaches is valid.
	base := h.publicServer(5) + "/oparl/v1"
	crawl := oparltest.Walk(t, http.DefaultClient, base+"/system", oparltest.LoadSchemas(t, "../oparl/testdata/schema"))
	crawl.CheckReferences(t)
	paper := func(id string) map[string]any {
		p := crawl.Objects[base+"/paper/"+id]
		if p == nil {
			t.Fatalf("no OParl paper for %s", id)
		}
		return p
	}
	if got := oparlStrings(paper(a1.ID)["superordinatedPaper"]); !slices.Equal(got, []string{base + "/paper/" + m.ID}) {
		t.Errorf("the amendment's superordinatedPaper: %v", got)
	}
	if got := oparlStrings(paper(m.ID)["subordinatedPaper"]); !slices.Equal(got, []string{base + "/paper/" + rec.ID, base + "/paper/" + a1.ID, base + "/paper/" + a2.ID}) {
		t.Errorf("the motion's subordinatedPaper: %v", got)
	}
	h.replayHistories(map[string]string{"amended-budget-motion": m.ID, "amendment-by-line": a1.ID})
}

// checkAmendedMotionPages checks what a reader sees of the amended budget
// motion m: on its page and in its print view the numbered lines (line
// sumNo holds the sum), the amendments' diff (225.000 struck, 150.000
// added), the Beschlusstext with 150.000 Euro, the conflict of a2 and the
// money; in its PDF the same, as pdftotext reads it.
func checkAmendedMotionPages(t *testing.T, w *webHarness, m, a1, a2 motionView, sumNo int) {
	t.Helper()
	b := w.b
	line := func(sel string) string {
		return b.eval(`(document.querySelector(` + strconv.Quote(sel) + `) || {textContent: ""}).textContent.replace(/\s+/g, " ").trim()`)
	}
	marked := func(tag string) string {
		return b.eval(`[...document.querySelectorAll("` + tag + `")].map(e => e.textContent.replace(/\s+/g, " ").trim()).join("|")`)
	}
	b.open("/antraege/" + m.ID)
	b.must(m.Title, "Beschlusstext mit den angenommenen Änderungsanträgen", "150.000 Euro", "Konflikt:", a1.Title, a2.Title,
		"225.000 Euro", "einmalig", "Ergebnishaushalt", "Sachmittel", "180.000 Euro")
	if got := line("#zeile-" + strconv.Itoa(sumNo)); !strings.HasPrefix(got, "Zeile "+strconv.Itoa(sumNo)+" ") || !strings.Contains(got, "225.000 Euro") {
		t.Fatalf("line %d on the page: %q", sumNo, got)
	}
	if del, ins := marked("del"), marked("ins"); !strings.Contains(del, "gestrichen: 225.000") || !strings.Contains(ins, "eingefügt: 150.000") {
		t.Fatalf("the diff on the page: struck %q, added %q", del, ins)
	}
	b.checkA11y("Haushaltsantrag mit Änderungsanträgen")

	b.open("/antraege/" + m.ID + "/druck")
	b.must(m.Title, "Beschlusstext mit den angenommenen Änderungsanträgen", "150.000 Euro", "Konflikt:", "225.000 Euro")
	if n := b.eval(`String(document.querySelectorAll(".ln").length)`); n == "0" {
		t.Fatal("the print view has no line numbers")
	}
	if del, ins := marked("del"), marked("ins"); !strings.Contains(del, "225.000") || !strings.Contains(ins, "150.000") {
		t.Fatalf("the diff in print: struck %q, added %q", del, ins)
	}

	r := w.mustStatus(w.call("GET", "/v1/motions/"+m.ID+"/pdf", w.Anon, nil), 200)
	text := squash(pdfText(t, r.Body))
	for _, want := range []string{"[- 225.000 -]{+ 150.000 +}", "Beschlusstext (mit den angenommenen Änderungsanträgen)",
		"Konflikt: " + a2.Reference, "nicht eingearbeitet", "225.000 Euro", "Sachmittel in Höhe von 150.000 Euro bereitgestellt."} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q:\n%s", want, text)
		}
	}
	// On the page the number stands in the margin beside its line.
	sum := m.Lines()[sumNo-1]
	beside := regexp.MustCompile(`(?m)^\s*` + strconv.Itoa(sumNo) + `\s+` + regexp.QuoteMeta(strings.Fields(sum.Text)[0]) + `\s`)
	if layout := strings.Join(pdftext.Layout(t, r.Body), "\n"); !beside.MatchString(layout) {
		t.Errorf("the PDF does not number line %d (%q):\n%s", sumNo, sum.Text, layout)
	}
}
