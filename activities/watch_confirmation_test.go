package activities_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/store"
)

// TestNotifyMailsNoUnconfirmedAddress: a watch naming an address its owner
// has not confirmed gets its reminder in the app, but neither an e-mail nor
// a place in a digest; once the owner opened the confirmation link, the next
// reminder is mailed.
func TestNotifyMailsNoUnconfirmedAddress(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withMailer)
	for _, wt := range []store.Watch{
		{MotionID: "m1", Subject: "u8", Name: "Fremd", Email: "opfer@example.org", Channels: []store.Channel{store.ChannelEmail, store.ChannelInApp}},
		{MotionID: "m1", Subject: "u9", Email: "opfer2@example.org", Channels: []store.Channel{store.ChannelEmail}, Digest: true},
	} {
		if _, err := w.s.Watch(t.Context(), wt); err != nil {
			t.Fatal(err)
		}
	}
	log := func() []string {
		t.Helper()
		ds, err := w.s.Reminders(t.Context(), "m1")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.ReminderKey+" "+d.Recipient+" "+string(d.Status))
		}
		return out
	}
	mailedTo := func(addr string) bool {
		for _, m := range w.sink.Messages() {
			if slices.Contains(m.To, addr) {
				return true
			}
		}
		return false
	}

	week := reminder(-7*24*time.Hour, false)
	if _, err := w.notify(t, week); err != nil {
		t.Fatal(err)
	}
	if mailedTo("opfer@example.org") || mailedTo("opfer2@example.org") {
		t.Fatal("an unconfirmed address was mailed")
	}
	for _, row := range log() {
		if strings.Contains(row, "opfer") {
			t.Errorf("the log has a delivery to an unconfirmed address: %s", row)
		}
	}
	if !slices.Contains(log(), week.Reminder.Key+" "+store.UserRecipient("u8")+" sent") {
		t.Errorf("the unconfirmed watcher lacks the in-app reminder: %v", log())
	}
	if !mailedTo("erika@example.org") {
		t.Fatal("the confirmed watcher was not mailed")
	}

	// The owner confirms; the next reminder is mailed.
	token, err := w.s.RequestWatchConfirmation(t.Context(), "u8", "opfer@example.org", time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.s.ConfirmWatchAddress(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	if _, err := w.notify(t, reminder(-24*time.Hour, false)); err != nil {
		t.Fatal(err)
	}
	if !mailedTo("opfer@example.org") || mailedTo("opfer2@example.org") {
		t.Errorf("after confirming: opfer mailed %v, opfer2 (unconfirmed) mailed %v", mailedTo("opfer@example.org"), mailedTo("opfer2@example.org"))
	}
}
