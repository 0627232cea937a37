package api_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// councillorEnv is the API with twelve current members of the Mannheim
// Gemeinderat (rat00 … rat11, persons "rat00" …) who can log in as
// councillors, a former member who still has a token, and two departments.
func councillorEnv(t *testing.T) *env {
	t.Helper()
	auth := maps.Clone(actors)
	for i := range 13 {
		id := fmt.Sprintf("rat%02d", i)
		auth[id] = motion.Actor{Issuer: "test", Subject: id, Name: "Token-Name " + id,
			Roles: []motion.Role{motion.RoleCouncillor}, Person: id, Bodies: []string{"mannheim"}}
	}
	e := newEnv(t, api.Config{}, func(d *api.Deps) { d.Auth = auth })
	ctx := context.Background()
	for i := range 13 {
		id := fmt.Sprintf("rat%02d", i)
		if _, err := e.store.CreatePerson(ctx, store.Person{ID: id, BodyID: "mannheim", Name: "Ratsmitglied " + id}); err != nil {
			t.Fatal(err)
		}
		ms := store.Membership{PersonID: id, OrganizationID: "gr", Role: "Mitglied"}
		if i == 12 { // rat12 left the council in 2001
			from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, motion.Berlin), time.Date(2001, 1, 1, 0, 0, 0, 0, motion.Berlin)
			ms.Start, ms.End = &from, &to
		}
		if _, err := e.store.AddMembership(ctx, ms); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []store.Organization{
		{ID: "dez1", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat I"},
		{ID: "dez2", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat II"},
	} {
		if _, err := e.store.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// fieldMessage returns the message of the 422 at location ("" if none).
func fieldMessage(t *testing.T, r resp, location string) string {
	t.Helper()
	errs, _ := r.json(t)["errors"].([]any)
	for _, x := range errs {
		e, _ := x.(map[string]any)
		if e["location"] == location {
			return fmt.Sprint(e["message"])
		}
	}
	return ""
}

// TestCouncillorsMotion: a councillor creates a motion of councillors; the
// server fills in the quorum (one sixth of the council's twelve members: 2;
// an inquiry: 1), takes the signers' names from the directory, refuses
// signers who are no current members of the council, and the motion can
// be submitted once enough have signed.
func TestCouncillorsMotion(t *testing.T) {
	e := councillorEnv(t)
	body := func(kind string, signers ...string) map[string]any {
		b := map[string]any{"body_id": "mannheim", "kind": kind, "title": "Sitzbänke am Neckarufer",
			"resolution_points": []string{"Die Verwaltung stellt zehn Bänke auf."}}
		var ss []map[string]any
		for _, s := range signers {
			ss = append(ss, map[string]any{"person_id": s, "name": "Falscher Name"})
		}
		if ss != nil {
			b["signers"] = ss
		}
		return b
	}

	r := e.do("POST", "/v1/motions", "rat00", body("motion", "rat01", "rat02"))
	expect(t, r, http.StatusCreated)
	m := r.json(t)
	id := m["id"].(string)
	if m["quorum"] != 2.0 {
		t.Errorf("quorum %v, want 2 (one sixth of 12)", m["quorum"])
	}
	if o, _ := m["originator"].(map[string]any); o["kind"] != "councillors" {
		t.Errorf("originator %v", m["originator"])
	}
	if m["faction"] != "" {
		t.Errorf("faction %v, want none", m["faction"])
	}
	signers, _ := m["signers"].([]any)
	var names []string
	for _, s := range signers {
		s := s.(map[string]any)
		names = append(names, fmt.Sprintf("%s=%s signed:%v", s["person_id"], s["name"], s["signed_at"] != nil))
	}
	if got, want := strings.Join(names, "; "), "rat00=Token-Name rat00 signed:true; rat01=Ratsmitglied rat01 signed:false; rat02=Ratsmitglied rat02 signed:false"; got != want {
		t.Errorf("signers\n %s\nwant\n %s", got, want)
	}
	if r.header.Get("Location") != "/v1/motions/"+id {
		t.Errorf("Location %q", r.header.Get("Location"))
	}

	// Submitting before the second signature is refused; after it, accepted.
	r = e.run("rat00", id, motion.CmdSubmit, nil, http.StatusUnprocessableEntity)
	if msg := fieldMessage(t, r, "body.signers"); !strings.Contains(msg, "mindestens 2") {
		t.Errorf("submit before quorum: %s", r.body)
	}
	e.run("rat03", id, motion.CmdSign, nil, http.StatusNotFound) // not named: the draft is not theirs to see
	e.run("rat01", id, motion.CmdSign, nil, http.StatusOK)
	e.run("rat00", id, motion.CmdSubmit, nil, http.StatusOK)

	// An inquiry needs one signature: the councillor's own.
	r = e.do("POST", "/v1/motions", "rat04", body("inquiry"))
	expect(t, r, http.StatusCreated)
	if q := r.json(t)["quorum"]; q != 1.0 {
		t.Errorf("inquiry quorum %v, want 1", q)
	}

	// Signers who are not current members of the council.
	r = e.do("POST", "/v1/motions", "rat00", body("motion", "rat01", "rat12", "niemand"))
	expect(t, r, http.StatusUnprocessableEntity)
	for _, loc := range []string{"body.signers[1].person_id", "body.signers[2].person_id"} {
		if msg := fieldMessage(t, r, loc); msg != "Diese Person ist kein Mitglied des Gemeinderats." {
			t.Errorf("%s: %q in %s", loc, msg, r.body)
		}
	}
	if msg := fieldMessage(t, r, "body.signers[0].person_id"); msg != "" {
		t.Errorf("a member is refused: %s", msg)
	}

	// A former member with a token still naming the role may not create one.
	expect(t, e.do("POST", "/v1/motions", "rat12", body("motion")), http.StatusForbidden)

	// A faction's motion is as before: no quorum, no signers, no originator.
	r = e.do("POST", "/v1/motions", "spd", body("motion"))
	expect(t, r, http.StatusCreated)
	if fm := r.json(t); fm["quorum"] != nil || fm["signers"] != nil || fm["originator"] != nil || fm["faction"] != "spd" {
		t.Errorf("faction motion: %s", r.body)
	}
	// Faction staff naming signers is refused by the domain.
	expect(t, e.do("POST", "/v1/motions", "spd", body("motion", "rat01")), http.StatusUnprocessableEntity)
}

// TestEnterSubmission: the council office enters a paper submission for a
// faction, a committee or councillors (201 with Location, submitted on the
// day it was received, entered by the office); a repeated Idempotency-Key
// reaches the same motion; wrong organizations, too few or unknown signers,
// other roles and unknown bodies are refused.
func TestEnterSubmission(t *testing.T) {
	e := councillorEnv(t)
	received := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
	submission := func(originator, org string, signers ...string) map[string]any {
		b := map[string]any{"body_id": "mannheim", "kind": "motion", "title": "Schulwegsicherheit",
			"resolution_points": []string{"Die Verwaltung prüft Tempo 30 vor allen Grundschulen."},
			"originator":        originator,
			"paper":             map[string]any{"submitted_by": "Geschäftsstelle", "received_at": received.Format(time.RFC3339), "channel": "paper"}}
		if org != "" {
			b["organization"] = org
		}
		var ss []map[string]any
		for _, s := range signers {
			ss = append(ss, map[string]any{"person_id": s})
		}
		if ss != nil {
			b["signers"] = ss
		}
		return b
	}

	r := e.do("POST", "/v1/submissions", "office", submission("faction", "spd"), "Idempotency-Key", "brief-17")
	expect(t, r, http.StatusCreated)
	m := r.json(t)
	id := m["id"].(string)
	if r.header.Get("Location") != "/v1/motions/"+id || r.header.Get("ETag") == "" {
		t.Errorf("Location %q, ETag %q", r.header.Get("Location"), r.header.Get("ETag"))
	}
	if m["status"] != "submitted" || m["faction"] != "spd" || m["submitted_at"] != received.Format(time.RFC3339) {
		t.Errorf("status %v, faction %v, submitted_at %v (received %s)", m["status"], m["faction"], m["submitted_at"], received.Format(time.RFC3339))
	}
	paper := m["originator"].(map[string]any)["paper"].(map[string]any)
	if paper["entered_by"] != "Rita Ratsbüro" || paper["channel"] != "paper" || paper["submitted_by"] != "Geschäftsstelle" {
		t.Errorf("paper %v", paper)
	}
	// The public sees that it came by letter, not the names of staff.
	pub := e.do("GET", "/v1/motions/"+id, "", nil)
	expect(t, pub, http.StatusOK)
	if strings.Contains(string(pub.body), "Rita Ratsbüro") || strings.Contains(string(pub.body), "Geschäftsstelle") || !strings.Contains(string(pub.body), `"channel":"paper"`) {
		t.Errorf("the public reads the paper as %s", pub.body)
	}
	again := e.do("POST", "/v1/submissions", "office", submission("faction", "spd"), "Idempotency-Key", "brief-17")
	expect(t, again, http.StatusCreated)
	if again.json(t)["id"] != id {
		t.Errorf("the repeated request made another motion")
	}
	if got, err := e.store.Motion(context.Background(), id); err != nil || got.Status != motion.StatusSubmitted {
		t.Errorf("read model: %v %v", got.Status, err)
	}

	expect(t, e.do("POST", "/v1/submissions", "office", submission("committee", "ha")), http.StatusCreated)

	// Councillors: two of twelve suffice, all count as signed.
	r = e.do("POST", "/v1/submissions", "office", submission("councillors", "", "rat05", "rat06"))
	expect(t, r, http.StatusCreated)
	m = r.json(t)
	if m["quorum"] != 2.0 || len(m["signers"].([]any)) != 2 {
		t.Errorf("quorum %v, signers %v", m["quorum"], m["signers"])
	}
	if s := m["signers"].([]any)[1].(map[string]any); s["name"] != "Ratsmitglied rat06" || s["signed_at"] == nil {
		t.Errorf("signer %v", s)
	}

	for _, tc := range []struct {
		name, token   string
		body          map[string]any
		status        int
		location, msg string
	}{
		{"a committee that is a faction", "office", submission("committee", "spd"), 422, "body.organization", "Diesen Ausschuss gibt es in dieser Körperschaft nicht."},
		{"a faction that is a committee", "office", submission("faction", "ha"), 422, "body.organization", "Diese Fraktion gibt es in dieser Körperschaft nicht."},
		{"a faction of another body", "office", submission("faction", "hd-gr"), 422, "body.organization", "Diese Fraktion gibt es in dieser Körperschaft nicht."},
		{"too few councillors", "office", submission("councillors", "", "rat05"), 422, "body.signers", "mindestens 2"},
		{"a former councillor", "office", submission("councillors", "", "rat05", "rat12"), 422, "body.signers[1].person_id", "Diese Person ist kein Mitglied des Gemeinderats."},
		{"no originator organization", "office", submission("faction", ""), 422, "body.organization", "Bitte wählen Sie"},
		{"an unknown channel", "office", func() map[string]any {
			b := submission("faction", "spd")
			b["paper"].(map[string]any)["channel"] = "brieftaube"
			return b
		}(), 422, "body.paper.channel", ""},
		{"an unknown body", "office", func() map[string]any { b := submission("faction", "spd"); b["body_id"] = "nirgendwo"; return b }(), 403, "", ""},
		{"faction staff", "spd", submission("faction", "spd"), 403, "", ""},
		{"a councillor", "rat00", submission("councillors", "", "rat00", "rat01"), 403, "", ""},
		{"the administration", "verw", submission("faction", "spd"), 403, "", ""},
		{"anonymous", "", submission("faction", "spd"), 401, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/v1/submissions", tc.token, tc.body)
			expect(t, r, tc.status)
			if tc.location != "" && !strings.Contains(fieldMessage(t, r, tc.location), tc.msg) {
				t.Errorf("%s: want %q: %s", tc.location, tc.msg, r.body)
			}
		})
	}
}

// TestDepartmentReferences: set-departments and register name departments
// of the body, else 422 at the field.
func TestDepartmentReferences(t *testing.T) {
	e := councillorEnv(t)
	id := e.draft("Radwege")
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	r := e.run("office", id, motion.CmdRegister, map[string]any{"lead_department": "dez9", "involved_departments": []string{"dez2", "spd"}}, http.StatusUnprocessableEntity)
	for _, loc := range []string{"body.lead_department", "body.involved_departments[1]"} {
		if msg := fieldMessage(t, r, loc); msg != "Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht." {
			t.Errorf("%s: %q in %s", loc, msg, r.body)
		}
	}
	e.run("office", id, motion.CmdRegister, map[string]any{"lead_department": "dez1"}, http.StatusOK)
	r = e.run("office", id, motion.CmdSetDepartments, map[string]any{"lead": "ha", "involved": []string{"dez1", "nirgends"}}, http.StatusUnprocessableEntity)
	for _, loc := range []string{"body.lead", "body.involved[1]"} {
		if msg := fieldMessage(t, r, loc); msg != "Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht." {
			t.Errorf("%s: %q in %s", loc, msg, r.body)
		}
	}
	r = e.run("office", id, motion.CmdSetDepartments, map[string]any{"lead": "dez2", "involved": []string{"dez1"}}, http.StatusOK)
	if m := r.json(t); m["lead_department"] != "dez2" {
		t.Errorf("lead %v", m["lead_department"])
	}
}
