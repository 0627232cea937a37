package web_test

import (
	"strings"
	"testing"
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
