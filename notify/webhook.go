package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/motionflow/motionflow/motion"
)

// Webhook request headers.
const (
	// HeaderSignature is "sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>".
	HeaderSignature = "X-Motionflow-Signature"
	// HeaderTimestamp is the signing time in Unix seconds.
	HeaderTimestamp = "X-Motionflow-Timestamp"
)

// EventReminder is the type of a reminder's webhook payload.
const EventReminder = "deadline.reminder"

// Event is the JSON body of a reminder's webhook request.
type Event struct {
	Type       string          `json:"type"`
	DeliveryID string          `json:"delivery_id"`
	Motion     Motion          `json:"motion"`
	Reminder   motion.Reminder `json:"reminder"`
	// Subject is the German one-line summary, as in the e-mail.
	Subject string `json:"subject"`
	Link    string `json:"link"`
}

// NewEvent is the webhook payload of reminder r of motion m.
func NewEvent(m Motion, r motion.Reminder, msg Message, deliveryID string) Event {
	return Event{Type: EventReminder, DeliveryID: deliveryID, Motion: m, Reminder: r, Subject: msg.Subject, Link: msg.Link}
}

// Webhook sends signed JSON POST requests. The zero value is ready to use:
// it then uses a client with a 30-second timeout that does not follow
// redirects (a redirected POST would lose its body or its signature's sense)
// and connects to public addresses only (see PublicAddr): a target that
// resolves to a loopback, private or link-local address is refused with a
// permanent error, however its name resolved when it was created.
type Webhook struct {
	// Client, if set, is used as is: the address check is then its
	// transport's business.
	Client *http.Client
	// AllowPrivate lets deliveries reach non-public addresses: for tests and
	// receivers inside the cluster. Off by default.
	AllowPrivate bool
	// Now is the clock of the signature timestamp; time.Now when nil.
	Now func() time.Time
}

// The default clients, with and without the address check.
var (
	publicWebhookClient  = newWebhookClient(false)
	privateWebhookClient = newWebhookClient(true)
)

// StatusError is a webhook receiver's non-2xx answer.
type StatusError struct {
	URL        string
	StatusCode int
	Body       string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("notify: webhook %s answered %d: %s", e.URL, e.StatusCode, e.Body)
}

// Send POSTs payload as JSON to url, signed with secret (see
// HeaderSignature) and carrying deliveryID. A CloudEvent goes in structured
// mode (CloudEventsContentType). Any answer but 2xx is an error: the caller
// retries with backoff.
func (w *Webhook) Send(ctx context.Context, url, secret, deliveryID string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("notify: webhook payload: %w", err)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("notify: webhook request: %w", err)}
	}
	contentType := "application/json; charset=utf-8"
	if _, ok := payload.(cloudevents.Event); ok {
		contentType = CloudEventsContentType + "; charset=utf-8"
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "motionflow-webhook/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	req.Header.Set(HeaderDelivery, deliveryID)
	client := w.Client
	switch {
	case client != nil:
	case w.AllowPrivate:
		client = privateWebhookClient
	default:
		client = publicWebhookClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: webhook %s: %w", url, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{URL: url, StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(snippet))}
	}
	return nil
}

// Sign returns the signature header value of body signed at Unix time ts:
// "sha256=" and the hex HMAC-SHA256 of "<ts>.<body>" keyed with secret.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Errors of VerifySignature.
var (
	ErrNoSignature    = errors.New("notify: webhook request is not signed")
	ErrBadSignature   = errors.New("notify: webhook signature does not match")
	ErrStaleSignature = errors.New("notify: webhook signature is too old or from the future")
	ErrBadTimestamp   = errors.New("notify: webhook timestamp is malformed")
)

// VerifySignature checks a webhook request as a receiver should: the
// signature header must hold a valid signature of body and the timestamp
// header, made with secret, and the timestamp must be at most maxAge away
// from now (either way; maxAge <= 0 skips this check). Several
// comma-separated signatures are accepted, any one matching, so that a
// secret can be rotated. Comparison is constant-time.
func VerifySignature(secret string, header http.Header, body []byte, maxAge time.Duration) error {
	sigs, tsText := header.Get(HeaderSignature), header.Get(HeaderTimestamp)
	if sigs == "" || tsText == "" {
		return ErrNoSignature
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if maxAge > 0 {
		age := time.Since(time.Unix(ts, 0))
		if age > maxAge || age < -maxAge {
			return ErrStaleSignature
		}
	}
	want := []byte(Sign(secret, ts, body))
	for _, s := range strings.Split(sigs, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), want) {
			return nil
		}
	}
	return ErrBadSignature
}
