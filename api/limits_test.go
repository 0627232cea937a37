package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestFieldLimits: with the default configuration, every text field of a
// create and of the commands one character (or item) over its documented
// limit is refused with 422 naming the field, and the same field at its limit
// is accepted.
func TestFieldLimits(t *testing.T) {
	e := newEnv(t, api.Config{})
	long := func(n int) string { return strings.Repeat("ä", n) } // runes, not bytes, count
	list := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	base := func() map[string]any {
		return map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Bänke", "resolution_points": []string{"Aufstellen."}}
	}
	cases := []struct {
		field    string
		ok, over any
	}{
		{"title", long(motion.MaxTitle), long(motion.MaxTitle + 1)},
		{"justification", long(motion.MaxJustification), long(motion.MaxJustification + 1)},
		{"resolution_points", list(motion.MaxResolutionPoints, "P"), list(motion.MaxResolutionPoints+1, "P")},
		{"resolution_points[0]", []string{long(motion.MaxPoint)}, []string{long(motion.MaxPoint + 1)}},
		{"tags", list(motion.MaxTags, "t"), list(motion.MaxTags+1, "t")},
		{"tags[0]", []string{long(motion.MaxTag)}, []string{long(motion.MaxTag + 1)}},
		{"budget_cycle", long(motion.MaxShort), long(motion.MaxShort + 1)},
		{"signatories", list(motion.MaxSignatories, "S"), list(motion.MaxSignatories+1, "S")},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			field, _, _ := strings.Cut(c.field, "[")
			b := base()
			b[field] = c.over
			r := e.do("POST", "/v1/motions", "spd", b)
			expect(t, r, http.StatusUnprocessableEntity)
			if !strings.Contains(string(r.body), `"location":"body.`+c.field) {
				t.Errorf("422 does not name body.%s: %.300s", c.field, r.body)
			}
			b[field] = c.ok
			expect(t, e.do("POST", "/v1/motions", "spd", b), http.StatusCreated)
		})
	}

	// Command bodies: reason, text and note limits.
	id := e.draft("Grenzen")
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	for _, c := range []struct {
		cmd   motion.CommandName
		token string
		field string
		max   int
	}{
		{motion.CmdDeclareInadmissible, "office", "reason", 5000},
		{motion.CmdSetDeadline, "office", "reason", 5000},
	} {
		body := map[string]any{c.field: long(c.max + 1)}
		if c.cmd == motion.CmdSetDeadline {
			body["key"], body["due"] = "agenda_placement", "2026-06-30T18:00:00+02:00"
		}
		r := e.run(c.token, id, c.cmd, body, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.body), `"location":"body.`+c.field) {
			t.Errorf("%s: 422 does not name body.%s: %.300s", c.cmd, c.field, r.body)
		}
	}
	e.run("office", id, motion.CmdRegister, nil, http.StatusOK)
	r := e.run("verw", id, motion.CmdRecordStatement, map[string]any{"text": long(100001)}, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), `"location":"body.text"`) {
		t.Errorf("record-statement: 422 does not name body.text: %.300s", r.body)
	}
	if m, _ := e.motions.State(t.Context(), id); m.Version != 3 {
		t.Errorf("refused commands changed the motion: version %d", m.Version)
	}
}

// TestBodySizeLimit: with the default limit (1 MiB) a larger body is 413,
// whether its length is declared or it comes chunked, on a create and on a
// command; a body just under the limit gets past the size check.
func TestBodySizeLimit(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Groß")
	pad := func(n int) []byte {
		// A valid JSON document of exactly n bytes.
		prefix := `{"body_id":"mannheim","kind":"motion","title":"Groß","justification":"`
		return []byte(prefix + strings.Repeat("x", n-len(prefix)-2) + `"}`)
	}
	send := func(path string, body []byte, chunked bool) int {
		var rd io.Reader = bytes.NewReader(body)
		if chunked {
			rd = io.MultiReader(rd) // unknown length: sent chunked
		}
		req, _ := http.NewRequest("POST", e.srv.URL+path, rd)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer spd")
		req.Header.Set("If-Match", `"1"`)
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d is not a problem: %s", path, res.StatusCode, b)
		}
		return res.StatusCode
	}
	over := pad(api.DefaultMaxBodyBytes + 1)
	for _, path := range []string{"/v1/motions", "/v1/motions/" + id + "/edit"} {
		for _, chunked := range []bool{false, true} {
			if got := send(path, over, chunked); got != http.StatusRequestEntityTooLarge {
				t.Errorf("%s (chunked %v): %d bytes answered %d, want 413", path, chunked, len(over), got)
			}
		}
	}
	// At the limit the size passes; the justification's own limit (100,000
	// characters) then refuses it with 422.
	if got := send("/v1/motions", pad(api.DefaultMaxBodyBytes), true); got != http.StatusUnprocessableEntity {
		t.Errorf("a body of exactly the limit answered %d, want 422 from the field limit", got)
	}
}
