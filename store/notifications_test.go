package store_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

func TestNotificationTargets(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma", "hd")
	add := func(nt store.NotificationTarget) store.NotificationTarget {
		t.Helper()
		got, err := s.AddNotificationTarget(ctx(t), nt)
		if err != nil {
			t.Fatalf("AddNotificationTarget(%+v): %v", nt, err)
		}
		return got
	}
	office := add(store.NotificationTarget{BodyID: "ma", Audience: "council_office", Channel: store.ChannelEmail, Address: "Ratsbüro <ratsbuero@mannheim.example>"})
	if office.ID == "" || office.Address != "ratsbuero@mannheim.example" || office.Created.IsZero() {
		t.Errorf("e-mail target = %+v, want an id and the bare address", office)
	}
	hook := add(store.NotificationTarget{BodyID: "ma", Audience: "council_office", Channel: store.ChannelWebhook, Address: "https://chat.example/hook"})
	if len(hook.Secret) != 64 {
		t.Errorf("webhook without secret got secret %q, want 32 random bytes in hex", hook.Secret)
	}
	spd := add(store.NotificationTarget{ID: "t-spd", BodyID: "ma", Audience: "faction:spd", Channel: store.ChannelWebhook, Address: "http://127.0.0.1:9/x", Secret: "s3cret"})
	add(store.NotificationTarget{BodyID: "hd", Audience: "council_office", Channel: store.ChannelEmail, Address: "rat@heidelberg.example"})

	for name, bad := range map[string]store.NotificationTarget{
		"bad address":  {BodyID: "ma", Audience: "x", Channel: store.ChannelEmail, Address: "not an address"},
		"relative URL": {BodyID: "ma", Audience: "x", Channel: store.ChannelWebhook, Address: "/hook"},
		"ftp URL":      {BodyID: "ma", Audience: "x", Channel: store.ChannelWebhook, Address: "ftp://x.example/"},
		"in-app":       {BodyID: "ma", Audience: "x", Channel: store.ChannelInApp, Address: "x"},
		"no audience":  {BodyID: "ma", Channel: store.ChannelEmail, Address: "a@b.example"},
		"unknown body": {BodyID: "nowhere", Audience: "x", Channel: store.ChannelEmail, Address: "a@b.example"},
	} {
		if _, err := s.AddNotificationTarget(ctx(t), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.AddNotificationTarget(ctx(t), store.NotificationTarget{BodyID: "ma", Audience: "council_office", Channel: store.ChannelEmail, Address: "ratsbuero@mannheim.example"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate target: err = %v, want ErrConflict", err)
	}

	ids := func(ts []store.NotificationTarget, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range ts {
			out = append(out, x.ID)
		}
		return out
	}
	equal(t, "council office", ids(s.NotificationTargets(ctx(t), "ma", []string{"council_office"})), []string{office.ID, hook.ID})
	equal(t, "office and spd", ids(s.NotificationTargets(ctx(t), "ma", []string{"faction:spd", "council_office"})), []string{office.ID, hook.ID, spd.ID})
	equal(t, "all", ids(s.NotificationTargets(ctx(t), "ma", nil)), []string{office.ID, hook.ID, spd.ID})
	equal(t, "none", ids(s.NotificationTargets(ctx(t), "ma", []string{})), nil)

	if err := s.DeleteNotificationTarget(ctx(t), "hd", spd.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete another body's target: err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteNotificationTarget(ctx(t), "ma", spd.ID); err != nil {
		t.Fatal(err)
	}
	equal(t, "after delete", ids(s.NotificationTargets(ctx(t), "ma", nil)), []string{office.ID, hook.ID})
}

func TestWatches(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	project(t, s, draft("m1", "ma", "spd", "Radwege", t0))
	project(t, s, draft("m2", "ma", "spd", "Parks", t0))

	w, err := s.Watch(ctx(t), store.Watch{MotionID: "m1", Subject: "u1", Name: "Erika", Email: "erika@example.org",
		Channels: []store.Channel{store.ChannelEmail, store.ChannelInApp, store.ChannelEmail}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.Channels, []store.Channel{store.ChannelEmail, store.ChannelInApp}) || w.Created.IsZero() {
		t.Errorf("watch = %+v", w)
	}
	time.Sleep(2 * time.Millisecond)
	if _, err := s.Watch(ctx(t), store.Watch{MotionID: "m1", Subject: "u2"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	if _, err := s.Watch(ctx(t), store.Watch{MotionID: "m2", Subject: "u1", Email: "erika@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true}); err != nil {
		t.Fatal(err)
	}
	// Changing a watch keeps it (and its creation time).
	w2, err := s.Watch(ctx(t), store.Watch{MotionID: "m1", Subject: "u1", Email: "erika@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true})
	if err != nil || !w2.Created.Equal(w.Created) || !w2.Digest || !slices.Equal(w2.Channels, []store.Channel{store.ChannelEmail}) {
		t.Errorf("changed watch = %+v, %v", w2, err)
	}

	subjects := func(ws []store.Watch, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range ws {
			out = append(out, x.MotionID+"/"+x.Subject)
		}
		return out
	}
	equal(t, "watchers of m1", subjects(s.Watchers(ctx(t), "m1")), []string{"m1/u1", "m1/u2"})
	if ws, _ := s.Watchers(ctx(t), "m1"); !slices.Equal(ws[1].Channels, []store.Channel{store.ChannelInApp}) {
		t.Errorf("a watch without channels = %+v, want in-app", ws[1])
	}
	equal(t, "watched by u1", subjects(s.WatchedBy(ctx(t), "u1")), []string{"m2/u1", "m1/u1"})

	for name, bad := range map[string]store.Watch{
		"email without address": {MotionID: "m1", Subject: "u3", Channels: []store.Channel{store.ChannelEmail}},
		"webhook":               {MotionID: "m1", Subject: "u3", Channels: []store.Channel{store.ChannelWebhook}},
		"unknown motion":        {MotionID: "nope", Subject: "u3"},
		"bad address":           {MotionID: "m1", Subject: "u3", Email: "nope"},
	} {
		if _, err := s.Watch(ctx(t), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if err := s.Unwatch(ctx(t), "m1", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unwatch(ctx(t), "m1", "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second unwatch: err = %v, want ErrNotFound", err)
	}
	equal(t, "watchers after unwatch", subjects(s.Watchers(ctx(t), "m1")), []string{"m1/u2"})
}

func delivery(motionID, key, recipient string, ch store.Channel, audience string, due time.Time) store.Delivery {
	return store.Delivery{
		DeliveryKey: store.DeliveryKey{MotionID: motionID, ReminderKey: key, Recipient: recipient},
		Channel:     ch, Audience: audience, BodyID: "ma", DeadlineKey: strings.SplitN(key, "@", 2)[0],
		DeadlineKind: motion.DeadlineAgendaPlacement, Due: due, At: due.Add(-24 * time.Hour),
		Payload: []byte(`{"motion":"` + motionID + `"}`),
	}
}

func TestDeliveryClaims(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	due := time.Date(2026, 4, 1, 16, 0, 0, 0, time.UTC)
	d := delivery("m1", "agenda_placement@-1d", store.EmailRecipient("Ratsbuero@Example.org"), store.ChannelEmail, "council_office", due)
	if d.Recipient != "mailto:ratsbuero@example.org" {
		t.Errorf("EmailRecipient = %q", d.Recipient)
	}

	got, claimed, err := s.ClaimDelivery(ctx(t), d, time.Minute)
	if err != nil || !claimed || got.Status != store.DeliveryPending || got.Attempts != 1 || !bytes.Contains(got.Payload, []byte(`"m1"`)) {
		t.Fatalf("first claim = %+v, %v, %v", got, claimed, err)
	}
	// A second attempt while the first holds the claim must not send.
	if got, claimed, err := s.ClaimDelivery(ctx(t), d, time.Minute); err != nil || claimed || got.Status != store.DeliveryPending {
		t.Errorf("claim while claimed = %+v, %v, %v; want pending, not claimed", got, claimed, err)
	}
	// A failure releases the claim; the retry claims it again.
	if err := s.RecordDeliveryError(ctx(t), d.DeliveryKey, errors.New("451 try later"), false); err != nil {
		t.Fatal(err)
	}
	got, claimed, err = s.ClaimDelivery(ctx(t), d, time.Minute)
	if err != nil || !claimed || got.Attempts != 2 || got.LastError != "451 try later" {
		t.Fatalf("claim after an error = %+v, %v, %v", got, claimed, err)
	}
	if err := s.MarkDelivered(ctx(t), d.DeliveryKey); err != nil {
		t.Fatal(err)
	}
	got, claimed, err = s.ClaimDelivery(ctx(t), d, time.Minute)
	if err != nil || claimed || got.Status != store.DeliverySent || got.SentAt == nil || got.LastError != "" {
		t.Errorf("claim after sending = %+v, %v, %v; want sent, not claimed", got, claimed, err)
	}
	if err := s.MarkDelivered(ctx(t), d.DeliveryKey); err != nil {
		t.Errorf("marking a sent delivery again: %v", err)
	}

	// A crashed sender's claim expires.
	d2 := delivery("m1", "agenda_placement@-1d", store.WebhookRecipient("https://x.example/h"), store.ChannelWebhook, "council_office", due)
	if _, claimed, _ := s.ClaimDelivery(ctx(t), d2, 50*time.Millisecond); !claimed {
		t.Fatal("first claim of d2 failed")
	}
	time.Sleep(100 * time.Millisecond)
	if got, claimed, err := s.ClaimDelivery(ctx(t), d2, time.Minute); err != nil || !claimed || got.Attempts != 2 {
		t.Errorf("claim after the lease expired = %+v, %v, %v", got, claimed, err)
	}
	// A permanent failure is never retried.
	if err := s.RecordDeliveryError(ctx(t), d2.DeliveryKey, errors.New("550 no such user"), true); err != nil {
		t.Fatal(err)
	}
	if got, claimed, _ := s.ClaimDelivery(ctx(t), d2, time.Minute); claimed || got.Status != store.DeliveryFailed {
		t.Errorf("claim after a permanent failure = %+v, %v", got, claimed)
	}

	// In-app and digest rows are recorded once.
	inapp := delivery("m1", "agenda_placement@-1d", store.AudienceRecipient("council_office"), store.ChannelInApp, "council_office", due)
	if got, inserted, err := s.RecordDelivery(ctx(t), inapp); err != nil || !inserted || got.Status != store.DeliverySent || got.SentAt == nil {
		t.Errorf("in-app record = %+v, %v, %v", got, inserted, err)
	}
	if _, inserted, err := s.RecordDelivery(ctx(t), inapp); err != nil || inserted {
		t.Errorf("in-app record again: inserted %v, %v", inserted, err)
	}
	queued := delivery("m1", "agenda_placement@-1d", store.EmailRecipient("watcher@example.org"), store.ChannelEmail, store.AudienceWatchers, due)
	queued.Status = store.DeliveryQueued
	if got, inserted, err := s.RecordDelivery(ctx(t), queued); err != nil || !inserted || got.Status != store.DeliveryQueued || got.SentAt != nil {
		t.Errorf("queued record = %+v, %v, %v", got, inserted, err)
	}
	if _, claimed, _ := s.ClaimDelivery(ctx(t), queued, time.Minute); claimed {
		t.Error("a queued delivery was claimed for immediate sending")
	}
	if _, _, err := s.ClaimDelivery(ctx(t), store.Delivery{}, time.Minute); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty delivery: err = %v, want ErrInvalid", err)
	}
}

func TestDeliveriesWorklist(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	due := time.Date(2026, 4, 1, 16, 0, 0, 0, time.UTC)
	later := due.Add(72 * time.Hour)
	record := func(d store.Delivery) {
		t.Helper()
		if _, _, err := s.RecordDelivery(ctx(t), d); err != nil {
			t.Fatal(err)
		}
	}
	// m1: two reminders of its agenda deadline for the office, one for a watcher.
	r1 := delivery("m1", "agenda_placement@-7d", store.AudienceRecipient("council_office"), store.ChannelInApp, "council_office", due)
	r1.At = due.Add(-7 * 24 * time.Hour)
	record(r1)
	record(delivery("m1", "agenda_placement@-1d", store.AudienceRecipient("council_office"), store.ChannelInApp, "council_office", due))
	record(delivery("m1", "agenda_placement@-1d", store.UserRecipient("u9"), store.ChannelInApp, store.AudienceWatchers, due))
	// m2: a faction's reminder due later; m3: an old deadline that moved.
	record(delivery("m2", "stale_motion@-1d", store.AudienceRecipient("faction:spd"), store.ChannelInApp, "faction:spd", later))
	record(delivery("m3", "papers_due@-1d", store.AudienceRecipient("council_office"), store.ChannelInApp, "council_office", due))
	q := delivery("m2", "stale_motion@-1d", store.EmailRecipient("a@example.org"), store.ChannelEmail, store.AudienceWatchers, later)
	q.Status = store.DeliveryQueued
	record(q)

	project(t, s, draft("m1", "ma", "spd", "x", t0))
	project(t, s, draft("m2", "ma", "spd", "y", t0))
	project(t, s, draft("m3", "ma", "spd", "z", t0))
	if err := s.ProjectDeadlines(ctx(t), "m1", "ma", "spd", []motion.Deadline{{Key: "agenda_placement", Kind: motion.DeadlineAgendaPlacement, Due: due}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ProjectDeadlines(ctx(t), "m2", "ma", "spd", []motion.Deadline{{Key: "stale_motion", Kind: motion.DeadlineStale, Due: later}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ProjectDeadlines(ctx(t), "m3", "ma", "spd", []motion.Deadline{{Key: "papers_due", Kind: motion.DeadlinePapersDue, Due: later}}); err != nil {
		t.Fatal(err)
	}

	keys := func(f store.DeliveryFilter) []string {
		t.Helper()
		ds, err := s.Deliveries(ctx(t), f)
		if err != nil {
			t.Fatalf("Deliveries(%+v): %v", f, err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.MotionID+"/"+d.ReminderKey+"/"+d.Recipient)
		}
		return out
	}
	inApp := []store.Channel{store.ChannelInApp}
	equal(t, "office log", keys(store.DeliveryFilter{Channels: inApp, Audiences: []string{"council_office"}}), []string{
		"m1/agenda_placement@-7d/audience:council_office", "m1/agenda_placement@-1d/audience:council_office",
		"m3/papers_due@-1d/audience:council_office"})
	// The worklist: current deadlines only, the latest reminder of each, the user's own too.
	equal(t, "worklist", keys(store.DeliveryFilter{BodyIDs: []string{"ma"}, Channels: inApp,
		Audiences: []string{"council_office", "faction:spd"}, Recipients: []string{store.UserRecipient("u9")},
		Current: true, LatestPerDeadline: true}), []string{
		"m1/agenda_placement@-1d/audience:council_office", "m2/stale_motion@-1d/audience:faction:spd"})
	equal(t, "watcher", keys(store.DeliveryFilter{Recipients: []string{store.UserRecipient("u9")}}), []string{
		"m1/agenda_placement@-1d/user:u9"})
	equal(t, "digest", keys(store.DeliveryFilter{Statuses: []store.DeliveryStatus{store.DeliveryQueued}}), []string{
		"m2/stale_motion@-1d/mailto:a@example.org"})
	equal(t, "by time", keys(store.DeliveryFilter{MotionID: "m1", From: ptr(due.Add(-48 * time.Hour)), To: ptr(due)}), []string{
		"m1/agenda_placement@-1d/audience:council_office", "m1/agenda_placement@-1d/user:u9"})
	equal(t, "no bodies", keys(store.DeliveryFilter{BodyIDs: []string{}}), nil)

	all, err := s.Reminders(ctx(t), "m1")
	if err != nil || len(all) != 3 || all[0].ReminderKey != "agenda_placement@-7d" {
		t.Errorf("Reminders(m1) = %+v, %v", all, err)
	}
}

func TestFeedTokens(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	raw, info, err := s.CreateFeedToken(ctx(t), store.FeedTokenInfo{Kind: store.FeedFaction, Owner: "spd", BodyID: "ma",
		Audiences: []string{"faction:spd"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 43 || info.ID == "" || info.Kind != store.FeedFaction || info.Owner != "spd" || info.RevokedAt != nil {
		t.Errorf("created token %q, %+v", raw, info)
	}
	raw2, _, err := s.CreateFeedToken(ctx(t), store.FeedTokenInfo{Kind: store.FeedUser, Owner: "u1", BodyID: "ma"})
	if err != nil || raw2 == raw {
		t.Fatalf("second token %q, %v", raw2, err)
	}
	// Only the hash is stored.
	var n int
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FROM feed_tokens WHERE position($1::bytea in token_hash) > 0 OR id = $2`,
		[]byte(raw), raw).Scan(&n); err != nil || n != 0 {
		t.Errorf("raw token found in the table: %d, %v", n, err)
	}

	got, err := s.FeedToken(ctx(t), raw)
	if err != nil || got.ID != info.ID || got.BodyID != "ma" || !slices.Equal(got.Audiences, []string{"faction:spd"}) {
		t.Errorf("FeedToken = %+v, %v", got, err)
	}
	for _, bad := range []string{"", raw + "x", strings.ToUpper(raw)} {
		if _, err := s.FeedToken(ctx(t), bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FeedToken(%q): err = %v, want ErrNotFound", bad, err)
		}
	}
	if err := s.RevokeFeedToken(ctx(t), info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FeedToken(ctx(t), raw); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token: err = %v, want ErrNotFound", err)
	}
	if err := s.RevokeFeedToken(ctx(t), info.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := s.RevokeFeedToken(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke unknown: err = %v, want ErrNotFound", err)
	}
	if _, err := s.FeedToken(ctx(t), raw2); err != nil {
		t.Errorf("the other token after revoking one: %v", err)
	}
	list, err := s.FeedTokens(ctx(t), store.FeedFaction, "spd")
	if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
		t.Errorf("FeedTokens = %+v, %v; want the revoked one", list, err)
	}
	if _, _, err := s.CreateFeedToken(ctx(t), store.FeedTokenInfo{Kind: "group", Owner: "x", BodyID: "ma"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown kind: err = %v, want ErrInvalid", err)
	}
	if _, _, err := s.CreateFeedToken(ctx(t), store.FeedTokenInfo{Kind: store.FeedUser, Owner: "x", BodyID: "nowhere"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown body: err = %v, want ErrInvalid", err)
	}
}
