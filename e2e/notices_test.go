package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
)

// cloudEventReceiver takes signed CloudEvents webhooks: it answers 503 while
// it is down, refuses a bad signature or a malformed event, and counts every
// accepted event by id.
type cloudEventReceiver struct {
	secret string
	mu     sync.Mutex
	down   bool
	// refused counts requests answered 503 while down; bad the requests
	// that failed the signature, the media type or the CloudEvents checks.
	refused, bad int
	problems     []string
	byID         map[string]int
	events       []cloudevents.Event
	// hold is a CloudEvents type whose first request is kept waiting (held
	// is closed when it arrives) until release is closed or the sender gives
	// up; it is then refused.
	hold          string
	held, release chan struct{}
}

func (rc *cloudEventReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.down {
		rc.refused++
		http.Error(w, "gewartet", http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	fail := func(why string) {
		rc.bad++
		rc.problems = append(rc.problems, why)
		http.Error(w, why, http.StatusBadRequest)
	}
	if err := notify.VerifySignature(rc.secret, r.Header, body, time.Minute); err != nil {
		fail("signature: " + err.Error())
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, notify.CloudEventsContentType) {
		fail("content type " + ct)
		return
	}
	var ev cloudevents.Event
	if err := ev.UnmarshalJSON(body); err != nil {
		fail("event: " + err.Error())
		return
	}
	if err := ev.Validate(); err != nil {
		fail("invalid event: " + err.Error())
		return
	}
	if rc.hold != "" && ev.Type() == rc.hold {
		rc.hold = ""
		close(rc.held)
		rc.mu.Unlock()
		select {
		case <-rc.release:
		case <-r.Context().Done():
		}
		rc.mu.Lock()
		rc.refused++
		http.Error(w, "abgebrochen", http.StatusServiceUnavailable)
		return
	}
	if rc.byID == nil {
		rc.byID = map[string]int{}
	}
	rc.byID[ev.ID()]++
	rc.events = append(rc.events, ev)
}

func (rc *cloudEventReceiver) setDown(down bool) {
	rc.mu.Lock()
	rc.down = down
	rc.mu.Unlock()
}

// TestEveryStepReachesTheSponsorsExactlyOnce takes a motion of the SPD,
// co-sponsored by the CDU, from its draft to the report on its
// implementation. Every public step is announced: each sponsor faction gets
// one entry in its shared inbox and one mail to its mailbox per step, the
// body's event webhook one signed CloudEvent per step, exactly once each,
// although the worker is stopped and another started in between and the
// webhook receiver is down for 30 s. The draft phase reaches nobody, and a
// third faction (the Greens) gets nothing at all.
func TestEveryStepReachesTheSponsorsExactlyOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	hooks := &cloudEventReceiver{secret: "geheimnis-des-transparenzportals"}
	hookSrv := httptest.NewServer(hooks)
	defer hookSrv.Close()

	h := newHarnessWith(t, api.Config{}, harnessOptions{noWorker: true})
	acts := &activities.Activities{Store: h.Store, BaseURL: "http://motionflow.test/antraege/{id}",
		Mailer:   notify.NewMailer(notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), From: "motionflow <motionflow@mannheim.example>", TLS: notify.TLSNone}),
		Webhooks: &notify.Webhook{AllowPrivate: true}} // the receiver is on 127.0.0.1
	w := h.startWorker(acts)
	defer func() { w.Stop() }()

	const gruene = "mannheim-gruene"
	h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/organizations", h.Office,
		map[string]any{"id": gruene, "kind": "faction", "name": "Fraktion Bündnis 90/Die Grünen", "short_name": "Grüne"}), 201)
	mailbox := map[string]string{factionSPD: "spd-fraktion@mannheim.example", factionCDU: "cdu-fraktion@mannheim.example", gruene: "gruene-fraktion@mannheim.example"}
	for f, addr := range mailbox {
		if _, err := h.Store.AddNotificationTarget(ctx, store.NotificationTarget{BodyID: bodyID, Audience: "faction:" + f, Channel: store.ChannelEmail, Address: addr}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Store.AddNotificationTarget(ctx, store.NotificationTarget{BodyID: bodyID, Audience: store.AudienceEvents,
		Channel: store.ChannelWebhook, Address: hookSrv.URL + "/ereignisse", Secret: hooks.secret}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ha := h.meeting("ha-ereignisse", committee, "Hauptausschuss", now.Add(-48*time.Hour))
	gr := h.meeting("gr-ereignisse", council, "Gemeinderat", now.Add(-24*time.Hour))

	// The draft phase: created, co-sponsor invited and accepting, edited.
	m := h.create(h.SPD, motion.KindMotion, map[string]any{
		"title":                "Schulwegsicherheit rund um die Neckarschule",
		"resolution_points":    []string{"Die Verwaltung prüft Tempo 30 vor der Neckarschule."},
		"addressed_department": department,
	})
	h.run(h.SPD, m.ID, motion.CmdInviteCosponsor, map[string]any{"faction": factionCDU})
	h.run(h.CDU, m.ID, motion.CmdAcceptCosponsorship, nil)
	h.run(h.CDU, m.ID, motion.CmdEdit, map[string]any{"title": "Schulwegsicherheit rund um die Neckarschule",
		"resolution_points":    []string{"Die Verwaltung prüft Tempo 30 vor der Neckarschule.", "Sie berichtet im Hauptausschuss."},
		"addressed_department": department})
	draftVersion := h.get(h.SPD, m.ID).Version

	// The public steps. The webhook request of the third (the route) is held
	// at the receiver; meanwhile the worker is stopped, with that activity
	// in flight, and another started; the receiver is then down for at
	// least 30 s and until it refused a request.
	hooks.hold = notify.EventTypePrefix + "motion.route_set"
	hooks.held, hooks.release = make(chan struct{}), make(chan struct{})
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	h.run(h.Office, m.ID, motion.CmdRegister, nil)
	m = h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": committee}, {"organization_id": council, "decisive": true},
	}})
	select {
	case <-hooks.held:
	case <-time.After(time.Minute):
		t.Fatal("the route's webhook request never arrived")
	}
	hooks.setDown(true)
	downSince := time.Now()
	stopped := make(chan struct{})
	go func() { w.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
	}
	close(hooks.release)
	<-stopped
	w = h.startWorker(acts)
	backfill := "Nacherfassung: die Sitzung wurde nachträglich erfasst."
	c1, c2 := m.Consultations[0].ID, m.Consultations[1].ID
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": c1, "meeting_id": ha, "override": backfill})
	h.run(h.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": c1, "result": "recommend_approval"})
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": c2, "meeting_id": gr, "override": backfill})
	h.run(h.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": c2, "result": "adopted",
		"vote": map[string]any{"yes": 30, "no": 14, "abstain": 4, "absent": 0}})
	h.run(h.Office, m.ID, motion.CmdStartImplementation, nil)
	h.run(h.Dept, m.ID, motion.CmdReportImplementation, map[string]any{"text": "Tempo 30 gilt seit dem Schuljahresbeginn."})
	waitFor(t, 2*time.Minute, "a request refused during the outage", func() bool {
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		return hooks.refused > 1 // the held request, and one at least while down
	})
	time.Sleep(time.Until(downSince.Add(30 * time.Second)))
	hooks.setDown(false)

	// The steps to expect: every event after the draft phase, in order.
	types := []string{"submitted", "registered", "route_set", "scheduled", "result_recorded", "scheduled", "decided",
		"implementation_started", "implementation_reported"}
	want := map[string]string{} // event id → CloudEvents type
	var public []motion.Event
	for _, ev := range h.history(h.Office, m.ID) {
		if ev.Version > draftVersion {
			public = append(public, ev)
		}
	}
	if len(public) != len(types) {
		t.Fatalf("%d public steps, want %d (submit … report)", len(public), len(types))
	}
	for i, ev := range public {
		want["motion/"+m.ID+"/v"+strconv.FormatInt(ev.Version, 10)] = notify.EventTypePrefix + "motion." + types[i]
	}

	waitFor(t, 3*time.Minute, "every step at the webhook and in both mailboxes", func() bool {
		hooks.mu.Lock()
		n := len(hooks.byID)
		hooks.mu.Unlock()
		return n >= len(want) && len(sink.Messages()) >= 2*len(want)
	})
	time.Sleep(3 * time.Second) // give duplicates a chance to show up

	// The webhook: every step once, signed, a valid CloudEvent about the motion.
	hooks.mu.Lock()
	if hooks.bad > 0 {
		t.Errorf("%d webhook requests were refused: %v", hooks.bad, hooks.problems)
	}
	if hooks.refused == 0 {
		t.Errorf("the receiver was down for 30 s but refused nothing: the outage was not tested")
	}
	for id, n := range hooks.byID {
		if n != 1 {
			t.Errorf("event %s arrived %d times, want once", id, n)
		}
		if _, ok := want[id]; !ok {
			t.Errorf("event %s arrived but is no public step of the motion", id)
		}
	}
	for _, ev := range hooks.events {
		if ev.Type() != want[ev.ID()] || ev.Source() != "/bodies/"+bodyID || ev.Subject() != "motions/"+m.ID ||
			ev.SpecVersion() != "1.0" || ev.Time().IsZero() || ev.DataContentType() != "application/json" {
			t.Errorf("event %s: type %q source %q subject %q specversion %q time %v data %q", ev.ID(), ev.Type(), ev.Source(), ev.Subject(), ev.SpecVersion(), ev.Time(), ev.DataContentType())
		}
		var step notify.Step
		if err := ev.DataAs(&step); err != nil || step.Motion == nil || step.Motion.ID != m.ID || step.Text == "" {
			t.Errorf("event %s: data %v (%v)", ev.ID(), step, err)
		}
	}
	hooks.mu.Unlock()

	// The mailboxes: each sponsor one mail per step, the Greens none.
	mails := map[string][]string{} // address → subjects
	for _, msg := range sink.Messages() {
		for _, to := range msg.To {
			a, err := mail.ParseAddress(to)
			if err != nil {
				t.Fatalf("recipient %q: %v", to, err)
			}
			mails[a.Address] = append(mails[a.Address], msg.Subject)
		}
	}
	if got := mails[mailbox[gruene]]; len(got) != 0 {
		t.Errorf("the Greens were mailed about another faction's motion: %q", got)
	}

	// The inboxes, as their staff read them: each sponsor one entry per step,
	// the Greens none; no notice at all of the draft phase.
	greens := h.user("gruene-staff", "Gesa Grün (Grüne)", motion.RoleFactionStaff, "faction:"+gruene)
	for name, u := range map[string]user{factionSPD: h.SPD, factionCDU: h.CDU, gruene: greens} {
		var inbox struct {
			Items []struct {
				EventID string `json:"event_id"`
				Type    string `json:"type"`
				Text    string `json:"text"`
				Link    string `json:"link"`
				Read    bool   `json:"read"`
			} `json:"items"`
			Unread int `json:"unread"`
		}
		h.decode(h.mustStatus(h.call("GET", "/v1/me/inbox?limit=100", u, nil), 200), &inbox)
		wantN := len(want)
		if name == gruene {
			wantN = 0
		}
		seen := map[string]bool{}
		for _, e := range inbox.Items {
			if seen[e.EventID] {
				t.Errorf("%s's inbox lists %s twice", name, e.EventID)
			}
			seen[e.EventID] = true
			if want[e.EventID] != e.Type || e.Text == "" || e.Read || !strings.HasSuffix(e.Link, "/antraege/"+m.ID) {
				t.Errorf("%s's inbox: %+v", name, e)
			}
		}
		if len(inbox.Items) != wantN || inbox.Unread != wantN {
			t.Errorf("%s's inbox has %d entries (%d unread), want %d", name, len(inbox.Items), inbox.Unread, wantN)
		}
		// The mailbox holds exactly the inbox's steps, each once.
		var lines []string
		for _, e := range inbox.Items {
			lines = append(lines, e.Text)
		}
		got := slices.Clone(mails[mailbox[name]])
		slices.Sort(lines)
		slices.Sort(got)
		if !slices.Equal(got, lines) {
			t.Errorf("%s's mailbox %q\ndiffers from its inbox %q", name, got, lines)
		}
	}
	var draftNotices int
	if err := h.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM notices WHERE subject_id = $1
		AND split_part(event_id, '/v', 2)::int <= $2`, m.ID, draftVersion).Scan(&draftNotices); err != nil {
		t.Fatal(err)
	}
	if draftNotices != 0 {
		t.Errorf("%d notices tell of the draft phase", draftNotices)
	}
}
