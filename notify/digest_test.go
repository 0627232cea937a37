package notify_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
)

func TestComposeDigest(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 3, 28, 7, 0, 0, 0, berlin) // Saturday before the switch to summer time
	item := func(ref, title string, kind motion.DeadlineKind, due time.Time) notify.DigestItem {
		return notify.DigestItem{Motion: notify.Motion{ID: "m-" + ref, Reference: ref, Title: title, Kind: motion.KindMotion},
			DeadlineKind: kind, Due: due, At: due.Add(-24 * time.Hour), Link: notify.MotionLink("https://rat.example", "m-"+ref)}
	}
	items := []notify.DigestItem{
		item("A1/2026", "Überfällig", motion.DeadlineInquiryAnswer, time.Date(2026, 3, 25, 18, 0, 0, 0, berlin)),
		item("A2/2026", "Gestern", motion.DeadlinePapersDue, time.Date(2026, 3, 27, 23, 30, 0, 0, berlin)),
		item("A3/2026", "Heute früh", motion.DeadlinePapersDue, time.Date(2026, 3, 28, 6, 0, 0, 0, berlin)),
		item("A4/2026", "Heute", motion.DeadlineAgendaPlacement, time.Date(2026, 3, 28, 18, 0, 0, 0, berlin)),
		// Sunday 29 March has 23 hours: still "morgen".
		item("A5/2026", "Morgen", motion.DeadlineAgendaPlacement, time.Date(2026, 3, 29, 0, 30, 0, 0, berlin)),
		item("A6/2026", "<script>alert(1)</script>", motion.DeadlineImplementationReport, time.Date(2026, 4, 30, 12, 0, 0, 0, berlin)),
	}
	msg := notify.ComposeDigest("Erika Muster <erika@example.org>", at, items)
	if msg.Subject != "Fristen-Übersicht vom 28.03.2026: 6 Erinnerungen" {
		t.Errorf("subject = %q", msg.Subject)
	}
	for _, want := range []string{
		"Guten Tag Erika Muster,\n",
		"(Stand 28.03.2026 07:00 Uhr): 6 Erinnerungen.",
		"1. Antrag A1/2026 „Überfällig“\n   Frist:   Beantwortung der Anfrage\n   Fällig:  25.03.2026 18:00 Uhr – seit 3 Tagen überfällig\n   Link:    https://rat.example/v1/motions/m-A1%2F2026\n",
		"27.03.2026 23:30 Uhr – seit gestern überfällig",
		"28.03.2026 06:00 Uhr – heute abgelaufen",
		"28.03.2026 18:00 Uhr – heute fällig",
		"29.03.2026 00:30 Uhr – morgen fällig",
		"30.04.2026 12:00 Uhr – in 33 Tagen fällig",
		"(an erika@example.org).",
	} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	for _, want := range []string{
		`<a href="https://rat.example/v1/motions/m-A1%2F2026">Antrag A1/2026 „Überfällig“</a>`,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"<strong>in 33 Tagen fällig</strong>",
		"<p>Guten Tag Erika Muster,</p>",
	} {
		if !strings.Contains(msg.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, msg.HTML)
		}
	}
	if strings.Contains(msg.HTML, "<script>") {
		t.Error("HTML carries the title unescaped")
	}
	if again := notify.ComposeDigest("Erika Muster <erika@example.org>", at, items); !reflect.DeepEqual(again, msg) {
		t.Error("the same digest composed twice differs")
	}

	one := notify.ComposeDigest("max@example.org", at, items[:1])
	if one.Subject != "Fristen-Übersicht vom 28.03.2026: 1 Erinnerung" || !strings.HasPrefix(one.Text, "Guten Tag,\n") {
		t.Errorf("bare address: %q\n%s", one.Subject, one.Text)
	}
	none := notify.ComposeDigest("max@example.org", at, nil)
	if !strings.Contains(none.Text, "keine Erinnerungen") || strings.Contains(none.HTML, "<table") {
		t.Errorf("empty digest:\n%s\n%s", none.Text, none.HTML)
	}
}
