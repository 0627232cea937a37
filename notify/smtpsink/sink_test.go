package smtpsink_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/notify/smtpsink"
)

func TestSinkReceivesAndLists(t *testing.T) {
	t.Parallel()
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()

	// Nothing yet: Wait gives up with the context.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if got, err := sink.Wait(ctx, 1); err == nil || len(got) != 0 {
		t.Errorf("Wait on an empty sink = %v, %v", got, err)
	}

	// A client that authenticates and sends a base64 body with an encoded subject.
	msg := "From: a@example.org\r\nTo: b@example.org\r\nSubject: =?UTF-8?q?Fr=C3=BChjahrssitzung?=\r\n" +
		"Message-ID: <abc@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"R3LDvMOfZSBhdXMgZGVtIFJhdGhhdXM=\r\n" +
		"--XX\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<p>Gr=C3=BC=C3=9Fe</p>\r\n--XX--\r\n"
	sent := make(chan error, 1)
	go func() {
		auth := smtp.PlainAuth("", "user", "pass", "127.0.0.1")
		sent <- smtp.SendMail(sink.Addr(), auth, "a@example.org", []string{"b@example.org", "c@example.org"}, []byte(msg))
	}()
	ctx, cancel = context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := sink.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The client finishes (QUIT) before the sink closes; its error is ours.
	if err := <-sent; err != nil {
		t.Errorf("SendMail: %v", err)
	}
	r := got[0]
	if r.From != "a@example.org" || strings.Join(r.To, ",") != "b@example.org,c@example.org" || r.Subject != "Frühjahrssitzung" || r.MessageID != "abc@example.org" {
		t.Errorf("received %+v", r)
	}
	if r.Text() != "Grüße aus dem Rathaus" || r.HTML() != "<p>Grüße</p>" {
		t.Errorf("parts: text %q, html %q", r.Text(), r.HTML())
	}

	rec := httptest.NewRecorder()
	sink.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail", nil))
	if !strings.Contains(rec.Body.String(), "Frühjahrssitzung") || !strings.Contains(rec.Body.String(), "Grüße aus dem Rathaus") {
		t.Errorf("HTML listing:\n%s", rec.Body)
	}
	req := httptest.NewRequest(http.MethodGet, "/dev/mail", nil)
	req.Header.Set("Accept", "application/json")
	rec = httptest.NewRecorder()
	sink.ServeHTTP(rec, req)
	var list []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list) != 1 || list[0]["subject"] != "Frühjahrssitzung" {
		t.Errorf("JSON listing %v: %s", err, rec.Body)
	}
	rec = httptest.NewRecorder()
	sink.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mail?html=7", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("unknown message: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	sink.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dev/mail", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}

	sink.Reset()
	if n := len(sink.Messages()); n != 0 {
		t.Errorf("%d messages after Reset", n)
	}
}
