package activities_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/testsuite"
)

// ceReceiver is a webhook endpoint taking signed CloudEvents.
type ceReceiver struct {
	url     string
	failing atomic.Bool
	mu      sync.Mutex
	events  []cloudevents.Event
	bad     []string
}

func newCEReceiver(t *testing.T) *ceReceiver {
	rc := &ceReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.failing.Load() {
			http.Error(w, "kaputt", http.StatusBadGateway)
			return
		}
		var ev cloudevents.Event
		err := notify.VerifySignature(hookSecret, r.Header, body, time.Minute)
		if err == nil {
			err = ev.UnmarshalJSON(body)
		}
		if err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), notify.CloudEventsContentType) {
			rc.bad = append(rc.bad, r.Header.Get("Content-Type")+" "+errString(err))
			http.Error(w, "falsch", http.StatusBadRequest)
			return
		}
		rc.events = append(rc.events, ev)
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/ereignisse"
	return rc
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// announceWorld is a body with three factions, a committee, their
// mailboxes, an event webhook, watchers and subscribers of a motion of the
// SPD co-sponsored by the CDU.
type announceWorld struct {
	env  *testsuite.TestActivityEnvironment
	s    *store.Store
	sink *smtpsink.Sink
	hook *ceReceiver
	m    motion.Motion
}

