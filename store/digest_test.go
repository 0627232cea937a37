package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

func queue(t *testing.T, s *store.Store, motionID, key, addr string, due time.Time, payload string) {
	t.Helper()
	d := delivery(motionID, key, store.EmailRecipient(addr), store.ChannelEmail, store.AudienceWatchers, due)
	d.Status = store.DeliveryQueued
	if payload != "" {
		d.Payload = []byte(payload)
	}
	if _, inserted, err := s.RecordDelivery(ctx(t), d); err != nil || !inserted {
		t.Fatalf("queue %s %s: %v, %v", key, addr, inserted, err)
	}
}

func TestDigestClaimsOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	m := submit(draft("m1", "ma", "spd", "Digitalisierung im Quadrat", t0), t0.Add(time.Hour))
	m.Reference = "A1/2026"
	if err := s.Project(ctx(t), m, eventFor(m, motion.CmdSubmit)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Watch(ctx(t), store.Watch{MotionID: "m1", Subject: "u1", Name: "Erika Muster", Email: "Erika@Example.org",
		Channels: []store.Channel{store.ChannelEmail}, Digest: true}); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 4, 1, 16, 0, 0, 0, time.UTC)
	queue(t, s, "m1", "agenda_placement@-1d", "erika@example.org", due, "")
	// A motion the read model does not hold: the reminder's payload names it.
	queue(t, s, "m9", "inquiry_answer@-7d", "erika@example.org", due.Add(-48*time.Hour),
		`{"motion":{"reference":"A9/2026","title":"Aus dem Payload","kind":"inquiry","status":"submitted"}}`)
	queue(t, s, "m1", "agenda_placement@-1d", "max@example.org", due, "")
	// Neither queued nor e-mail: never in a digest.
	sent := delivery("m1", "agenda_placement@-7d", store.EmailRecipient("erika@example.org"), store.ChannelEmail, store.AudienceWatchers, due)
	if _, _, err := s.RecordDelivery(ctx(t), sent); err != nil {
		t.Fatal(err)
	}

	rcpts, err := s.DigestRecipients(ctx(t))
	if want := []string{"mailto:erika@example.org", "mailto:max@example.org"}; err != nil || !slices.Equal(rcpts, want) {
		t.Fatalf("DigestRecipients = %v, %v; want %v", rcpts, err, want)
	}

	// Several attempts of the same run at once make one digest.
	at := time.Date(2026, 3, 31, 5, 0, 0, 0, time.UTC)
	erika := store.EmailRecipient("erika@example.org")
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	var ids []string
	for range 8 {
		wg.Go(func() {
			d, ok, err := s.StartDigest(ctx(t), "2026-03-31", at, erika)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				made++
			}
			ids = append(ids, d.ID)
			if d.Count != 2 || d.Status != store.DeliveryPending || !d.At.Equal(at) {
				t.Errorf("digest = %+v, want 2 pending reminders", d)
			}
		})
	}
	wg.Wait()
	id := store.DigestID("2026-03-31", erika)
	if made != 1 || len(ids) != 8 || slices.ContainsFunc(ids, func(x string) bool { return x != id }) {
		t.Fatalf("8 concurrent StartDigest made %d digests, ids %v; want 1, all %s", made, ids, id)
	}

	// Two runs at once for the same recipient: each row goes to one of them.
	maxR := store.EmailRecipient("max@example.org")
	counts := make([]int, 2)
	for i, run := range []string{"r1", "r2"} {
		wg.Go(func() {
			d, _, err := s.StartDigest(ctx(t), run, at, maxR)
			if err != nil {
				t.Error(err)
			}
			counts[i] = d.Count
		})
	}
	wg.Wait()
	if counts[0]+counts[1] != 1 {
		t.Errorf("two runs claimed %v rows of one", counts)
	}

	// Claiming: one sender at a time, the same set every time.
	d, claimed, err := s.ClaimDigest(ctx(t), id, time.Minute)
	if err != nil || !claimed || d.Attempts != 1 || d.Name != "Erika Muster" || d.Address() != "erika@example.org" {
		t.Fatalf("ClaimDigest = %+v, %v, %v", d, claimed, err)
	}
	var items []string
	for _, it := range d.Items {
		items = append(items, it.MotionID+" "+it.Reference+" "+it.Title+" "+string(it.Kind)+" "+string(it.MotionStatus)+" "+it.ReminderKey)
	}
	want := []string{
		"m9 A9/2026 Aus dem Payload inquiry submitted inquiry_answer@-7d",
		"m1 A1/2026 Digitalisierung im Quadrat motion submitted agenda_placement@-1d",
	}
	if !slices.Equal(items, want) {
		t.Errorf("items\n%q\nwant\n%q", items, want)
	}
	if d, claimed, err := s.ClaimDigest(ctx(t), id, time.Minute); err != nil || claimed || d.Status != store.DeliveryPending {
		t.Errorf("claim while claimed = %+v, %v, %v", d, claimed, err)
	}

	// Queued meanwhile: not in this run's digest, whatever is called again.
	queue(t, s, "m1", "agenda_placement@0s", "erika@example.org", due, "")
	if d, ok, err := s.StartDigest(ctx(t), "2026-03-31", at, erika); err != nil || ok || d.Count != 2 {
		t.Errorf("StartDigest again = %+v, %v, %v; want the same digest", d, ok, err)
	}
	if err := s.RecordDigestError(ctx(t), id, errors.New("451 try later"), false); err != nil {
		t.Fatal(err)
	}
	d, claimed, err = s.ClaimDigest(ctx(t), id, time.Minute)
	if err != nil || !claimed || d.Attempts != 2 || d.LastError != "451 try later" || len(d.Items) != 2 {
		t.Fatalf("claim after an error = %+v, %v, %v", d, claimed, err)
	}
	if pending, err := s.PendingDigests(ctx(t), erika); err != nil || len(pending) != 1 || pending[0].ID != id {
		t.Errorf("PendingDigests = %+v, %v", pending, err)
	}
	for range 2 {
		if err := s.MarkDigestSent(ctx(t), id); err != nil {
			t.Fatal(err)
		}
	}
	if d, claimed, err := s.ClaimDigest(ctx(t), id, time.Minute); err != nil || claimed || d.Status != store.DeliverySent || d.SentAt == nil {
		t.Errorf("claim after sending = %+v, %v, %v", d, claimed, err)
	}
	if pending, _ := s.PendingDigests(ctx(t), erika); len(pending) != 0 {
		t.Errorf("PendingDigests after sending = %+v", pending)
	}
	rows, err := s.Deliveries(ctx(t), store.DeliveryFilter{Recipients: []string{erika}})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, r := range rows {
		statuses = append(statuses, r.MotionID+" "+r.ReminderKey+" "+string(r.Status))
	}
	slices.Sort(statuses)
	if want := []string{"m1 agenda_placement@-1d sent", "m1 agenda_placement@-7d sent", "m1 agenda_placement@0s queued", "m9 inquiry_answer@-7d sent"}; !slices.Equal(statuses, want) {
		t.Errorf("erika's rows %v, want %v", statuses, want)
	}

	// The next run takes the row queued meanwhile; a run with nothing waiting makes nothing.
	if d, ok, err := s.StartDigest(ctx(t), "2026-04-01", at.AddDate(0, 0, 1), erika); err != nil || !ok || d.Count != 1 {
		t.Errorf("next run = %+v, %v, %v", d, ok, err)
	}
	if _, ok, err := s.StartDigest(ctx(t), "2026-04-02", at.AddDate(0, 0, 2), erika); err != nil || ok {
		t.Errorf("run with nothing queued: made %v, %v", ok, err)
	}
	if _, err := s.Digest(ctx(t), store.DigestID("2026-04-02", erika)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("empty digest stored: %v", err)
	}

	// A permanent failure fails the digest and its rows for good.
	var maxID string
	for _, run := range []string{"r1", "r2"} {
		if d, err := s.Digest(ctx(t), store.DigestID(run, maxR)); err == nil {
			maxID = d.ID
		}
	}
	if _, claimed, err := s.ClaimDigest(ctx(t), maxID, time.Minute); err != nil || !claimed {
		t.Fatalf("claim Max's digest: %v, %v", claimed, err)
	}
	if err := s.RecordDigestError(ctx(t), maxID, errors.New("550 no such user"), true); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDigestSent(ctx(t), maxID); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("marking a failed digest sent: %v, want ErrInvalid", err)
	}
	failed, _ := s.Deliveries(ctx(t), store.DeliveryFilter{Recipients: []string{maxR}})
	if len(failed) != 1 || failed[0].Status != store.DeliveryFailed || failed[0].LastError != "550 no such user" {
		t.Errorf("Max's rows = %+v", failed)
	}
	if rcpts, _ := s.DigestRecipients(ctx(t)); !slices.Equal(rcpts, []string{erika}) {
		t.Errorf("DigestRecipients at the end = %v", rcpts)
	}

	for name, call := range map[string]func() error{
		"no run":   func() error { _, _, err := s.StartDigest(ctx(t), "", at, erika); return err },
		"no time":  func() error { _, _, err := s.StartDigest(ctx(t), "x", time.Time{}, erika); return err },
		"no lease": func() error { _, _, err := s.ClaimDigest(ctx(t), id, 0); return err },
	} {
		if err := call(); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if _, _, err := s.ClaimDigest(ctx(t), "nope", time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown digest: err = %v, want ErrNotFound", err)
	}
}

