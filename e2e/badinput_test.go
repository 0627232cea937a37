package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/feeds"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/web"
	"github.com/motionflow/motionflow/workflows"
)

// badValue is one kind of value a client should not send, written as it
// goes into a URL (percent-encoded where needed).
type badValue struct {
	name string
	raw  string
}

// badValues are sent in every path and query parameter. The last one is
// just short enough to pass the edge, so that it reaches the handlers and
// PostgreSQL.
var badValues = []badValue{
	{"NUL (%00)", "a%00b"},
	{"invalid UTF-8 (%ff)", "a%ffb"},
	{"10,000 characters", strings.Repeat("x", 10_000)},
	{"1,999 characters (passes the edge)", strings.Repeat("x", 1_999)},
}

// route is one operation of a surface: its method and path with
// {placeholders}, and the query parameters it reads.
type route struct {
	surface string // "API", "Web", "OParl", "Atom"
	method  string
	path    string
	query   []string
	body    bool // the operation reads a JSON body
}

// webRoutes are the web pages' routes (web.New) with the query parameters
// they read.
var webRoutes = []route{
	{"Web", "GET", "/", []string{"ok"}, false},
	{"Web", "GET", "/antraege", []string{"q", "status", "kind", "fraktion", "schlagwort", "von", "bis", "weiter", "ok"}, false},
	{"Web", "GET", "/antraege/neu", nil, false},
	{"Web", "POST", "/antraege/neu", nil, false},
	{"Web", "GET", "/antraege/{id}", []string{"ok"}, false},
	{"Web", "GET", "/antraege/{id}/bearbeiten", nil, false},
	{"Web", "POST", "/antraege/{id}/bearbeiten", nil, false},
	{"Web", "GET", "/antraege/{id}/druck", nil, false},
	{"Web", "POST", "/antraege/{id}/aktionen/{cmd}", nil, false},
	{"Web", "GET", "/anhaenge/{id}", nil, false},
	{"Web", "GET", "/sitzungen", []string{"gremium", "ab", "weiter"}, false},
	{"Web", "POST", "/sitzungen", nil, false},
	{"Web", "GET", "/sitzungen/{id}", nil, false},
	{"Web", "POST", "/sitzungen/{id}", nil, false},
	{"Web", "GET", "/sitzungen/{id}/sitzung", nil, false},
	{"Web", "POST", "/sitzungen/{id}/sitzung", nil, false},
	{"Web", "GET", "/sitzungen/{id}/live", nil, false},
	{"Web", "GET", "/sitzungen/{id}/live/events", nil, false},
	{"Web", "GET", "/gremien", nil, false},
	{"Web", "POST", "/gremien", nil, false},
	{"Web", "POST", "/gremien/koerperschaft", nil, false},
	{"Web", "GET", notify.WatchConfirmationPath, []string{"token"}, false},
	{"Web", "GET", "/static/{file}", nil, false},
}

// oparlRoutes are OParl's routes (oparl.New); every list reads the same
// filters.
var oparlRoutes = func() []route {
	list := []string{"created_since", "created_until", "modified_since", "modified_until", "omit_internal", "elementsPerPage", "after"}
	rs := []route{
		{"OParl", "GET", "/oparl/v1/system", nil, false},
		{"OParl", "GET", "/oparl/v1/bodies", list, false},
		{"OParl", "GET", "/oparl/v1/body/{body}", nil, false},
	}
	for _, l := range []string{"organizations", "persons", "memberships", "meetings", "agendaitems", "papers", "consultations", "files", "legislativeterms", "locations"} {
		rs = append(rs, route{"OParl", "GET", "/oparl/v1/body/{body}/" + l, list, false})
	}
	for _, o := range []string{"organization/{id}", "person/{id}", "membership/{id}", "meeting/{id}", "agendaitem/{meeting}/{motion}/{consultation}",
		"paper/{id}", "consultation/{motion}/{consultation}", "file/{motion}/{position}", "file/meeting/{meeting}/{kind}", "legislativeterm/{id}", "location/{id}",
		"agendaitem/{id}", "consultation/{id}", "file/{id}"} { // the last three: imported history (importer)
		rs = append(rs, route{"OParl", "GET", "/oparl/v1/" + o, nil, false})
	}
	return rs
}()

// atomRoutes are the Atom feeds (feeds.Handler).
var atomRoutes = []route{
	{"Atom", "GET", "/feeds/atom/factions/{file}", nil, false},
	{"Atom", "GET", "/feeds/atom/tags/{file}", []string{"body"}, false},
}

