package problem

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxValueBytes is the longest path segment, query parameter name or query
// value accepted (after percent-decoding). Ids, tags, search words and page
// markers are far shorter.
const MaxValueBytes = 2000

// maxNameBytes is the longest query parameter name a problem names in its
// location; a longer one is refused without naming it.
const maxNameBytes = 64

// Check returns the problem with the request's URL, or nil. A path segment,
// query parameter name or value that is not valid UTF-8, contains a control
// character (C0, DEL, C1) or is longer than MaxValueBytes is refused: in the
// path with 404 (no such address can exist), in the query with 400 naming
// the parameter. A query that is not percent-encoded properly is 400. The
// offending value is never repeated.
func Check(r *http.Request) *Problem {
	for seg := range strings.SplitSeq(r.URL.Path, "/") {
		if msg := badValue(seg); msg != "" {
			return New(http.StatusNotFound, "Unter dieser Adresse gibt es nichts: "+msg+".", Field{Location: "path", Message: msg})
		}
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return New(http.StatusBadRequest, "Die Parameter der Adresse sind fehlerhaft kodiert.",
			Field{Location: "query", Message: "fehlerhafte Prozent-Kodierung oder Trennzeichen"})
	}
	for name, values := range q {
		loc := "query." + name
		if msg := badValue(name); msg != "" || len(name) > maxNameBytes {
			if msg == "" {
				msg = fmt.Sprintf("Name zu lang (höchstens %d Bytes)", maxNameBytes)
			}
			return New(http.StatusBadRequest, "Ein Parameter der Adresse ist ungültig: "+msg+".", Field{Location: "query", Message: msg})
		}
		for _, v := range values {
			if msg := badValue(v); msg != "" {
				return New(http.StatusBadRequest, "Ein Parameter der Adresse ist ungültig: "+msg+".", Field{Location: loc, Message: msg})
			}
		}
	}
	return nil
}

// badValue says what is wrong with a decoded URL value, or "".
func badValue(v string) string {
	if len(v) > MaxValueBytes {
		return fmt.Sprintf("zu lang (höchstens %d Bytes)", MaxValueBytes)
	}
	if !utf8.ValidString(v) {
		return "kein gültiges UTF-8"
	}
	for _, r := range v {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return "enthält ein Steuerzeichen"
		}
	}
	return ""
}

// Guard refuses a request whose URL Check finds fault with, before next
// sees it: with refuse, or with Write when refuse is nil.
func Guard(next http.Handler, refuse func(http.ResponseWriter, *http.Request, *Problem)) http.Handler {
	if refuse == nil {
		refuse = func(w http.ResponseWriter, _ *http.Request, p *Problem) { Write(w, p) }
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := Check(r); p != nil {
			refuse(w, r, p)
			return
		}
		next.ServeHTTP(w, r)
	})
}
