package notify

import (
	"bytes"
	"html/template"
	"net/url"
	"strings"
	"time"
)

// WatchConfirmationPath is the web page that a confirmation link opens; the
// token is its query parameter "token".
const WatchConfirmationPath = "/beobachtung/bestaetigen"

// WatchConfirmationLink is the link of a confirmation mail: baseURL (the
// site's public URL) with WatchConfirmationPath and the token.
func WatchConfirmationLink(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + WatchConfirmationPath + "?token=" + url.QueryEscape(token)
}

// ComposeWatchConfirmation renders the German e-mail that asks the owner of
// an address to confirm it before motionflow mails reminders there: someone
// (requester, the watching user's display name) named the address in a watch.
// link opens the confirmation page; it is good once, until expires. The
// message names neither the motion nor anything else the address's owner may
// not be allowed to see, and says that ignoring it is safe.
func ComposeWatchConfirmation(requester, address, link string, expires time.Time) Message {
	who := strings.TrimSpace(requester)
	if who == "" {
		who = "Jemand"
	}
	subject := "Bitte bestätigen: Erinnerungen von motionflow an " + address
	lead := who + " möchte Erinnerungen an die Fristen eines beobachteten Vorgangs per E-Mail an diese Adresse (" +
		address + ") erhalten."
	ask := "Bevor motionflow Ihnen solche E-Mails schickt, bestätigen Sie bitte, dass dies Ihre Adresse ist und Sie die Erinnerungen erhalten möchten:"
	valid := "Der Link gilt einmal, bis zum " + FormatDateTime(expires) + " Uhr."
	ignore := "Haben Sie das nicht veranlasst, ignorieren Sie diese Nachricht: Ohne Bestätigung erhält diese Adresse keine Erinnerungen."
	foot := "Diese Nachricht hat motionflow automatisch versandt, weil diese Adresse für Erinnerungen angegeben wurde."

	var text strings.Builder
	text.WriteString("Guten Tag,\n\n")
	text.WriteString(lead + "\n\n" + ask + "\n\n" + link + "\n\n" + valid + "\n\n" + ignore + "\n\n")
	text.WriteString("-- \n" + foot + "\n")

	var html bytes.Buffer
	if err := confirmTemplate.Execute(&html, map[string]string{
		"Subject": subject, "Lead": lead, "Ask": ask, "Link": link, "Valid": valid, "Ignore": ignore, "Footer": foot,
	}); err != nil {
		panic(err) // the template and its data are fixed
	}
	return Message{Subject: subject, Text: text.String(), HTML: html.String(), Link: link}
}

var confirmTemplate = template.Must(template.New("confirm").Parse(`<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<p>Guten Tag,</p>
<p>{{.Lead}}</p>
<p>{{.Ask}}</p>
<p><a href="{{.Link}}">Adresse bestätigen</a></p>
<p>{{.Valid}}</p>
<p>{{.Ignore}}</p>
<p style="color: #666; font-size: small;">{{.Footer}}</p>
</body>
</html>
`))
