package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/web"
	"github.com/motionflow/motionflow/workflows"
)

// motions is a small stand-in for *workflows.Client: it runs the real
// domain (motion.Apply, with the same refusals and messages) and projects
// every step into the real read model, as the workflow does. The end-to-end
// test in package e2e runs the pages against the real workflow.
type motions struct {
	mu   sync.Mutex
	st   *store.Store
	m    map[string]*motion.Motion
	seen map[string]motion.Motion
	// signalled records CalendarChanged calls.
	signalled []string
}

func (f *motions) apply(ctx context.Context, id string, cmd motion.Command, meta workflows.Meta) (motion.Motion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.seen[meta.RequestID]; ok && meta.RequestID != "" {
		return m, nil
	}
	m, ok := f.m[id]
	if !ok {
		m = &motion.Motion{ID: id}
		f.m[id] = m
	}
	if reg, ok := cmd.(motion.Register); ok {
		// The workflow assigns the reference from the body's counter.
		if _, err := motion.Permit(m, motion.CmdRegister, meta.Actor, meta.ExpectedVersion); err == nil {
			ref, seq, err := f.st.AssignReference(ctx, m.BodyID, m.ID, time.Now().Year())
			if err != nil {
				return motion.Motion{}, err
			}
			reg.Reference, reg.Seq, reg.Year = ref, seq, time.Now().Year()
			cmd = reg
		}
	}
	ev, err := motion.Apply(m, motion.Request{Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
		At: time.Now().UTC(), RequestID: meta.RequestID, Revision: motion.RulesRevision})
	if err != nil {
		return motion.Motion{}, err
	}
	if err := f.st.Project(ctx, *m, ev); err != nil {
		return motion.Motion{}, err
	}
	f.seen[meta.RequestID] = *m.Clone()
	return *m.Clone(), nil
}

func (f *motions) Create(ctx context.Context, id string, cmd motion.Command, meta workflows.Meta) (motion.Motion, error) {
	return f.apply(ctx, id, cmd, meta)
}

func (f *motions) Send(ctx context.Context, id string, cmd motion.Command, meta workflows.Meta) (motion.Motion, error) {
	f.mu.Lock()
	_, ok := f.m[id]
	f.mu.Unlock()
	if !ok {
		return motion.Motion{}, &motion.Error{Code: motion.CodeNotFound, Message: "Antrag nicht gefunden."}
	}
	return f.apply(ctx, id, cmd, meta)
}

func (f *motions) State(ctx context.Context, id string) (motion.Motion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.m[id]; ok {
		return *m.Clone(), nil
	}
	return motion.Motion{}, &motion.Error{Code: motion.CodeNotFound, Message: "Antrag nicht gefunden."}
}

func (f *motions) CalendarChanged(ctx context.Context, ids ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signalled = append(f.signalled, ids...)
	return nil
}

// The users of the tests.
var (
	spd    = motion.Actor{Issuer: "https://idp.test", Subject: "spd", Name: "Sabine Beispiel", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	cdu    = motion.Actor{Issuer: "https://idp.test", Subject: "cdu", Name: "Carl Muster", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "cdu", Bodies: []string{"ma"}}
	office = motion.Actor{Issuer: "https://idp.test", Subject: "rb", Name: "Rita Ratsbüro", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}}
	admin  = motion.Actor{Issuer: "https://idp.test", Subject: "ad", Name: "Ada Admin", Roles: []motion.Role{motion.RoleAdmin}, Bodies: []string{"ma"}}
)

// env is the web application on a real database with a directory.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	st      *store.Store
	motions *motions
}

