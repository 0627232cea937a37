package web_test

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
)

// gutachtenPDF is a one-page PDF in the core fonts (cp1252, as the council
// papers are set) holding German text with umlauts and ß.
func gutachtenPDF(t *testing.T) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.SetFont("Helvetica", "", 11)
	p.AddPage()
	p.MultiCell(0, 5, tr("Gutachten zum Baumbestand im Luisenpark, Straßenbäume und Grünflächen"), "", "L", false)
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The text of an uploaded PDF is searched with the motion: the search page
// finds the motion by a word that stands only in the attachment and marks
// it in the hit's passage.
func TestAttachmentTextIsSearched(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Baumschutz in der Innenstadt", "Die Verwaltung prüft den Baumbestand.")
	edit := e.get("spd", "/antraege/"+id+"/bearbeiten")
	action := "/antraege/" + id + "/bearbeiten"
	v := url.Values{"version": {hidden(t, edit.Body, action, "version")}, "key": {hidden(t, edit.Body, action, "key")},
		"title": {"Baumschutz in der Innenstadt"}, "resolution_points": {"Die Verwaltung prüft den Baumbestand."}, "op": {"save"}}
	// A broken PDF beside it is stored all the same, without text.
	p := e.multipart("spd", action, v, map[string][]byte{"Gutachten_Luisenpark.pdf": gutachtenPDF(t),
		"kaputt.pdf": []byte("%PDF-1.4\nkaputt")})
	must(t, p, 200, "Der Entwurf wurde gespeichert.", "Gutachten_Luisenpark.pdf", "kaputt.pdf")

	// A draft is not found by others; submitted, by everyone.
	if strings.Contains(e.get("", "/antraege?q=Luisenpark").Body, "/antraege/"+id+`"`) {
		t.Error("the public finds a draft by its attachment")
	}
	must(t, e.act("spd", id, "submit", nil), 200, "Der Antrag wurde eingereicht.")
	for _, q := range []string{"Luisenpark", "Straßenbäume", "Grünflächen"} {
		res := e.get("", "/antraege?q="+url.QueryEscape(q))
		must(t, res, 200, `href="/antraege/`+id+`"`)
		hit := res.Body[strings.Index(res.Body, `href="/antraege/`+id+`"`):]
		hit = hit[:strings.Index(hit, "</td>")]
		passage := regexp.MustCompile(`(?s)<span class="fundstelle">(.*?)</span>`).FindStringSubmatch(hit)
		if passage == nil || !strings.Contains(passage[1], "<mark>"+q+"</mark>") {
			t.Errorf("q=%s: hit without the word marked in its passage:\n%s", q, hit)
		}
	}
	// A word of neither the motion nor its attachments finds nothing.
	if strings.Contains(e.get("", "/antraege?q=Schlossgarten").Body, "/antraege/"+id+`"`) {
		t.Error("an unrelated word finds the motion")
	}
}
