package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
)

func init() {
	// A second member of the SPD faction's staff: reads the faction's shared
	// inbox, not Sabine's own.
	actors["spd2"] = motion.Actor{Issuer: "test", Subject: "spd-2", Name: "Stefan SPD", Roles: []motion.Role{motion.RoleFactionStaff},
		Faction: "spd", Bodies: []string{"mannheim"}}
}

// noticeAt is a fixed instant of the tests' notices (no test depends on today).
var noticeAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// inboxNotice is an inbox entry of event to recipient, hours after noticeAt.
func inboxNotice(event, recipient string, hours int) store.Notice {
	kind, id, _ := strings.Cut(event, "/")
	id, _, _ = strings.Cut(id, "/")
	return store.Notice{EventID: event, Recipient: recipient, Channel: store.ChannelInApp, BodyID: "mannheim",
		SubjectKind: kind, SubjectID: id, Type: notify.EventTypePrefix + kind + ".step", At: noticeAt.Add(time.Duration(hours) * time.Hour),
		Text: "Schritt " + event, Link: "https://rat.example/" + kind + "/" + id}
}

type inboxAnswer struct {
	Items []struct {
		EventID     string    `json:"event_id"`
		Type        string    `json:"type"`
		Text        string    `json:"text"`
		Link        string    `json:"link"`
		At          time.Time `json:"at"`
		Read        bool      `json:"read"`
		SubjectKind string    `json:"subject_kind"`
		SubjectID   string    `json:"subject_id"`
	} `json:"items"`
	Unread int `json:"unread"`
}

func (e *env) inbox(token, query string) (ids []string, read []bool, unread int) {
	e.t.Helper()
	r := e.do("GET", "/v1/me/inbox"+query, token, nil)
	expect(e.t, r, http.StatusOK)
	var a inboxAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		e.t.Fatal(err)
	}
	for _, it := range a.Items {
		ids = append(ids, it.EventID)
		read = append(read, it.Read)
	}
	return ids, read, a.Unread
}