// testUsers is the test's login: a header names the user, as the session
// middleware would put the caller into the context.
var testUsers = map[string]motion.Actor{"spd": spd, "cdu": cdu, "office": office, "admin": admin}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := storetest.New(t)
	ctx := t.Context()
	if _, err := st.UpsertBody(ctx, store.Body{ID: "ma", Name: "Stadt Mannheim", ShortName: "Mannheim"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []store.Organization{
		{ID: "spd", Kind: store.OrgFaction, Name: "SPD-Gemeinderatsfraktion"},
		{ID: "cdu", Kind: store.OrgFaction, Name: "CDU-Gemeinderatsfraktion"},
		{ID: "ha", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "gr", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "dez1", Kind: store.OrgDepartment, Name: "Dezernat I"},
	} {
		o.BodyID = "ma"
		if _, err := st.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	ms := &motions{st: st, m: map[string]*motion.Motion{}, seen: map[string]motion.Motion{}}
	h := web.New(web.Config{MaxUploadBytes: 64 << 10}, web.Deps{Motions: ms, Store: st})
	login := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := testUsers[r.Header.Get("X-Test-User")]; ok {
			r = r.WithContext(auth.WithActor(r.Context(), a))
		}
		h.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(login)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, st: st, motions: ms}
}

// page is an answer with its body.
type page struct {
	Status int
	Header http.Header
	Body   string
	URL    string
}

func (e *env) do(user, method, path string, body io.Reader, contentType string) page {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		if user != "" {
			r.Header.Set("X-Test-User", user)
		}
		return nil
	}}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(b), URL: res.Request.URL.Path}
}

func (e *env) get(user, path string) page { e.t.Helper(); return e.do(user, "GET", path, nil, "") }

func (e *env) post(user, path string, form url.Values) page {
	e.t.Helper()
	return e.do(user, "POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

func (e *env) multipart(user, path string, form url.Values, files map[string][]byte) page {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("upload", name)
		_, _ = fw.Write(data)
	}
	mw.Close()
	return e.do(user, "POST", path, &buf, mw.FormDataContentType())
}

func must(t *testing.T, p page, status int, contains ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.URL, p.Status, status, excerpt(p.Body))
	}
	for _, c := range contains {
		if !strings.Contains(p.Body, c) {
			t.Fatalf("%s: page lacks %q\n%s", p.URL, c, excerpt(p.Body))
		}
	}
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 4000 {
		s = s[:4000]
	}
	return s
}

// hidden reads a hidden input's value from a form on the page.
func hidden(t *testing.T, body, formAction, name string) string {
	t.Helper()
	i := strings.Index(body, `action="`+formAction+`"`)
	if i < 0 {
		t.Fatalf("no form %s on the page", formAction)
	}
	rest := body[i:]
	if j := strings.Index(rest, "</form>"); j > 0 {
		rest = rest[:j]
	}
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(rest)
	if m == nil {
		t.Fatalf("form %s has no hidden %s", formAction, name)
	}
	return m[1]
}

var motionURL = regexp.MustCompile(`/antraege/([0-9a-f-]{36})`)

// createDraft makes a draft through the editor and returns its id.
func (e *env) createDraft(user, title string, points ...string) string {
	e.t.Helper()
	form := e.get(user, "/antraege/neu")
	must(e.t, form, 200, "Neuer Antrag")
	v := url.Values{"key": {hidden(e.t, form.Body, "/antraege/neu", "key")}, "draft": {hidden(e.t, form.Body, "/antraege/neu", "draft")},
		"body_id": {"ma"}, "kind": {"motion"}, "title": {title}, "resolution_points": points, "op": {"save"}}
	p := e.post(user, "/antraege/neu", v)
	must(e.t, p, 200, "Der Entwurf wurde angelegt.", title)
	m := motionURL.FindStringSubmatch(p.URL)
	if m == nil {
		e.t.Fatalf("not redirected to the motion: %s", p.URL)
	}
	return m[1]
}

// act posts an action form of the motion's page with its hidden fields.
func (e *env) act(user, id, cmd string, fields url.Values) page {
	e.t.Helper()
	show := e.get(user, "/antraege/"+id)
	action := "/antraege/" + id + "/aktionen/" + cmd
	v := url.Values{"version": {hidden(e.t, show.Body, action, "version")}, "key": {hidden(e.t, show.Body, action, "key")}}
	for k, vs := range fields {
		v[k] = vs
	}
	return e.post(user, action, v)
}

