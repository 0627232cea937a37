package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestGuardRefusesBadURLsForTheWholeSite: the site's guard stops NUL,
// invalid UTF-8 and overlong values before any route (the login routes
// included) sees them; the web pages answer with their own page, every
// other route with a problem.
func TestGuardRefusesBadURLsForTheWholeSite(t *testing.T) {
	reached := ""
	mux := http.NewServeMux()
	for _, p := range []string{"/v1/", "/oparl/", "GET /login"} {
		mux.Handle(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = p }))
	}
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = "pages"
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
	})
	mux.Handle("/", pages)
	h := guard(mux, pages)(mux)

	for _, c := range []struct {
		target, reached string
		status          int
		problem         bool
	}{
		{"/v1/motions?q=a%00b", "", 400, true},
		{"/oparl/v1/paper/a%ffb", "", 404, true},
		{"/login?next=/a%ffb", "", 400, true},
		{"/antraege?q=a%00b", "pages", 400, false},
		{"/v1/motions?q=Radwege", "/v1/", 200, false},
		{"/login?next=/antraege", "GET /login", 200, false},
	} {
		reached = ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.target, nil))
		if reached != c.reached || rec.Code != c.status {
			t.Errorf("%s: reached %q with %d, want %q with %d", c.target, reached, rec.Code, c.reached, c.status)
		}
		if c.problem {
			var p struct{ Status int }
			if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Status != c.status {
				t.Errorf("%s: not a problem: %s %s", c.target, rec.Header().Get("Content-Type"), rec.Body)
			}
		}
	}
}
