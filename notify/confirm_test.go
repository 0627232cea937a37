package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/notify"
)

// TestComposeWatchConfirmation: the confirmation mail is German, carries the
// link and its expiry in Berlin time, says that ignoring it is safe, and
// names no motion (the address's owner may not be allowed to see it).
func TestComposeWatchConfirmation(t *testing.T) {
	t.Parallel()
	expires := time.Date(2026, 3, 23, 17, 0, 0, 0, time.UTC) // 18:00 in Berlin (CET)
	link := "https://rat.example/beobachtung/bestaetigen?token=abc&x=<y>"
	msg := notify.ComposeWatchConfirmation("Carl Muster", "opfer@example.org", link, expires)
	if msg.Subject != "Bitte bestätigen: Erinnerungen von motionflow an opfer@example.org" || msg.Link != link {
		t.Errorf("subject %q, link %q", msg.Subject, msg.Link)
	}
	for _, want := range []string{"Carl Muster möchte Erinnerungen", "opfer@example.org", "bis zum 23.03.2026 18:00 Uhr",
		"ignorieren Sie diese Nachricht: Ohne Bestätigung erhält diese Adresse keine Erinnerungen"} {
		if !strings.Contains(msg.Text, want) || !strings.Contains(msg.HTML, want) {
			t.Errorf("the mail lacks %q:\n%s\n%s", want, msg.Text, msg.HTML)
		}
	}
	if !strings.Contains(msg.Text, "\n"+link+"\n") || !strings.Contains(msg.HTML, `href="https://rat.example/beobachtung/bestaetigen?token=abc&amp;x=%3cy%3e"`) {
		t.Errorf("the link is not in the mail as is:\n%s\n%s", msg.Text, msg.HTML)
	}
	if m := notify.ComposeWatchConfirmation("", "a@example.org", link, expires); !strings.HasPrefix(m.Text, "Guten Tag,\n\nJemand möchte") {
		t.Errorf("without a name: %q", m.Text)
	}
}
