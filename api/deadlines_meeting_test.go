package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestMeetingDeadlineRules: the rules of a meeting's own deadlines
// (invitation, publication of the decisions, minutes) are part of a body's
// deadline rules: 7 days, 7 days and one month by default, changed and
// refused like the others, and off when a PUT leaves them out.
func TestMeetingDeadlineRules(t *testing.T) {
	w := newWorld(t)
	got := w.do("GET", "/v1/bodies/mannheim/deadline-rules", "", nil).json(t)
	if got["invitation_due"] != "7d" || got["decisions_published"] != "7d" || got["minutes_due_months"] != float64(1) {
		t.Fatalf("default meeting rules: invitation_due %v, decisions_published %v, minutes_due_months %v",
			got["invitation_due"], got["decisions_published"], got["minutes_due_months"])
	}
	rules := map[string]any{}
	for k, v := range got {
		if k != "version" && k != "$schema" {
			rules[k] = v
		}
	}

	for _, c := range []struct {
		field string
		value any
	}{
		{"invitation_due", "-1d"},
		{"decisions_published", "eine Woche"},
		{"minutes_due_months", 13},
	} {
		r := w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "admin", withField(rules, c.field, c.value))
		expect(t, r, http.StatusUnprocessableEntity)
		var p struct {
			Errors []struct {
				Location string `json:"location"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != 1 || p.Errors[0].Location != "body."+c.field {
			t.Errorf("%s = %v: want one error at body.%s, got %s", c.field, c.value, c.field, r.body)
		}
	}

	r := w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "admin", withField(rules, "invitation_due", "10d"))
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["invitation_due"] != "10d" || got["minutes_due_months"] != float64(1) {
		t.Errorf("stored %v, want invitation_due 10d and the minutes' month kept", got)
	}

	off := map[string]any{}
	for k, v := range rules {
		if k != "invitation_due" && k != "decisions_published" && k != "minutes_due_months" {
			off[k] = v
		}
	}
	expect(t, w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "admin", off), http.StatusOK)
	got = w.do("GET", "/v1/bodies/mannheim/deadline-rules", "", nil).json(t)
	for _, f := range []string{"invitation_due", "decisions_published", "minutes_due_months"} {
		if v, ok := got[f]; ok {
			t.Errorf("%s = %v after a PUT without it, want it off (absent)", f, v)
		}
	}
}
