package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"go.temporal.io/api/serviceerror"
)

type syncWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func newLogger(b *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(&syncWriter{b: b}, nil))
}

func TestHealth(t *testing.T) {
	e := newEnv(t, api.Config{Ready: func(context.Context) error { return errors.New("temporal down") }})
	expect(t, e.do("GET", "/healthz", "", nil), http.StatusOK)
	r := e.do("GET", "/readyz", "", nil)
	expect(t, r, http.StatusServiceUnavailable)
	if !strings.Contains(string(r.body), "temporal down") {
		t.Errorf("readyz does not say why: %s", r.body)
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	e := newEnv(t, api.Config{})
	r := e.do("GET", "/v1/bodies", "", nil, "X-Request-Id", "abc-123")
	expect(t, r, http.StatusOK)
	if got := r.header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("X-Request-Id = %q, want it echoed", got)
	}
	r = e.do("GET", "/v1/bodies", "", nil, "X-Request-Id", "bad id with spaces")
	if got := r.header.Get("X-Request-Id"); got == "" || got == "bad id with spaces" {
		t.Errorf("X-Request-Id = %q, want a generated one", got)
	}
	var line map[string]any
	for l := range strings.Lines(e.logs.String()) {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["request_id"] == "abc-123" {
			line = m
		}
	}
	if line == nil || line["status"] != float64(200) || line["path"] != "/v1/bodies" {
		t.Errorf("no access log line for the request: %s", e.logs)
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, api.Config{})
	// Invalid token: 401 with a challenge, even on a public read.
	r := e.do("GET", "/v1/bodies", "forged", nil)
	expect(t, r, http.StatusUnauthorized)
	if !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
	}
	r = e.do("GET", "/v1/bodies", "", nil, "Authorization", "Basic Zm9vOmJhcg==")
	expect(t, r, http.StatusUnauthorized)
	// Anonymous read works and shows every body; a token narrows it to its own.
	r = e.do("GET", "/v1/bodies", "", nil)
	expect(t, r, http.StatusOK)
	if n := len(r.json(t)["items"].([]any)); n != 2 {
		t.Errorf("anonymous sees %d bodies, want 2", n)
	}
	r = e.do("GET", "/v1/bodies", "other", nil)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != "heidelberg" {
		t.Errorf("heidelberg user sees %v", items)
	}
	expect(t, e.do("GET", "/v1/bodies/mannheim", "other", nil), http.StatusNotFound)
	// Commands and admin operations need a token.
	r = e.do("POST", "/v1/motions", "", map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Ohne Token"})
	expect(t, r, http.StatusUnauthorized)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	expect(t, e.do("PUT", "/v1/bodies/x", "", map[string]any{"name": "X"}), http.StatusUnauthorized)
	expect(t, e.do("PUT", "/v1/bodies/x", "office", map[string]any{"name": "X"}), http.StatusForbidden)
	expect(t, e.do("PUT", "/v1/bodies/karlsruhe", "admin", map[string]any{"name": "Stadt Karlsruhe"}), http.StatusOK)
}

