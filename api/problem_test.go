package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// problemBody is a problem as a client reads it.
type problemBody struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
		Value    any    `json:"value"`
	} `json:"errors"`
}

func decodeProblem(t *testing.T, r resp) problemBody {
	t.Helper()
	var p problemBody
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("not a problem: %v\n%s", err, r.body)
	}
	return p
}

// TestSchemaProblemsAreGermanAndSmall: huma's own validation speaks German
// like the domain, and a 422 does not send the rejected value back (a 1 MB
// title answered with 1 MB).
func TestSchemaProblemsAreGermanAndSmall(t *testing.T) {
	e := newEnv(t, api.Config{})
	title := strings.Repeat("T", 1_000_000)
	r := e.do("POST", "/v1/motions", "spd", map[string]any{"body_id": "mannheim", "kind": "motion", "title": title})
	expect(t, r, http.StatusUnprocessableEntity)
	if len(r.body) > 2000 {
		t.Fatalf("a 1 MB title is answered with %d bytes", len(r.body))
	}
	p := decodeProblem(t, r)
	if p.Title != "Ungültige Angaben" || p.Detail != "Die Angaben sind ungültig." {
		t.Errorf("problem %+v", p)
	}
	found := false
	for _, f := range p.Errors {
		if f.Value != nil {
			t.Errorf("%s echoes its value", f.Location)
		}
		if f.Location == "body.title" {
			found = true
			if f.Message != "zu lang (höchstens 300 Zeichen)" {
				t.Errorf("title: %q", f.Message)
			}
		}
	}
	if !found {
		t.Errorf("no error for body.title: %+v", p.Errors)
	}

	for _, c := range []struct {
		name, body, location, message string
		status                        int
	}{
		{"unknown field", `{"body_id":"mannheim","kind":"motion","title":"Bänke","faction":"cdu"}`, "body.faction", "unbekanntes Feld", 422},
		{"wrong kind", `{"body_id":"mannheim","kind":"wish","title":"Bänke"}`, "body.kind", "erlaubt sind: ", 422},
		{"not an array", `{"body_id":"mannheim","kind":"motion","title":"Bänke","tags":"x"}`, "body.tags", "erwartet eine Liste", 422},
		{"missing", `{"kind":"motion","title":"Bänke"}`, "body", "das Feld body_id fehlt", 422},
		{"broken JSON", `{"body_id":`, "body", "kein gültiges JSON", 400},
	} {
		r := e.do("POST", "/v1/motions", "spd", c.body)
		expect(t, r, c.status)
		p := decodeProblem(t, r)
		ok := false
		for _, f := range p.Errors {
			if f.Location == c.location && strings.HasPrefix(f.Message, c.message) {
				ok = true
			}
		}
		if !ok || strings.Contains(string(r.body), "expected") {
			t.Errorf("%s: %s", c.name, r.body)
		}
	}

	r = e.do("GET", "/v1/motions?limit=viele", "", nil)
	expect(t, r, http.StatusUnprocessableEntity)
	if p := decodeProblem(t, r); len(p.Errors) != 1 || p.Errors[0].Location != "query.limit" || p.Errors[0].Message != "erwartet eine ganze Zahl" {
		t.Errorf("limit: %s", r.body)
	}
}

// TestInvalidUTF8BodyIsRefused: a JSON body with bytes that are not UTF-8
// is no JSON (RFC 8259, 8.1): 400 naming the body, and it creates nothing,
// instead of being stored with U+FFFD.
func TestInvalidUTF8BodyIsRefused(t *testing.T) {
	e := newEnv(t, api.Config{})
	body := "{\"body_id\":\"mannheim\",\"kind\":\"motion\",\"title\":\"B\xe4nke\",\"resolution_points\":[\"Aufstellen.\"]}"
	r := e.do("POST", "/v1/motions", "spd", body)
	expect(t, r, http.StatusBadRequest)
	if p := decodeProblem(t, r); len(p.Errors) != 1 || p.Errors[0].Location != "body" {
		t.Errorf("problem %s", r.body)
	}
	r = e.do("GET", "/v1/motions", "spd", nil)
	expect(t, r, http.StatusOK)
	if items := r.json(t)["items"].([]any); len(items) != 0 {
		t.Errorf("stored: %v", items)
	}
	// The same in UTF-8 is created.
	expect(t, e.do("POST", "/v1/motions", "spd", strings.Replace(body, "\xe4", "ä", 1)), http.StatusCreated)
}

