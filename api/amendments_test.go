package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/internal/pdftext"
	"github.com/motionflow/motionflow/motion"
)

// TestAmendments: a faction amends another faction's submitted motion by
// its line numbers; the motion lists the amendment with the diff; the
// motion's result is refused while the amendment is open in the same
// gremium; once both are adopted, the resolution text has the change merged.
func TestAmendments(t *testing.T) {
	e := newEnv(t, api.Config{})
	r := e.do("POST", "/v1/motions", "spd", map[string]any{
		"body_id": "mannheim", "kind": "motion", "title": "Bänke am Neckarufer",
		"resolution_points": []string{"Die Verwaltung stellt zehn Bänke am Neckarufer auf.", "Die Kosten trägt der Ergebnishaushalt."},
		"justification":     "Am Ufer fehlen Sitzplätze.",
	})
	expect(t, r, http.StatusCreated)
	id := r.json(t)["id"].(string)

	// The lines: the points, then the Begründung, counted across the motion.
	r = e.do("GET", "/v1/motions/"+id+"/lines", "spd", nil)
	expect(t, r, http.StatusOK)
	lines := r.json(t)["lines"].([]any)
	if len(lines) != 3 {
		t.Fatalf("lines %v", lines)
	}
	if l := lines[2].(map[string]any); l["no"] != float64(3) || l["point"] != float64(0) || l["text"] != "Am Ufer fehlen Sitzplätze." || l["paragraph_end"] != true {
		t.Errorf("third line %v", l)
	}
	// A foreign draft's lines do not exist.
	expect(t, e.do("GET", "/v1/motions/"+id+"/lines", "cdu", nil), http.StatusNotFound)
	expect(t, e.do("GET", "/v1/motions/"+id+"/amendments", "", nil), http.StatusNotFound)
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	e.run("office", id, motion.CmdRegister, nil, http.StatusOK)

	amend := func(token string, body map[string]any) resp {
		t.Helper()
		b := map[string]any{"body_id": "mannheim", "kind": "amendment", "title": "Mehr Bänke"}
		for k, v := range body {
			b[k] = v
		}
		return e.do("POST", "/v1/motions", token, b)
	}
	// The resolution points are the server's, never the client's.
	expect(t, amend("cdu", map[string]any{"amends": id, "amended_points": []string{"x"}}), http.StatusUnprocessableEntity)
	// An unknown paper has no lines: changes are refused by the domain.
	r = amend("cdu", map[string]any{"amends": "V 99/2026", "changes": []map[string]any{{"op": "delete", "from": 1, "to": 1}}})
	expect(t, r, http.StatusUnprocessableEntity)
	if msg := fieldMessage(t, r, "body.amends"); !strings.Contains(msg, "nicht bekannt") {
		t.Errorf("unknown paper: %q", msg)
	}
	// A line the motion does not have is refused, naming the lines it has.
	r = amend("cdu", map[string]any{"amends": id, "changes": []map[string]any{{"op": "replace", "from": 3, "to": 3, "text": "x"}}})
	expect(t, r, http.StatusUnprocessableEntity)
	if msg := fieldMessage(t, r, "body.changes[0].from"); !strings.Contains(msg, "1 bis 2") {
		t.Errorf("line 3: %q", msg)
	}
	// Named by its reference, the motion is found too.
	r = amend("cdu", map[string]any{"amends": "A1/2026", "justification": "Zehn reichen nicht.",
		"changes": []map[string]any{{"op": "replace", "from": 1, "to": 1, "text": "Die Verwaltung stellt zwanzig Bänke am Neckarufer auf."}}})
	expect(t, r, http.StatusCreated)
	am := r.json(t)["id"].(string)
	// Editing keeps the check: the server fills the points again.
	e.run("cdu", am, motion.CmdEdit, map[string]any{"title": "Mehr Bänke am Ufer", "amends": id, "justification": "Zehn reichen nicht.",
		"changes": []map[string]any{{"op": "replace", "from": 1, "to": 1, "text": "Die Verwaltung stellt zwanzig Bänke am Neckarufer auf."}}}, http.StatusOK)

	// The draft is the CDU's: the SPD does not see it in the list, the CDU does.
	list := func(token string) []any {
		t.Helper()
		r := e.do("GET", "/v1/motions/"+id+"/amendments", token, nil)
		expect(t, r, http.StatusOK)
		return r.json(t)["amendments"].([]any)
	}
	if n := len(list("spd")); n != 0 {
		t.Errorf("the SPD sees %d amendments (a foreign draft)", n)
	}
	got := list("cdu")
	if len(got) != 1 {
		t.Fatalf("amendments %v", got)
	}
	a := got[0].(map[string]any)
	ch := a["changes"].([]any)[0].(map[string]any)
	if a["id"] != am || a["kind"] != "amendment" || a["status"] != "draft" || ch["old"] != "Die Verwaltung stellt zehn Bänke am Neckarufer auf." {
		t.Errorf("amendment %v", a)
	}
	var del, ins string
	for _, p := range ch["diff"].([]any) {
		p := p.(map[string]any)
		switch p["op"] {
		case "delete":
			del += p["text"].(string)
		case "insert":
			ins += p["text"].(string)
		}
	}
	if strings.TrimSpace(del) != "zehn" || strings.TrimSpace(ins) != "zwanzig" {
		t.Errorf("diff struck %q, added %q", del, ins)
	}
	e.run("cdu", am, motion.CmdSubmit, nil, http.StatusOK)
	e.run("office", am, motion.CmdRegister, nil, http.StatusOK)
	if n := len(list("")); n != 1 {
		t.Errorf("the public sees %d amendments", n)
	}

	// Both go to the Gemeinderat, in the same meeting (held two days ago).
	now := time.Now().UTC().Truncate(time.Second)
	expect(t, e.do("POST", "/v1/bodies/mannheim/meetings", "office", map[string]any{
		"id": "gr-a", "organization_id": "gr", "name": "Sitzung des Gemeinderats", "start": now.AddDate(0, 0, 30).Format(time.RFC3339),
	}), http.StatusCreated)
	for _, x := range []string{id, am} {
		e.run("office", x, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": "gr", "decisive": true}}}, http.StatusOK)
		e.run("office", x, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": "gr-a"}, http.StatusOK)
	}
	expect(t, e.do("PATCH", "/v1/meetings/gr-a", "office", map[string]any{"start": now.AddDate(0, 0, -2).Format(time.RFC3339)}), http.StatusOK)

	// The motion waits for its amendment: refused, naming it.
	adopt := map[string]any{"consultation_id": "c1", "result": "adopted"}
	r = e.run("office", id, motion.CmdRecordResult, adopt, http.StatusConflict)
	if !strings.Contains(string(r.body), "A2/2026") || !strings.Contains(string(r.body), "Änderungsanträge") {
		t.Errorf("refusal does not name the open amendment: %s", r.body)
	}
	e.run("office", am, motion.CmdRecordResult, adopt, http.StatusOK)
	e.run("office", id, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "adopted_amended"}, http.StatusOK)

	r = e.do("GET", "/v1/motions/"+id+"/resolution-text", "", nil)
	expect(t, r, http.StatusOK)
	merged := r.json(t)
	pts := merged["points"].([]any)
	if len(pts) != 2 || pts[0] != "Die Verwaltung stellt zwanzig Bänke am Neckarufer auf." || pts[1] != "Die Kosten trägt der Ergebnishaushalt." {
		t.Errorf("resolution text %v", pts)
	}
	if ap := merged["applied"].([]any); len(ap) != 1 || !strings.Contains(ap[0].(string), "A2/2026") {
		t.Errorf("applied %v", merged["applied"])
	}
	if l := list("")[0].(map[string]any); l["outcome"] != "adopted" {
		t.Errorf("amendment outcome %v", l["outcome"])
	}
}

// TestAmendmentOfInvisibleMotion: an amendment naming another faction's
// draft gets no lines, so its changes are refused as for an unknown paper.
func TestAmendmentOfInvisibleMotion(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Geheimer Entwurf")
	r := e.do("POST", "/v1/motions", "cdu", map[string]any{"body_id": "mannheim", "kind": "amendment", "title": "Dagegen",
		"amends": id, "changes": []map[string]any{{"op": "delete", "from": 1, "to": 1}}})
	expect(t, r, http.StatusUnprocessableEntity)
	if msg := fieldMessage(t, r, "body.amends"); msg == "" {
		t.Errorf("no message at body.amends: %s", r.body)
	}
}

// TestAmendmentOfDraft: a faction invited to co-sponsor a draft sees it,
// but a draft takes no amendments yet: its lines are not final.
func TestAmendmentOfDraft(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Entwurf mit Einladung")
	e.run("spd", id, motion.CmdInviteCosponsor, map[string]any{"faction": "cdu"}, http.StatusOK)
	expect(t, e.do("GET", "/v1/motions/"+id, "cdu", nil), http.StatusOK)
	r := e.do("POST", "/v1/motions", "cdu", map[string]any{"body_id": "mannheim", "kind": "amendment", "title": "Anders",
		"amends": id, "changes": []map[string]any{{"op": "delete", "from": 1, "to": 1}}})
	expect(t, r, http.StatusUnprocessableEntity)
	if msg := fieldMessage(t, r, "body.amends"); !strings.Contains(msg, "eingereichte Anträge") {
		t.Errorf("message at body.amends: %q (%s)", msg, r.body)
	}
}

// TestAmendmentPDFFollowsTheAmendedMotion: an amendment's PDF names the
// motion it amends; once that motion is registered it is named by its
// reference, and the amendment's ETag changes with it.
func TestAmendmentPDFFollowsTheAmendedMotion(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Bänke am Neckarufer")
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	r := e.do("POST", "/v1/motions", "cdu", map[string]any{"body_id": "mannheim", "kind": "amendment", "title": "Weniger",
		"amends": id, "changes": []map[string]any{{"op": "delete", "from": 1, "to": 1}}})
	expect(t, r, http.StatusCreated)
	am := r.json(t)["id"].(string)
	e.run("cdu", am, motion.CmdSubmit, nil, http.StatusOK)

	before := e.do("GET", "/v1/motions/"+am+"/pdf", "", nil)
	expect(t, before, http.StatusOK)
	if text := pdftext.Text(t, before.body); !strings.Contains(text, "Änderungen an „Bänke am Neckarufer“") {
		t.Errorf("the amendment's PDF: %s", text)
	}
	e.run("office", id, motion.CmdRegister, nil, http.StatusOK)
	after := e.do("GET", "/v1/motions/"+am+"/pdf", "", nil, "If-None-Match", before.header.Get("ETag"))
	expect(t, after, http.StatusOK)
	if text := pdftext.Text(t, after.body); !strings.Contains(text, "Änderungen an A1/") || after.header.Get("ETag") == before.header.Get("ETag") {
		t.Errorf("after the registration (ETag %s, before %s): %s", after.header.Get("ETag"), before.header.Get("ETag"), text)
	}
}
