package notify_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
)

func startSink(t *testing.T) *smtpsink.Sink {
	t.Helper()
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	return sink
}

func TestMailerSendsGermanAlternative(t *testing.T) {
	t.Parallel()
	sink := startSink(t)
	m := notify.NewMailer(notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: notify.TLSNone,
		From: "motionflow Fristen <fristen@rat.example>", Timeout: 5 * time.Second})
	msg := notify.Compose(inquiry(), answerReminder(-7*day, false), "http://127.0.0.1:8080")
	msg.DeliveryID = notify.DeliveryID("m-12", "inquiry_answer@-7d", "mailto:erika@example.org")
	if err := m.Send(t.Context(), "Erika Muster <erika@example.org>", msg); err != nil {
		t.Fatal(err)
	}
	// A resend of the same delivery carries the same Message-ID.
	if err := m.Send(t.Context(), "erika@example.org", msg); err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 2 {
		t.Fatalf("sink got %d messages, want 2", len(got))
	}
	r := got[0]
	if r.From != "fristen@rat.example" || len(r.To) != 1 || r.To[0] != "erika@example.org" {
		t.Errorf("envelope from %q to %v", r.From, r.To)
	}
	if r.Subject != msg.Subject || !strings.Contains(r.Subject, "fällig am 23.03.2026") {
		t.Errorf("subject = %q, want %q", r.Subject, msg.Subject)
	}
	if want := msg.DeliveryID + "@rat.example"; r.MessageID != want || got[1].MessageID != want {
		t.Errorf("Message-IDs = %q, %q; want %q on both", r.MessageID, got[1].MessageID, want)
	}
	h := r.Header()
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	if h.Get("Auto-Submitted") != "auto-generated" || h.Get(notify.HeaderDelivery) != msg.DeliveryID {
		t.Errorf("headers: Auto-Submitted %q, delivery %q", h.Get("Auto-Submitted"), h.Get(notify.HeaderDelivery))
	}
	if text := r.Text(); text != strings.ReplaceAll(msg.Text, "\n", "\r\n") && text != msg.Text {
		t.Errorf("plain part differs:\n%q\nwant\n%q", text, msg.Text)
	}
	if html := r.HTML(); !strings.Contains(html, `<a href="http://127.0.0.1:8080/v1/motions/m-12">`) || !strings.Contains(html, "Beantwortung der Anfrage") {
		t.Errorf("HTML part:\n%s", html)
	}

	// The sink lists what it got for people (dev) and programs.
	rec := httptest.NewRecorder()
	sink.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Beantwortung der Anfrage") || !strings.Contains(rec.Body.String(), "?html=1") {
		t.Errorf("sink page: %d\n%s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	sink.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail?format=json", nil))
	if !strings.Contains(rec.Body.String(), `"subject":"Erinnerung: Beantwortung der Anfrage`) {
		t.Errorf("sink JSON:\n%s", rec.Body)
	}
	rec = httptest.NewRecorder()
	sink.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail?html=0", nil))
	if rec.Header().Get("Content-Security-Policy") != "sandbox" || !strings.Contains(rec.Body.String(), "<a href=") {
		t.Errorf("sink HTML view: %v\n%s", rec.Header(), rec.Body)
	}
}

func TestMailerErrors(t *testing.T) {
	t.Parallel()
	sink := startSink(t)
	msg := notify.Compose(inquiry(), answerReminder(0, false), "")

	ok := notify.NewMailer(notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: notify.TLSNone, From: "f@rat.example"})
	if err := ok.Send(t.Context(), "not an address", msg); !notify.IsPermanent(err) {
		t.Errorf("bad address: err = %v, want a permanent error", err)
	}
	bad := notify.NewMailer(notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "sometimes", From: "f@rat.example"})
	if err := bad.Send(t.Context(), "a@example.org", msg); err == nil || notify.IsPermanent(err) {
		t.Errorf("bad TLS mode: err = %v", err)
	}
	// STARTTLS is required by default; the sink offers none.
	strict := notify.NewMailer(notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), From: "f@rat.example", Timeout: 5 * time.Second})
	if err := strict.Send(t.Context(), "a@example.org", msg); err == nil || notify.IsPermanent(err) {
		t.Errorf("STARTTLS against a plain server: err = %v, want a retryable error", err)
	}
	// Nobody listening: retryable.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	down := notify.NewMailer(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: notify.TLSNone, From: "f@rat.example", Timeout: 2 * time.Second})
	if err := down.Send(t.Context(), "a@example.org", msg); err == nil || notify.IsPermanent(err) {
		t.Errorf("server down: err = %v, want a retryable error", err)
	}
	if len(sink.Messages()) != 0 {
		t.Errorf("sink got %d messages from failed sends", len(sink.Messages()))
	}

	// A server that rejects the recipient for good, or for now.
	rejecting := startRejecting(t)
	m := notify.NewMailer(notify.SMTPConfig{Host: "127.0.0.1", Port: rejecting, TLS: notify.TLSNone, From: "f@rat.example", Timeout: 5 * time.Second})
	if err := m.Send(t.Context(), "gone@example.org", msg); !notify.IsPermanent(err) {
		t.Errorf("550 on RCPT: err = %v, want permanent", err)
	}
	if err := m.Send(t.Context(), "busy@example.org", msg); err == nil || notify.IsPermanent(err) {
		t.Errorf("451 on RCPT: err = %v, want retryable", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := ok.Send(ctx, "a@example.org", msg); err == nil {
		t.Error("send with a cancelled context succeeded")
	}
}

// startRejecting serves SMTP on loopback and rejects gone@ with 550 and busy@ with 451.
func startRejecting(t *testing.T) int {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return rejectSession{}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

type rejectSession struct{}

func (rejectSession) Reset()                               {}
func (rejectSession) Logout() error                        { return nil }
func (rejectSession) Mail(string, *smtp.MailOptions) error { return nil }
func (rejectSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (rejectSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "gone@"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	case strings.HasPrefix(to, "busy@"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return errors.New("unexpected recipient")
}
