// Package smtpsink is an SMTP server that accepts every message and keeps it
// in memory, for `dev` (reminders can be seen without a mail server) and for
// tests. It is also an http.Handler that lists what it received, as HTML or
// JSON. It never relays anything and is meant for loopback only.
package smtpsink

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// MaxMessages is how many messages a sink keeps; older ones are dropped.
const MaxMessages = 500

// Received is one message the sink accepted.
type Received struct {
	At   time.Time
	From string
	To   []string
	// Data is the message as sent: headers and MIME body.
	Data []byte
	// Subject and MessageID are decoded from the headers.
	Subject   string
	MessageID string
}

// Sink is a running SMTP sink.
type Sink struct {
	srv *smtp.Server
	ln  net.Listener

	mu      sync.Mutex
	msgs    []Received
	changed chan struct{} // closed and replaced whenever a message arrives
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves SMTP
// until Close. It accepts any sender, recipient and AUTH PLAIN credentials,
// without TLS.
func Start(addr string) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtpsink: listen on %s: %w", addr, err)
	}
	s := &Sink{ln: ln, changed: make(chan struct{})}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 100
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv = srv
	go func() { _ = srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the sink listens on, "127.0.0.1:2525".
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Host and Port split Addr, for an SMTP client configuration.
func (s *Sink) Host() string { h, _, _ := net.SplitHostPort(s.Addr()); return h }

// Port is the port of Addr.
func (s *Sink) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr())
	n, _ := strconv.Atoi(p)
	return n
}

// Close stops the server and closes its connections.
func (s *Sink) Close() error { return s.srv.Close() }

// Messages returns the messages received so far, oldest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.msgs))
	copy(out, s.msgs)
	return out
}

// Wait waits until at least n messages have arrived and returns them all, or
// returns what arrived with ctx's error.
func (s *Sink) Wait(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		got, ch := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Messages(), fmt.Errorf("smtpsink: %d of %d messages: %w", got, n, ctx.Err())
		}
	}
}

// Reset forgets every message received.
func (s *Sink) Reset() {
	s.mu.Lock()
	s.msgs = nil
	s.mu.Unlock()
}

func (s *Sink) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	if len(s.msgs) > MaxMessages {
		s.msgs = append([]Received(nil), s.msgs[len(s.msgs)-MaxMessages:]...)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

type backend struct{ s *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{sink: b.s}, nil }

type session struct {
	sink *Sink
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error { return nil }), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec := Received{At: time.Now(), From: s.from, To: append([]string(nil), s.to...), Data: data}
	if m, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		rec.Subject = decodeHeader(m.Header.Get("Subject"))
		rec.MessageID = strings.Trim(m.Header.Get("Message-Id"), "<> ")
	}
	s.sink.add(rec)
	return nil
}

func (s *session) Reset() {
	s.from, s.to = "", nil
}

func (s *session) Logout() error { return nil }

func decodeHeader(v string) string {
	out, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return out
}

// Header returns the message's header, or an empty one if it cannot be parsed.
func (r Received) Header() mail.Header {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return mail.Header{}
	}
	return m.Header
}

// Text returns the message's text/plain part, decoded ("" if it has none).
func (r Received) Text() string { return r.part("text/plain") }

// HTML returns the message's text/html part, decoded ("" if it has none).
func (r Received) HTML() string { return r.part("text/html") }

func (r Received) part(mediaType string) string {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return ""
	}
	out, _ := findPart(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, mediaType, 0)
	return out
}

// findPart walks a (possibly nested) MIME body for the first part of mediaType.
func findPart(contentType, encoding string, body io.Reader, want string, depth int) (string, bool) {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || depth > 5 {
		return "", false
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return "", false
			}
			if s, ok := findPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, want, depth+1); ok {
				return s, true
			}
		}
	}
	if mt != want {
		return "", false
	}
	var rd io.Reader = body
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		rd = quotedprintable.NewReader(body)
	case "base64":
		rd = base64.NewDecoder(base64.StdEncoding, newlineStripper{body})
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// newlineStripper drops CR and LF, which base64 bodies are wrapped with.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// jsonMessage is a message in the JSON listing.
type jsonMessage struct {
	At        time.Time `json:"at"`
	From      string    `json:"from"`
	To        []string  `json:"to"`
	Subject   string    `json:"subject"`
	MessageID string    `json:"message_id"`
	Text      string    `json:"text"`
	HTML      string    `json:"html,omitempty"`
}

// ServeHTTP lists the received messages, newest first: as JSON for
// "?format=json" or an Accept header asking for application/json, else as an
// HTML page. "?html=N" shows the HTML part of message N (counting from 0,
// oldest first) in a sandbox.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	msgs := s.Messages()
	if v := r.URL.Query().Get("html"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(msgs) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", "sandbox")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, msgs[i].HTML())
		return
	}
	if r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json") {
		out := make([]jsonMessage, 0, len(msgs))
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			out = append(out, jsonMessage{At: m.At, From: m.From, To: m.To, Subject: m.Subject, MessageID: m.MessageID, Text: m.Text(), HTML: m.HTML()})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
		return
	}
	type row struct {
		Index     int
		At        string
		From      string
		To        string
		Subject   string
		Text      string
		HasHTML   bool
		MessageID string
	}
	rows := make([]row, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		rows = append(rows, row{Index: i, At: m.At.Format("02.01.2006 15:04:05"), From: m.From, To: strings.Join(m.To, ", "),
			Subject: m.Subject, Text: m.Text(), HasHTML: m.HTML() != "", MessageID: m.MessageID})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, rows)
}

var pageTemplate = template.Must(template.New("sink").Parse(`<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>Postausgang (Entwicklung)</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}article{border-top:1px solid #ccc;padding:.5em 0}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}small{color:#666}</style>
</head>
<body>
<h1>Postausgang (Entwicklung)</h1>
<p>{{len .}} Nachricht(en), neueste zuerst. Dieser Briefkasten nimmt jede E-Mail an und verschickt nichts. <a href="?format=json">JSON</a></p>
{{range .}}<article>
<h2>{{.Subject}}</h2>
<small>{{.At}} · von {{.From}} an {{.To}} · {{.MessageID}}{{if .HasHTML}} · <a href="?html={{.Index}}">HTML-Ansicht</a>{{end}}</small>
<pre>{{.Text}}</pre>
</article>
{{else}}<p>Noch keine Nachrichten.</p>
{{end}}</body>
</html>
`))