// TestInboxShowsOwnAndFactionEntries: a faction's staff read the entries
// addressed to them and their faction's shared inbox, newest first, each
// event once; never another faction's or another user's. Marking read
// works per entry and for all, and a shared entry is read for the whole
// faction.
func TestInboxShowsOwnAndFactionEntries(t *testing.T) {
	e := newEnv(t, api.Config{})
	for _, n := range []store.Notice{
		inboxNotice("motion/m1/v2", store.AudienceRecipient("faction:spd"), 0),
		inboxNotice("motion/m1/v2", store.UserRecipient("spd-1"), 0), // Sabine also watches m1: listed once
		inboxNotice("meeting/s1/v3", store.UserRecipient("spd-1"), 2),
		inboxNotice("motion/m1/v4", store.AudienceRecipient("faction:spd"), 1),
		inboxNotice("motion/m2/v2", store.AudienceRecipient("faction:cdu"), 3),
		inboxNotice("motion/m3/v2", store.UserRecipient("cdu-1"), 4),
	} {
		if ok, err := e.store.RecordNotice(t.Context(), n); err != nil || !ok {
			t.Fatalf("record %s: %v %v", n.EventID, ok, err)
		}
	}
	expect(t, e.do("GET", "/v1/me/inbox", "", nil), http.StatusUnauthorized)

	r := e.do("GET", "/v1/me/inbox", "spd", nil)
	expect(t, r, http.StatusOK)
	var a inboxAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Items) != 3 || a.Unread != 3 {
		t.Fatalf("Sabine's inbox = %s", r.body)
	}
	first := a.Items[0]
	if first.EventID != "meeting/s1/v3" || first.SubjectKind != "meeting" || first.SubjectID != "s1" || first.Read ||
		first.Text != "Schritt meeting/s1/v3" || first.Link != "https://rat.example/meeting/s1" ||
		first.Type != "de.motionflow.meeting.step" || !first.At.Equal(noticeAt.Add(2*time.Hour)) {
		t.Errorf("newest entry = %+v", first)
	}
	if ids, _, _ := e.inbox("spd", ""); !slices.Equal(ids, []string{"meeting/s1/v3", "motion/m1/v4", "motion/m1/v2"}) {
		t.Errorf("Sabine's inbox = %v", ids)
	}
	if ids, _, unread := e.inbox("cdu", ""); !slices.Equal(ids, []string{"motion/m3/v2", "motion/m2/v2"}) || unread != 2 {
		t.Errorf("Carl's inbox = %v (%d unread)", ids, unread)
	}
	if ids, _, _ := e.inbox("spd2", ""); !slices.Equal(ids, []string{"motion/m1/v4", "motion/m1/v2"}) {
		t.Errorf("Stefan's inbox = %v", ids)
	}
	if ids, _, _ := e.inbox("office", ""); len(ids) != 0 {
		t.Errorf("the council office reads the factions' inboxes: %v", ids)
	}
	if ids, _, _ := e.inbox("spd", "?limit=1"); !slices.Equal(ids, []string{"meeting/s1/v3"}) {
		t.Errorf("limit 1: %v", ids)
	}

	// Stefan reads one entry of the shared inbox: read for Sabine too.
	r = e.do("POST", "/v1/me/inbox/read", "spd2", map[string]any{"event_ids": []string{"motion/m1/v4"}})
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["marked"] != float64(1) || got["unread"] != float64(1) {
		t.Errorf("mark read = %s", r.body)
	}
	ids, read, unread := e.inbox("spd", "")
	if !slices.Equal(read, []bool{false, true, false}) || unread != 2 {
		t.Errorf("after Stefan read m1/v4: %v %v, %d unread", ids, read, unread)
	}
	if ids, _, _ := e.inbox("spd", "?unread=true"); !slices.Equal(ids, []string{"meeting/s1/v3", "motion/m1/v2"}) {
		t.Errorf("unread only: %v", ids)
	}

	// Sabine marks everything read; Carl's entries stay unread.
	r = e.do("POST", "/v1/me/inbox/read", "spd", map[string]any{})
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["marked"] != float64(2) || got["unread"] != float64(0) { // m1/v2 reached Sabine twice: one event
		t.Errorf("mark all read = %s", r.body)
	}
	if _, read, unread := e.inbox("spd", ""); !slices.Equal(read, []bool{true, true, true}) || unread != 0 {
		t.Errorf("after marking all: %v, %d unread", read, unread)
	}
	if _, _, unread := e.inbox("cdu", ""); unread != 2 {
		t.Errorf("Carl has %d unread after Sabine marked hers", unread)
	}
	r = e.do("POST", "/v1/me/inbox/read", "spd", map[string]any{"event_ids": []string{""}})
	expect(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), `"location":"body.event_ids[0]"`) {
		t.Errorf("empty id: %s", r.body)
	}
	expect(t, e.do("POST", "/v1/me/inbox/read", "", map[string]any{}), http.StatusUnauthorized)
}