func TestUnknownRoutesAreProblems(t *testing.T) {
	e := newEnv(t, api.Config{})
	expect(t, e.do("GET", "/nowhere", "", nil), http.StatusNotFound)
	r := e.do("DELETE", "/v1/motions", "", nil)
	expect(t, r, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	expect(t, e.do("GET", "/v1/motions/x/submit", "", nil), http.StatusMethodNotAllowed)
}

func TestPanicBecomesProblem(t *testing.T) {
	e := newEnv(t, api.Config{})
	h, a := api.New(api.Config{}, api.Deps{Motions: e.motions, Auth: actors, Store: e.store, Logger: newLogger(e.logs)})
	huma.Get(a, "/boom", func(context.Context, *struct{}) (*struct{}, error) { panic("kaputt") })
	srv := httptestServer(t, h)
	res, err := http.Get(srv + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 500 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("panic answered %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(e.logs.String(), "kaputt") {
		t.Error("panic not logged")
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, api.Config{MaxBodyBytes: 2000})
	big := map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Groß", "justification": strings.Repeat("x", 3000)}
	expect(t, e.do("POST", "/v1/motions", "spd", big), http.StatusRequestEntityTooLarge)
	ok := map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Klein", "justification": strings.Repeat("x", 1000)}
	expect(t, e.do("POST", "/v1/motions", "spd", ok), http.StatusCreated)
}

func TestCommandPreconditions(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Bessere Radwege")
	path := "/v1/motions/" + id + "/submit"
	expect(t, e.do("POST", path, "spd", nil), http.StatusPreconditionRequired)
	expect(t, e.do("POST", path, "cdu", nil, "If-Match", "*"), http.StatusNotFound) // "*" does not reveal a foreign draft
	expect(t, e.do("POST", path, "spd", nil, "If-Match", `W/"1"`), http.StatusPreconditionFailed)
	expect(t, e.do("POST", path, "spd", nil, "If-Match", `"7"`), http.StatusPreconditionFailed)
	expect(t, e.do("POST", path, "", nil, "If-Match", `"1"`), http.StatusUnauthorized)
	expect(t, e.do("POST", path, "cdu", nil, "If-Match", `"1"`), http.StatusNotFound) // a foreign draft does not exist
	expect(t, e.do("POST", path, "office", nil, "If-Match", `"1"`), http.StatusNotFound)
	r := e.do("POST", path, "spd", nil, "If-Match", `"1"`)
	expect(t, r, http.StatusOK)
	if r.header.Get("ETag") != `"2"` {
		t.Errorf("ETag = %q, want \"2\"", r.header.Get("ETag"))
	}
	body := r.json(t)
	if body["status"] != "submitted" || body["status_label"] != "Eingereicht" || body["kind_label"] != "Antrag" {
		t.Errorf("view: %v", body)
	}
	// Now public: the office may not submit (403), registering twice is a conflict.
	e.run("office", id, motion.CmdSubmit, nil, http.StatusForbidden)
	r = e.run("office", id, motion.CmdRegister, nil, http.StatusOK)
	if ref := r.json(t)["reference"]; ref != "A1/2026" {
		t.Errorf("reference %v", ref)
	}
	e.run("office", id, motion.CmdRegister, nil, http.StatusConflict)
	// Unknown motion: the workflow says 404.
	expect(t, e.do("POST", "/v1/motions/nope/submit", "spd", nil, "If-Match", `"1"`), http.StatusNotFound)
	// Too long Idempotency-Key.
	r = e.do("POST", path, "spd", nil, "If-Match", `"3"`, "Idempotency-Key", strings.Repeat("k", 201))
	expect(t, r, http.StatusUnprocessableEntity)
}

func TestValidationNamesField(t *testing.T) {
	e := newEnv(t, api.Config{})
	cases := []struct {
		name     string
		body     any
		status   int
		location string
	}{
		{"invalid JSON", `{"body_id": "mannheim", "kind": `, 400, "body"},
		{"unknown kind", map[string]any{"body_id": "mannheim", "kind": "wish", "title": "Etwas"}, 422, "body.kind"},
		{"title too long", map[string]any{"body_id": "mannheim", "kind": "motion", "title": strings.Repeat("T", 301)}, 422, "body.title"},
		{"unknown field", map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Etwas", "faction": "cdu"}, 422, "body.faction"},
		{"unknown body", map[string]any{"body_id": "mannheim-nord", "kind": "motion", "title": "Etwas"}, 403, ""},
		{"control characters", map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Etwas\u0007"}, 422, "body.title"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", "/v1/motions", "spd", c.body)
			expect(t, r, c.status)
			if c.location != "" && !strings.Contains(string(r.body), `"location":"`+c.location) {
				t.Errorf("problem does not name %s: %s", c.location, r.body)
			}
		})
	}
	// A command refused by the domain names the field too, and changes nothing.
	id := e.draft("Mehr Bänke")
	r := e.run("spd", id, motion.CmdEdit, map[string]any{"title": "Mehr Bänke", "resolution_points": []string{"  "}}, 422)
	if !strings.Contains(string(r.body), `"location":"body.resolution_points[0]"`) {
		t.Errorf("domain refusal does not name the field: %s", r.body)
	}
	if m, _ := e.motions.State(context.Background(), id); m.Version != 1 {
		t.Errorf("version %d after a refused edit", m.Version)
	}
}

func TestReferencesChecked(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Schulhöfe öffnen")
	e.run("spd", id, motion.CmdInviteCosponsor, map[string]any{"faction": "fdp"}, 422)
	e.run("spd", id, motion.CmdSubmit, nil, 200)
	e.run("office", id, motion.CmdRegister, nil, 200)
	r := e.run("office", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": "ha"}, {"organization_id": "hd-gr", "decisive": true},
	}}, 422)
	if !strings.Contains(string(r.body), `"location":"body.steps[1].organization_id"`) {
		t.Errorf("route to another body's council: %s", r.body)
	}
	e.run("office", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": "spd", "decisive": true}}}, 422)
	// A caller who may not set the route gets 403, not the 422 about its content.
	e.run("spd", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": "nowhere", "decisive": true}}}, 403)
	e.run("office", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": "ha"}, {"organization_id": "gr", "decisive": true},
	}}, 200)
	// Meetings: unknown, another organization's.
	r = e.do("POST", "/v1/bodies/mannheim/meetings", "office", map[string]any{
		"id": "gr-1", "organization_id": "gr", "name": "Gemeinderat", "start": time.Now().AddDate(0, 1, 0).Format(time.RFC3339),
	})
	expect(t, r, http.StatusCreated)
	e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": "nope"}, 422)
	r = e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": "gr-1"}, 422)
	if !strings.Contains(string(r.body), `"location":"body.meeting_id"`) {
		t.Errorf("committee consultation in a council meeting: %s", r.body)
	}
	e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c2", "meeting_id": "gr-1"}, 200)
}

