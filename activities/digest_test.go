package activities_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/temporal"
)

// switchMailer sends through next unless told to fail, transiently or for good.
type switchMailer struct {
	next      activities.Mailer
	mu        sync.Mutex
	fail      error
	attempted []string
}

func (m *switchMailer) Send(ctx context.Context, to string, msg notify.Message) error {
	m.mu.Lock()
	fail := m.fail
	if strings.Contains(msg.Subject, "Übersicht vom") { // a digest
		m.attempted = append(m.attempted, to)
	}
	m.mu.Unlock()
	if fail != nil {
		return fail
	}
	return m.next.Send(ctx, to, msg)
}

func (m *switchMailer) failWith(err error) {
	m.mu.Lock()
	m.fail = err
	m.mu.Unlock()
}

// digestWorld is the notify world with a second motion, "m2": the digest
// watcher of m1 (digest@example.org) also watches m2, and Max watches only
// m2, by digest.
func digestWorld(t *testing.T) (*world, *switchMailer) {
	t.Helper()
	sm := &switchMailer{}
	w := newWorld(t, func(s *store.Store, sink *smtpsink.Sink) *activities.Activities {
		sm.next = sinkMailer(sink)
		return &activities.Activities{Store: s, BaseURL: "http://127.0.0.1:8080", Mailer: sm}
	})
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m2 := motion.Motion{ID: "m2", BodyID: "ma", Version: 1, Kind: motion.KindMotion, Status: motion.StatusRegistered,
		Reference: "A13/2026", Content: motion.Content{Title: "Sichere Radwege am Ring"}, Faction: "gruene",
		CreatedAt: at, UpdatedAt: at, SubmittedAt: &at}
	if err := w.s.Project(t.Context(), m2, motion.Event{MotionID: "m2", Version: 1, Command: motion.CmdCreate, At: at, Status: m2.Status}); err != nil {
		t.Fatal(err)
	}
	for _, wt := range []store.Watch{
		{MotionID: "m2", Subject: "u2", Email: "digest@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true, EmailConfirmed: true},
		{MotionID: "m2", Subject: "u5", Name: "Max Beispiel", Email: "max@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true, EmailConfirmed: true},
	} {
		if _, err := w.s.Watch(t.Context(), wt); err != nil {
			t.Fatal(err)
		}
	}
	return w, sm
}

// reportDue is when m2's implementation report is due: Monday 30 March 2026, 12:00 in Berlin.
var reportDue = time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)

func reportReminder(offset time.Duration) workflows.NotifyInput {
	d := motion.Deadline{Key: "implementation_report", Kind: motion.DeadlineImplementationReport, Due: reportDue,
		Rule: "implementation_report", RuleVersion: 1, Audiences: []string{motion.AudienceAdministration}}
	return workflows.NotifyInput{
		Motion: workflows.MotionSummary{ID: "m2", BodyID: "ma", Reference: "A13/2026", Title: "Sichere Radwege am Ring",
			Kind: motion.KindMotion, Status: motion.StatusRegistered, Faction: "gruene"},
		Reminder: motion.Reminder{Key: "implementation_report@" + motion.Duration(offset).String(), Deadline: d,
			Offset: motion.Duration(offset), At: reportDue.Add(offset), Audiences: d.Audiences},
	}
}

func (w *world) digest(t *testing.T, run string, at time.Time) (workflows.DigestResult, error) {
	t.Helper()
	v, err := w.env.ExecuteActivity(workflows.ActivityDigest, workflows.DigestInput{Run: run, At: at})
	if err != nil {
		return workflows.DigestResult{}, err
	}
	var res workflows.DigestResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res, nil
}

func (w *world) queue(t *testing.T, ins ...workflows.NotifyInput) {
	t.Helper()
	for _, in := range ins {
		if _, err := w.notify(t, in); err != nil {
			t.Fatal(err)
		}
	}
	w.sink.Reset() // the immediate e-mails to targets and watchers
}

func byRecipient(t *testing.T, msgs []smtpsink.Received) map[string]smtpsink.Received {
	t.Helper()
	out := map[string]smtpsink.Received{}
	for _, m := range msgs {
		if len(m.To) != 1 {
			t.Fatalf("digest to %v, want one recipient", m.To)
		}
		if _, dup := out[m.To[0]]; dup {
			t.Errorf("two digests to %s", m.To[0])
		}
		out[m.To[0]] = m
	}
	return out
}

var berlin, _ = time.LoadLocation("Europe/Berlin")

func TestDigestOneMailPerRecipientOnce(t *testing.T) {
	t.Parallel()
	w, _ := digestWorld(t)
	week := -7 * 24 * time.Hour
	// Monday 16 March: m1's answer is due in a week; Tuesday: m2's report too.
	w.queue(t, reminder(week, false), reportReminder(week))
	run1 := time.Date(2026, 3, 24, 7, 0, 0, 0, berlin) // the answer is overdue by then, the report due in 6 days

	res, err := w.digest(t, "2026-03-24", run1)
	if err != nil {
		t.Fatal(err)
	}
	if res != (workflows.DigestResult{Recipients: 2, Sent: 2, Items: 3}) {
		t.Errorf("digest = %+v, want 2 e-mails with 3 reminders", res)
	}
	mails := byRecipient(t, w.sink.Messages())
	if len(mails) != 2 {
		t.Fatalf("sink got %d digests, want 2: %v", len(mails), recipients(w.sink.Messages()))
	}
	both := mails["digest@example.org"]
	if both.Subject != "Fristen-Übersicht vom 24.03.2026: 2 Erinnerungen" {
		t.Errorf("subject = %q", both.Subject)
	}
	text := both.Text()
	for _, want := range []string{
		"Guten Tag,",
		"Stand 24.03.2026 07:00 Uhr",
		"1. Anfrage A12/2026 „Sanierung der Schulen“",
		"Frist:   Beantwortung der Anfrage",
		"Fällig:  23.03.2026 18:00 Uhr – seit gestern überfällig",
		"Link:    http://127.0.0.1:8080/v1/motions/m1",
		"2. Antrag A13/2026 „Sichere Radwege am Ring“",
		"Frist:   Bericht zur Umsetzung",
		"Fällig:  30.03.2026 12:00 Uhr – in 6 Tagen fällig",
		"Link:    http://127.0.0.1:8080/v1/motions/m2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest text lacks %q:\n%s", want, text)
		}
	}
	html := both.HTML()
	for _, want := range []string{`<a href="http://127.0.0.1:8080/v1/motions/m1">Anfrage A12/2026 „Sanierung der Schulen“</a>`,
		`<a href="http://127.0.0.1:8080/v1/motions/m2">`, "in 6 Tagen fällig"} {
		if !strings.Contains(html, want) {
			t.Errorf("digest HTML lacks %q:\n%s", want, html)
		}
	}
	id := store.DigestID("2026-03-24", store.EmailRecipient("digest@example.org"))
	if both.MessageID != id+"@mannheim.example" || both.Header().Get(notify.HeaderDelivery) != id {
		t.Errorf("Message-ID %q, %s %q; want the digest id %s", both.MessageID, notify.HeaderDelivery, both.Header().Get(notify.HeaderDelivery), id)
	}
	maxMail := mails["max@example.org"]
	if maxMail.Subject != "Fristen-Übersicht vom 24.03.2026: 1 Erinnerung" ||
		!strings.Contains(maxMail.Text(), "Guten Tag Max Beispiel,") || strings.Contains(maxMail.Text(), "A12/2026") ||
		!strings.Contains(maxMail.Text(), "A13/2026") || !strings.Contains(maxMail.Header().Get("To"), "Max Beispiel") {
		t.Errorf("Max's digest: %q, To %q\n%s", maxMail.Subject, maxMail.Header().Get("To"), maxMail.Text())
	}
	queued, _ := w.s.Deliveries(t.Context(), store.DeliveryFilter{Statuses: []store.DeliveryStatus{store.DeliveryQueued}})
	if len(queued) != 0 {
		t.Errorf("%d rows still queued after the digest", len(queued))
	}

	// The same run again (a retry, a replay): nothing new goes out.
	res, err = w.digest(t, "2026-03-24", run1)
	if err != nil || res != (workflows.DigestResult{}) {
		t.Errorf("repeated run = %+v, %v; want nothing waiting", res, err)
	}
	if n := len(w.sink.Messages()); n != 2 {
		t.Errorf("sink has %d messages after the repeat, want 2", n)
	}

	// A reminder queued later goes in the next day's digest, alone.
	w.queue(t, reportReminder(-24*time.Hour))
	if res, err := w.digest(t, "2026-03-24", run1); err != nil || res != (workflows.DigestResult{Recipients: 2, Skipped: 2}) {
		t.Errorf("the sent run again = %+v, %v; want both digests skipped, nothing new claimed", res, err)
	}
	if n := len(w.sink.Messages()); n != 0 {
		t.Errorf("the sent run again mailed %d messages", n)
	}
	res, err = w.digest(t, "2026-03-30", time.Date(2026, 3, 30, 7, 0, 0, 0, berlin))
	if err != nil || res != (workflows.DigestResult{Recipients: 2, Sent: 2, Items: 2}) {
		t.Errorf("next day = %+v, %v; want 2 digests of 1 reminder", res, err)
	}
	for to, m := range byRecipient(t, w.sink.Messages()) {
		if m.Subject != "Fristen-Übersicht vom 30.03.2026: 1 Erinnerung" || strings.Contains(m.Text(), "A12/2026") ||
			!strings.Contains(m.Text(), "30.03.2026 12:00 Uhr – heute fällig") {
			t.Errorf("next day's digest to %s: %q\n%s", to, m.Subject, m.Text())
		}
	}
}

