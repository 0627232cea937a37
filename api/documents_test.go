package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/internal/pdftext"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
)

// The motion's PDF follows the motion's visibility, prints the submitted
// amendments with their diffs (a draft amendment stays out), and its ETag
// changes with them and answers If-None-Match with 304.
func TestMotionPDFWithAmendments(t *testing.T) {
	e := newEnv(t, api.Config{})
	ctx := context.Background()
	points := []string{"Zur befristeten Anschubfinanzierung zur Implementierung des Projekts „digitale Metropole“ werden Sachmittel in Höhe von 225.000 Euro bereitgestellt."}
	r := e.do("POST", "/v1/motions", "spd", map[string]any{
		"body_id": "mannheim", "kind": "motion", "title": "Digitalisierung im Quadrat", "resolution_points": points,
	})
	expect(t, r, http.StatusCreated)
	id := r.json(t)["id"].(string)

	expect(t, e.do("GET", "/v1/motions/"+id+"/pdf", "", nil), http.StatusNotFound)
	draft := e.do("GET", "/v1/motions/"+id+"/pdf", "spd", nil)
	expect(t, draft, http.StatusOK)
	if draft.header.Get("Content-Type") != "application/pdf" || draft.header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("a draft's PDF: %v", draft.header)
	}
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	before := e.do("GET", "/v1/motions/"+id+"/pdf", "", nil)
	expect(t, before, http.StatusOK)
	text := pdftext.Text(t, before.body)
	if !strings.Contains(text, "Digitalisierung im Quadrat") || strings.Contains(text, "Änderungsanträge") {
		t.Errorf("the PDF before any amendment: %s", text)
	}

	var line motion.Line
	for _, l := range motion.NumberLines(points, "") {
		if strings.Contains(l.Text, "225.000") {
			line = l
		}
	}
	amend := func(key, title string, submit bool) {
		t.Helper()
		c := motion.Create{BodyID: "mannheim", Kind: motion.KindAmendment, Content: motion.Content{
			Title: title, Amends: id, AmendedPoints: points,
			Changes: []motion.Change{{Op: motion.ChangeReplace, From: line.No, To: line.No,
				Text: strings.Replace(line.Text, "225.000", "150.000", 1)}},
		}}
		cdu := actors["cdu"]
		if _, err := e.motions.Create(ctx, key, c, workflows.Meta{Actor: cdu, RequestID: key}); err != nil {
			t.Fatal(err)
		}
		if submit {
			if _, err := e.motions.Send(ctx, key, motion.Submit{}, workflows.Meta{Actor: cdu, RequestID: key + "-submit", ExpectedVersion: motion.AnyVersion}); err != nil {
				t.Fatal(err)
			}
		}
	}
	amend("cdu-150", "Anschubfinanzierung begrenzen", true)
	amend("cdu-entwurf", "Noch nicht eingereicht", false)

	for _, token := range []string{"", "spd", "cdu"} {
		p := e.do("GET", "/v1/motions/"+id+"/pdf", token, nil)
		expect(t, p, http.StatusOK)
		text := pdftext.Text(t, p.body)
		for _, want := range []string{"Änderungsanträge", "„Anschubfinanzierung begrenzen“ von CDU-Fraktion",
			"Stand: Eingereicht", "[- 225.000 -]{+ 150.000 +}"} {
			if !strings.Contains(text, want) {
				t.Errorf("%q: the PDF lacks %q: %s", token, want, text)
			}
		}
		if strings.Contains(text, "Noch nicht eingereicht") || strings.Contains(text, "Beschlusstext") {
			t.Errorf("%q: a draft amendment or a Beschlusstext before any adoption: %s", token, text)
		}
		tag := p.header.Get("ETag")
		if tag == "" || tag == before.header.Get("ETag") || p.header.Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("%q: ETag %s (before %s), Cache-Control %q", token, tag, before.header.Get("ETag"), p.header.Get("Cache-Control"))
		}
		expect(t, e.do("GET", "/v1/motions/"+id+"/pdf", token, nil, "If-None-Match", `"1", W/`+tag), http.StatusNotModified)
		expect(t, e.do("GET", "/v1/motions/"+id+"/pdf", token, nil, "If-None-Match", before.header.Get("ETag")), http.StatusOK)
	}

	// The amendment's own PDF names the motion it amends and shows its diff.
	p := e.do("GET", "/v1/motions/cdu-150/pdf", "", nil)
	expect(t, p, http.StatusOK)
	if text := pdftext.Text(t, p.body); !strings.Contains(text, "Änderungen an „Digitalisierung im Quadrat“") ||
		!strings.Contains(text, "[- 225.000 -]{+ 150.000 +}") {
		t.Errorf("the amendment's PDF: %s", text)
	}
}