// TestBadURLValuesAreRefusedQuietly: NUL and invalid UTF-8 in a path or
// query value are 404 and 400 problems, never a 500, and log nothing at
// ERROR level.
func TestBadURLValuesAreRefusedQuietly(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Bänke")
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/v1/motions?q=a%00b", 400},
		{"/v1/motions?tag=a%ffb", 400},
		{"/v1/motions/a%00b", 404},
		{"/v1/motions/a%ffb", 404},
		{"/v1/motions/" + id + "/history?x=" + strings.Repeat("y", 3000), 400},
	} {
		for _, token := range []string{"", "spd"} {
			r := e.do("GET", c.path, token, nil)
			expect(t, r, c.status)
			decodeProblem(t, r)
		}
	}
	if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
		t.Errorf("logged an error:\n%s", e.logs.String())
	}
}

// TestHeadersOfJSONAnswers: every answer is nosniff; what a caller with a
// token or a cookie reads is not stored by caches, what the public reads
// may be.
func TestHeadersOfJSONAnswers(t *testing.T) {
	e := newEnv(t, api.Config{})
	e.draft("Bänke")
	for _, c := range []struct {
		token, cookie string
		noStore       bool
	}{
		{"", "", false},
		{"spd", "", true},
		{"", "motionflow_session=abc", true},
	} {
		for _, path := range []string{"/v1/motions", "/v1/motions/unbekannt"} {
			var headers []string
			if c.cookie != "" {
				headers = []string{"Cookie", c.cookie}
			}
			r := e.do("GET", path, c.token, nil, headers...)
			if r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s (token %q): no nosniff", path, c.token)
			}
			if got := r.header.Get("Cache-Control") == "no-store"; got != c.noStore {
				t.Errorf("%s (token %q, cookie %q): Cache-Control %q", path, c.token, c.cookie, r.header.Get("Cache-Control"))
			}
		}
	}
}

// TestIfMatchStarAndLists: If-Match "*" and a list of entity tags work as
// RFC 9110 says; a weak tag never matches; If-None-Match compares weakly.
func TestIfMatchStarAndLists(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Bänke")
	path := "/v1/motions/" + id
	submit := path + "/submit"

	expect(t, e.do("POST", submit, "spd", nil, "If-Match", `"3", "4"`), http.StatusPreconditionFailed)
	expect(t, e.do("POST", submit, "spd", nil, "If-Match", `W/"1"`), http.StatusPreconditionFailed)
	expect(t, e.do("POST", submit, "spd", nil, "If-Match", `W/"1", "2"`), http.StatusPreconditionFailed)
	expect(t, e.do("POST", submit, "cdu", nil, "If-Match", `"1", "2"`), http.StatusNotFound)
	r := e.do("POST", submit, "spd", nil, "If-Match", `"3", "1"`)
	expect(t, r, http.StatusOK)
	if r.header.Get("ETag") != `"2"` {
		t.Fatalf("ETag %q", r.header.Get("ETag"))
	}
	r = e.do("POST", path+"/register", "office", nil, "If-Match", "*")
	expect(t, r, http.StatusOK)
	if r.header.Get("ETag") != `"3"` {
		t.Fatalf("ETag %q", r.header.Get("ETag"))
	}
	// "*" still runs through the workflow: registering twice is a conflict.
	expect(t, e.do("POST", path+"/register", "office", nil, "If-Match", "*"), http.StatusConflict)
	if m, _ := e.motions.State(t.Context(), id); m.Status != motion.StatusRegistered || m.Version != 3 {
		t.Errorf("motion %s v%d", m.Status, m.Version)
	}

	expect(t, e.do("GET", path, "", nil, "If-None-Match", `W/"3"`), http.StatusNotModified)
	expect(t, e.do("GET", path, "", nil, "If-None-Match", `"1", "3"`), http.StatusNotModified)
	expect(t, e.do("GET", path, "", nil, "If-None-Match", "*"), http.StatusNotModified)
	expect(t, e.do("GET", path, "", nil, "If-None-Match", `"1", "2"`), http.StatusOK)
}