func TestPagesRenderForEveryone(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Sachmittel in Höhe von 225.000 Euro.")
	for _, user := range []string{"", "spd", "cdu", "office", "admin"} {
		for _, path := range []string{"/", "/antraege", "/antraege?q=Digitalisierung", "/sitzungen", "/gremien"} {
			p := e.get(user, path)
			must(t, p, 200, `<html lang="de">`, `href="#inhalt"`)
		}
	}
	// The draft is the faction's alone: others get "not found", like for
	// something that does not exist.
	must(t, e.get("spd", "/antraege/"+id), 200, "Der Gemeinderat möge beschließen:", "Entwurf", "Einreichen")
	must(t, e.get("spd", "/antraege/"+id+"/druck"), 200, "Der Gemeinderat möge beschließen:", "1.) Sachmittel")
	for _, user := range []string{"", "cdu", "office"} {
		must(t, e.get(user, "/antraege/"+id), 404, "Nicht gefunden")
		must(t, e.get(user, "/antraege/"+id+"/druck"), 404)
		if p := e.get(user, "/antraege?q=Quadrat"); strings.Contains(p.Body, "/antraege/"+id+`"`) {
			t.Errorf("%q finds another faction's draft in the list", user)
		}
	}
	must(t, e.get("", "/antraege/gibt-es-nicht"), 404, "Nicht gefunden")
	must(t, e.get("", "/irgendwo"), 404, "Nicht gefunden")
	// Anonymous visitors are sent to the login for the editor.
	if p := e.get("", "/antraege/neu"); !strings.HasPrefix(p.URL, "/login") {
		t.Errorf("anonymous editor: ended at %s", p.URL)
	}
	must(t, e.get("office", "/antraege/neu"), 403, "Anträge legen die Fraktionen an.")
}

func TestEditorKeepsInputAndShowsDomainMessages(t *testing.T) {
	e := newEnv(t)
	form := e.get("spd", "/antraege/neu")
	v := url.Values{"key": {hidden(t, form.Body, "/antraege/neu", "key")}, "draft": {hidden(t, form.Body, "/antraege/neu", "draft")},
		"body_id": {"ma"}, "kind": {"budget_motion"}, "title": {"  "},
		"resolution_points": {"Erster Punkt", "", "Dritter Punkt"}, "justification": {"Weil es gut ist."},
		"tags": {"Haushalt2020\nDigitalisierung"}, "op": {"save"}}
	p := e.post("spd", "/antraege/neu", v)
	// The domain's messages, at the inputs they concern, and nothing lost.
	must(t, p, 422, "Die Angaben sind unvollständig oder ungültig.", "Titel: Der Titel fehlt.", "Beschlusspunkte 2: Der 2. Beschlusspunkt ist leer.",
		`id="editor-title-fehler"`, `aria-describedby="editor-title-fehler"`, `aria-invalid="true"`,
		"Erster Punkt", "Dritter Punkt", "Weil es gut ist.", "Haushalt2020\nDigitalisierung", `value="budget_motion" selected`)

	// Adding a point only changes the form.
	v.Set("op", "add")
	v.Set("title", "Digitalisierung im Quadrat")
	p = e.post("spd", "/antraege/neu", v)
	must(t, p, 200, "Punkt 4.)", "Digitalisierung im Quadrat")
	v["resolution_points"] = []string{"Erster Punkt", "Zweiter Punkt"}
	v.Set("op", "save")
	p = e.post("spd", "/antraege/neu", v)
	must(t, p, 200, "Der Entwurf wurde angelegt.", "Haushaltsantrag", "Zweiter Punkt")
	// Sending the same form again (a double click) creates nothing new.
	p2 := e.post("spd", "/antraege/neu", v)
	if p2.URL != p.URL {
		t.Errorf("a resubmitted form made a second motion: %s and %s", p.URL, p2.URL)
	}
	id := motionURL.FindStringSubmatch(p.URL)[1]

	// Submitting without a budget cycle: the domain refuses, the page says why.
	sub := e.act("spd", id, "submit", nil)
	must(t, sub, 422, "Haushaltsberatung: Ein Haushaltsantrag nennt die Haushaltsberatung, zu der er gestellt wird; bitte geben Sie sie an.")

	// A stale version is refused with the domain's message.
	edit := e.get("spd", "/antraege/"+id+"/bearbeiten")
	must(t, edit, 200, "Entwurf bearbeiten", "Zweiter Punkt")
	ev := url.Values{"version": {"1"}, "key": {"k-stale"}, "title": {"Neu"}, "resolution_points": {"x"}, "op": {"save"}}
	must(t, e.post("spd", "/antraege/"+id+"/bearbeiten", ev), 200, "Der Entwurf wurde gespeichert.")
	ev.Set("key", "k-stale-2")
	ev.Set("title", "Noch neuer")
	must(t, e.post("spd", "/antraege/"+id+"/bearbeiten", ev), 412, "Der Antrag wurde inzwischen geändert", "Noch neuer")
	// Another faction may not edit it and does not even see it.
	must(t, e.get("cdu", "/antraege/"+id+"/bearbeiten"), 404)
}