func TestVisibility(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Geheimer Entwurf über Radwege")
	for _, tok := range []string{"", "cdu", "office", "other"} {
		expect(t, e.do("GET", "/v1/motions/"+id, tok, nil), http.StatusNotFound)
		expect(t, e.do("GET", "/v1/motions/"+id+"?consistent=true", tok, nil), http.StatusNotFound)
		expect(t, e.do("GET", "/v1/motions/"+id+"/history", tok, nil), http.StatusNotFound)
		for _, q := range []string{"", "?q=Radwege"} {
			r := e.do("GET", "/v1/motions"+q, tok, nil)
			expect(t, r, http.StatusOK)
			if strings.Contains(string(r.body), id) {
				t.Errorf("%q lists the foreign draft (%s)", tok, q)
			}
		}
	}
	r := e.do("GET", "/v1/motions/"+id, "spd", nil)
	expect(t, r, http.StatusOK)
	if r.header.Get("ETag") != `"1"` {
		t.Errorf("ETag %q", r.header.Get("ETag"))
	}
	if got := r.json(t)["allowed_actions"]; !reflect.DeepEqual(got, []any{"edit", "invite_cosponsor", "submit", "withdraw"}) {
		t.Errorf("allowed_actions %v", got)
	}
	expect(t, e.do("GET", "/v1/motions/"+id, "spd", nil, "If-None-Match", `"1"`), http.StatusNotModified)
	r = e.do("GET", "/v1/motions?q=Radwege", "spd", nil)
	if !strings.Contains(string(r.body), id) {
		t.Errorf("own draft not found by search: %s", r.body)
	}
	// Once submitted, everybody sees it; the anonymous history names no persons.
	e.run("spd", id, motion.CmdSubmit, nil, 200)
	r = e.do("GET", "/v1/motions/"+id+"/history", "", nil)
	expect(t, r, http.StatusOK)
	if strings.Contains(string(r.body), "spd-1") || strings.Contains(string(r.body), "Sabine") {
		t.Errorf("anonymous history shows persons: %s", r.body)
	}
	r = e.do("GET", "/v1/motions/"+id+"/history", "office", nil)
	var h struct {
		Items []motion.Event `json:"items"`
	}
	if err := json.Unmarshal(r.body, &h); err != nil || len(h.Items) != 2 {
		t.Fatalf("history: %v %s", err, r.body)
	}
	if h.Items[0].Actor.Subject != "spd-1" || h.Items[0].Data != nil {
		t.Errorf("office sees %+v (draft data must be hidden, actor shown)", h.Items[0])
	}
}

