package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// noteTexts lists the texts of the notes token reads on motion id.
func (e *env) noteTexts(id, token string) []string {
	e.t.Helper()
	r := e.do("GET", "/v1/motions/"+id+"/notes", token, nil)
	expect(e.t, r, http.StatusOK)
	var out []string
	for _, n := range r.json(e.t)["items"].([]any) {
		out = append(out, n.(map[string]any)["text"].(string))
	}
	return out
}

// TestNotesReachOnlyTheirReaders: the sponsors' comments on a draft stay
// with the sponsors, the council office's and the administration's notes
// with them, public comments wait for the council office; none of them is
// in the motion's history.
func TestNotesReachOnlyTheirReaders(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Mehr Radwege")
	add := func(token, visibility, text string, status int, headers ...string) resp {
		t.Helper()
		r := e.do("POST", "/v1/motions/"+id+"/notes", token, map[string]any{"visibility": visibility, "text": text}, headers...)
		expect(t, r, status)
		return r
	}
	add("spd", "sponsors", "Bitte Punkt 2 mit dem Umweltverband abstimmen.", http.StatusCreated, "Idempotency-Key", "n1")
	add("spd", "sponsors", "Bitte Punkt 2 mit dem Umweltverband abstimmen.", http.StatusCreated, "Idempotency-Key", "n1")
	if got := e.noteTexts(id, "spd"); len(got) != 1 {
		t.Fatalf("a note sent twice with one key is stored once: %q", got)
	}
	r0 := add("spd", "sponsors", "Ein anderer Text.", http.StatusUnprocessableEntity, "Idempotency-Key", "n1")
	if !strings.Contains(string(r0.body), "bereits für eine andere Anfrage verwendet") {
		t.Errorf("a key used again for another note: %s", r0.body)
	}
	expect(t, e.do("GET", "/v1/motions/"+id+"/notes", "cdu", nil), http.StatusNotFound)
	add("spd", "internal", "Nicht für uns.", http.StatusForbidden)
	r := add("spd", "sponsors", "   ", http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), "Die Notiz ist leer.") {
		t.Errorf("empty note: %s", r.body)
	}

	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	add("office", "internal", "Rechtsamt um Prüfung der Zuständigkeit gebeten.", http.StatusCreated)
	add("verw", "internal", "Zuständig ist Dezernat I.", http.StatusCreated)
	add("cdu", "internal", "Wir auch.", http.StatusForbidden)
	if got := e.noteTexts(id, "verw"); strings.Join(got, "|") != "Rechtsamt um Prüfung der Zuständigkeit gebeten.|Zuständig ist Dezernat I." {
		t.Errorf("the administration reads %q", got)
	}
	if got := e.noteTexts(id, "spd"); strings.Join(got, "|") != "Bitte Punkt 2 mit dem Umweltverband abstimmen." {
		t.Errorf("the faction reads %q", got)
	}
	if got := e.noteTexts(id, ""); len(got) != 0 {
		t.Errorf("the public reads %q", got)
	}

	// Public comments: only where the body takes them, shown once approved.
	r = add("cdu", "public", "Gute Idee!", http.StatusForbidden)
	if !strings.Contains(string(r.body), "Diese Körperschaft nimmt keine öffentlichen Kommentare an.") {
		t.Errorf("public comment while off: %s", r.body)
	}
	expect(t, e.do("PUT", "/v1/bodies/mannheim/public-comments", "spd", map[string]any{"enabled": true}), http.StatusForbidden)
	expect(t, e.do("PUT", "/v1/bodies/mannheim/public-comments", "admin", map[string]any{"enabled": true}), http.StatusNoContent)
	expect(t, e.do("POST", "/v1/motions/"+id+"/notes", "", map[string]any{"visibility": "public", "text": "Anonym."}), http.StatusUnauthorized)
	c := add("cdu", "public", "Gute Idee!", http.StatusCreated).json(t)
	if c["waiting"] != true {
		t.Errorf("a new public comment waits: %v", c)
	}
	if got := e.noteTexts(id, ""); len(got) != 0 {
		t.Errorf("the public reads a waiting comment: %q", got)
	}
	if got := e.noteTexts(id, "cdu"); strings.Join(got, "|") != "Gute Idee!" {
		t.Errorf("its author reads %q", got)
	}
	moderation := "/v1/motions/" + id + "/notes/" + c["id"].(string) + "/moderation"
	expect(t, e.do("POST", moderation, "verw", map[string]any{"approve": true}), http.StatusForbidden)
	expect(t, e.do("POST", moderation, "office", map[string]any{"approve": true}), http.StatusOK)
	if got := e.noteTexts(id, ""); strings.Join(got, "|") != "Gute Idee!" {
		t.Errorf("the public reads %q after approval", got)
	}

	h := e.do("GET", "/v1/motions/"+id+"/history", "", nil)
	expect(t, h, http.StatusOK)
	for _, secret := range []string{"Umweltverband", "Rechtsamt", "Dezernat I."} {
		if strings.Contains(string(h.body), secret) {
			t.Errorf("the history tells the public %q", secret)
		}
	}
}
