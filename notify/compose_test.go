package notify_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
)

var day = motion.Duration(24 * time.Hour)

func inquiry() notify.Motion {
	return notify.Motion{ID: "m-12", BodyID: "ma", Reference: "A12/2026", Title: "Sanierung der Schulen im Quadrat",
		Kind: motion.KindInquiry, Status: motion.StatusRegistered, Faction: "spd"}
}

func answerReminder(offset motion.Duration, escalation bool) motion.Reminder {
	due := time.Date(2026, 3, 23, 17, 0, 0, 0, time.UTC) // 18:00 in Berlin (CET)
	d := motion.Deadline{Key: "inquiry_answer", Kind: motion.DeadlineInquiryAnswer, Due: due, Rule: "inquiry_answer", RuleVersion: 3,
		Audiences: []string{motion.AudienceAdministration}}
	return motion.Reminder{Key: "inquiry_answer@" + offset.String(), Deadline: d, Offset: offset,
		At: due.Add(time.Duration(offset)), Escalation: escalation, Audiences: d.Audiences}
}

func TestComposeGerman(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		offset      motion.Duration
		escalation  bool
		subject     string
		leadContain string
	}{
		{"a week before", -7 * day, false,
			"Erinnerung: Beantwortung der Anfrage fällig am 23.03.2026 – A12/2026 Sanierung der Schulen im Quadrat",
			"die Frist „Beantwortung der Anfrage“ zur Anfrage A12/2026 „Sanierung der Schulen im Quadrat“ läuft in 7 Tagen ab: am 23.03.2026 18:00 Uhr."},
		{"a day before", -day, false,
			"Erinnerung: Beantwortung der Anfrage fällig am 23.03.2026 – A12/2026 Sanierung der Schulen im Quadrat",
			"läuft in einem Tag ab"},
		{"due", 0, false,
			"Erinnerung: Beantwortung der Anfrage heute fällig (23.03.2026) – A12/2026 Sanierung der Schulen im Quadrat",
			"läuft heute ab: am 23.03.2026 18:00 Uhr."},
		{"overdue", 3 * day, false,
			"Erinnerung: Beantwortung der Anfrage überfällig seit 23.03.2026 – A12/2026 Sanierung der Schulen im Quadrat",
			"ist seit 3 Tagen überfällig: Sie lief am 23.03.2026 18:00 Uhr ab."},
		{"escalation", 17 * day, true,
			"Eskalation: Beantwortung der Anfrage überfällig seit 23.03.2026 – A12/2026 Sanierung der Schulen im Quadrat",
			"ist seit 17 Tagen überfällig"},
		{"seconds apart", motion.Duration(-90 * time.Second), false, "", "läuft in einer Minute und 30 Sekunden ab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := notify.Compose(inquiry(), answerReminder(tc.offset, tc.escalation), "https://rat.example/")
			if tc.subject != "" && msg.Subject != tc.subject {
				t.Errorf("subject = %q\nwant      %q", msg.Subject, tc.subject)
			}
			for _, body := range []string{msg.Text, msg.HTML} {
				if !strings.Contains(body, tc.leadContain) {
					t.Errorf("body lacks %q:\n%s", tc.leadContain, body)
				}
			}
			if msg.Link != "https://rat.example/v1/motions/m-12" || !strings.Contains(msg.Text, "Zum Vorgang: "+msg.Link) ||
				!strings.Contains(msg.HTML, `<a href="`+msg.Link+`">`) {
				t.Errorf("link %q missing from text or HTML:\n%s\n%s", msg.Link, msg.Text, msg.HTML)
			}
			for _, want := range []string{"Stand:", "Registriert", "Regel „inquiry_answer“, Version 3"} {
				if !strings.Contains(msg.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, msg.Text)
				}
			}
			if tc.escalation != strings.Contains(msg.Text, "Geschäftsstelle") {
				t.Errorf("escalation %v, but the text says:\n%s", tc.escalation, msg.Text)
			}
		})
	}
}

func TestComposeDetails(t *testing.T) {
	t.Parallel()
	// Summer time: 16:00 UTC is 18:00 in Berlin.
	r := answerReminder(-day, false)
	r.Deadline.Due = time.Date(2026, 7, 1, 16, 0, 0, 0, time.UTC)
	r.Deadline.Rule, r.Deadline.Reason = "manual", "Fristverlängerung laut Beschluss"
	m := inquiry()
	m.Kind, m.Title = motion.KindMotion, `Mehr <script>alert(1)</script> & „Grün“ `+strings.Repeat("sehr ", 30)+"lang"
	msg := notify.Compose(m, r, "https://rat.example/antraege/{id}?tab=fristen")
	if !strings.Contains(msg.Text, "01.07.2026 18:00 Uhr") {
		t.Errorf("summer time not in Berlin time:\n%s", msg.Text)
	}
	if !strings.Contains(msg.Text, "von Hand gesetzt: Fristverlängerung laut Beschluss") || !strings.Contains(msg.Text, "zum Antrag A12/2026") {
		t.Errorf("manual deadline or article wrong:\n%s", msg.Text)
	}
	if strings.Contains(msg.HTML, "<script>") || !strings.Contains(msg.HTML, "&lt;script&gt;") {
		t.Errorf("HTML does not escape the title:\n%s", msg.HTML)
	}
	if msg.Link != "https://rat.example/antraege/m-12?tab=fristen" {
		t.Errorf("templated link = %q", msg.Link)
	}
	if n := len([]rune(msg.Subject)); n > 150 || !strings.HasSuffix(msg.Subject, "…") {
		t.Errorf("long subject (%d characters) not shortened: %q", n, msg.Subject)
	}
	if got := notify.MotionLink("http://127.0.0.1:8080", "a b"); got != "http://127.0.0.1:8080/v1/motions/a%20b" {
		t.Errorf("MotionLink = %q", got)
	}
	// A meeting's reminder links to the meeting, on the web or in the API.
	for base, want := range map[string]string{
		"https://rat.example/antraege/{id}": "https://rat.example/sitzungen/gr%201",
		"http://127.0.0.1:8080":             "http://127.0.0.1:8080/v1/meetings/gr%201/process",
	} {
		if got := notify.MeetingLink(base, "gr 1"); got != want {
			t.Errorf("MeetingLink(%q) = %q, want %q", base, got, want)
		}
	}
	if msg := notify.Compose(notify.Motion{ID: notify.MeetingPrefix + "gr-1", BodyID: "ma", Title: "Gemeinderat am 20.05.2026"}, r,
		"https://rat.example/antraege/{id}"); msg.Link != "https://rat.example/sitzungen/gr-1" || strings.Contains(msg.Text, "Stand:") {
		t.Errorf("a meeting's reminder links %q and says %q", msg.Link, msg.Text)
	}

	// Pure: the same input gives the same message.
	if a, b := notify.Compose(m, r, "x"), notify.Compose(m, r, "x"); !reflect.DeepEqual(a, b) {
		t.Error("Compose is not deterministic")
	}
	id := notify.DeliveryID("m-12", "inquiry_answer@-1d", "mailto:a@example.org")
	if len(id) != 32 || id != notify.DeliveryID("m-12", "inquiry_answer@-1d", "mailto:a@example.org") ||
		id == notify.DeliveryID("m-12", "inquiry_answer@-1d", "mailto:b@example.org") {
		t.Errorf("DeliveryID = %q: not stable or not distinct", id)
	}
}