func TestListPaging(t *testing.T) {
	e := newEnv(t, api.Config{})
	for i := range 5 {
		e.draft("Antrag Nummer " + strconv.Itoa(i))
	}
	seen := map[string]bool{}
	path := "/v1/motions?limit=2&kind=motion"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		r := e.do("GET", path, "spd", nil)
		expect(t, r, http.StatusOK)
		body := r.json(t)
		for _, it := range body["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		path = ""
		if link := r.header.Get("Link"); link != "" {
			m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(link)
			if m == nil {
				t.Fatalf("Link %q", link)
			}
			path = m[1]
			if !strings.Contains(path, "kind=motion") || body["next"] == nil {
				t.Errorf("next link %q loses the filter or body has no next", path)
			}
		}
	}
	if len(seen) != 5 {
		t.Errorf("paged through %d motions, want 5", len(seen))
	}
	expect(t, e.do("GET", "/v1/motions?cursor=garbage", "spd", nil), http.StatusBadRequest)
}

func TestDirectory(t *testing.T) {
	e := newEnv(t, api.Config{})
	r := e.do("POST", "/v1/bodies/mannheim/organizations", "office", map[string]any{"id": "bbr-1", "kind": "district_council", "name": "Bezirksbeirat Innenstadt"})
	expect(t, r, http.StatusCreated)
	if r.header.Get("Location") != "/v1/organizations/bbr-1" {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	expect(t, e.do("POST", "/v1/bodies/mannheim/organizations", "spd", map[string]any{"kind": "committee", "name": "X"}), http.StatusForbidden)
	expect(t, e.do("POST", "/v1/bodies/mannheim/organizations", "other", map[string]any{"kind": "committee", "name": "X"}), http.StatusNotFound)
	expect(t, e.do("POST", "/v1/bodies/mannheim/organizations", "office", map[string]any{"id": "bbr-1", "kind": "committee", "name": "X"}), http.StatusConflict)
	r = e.do("PATCH", "/v1/organizations/bbr-1", "office", map[string]any{"short_name": "BBR I"})
	expect(t, r, http.StatusOK)
	if b := r.json(t); b["short_name"] != "BBR I" || b["name"] != "Bezirksbeirat Innenstadt" {
		t.Errorf("patched %v", b)
	}
	r = e.do("GET", "/v1/bodies/mannheim/organizations?kind=faction", "", nil)
	if n := len(r.json(t)["items"].([]any)); n != 2 {
		t.Errorf("%d factions", n)
	}
	r = e.do("POST", "/v1/bodies/mannheim/persons", "office", map[string]any{"id": "p1", "given_name": "Ralf", "family_name": "Eisenhauer"})
	expect(t, r, http.StatusCreated)
	expect(t, e.do("POST", "/v1/organizations/spd/members", "office", map[string]any{"person_id": "p1", "role": "Vorsitzender"}), http.StatusCreated)
	expect(t, e.do("POST", "/v1/organizations/spd/members", "office", map[string]any{"person_id": "nobody"}), http.StatusUnprocessableEntity)
	r = e.do("GET", "/v1/organizations/spd/members", "", nil)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["person"].(map[string]any)["name"] != "Ralf Eisenhauer" {
		t.Errorf("members %v", items)
	}
	// Meetings: create, page, move, cancel, read with agenda.
	for _, d := range []string{"2026-01-20", "2026-02-17", "2026-03-17"} {
		expect(t, e.do("POST", "/v1/bodies/mannheim/meetings", "office", map[string]any{
			"id": "gr-" + d, "organization_id": "gr", "name": "Gemeinderat", "start": d + "T16:00:00+01:00"}), http.StatusCreated)
	}
	expect(t, e.do("POST", "/v1/bodies/mannheim/meetings", "office", map[string]any{
		"organization_id": "spd", "name": "Fraktionssitzung", "start": "2026-01-01T10:00:00Z"}), http.StatusUnprocessableEntity)
	r = e.do("GET", "/v1/bodies/mannheim/meetings?limit=2&from=2026-01-01T00:00:00Z", "", nil)
	expect(t, r, http.StatusOK)
	if n := len(r.json(t)["items"].([]any)); n != 2 || !strings.Contains(r.header.Get("Link"), `rel="next"`) {
		t.Errorf("first page: %d items, Link %q", n, r.header.Get("Link"))
	}
	r = e.do("PATCH", "/v1/meetings/gr-2026-02-17", "office", map[string]any{"start": "2026-02-24T16:00:00+01:00", "cancelled": true})
	expect(t, r, http.StatusOK)
	if b := r.json(t); b["cancelled"] != true || !strings.HasPrefix(b["start"].(string), "2026-02-24") {
		t.Errorf("patched meeting %v", b)
	}
	expect(t, e.do("PATCH", "/v1/meetings/gr-2026-02-17", "spd", map[string]any{"cancelled": false}), http.StatusForbidden)
	r = e.do("GET", "/v1/meetings/gr-2026-01-20", "", nil)
	expect(t, r, http.StatusOK)
	if _, ok := r.json(t)["agenda"]; !ok {
		t.Errorf("meeting without agenda: %s", r.body)
	}
	expect(t, e.do("GET", "/v1/meetings/gr-2026-01-20", "other", nil), http.StatusNotFound)
}

func TestDomainErrorsMapped(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Fehlerfälle")
	for code, status := range map[motion.Code]int{
		motion.CodeNotFound: 404, motion.CodeForbidden: 403, motion.CodeStaleVersion: 412,
		motion.CodeIllegalTransition: 409, motion.CodeInvalid: 422,
	} {
		e.motions.setFail(&motion.Error{Code: code, Message: "nein", Fields: []motion.FieldError{{Field: "title", Message: "kaputt"}}})
		r := e.do("POST", "/v1/motions/"+id+"/submit", "spd", nil, "If-Match", `"1"`)
		expect(t, r, status)
	}
	e.motions.setFail(serviceerror.NewUnavailable("frontend down"))
	r := e.do("POST", "/v1/motions/"+id+"/submit", "spd", nil, "If-Match", `"1"`)
	expect(t, r, http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	e.motions.setFail(errors.New("connection refused"))
	r = e.do("POST", "/v1/motions/"+id+"/submit", "spd", nil, "If-Match", `"1"`)
	expect(t, r, http.StatusInternalServerError)
	if strings.Contains(string(r.body), "connection refused") {
		t.Errorf("internal error leaks: %s", r.body)
	}
	e.motions.setFail(nil)
}

func TestIdempotentCreate(t *testing.T) {
	e := newEnv(t, api.Config{})
	body := map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Einmal anlegen"}
	r1 := e.do("POST", "/v1/motions", "spd", body, "Idempotency-Key", "k1")
	r2 := e.do("POST", "/v1/motions", "spd", body, "Idempotency-Key", "k1")
	expect(t, r1, http.StatusCreated)
	expect(t, r2, http.StatusCreated)
	if r1.header.Get("Location") != r2.header.Get("Location") || r1.header.Get("ETag") != `"1"` || r2.header.Get("ETag") != `"1"` {
		t.Errorf("retry made another motion: %s %s / %s %s", r1.header.Get("Location"), r1.header.Get("ETag"), r2.header.Get("Location"), r2.header.Get("ETag"))
	}
	r3 := e.do("POST", "/v1/motions", "cdu", body, "Idempotency-Key", "k1")
	if r3.header.Get("Location") == r1.header.Get("Location") {
		t.Error("two callers' keys collide")
	}
}

func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestMeetingDatesBindCommands: the API fills the meeting's start into
// schedule and record_result from the directory, so that the domain refuses
// a meeting of an earlier day, a result before its meeting began and a
// result ahead of the advising committee without a reason, and dates the
// decision by the meeting. Dates are relative to now: the rules are.
func TestMeetingDatesBindCommands(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Sitzungen binden Ergebnisse")
	e.run("spd", id, motion.CmdSubmit, nil, 200)
	e.run("office", id, motion.CmdRegister, nil, 200)
	e.run("office", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": "ha"}, {"organization_id": "gr", "decisive": true},
	}}, 200)
	now := time.Now().UTC().Truncate(time.Second)
	meetings := map[string]time.Time{
		"ha-next": now.AddDate(0, 0, 30), "gr-next": now.AddDate(0, 0, 40), "gr-past": now.AddDate(0, 0, -30),
	}
	for mid, start := range meetings {
		org, _, _ := strings.Cut(mid, "-")
		expect(t, e.do("POST", "/v1/bodies/mannheim/meetings", "office", map[string]any{
			"id": mid, "organization_id": org, "name": mid, "start": start.Format(time.RFC3339),
		}), http.StatusCreated)
	}
	wantAt := func(r resp, location, sentence string) {
		t.Helper()
		if !strings.Contains(string(r.body), `"location":"`+location+`"`) || !strings.Contains(string(r.body), sentence) {
			t.Errorf("want %q at %s: %s", sentence, location, r.body)
		}
	}
	r := e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c2", "meeting_id": "gr-past"}, 422)
	wantAt(r, "body.meeting_id", "Die Sitzung hat bereits stattgefunden")
	r = e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": "ha-next"}, 200)
	var m motion.Motion
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	if k := m.Consultation("c1"); k == nil || k.MeetingStart == nil || !k.MeetingStart.Equal(meetings["ha-next"]) {
		t.Errorf("consultation c1 %+v: want the meeting's start kept", k)
	}
	e.run("office", id, motion.CmdSchedule, map[string]any{"consultation_id": "c2", "meeting_id": "gr-next"}, 200)
	r = e.run("office", id, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "recommend_approval"}, 422)
	wantAt(r, "body.consultation_id", "Die Sitzung hat noch nicht stattgefunden")

	// The council's meeting is moved to two days ago (its result is entered
	// afterwards); the committee has still not met.
	held := now.AddDate(0, 0, -2)
	expect(t, e.do("PATCH", "/v1/meetings/gr-next", "office", map[string]any{"start": held.Format(time.RFC3339)}), http.StatusOK)
	adopt := map[string]any{"consultation_id": "c2", "result": "adopted", "vote": map[string]any{"yes": 30, "no": 10, "abstain": 0}}
	r = e.run("office", id, motion.CmdRecordResult, adopt, 422)
	wantAt(r, "body.override", "Das vorberatende Gremium ha hat den Antrag noch nicht beraten")
	adopt["override"] = "Eilentscheidung wegen der Förderfrist."
	r = e.run("office", id, motion.CmdRecordResult, adopt, 200)
	m = motion.Motion{}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Status != motion.StatusDecided || m.DecidedAt == nil || !m.DecidedAt.Equal(held) {
		t.Errorf("status %s decided at %v, want decided at the meeting's start %v", m.Status, m.DecidedAt, held)
	}
	if k := m.Consultation("c1"); k == nil || k.Status != motion.ConsultationSkipped || k.Skipped == nil || k.Skipped.Reason != adopt["override"] {
		t.Errorf("committee's step %+v: want it kept as skipped with the reason", k)
	}
}
