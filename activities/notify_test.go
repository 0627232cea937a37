package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

const hookSecret = "webhook-geheimnis"

// receiver is a webhook endpoint that verifies every request's signature.
type receiver struct {
	url     string
	failing atomic.Bool
	mu      sync.Mutex
	events  []notify.Event
	ids     []string
	bad     int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if err := notify.VerifySignature(hookSecret, r.Header, body, time.Minute); err != nil {
			rc.bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if rc.failing.Load() {
			http.Error(w, "kaputt", http.StatusBadGateway)
			return
		}
		var ev notify.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			rc.bad++
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.events = append(rc.events, ev)
		rc.ids = append(rc.ids, r.Header.Get(notify.HeaderDelivery))
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/hook"
	return rc
}

func (rc *receiver) got() ([]notify.Event, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.events), rc.bad
}

// world is a body with targets and a motion with watchers, a real SMTP sink
// and a webhook receiver.
type world struct {
	env  *testsuite.TestActivityEnvironment
	s    *store.Store
	sink *smtpsink.Sink
	hook *receiver
}

// newWorld seeds a fresh database and registers the activities mk makes
// (given the store and the sink) in a test environment.
func newWorld(t *testing.T, mk func(*store.Store, *smtpsink.Sink) *activities.Activities) *world {
	t.Helper()
	s := storetest.New(t)
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	acts := mk(s, sink)
	if acts.Webhooks == nil {
		acts.Webhooks = &notify.Webhook{AllowPrivate: true} // the receiver is on 127.0.0.1
	}
	w := &world{env: setupWith(t, s, acts), s: s, sink: sink, hook: newReceiver(t)}
	if _, err := s.UpsertBody(t.Context(), store.Body{ID: "hd", Name: "Stadt Heidelberg"}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := motion.Motion{ID: "m1", BodyID: "ma", Version: 1, Kind: motion.KindInquiry, Status: motion.StatusSubmitted,
		Content: motion.Content{Title: "Sanierung der Schulen"}, Faction: "spd", CreatedAt: at, UpdatedAt: at, SubmittedAt: &at}
	if err := s.Project(t.Context(), m, motion.Event{MotionID: "m1", Version: 1, Command: motion.CmdCreate, At: at, Status: m.Status}); err != nil {
		t.Fatal(err)
	}
	for _, nt := range []store.NotificationTarget{
		{BodyID: "ma", Audience: motion.AudienceCouncilOffice, Channel: store.ChannelEmail, Address: "ratsbuero@mannheim.example"},
		{BodyID: "ma", Audience: motion.AudienceCouncilOffice, Channel: store.ChannelWebhook, Address: w.hook.url, Secret: hookSecret},
		{BodyID: "ma", Audience: motion.AudienceAdministration, Channel: store.ChannelEmail, Address: "verwaltung@mannheim.example"},
		// Neither the reminder's audience nor its body: never reminded.
		{BodyID: "ma", Audience: motion.FactionAudience("spd"), Channel: store.ChannelEmail, Address: "spd@mannheim.example"},
		{BodyID: "hd", Audience: motion.AudienceCouncilOffice, Channel: store.ChannelEmail, Address: "rat@heidelberg.example"},
	} {
		if _, err := s.AddNotificationTarget(t.Context(), nt); err != nil {
			t.Fatal(err)
		}
	}
	for _, wt := range []store.Watch{
		{MotionID: "m1", Subject: "u1", Name: "Erika Muster", Email: "erika@example.org", Channels: []store.Channel{store.ChannelEmail, store.ChannelInApp}, EmailConfirmed: true},
		{MotionID: "m1", Subject: "u2", Email: "digest@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true, EmailConfirmed: true},
		{MotionID: "m1", Subject: "u3", Channels: []store.Channel{store.ChannelInApp}},
		// The council office's address again, as a watch: one e-mail only.
		{MotionID: "m1", Subject: "u4", Email: "RatsBuero@mannheim.example", Channels: []store.Channel{store.ChannelEmail}, EmailConfirmed: true},
	} {
		if _, err := s.Watch(t.Context(), wt); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// withMailer makes activities that mail through the sink.
func withMailer(s *store.Store, sink *smtpsink.Sink) *activities.Activities {
	return &activities.Activities{Store: s, BaseURL: "http://127.0.0.1:8080", Mailer: sinkMailer(sink)}
}

// withoutMailer makes activities with e-mail disabled.
func withoutMailer(s *store.Store, _ *smtpsink.Sink) *activities.Activities {
	return &activities.Activities{Store: s, BaseURL: "http://127.0.0.1:8080"}
}

func sinkMailer(sink *smtpsink.Sink) *notify.Mailer {
	return notify.NewMailer(notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: notify.TLSNone,
		From: "motionflow <fristen@mannheim.example>", Timeout: 5 * time.Second})
}

var due = time.Date(2026, 3, 23, 17, 0, 0, 0, time.UTC)

func reminder(offset time.Duration, escalation bool, audiences ...string) workflows.NotifyInput {
	d := motion.Deadline{Key: "inquiry_answer", Kind: motion.DeadlineInquiryAnswer, Due: due, Rule: "inquiry_answer", RuleVersion: 1,
		Audiences: []string{motion.AudienceAdministration}, Informed: []string{motion.AudienceCouncilOffice}}
	if len(audiences) == 0 {
		audiences = []string{motion.AudienceCouncilOffice, motion.AudienceAdministration}
	}
	return workflows.NotifyInput{
		Motion: workflows.MotionSummary{ID: "m1", BodyID: "ma", Reference: "A12/2026", Title: "Sanierung der Schulen",
			Kind: motion.KindInquiry, Status: motion.StatusSubmitted, Faction: "spd"},
		Reminder: motion.Reminder{Key: "inquiry_answer@" + motion.Duration(offset).String(), Deadline: d, Offset: motion.Duration(offset),
			At: due.Add(offset), Escalation: escalation, Audiences: audiences},
	}
}

func (w *world) notify(t *testing.T, in workflows.NotifyInput) (workflows.NotifyResult, error) {
	t.Helper()
	v, err := w.env.ExecuteActivity(workflows.ActivityNotify, in)
	if err != nil {
		return workflows.NotifyResult{}, err
	}
	var res workflows.NotifyResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res, nil
}

func recipients(msgs []smtpsink.Received) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	slices.Sort(out)
	return out
}

func TestNotifyDeliversOnceToEveryRecipient(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withMailer)
	week := -7 * 24 * time.Hour
	in := reminder(week, false)

	res, err := w.notify(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if res != (workflows.NotifyResult{Sent: 4}) {
		t.Errorf("first Notify = %+v, want 3 e-mails and 1 webhook sent", res)
	}
	mails := w.sink.Messages()
	if got, want := recipients(mails), []string{"erika@example.org", "ratsbuero@mannheim.example", "verwaltung@mannheim.example"}; !slices.Equal(got, want) {
		t.Errorf("mailed %v, want %v", got, want)
	}
	ids := map[string]bool{}
	for _, m := range mails {
		if m.Subject != "Erinnerung: Beantwortung der Anfrage fällig am 23.03.2026 – A12/2026 Sanierung der Schulen" {
			t.Errorf("subject = %q", m.Subject)
		}
		if text := m.Text(); !strings.Contains(text, "läuft in 7 Tagen ab: am 23.03.2026 18:00 Uhr") ||
			!strings.Contains(text, "Zum Vorgang: http://127.0.0.1:8080/v1/motions/m1") {
			t.Errorf("plain text:\n%s", text)
		}
		if html := m.HTML(); !strings.Contains(html, `<a href="http://127.0.0.1:8080/v1/motions/m1">`) {
			t.Errorf("HTML:\n%s", html)
		}
		ids[m.MessageID] = true
	}
	if len(ids) != 3 {
		t.Errorf("Message-IDs %v: want one per recipient", ids)
	}
	events, bad := w.hook.got()
	if len(events) != 1 || bad != 0 {
		t.Fatalf("webhook got %d events (%d refused), want 1", len(events), bad)
	}
	if ev := events[0]; ev.Type != notify.EventReminder || ev.Motion.ID != "m1" || ev.Reminder.Key != in.Reminder.Key ||
		ev.DeliveryID != notify.DeliveryID("m1", in.Reminder.Key, store.WebhookRecipient(w.hook.url)) {
		t.Errorf("webhook event = %+v", ev)
	}

	// The log: in-app records per audience and in-app watcher, the digest queued.
	log, err := w.s.Reminders(t.Context(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[store.DeliveryStatus][]string{}
	for _, d := range log {
		byStatus[d.Status] = append(byStatus[d.Status], string(d.Channel)+" "+d.Recipient)
		if d.DeadlineKey != "inquiry_answer" || !d.Due.Equal(due) || !d.At.Equal(due.Add(week)) || len(d.Payload) == 0 {
			t.Errorf("log row = %+v", d)
		}
	}
	for _, s := range byStatus {
		slices.Sort(s)
	}
	wantSent := []string{
		"email mailto:erika@example.org", "email mailto:ratsbuero@mannheim.example", "email mailto:verwaltung@mannheim.example",
		"inapp audience:administration", "inapp audience:council_office", "inapp user:u1", "inapp user:u3",
		"webhook " + store.WebhookRecipient(w.hook.url),
	}
	if !slices.Equal(byStatus[store.DeliverySent], wantSent) {
		t.Errorf("sent = %q\nwant   %q", byStatus[store.DeliverySent], wantSent)
	}
	if want := []string{"email mailto:digest@example.org"}; !slices.Equal(byStatus[store.DeliveryQueued], want) || len(byStatus) != 2 {
		t.Errorf("log by status = %v, want only sent and one queued digest", byStatus)
	}

	// The activity runs again with the same reminder (a retry, a replay after
	// a restart): nothing new goes out.
	res, err = w.notify(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if res != (workflows.NotifyResult{Skipped: 4}) {
		t.Errorf("repeated Notify = %+v, want 4 skipped", res)
	}
	if n := len(w.sink.Messages()); n != 3 {
		t.Errorf("sink has %d messages after the repeat, want 3", n)
	}
	if events, _ := w.hook.got(); len(events) != 1 {
		t.Errorf("webhook got %d events after the repeat, want 1", len(events))
	}
	if again, _ := w.s.Reminders(t.Context(), "m1"); len(again) != len(log) {
		t.Errorf("log has %d rows after the repeat, want %d", len(again), len(log))
	}

	// An escalation goes to the council office only: no watchers, no administration.
	res, err = w.notify(t, reminder(17*24*time.Hour, true, motion.AudienceCouncilOffice))
	if err != nil || res != (workflows.NotifyResult{Sent: 2}) {
		t.Errorf("escalation = %+v, %v; want an e-mail and a webhook", res, err)
	}
	mails = w.sink.Messages()
	if len(mails) != 4 || mails[3].To[0] != "ratsbuero@mannheim.example" || !strings.HasPrefix(mails[3].Subject, "Eskalation: ") {
		t.Errorf("escalation mail: %d messages, last %+v", len(mails), mails[len(mails)-1])
	}
}

func TestNotifyRetriesAFailedWebhookOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withMailer)
	in := reminder(-24*time.Hour, false)
	w.hook.failing.Store(true)

	_, err := w.notify(t, in)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.NonRetryable() || app.Type() != activities.ErrTypeDelivery {
		t.Fatalf("Notify with a failing webhook: err = %v, want a retryable %s ApplicationError", err, activities.ErrTypeDelivery)
	}
	// The e-mails went out anyway; the failure is on record.
	if n := len(w.sink.Messages()); n != 3 {
		t.Errorf("sink has %d messages, want 3", n)
	}
	log, _ := w.s.Deliveries(t.Context(), store.DeliveryFilter{Channels: []store.Channel{store.ChannelWebhook}})
	if len(log) != 1 || log[0].Status != store.DeliveryPending || log[0].Attempts != 1 || !strings.Contains(log[0].LastError, "502") {
		t.Errorf("webhook log = %+v", log)
	}

	// Still failing: retried, still nothing delivered twice.
	if _, err := w.notify(t, in); err == nil {
		t.Fatal("second attempt succeeded against a failing webhook")
	}
	w.hook.failing.Store(false)
	res, err := w.notify(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if res != (workflows.NotifyResult{Sent: 1, Skipped: 3}) {
		t.Errorf("retry = %+v, want the webhook sent and 3 e-mails skipped", res)
	}
	if events, bad := w.hook.got(); len(events) != 1 || bad != 0 {
		t.Errorf("webhook got %d events (%d refused), want exactly 1", len(events), bad)
	}
	if n := len(w.sink.Messages()); n != 3 {
		t.Errorf("sink has %d messages after the retry, want 3", n)
	}
	if res, err := w.notify(t, in); err != nil || res != (workflows.NotifyResult{Skipped: 4}) {
		t.Errorf("after success = %+v, %v; want all skipped", res, err)
	}
	log, _ = w.s.Deliveries(t.Context(), store.DeliveryFilter{Channels: []store.Channel{store.ChannelWebhook}})
	if len(log) != 1 || log[0].Status != store.DeliverySent || log[0].Attempts != 3 || log[0].LastError != "" {
		t.Errorf("webhook log after success = %+v", log)
	}
}

// flakyMailer refuses one address for good and counts what it is asked to send.
type flakyMailer struct {
	next  activities.Mailer
	mu    sync.Mutex
	calls map[string]int
}

func (f *flakyMailer) Send(ctx context.Context, to string, msg notify.Message) error {
	f.mu.Lock()
	f.calls[to]++
	f.mu.Unlock()
	if strings.Contains(to, "verwaltung@") {
		return &notify.PermanentError{Err: errors.New("550 5.1.1 no such user")}
	}
	return f.next.Send(ctx, to, msg)
}

func TestNotifyPermanentFailureAndDisabledMail(t *testing.T) {
	t.Parallel()
	// A permanently refused address is recorded as failed and never retried.
	fm := &flakyMailer{calls: map[string]int{}}
	w := newWorld(t, func(s *store.Store, sink *smtpsink.Sink) *activities.Activities {
		fm.next = sinkMailer(sink)
		return &activities.Activities{Store: s, Mailer: fm, BaseURL: "https://rat.example/antraege/{id}"}
	})
	s, sink := w.s, w.sink
	in := reminder(0, false)
	for range 2 {
		if _, err := w.notify(t, in); err != nil {
			t.Fatal(err)
		}
	}
	if fm.calls["verwaltung@mannheim.example"] != 1 {
		t.Errorf("refused address tried %d times, want 1", fm.calls["verwaltung@mannheim.example"])
	}
	failed, _ := s.Deliveries(t.Context(), store.DeliveryFilter{Statuses: []store.DeliveryStatus{store.DeliveryFailed}})
	if len(failed) != 1 || failed[0].Recipient != "mailto:verwaltung@mannheim.example" || !strings.Contains(failed[0].LastError, "550") {
		t.Errorf("failed deliveries = %+v", failed)
	}
	if msgs := sink.Messages(); len(msgs) != 2 || !strings.Contains(msgs[0].Text(), "https://rat.example/antraege/m1") {
		t.Errorf("sink: %d messages", len(msgs))
	}

	// Without a mailer, e-mail is off: webhooks and in-app records still go.
	off := newWorld(t, withoutMailer)
	res, err := off.notify(t, in)
	if err != nil || res != (workflows.NotifyResult{Sent: 1}) {
		t.Errorf("without mailer = %+v, %v; want the webhook only", res, err)
	}
	if n := len(off.sink.Messages()); n != 0 {
		t.Errorf("sink got %d messages with e-mail disabled", n)
	}
	log, _ := off.s.Reminders(t.Context(), "m1")
	var channels []string
	for _, d := range log {
		channels = append(channels, string(d.Channel)+"/"+string(d.Status))
	}
	slices.Sort(channels)
	// The digest is queued still: the digest sender decides how to send it.
	want := []string{"email/queued", "inapp/sent", "inapp/sent", "inapp/sent", "inapp/sent", "webhook/sent"}
	if !slices.Equal(channels, want) {
		t.Errorf("log without mailer = %v, want %v", channels, want)
	}

	// Input no retry can fix.
	bad := in
	bad.Reminder.Key = ""
	_, err = off.notify(t, bad)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Errorf("reminder without key: err = %v, want non-retryable", err)
	}
}
