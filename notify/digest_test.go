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
	msg := notify.ComposeDigest("Erika Muster <erika@example.org>", at, items, nil)
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
	if again := notify.ComposeDigest("Erika Muster <erika@example.org>", at, items, nil); !reflect.DeepEqual(again, msg) {
		t.Error("the same digest composed twice differs")
	}

	one := notify.ComposeDigest("max@example.org", at, items[:1], nil)
	if one.Subject != "Fristen-Übersicht vom 28.03.2026: 1 Erinnerung" || !strings.HasPrefix(one.Text, "Guten Tag,\n") {
		t.Errorf("bare address: %q\n%s", one.Subject, one.Text)
	}
	if strings.Contains(msg.Text, "Neuigkeiten") || strings.Contains(msg.HTML, "<h2") {
		t.Errorf("a digest of reminders alone has a steps section or headings:\n%s", msg.Text)
	}
	none := notify.ComposeDigest("max@example.org", at, nil, nil)
	if !strings.Contains(none.Text, "keine Erinnerungen und keine Neuigkeiten") || strings.Contains(none.HTML, "<table") {
		t.Errorf("empty digest:\n%s\n%s", none.Text, none.HTML)
	}
}

// TestComposeDigestWithSteps: the steps of watched motions follow the
// reminders in a section of their own, with text, date and link, and subject
// and lead count both.
func TestComposeDigestWithSteps(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 3, 31, 7, 0, 0, 0, berlin)
	link := notify.MotionLink("https://rat.example", "m1")
	items := []notify.DigestItem{
		{Motion: notify.Motion{ID: "m1", Reference: "A12/2026", Title: "Sanierung der Schulen", Kind: motion.KindInquiry},
			DeadlineKind: motion.DeadlineInquiryAnswer, Due: time.Date(2026, 4, 2, 18, 0, 0, 0, berlin), Link: link},
		{Motion: notify.Motion{ID: "m2", Reference: "A13/2026", Title: "Radwege", Kind: motion.KindMotion},
			DeadlineKind: motion.DeadlineAgendaPlacement, Due: time.Date(2026, 4, 3, 18, 0, 0, 0, berlin)},
	}
	steps := []notify.DigestStep{
		{Text: "Eingetragen als A12/2026: „Sanierung der Schulen“", At: time.Date(2026, 3, 30, 9, 15, 0, 0, berlin), Link: link},
		{Text: "Auf die Tagesordnung gesetzt: A12/2026 „Sanierung der Schulen“", At: time.Date(2026, 3, 30, 14, 0, 0, 0, berlin), Link: link},
		{Text: "Beschlossen: A13/2026 „<b>Radwege</b>“", At: time.Date(2026, 3, 30, 23, 30, 0, 0, time.UTC)},
	}
	msg := notify.ComposeDigest("Erika Muster <erika@example.org>", at, items, steps)
	if msg.Subject != "Tägliche Übersicht vom 31.03.2026: 2 Erinnerungen, 3 Neuigkeiten" {
		t.Errorf("subject = %q", msg.Subject)
	}
	text := msg.Text
	for _, want := range []string{
		"(Stand 31.03.2026 07:00 Uhr): 2 Erinnerungen und 3 Neuigkeiten.\n",
		"\nFristen\n\n1. Anfrage A12/2026 „Sanierung der Schulen“\n   Frist:   Beantwortung der Anfrage\n",
		"\nNeuigkeiten zu Ihren Vorgängen\n\n1. Eingetragen als A12/2026: „Sanierung der Schulen“\n" +
			"   Datum:   30.03.2026 09:15 Uhr\n   Link:    https://rat.example/v1/motions/m1\n",
		"\n2. Auf die Tagesordnung gesetzt: A12/2026 „Sanierung der Schulen“\n   Datum:   30.03.2026 14:00 Uhr\n",
		// 23:30 UTC is the next day in Berlin; a step without a link has no link line.
		"\n3. Beschlossen: A13/2026 „<b>Radwege</b>“\n   Datum:   31.03.2026 01:30 Uhr\n\n-- \n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "Fristen\n") > strings.Index(text, "Neuigkeiten zu Ihren Vorgängen") {
		t.Errorf("the steps come before the reminders:\n%s", text)
	}
	for _, want := range []string{
		`<h2 style="font-size: 1.1em;">Fristen</h2>`,
		`<h2 style="font-size: 1.1em;">Neuigkeiten zu Ihren Vorgängen</h2>`,
		`<a href="https://rat.example/v1/motions/m1">Eingetragen als A12/2026: „Sanierung der Schulen“</a>`,
		"30.03.2026 09:15 Uhr",
		"Beschlossen: A13/2026 „&lt;b&gt;Radwege&lt;/b&gt;“</td>",
	} {
		if !strings.Contains(msg.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, msg.HTML)
		}
	}
	if strings.Contains(msg.HTML, "<b>Radwege") {
		t.Error("HTML carries a step's text unescaped")
	}

	// Steps alone, one of them: singular, no deadlines section.
	only := notify.ComposeDigest("max@example.org", at, nil, steps[:1])
	if only.Subject != "Tägliche Übersicht vom 31.03.2026: 1 Neuigkeit" ||
		!strings.Contains(only.Text, "(Stand 31.03.2026 07:00 Uhr): 1 Neuigkeit.\n") ||
		strings.Contains(only.Text, "Fristen") || strings.Contains(only.Text, "Erinnerung") ||
		strings.Count(only.HTML, "<table") != 1 {
		t.Errorf("steps alone: %q\n%s\n%s", only.Subject, only.Text, only.HTML)
	}
	one := notify.ComposeDigest("max@example.org", at, items[:1], steps[:1])
	if one.Subject != "Tägliche Übersicht vom 31.03.2026: 1 Erinnerung, 1 Neuigkeit" ||
		!strings.Contains(one.Text, ": 1 Erinnerung und 1 Neuigkeit.") {
		t.Errorf("one of each: %q\n%s", one.Subject, one.Text)
	}
}
