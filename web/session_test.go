package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/web"
	"github.com/motionflow/motionflow/workflows"
)

// meetingMotions adds the meeting process to the motions stand-in: it runs
// the real domain (meeting.Apply) on the state the page sends, projects the
// result into the real read model as the MeetingWorkflow does, and records
// every command it was sent.
type meetingMotions struct {
	*motions
	mu   sync.Mutex
	sent []sentMeeting
}

type sentMeeting struct {
	Cmd  meeting.Command
	Meta workflows.Meta
}

var _ workflows.Meetings = (*meetingMotions)(nil)

// MeetingChanged has nothing to tell: the fake keeps no meeting workflows.
func (f *meetingMotions) MeetingChanged(context.Context, meeting.Meeting) error { return nil }

func (f *meetingMotions) SendMeeting(ctx context.Context, current meeting.Meeting, cmd meeting.Command, meta workflows.Meta) (meeting.Meeting, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, sentMeeting{Cmd: cmd, Meta: meta})
	m := *current.Clone()
	// The workflow's clock: an hour into the session, whatever today is.
	ev, _, err := meeting.Apply(&m, meeting.Request{Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
		At: m.Start.Add(time.Hour), RequestID: meta.RequestID})
	if err != nil {
		return meeting.Meeting{}, err
	}
	if err := f.st.ProjectMeeting(ctx, m, ev); err != nil {
		return meeting.Meeting{}, err
	}
	return m, nil
}

// sessionEnv is the web application with the meeting process and one
// council meeting in session: three items (the second non-public), five
// members, four present.
type sessionEnv struct {
	*env
	h  http.Handler
	mm *meetingMotions
	m  meeting.Meeting
}

const secretTitle = "Grundstücksangelegenheit Geheimweg 7"

