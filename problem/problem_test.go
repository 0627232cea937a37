package problem_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
	"go.temporal.io/api/serviceerror"
)

// TestFromMapsEveryErrorOnce: the same error gives the same status and a
// German problem that does not repeat the database's message.
func TestFromMapsEveryErrorOnce(t *testing.T) {
	pgMessage := "ERROR: invalid byte sequence for encoding \"UTF8\": 0x00 (SQLSTATE 22021)"
	cases := []struct {
		err    error
		status int
	}{
		{&motion.Error{Code: motion.CodeNotFound, Message: "Antrag nicht gefunden."}, 404},
		{&motion.Error{Code: motion.CodeForbidden, Message: "Nein."}, 403},
		{&motion.Error{Code: motion.CodeStaleVersion, Message: "Veraltet."}, 412},
		{&motion.Error{Code: motion.CodeIllegalTransition, Message: "Nicht jetzt."}, 409},
		{&motion.Error{Code: motion.CodeInvalid, Message: "Ungültig."}, 422},
		{fmt.Errorf("lookup: %w", store.ErrNotFound), 404},
		{fmt.Errorf("%w: %s", store.ErrConflict, pgMessage), 409},
		{fmt.Errorf("%w: %s", store.ErrInvalid, pgMessage), 422},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), 504},
		{context.Canceled, 499},
		{serviceerror.NewUnavailable("frontend down"), 503},
		{errors.New("kaputt: " + pgMessage), 500},
		{problem.New(http.StatusTeapot, "Tee."), http.StatusTeapot},
	}
	for _, c := range cases {
		p := problem.From(c.err)
		if p.Status != c.status {
			t.Errorf("%v: status %d, want %d", c.err, p.Status, c.status)
		}
		if strings.Contains(p.Detail, "SQLSTATE") || strings.Contains(p.Detail, "kaputt") || strings.Contains(p.Detail, "frontend") {
			t.Errorf("%v: detail %q repeats the cause", c.err, p.Detail)
		}
		if p.Title == "" || p.Title == http.StatusText(p.Status) {
			t.Errorf("%v: title %q is not German", c.err, p.Title)
		}
	}
	if got := problem.From(serviceerror.NewUnavailable("x")).GetHeaders().Get("Retry-After"); got == "" {
		t.Error("503 without Retry-After")
	}
}

// TestFromNamesTheDomainsFields: a refusal's fields are body locations.
func TestFromNamesTheDomainsFields(t *testing.T) {
	p := problem.From(&motion.Error{Code: motion.CodeInvalid, Message: "Die Angaben sind ungültig.",
		Fields: []motion.FieldError{{Field: "title", Message: "fehlt"}}})
	if len(p.Errors) != 1 || p.Errors[0].Location != "body.title" || p.Errors[0].Message != "fehlt" {
		t.Errorf("fields %+v", p.Errors)
	}
}

// TestWriteIsAProblem: the body is valid JSON even for details with quotes,
// control characters and non-ASCII, with the problem media type and nosniff.
func TestWriteIsAProblem(t *testing.T) {
	rec := httptest.NewRecorder()
	problem.Write(rec, problem.New(http.StatusNotFound, "Kein „Feed“ \"hier\"\x00.").WithHeader("Allow", "GET"))
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/problem+json" ||
		rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Allow") != "GET" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, rec.Body)
	}
	if got["title"] != "Nicht gefunden" || got["status"] != float64(404) || got["detail"] != "Kein „Feed“ \"hier\"\x00." {
		t.Errorf("problem %v", got)
	}
}

// TestGuardRefusesBadURLValues: NUL, other control characters, invalid
// UTF-8 and overlong values in the path are 404, in the query 400, and the
// problem names the parameter but not the value; good URLs pass.
func TestGuardRefusesBadURLValues(t *testing.T) {
	reached := false
	h := problem.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }), nil)
	long := strings.Repeat("x", problem.MaxValueBytes+1)
	cases := []struct {
		target   string
		status   int
		location string
	}{
		{"/v1/motions/a%00b", 404, "path"},
		{"/v1/motions/a%ffb", 404, "path"},
		{"/v1/motions/a%0Ab", 404, "path"},
		{"/v1/motions/a%C2%85b", 404, "path"}, // NEL, a C1 control
		{"/v1/motions/" + long, 404, "path"},
		{"/v1/motions?q=a%00b", 400, "query.q"},
		{"/v1/motions?q=a%ffb", 400, "query.q"},
		{"/v1/motions?q=a%7Fb", 400, "query.q"},
		{"/v1/motions?tag=" + long, 400, "query.tag"},
		{"/v1/motions?a%00=1", 400, "query"},
		{"/v1/motions?q=%zz", 400, "query"},
		{"/v1/motions?q=Radwege%20in%20M%C3%BCnchen&tag=verkehr", 0, ""},
		{"/antraege/0193a1b2-0000-7000-8000-000000000001?ok=edit", 0, ""},
	}
	for _, c := range cases {
		reached = false
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.target, nil))
		if c.status == 0 {
			if !reached {
				t.Errorf("%s refused: %s", c.target, rec.Body)
			}
			continue
		}
		if reached || rec.Code != c.status {
			t.Errorf("%s: %d (reached %v), want %d", c.target, rec.Code, reached, c.status)
			continue
		}
		var p problem.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		if len(p.Errors) != 1 || p.Errors[0].Location != c.location {
			t.Errorf("%s: errors %+v, want location %s", c.target, p.Errors, c.location)
		}
		if rec.Body.Len() > 600 || strings.Contains(rec.Body.String(), "xxxx") {
			t.Errorf("%s: problem repeats the value: %s", c.target, rec.Body)
		}
	}
}