func TestDigestRetrySendsTheSameSet(t *testing.T) {
	t.Parallel()
	w, sm := digestWorld(t)
	w.queue(t, reminder(-7*24*time.Hour, false))
	at := time.Date(2026, 3, 17, 7, 0, 0, 0, berlin)

	// The mail server is down: the run fails retryably, the digest keeps its rows.
	sm.failWith(errors.New("451 4.3.0 try again later"))
	_, err := w.digest(t, "2026-03-17", at)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.NonRetryable() || app.Type() != activities.ErrTypeDelivery {
		t.Fatalf("digest with the server down: err = %v, want a retryable %s", err, activities.ErrTypeDelivery)
	}
	id := store.DigestID("2026-03-17", store.EmailRecipient("digest@example.org"))
	if d, err := w.s.Digest(t.Context(), id); err != nil || d.Status != store.DeliveryPending || d.Count != 1 ||
		d.Attempts != 1 || !strings.Contains(d.LastError, "451") {
		t.Errorf("digest after the failure = %+v, %v", d, err)
	}

	// Meanwhile m2's reminder is queued, for both watchers. The retry mails
	// digest@ the set its digest claimed first (not m2's reminder); Max,
	// who had no digest in this run yet, gets his.
	sm.failWith(nil)
	w.queue(t, reportReminder(-7*24*time.Hour))
	res, err := w.digest(t, "2026-03-17", at)
	if err != nil || res != (workflows.DigestResult{Recipients: 2, Sent: 2, Items: 2}) {
		t.Fatalf("retry = %+v, %v; want 2 digests of 1 reminder", res, err)
	}
	mails := byRecipient(t, w.sink.Messages())
	if m := mails["digest@example.org"]; m.MessageID != id+"@mannheim.example" ||
		strings.Contains(m.Text(), "A13/2026") || !strings.Contains(m.Text(), "A12/2026") {
		t.Errorf("retry's digest to digest@: %s\n%s", m.MessageID, m.Text())
	}
	if m := mails["max@example.org"]; !strings.Contains(m.Text(), "A13/2026") {
		t.Errorf("retry's digest to Max:\n%s", m.Text())
	}

	// A later run (here one on demand) sends the rest, nothing twice.
	w.sink.Reset()
	res, err = w.digest(t, "now/2026-03-17T12:00:00Z", at.Add(5*time.Hour))
	if err != nil || res != (workflows.DigestResult{Recipients: 1, Sent: 1, Items: 1}) {
		t.Fatalf("later run = %+v, %v", res, err)
	}
	got := byRecipient(t, w.sink.Messages())
	if m, ok := got["digest@example.org"]; len(got) != 1 || !ok || strings.Contains(m.Text(), "A12/2026") || !strings.Contains(m.Text(), "A13/2026") {
		t.Errorf("later run mailed %v:\n%s", recipients(w.sink.Messages()), m.Text())
	}
}

