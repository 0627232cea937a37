// Package problem is the one way motionflow refuses a request: the RFC 9457
// problem details every surface answers with (the API under /v1, OParl, the
// Atom feeds; the web pages show the same titles and messages as HTML), the
// one table from a domain refusal (motion.Code) or a store error to an HTTP
// status, and the check of path and query values at the edge.
//
// Guarantees:
//
//   - A problem is {"title", "status", "detail", "errors": [{"location",
//     "message"}]} (type and instance when set), sent as
//     application/problem+json with nosniff. Titles and messages are German.
//   - A problem never echoes what the client sent: no rejected value, no
//     database message, no stack.
//   - The same error gives the same status everywhere ([From], [Status]).
//   - [Guard] refuses NUL and other control characters, invalid UTF-8 and
//     values longer than [MaxValueBytes] in the path (404) and the query (400)
//     before any handler, so that nothing of that reaches PostgreSQL.
//
// The package sits below api, web, oparl and feeds and above motion and
// store, whose errors it maps.
package problem

import (
	"encoding/json"
	"net/http"
)

// ContentType is the media type of a problem (RFC 9457).
const ContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object. It is an error (the API's
// handlers return it) and satisfies huma's StatusError, HeadersError and
// ContentTypeFilter, so that huma writes it as it is.
type Problem struct {
	// Type is a URI naming the kind of problem; empty means about:blank.
	Type string `json:"type,omitempty" doc:"URI der Art des Problems; fehlt er, gilt about:blank"`
	// Title is the German name of the status ([Title]).
	Title string `json:"title" doc:"Kurzbezeichnung des Problems (Deutsch)"`
	// Status is the HTTP status code.
	Status int `json:"status" doc:"HTTP-Statuscode"`
	// Detail says what went wrong with this request, in German.
	Detail string `json:"detail,omitempty" doc:"Was an dieser Anfrage nicht stimmt (Deutsch)"`
	// Instance is a URI of this occurrence.
	Instance string `json:"instance,omitempty" doc:"URI dieses Vorkommens"`
	// Errors name the offending parts of the request.
	Errors []Field `json:"errors,omitempty" doc:"Die beanstandeten Teile der Anfrage"`

	headers http.Header
}

// Field is one offending part of a request: where ("body.title",
// "query.q", "path", "header.If-Match") and what is wrong with it. It never
// carries the value itself.
type Field struct {
	Location string `json:"location,omitempty" doc:"Wo: body.<Feld>, query.<Name>, path oder header.<Name>"`
	Message  string `json:"message" doc:"Was nicht stimmt (Deutsch)"`
}

// New returns a problem with the German title of status.
func New(status int, detail string, fields ...Field) *Problem {
	return &Problem{Title: Title(status), Status: status, Detail: detail, Errors: fields}
}

// Error returns the detail (or the title).
func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Detail
	}
	return p.Title
}

// GetStatus returns the HTTP status (huma.StatusError).
func (p *Problem) GetStatus() int { return p.Status }

// GetHeaders returns the headers sent with the problem, such as Retry-After
// or Allow (huma.HeadersError). The map may be added to.
func (p *Problem) GetHeaders() http.Header {
	if p.headers == nil {
		p.headers = http.Header{}
	}
	return p.headers
}

// WithHeader adds a header to send with the problem and returns p.
func (p *Problem) WithHeader(name, value string) *Problem {
	p.GetHeaders().Add(name, value)
	return p
}

// ContentType turns the JSON media type into the problem's (huma's
// ContentTypeFilter).
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" || ct == "" {
		return ContentType
	}
	return ct
}

// Write sends p as application/problem+json with its headers.
func Write(w http.ResponseWriter, p *Problem) {
	h := w.Header()
	for k, vs := range p.headers {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	h.Set("Content-Type", ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
}

// titles are the German names of the statuses a problem can have.
var titles = map[int]string{
	http.StatusBadRequest:            "Ungültige Anfrage",
	http.StatusUnauthorized:          "Nicht angemeldet",
	http.StatusForbidden:             "Keine Berechtigung",
	http.StatusNotFound:              "Nicht gefunden",
	http.StatusMethodNotAllowed:      "Methode nicht erlaubt",
	http.StatusNotAcceptable:         "Format nicht lieferbar",
	http.StatusRequestTimeout:        "Zeitüberschreitung beim Senden",
	http.StatusConflict:              "Konflikt",
	http.StatusGone:                  "Nicht mehr vorhanden",
	http.StatusPreconditionFailed:    "Version passt nicht",
	http.StatusRequestEntityTooLarge: "Inhalt zu groß",
	http.StatusRequestURITooLong:     "Adresse zu lang",
	http.StatusUnsupportedMediaType:  "Format nicht unterstützt",
	http.StatusUnprocessableEntity:   "Ungültige Angaben",
	http.StatusPreconditionRequired:  "Version fehlt",
	http.StatusTooManyRequests:       "Zu viele Anfragen",
	StatusClientClosedRequest:        "Anfrage abgebrochen",
	http.StatusInternalServerError:   "Interner Fehler",
	http.StatusNotImplemented:        "Nicht unterstützt",
	http.StatusBadGateway:            "Fehlerhafte Antwort eines Dienstes",
	http.StatusServiceUnavailable:    "Vorübergehend nicht verfügbar",
	http.StatusGatewayTimeout:        "Zeitüberschreitung",
}

// StatusClientClosedRequest is the status of a request its client gave up
// on (nginx's 499); nobody reads the answer, the access log does.
const StatusClientClosedRequest = 499

// Title is the German title of an HTTP status ("Nicht gefunden" for 404).
func Title(status int) string {
	if t, ok := titles[status]; ok {
		return t
	}
	switch {
	case status >= 500:
		return "Fehler des Servers"
	case status >= 400:
		return "Fehlerhafte Anfrage"
	}
	return "Hinweis"
}
