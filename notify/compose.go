package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motionflow/motionflow/motion"
)

// Location is the time zone dates are written in.
var Location = motion.Berlin

// Motion is what a reminder says about its motion.
type Motion struct {
	ID        string        `json:"id"`
	BodyID    string        `json:"body_id"`
	Reference string        `json:"reference,omitempty"`
	Title     string        `json:"title"`
	Kind      motion.Kind   `json:"kind"`
	Status    motion.Status `json:"status"`
	Faction   string        `json:"faction,omitempty"`
}

// Message is a rendered reminder: German subject, plain text and HTML
// alternative, and the link to the motion.
type Message struct {
	Subject string
	Text    string
	HTML    string
	Link    string
	// DeliveryID identifies one delivery to one recipient (see DeliveryID);
	// the e-mail's Message-ID derives from it. The sender sets it.
	DeliveryID string
	// Attachments go with an e-mail (the invitation's PDF); webhooks and
	// in-app records leave them out.
	Attachments []Attachment
}

// Attachment is a file attached to an e-mail.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// DeliveryID is the stable id of the delivery of a reminder of a motion to a
// recipient: 32 hex digits of a SHA-256 of the three. Every attempt of the
// same delivery has the same id.
func DeliveryID(motionID, reminderKey, recipient string) string {
	h := sha256.Sum256([]byte(motionID + "\x00" + reminderKey + "\x00" + recipient))
	return hex.EncodeToString(h[:16])
}

// MotionLink is the link to a motion. baseURL is either a template holding
// "{id}" ("https://rat.example/antraege/{id}") or the API's base URL, to
// which "/v1/motions/<id>" is appended.
func MotionLink(baseURL, motionID string) string {
	id := url.PathEscape(motionID)
	if strings.Contains(baseURL, "{id}") {
		return strings.ReplaceAll(baseURL, "{id}", id)
	}
	return strings.TrimRight(baseURL, "/") + "/v1/motions/" + id
}

// MeetingPrefix starts the id under which a meeting's reminders and mails are
// delivered ("meeting/<id>", its workflow id), next to the motions' ids.
const MeetingPrefix = "meeting/"

// MeetingLink is the link to a meeting: its page when baseURL is a template
// of the web's motion pages (".../antraege/{id}"), else the API's view of it.
func MeetingLink(baseURL, meetingID string) string {
	id := url.PathEscape(meetingID)
	if base, ok := strings.CutSuffix(baseURL, "/antraege/{id}"); ok {
		return base + "/sitzungen/" + id
	}
	if strings.Contains(baseURL, "{id}") || baseURL == "" {
		return ""
	}
	return strings.TrimRight(baseURL, "/") + "/v1/meetings/" + id + "/process"
}

// FormatDate writes t as a German date, "23.03.2026", in Location.
func FormatDate(t time.Time) string { return t.In(Location).Format("02.01.2006") }

// FormatDateTime writes t as a German date and time, "23.03.2026 18:00", in Location.
func FormatDateTime(t time.Time) string { return t.In(Location).Format("02.01.2006 15:04") }

// maxSubjectTitle bounds the motion's part of a subject line, in characters.
const maxSubjectTitle = 80

