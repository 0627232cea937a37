package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestBadURLValuesGetAnErrorPage: NUL, invalid UTF-8 and overlong values in
// a page's address are refused with a German error page (404 in the path,
// 400 in the query), never a 500, for visitors and signed-in users alike.
func TestBadURLValuesGetAnErrorPage(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("x", 10_000)
	for _, user := range []string{"", "spd"} {
		for _, c := range []struct {
			path   string
			status int
			text   string
		}{
			{"/antraege?q=a%00b", http.StatusBadRequest, "Ungültige Anfrage"},
			{"/antraege?schlagwort=a%ffb", http.StatusBadRequest, "Ungültige Anfrage"},
			{"/sitzungen?gremium=" + long, http.StatusBadRequest, "zu lang"},
			{"/antraege/a%00b", http.StatusNotFound, "Nicht gefunden"},
			{"/sitzungen/a%ffb", http.StatusNotFound, "Nicht gefunden"},
			{"/anhaenge/" + long, http.StatusNotFound, "Nicht gefunden"},
		} {
			p := e.get(user, c.path)
			must(t, p, c.status, c.text)
			if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%.60s: %s", c.path, p.Header.Get("Content-Type"))
			}
		}
	}
}
