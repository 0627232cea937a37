package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestBadInputChangesNothing: broken JSON, an unknown kind or a too long
// title are refused with a problem that names the field, and leave the motion
// as it was (same version, no event); a body over the limit is 413.
func TestBadInputChangesNothing(t *testing.T) {
	h := newHarness(t, api.Config{MaxBodyBytes: 64 << 10})
	m := h.create(h.SPD, motion.KindMotion, draftContent("Solide Eingaben"))

	cases := []struct {
		name     string
		path     string
		body     any
		status   int
		location string
	}{
		{"invalid JSON on create", "/v1/motions", `{"body_id": "mannheim", "kind": "motion", "title": `, 400, "body"},
		{"unknown kind", "/v1/motions", map[string]any{"body_id": bodyID, "kind": "petition", "title": "Eine Bitte"}, 422, "body.kind"},
		{"too long title on create", "/v1/motions", map[string]any{"body_id": bodyID, "kind": "motion", "title": strings.Repeat("Titel ", 51)}, 422, "body.title"},
		{"invalid JSON on edit", "/v1/motions/" + m.ID + "/edit", `{"title": "Solide`, 400, "body"},
		{"too long title on edit", "/v1/motions/" + m.ID + "/edit", map[string]any{"title": strings.Repeat("x", motion.MaxTitle+1)}, 422, "body.title"},
		{"wrong type", "/v1/motions/" + m.ID + "/edit", map[string]any{"title": "Solide Eingaben", "tags": "kein Array"}, 422, "body.tags"},
		{"unknown field", "/v1/motions/" + m.ID + "/edit", map[string]any{"title": "Solide Eingaben", "status": "decided"}, 422, "body.status"},
		{"empty resolution point (domain)", "/v1/motions/" + m.ID + "/edit", map[string]any{"title": "Solide Eingaben", "resolution_points": []string{"ok", " "}}, 422, "body.resolution_points[1]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.mustStatus(h.call("POST", c.path, h.SPD, c.body, "If-Match", `"1"`), c.status)
			if locs := h.locations(r); !slices.Contains(locs, c.location) {
				t.Errorf("problem names %v, want %s: %s", locs, c.location, r.Body)
			}
		})
	}

	// A draft without resolution points cannot be submitted: the domain names the field.
	empty := h.create(h.SPD, motion.KindMotion, map[string]any{"title": "Noch leer"})
	r := h.mustStatus(h.command(h.SPD, empty.ID, motion.CmdSubmit, 1, nil), 422)
	if locs := h.locations(r); !slices.Contains(locs, "body.resolution_points") {
		t.Errorf("submit refusal names %v: %s", locs, r.Body)
	}

	// Over the limit: 413, also when the client does not announce the length.
	huge := map[string]any{"title": "Solide Eingaben", "justification": strings.Repeat("Begründung. ", 8000)}
	h.mustStatus(h.command(h.SPD, m.ID, motion.CmdEdit, 1, huge), http.StatusRequestEntityTooLarge)
	body, _ := json.Marshal(huge)
	req, _ := http.NewRequest("POST", h.URL+"/v1/motions/"+m.ID+"/edit", &chunked{data: body})
	req.Header.Set("Authorization", "Bearer "+h.SPD.token)
	req.Header.Set("If-Match", `"1"`)
	req.Header.Set("Content-Type", "application/json")
	res, err := h.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("chunked oversized body: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	for _, x := range []motionView{m, empty} {
		if got := h.get(h.SPD, x.ID); got.Version != 1 || got.Title != x.Title {
			t.Errorf("motion %q changed: version %d, title %q", x.Title, got.Version, got.Title)
		}
		if evs := h.history(h.SPD, x.ID); len(evs) != 1 {
			t.Errorf("motion %q has %d events", x.Title, len(evs))
		}
	}
	if items, _ := h.list(h.SPD, ""); len(items) != 2 {
		t.Errorf("refused creates made motions: %d listed", len(items))
	}
}

// chunked is a body of unknown length (sent with chunked transfer encoding).
type chunked struct {
	data []byte
	off  int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.off >= len(c.data) {
		return 0, io.EOF
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

// TestOpenAPIAndDocs: /openapi.json is OpenAPI 3.1 and lists every command;
// /docs is an HTML page whose scripts and styles come from this server.
func TestOpenAPIAndDocs(t *testing.T) {
	h := newHarness(t, api.Config{})
	r := h.mustStatus(h.call("GET", "/openapi.json", h.Anon, nil), 200)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Info    struct{ Title string }    `json:"info"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	h.decode(r, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") || doc.Info.Title != "motionflow API" {
		t.Errorf("openapi %q, title %q", doc.OpenAPI, doc.Info.Title)
	}
	for _, c := range motion.Commands {
		if c == motion.CmdCreate {
			if _, ok := doc.Paths["/v1/motions"]["post"]; !ok {
				t.Error("create is not documented")
			}
			continue
		}
		if c == motion.CmdEnterSubmission {
			if _, ok := doc.Paths["/v1/submissions"]["post"]; !ok {
				t.Error("enter_submission is not documented")
			}
			continue
		}
		path := "/v1/motions/{id}/" + strings.ReplaceAll(string(c), "_", "-")
		if _, ok := doc.Paths[path]["post"]; !ok {
			t.Errorf("%s is not documented at %s", c, path)
		}
	}

	page := h.mustStatus(h.call("GET", "/docs", h.Anon, nil), 200)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("/docs is %q", ct)
	}
	html := string(page.Body)
	if regexp.MustCompile(`(?i)(src|href)\s*=\s*["'](https?:)?//`).MatchString(html) {
		t.Errorf("/docs loads something from another host:\n%s", html)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(html, -1)
	var scripts, styles int
	for _, m := range refs {
		a := h.call("GET", m[1], h.Anon, nil)
		if a.Status != 200 || len(a.Body) == 0 {
			t.Errorf("%s: %d", m[1], a.Status)
			continue
		}
		switch ct := a.Header.Get("Content-Type"); {
		case strings.Contains(ct, "javascript"):
			scripts++
		case strings.HasPrefix(ct, "text/css"):
			styles++
		}
	}
	if scripts < 1 || styles < 1 {
		t.Errorf("/docs loads %d scripts and %d styles from this server: %v", scripts, styles, refs)
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	h.mustStatus(h.call("GET", "/healthz", h.Anon, nil), 200)
	h.mustStatus(h.call("GET", "/readyz", h.Anon, nil), 200)
}