func TestAttachments(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Punkt eins.")
	edit := e.get("spd", "/antraege/"+id+"/bearbeiten")
	action := "/antraege/" + id + "/bearbeiten"
	base := url.Values{"version": {hidden(t, edit.Body, action, "version")}, "key": {hidden(t, edit.Body, action, "key")},
		"title": {"Digitalisierung im Quadrat"}, "resolution_points": {"Punkt eins."}, "op": {"save"}}

	// Neither an executable calling itself a PDF nor an oversized PDF is accepted.
	p := e.multipart("spd", action, base, map[string][]byte{"programm.pdf": []byte("MZ\x90\x00 not a pdf")})
	must(t, p, 422, "programm.pdf: nur PDF- und Office-Dokumente")
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 70<<10)...)
	p = e.multipart("spd", action, base, map[string][]byte{"gross.pdf": big})
	must(t, p, 422, "gross.pdf: größer als 64,0 KB")

	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	p = e.multipart("spd", action, base, map[string][]byte{"A762_2019_Digitalisierung_im_Quadrat_SPD.pdf": pdf})
	must(t, p, 200, "Der Entwurf wurde gespeichert.", "A762_2019_Digitalisierung_im_Quadrat_SPD.pdf", "(PDF, ")
	href := regexp.MustCompile(`href="(/anhaenge/[^"]+)"`).FindStringSubmatch(p.Body)
	if href == nil {
		t.Fatal("no attachment link on the motion's page")
	}
	// The faction downloads it, with its checksum, as a download that is never sniffed.
	got := e.get("spd", href[1])
	must(t, got, 200)
	if got.Body != string(pdf) || got.Header.Get("Content-Type") != "application/pdf" ||
		got.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment;") ||
		!strings.Contains(got.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("attachment served as %v", got.Header)
	}
	// The draft's attachment is as invisible as the draft.
	must(t, e.get("", href[1]), 404)
	must(t, e.get("cdu", href[1]), 404)
	// Once submitted, the public reads it.
	must(t, e.act("spd", id, "submit", nil), 200, "Der Antrag wurde eingereicht.")
	must(t, e.get("", href[1]), 200)
}

