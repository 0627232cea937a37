package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// webhookReceiver accepts signed reminder webhooks and keeps the verified ones.
type webhookReceiver struct {
	secret string
	mu     sync.Mutex
	events []notify.Event
	bad    int
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := notify.VerifySignature(wr.secret, r.Header, body, time.Minute); err != nil {
		wr.mu.Lock()
		wr.bad++
		wr.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev notify.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	wr.mu.Lock()
	wr.events = append(wr.events, ev)
	wr.mu.Unlock()
}

// TestRemindersArriveExactlyOnceAcrossRestarts arms an inquiry's answer
// deadline with reminders seconds apart, stops the worker and the embedded
// Temporal server (SQLite file) between arming and firing, starts both again,
// and checks that every reminder arrives exactly once: e-mails at a real SMTP
// server on loopback, and the escalation as a webhook whose signature the
// receiver verifies.
func TestRemindersArriveExactlyOnceAcrossRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := storetest.New(t)

	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	hooks := &webhookReceiver{secret: "geheimnis-der-ratsbuero-integration"}
	hookSrv := httptest.NewServer(hooks)
	defer hookSrv.Close()

	// The body, its department, and where reminders go; rules seconds apart.
	if _, err := st.UpsertBody(ctx, store.Body{ID: bodyID, Name: "Stadt Mannheim", ReferencePrefix: "A"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []store.Organization{
		{ID: factionSPD, BodyID: bodyID, Kind: store.OrgFaction, Name: "SPD"},
		{ID: department, BodyID: bodyID, Kind: store.OrgDepartment, Name: "Dezernat I"},
	} {
		if _, err := st.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, tg := range []store.NotificationTarget{
		{BodyID: bodyID, Audience: "department:" + department, Channel: store.ChannelEmail, Address: "dezernat1@mannheim.example"},
		{BodyID: bodyID, Audience: motion.AudienceCouncilOffice, Channel: store.ChannelEmail, Address: "ratsbuero@mannheim.example"},
		{BodyID: bodyID, Audience: motion.AudienceCouncilOffice, Channel: store.ChannelWebhook, Address: hookSrv.URL + "/hook", Secret: hooks.secret},
	} {
		if _, err := st.AddNotificationTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
	}
	sec := func(n int) motion.Duration { return motion.Duration(time.Duration(n) * time.Second) }
	rules := motion.DefaultDeadlineRules()
	rules.InquiryAnswer = sec(20)
	rules.Offsets = []motion.Duration{sec(-10), 0, sec(4)}
	rules.Escalation, rules.EscalationMax = sec(4), 1
	if _, err := st.SetDeadlineRules(ctx, bodyID, rules); err != nil {
		t.Fatal(err)
	}

	// Temporal with its state in a file, so that it can restart.
	// The first start picks the port, restarts keep it: the clients dialled
	// once reconnect as production's do. (A port picked here and handed to
	// the server could be taken in between by another package's connection.)
	dbFile := filepath.Join(t.TempDir(), "temporal.db")
	port := 0
	startTemporal := func() (*devstack.Temporal, client.Client) {
		tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{DBFile: dbFile, Port: port, UIPort: -1})
		if err != nil {
			t.Fatalf("start Temporal: %v", err)
		}
		port = hostPortPort(t, tmp.HostPort)
		tc, err := client.DialContext(ctx, client.Options{HostPort: tmp.HostPort, Namespace: tmp.Namespace, Logger: tlog.NewStructuredLogger(quiet)})
		if err != nil {
			t.Fatalf("dial Temporal: %v", err)
		}
		return tmp, tc
	}
	startWorker := func(tc client.Client) worker.Worker {
		w := worker.New(tc, workflows.TaskQueue, worker.Options{})
		workflows.Register(w, workflows.Options{})
		acts := &activities.Activities{Store: st, BaseURL: "http://motionflow.test",
			Mailer:   notify.NewMailer(notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), From: "motionflow <motionflow@mannheim.example>", TLS: notify.TLSNone}),
			Webhooks: &notify.Webhook{AllowPrivate: true}} // the receiver is on 127.0.0.1
		acts.Register(w)
		if err := w.Start(); err != nil {
			t.Fatalf("start worker: %v", err)
		}
		return w
	}
	tmp, tc := startTemporal()
	w := startWorker(tc)

	iss := authtest.NewIssuer(t)
	verifier, err := auth.NewVerifier(ctx, iss.Config())
	if err != nil {
		t.Fatal(err)
	}
	apiClient, err := client.DialContext(ctx, client.Options{HostPort: tmp.HostPort, Namespace: tmp.Namespace, Logger: tlog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer apiClient.Close()
	handler, _ := api.New(api.Config{}, api.Deps{Motions: &workflows.Client{Temporal: apiClient}, Auth: verifier, Store: st})
	srv := httptest.NewServer(handler)
	defer srv.Close()
	h := &harness{t: t, URL: srv.URL, Store: st, Issuer: iss, Temporal: apiClient, http: srv.Client()}
	spd := h.user("spd-staff", "Sabine Beispiel (SPD)", motion.RoleFactionStaff, "faction:"+factionSPD)

	// An inquiry to Dezernat I, submitted now: answer due in 20 seconds.
	m := h.create(spd, motion.KindInquiry, map[string]any{
		"title":                "Sachstand der digitalen Genehmigungsverfahren",
		"resolution_points":    []string{"Wie viele Genehmigungsverfahren sind bereits digital?"},
		"addressed_department": department,
	})
	submitted := h.run(spd, m.ID, motion.CmdSubmit, nil)
	due := submitted.SubmittedAt.Add(20 * time.Second)

	// Wait until the deadline is armed (projected into the read model).
	waitFor(t, 15*time.Second, "deadline armed", func() bool {
		ds, _, err := st.Deadlines(ctx, store.DeadlineFilter{MotionID: m.ID})
		return err == nil && slices.ContainsFunc(ds, func(d store.MotionDeadline) bool { return d.Kind == motion.DeadlineInquiryAnswer })
	})

	// Restart everything that runs workflows before the first reminder (due−10s).
	w.Stop()
	tc.Close()
	tmp.Stop()
	if time.Until(due.Add(-10*time.Second)) < 2*time.Second {
		t.Fatalf("arming took too long to test a restart before the first reminder")
	}
	tmp, tc = startTemporal()
	defer tmp.Stop()
	defer tc.Close()
	w = startWorker(tc)
	defer w.Stop()

	// All four reminders: three to the department, the escalation (due+8s) to the council office.
	if _, err := sink.Wait(ctx, 4); err != nil {
		t.Fatalf("reminder e-mails: %v (got %d)", err, len(sink.Messages()))
	}
	waitFor(t, 30*time.Second, "escalation webhook", func() bool {
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		return len(hooks.events) > 0
	})
	// Give duplicates a chance to show up.
	time.Sleep(3 * time.Second)
	mails := sink.Messages()

	var toDept, toOffice []smtpsink.Received
	for _, msg := range mails {
		switch {
		case slices.Contains(msg.To, "dezernat1@mannheim.example"):
			toDept = append(toDept, msg)
		case slices.Contains(msg.To, "ratsbuero@mannheim.example"):
			toOffice = append(toOffice, msg)
		default:
			t.Errorf("mail to unexpected recipients %v", msg.To)
		}
	}
	if len(toDept) != 3 || len(toOffice) != 1 {
		t.Fatalf("%d mails to the department (want 3), %d to the council office (want 1)", len(toDept), len(toOffice))
	}
	ids := map[string]bool{}
	for _, msg := range mails {
		if ids[msg.MessageID] {
			t.Errorf("duplicate reminder %s", msg.MessageID)
		}
		ids[msg.MessageID] = true
		if !strings.Contains(msg.Subject, "Anfrage") && !strings.Contains(msg.Subject, "Beantwortung") {
			t.Errorf("subject %q does not say what is due", msg.Subject)
		}
		if !strings.Contains(msg.Text(), "http://motionflow.test") || !strings.Contains(msg.HTML(), "http://motionflow.test") {
			t.Errorf("mail %q lacks the link to the motion in text or HTML", msg.Subject)
		}
	}
	hooks.mu.Lock()
	defer hooks.mu.Unlock()
	if len(hooks.events) != 1 || hooks.bad != 0 || !hooks.events[0].Reminder.Escalation || hooks.events[0].Motion.ID != m.ID {
		t.Errorf("webhooks: %d verified (want exactly 1 escalation of %s), %d with a bad signature: %+v", len(hooks.events), m.ID, hooks.bad, hooks.events)
	}
	// Every reminder is recorded in PostgreSQL too.
	recorded, err := st.Reminders(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, d := range recorded {
		if d.Status == store.DeliverySent {
			sent++
		}
	}
	if sent < 5 {
		t.Errorf("reminder log has %d sent deliveries, want at least the 3+1 mails and the webhook: %+v", sent, recorded)
	}
	// The history with its timers, reminders and the server restart replays.
	h.replayHistories(map[string]string{"inquiry-reminders": m.ID})
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