func TestDigestUnfinishedOneIsResentUnderItsOwnID(t *testing.T) {
	t.Parallel()
	w, sm := digestWorld(t)
	w.queue(t, reminder(-7*24*time.Hour, false))
	day1 := time.Date(2026, 3, 17, 7, 0, 0, 0, berlin)

	// Day 1's run gives up (the workflow logs it and waits for the next day).
	sm.failWith(errors.New("connection refused"))
	if _, err := w.digest(t, "2026-03-17", day1); err == nil {
		t.Fatal("digest succeeded with the server down")
	}
	sm.failWith(nil)
	// Another attempt is still sending day 1's digest: the run says so and sends nothing of it.
	id1 := store.DigestID("2026-03-17", store.EmailRecipient("digest@example.org"))
	if _, claimed, err := w.s.ClaimDigest(t.Context(), id1, time.Minute); err != nil || !claimed {
		t.Fatalf("ClaimDigest = %v, %v", claimed, err)
	}
	if _, err := w.digest(t, "2026-03-17", day1); err == nil || !strings.Contains(err.Error(), "being sent elsewhere") {
		t.Errorf("run while another attempt holds the claim: err = %v", err)
	}
	if n := len(w.sink.Messages()); n != 0 {
		t.Fatalf("sent %d messages while another attempt holds the claim", n)
	}
	// That attempt died; its lease runs out.
	if _, err := w.s.Pool.Exec(t.Context(), `UPDATE digests SET lease_until = now() - interval '1 second' WHERE id = $1`, id1); err != nil {
		t.Fatal(err)
	}

	// Day 2: day 1's digest goes out as it was, and day 2's with what came since.
	w.queue(t, reportReminder(-7*24*time.Hour))
	res, err := w.digest(t, "2026-03-18", day1.AddDate(0, 0, 1))
	if err != nil || res != (workflows.DigestResult{Recipients: 2, Sent: 3, Items: 3}) {
		t.Fatalf("day 2 = %+v, %v", res, err)
	}
	var subjects []string
	for _, m := range w.sink.Messages() {
		subjects = append(subjects, m.To[0]+" "+m.Subject+" "+m.MessageID)
	}
	slices.Sort(subjects)
	id2 := store.DigestID("2026-03-18", store.EmailRecipient("digest@example.org"))
	idMax := store.DigestID("2026-03-18", store.EmailRecipient("max@example.org"))
	want := []string{
		"digest@example.org Fristen-Übersicht vom 17.03.2026: 1 Erinnerung " + id1 + "@mannheim.example",
		"digest@example.org Fristen-Übersicht vom 18.03.2026: 1 Erinnerung " + id2 + "@mannheim.example",
		"max@example.org Fristen-Übersicht vom 18.03.2026: 1 Erinnerung " + idMax + "@mannheim.example",
	}
	slices.Sort(want)
	if !slices.Equal(subjects, want) {
		t.Errorf("day 2 mailed\n%q\nwant\n%q", subjects, want)
	}
}

