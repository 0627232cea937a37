package session

import (
	"html/template"
	"net/http"
)

// Messages of the error page (German, like the rest of the UI).
const (
	msgNoLoginCookie = "Die Anmeldung konnte diesem Browser nicht zugeordnet werden (das Anmelde-Cookie fehlt oder ist abgelaufen). Bitte lassen Sie Cookies für diese Seite zu und melden Sie sich erneut an."
	msgBadState      = "Diese Anmeldung ist ungültig, abgelaufen oder wurde bereits verwendet. Bitte melden Sie sich erneut an."
	msgRefused       = "Der Identitätsanbieter hat die Anmeldung abgelehnt oder abgebrochen."
	msgFailed        = "Die Anmeldung ist fehlgeschlagen: Die Antwort des Identitätsanbieters konnte nicht bestätigt werden."
	msgProvider      = "Der Identitätsanbieter ist nicht erreichbar oder hat fehlerhaft geantwortet. Bitte versuchen Sie es später noch einmal."
	msgUnavailable   = "Der Dienst ist gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal."
)

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anmeldung fehlgeschlagen – motionflow</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
a{color:#0b4f9c}a:focus{outline:3px solid #0b4f9c;outline-offset:2px}</style></head>
<body><main><h1>Anmeldung fehlgeschlagen</h1><p>{{.Message}}</p>
<p><a href="{{.LoginURL}}">Erneut anmelden</a> · <a href="/">Zur Startseite</a></p></main></body></html>
`))

// fail answers a failed login step with a page and logs why.
func (m *Manager) fail(w http.ResponseWriter, r *http.Request, status int, message, reason string, err error) {
	attrs := []any{"status", status, "reason", reason}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	if status >= 500 {
		m.log.ErrorContext(r.Context(), "login failed", attrs...)
	} else {
		m.log.WarnContext(r.Context(), "login refused", attrs...)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = errorPage.Execute(w, struct{ Message, LoginURL string }{message, m.LoginURL("/")})
}