// TestBadInputNeverAnswers5xx sends NUL, invalid UTF-8, 10,000 and 1,999
// characters in every path and query parameter of every OpenAPI operation
// and of the web pages, OParl and the Atom feeds, anonymously and with a
// token, and a JSON body with invalid UTF-8 to every operation that reads
// one. Nothing may answer 5xx or log at ERROR level; every error of the API,
// OParl and the feeds is a valid problem+json that does not repeat the
// value, every error page of the web is HTML. Run with -v for the table in
// docs/RELIABILITY.md.
func TestBadInputNeverAnswers5xx(t *testing.T) {
	h := newHarness(t, api.Config{})
	s := newBadInputSite(t, h)

	// Real values for the placeholders that are not under test, so that the
	// values under test reach as far as they can.
	m := h.create(h.SPD, motion.KindMotion, map[string]any{"title": "Bänke am Rhein", "resolution_points": []string{"Aufstellen."}, "tags": []string{"verkehr"}})
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	good := map[string]string{
		"body": bodyID, "motion": m.ID, "consultation": "unbekannt", "meeting": "unbekannt", "position": "0",
		"cmd": "einreichen", "file": "style.css", "kind": "invitation",
	}
	idFor := func(path string) string {
		switch {
		case strings.Contains(path, "/motions/{id}"), strings.HasPrefix(path, "/antraege/{id}"), strings.HasPrefix(path, "/oparl/v1/paper/"):
			return m.ID
		case strings.HasPrefix(path, "/v1/organizations/{id}"), strings.HasPrefix(path, "/oparl/v1/organization/"):
			return council
		}
		return "unbekannt"
	}

	routes := append(openAPIRoutes(t, s.URL), webRoutes...)
	routes = append(routes, oparlRoutes...)
	routes = append(routes, atomRoutes...)

	type key struct{ surface, where, value string }
	type outcome struct {
		statuses map[int]int
		shapes   map[string]bool
	}
	table := map[key]*outcome{}
	record := func(k key, status int, shape string) {
		o := table[k]
		if o == nil {
			o = &outcome{statuses: map[int]int{}, shapes: map[string]bool{}}
			table[k] = o
		}
		o.statuses[status]++
		o.shapes[shape] = true
	}
	placeholder := regexp.MustCompile(`\{([^}]+)\}`)
	fill := func(r route, param, value string) string {
		return placeholder.ReplaceAllStringFunc(r.path, func(ph string) string {
			name := ph[1 : len(ph)-1]
			v := good[name]
			if name == "id" {
				v = idFor(r.path)
			}
			if name == param {
				v = value
			}
			if name == "file" && r.surface == "Atom" {
				v += ".xml"
			}
			return v
		})
	}

	users := []user{h.Anon, h.Office}
	requests := 0
	for _, r := range routes {
		params := placeholder.FindAllStringSubmatch(r.path, -1)
		for _, v := range badValues {
			for _, u := range users {
				for _, p := range params {
					target := fill(r, p[1], v.raw)
					res := s.send(t, r, target, u, nil)
					requests++
					record(key{r.surface, "path", v.name}, res.status, s.check(t, r, res, v))
				}
				for _, q := range r.query {
					target := fill(r, "", "") + "?" + q + "=" + v.raw
					res := s.send(t, r, target, u, nil)
					requests++
					record(key{r.surface, "query", v.name}, res.status, s.check(t, r, res, v))
				}
			}
		}
		if r.body {
			for _, u := range users {
				res := s.send(t, r, fill(r, "", ""), u, []byte("{\"title\":\"B\xe4nke\",\"name\":\"a\xffb\"}"))
				requests++
				record(key{r.surface, "JSON body", "invalid UTF-8 in a string"}, res.status, s.check(t, r, res, badValue{raw: "\xe4"}))
			}
		}
	}
	if logs := s.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("logged at ERROR level:\n%s", logs)
	}

	// The table for docs/RELIABILITY.md.
	keys := make([]key, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	order := map[string]int{"API": 0, "Web": 1, "OParl": 2, "Atom": 3}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.surface != b.surface {
			return order[a.surface] < order[b.surface]
		}
		if a.where != b.where {
			return a.where < b.where
		}
		return slices.IndexFunc(badValues, func(v badValue) bool { return v.name == a.value }) <
			slices.IndexFunc(badValues, func(v badValue) bool { return v.name == b.value })
	})
	var out strings.Builder
	perSurface := map[string]int{}
	for _, r := range routes {
		perSurface[r.surface]++
	}
	fmt.Fprintf(&out, "%d requests to %d API operations, %d web, %d OParl and %d Atom routes\n\n| where | sent | answers (status × count) | shape |\n|---|---|---|---|\n", requests,
		perSurface["API"], perSurface["Web"], perSurface["OParl"], perSurface["Atom"])
	for _, k := range keys {
		o := table[k]
		var st []string
		codes := make([]int, 0, len(o.statuses))
		for c := range o.statuses {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		for _, c := range codes {
			st = append(st, fmt.Sprintf("%d × %d", c, o.statuses[c]))
		}
		shapes := make([]string, 0, len(o.shapes))
		for sh := range o.shapes {
			shapes = append(shapes, sh)
		}
		sort.Strings(shapes)
		fmt.Fprintf(&out, "| %s %s | %s | %s | %s |\n", k.surface, k.where, k.value, strings.Join(st, ", "), strings.Join(shapes, "; "))
	}
	t.Logf("bad input:\n%s", out.String())
}