func TestActionsThroughTheCouncilOffice(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Punkt eins.")
	other := e.createDraft("cdu", "Digitalstrategie", "Strategie vorlegen.")
	must(t, e.act("cdu", other, "submit", nil), 200)
	must(t, e.act("office", other, "register", nil), 200, "Der Antrag wurde registriert.")
	otherRef := regexp.MustCompile(`A\d+/\d{4}`).FindString(e.get("", "/antraege/"+other).Body)

	must(t, e.act("spd", id, "submit", nil), 200, "Eingereicht")
	// The public sees it now, without the names of those who acted.
	pub := e.get("", "/antraege/"+id)
	must(t, pub, 200, "Eingereicht")
	if strings.Contains(pub.Body, "Sabine Beispiel") || strings.Contains(pub.Body, "aktionen/") {
		t.Error("the public sees names or actions")
	}
	// The faction is not offered the council office's steps.
	if strings.Contains(e.get("spd", "/antraege/"+id).Body, "aktionen/register") {
		t.Error("faction staff is offered registration")
	}
	must(t, e.act("office", id, "register", nil), 200, "Registriert")

	// Meetings, created on the pages: sessions of last month, entered after
	// the fact (results can only be recorded once a meeting has begun).
	day := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	for _, m := range []url.Values{
		{"body_id": {"ma"}, "organization_id": {"ha"}, "name": {"Hauptausschuss"}, "location": {"Ratssaal"}, "date": {day}, "start": {"16:00"}},
		{"body_id": {"ma"}, "organization_id": {"gr"}, "name": {"Gemeinderat"}, "location": {"Ratssaal"}, "date": {day}, "start": {"18:00"}},
	} {
		must(t, e.post("office", "/sitzungen", m), 200, "Die Sitzung wurde angelegt.", "16:00 Uhr"[:0]+m.Get("start")+" Uhr")
	}
	bad := e.post("office", "/sitzungen", url.Values{"body_id": {"ma"}, "organization_id": {"spd"}, "name": {""}, "date": {"morgen"}})
	must(t, bad, 422, "Das ist kein Gremium; bitte wählen Sie den Gemeinderat, einen Ausschuss oder einen Bezirksbeirat.", "Name: Bitte geben Sie den Namen der Sitzung ein.", "Datum: Bitte geben Sie ein gültiges Datum an, zum Beispiel 10.03.2026.")
	must(t, e.post("spd", "/sitzungen", url.Values{"body_id": {"ma"}}), 403)
	ms, _, err := e.st.Meetings(t.Context(), store.MeetingFilter{})
	if err != nil || len(ms) != 2 {
		t.Fatalf("meetings %v %v", ms, err)
	}
	ha, gr := ms[0].ID, ms[1].ID

	// The route: a blank row between the steps is fine; the decisive one must be last.
	r := e.act("office", id, "set_route", url.Values{"steps": {"gr", "", "ha"}, "decisive": {"0"}})
	must(t, r, 422, "Das beschließende Gremium berät als letztes; bitte stellen Sie es an das Ende der Beratungsfolge.", `id="`)
	must(t, e.act("office", id, "set_route", url.Values{"steps": {"ha", "", "gr"}, "decisive": {"2"}}), 200, "Die Beratungsfolge wurde festgelegt.")
	must(t, e.act("office", id, "schedule", url.Values{"consultation_id": {"c1"}, "meeting_id": {gr}}), 422,
		"Die Sitzung gehört nicht zum Gremium der Beratung c1")
	must(t, e.act("office", id, "schedule", url.Values{"consultation_id": {"c1"}, "meeting_id": {ha}}), 422,
		"Die Sitzung hat bereits stattgefunden")
	must(t, e.act("office", id, "schedule", url.Values{"consultation_id": {"c1"}, "meeting_id": {ha},
		"override": {"Nacherfassung der Sitzung"}}), 200, "Die Beratung wurde eingeplant.")

	// Recording the result on the meeting's page.
	mp := e.get("office", "/sitzungen/"+ha)
	must(t, mp, 200, "Tagesordnung", "Digitalisierung im Quadrat", "Ergebnis und Abstimmung erfassen")
	action := "/antraege/" + id + "/aktionen/record_result"
	v := url.Values{"version": {hidden(t, mp.Body, action, "version")}, "key": {hidden(t, mp.Body, action, "key")},
		"consultation_id": {"c1"}, "zurueck": {"/sitzungen/" + ha}, "result": {"recommend_approval"},
		"vote.yes": {"9"}, "vote.no": {"5"}, "vote.abstain": {"1"}, "fv.yes.spd": {"9"}, "fv.no.cdu": {"5"}, "fv.abstain.cdu": {"0"},
		"vote.named": {"Eva Muster: ja"}}
	res := e.post("office", action, v)
	// The faction numbers and the named votes do not add up: refused, all kept.
	must(t, res, 422, "Ergebnis und Abstimmung erfassen", "Die Stimmen der Fraktionen ergeben zusammen 9 Ja, 5 Nein und 0 Enthaltungen, das Ergebnis nennt aber 9 Ja, 5 Nein und 1 Enthaltung.",
		"Die namentlichen Stimmen passen nicht zum Ergebnis; bitte prüfen Sie die Zahl der Ja- und Nein-Stimmen, Enthaltungen und Abwesenden.", `value="9"`, "Eva Muster: ja")
	v.Set("key", hidden(t, res.Body, action, "key"))
	v.Set("fv.abstain.cdu", "1")
	v.Del("vote.named")
	must(t, e.post("office", action, v), 200, "Das Beratungsergebnis wurde erfasst.", "Zustimmung empfohlen")
	// The same form sent again (a double click) applies once.
	must(t, e.post("office", action, v), 200)
	if m, _ := e.st.Motion(t.Context(), id); m.Version != 6 {
		t.Fatalf("version %d after the result, want 6", m.Version)
	}

	// The council settles it by other resolutions: without a link it is refused.
	must(t, e.act("office", id, "schedule", url.Values{"consultation_id": {"c2"}, "meeting_id": {gr},
		"override": {"Nacherfassung der Sitzung"}}), 200)
	res = e.act("office", id, "record_result", url.Values{"consultation_id": {"c2"}, "result": {"settled_by_other_resolutions"},
		"vote.yes": {"30"}, "vote.no": {"14"}, "vote.abstain": {"4"}})
	must(t, res, 422, "„erledigt durch andere Beschlüsse“ nennt mindestens einen erledigenden Beschluss",
		"Bitte geben Sie an, ob die Antragsteller der Erledigung durch andere Beschlüsse zugestimmt haben (Ja oder Nein).", `value="30"`)
	res = e.act("office", id, "record_result", url.Values{"consultation_id": {"c2"}, "result": {"settled_by_other_resolutions"},
		"vote.yes": {"30"}, "vote.no": {"14"}, "vote.abstain": {"4"}, "link.reference": {otherRef, "", ""},
		"originator_agreed": {"ja"}, "note": {"Erledigt durch die Beschlüsse zum Haushalt."}})
	must(t, res, 200, "Erledigt durch andere Beschlüsse.", "Digitalstrategie", `href="/antraege/`+other+`"`, "Entschieden")
	must(t, e.get("", "/antraege/"+id+"/druck"), 200, "Antrag", "Der Gemeinderat möge beschließen:", "1.) Punkt eins.", "Ergebnis", "Erledigt durch andere Beschlüsse.")

	// Moving the council's meeting tells the open motions.
	mv := e.get("office", "/sitzungen/"+gr)
	must(t, mv, 200, "Sitzung verwalten")
	must(t, e.post("office", "/sitzungen/"+gr, url.Values{"op": {"save"}, "name": {"Gemeinderat"}, "date": {day}, "start": {"17:00"}}), 200,
		"Die Sitzung wurde gespeichert.", "17:00 Uhr")
	if len(e.motions.signalled) == 0 {
		t.Error("moving the meeting told no motion")
	}

	// The worklist of the council office and of the faction.
	must(t, e.get("office", "/"), 200, "Meine Arbeitsliste", "Entschieden – Umsetzung einleiten oder Vorgang abschließen")
	must(t, e.get("", "/"), 200, "Zuletzt geändert", "Digitalisierung im Quadrat")
	must(t, e.get("", "/antraege?q=Quadrat&status=decided"), 200, "Digitalisierung im <mark>Quadrat</mark>")
	must(t, e.get("", "/antraege?status=unsinn"), 400, "unbekannter Status")
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest("POST", e.srv.URL+"/sitzungen", strings.NewReader("name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Test-User", "office")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", res.StatusCode)
	}
	if ms, _, _ := e.st.Meetings(t.Context(), store.MeetingFilter{}); len(ms) != 0 {
		t.Fatal("a cross-site POST created a meeting")
	}
	p := e.get("", "/")
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
}

