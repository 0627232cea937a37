package notify_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/notify"
)

func TestWebhookSignedDelivery(t *testing.T) {
	t.Parallel()
	const secret = "geheim"
	var mu sync.Mutex
	var got []notify.Event
	var headers []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature(secret, r.Header, body, 5*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var ev notify.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, ev)
		headers = append(headers, r.Header.Clone())
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)

	r := answerReminder(-7*day, false)
	msg := notify.Compose(inquiry(), r, "http://127.0.0.1:8080")
	id := notify.DeliveryID("m-12", r.Key, "webhook:"+srv.URL)
	w := notify.Webhook{AllowPrivate: true} // the receiver is on 127.0.0.1
	if err := w.Send(t.Context(), srv.URL, secret, id, notify.NewEvent(inquiry(), r, msg, id)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("receiver got %d events", len(got))
	}
	ev, h := got[0], headers[0]
	if ev.Type != notify.EventReminder || ev.DeliveryID != id || ev.Motion.Reference != "A12/2026" || ev.Reminder.Key != r.Key ||
		!ev.Reminder.Deadline.Due.Equal(r.Deadline.Due) || ev.Subject != msg.Subject || ev.Link != msg.Link {
		t.Errorf("event = %+v", ev)
	}
	if h.Get(notify.HeaderDelivery) != id || h.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("headers = %v", h)
	}

	// A receiver with another secret refuses it, and the sender reports the answer.
	err := w.Send(t.Context(), srv.URL, "falsch", id, map[string]string{"x": "y"})
	var se *notify.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusUnauthorized || notify.IsPermanent(err) {
		t.Errorf("wrong secret: err = %v, want a retryable 401 StatusError", err)
	}
	// Redirects are answers, not followed.
	redirect := httptest.NewServer(http.RedirectHandler(srv.URL, http.StatusFound))
	t.Cleanup(redirect.Close)
	if err := w.Send(t.Context(), redirect.URL, secret, id, 1); !errors.As(err, &se) || se.StatusCode != http.StatusFound {
		t.Errorf("redirect: err = %v, want a 302 StatusError", err)
	}
	if len(got) != 1 {
		t.Errorf("receiver got %d events, want still 1", len(got))
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"deadline.reminder"}`)
	now := time.Now().Unix()
	signed := func(secret string, ts int64, b []byte) http.Header {
		h := http.Header{}
		h.Set(notify.HeaderTimestamp, strconv.FormatInt(ts, 10))
		h.Set(notify.HeaderSignature, notify.Sign(secret, ts, b))
		return h
	}
	if err := notify.VerifySignature("s", signed("s", now, body), body, time.Minute); err != nil {
		t.Errorf("valid: %v", err)
	}
	rotated := signed("s", now, body)
	rotated.Set(notify.HeaderSignature, notify.Sign("old", now, body)+", "+notify.Sign("s", now, body))
	if err := notify.VerifySignature("s", rotated, body, time.Minute); err != nil {
		t.Errorf("one of two signatures valid: %v", err)
	}
	for name, tc := range map[string]struct {
		h    http.Header
		body []byte
		want error
	}{
		"wrong secret":  {signed("t", now, body), body, notify.ErrBadSignature},
		"changed body":  {signed("s", now, body), []byte(`{"type":"x"}`), notify.ErrBadSignature},
		"old":           {signed("s", now-3600, body), body, notify.ErrStaleSignature},
		"future":        {signed("s", now+3600, body), body, notify.ErrStaleSignature},
		"unsigned":      {http.Header{}, body, notify.ErrNoSignature},
		"bad timestamp": {http.Header{notify.HeaderTimestamp: {"soon"}, notify.HeaderSignature: {"sha256=00"}}, body, notify.ErrBadTimestamp},
		"other timestamp": {func() http.Header {
			h := signed("s", now, body)
			h.Set(notify.HeaderTimestamp, strconv.FormatInt(now+1, 10))
			return h
		}(), body, notify.ErrBadSignature},
	} {
		if err := notify.VerifySignature("s", tc.h, tc.body, time.Minute); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	// maxAge 0 skips the age check (replaying a stored request in a test).
	if err := notify.VerifySignature("s", signed("s", 1, body), body, 0); err != nil {
		t.Errorf("maxAge 0: %v", err)
	}
}