// queueStep queues the e-mail of a step (event) to addr for the digest, as
// Announce does for a watcher who chose it.
func queueStep(t *testing.T, s *store.Store, event, addr, text string, at time.Time) {
	t.Helper()
	n := store.Notice{EventID: event, Recipient: store.EmailRecipient(addr), Channel: store.ChannelEmail,
		Audience: store.AudienceWatchers, BodyID: "ma", SubjectKind: "motion", SubjectID: "m1",
		Type: "de.motionflow.motion.step", At: at, Text: text, Link: "https://rat.example/m1", Status: store.DeliveryQueued}
	if inserted, err := s.RecordNotice(ctx(t), n); err != nil || !inserted {
		t.Fatalf("queue step %s %s: %v, %v", event, addr, inserted, err)
	}
}

// TestDigestClaimsQueuedNotices: the e-mails of steps queued for the digest
// go into a recipient's digest with the queued reminders, each in exactly
// one digest, in the order the steps happened; a failure keeps them for the
// retry, a refusal fails them for good.
func TestDigestClaimsQueuedNotices(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	m := submit(draft("m1", "ma", "spd", "Sanierung der Schulen", t0), t0.Add(time.Hour))
	if err := s.Project(ctx(t), m, eventFor(m, motion.CmdSubmit)); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)
	erika, steps := store.EmailRecipient("erika@example.org"), store.EmailRecipient("steps@example.org")
	queue(t, s, "m1", "agenda_placement@-1d", "erika@example.org", day.Add(48*time.Hour), "")
	// Queued out of order: the digest lists them as they happened.
	queueStep(t, s, "motion/m1/v5", "Erika@Example.org", "Auf die Tagesordnung gesetzt: „Sanierung der Schulen“", day.Add(14*time.Hour))
	queueStep(t, s, "motion/m1/v4", "erika@example.org", "Eingetragen als A12/2026: „Sanierung der Schulen“", day.Add(9*time.Hour))
	// A recipient with steps only.
	queueStep(t, s, "motion/m1/v4", "steps@example.org", "Eingetragen als A12/2026: „Sanierung der Schulen“", day.Add(9*time.Hour))
	// Queuing again changes nothing; neither an immediate e-mail nor an inbox entry is in a digest.
	again := store.Notice{EventID: "motion/m1/v4", Recipient: erika, Channel: store.ChannelEmail, BodyID: "ma",
		SubjectKind: "motion", SubjectID: "m1", Type: "de.motionflow.motion.step", At: day, Text: "anders", Status: store.DeliveryQueued}
	if inserted, err := s.RecordNotice(ctx(t), again); err != nil || inserted {
		t.Errorf("queue the same step again: %v, %v", inserted, err)
	}
	if _, claimed, err := s.ClaimNotice(ctx(t), store.Notice{EventID: "motion/m1/v3", Recipient: erika, Channel: store.ChannelEmail,
		BodyID: "ma", SubjectKind: "motion", SubjectID: "m1", Type: "de.motionflow.motion.step", At: day}, time.Minute); err != nil || !claimed {
		t.Fatalf("claim an immediate e-mail: %v, %v", claimed, err)
	}
	if err := s.MarkNoticeSent(ctx(t), "motion/m1/v3", erika); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordNotice(ctx(t), store.Notice{EventID: "motion/m1/v4", Recipient: store.UserRecipient("u1"), Channel: store.ChannelInApp,
		BodyID: "ma", SubjectKind: "motion", SubjectID: "m1", Type: "de.motionflow.motion.step", At: day}); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]store.Notice{
		"inbox entry queued": {EventID: "e", Recipient: store.UserRecipient("u1"), Channel: store.ChannelInApp, SubjectKind: "motion",
			SubjectID: "m1", Type: "x", At: day, Status: store.DeliveryQueued},
		"recorded as failed": {EventID: "e", Recipient: erika, Channel: store.ChannelEmail, SubjectKind: "motion",
			SubjectID: "m1", Type: "x", At: day, Status: store.DeliveryFailed},
	} {
		if _, err := s.RecordNotice(ctx(t), n); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}

	if rcpts, err := s.DigestRecipients(ctx(t)); err != nil || !slices.Equal(rcpts, []string{erika, steps}) {
		t.Fatalf("DigestRecipients = %v, %v", rcpts, err)
	}
	at := time.Date(2026, 3, 31, 5, 0, 0, 0, time.UTC)
	d, made, err := s.StartDigest(ctx(t), "2026-03-31", at, erika)
	if err != nil || !made || d.Count != 3 {
		t.Fatalf("StartDigest = %+v, %v, %v; want 1 reminder and 2 steps", d, made, err)
	}
	stepsOf := func(d store.Digest) []string {
		var out []string
		for _, st := range d.Steps {
			out = append(out, st.EventID+" "+st.At.UTC().Format(time.RFC3339)+" "+st.Text+" "+st.Link)
		}
		return out
	}
	wantSteps := []string{
		"motion/m1/v4 2026-03-30T09:00:00Z Eingetragen als A12/2026: „Sanierung der Schulen“ https://rat.example/m1",
		"motion/m1/v5 2026-03-30T14:00:00Z Auf die Tagesordnung gesetzt: „Sanierung der Schulen“ https://rat.example/m1",
	}
	d, claimed, err := s.ClaimDigest(ctx(t), d.ID, time.Minute)
	if err != nil || !claimed || len(d.Items) != 1 || !slices.Equal(stepsOf(d), wantSteps) {
		t.Fatalf("ClaimDigest = %+v, %v, %v; steps %q", d, claimed, err, stepsOf(d))
	}

	// A step queued meanwhile waits for the next run; a failed send keeps the set.
	queueStep(t, s, "motion/m1/v6", "erika@example.org", "Beschlossen: „Sanierung der Schulen“", day.Add(20*time.Hour))
	if again, made, err := s.StartDigest(ctx(t), "2026-03-31", at, erika); err != nil || made || again.Count != 3 {
		t.Errorf("StartDigest again = %+v, %v, %v", again, made, err)
	}
	if err := s.RecordDigestError(ctx(t), d.ID, errors.New("451 try later"), false); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Notice(ctx(t), "motion/m1/v4", erika); err != nil || n.Status != store.DeliveryQueued {
		t.Errorf("step after a failed send = %+v, %v; want still queued", n, err)
	}
	d, claimed, err = s.ClaimDigest(ctx(t), d.ID, time.Minute)
	if err != nil || !claimed || len(d.Items) != 1 || !slices.Equal(stepsOf(d), wantSteps) {
		t.Fatalf("claim after an error = %+v, %v, %v; steps %q", d, claimed, err, stepsOf(d))
	}
	if err := s.MarkDigestSent(ctx(t), d.ID); err != nil {
		t.Fatal(err)
	}
	for event, want := range map[string]store.DeliveryStatus{
		"motion/m1/v3": store.DeliverySent, "motion/m1/v4": store.DeliverySent, "motion/m1/v5": store.DeliverySent,
		"motion/m1/v6": store.DeliveryQueued,
	} {
		if n, err := s.Notice(ctx(t), event, erika); err != nil || n.Status != want || (want == store.DeliverySent && n.SentAt == nil) {
			t.Errorf("%s to erika = %+v, %v; want %s", event, n, err, want)
		}
	}

	// The next run takes the step queued meanwhile, alone.
	next, made, err := s.StartDigest(ctx(t), "2026-04-01", at.AddDate(0, 0, 1), erika)
	if err != nil || !made || next.Count != 1 {
		t.Fatalf("next run = %+v, %v, %v", next, made, err)
	}
	if next, claimed, err := s.ClaimDigest(ctx(t), next.ID, time.Minute); err != nil || !claimed || len(next.Items) != 0 ||
		len(next.Steps) != 1 || next.Steps[0].EventID != "motion/m1/v6" {
		t.Errorf("next run's digest = %+v, %v, %v", next, claimed, err)
	}

	// A permanent failure fails the steps for good.
	sd, made, err := s.StartDigest(ctx(t), "2026-03-31", at, steps)
	if err != nil || !made || sd.Count != 1 {
		t.Fatalf("StartDigest of steps alone = %+v, %v, %v", sd, made, err)
	}
	if _, claimed, err := s.ClaimDigest(ctx(t), sd.ID, time.Minute); err != nil || !claimed {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if err := s.RecordDigestError(ctx(t), sd.ID, errors.New("550 no such user"), true); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Notice(ctx(t), "motion/m1/v4", steps); err != nil || n.Status != store.DeliveryFailed || n.LastError != "550 no such user" {
		t.Errorf("refused step = %+v, %v", n, err)
	}
	if rcpts, _ := s.DigestRecipients(ctx(t)); !slices.Equal(rcpts, []string{erika}) {
		t.Errorf("DigestRecipients at the end = %v, want only erika (v6 claimed, not sent)", rcpts)
	}
}