// Compose renders the reminder r of motion m in German; baseURL is as for
// MotionLink. Reminders before the due time say "fällig am", at it "heute
// fällig", after it "überfällig seit"; escalations say that the council
// office is told.
func Compose(m Motion, r motion.Reminder, baseURL string) Message {
	d := r.Deadline
	label := d.Kind.Label()
	ident := strings.TrimSpace(m.Reference + " " + m.Title)
	if ident == "" {
		ident = m.ID
	}
	off := time.Duration(r.Offset)
	link := MotionLink(baseURL, m.ID)
	if id, ok := strings.CutPrefix(m.ID, MeetingPrefix); ok {
		link = MeetingLink(baseURL, id)
	}

	prefix := "Erinnerung"
	if r.Escalation {
		prefix = "Eskalation"
	}
	var subject, lead string
	kind := m.Kind.Label()
	if kind == "" {
		kind = "Vorgang"
	}
	named := kind
	if m.Reference != "" {
		named += " " + m.Reference
	}
	if m.Title != "" {
		named += " „" + m.Title + "“"
	}
	paper := dativeArticle(m.Kind) + " " + named
	due := FormatDateTime(d.Due) + " Uhr"
	switch {
	case off < 0:
		subject = fmt.Sprintf("%s: %s fällig am %s – %s", prefix, label, FormatDate(d.Due), truncate(ident, maxSubjectTitle))
		lead = fmt.Sprintf("die Frist „%s“ %s läuft in %s ab: am %s.", label, paper, germanSpan(-off), due)
	case off == 0:
		subject = fmt.Sprintf("%s: %s heute fällig (%s) – %s", prefix, label, FormatDate(d.Due), truncate(ident, maxSubjectTitle))
		lead = fmt.Sprintf("die Frist „%s“ %s läuft heute ab: am %s.", label, paper, due)
	default:
		subject = fmt.Sprintf("%s: %s überfällig seit %s – %s", prefix, label, FormatDate(d.Due), truncate(ident, maxSubjectTitle))
		lead = fmt.Sprintf("die Frist „%s“ %s ist seit %s überfällig: Sie lief am %s ab.", label, paper, germanSpan(off), due)
	}
	var notes []string
	if r.Escalation {
		notes = append(notes, "Die Frist ist weiterhin nicht eingehalten; diese Erinnerung geht deshalb an die Geschäftsstelle des Gemeinderats.")
	}
	rule := fmt.Sprintf("Regel „%s“, Version %d", d.Rule, d.RuleVersion)
	if d.Rule == "manual" || d.Rule == "" {
		rule = "von Hand gesetzt"
		if d.Reason != "" {
			rule += ": " + d.Reason
		}
	}
	facts := [][2]string{{"Vorgang", named}}
	if m.Status != "" {
		facts = append(facts, [2]string{"Stand", m.Status.Label()})
	}
	facts = append(facts, [2]string{"Frist", label + ", fällig am " + due}, [2]string{"Grundlage", rule})

	var text strings.Builder
	text.WriteString("Guten Tag,\n\n")
	text.WriteString(lead + "\n\n")
	for _, n := range notes {
		text.WriteString(n + "\n\n")
	}
	for _, f := range facts {
		fmt.Fprintf(&text, "%-10s %s\n", f[0]+":", f[1])
	}
	text.WriteString("\nZum Vorgang: " + link + "\n\n")
	text.WriteString("-- \n" + footer + "\n")

	var html bytes.Buffer
	if err := htmlTemplate.Execute(&html, map[string]any{
		"Subject": subject, "Lead": lead, "Notes": notes, "Facts": facts,
		"Link": link, "Ident": ident, "Footer": footer,
	}); err != nil {
		panic(err) // the template and its data are fixed
	}
	return Message{Subject: subject, Text: text.String(), HTML: html.String(), Link: link}
}

const footer = "Diese Nachricht hat motionflow automatisch versandt, weil Sie für diese Frist zuständig sind oder den Vorgang beobachten."

var htmlTemplate = template.Must(template.New("reminder").Parse(`<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<p>Guten Tag,</p>
<p>{{.Lead}}</p>
{{range .Notes}}<p><strong>{{.}}</strong></p>
{{end}}<table style="border-collapse: collapse;">
{{range .Facts}}<tr><th style="text-align: left; padding: 2px 12px 2px 0; vertical-align: top;">{{index . 0}}</th><td style="padding: 2px 0;">{{index . 1}}</td></tr>
{{end}}</table>
<p><a href="{{.Link}}">Zum Vorgang {{.Ident}}</a></p>
<p style="color: #666; font-size: small;">{{.Footer}}</p>
</body>
</html>
`))

// dativeArticle is "zum" or "zur" for the kind of paper: "zum Antrag", "zur Anfrage".
func dativeArticle(k motion.Kind) string {
	if k == motion.KindInquiry {
		return "zur"
	}
	return "zum"
}

// germanSpan writes a positive span in the dative, for "in …" and "seit …":
// "7 Tagen", "einem Tag", "3 Tagen und 12 Stunden", "90 Sekunden" (at most
// the two largest units).
func germanSpan(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	units := []struct {
		size      time.Duration
		one, many string
	}{
		{24 * time.Hour, "einem Tag", "Tagen"},
		{time.Hour, "einer Stunde", "Stunden"},
		{time.Minute, "einer Minute", "Minuten"},
		{time.Second, "einer Sekunde", "Sekunden"},
	}
	var parts []string
	for _, u := range units {
		n := d / u.size
		if n == 0 {
			if len(parts) > 0 {
				break
			}
			continue
		}
		d -= n * u.size
		if n == 1 {
			parts = append(parts, u.one)
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", n, u.many))
		}
		if len(parts) == 2 {
			break
		}
	}
	if len(parts) == 0 {
		return "weniger als einer Sekunde"
	}
	return strings.Join(parts, " und ")
}

// truncate shortens s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
