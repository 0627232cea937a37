package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/store"
)

// TestWatchMailsOnlyConfirmedAddresses: a watch naming an address nobody
// confirmed gets its reminders in the app, never by e-mail; the single-use
// link of a confirmation (stored only as a hash) confirms the address for all
// the user's watches; a wrong, used or expired token confirms nothing.
func TestWatchMailsOnlyConfirmedAddresses(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	project(t, s, draft("m1", "ma", "spd", "Radwege", t0))
	project(t, s, draft("m2", "ma", "spd", "Parks", t0))
	both := []store.Channel{store.ChannelEmail, store.ChannelInApp}

	channels := func(motionID, subject string) []store.Channel {
		t.Helper()
		ws, err := s.Watchers(ctx(t), motionID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Subject == subject {
				return w.Channels
			}
		}
		t.Fatalf("%s does not watch %s", subject, motionID)
		return nil
	}

	// Someone names another person's address: not confirmed, not mailed.
	w, err := s.Watch(ctx(t), store.Watch{MotionID: "m1", Subject: "u1", Email: "Opfer@Example.org", Channels: both})
	if err != nil {
		t.Fatal(err)
	}
	if w.EmailConfirmed || !slices.Equal(w.Channels, both) {
		t.Fatalf("watch = %+v, want both channels chosen and the address unconfirmed", w)
	}
	if got := channels("m1", "u1"); !slices.Equal(got, []store.Channel{store.ChannelInApp}) {
		t.Fatalf("reminders of an unconfirmed watch go to %v, want in-app only", got)
	}

	tok, err := s.RequestWatchConfirmation(ctx(t), "u1", "opfer@example.org", time.Hour, time.Hour)
	if err != nil || tok == "" {
		t.Fatalf("RequestWatchConfirmation = %q, %v", tok, err)
	}
	// Only the hash is stored.
	var plain, hashed int
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FILTER (WHERE token_hash = convert_to($1, 'UTF8')),
		count(*) FILTER (WHERE token_hash = sha256(convert_to($1, 'UTF8'))) FROM watch_confirmations`, tok).Scan(&plain, &hashed); err != nil {
		t.Fatal(err)
	}
	if plain != 0 || hashed != 1 {
		t.Errorf("stored token: %d in plain, %d hashed; want only the hash", plain, hashed)
	}
	// A second request within the resend interval mails nothing.
	if _, err := s.RequestWatchConfirmation(ctx(t), "u1", "opfer@example.org", time.Hour, time.Hour); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second request at once: err = %v, want ErrConflict", err)
	}

	if _, _, err := s.ConfirmWatchAddress(ctx(t), tok+"x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a wrong token: err = %v, want ErrNotFound", err)
	}
	if got := channels("m1", "u1"); !slices.Equal(got, []store.Channel{store.ChannelInApp}) {
		t.Fatalf("a wrong token confirmed the address: %v", got)
	}
	subject, email, err := s.ConfirmWatchAddress(ctx(t), tok)
	if err != nil || subject != "u1" || email != "opfer@example.org" {
		t.Fatalf("ConfirmWatchAddress = %q, %q, %v", subject, email, err)
	}
	if got := channels("m1", "u1"); !slices.Equal(got, both) {
		t.Fatalf("after confirming, reminders go to %v, want e-mail and in-app", got)
	}
	if _, _, err := s.ConfirmWatchAddress(ctx(t), tok); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the token used again: err = %v, want ErrNotFound", err)
	}
	// The confirmation holds for the user's other watches of that address,
	// not for another user naming it.
	if w, err := s.Watch(ctx(t), store.Watch{MotionID: "m2", Subject: "u1", Email: "opfer@example.org", Channels: both}); err != nil || !w.EmailConfirmed {
		t.Errorf("u1's second watch of the confirmed address = %+v, %v", w, err)
	}
	if w, err := s.Watch(ctx(t), store.Watch{MotionID: "m1", Subject: "u2", Email: "opfer@example.org", Channels: both}); err != nil || w.EmailConfirmed {
		t.Errorf("u2 naming u1's confirmed address = %+v, %v; want unconfirmed", w, err)
	}

	// An expired token confirms nothing and is gone.
	old, err := s.RequestWatchConfirmation(ctx(t), "u2", "opfer@example.org", -time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ConfirmWatchAddress(ctx(t), old); !errors.Is(err, store.ErrExpired) {
		t.Errorf("an expired token: err = %v, want ErrExpired", err)
	}
	if _, _, err := s.ConfirmWatchAddress(ctx(t), old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired token again: err = %v, want ErrNotFound", err)
	}
	if got := channels("m1", "u2"); !slices.Equal(got, []store.Channel{store.ChannelInApp}) {
		t.Fatalf("an expired token confirmed the address: %v", got)
	}

	// A new request after the resend interval replaces the earlier token.
	first, err := s.RequestWatchConfirmation(ctx(t), "u2", "opfer@example.org", time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.RequestWatchConfirmation(ctx(t), "u2", "opfer@example.org", time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ConfirmWatchAddress(ctx(t), first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a replaced token: err = %v, want ErrNotFound", err)
	}
	if _, _, err := s.ConfirmWatchAddress(ctx(t), second); err != nil {
		t.Errorf("the newest token: %v", err)
	}

	// The address the identity provider vouches for counts as confirmed.
	if w, err := s.Watch(ctx(t), store.Watch{MotionID: "m2", Subject: "u3", Email: "u3@example.org", Channels: both, EmailConfirmed: true}); err != nil || !w.EmailConfirmed {
		t.Errorf("a verified address = %+v, %v", w, err)
	}
	if got := channels("m2", "u3"); !slices.Equal(got, both) {
		t.Errorf("reminders of a verified address go to %v", got)
	}
}
