package web_test

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/store"
)

// TestConfirmWatchAddress: the link of a confirmation mail shows a button
// and confirms nothing by itself (mail scanners open links); the button
// confirms the address once; a wrong, used or expired link is refused in
// German and confirms nothing.
func TestConfirmWatchAddress(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Erster Punkt")
	if _, err := e.st.Watch(t.Context(), store.Watch{MotionID: id, Subject: "spd", Email: "opfer@example.org",
		Channels: []store.Channel{store.ChannelEmail}}); err != nil {
		t.Fatal(err)
	}
	mailed := func() bool {
		t.Helper()
		ws, err := e.st.Watchers(t.Context(), id)
		if err != nil || len(ws) != 1 {
			t.Fatalf("watchers %v, %v", ws, err)
		}
		return slices.Contains(ws[0].Channels, store.ChannelEmail)
	}
	token, err := e.st.RequestWatchConfirmation(t.Context(), "spd", "opfer@example.org", time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const path = "/beobachtung/bestaetigen"

	p := e.get("", path+"?token="+url.QueryEscape(token))
	must(t, p, 200, "E-Mail-Adresse bestätigen", "Adresse bestätigen", "Ohne Bestätigung erhält Ihre Adresse keine Erinnerungen")
	if got := hidden(t, p.Body, path, "token"); got != token {
		t.Fatalf("the form carries token %q, want %q", got, token)
	}
	if p.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("the page may leak its token in a Referer")
	}
	if mailed() {
		t.Fatal("opening the link confirmed the address")
	}
	must(t, e.get("", path), 404)

	must(t, e.post("", path, url.Values{"token": {token + "x"}}), 404, "ungültig oder wurde schon benutzt")
	if mailed() {
		t.Fatal("a wrong token confirmed the address")
	}
	must(t, e.post("", path, url.Values{"token": {token}}), 200, "Die Adresse opfer@example.org ist bestätigt.")
	if !mailed() {
		t.Fatal("the confirmed address gets no e-mail")
	}
	must(t, e.post("", path, url.Values{"token": {token}}), 404, "ungültig oder wurde schon benutzt")

	// An expired link confirms nothing.
	if _, err := e.st.Watch(t.Context(), store.Watch{MotionID: id, Subject: "spd", Email: "andere@example.org",
		Channels: []store.Channel{store.ChannelEmail}}); err != nil {
		t.Fatal(err)
	}
	expired, err := e.st.RequestWatchConfirmation(t.Context(), "spd", "andere@example.org", -time.Minute, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	must(t, e.post("", path, url.Values{"token": {expired}}), 410, "abgelaufen", "nicht bestätigt")
	if mailed() {
		t.Fatal("an expired token confirmed the address")
	}
}