func TestOrganizations(t *testing.T) {
	e := newEnv(t)
	must(t, e.post("office", "/gremien", url.Values{"body_id": {"ma"}, "kind": {"committee"}, "name": {"Ausschuss für Umwelt"}, "short_name": {"AUT"}}),
		200, "Das Gremium wurde angelegt.", "Ausschuss für Umwelt")
	must(t, e.post("office", "/gremien", url.Values{"body_id": {"ma"}, "kind": {"committee"}, "name": {"Doppelt"}, "id": {"ha"}}),
		422, "Diese Kennung ist schon vergeben; bitte wählen Sie eine andere.", "Doppelt")
	must(t, e.post("spd", "/gremien", url.Values{"body_id": {"ma"}, "kind": {"committee"}, "name": {"x"}}), 403)
	must(t, e.post("office", "/gremien/koerperschaft", url.Values{"id": {"hd"}, "name": {"Heidelberg"}}), 403)
	must(t, e.post("admin", "/gremien/koerperschaft", url.Values{"id": {"ma"}, "name": {"Stadt Mannheim"}, "reference_prefix": {"A"}}),
		200, "Die Körperschaft wurde gespeichert.")
}

func TestGermanFormats(t *testing.T) {
	e := newEnv(t)
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	must(t, e.post("office", "/sitzungen", url.Values{"body_id": {"ma"}, "organization_id": {"gr"}, "name": {"Haushaltssitzung"},
		"date": {day}, "start": {"16:00"}}), 200, "10. März 2026", "16:00 Uhr")
	ms, _, _ := e.st.Meetings(t.Context(), store.MeetingFilter{})
	if got := ms[0].Start.UTC().Format(time.RFC3339); got != "2026-03-10T15:00:00Z" {
		t.Errorf("16:00 in Mannheim stored as %s", got)
	}
	must(t, e.get("", fmt.Sprintf("/sitzungen?ab=%s", day)), 200, "10.03.2026", "16:00 Uhr")
}