func TestDigestPermanentFailureAndDisabledMail(t *testing.T) {
	t.Parallel()
	w, sm := digestWorld(t)
	w.queue(t, reminder(-7*24*time.Hour, false))
	at := time.Date(2026, 3, 17, 7, 0, 0, 0, berlin)
	sm.failWith(&notify.PermanentError{Err: errors.New("550 5.1.1 no such user")})
	res, err := w.digest(t, "2026-03-17", at)
	if err != nil || res != (workflows.DigestResult{Recipients: 1, Failed: 1}) {
		t.Fatalf("refused digest = %+v, %v; want it failed, no retry", res, err)
	}
	failed, _ := w.s.Deliveries(t.Context(), store.DeliveryFilter{Statuses: []store.DeliveryStatus{store.DeliveryFailed}})
	if len(failed) != 1 || failed[0].Recipient != "mailto:digest@example.org" || !strings.Contains(failed[0].LastError, "550") {
		t.Errorf("failed rows = %+v", failed)
	}
	sm.failWith(nil)
	if res, err := w.digest(t, "2026-03-18", at.AddDate(0, 0, 1)); err != nil || res != (workflows.DigestResult{}) {
		t.Errorf("after a refusal = %+v, %v; want nothing retried", res, err)
	}
	if len(sm.attempted) != 1 {
		t.Errorf("digest attempted %d times, want 1", len(sm.attempted))
	}

	// Without a mailer the rows stay queued.
	off := newWorld(t, withoutMailer)
	if _, err := off.notify(t, reminder(-7*24*time.Hour, false)); err != nil {
		t.Fatal(err)
	}
	v, err := off.env.ExecuteActivity(workflows.ActivityDigest, workflows.DigestInput{Run: "2026-03-17", At: at})
	if err != nil {
		t.Fatal(err)
	}
	var r workflows.DigestResult
	if err := v.Get(&r); err != nil || r != (workflows.DigestResult{}) {
		t.Errorf("without mailer = %+v, %v", r, err)
	}
	if queued, _ := off.s.Deliveries(t.Context(), store.DeliveryFilter{Statuses: []store.DeliveryStatus{store.DeliveryQueued}}); len(queued) != 1 {
		t.Errorf("without mailer %d rows queued, want 1", len(queued))
	}

	// Input no retry can fix.
	_, err = off.env.ExecuteActivity(workflows.ActivityDigest, workflows.DigestInput{At: at})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Errorf("run without name: err = %v, want non-retryable", err)
	}
}