// TestSubscriptions: a user follows keywords, gremia and factions of a
// body it may see, changes and ends that, with German refusals; e-mail
// needs a confirmed address as for watches.
func TestSubscriptions(t *testing.T) {
	mailer := &fakeMailer{}
	e := newEnv(t, api.Config{BaseURL: "https://rat.example"}, func(d *api.Deps) { d.Mailer = mailer })
	if _, err := e.store.CreateOrganization(t.Context(), store.Organization{ID: "dez1", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat I"}); err != nil {
		t.Fatal(err)
	}
	const path = "/v1/me/subscriptions"
	sub := func(kind, value string, extra ...any) map[string]any {
		b := map[string]any{"body_id": "mannheim", "kind": kind, "value": value}
		for i := 0; i+1 < len(extra); i += 2 {
			b[extra[i].(string)] = extra[i+1]
		}
		return b
	}
	expect(t, e.do("PUT", path, "", sub("keyword", "Radverkehr")), http.StatusUnauthorized)
	expect(t, e.do("GET", path, "", nil), http.StatusUnauthorized)

	r := e.do("PUT", path, "spd", sub("keyword", " Radverkehr "))
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["value"] != "radverkehr" || got["kind"] != "keyword" || !slices.Equal(toStrings(got["channels"]), []string{"inapp"}) {
		t.Errorf("keyword = %s", r.body)
	}
	r = e.do("PUT", path, "spd", sub("organization", "ha", "channels", []string{"inapp", "email"}, "email", "opfer@example.org"))
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["email_confirmed"] != false || got["confirmation"] != "sent" {
		t.Errorf("committee with someone's address = %s", r.body)
	}
	if mails := mailer.mails(); len(mails) != 1 || mails[0].to != "opfer@example.org" {
		t.Errorf("confirmation mails = %+v", mails)
	}
	r = e.do("PUT", path, "cdu-verified", sub("organization", "spd", "channels", []string{"email"}, "email", "Clara@CDU.example"))
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["email_confirmed"] != true || got["confirmation"] != nil {
		t.Errorf("faction with the own verified address = %s", r.body)
	}
	if len(mailer.mails()) != 1 {
		t.Error("the verified address was sent a confirmation")
	}
	subs, err := e.store.Subscribers(t.Context(), "mannheim", []string{"RADVERKEHR"}, []string{"ha", "spd"})
	if err != nil || len(subs) != 3 {
		t.Fatalf("subscribers = %+v, %v", subs, err)
	}
	for _, s := range subs {
		if s.Subject == "spd-1" && s.Kind == "organization" && slices.Contains(s.Channels, store.ChannelEmail) {
			t.Error("the unconfirmed address would be mailed")
		}
	}

	// Changing a subscription keeps one.
	expect(t, e.do("PUT", path, "spd", sub("keyword", "RADVERKEHR", "channels", []string{"inapp"})), http.StatusOK)
	r = e.do("GET", path, "spd", nil)
	expect(t, r, http.StatusOK)
	var list struct {
		Items []struct{ Kind, Value string } `json:"items"`
	}
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Items) != 2 {
		t.Fatalf("Sabine's subscriptions = %s", r.body)
	}

	for _, c := range []struct {
		name, token string
		body        map[string]any
		status      int
		location    string
		detail      string
	}{
		{"unknown kind", "spd", sub("person", "x"), 422, "body.kind", "erlaubt sind"},
		{"blank value", "spd", sub("keyword", "   "), 422, "body.value", "Bitte geben Sie an, welchem Schlagwort"},
		{"unknown organization", "spd", sub("organization", "fdp"), 422, "body.value", "kein Gremium und keine Fraktion dieser Körperschaft"},
		{"another body's gremium", "spd", sub("organization", "hd-gr"), 422, "body.value", "kein Gremium und keine Fraktion dieser Körperschaft"},
		{"a department", "spd", sub("organization", "dez1"), 422, "body.value", "keinem Dezernat"},
		{"e-mail without address", "spd", sub("keyword", "Schule", "channels", []string{"email"}), 422, "body.email", "geben Sie bitte eine Adresse an"},
		{"bad address", "spd", sub("keyword", "Schule", "channels", []string{"email"}, "email", "kein-at"), 422, "body.email", "E-Mail-Adresse"},
		{"unknown channel", "spd", sub("keyword", "Schule", "channels", []string{"sms"}), 422, "body.channels[0]", "erlaubt sind"},
		{"a body not seen", "other", sub("keyword", "Schule"), 404, "", "Körperschaft nicht gefunden"},
	} {
		r := e.do("PUT", path, c.token, c.body)
		expect(t, r, c.status)
		if body := string(r.body); !strings.Contains(body, c.detail) || (c.location != "" && !strings.Contains(body, `"location":"`+c.location+`"`)) {
			t.Errorf("%s: %s", c.name, body)
		}
	}

	expect(t, e.do("DELETE", path+"?body=mannheim&kind=keyword&value=Radverkehr", "spd", nil), http.StatusNoContent)
	r = e.do("DELETE", path+"?body=mannheim&kind=keyword&value=Radverkehr", "spd", nil)
	expect(t, r, http.StatusNotFound)
	if !strings.Contains(string(r.body), "Abonnement nicht gefunden") {
		t.Errorf("second unsubscribe: %s", r.body)
	}
	expect(t, e.do("DELETE", path+"?body=mannheim&kind=organization&value=spd", "spd", nil), http.StatusNotFound) // Clara's, not Sabine's
	expect(t, e.do("DELETE", path+"?body=mannheim&kind=topic&value=x", "spd", nil), http.StatusUnprocessableEntity)
	r = e.do("GET", path, "spd", nil)
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Items) != 1 || list.Items[0].Value != "ha" {
		t.Errorf("after unsubscribing: %s", r.body)
	}
}