func newSessionEnv(t *testing.T) *sessionEnv {
	t.Helper()
	e := newEnv(t)
	mm := &meetingMotions{motions: e.motions}
	h := web.New(web.Config{}, web.Deps{Motions: mm, Store: e.st})
	login := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := testUsers[r.Header.Get("X-Test-User")]; ok {
			r = r.WithContext(auth.WithActor(r.Context(), a))
		}
		h.ServeHTTP(w, r)
	})
	e.srv = httptest.NewServer(login)
	t.Cleanup(e.srv.Close)

	ctx := t.Context()
	start := time.Date(2030, 3, 10, 16, 0, 0, 0, motion.Berlin)
	row, err := e.st.CreateMeeting(ctx, store.Meeting{BodyID: "ma", OrganizationID: "gr", Name: "Gemeinderat im März", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	m := meeting.Meeting{ID: row.ID, BodyID: "ma", OrganizationID: "gr", Name: row.Name, Start: start, Status: meeting.StatusPlanned}
	steps := []struct {
		cmd meeting.Command
		at  time.Time
	}{
		{meeting.AddItem{Kind: meeting.ItemReport, Title: "Bericht des Oberbürgermeisters", Public: true}, start.AddDate(0, 0, -14)},
		{meeting.AddItem{Kind: meeting.ItemPaper, Title: secretTitle, Public: false}, start.AddDate(0, 0, -14)},
		{meeting.AddItem{Kind: meeting.ItemFree, Title: "Fragen der Einwohnerschaft", Public: true}, start.AddDate(0, 0, -14)},
		{meeting.PublishInvitation{}, start.AddDate(0, 0, -10)},
		{meeting.OpenSession{Members: []string{"Anna Ahrens", "Bernd Bauer", "Clara Christ", "Dieter Dorn", "Eva Engel"},
			Present: []string{"Anna Ahrens", "Bernd Bauer", "Clara Christ", "Dieter Dorn"}}, start},
	}
	for _, s := range steps {
		ev, _, err := meeting.Apply(&m, meeting.Request{Command: s.cmd, Actor: office, ExpectedVersion: m.Version, At: s.at})
		if err != nil {
			t.Fatalf("%s: %v", s.cmd.Name(), err)
		}
		if err := e.st.ProjectMeeting(ctx, m, ev); err != nil {
			t.Fatal(err)
		}
	}
	return &sessionEnv{env: e, h: h, mm: mm, m: m}
}

// item returns the id of the item with the title.
func (e *sessionEnv) item(title string) string {
	for _, it := range e.m.Agenda {
		if it.Title == title {
			return it.ID
		}
	}
	e.t.Fatalf("no item %q", title)
	return ""
}

func TestSessionPageIsTheOfficesAlone(t *testing.T) {
	e := newSessionEnv(t)
	path := "/sitzungen/" + e.m.ID + "/sitzung"
	must(t, e.get("spd", path), http.StatusForbidden, "Die Sitzung leitet die Geschäftsstelle des Gremiums.")
	must(t, e.get("office", "/sitzungen/gibt-es-nicht/sitzung"), http.StatusNotFound)
	if p := e.get("", path); p.Status == http.StatusOK && strings.Contains(p.Body, secretTitle) {
		t.Fatal("an anonymous visitor sees the session mode")
	}
	p := e.get("office", path)
	must(t, p, http.StatusOK, "TOP 1: Bericht des Oberbürgermeisters", "TOP N1: "+secretTitle, "TOP 2: Fragen der Einwohnerschaft",
		"beschlussfähig: 4 von 5", "Sammelabstimmung", "Sitzung schließen", `name="present" value="Eva Engel"`, "Beschlossen")
	// The first open item's result select has the focus.
	if !strings.Contains(p.Body, `id="f-record_results-`+e.item("Bericht des Oberbürgermeisters")+`-result" name="result" required autofocus`) {
		t.Errorf("the first open item does not get the focus\n%s", excerpt(p.Body))
	}
	// The meeting page links the office to it and shows the agenda.
	must(t, e.get("office", "/sitzungen/"+e.m.ID), http.StatusOK, `href="/sitzungen/`+e.m.ID+`/sitzung"`, secretTitle)
	pub := e.get("", "/sitzungen/"+e.m.ID)
	must(t, pub, http.StatusOK, "TOP 1: Bericht des Oberbürgermeisters", "Nichtöffentlicher Tagesordnungspunkt",
		`href="/v1/meetings/`+e.m.ID+`/invitation.pdf"`)
	if strings.Contains(pub.Body, secretTitle) || strings.Contains(pub.Body, "/sitzung\"") {
		t.Error("the public meeting page shows the non-public item or the session mode")
	}
}

func TestSessionRecordsResultThroughTheMeeting(t *testing.T) {
	e := newSessionEnv(t)
	path := "/sitzungen/" + e.m.ID + "/sitzung"
	show := e.get("office", path)
	version, key := hidden(t, show.Body, path, "version"), hidden(t, show.Body, path, "key")
	report := e.item("Bericht des Oberbürgermeisters")
	form := url.Values{"op": {"record_results"}, "version": {version}, "key": {key}, "target": {report}, "item_ids": {report},
		"result": {"noted"}, "vote.yes": {"4"}, "vote.no": {"0"}, "vote.abstain": {"0"}, "resolution_text": {"Der Gemeinderat nimmt den Bericht zur Kenntnis."}}
	p := e.post("office", path, form)
	must(t, p, http.StatusOK, "Das Ergebnis wurde erfasst.", "Zur Kenntnis genommen")
	if p.URL != path {
		t.Errorf("redirected to %s, want the session page", p.URL)
	}
	e.mm.mu.Lock()
	sent := append([]sentMeeting(nil), e.mm.sent...)
	e.mm.mu.Unlock()
	if len(sent) != 1 {
		t.Fatalf("sent %d commands, want 1", len(sent))
	}
	c, ok := sent[0].Cmd.(meeting.RecordResults)
	if !ok {
		t.Fatalf("sent %T, want RecordResults", sent[0].Cmd)
	}
	if len(c.ItemIDs) != 1 || c.ItemIDs[0] != report || c.Result != motion.ResultNoted || c.Vote == nil || c.Vote.Yes != 4 ||
		c.ResolutionText != "Der Gemeinderat nimmt den Bericht zur Kenntnis." {
		t.Errorf("sent %+v", c)
	}
	if sent[0].Meta.ExpectedVersion != e.m.Version || sent[0].Meta.RequestID == "" || sent[0].Meta.Actor.Subject != office.Subject {
		t.Errorf("meta %+v", sent[0].Meta)
	}
	// The same form once more: the meeting moved on, the office is told so in
	// German and sees the current state.
	form.Set("key", "ein-anderer-schluessel")
	stale := e.post("office", path, form)
	must(t, stale, http.StatusPreconditionFailed, "Die Sitzung wurde inzwischen an anderer Stelle geändert.", "Zur Kenntnis genommen")
	// A refusal of the domain is shown as its German sentence.
	show = e.get("office", path)
	secret := e.item(secretTitle)
	refused := e.post("office", path, url.Values{"op": {"record_results"}, "version": {hidden(t, show.Body, path, "version")},
		"key": {hidden(t, show.Body, path, "key")}, "target": {secret}, "item_ids": {secret}, "result": {"referred"}, "referred_to": {"ha"}})
	must(t, refused, http.StatusUnprocessableEntity, "ist kein Antrag; nur Anträge werden verwiesen.")
}

// streamWriter is a ResponseWriter that a test may read while the handler
// still writes.
type streamWriter struct {
	mu     sync.Mutex
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *streamWriter) Header() http.Header { return w.header }
func (w *streamWriter) WriteHeader(s int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.status = s
}
func (w *streamWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(b)
}
func (w *streamWriter) Flush() {}
func (w *streamWriter) body() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor polls the stream until it contains s.
func waitFor(t *testing.T, w *streamWriter, s string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b := w.body(); strings.Contains(b, s) {
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("stream lacks %q:\n%s", s, w.body())
	return ""
}

func TestLiveEventsSendStateAndFollowTheMeeting(t *testing.T) {
	e := newSessionEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/sitzungen/"+e.m.ID+"/live/events", nil)
	w := &streamWriter{header: http.Header{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.h.ServeHTTP(w, req)
	}()
	first := waitFor(t, w, "\n\n")
	if ct := w.header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.HasPrefix(first, "event: meeting\nid: 5\ndata: {") || !strings.Contains(first, "Bericht des Oberbürgermeisters") ||
		!strings.Contains(first, `"status_label":"Sitzung läuft"`) {
		t.Errorf("first event:\n%s", first)
	}
	// Calling an item is pushed at once (LISTEN/NOTIFY).
	if _, err := e.mm.SendMeeting(ctx, e.m, meeting.CallItem{ItemID: e.item("Fragen der Einwohnerschaft")},
		workflows.Meta{Actor: office, ExpectedVersion: e.m.Version, RequestID: "call"}); err != nil {
		t.Fatal(err)
	}
	all := waitFor(t, w, "id: 6\n")
	if !strings.Contains(all, `"current":{"id":"`+e.item("Fragen der Einwohnerschaft")+`","number":"2","title":"Fragen der Einwohnerschaft"`) {
		t.Errorf("second event lacks the current item:\n%s", all)
	}
	if strings.Contains(all, secretTitle) {
		t.Error("the live events show the non-public item's title")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream does not end when the client goes away")
	}
}

func TestLiveEventsHonourLastEventID(t *testing.T) {
	e := newSessionEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/sitzungen/"+e.m.ID+"/live/events", nil)
	req.Header.Set("Last-Event-ID", "5")
	w := &streamWriter{header: http.Header{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.h.ServeHTTP(w, req)
	}()
	if b := waitFor(t, w, "\n\n"); strings.Contains(b, "event: meeting") {
		t.Errorf("a client that has version 5 gets it again:\n%s", b)
	}
	cancel()
	<-done
}

func TestLiveViewNeverShowsNonPublicItem(t *testing.T) {
	e := newSessionEnv(t)
	// Even while the non-public item is being dealt with.
	m, err := e.mm.SendMeeting(t.Context(), e.m, meeting.CallItem{ItemID: e.item(secretTitle)},
		workflows.Meta{Actor: office, ExpectedVersion: e.m.Version, RequestID: "call-secret"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Current != e.item(secretTitle) {
		t.Fatal("the non-public item was not called")
	}
	for _, user := range []string{"", "spd", "office"} {
		p := e.get(user, "/sitzungen/"+e.m.ID+"/live")
		must(t, p, http.StatusOK, "Bericht des Oberbürgermeisters", "Nichtöffentlicher Tagesordnungspunkt",
			"Zurzeit ist kein öffentlicher Tagesordnungspunkt aufgerufen.", `src="/static/live.js"`)
		if strings.Contains(p.Body, secretTitle) {
			t.Errorf("%q: the live view shows the non-public item's title", user)
		}
	}
}