func (w *world) announce(t *testing.T, m motion.Motion, ev motion.Event) workflows.NotifyResult {
	t.Helper()
	v, err := w.env.ExecuteActivity(workflows.ActivityAnnounce, workflows.AnnounceInput{Motion: &m, Event: &ev})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.NotifyResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDigestMailsQueuedStepsOnce: the steps of watched motions wait, queued,
// for the watchers' digest; a failed send keeps them for the retry, which
// mails each of them once, with the recipient's reminders; a later run
// mails nothing again.
func TestDigestMailsQueuedStepsOnce(t *testing.T) {
	t.Parallel()
	w, sm := digestWorld(t)
	submitted := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m2 := motion.Motion{ID: "m2", BodyID: "ma", Version: 2, Kind: motion.KindMotion, Status: motion.StatusRegistered,
		Reference: "A13/2026", Content: motion.Content{Title: "Sichere Radwege am Ring"}, Faction: "gruene", SubmittedAt: &submitted}
	registered := motion.Event{MotionID: "m2", Version: 2, Command: motion.CmdRegister, Status: m2.Status,
		At: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Summary: "Eingetragen als A13/2026"}
	scheduled := m2
	scheduled.Version, scheduled.Status = 3, motion.StatusInConsultation
	onAgenda := motion.Event{MotionID: "m2", Version: 3, Command: motion.CmdSchedule, Status: scheduled.Status,
		At: time.Date(2026, 3, 16, 22, 30, 0, 0, time.UTC), Summary: "Auf die Tagesordnung gesetzt"}
	// m2's watchers both chose the digest: nothing goes out at once.
	for _, s := range []struct {
		m  motion.Motion
		ev motion.Event
	}{{m2, registered}, {scheduled, onAgenda}} {
		if res := w.announce(t, s.m, s.ev); res != (workflows.NotifyResult{}) {
			t.Errorf("announce %s = %+v, want nothing sent", s.ev.Command, res)
		}
	}
	if n := len(w.sink.Messages()); n != 0 {
		t.Fatalf("%d mails at once, want none", n)
	}
	w.queue(t, reminder(-7*24*time.Hour, false)) // m1's reminder, for digest@ alone

	// The mail server is down: the steps stay queued in the run's digests.
	at := time.Date(2026, 3, 17, 7, 0, 0, 0, berlin)
	sm.failWith(errors.New("451 4.3.0 try again later"))
	if _, err := w.digest(t, "2026-03-17", at); err == nil {
		t.Fatal("digest succeeded with the server down")
	}
	digestAddr := store.EmailRecipient("digest@example.org")
	for _, rcpt := range []string{digestAddr, store.EmailRecipient("max@example.org")} {
		for _, ev := range []string{"motion/m2/v2", "motion/m2/v3"} {
			if n, err := w.s.Notice(t.Context(), ev, rcpt); err != nil || n.Status != store.DeliveryQueued {
				t.Errorf("%s to %s after the failure = %+v, %v; want queued", ev, rcpt, n, err)
			}
		}
	}
	if d, err := w.s.Digest(t.Context(), store.DigestID("2026-03-17", digestAddr)); err != nil || d.Count != 3 || d.Status != store.DeliveryPending {
		t.Errorf("digest@'s digest after the failure = %+v, %v; want 1 reminder and 2 steps pending", d, err)
	}

	// The retry mails each recipient's steps once.
	sm.failWith(nil)
	res, err := w.digest(t, "2026-03-17", at)
	if err != nil || res != (workflows.DigestResult{Recipients: 2, Sent: 2, Items: 5}) {
		t.Fatalf("retry = %+v, %v; want 2 e-mails with 1 reminder and 4 steps", res, err)
	}
	mails := byRecipient(t, w.sink.Messages())
	both, maxMail := mails["digest@example.org"], mails["max@example.org"]
	if both.Subject != "Tägliche Übersicht vom 17.03.2026: 1 Erinnerung, 2 Neuigkeiten" ||
		maxMail.Subject != "Tägliche Übersicht vom 17.03.2026: 2 Neuigkeiten" {
		t.Errorf("subjects %q, %q", both.Subject, maxMail.Subject)
	}
	text := strings.ReplaceAll(both.Text(), "\r\n", "\n") // the mail's lines end in CRLF
	for _, want := range []string{
		": 1 Erinnerung und 2 Neuigkeiten.\n",
		"\nFristen\n\n1. Anfrage A12/2026 „Sanierung der Schulen“\n",
		"\nNeuigkeiten zu Ihren Vorgängen\n\n1. Registriert als A13/2026 – „Sichere Radwege am Ring“\n" +
			"   Datum:   02.03.2026 11:00 Uhr\n   Link:    http://127.0.0.1:8080/v1/motions/m2\n",
		// 22:30 UTC on 16 March is 23:30 in Berlin.
		"\n2. Zur Beratung in eine Sitzung eingeplant – A13/2026 „Sichere Radwege am Ring“\n   Datum:   16.03.2026 23:30 Uhr\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest@'s digest lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(both.HTML(), `<a href="http://127.0.0.1:8080/v1/motions/m2">Registriert als A13/2026 – „Sichere Radwege am Ring“</a>`) {
		t.Errorf("digest HTML lacks the linked step:\n%s", both.HTML())
	}
	if mt := maxMail.Text(); strings.Count(mt, "Registriert als A13/2026") != 1 || strings.Count(mt, "Zur Beratung in eine Sitzung eingeplant") != 1 ||
		strings.Contains(mt, "A12/2026") {
		t.Errorf("Max's digest:\n%s", mt)
	}
	if n, err := w.s.Notice(t.Context(), "motion/m2/v3", digestAddr); err != nil || n.Status != store.DeliverySent {
		t.Errorf("a mailed step = %+v, %v; want sent", n, err)
	}

	// Announced again (a replay) and the next day's run: nothing goes out.
	w.sink.Reset()
	if res := w.announce(t, scheduled, onAgenda); res != (workflows.NotifyResult{}) {
		t.Errorf("announce again = %+v", res)
	}
	if res, err := w.digest(t, "2026-03-18", at.AddDate(0, 0, 1)); err != nil || res != (workflows.DigestResult{}) {
		t.Errorf("next run = %+v, %v; want nothing waiting", res, err)
	}
	if n := len(w.sink.Messages()); n != 0 {
		t.Errorf("%d mails after the digest, want none", n)
	}
}