func newAnnounceWorld(t *testing.T) *announceWorld {
	t.Helper()
	s := storetest.New(t)
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	acts := &activities.Activities{Store: s, BaseURL: "https://rat.example/antraege/{id}", Mailer: sinkMailer(sink),
		Webhooks: &notify.Webhook{AllowPrivate: true}}
	w := &announceWorld{env: setupWith(t, s, acts), s: s, sink: sink, hook: newCEReceiver(t)}
	ctx := t.Context()
	for _, o := range []store.Organization{
		{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD"},
		{ID: "cdu", BodyID: "ma", Kind: store.OrgFaction, Name: "CDU"},
		{ID: "gruene", BodyID: "ma", Kind: store.OrgFaction, Name: "Grüne"},
		{ID: "ha", BodyID: "ma", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
	} {
		if _, err := s.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, nt := range []store.NotificationTarget{
		{BodyID: "ma", Audience: "faction:spd", Channel: store.ChannelEmail, Address: "spd@mannheim.example"},
		{BodyID: "ma", Audience: "faction:cdu", Channel: store.ChannelEmail, Address: "cdu@mannheim.example"},
		{BodyID: "ma", Audience: "faction:gruene", Channel: store.ChannelEmail, Address: "gruene@mannheim.example"},
		{BodyID: "ma", Audience: store.AudienceEvents, Channel: store.ChannelWebhook, Address: w.hook.url, Secret: hookSecret},
		// The council office's reminders are not the steps' audience.
		{BodyID: "ma", Audience: motion.AudienceCouncilOffice, Channel: store.ChannelEmail, Address: "ratsbuero@mannheim.example"},
	} {
		if _, err := s.AddNotificationTarget(ctx, nt); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w.m = motion.Motion{ID: "m1", BodyID: "ma", Version: 3, Kind: motion.KindMotion, Status: motion.StatusRegistered, Reference: "A12/2026",
		Content: motion.Content{Title: "Sanierung der Schulen", Tags: []string{"Schule", "Bauen"}}, Faction: "spd", Cosponsors: []string{"cdu"},
		Consultations: []motion.Consultation{{ID: "c1", OrganizationID: "ha"}},
		CreatedAt:     at, UpdatedAt: at, SubmittedAt: &at}
	if err := s.Project(ctx, w.m, motion.Event{MotionID: "m1", Version: 3, Command: motion.CmdRegister, At: at, Status: w.m.Status}); err != nil {
		t.Fatal(err)
	}
	for _, wt := range []store.Watch{
		{MotionID: "m1", Subject: "u1", Name: "Erika Muster", Email: "erika@example.org", Channels: []store.Channel{store.ChannelEmail, store.ChannelInApp}, EmailConfirmed: true},
		// An address nobody confirmed is not mailed.
		{MotionID: "m1", Subject: "u2", Email: "fremd@example.org", Channels: []store.Channel{store.ChannelEmail}},
		// The daily digest: steps are queued for it, not mailed one by one.
		{MotionID: "m1", Subject: "u6", Email: "digest@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true, EmailConfirmed: true},
	} {
		if _, err := s.Watch(ctx, wt); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []store.Subscription{
		{Subject: "u3", BodyID: "ma", Kind: store.SubscribeKeyword, Value: "schule", Channels: []store.Channel{store.ChannelInApp}},
		{Subject: "u4", BodyID: "ma", Kind: store.SubscribeOrganization, Value: "ha", Email: "hans@example.org",
			Channels: []store.Channel{store.ChannelEmail}, EmailConfirmed: true},
		{Subject: "u5", BodyID: "ma", Kind: store.SubscribeKeyword, Value: "Verkehr", Channels: []store.Channel{store.ChannelInApp}},
	} {
		if _, err := s.Subscribe(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *announceWorld) announce(t *testing.T, m motion.Motion, ev motion.Event) (workflows.NotifyResult, error) {
	t.Helper()
	v, err := w.env.ExecuteActivity(workflows.ActivityAnnounce, workflows.AnnounceInput{Motion: &m, Event: &ev})
	if err != nil {
		return workflows.NotifyResult{}, err
	}
	var res workflows.NotifyResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res, nil
}

func (w *announceWorld) inbox(t *testing.T, recipient string) []string {
	t.Helper()
	ns, err := w.s.Inbox(t.Context(), store.InboxFilter{Recipients: []string{recipient}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.EventID+" "+n.Text)
	}
	return out
}

func TestAnnounceTellsSponsorsFollowersAndWebhookOnce(t *testing.T) {
	t.Parallel()
	w := newAnnounceWorld(t)
	ev := motion.Event{MotionID: "m1", Version: 3, Command: motion.CmdRegister, At: w.m.UpdatedAt, Status: w.m.Status,
		Summary: "Eingetragen als A12/2026"}

	res, err := w.announce(t, w.m, ev)
	if err != nil {
		t.Fatal(err)
	}
	// Mails: both sponsors, the confirmed watcher, the committee's follower;
	// one webhook request.
	if res != (workflows.NotifyResult{Sent: 5}) {
		t.Errorf("first Announce = %+v, want 5 sent (4 mails, 1 webhook)", res)
	}
	got := recipients(w.sink.Messages())
	want := []string{"cdu@mannheim.example", "erika@example.org", "hans@example.org", "spd@mannheim.example"}
	if !slices.Equal(got, want) {
		t.Errorf("mailed %q, want %q", got, want)
	}
	for _, m := range w.sink.Messages() {
		if m.Subject != "Registriert als A12/2026 – „Sanierung der Schulen“" {
			t.Errorf("subject %q", m.Subject)
		}
	}
	line := "motion/m1/v3 Registriert als A12/2026 – „Sanierung der Schulen“"
	for recipient, want := range map[string]int{
		"audience:faction:spd": 1, "audience:faction:cdu": 1, "audience:faction:gruene": 0,
		"user:u1": 1, "user:u2": 0, "user:u3": 1, "user:u4": 0, "user:u5": 0,
	} {
		entries := w.inbox(t, recipient)
		if len(entries) != want || (want == 1 && entries[0] != line) {
			t.Errorf("inbox of %s: %q, want %d entry %q", recipient, entries, want, line)
		}
	}
	w.hook.mu.Lock()
	if len(w.hook.events) != 1 || len(w.hook.bad) > 0 {
		t.Fatalf("webhook got %d events, bad %q", len(w.hook.events), w.hook.bad)
	}
	ce := w.hook.events[0]
	if ce.ID() != "motion/m1/v3" || ce.Type() != "de.motionflow.motion.registered" || ce.Source() != "/bodies/ma" ||
		ce.Subject() != "motions/m1" || !ce.Time().Equal(ev.At) {
		t.Errorf("CloudEvent %s %s %s %s %v", ce.ID(), ce.Type(), ce.Source(), ce.Subject(), ce.Time())
	}
	var step notify.Step
	if err := ce.DataAs(&step); err != nil || step.Motion == nil || step.Motion.Reference != "A12/2026" ||
		!slices.Equal(step.Motion.Cosponsors, []string{"cdu"}) || step.Link != "https://rat.example/antraege/m1" {
		t.Errorf("data %+v (%v)", step, err)
	}
	w.hook.mu.Unlock()
	if n, err := w.s.Notice(t.Context(), "motion/m1/v3", store.EmailRecipient("digest@example.org")); err != nil ||
		n.Status != store.DeliveryQueued || n.Text != line[len("motion/m1/v3 "):] || n.Link != "https://rat.example/antraege/m1" {
		t.Errorf("the digest watcher's notice = %+v, %v; want it queued", n, err)
	}

	// Announcing the same step again (a retry, a replay) sends nothing.
	res, err = w.announce(t, w.m, ev)
	if err != nil {
		t.Fatal(err)
	}
	if res != (workflows.NotifyResult{Skipped: 5}) || len(w.sink.Messages()) != 4 || len(w.inbox(t, "audience:faction:spd")) != 1 {
		t.Errorf("second Announce = %+v, %d mails, want everything skipped", res, len(w.sink.Messages()))
	}
}

func TestAnnounceRetriesOnlyTheFailedWebhook(t *testing.T) {
	t.Parallel()
	w := newAnnounceWorld(t)
	ev := motion.Event{MotionID: "m1", Version: 3, Command: motion.CmdRegister, At: w.m.UpdatedAt, Status: w.m.Status, Summary: "Eingetragen"}
	w.hook.failing.Store(true)
	if _, err := w.announce(t, w.m, ev); err == nil || !strings.Contains(err.Error(), "1 of 5 notices failed") {
		t.Fatalf("Announce with the receiver down: %v, want a retryable failure of 1 of 5", err)
	}
	n, err := w.s.Notice(t.Context(), "motion/m1/v3", store.WebhookRecipient(w.hook.url))
	if err != nil || n.Status != store.DeliveryPending || !strings.Contains(n.LastError, "502") || n.Attempts != 1 {
		t.Errorf("delivery log after the failure: %+v (%v)", n, err)
	}
	w.hook.failing.Store(false)
	res, err := w.announce(t, w.m, ev)
	if err != nil {
		t.Fatal(err)
	}
	if res != (workflows.NotifyResult{Sent: 1, Skipped: 4}) || len(w.sink.Messages()) != 4 {
		t.Errorf("retry = %+v with %d mails, want only the webhook sent", res, len(w.sink.Messages()))
	}
	log, err := w.s.TargetDeliveries(t.Context(), n.TargetID, 10)
	if err != nil || len(log) != 1 || log[0].Status != store.DeliverySent || log[0].Attempts != 2 || log[0].Type != "de.motionflow.motion.registered" {
		t.Errorf("delivery log %+v (%v)", log, err)
	}
}

func TestAnnounceKeepsTheDraftPhaseToItself(t *testing.T) {
	t.Parallel()
	w := newAnnounceWorld(t)
	draft := w.m
	draft.Status, draft.SubmittedAt, draft.Reference = motion.StatusDraft, nil, ""
	for _, cmd := range []motion.CommandName{motion.CmdCreate, motion.CmdEdit, motion.CmdInviteCosponsor, motion.CmdWithdraw} {
		res, err := w.announce(t, draft, motion.Event{MotionID: "m1", Version: 2, Command: cmd, At: w.m.UpdatedAt, Status: draft.Status, Summary: "Entwurf"})
		if err != nil || res != (workflows.NotifyResult{}) {
			t.Errorf("%s of a draft: %+v, %v; want nothing announced", cmd, res, err)
		}
	}
	var n int
	if err := w.s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM notices`).Scan(&n); err != nil || n != 0 || len(w.sink.Messages()) != 0 {
		t.Errorf("%d notices and %d mails of a draft (%v)", n, len(w.sink.Messages()), err)
	}
}

// TestAnnounceQueuesStepsForTheDigest: a watcher who chose the daily digest
// gets the step in the next digest, once, not at once; an address that gets
// the step at once anyway (a faction's mailbox, a subscriber's immediate
// e-mail) gets it once and not again in the digest.
func TestAnnounceQueuesStepsForTheDigest(t *testing.T) {
	t.Parallel()
	w := newAnnounceWorld(t)
	for _, wt := range []store.Watch{
		{MotionID: "m1", Subject: "u7", Email: "spd@mannheim.example", Channels: []store.Channel{store.ChannelEmail}, Digest: true, EmailConfirmed: true},
		{MotionID: "m1", Subject: "u8", Email: "Hans@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true, EmailConfirmed: true},
	} {
		if _, err := w.s.Watch(t.Context(), wt); err != nil {
			t.Fatal(err)
		}
	}
	registered := motion.Event{MotionID: "m1", Version: 3, Command: motion.CmdRegister, At: w.m.UpdatedAt, Status: w.m.Status,
		Summary: "Eingetragen als A12/2026"}
	scheduledM := w.m
	scheduledM.Version, scheduledM.Status = 4, motion.StatusInConsultation
	scheduled := motion.Event{MotionID: "m1", Version: 4, Command: motion.CmdSchedule, At: time.Date(2026, 3, 3, 15, 30, 0, 0, time.UTC),
		Status: scheduledM.Status, Summary: "Auf die Tagesordnung des Hauptausschusses gesetzt"}
	for _, step := range []struct {
		m  motion.Motion
		ev motion.Event
	}{{w.m, registered}, {scheduledM, scheduled}} {
		if res, err := w.announce(t, step.m, step.ev); err != nil || res != (workflows.NotifyResult{Sent: 5}) {
			t.Fatalf("announce %s = %+v, %v; want 4 mails and 1 webhook, the digest's not counted", step.ev.Command, res, err)
		}
	}
	want := []string{"cdu@mannheim.example", "cdu@mannheim.example", "erika@example.org", "erika@example.org",
		"hans@example.org", "hans@example.org", "spd@mannheim.example", "spd@mannheim.example"}
	if got := recipients(w.sink.Messages()); !slices.Equal(got, want) {
		t.Errorf("mailed at once %q, want %q", got, want)
	}
	for rcpt, want := range map[string]store.DeliveryStatus{
		"spd@mannheim.example": store.DeliverySent, "hans@example.org": store.DeliverySent, "digest@example.org": store.DeliveryQueued,
	} {
		if n, err := w.s.Notice(t.Context(), "motion/m1/v4", store.EmailRecipient(rcpt)); err != nil || n.Status != want {
			t.Errorf("notice to %s = %+v, %v; want %s", rcpt, n, err, want)
		}
	}

	w.sink.Reset()
	digest := func(run string, at time.Time) workflows.DigestResult {
		t.Helper()
		v, err := w.env.ExecuteActivity(workflows.ActivityDigest, workflows.DigestInput{Run: run, At: at})
		if err != nil {
			t.Fatal(err)
		}
		var res workflows.DigestResult
		if err := v.Get(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := digest("2026-03-04", time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)); res != (workflows.DigestResult{Recipients: 1, Sent: 1, Items: 2}) {
		t.Errorf("digest run = %+v, want one e-mail with both steps", res)
	}
	msgs := w.sink.Messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"digest@example.org"}) {
		t.Fatalf("digest mailed to %q, want digest@example.org alone", recipients(msgs))
	}
	text := strings.ReplaceAll(msgs[0].Text(), "\r\n", "\n") // the mail's lines end in CRLF
	for _, want := range []string{
		"Neuigkeiten zu Ihren Vorgängen\n\n1. Registriert als A12/2026 – „Sanierung der Schulen“\n   Datum:   02.03.2026 10:00 Uhr\n" +
			"   Link:    https://rat.example/antraege/m1\n",
		"\n2. Zur Beratung in eine Sitzung eingeplant – A12/2026 „Sanierung der Schulen“\n   Datum:   03.03.2026 16:30 Uhr\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest text lacks %q:\n%s", want, text)
		}
	}
	if msgs[0].Subject != "Tägliche Übersicht vom 04.03.2026: 2 Neuigkeiten" {
		t.Errorf("digest subject %q", msgs[0].Subject)
	}

	// Announcing a step again and the next run send nothing.
	if res, err := w.announce(t, scheduledM, scheduled); err != nil || res != (workflows.NotifyResult{Skipped: 5}) {
		t.Errorf("announce again = %+v, %v", res, err)
	}
	if res := digest("2026-03-05", time.Date(2026, 3, 5, 6, 0, 0, 0, time.UTC)); res != (workflows.DigestResult{}) {
		t.Errorf("next run = %+v, want nothing waiting", res)
	}
	if n := len(w.sink.Messages()); n != 1 {
		t.Errorf("%d mails after the repeat, want the one digest", n)
	}
}
