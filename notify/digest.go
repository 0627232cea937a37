package notify

import (
	"bytes"
	"fmt"
	"html/template"
	"net/mail"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// DigestItem is one reminder in a daily digest.
type DigestItem struct {
	Motion       Motion
	DeadlineKind motion.DeadlineKind
	Due          time.Time
	// At is the reminder's time.
	At         time.Time
	Escalation bool
	// Link is the link to the motion (see MotionLink).
	Link string
}

// DigestStep is one step of a watched motion in a daily digest: what
// Step.Text said when it was announced.
type DigestStep struct {
	Text string
	// At is when the step happened.
	At time.Time
	// Link is the link to the motion (see Step.Link).
	Link string
}

// ComposeDigest renders, in German, the daily digest for recipient ("Erika
// Muster <erika@example.org>" or a bare address; a name makes the greeting
// personal) made at time at: one e-mail listing every item with its motion's
// reference and title, the deadline, its due date and how it stands at that
// time ("heute fällig", "in 6 Tagen fällig", "seit 3 Tagen überfällig"), and
// the link to the motion; then, under "Neuigkeiten zu Ihren Vorgängen",
// every step with its text, date and link. Items and steps are listed in the
// order given. The subject and the lead count both ("2 Erinnerungen,
// 3 Neuigkeiten"); a digest of reminders alone is a "Fristen-Übersicht". The
// same arguments give the same message, so a resent digest reads as the
// first.
func ComposeDigest(recipient string, at time.Time, items []DigestItem, steps []DigestStep) Message {
	greeting, address := "Guten Tag,", strings.TrimSpace(recipient)
	if a, err := mail.ParseAddress(recipient); err == nil {
		address = a.Address
		if name := strings.TrimSpace(a.Name); name != "" {
			greeting = "Guten Tag " + name + ","
		}
	}
	// A digest of reminders alone is about deadlines; one with steps too
	// is about everything that happened.
	kind, about := "Fristen-Übersicht", "der Fristen "
	var counts []string
	if len(items) > 0 || len(steps) == 0 {
		counts = append(counts, countOf(len(items), "Erinnerung", "Erinnerungen"))
	}
	if len(steps) > 0 {
		counts = append(counts, countOf(len(steps), "Neuigkeit", "Neuigkeiten"))
		kind, about = "Tägliche Übersicht", ""
	}
	subject := fmt.Sprintf("%s vom %s: %s", kind, FormatDate(at), strings.Join(counts, ", "))
	lead := fmt.Sprintf("hier ist Ihre tägliche Übersicht %szu den Vorgängen, die Sie beobachten (Stand %s Uhr): %s.",
		about, FormatDateTime(at), strings.Join(counts, " und "))
	if len(items) == 0 && len(steps) == 0 {
		lead = fmt.Sprintf("zu den Vorgängen, die Sie beobachten, gibt es heute (Stand %s Uhr) keine Erinnerungen und keine Neuigkeiten.",
			FormatDateTime(at))
	}
	footer := "Diese Übersicht hat motionflow automatisch versandt, weil Sie für beobachtete Vorgänge die tägliche Zusammenfassung gewählt haben"
	if address != "" {
		footer += " (an " + address + ")"
	}
	footer += "."

	type entry struct {
		Heading, Deadline, Due, State, Link string
		Escalation                          bool
	}
	entries := make([]entry, len(items))
	for i, it := range items {
		entries[i] = entry{
			Heading:    digestHeading(it.Motion),
			Deadline:   it.DeadlineKind.Label(),
			Due:        FormatDateTime(it.Due) + " Uhr",
			State:      dueState(it.Due, at),
			Link:       it.Link,
			Escalation: it.Escalation,
		}
	}
	type news struct{ Text, At, Link string }
	newsEntries := make([]news, len(steps))
	for i, st := range steps {
		newsEntries[i] = news{Text: motion.OneLine(st.Text), At: FormatDateTime(st.At) + " Uhr", Link: st.Link}
	}

	var text strings.Builder
	text.WriteString(greeting + "\n\n")
	text.WriteString(lead + "\n")
	if len(entries) > 0 && len(newsEntries) > 0 {
		text.WriteString("\n" + digestDeadlinesHeading + "\n")
	}
	for i, e := range entries {
		fmt.Fprintf(&text, "\n%d. %s\n", i+1, e.Heading)
		deadline := e.Deadline
		if e.Escalation {
			deadline += " (Eskalation)"
		}
		fmt.Fprintf(&text, "   %-8s %s\n", "Frist:", deadline)
		fmt.Fprintf(&text, "   %-8s %s – %s\n", "Fällig:", e.Due, e.State)
		if e.Link != "" {
			fmt.Fprintf(&text, "   %-8s %s\n", "Link:", e.Link)
		}
	}
	if len(newsEntries) > 0 {
		text.WriteString("\n" + digestStepsHeading + "\n")
	}
	for i, n := range newsEntries {
		fmt.Fprintf(&text, "\n%d. %s\n", i+1, n.Text)
		fmt.Fprintf(&text, "   %-8s %s\n", "Datum:", n.At)
		if n.Link != "" {
			fmt.Fprintf(&text, "   %-8s %s\n", "Link:", n.Link)
		}
	}
	text.WriteString("\n-- \n" + footer + "\n")

	var html bytes.Buffer
	if err := digestTemplate.Execute(&html, map[string]any{
		"Subject": subject, "Greeting": greeting, "Lead": lead, "Items": entries, "Steps": newsEntries, "Footer": footer,
		"DeadlinesHeading": digestDeadlinesHeading, "StepsHeading": digestStepsHeading,
	}); err != nil {
		panic(err) // the template and its data are fixed
	}
	return Message{Subject: subject, Text: text.String(), HTML: html.String()}
}

// The headings of a digest's sections; the deadlines get theirs only when
// steps follow them.
const (
	digestDeadlinesHeading = "Fristen"
	digestStepsHeading     = "Neuigkeiten zu Ihren Vorgängen"
)

// countOf is "1 Erinnerung", "3 Erinnerungen".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

var digestTemplate = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<p>{{.Greeting}}</p>
<p>{{.Lead}}</p>
{{if .Items}}{{if .Steps}}<h2 style="font-size: 1.1em;">{{.DeadlinesHeading}}</h2>
{{end}}<table style="border-collapse: collapse;">
<thead><tr><th style="text-align: left; padding: 4px 12px 4px 0;">Vorgang</th><th style="text-align: left; padding: 4px 12px 4px 0;">Frist</th><th style="text-align: left; padding: 4px 0;">Fällig</th></tr></thead>
<tbody>
{{range .Items}}<tr style="border-top: 1px solid #ddd;"><td style="padding: 4px 12px 4px 0; vertical-align: top;">{{if .Link}}<a href="{{.Link}}">{{.Heading}}</a>{{else}}{{.Heading}}{{end}}</td><td style="padding: 4px 12px 4px 0; vertical-align: top;">{{.Deadline}}{{if .Escalation}} <strong>(Eskalation)</strong>{{end}}</td><td style="padding: 4px 0; vertical-align: top;">{{.Due}}<br><strong>{{.State}}</strong></td></tr>
{{end}}</tbody>
</table>
{{end}}{{if .Steps}}<h2 style="font-size: 1.1em;">{{.StepsHeading}}</h2>
<table style="border-collapse: collapse;">
<thead><tr><th style="text-align: left; padding: 4px 12px 4px 0;">Neuigkeit</th><th style="text-align: left; padding: 4px 0;">Datum</th></tr></thead>
<tbody>
{{range .Steps}}<tr style="border-top: 1px solid #ddd;"><td style="padding: 4px 12px 4px 0; vertical-align: top;">{{if .Link}}<a href="{{.Link}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td><td style="padding: 4px 0; vertical-align: top;">{{.At}}</td></tr>
{{end}}</tbody>
</table>
{{end}}<p style="color: #666; font-size: small;">{{.Footer}}</p>
</body>
</html>
`))

// digestHeading names a motion in a digest: "Anfrage A12/2026 „Sanierung
// der Schulen“".
func digestHeading(m Motion) string {
	named := m.Kind.Label()
	if named == "" {
		named = "Vorgang"
	}
	if m.Reference != "" {
		named += " " + m.Reference
	}
	switch {
	case m.Title != "":
		named += " „" + m.Title + "“"
	case m.Reference == "":
		named += " " + m.ID
	}
	return named
}

// dueState says how a deadline due at due stands at time at, in calendar
// days of Location: "heute fällig", "morgen fällig", "in 6 Tagen fällig",
// "heute abgelaufen", "seit gestern überfällig", "seit 3 Tagen überfällig".
func dueState(due, at time.Time) string {
	days := calendarDays(at, due)
	if !due.Before(at) {
		switch days {
		case 0:
			return "heute fällig"
		case 1:
			return "morgen fällig"
		default:
			return fmt.Sprintf("in %d Tagen fällig", days)
		}
	}
	switch days {
	case 0:
		return "heute abgelaufen"
	case -1:
		return "seit gestern überfällig"
	default:
		return fmt.Sprintf("seit %d Tagen überfällig", -days)
	}
}

// calendarDays is the number of calendar days in Location from a's date to b's.
func calendarDays(a, b time.Time) int {
	date := func(t time.Time) time.Time {
		y, m, d := t.In(Location).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(date(b).Sub(date(a)) / (24 * time.Hour))
}