// receiver is a webhook receiver as a target's operator would run it: it
// checks the signature and the CloudEvents media type and keeps the events.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	down   bool
	events []cloudevents.Event
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.down {
			http.Error(w, "wartung", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature(rc.secret, r.Header, body, 5*time.Minute); err != nil {
			t.Errorf("signature: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, notify.CloudEventsContentType) {
			t.Errorf("content type %q", ct)
		}
		var ev cloudevents.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("not a CloudEvent: %v: %s", err, body)
		}
		rc.events = append(rc.events, ev)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) setDown(down bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.down = down
}

func (rc *receiver) got() []cloudevents.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.events)
}

type deliveryAnswer struct {
	EventID   string     `json:"event_id"`
	Type      string     `json:"type"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	SentAt    *time.Time `json:"sent_at"`
}

// TestDeliveryLogAndRedeliver: the council office reads a webhook target's
// delivery log and sends a failed event again; the receiver gets the stored
// CloudEvent, signed, as application/cloudevents+json. A receiver that is
// still down is a German 502, and the attempt is in the log.
func TestDeliveryLogAndRedeliver(t *testing.T) {
	e := newEnv(t, api.Config{AllowPrivateWebhooks: true})
	rc := newReceiver(t)
	targets := "/v1/bodies/mannheim/notification-targets"
	r := e.do("POST", targets, "admin", map[string]any{"audience": "faction:spd", "channel": "webhook", "address": rc.srv.URL + "/hook"})
	expect(t, r, http.StatusCreated)
	target := r.json(t)
	rc.secret = target["secret"].(string)
	targetID := target["id"].(string)
	r = e.do("POST", targets, "admin", map[string]any{"audience": "faction:spd", "channel": "email", "address": "spd@example.org"})
	expect(t, r, http.StatusCreated)
	mailTarget := r.json(t)["id"].(string)

	// The workflow tried to send a step while the receiver was down.
	step := notify.Step{ID: "motion/m1/v3", Type: notify.EventTypePrefix + "motion.registered", Kind: "motion", SubjectID: "m1",
		BodyID: "mannheim", Version: 3, At: noticeAt, Text: "Registriert: A1/2026 „Mehr Radwege“"}
	ce, err := step.CloudEvent()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(ce)
	if err != nil {
		t.Fatal(err)
	}
	n := store.Notice{EventID: step.ID, Recipient: store.WebhookRecipient(rc.srv.URL + "/hook"), Channel: store.ChannelWebhook,
		Audience: "faction:spd", BodyID: "mannheim", SubjectKind: "motion", SubjectID: "m1", Type: step.Type, At: step.At,
		Text: step.Text, TargetID: targetID, Payload: payload}
	if _, claimed, err := e.store.ClaimNotice(t.Context(), n, time.Minute); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if err := e.store.RecordNoticeError(t.Context(), n.EventID, n.Recipient, &notify.StatusError{URL: rc.srv.URL, StatusCode: 503}, false); err != nil {
		t.Fatal(err)
	}

	log := targets + "/" + targetID + "/deliveries"
	readLog := func() []deliveryAnswer {
		t.Helper()
		r := e.do("GET", log, "office", nil)
		expect(t, r, http.StatusOK)
		var a struct {
			Items []deliveryAnswer `json:"items"`
		}
		if err := json.Unmarshal(r.body, &a); err != nil {
			t.Fatal(err)
		}
		return a.Items
	}
	if got := readLog(); len(got) != 1 || got[0].EventID != step.ID || got[0].Type != step.Type || got[0].Status != "pending" ||
		got[0].Attempts != 1 || !strings.Contains(got[0].LastError, "503") || got[0].SentAt != nil {
		t.Fatalf("log = %+v", got)
	}
	expect(t, e.do("GET", log, "spd", nil), http.StatusForbidden)
	expect(t, e.do("GET", log, "other", nil), http.StatusNotFound)
	expect(t, e.do("GET", log, "", nil), http.StatusUnauthorized)
	expect(t, e.do("GET", targets+"/nix/deliveries", "office", nil), http.StatusNotFound)
	if r := e.do("GET", targets+"/"+mailTarget+"/deliveries", "admin", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `"items":[]`) {
		t.Errorf("e-mail target's log: %d %s", r.status, r.body)
	}

	redeliver := log + "/" + url.PathEscape(step.ID) + "/redeliver"
	if !strings.Contains(redeliver, "motion%2Fm1%2Fv3") {
		t.Fatalf("path %s", redeliver)
	}
	// Still down: 502 in German, and the attempt is logged.
	rc.setDown(true)
	r = e.do("POST", redeliver, "office", nil)
	expect(t, r, http.StatusBadGateway)
	if !strings.Contains(string(r.body), "Der Empfänger hat das Ereignis nicht angenommen: Er antwortete mit dem HTTP-Status 503.") {
		t.Errorf("502: %s", r.body)
	}
	if got := readLog(); got[0].Status != "failed" || got[0].Attempts != 2 || !strings.Contains(got[0].LastError, "503") {
		t.Errorf("after the failed redelivery: %+v", got[0])
	}

	// While an attempt of the workflow holds the delivery, it is not sent a
	// second time at once.
	if err := e.store.ReopenNotice(t.Context(), n.EventID, n.Recipient); err != nil {
		t.Fatal(err)
	}
	if _, claimed, err := e.store.ClaimNotice(t.Context(), n, time.Minute); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	expect(t, e.do("POST", redeliver, "office", nil), http.StatusConflict)
	if evs := rc.got(); len(evs) != 0 {
		t.Fatalf("a claimed delivery was sent again: %d events", len(evs))
	}
	if err := e.store.RecordNoticeError(t.Context(), n.EventID, n.Recipient, &notify.StatusError{URL: rc.srv.URL, StatusCode: 503}, false); err != nil {
		t.Fatal(err)
	}

	// Up again: sent, and the receiver holds the stored event.
	rc.setDown(false)
	r = e.do("POST", redeliver, "office", nil)
	expect(t, r, http.StatusOK)
	var d deliveryAnswer
	if err := json.Unmarshal(r.body, &d); err != nil || d.Status != "sent" || d.Attempts != 4 || d.SentAt == nil || d.LastError != "" {
		t.Fatalf("redelivery = %s", r.body)
	}
	evs := rc.got()
	if len(evs) != 1 {
		t.Fatalf("receiver got %d events", len(evs))
	}
	ev := evs[0]
	if ev.ID() != step.ID || ev.Type() != step.Type || ev.Source() != "/bodies/mannheim" || ev.Subject() != "motions/m1" ||
		ev.SpecVersion() != "1.0" || !ev.Time().Equal(noticeAt) {
		t.Errorf("event = %v", ev)
	}
	var data notify.Step
	if err := ev.DataAs(&data); err != nil || data.Text != step.Text {
		t.Errorf("event data = %+v, %v", data, err)
	}
	if got := readLog(); got[0].Status != "sent" {
		t.Errorf("log after redelivery: %+v", got[0])
	}
	// A sent event can be sent once more on request (the id stays the same).
	expect(t, e.do("POST", redeliver, "admin", nil), http.StatusOK)
	if evs := rc.got(); len(evs) != 2 || evs[1].ID() != step.ID {
		t.Errorf("second redelivery: %d events", len(evs))
	}

	expect(t, e.do("POST", redeliver, "spd", nil), http.StatusForbidden)
	expect(t, e.do("POST", log+"/"+url.PathEscape("motion/m9/v1")+"/redeliver", "office", nil), http.StatusNotFound)
	r = e.do("POST", targets+"/"+mailTarget+"/deliveries/"+url.PathEscape(step.ID)+"/redeliver", "office", nil)
	expect(t, r, http.StatusConflict)
	if !strings.Contains(string(r.body), "nur Ereignisse an Webhooks") {
		t.Errorf("e-mail target: %s", r.body)
	}
}
