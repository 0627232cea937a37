package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/internal/pdftext"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
)

// The motion's PDF follows the motion page's visibility: a draft is its
// faction's alone (marked as a draft), and the motion page links it.
func TestMotionPDF(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Sachmittel in Höhe von 225.000 Euro.")
	must(t, e.get("spd", "/antraege/"+id), 200, `href="/antraege/`+id+`/pdf"`)
	p := e.get("spd", "/antraege/"+id+"/pdf")
	must(t, p, 200, "%PDF-")
	if ct := p.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	if p.Header.Get("ETag") == "" || !strings.Contains(p.Header.Get("Content-Disposition"), ".pdf") {
		t.Errorf("headers %v", p.Header)
	}
	for _, user := range []string{"", "cdu", "office"} {
		must(t, e.get(user, "/antraege/"+id+"/pdf"), 404)
	}
	must(t, e.get("", "/antraege/gibt-es-nicht/pdf"), 404)
	must(t, e.act("spd", id, "submit", nil), 200)
	for _, user := range []string{"", "cdu", "office"} {
		must(t, e.get(user, "/antraege/"+id+"/pdf"), 200, "%PDF-")
	}
}

// The motion's PDF prints the amendments filed to it with their diffs and,
// once one is adopted, the Beschlusstext; a draft amendment stays out, and
// the entity tag changes with the amendments.
func TestMotionPDFShowsAmendments(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	points := []string{"Zur befristeten Anschubfinanzierung zur Implementierung des Projekts „digitale Metropole“ werden Sachmittel in Höhe von 225.000 Euro bereitgestellt."}
	id := e.createDraft("spd", "Digitalisierung im Quadrat", points...)
	must(t, e.act("spd", id, "submit", nil), 200)
	before := e.get("", "/antraege/"+id+"/pdf")
	must(t, before, 200, "%PDF-")

	var line motion.Line
	for _, l := range motion.NumberLines(points, "") {
		if strings.Contains(l.Text, "225.000") {
			line = l
		}
	}
	amend := func(key, title string, submit bool) {
		t.Helper()
		c := motion.Create{BodyID: "ma", Kind: motion.KindAmendment, Content: motion.Content{
			Title: title, Amends: id, AmendedPoints: points,
			Changes: []motion.Change{{Op: motion.ChangeReplace, From: line.No, To: line.No,
				Text: strings.Replace(line.Text, "225.000", "150.000", 1)}},
		}}
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

	for _, user := range []string{"", "spd", "cdu"} {
		p := e.get(user, "/antraege/"+id+"/pdf")
		must(t, p, 200, "%PDF-")
		text := pdftext.Text(t, []byte(p.Body))
		for _, want := range []string{"Änderungsanträge", "„Anschubfinanzierung begrenzen“", "von CDU-Gemeinderatsfraktion",
			"Stand: Eingereicht", "[- 225.000 -]{+ 150.000 +}"} {
			if !strings.Contains(text, want) {
				t.Errorf("%q: the PDF lacks %q: %s", user, want, text)
			}
		}
		if strings.Contains(text, "Noch nicht eingereicht") || strings.Contains(text, "Beschlusstext") {
			t.Errorf("%q: a draft amendment or a Beschlusstext before any adoption: %s", user, text)
		}
		if tag := p.Header.Get("ETag"); tag == "" || tag == before.Header.Get("ETag") {
			t.Errorf("%q: the ETag %s does not change with the amendments (before %s)", user, tag, before.Header.Get("ETag"))
		}
		r, err := http.NewRequest("GET", e.srv.URL+"/antraege/"+id+"/pdf", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("If-None-Match", p.Header.Get("ETag"))
		r.Header.Set("X-Test-User", user)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("%q: If-None-Match of the current tag: %d", user, res.StatusCode)
		}
	}

	// The amendment's own PDF names the motion it amends.
	p := e.get("", "/antraege/cdu-150/pdf")
	must(t, p, 200, "%PDF-")
	if text := pdftext.Text(t, []byte(p.Body)); !strings.Contains(text, "Änderungen an „Digitalisierung im Quadrat“") ||
		!strings.Contains(text, "[- 225.000 -]{+ 150.000 +}") {
		t.Errorf("the amendment's PDF: %s", text)
	}
}