// badInputSite is the API, the web pages, OParl and the Atom feeds on one
// server, as cmd/motionflow mounts them, with their logs captured.
type badInputSite struct {
	URL  string
	logs *syncBuffer
	c    *http.Client
}

func newBadInputSite(t *testing.T, h *harness) *badInputSite {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	verifier, err := auth.NewVerifier(t.Context(), h.Issuer.Config())
	if err != nil {
		t.Fatal(err)
	}
	apiH, _ := api.New(api.Config{RequestTimeout: time.Minute}, api.Deps{
		Motions: &workflows.Client{Temporal: h.Temporal}, Auth: verifier, Store: h.Store, Logger: logger,
	})
	mux := http.NewServeMux()
	for _, p := range []string{"/v1/", "/docs", "/docs/", "/openapi.json", "/openapi.yaml", "/healthz", "/readyz", "/feeds/"} {
		mux.Handle(p, apiH)
	}
	mux.Handle(oparl.Prefix, oparl.New(oparl.Config{}, h.Store))
	mux.Handle(feeds.Prefix, feeds.Handler(feeds.Config{}, h.Store))
	pages := web.New(web.Config{}, web.Deps{Motions: &workflows.Client{Temporal: h.Temporal}, Store: h.Store, Logger: logger})
	// The pages take the caller from the context, where the session
	// middleware puts it; here a bearer token stands in for the session.
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			a, err := verifier.Verify(r.Context(), tok)
			if err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			r = r.WithContext(auth.WithActor(r.Context(), a))
		}
		pages.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("site log:\n%s", logs.String())
		}
	})
	return &badInputSite{URL: srv.URL, logs: logs, c: srv.Client()}
}

type badInputResponse struct {
	status int
	header http.Header
	body   []byte
	req    string
}

// send sends one request of r as u; target is the path and query, raw.
func (s *badInputSite) send(t *testing.T, r route, target string, u user, body []byte) badInputResponse {
	t.Helper()
	var rd io.Reader
	if body == nil && r.body {
		body = []byte("{}")
	}
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(r.method, s.URL+target, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, target, err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	if r.method == http.MethodPost && r.surface == "API" {
		req.Header.Set("If-Match", `"1"`)
	}
	res, err := s.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	short := target
	if len(short) > 120 {
		short = short[:120] + "…"
	}
	return badInputResponse{status: res.StatusCode, header: res.Header, body: b, req: r.method + " " + short}
}

// check fails the test for a 5xx, an error of the API, OParl or the feeds
// that is not a problem (or repeats the value), an error page of the web
// that is not HTML; it returns the shape of the answer for the table.
func (s *badInputSite) check(t *testing.T, r route, res badInputResponse, v badValue) string {
	t.Helper()
	if res.status >= 500 {
		t.Errorf("%s → %d %s", res.req, res.status, res.body)
	}
	if res.status < 400 {
		return "success"
	}
	ct := res.header.Get("Content-Type")
	if r.surface == "Web" && strings.HasPrefix(r.path, "/static/") && !strings.HasPrefix(ct, "text/html") {
		return "the file server's 404 (an asset)"
	}
	if r.surface == "Web" {
		if !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s → %d %q, not an HTML page", res.req, res.status, ct)
		}
		return "HTML error page"
	}
	var p struct {
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
		Errors []struct {
			Location string `json:"location"`
			Message  string `json:"message"`
		} `json:"errors"`
	}
	if ct != "application/problem+json" {
		t.Errorf("%s → %d %q, not a problem: %s", res.req, res.status, ct, res.body)
		return ct
	}
	if err := json.Unmarshal(res.body, &p); err != nil || p.Status != res.status || p.Title == "" {
		t.Errorf("%s → %d, invalid problem (%v): %s", res.req, res.status, err, res.body)
		return "invalid problem"
	}
	if len(v.raw) > 100 && bytes.Contains(res.body, []byte(v.raw[:100])) {
		t.Errorf("%s → %d repeats the value", res.req, res.status)
	}
	locs := map[string]bool{}
	for _, e := range p.Errors {
		l := e.Location
		if i := strings.IndexByte(l, '.'); i > 0 {
			l = l[:i] + ".<name>"
		}
		locs[l] = true
	}
	shape := "problem+json"
	if len(locs) > 0 {
		names := make([]string, 0, len(locs))
		for l := range locs {
			names = append(names, l)
		}
		sort.Strings(names)
		shape += " naming " + strings.Join(names, ", ")
	}
	return shape
}

// openAPIRoutes reads every operation of the API's OpenAPI document with
// its path and query parameters.
func openAPIRoutes(t *testing.T, base string) []route {
	t.Helper()
	res, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
			RequestBody any `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var out []route
	for path, ops := range doc.Paths {
		for method, op := range ops {
			r := route{surface: "API", method: strings.ToUpper(method), path: path, body: op.RequestBody != nil}
			for _, p := range op.Parameters {
				if p.In == "query" {
					r.query = append(r.query, p.Name)
				}
			}
			out = append(out, r)
		}
	}
	if len(out) < 40 {
		t.Fatalf("only %d operations in /openapi.json", len(out))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return out
}
