package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP connection.
const (
	TLSNone     = "none"     // plain SMTP, e.g. a local relay or the dev sink
	TLSStartTLS = "starttls" // STARTTLS required (submission, port 587)
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, port 465)
)

// SMTPConfig is how reminders are sent by e-mail.
type SMTPConfig struct {
	Host string
	// Port defaults to 25 (none), 587 (starttls) or 465 (tls).
	Port int
	// Username and Password authenticate when Username is set (the best
	// mechanism the server offers).
	Username, Password string
	// From is the sender: "motionflow <fristen@rat.example>".
	From string
	// TLS is TLSNone, TLSStartTLS (the default) or TLSImplicit.
	TLS string
	// Timeout bounds connecting and each command; 30 seconds when zero.
	Timeout time.Duration
}

// Validate reports a configuration that cannot send anything.
func (c SMTPConfig) Validate() error {
	if strings.TrimSpace(c.Host) == "" {
		return errors.New("notify: SMTP host is required")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("notify: SMTP sender %q: %w", c.From, err)
	}
	switch c.TLS {
	case "", TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("notify: SMTP TLS mode %q: want none, starttls or tls", c.TLS)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("notify: SMTP port %d out of range", c.Port)
	}
	return nil
}

// Mailer sends messages over SMTP, one connection per message. It is safe
// for concurrent use.
type Mailer struct {
	cfg SMTPConfig
}

// NewMailer returns a mailer for cfg; a bad configuration shows in Send (and
// in cfg.Validate, which start-up should call).
func NewMailer(cfg SMTPConfig) *Mailer { return &Mailer{cfg: cfg} }

// HeaderDelivery carries the delivery id on e-mails and webhook requests:
// the same on every attempt of one delivery.
const HeaderDelivery = "X-Motionflow-Delivery"

// Send sends msg to one recipient ("erika@example.org" or "Erika Muster
// <erika@example.org>") as a multipart/alternative e-mail: plain text and
// HTML. Its Message-ID is "<DeliveryID@sender's domain>" when msg has a
// DeliveryID, so every attempt of a delivery carries the same id. An
// address that cannot be parsed, or that the server rejects for good (5xx
// on RCPT), gives an error for which IsPermanent is true.
func (m *Mailer) Send(ctx context.Context, to string, msg Message) error {
	if err := m.cfg.Validate(); err != nil {
		return err
	}
	e := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := e.From(m.cfg.From); err != nil {
		return fmt.Errorf("notify: sender: %w", err)
	}
	if err := e.To(to); err != nil {
		return &PermanentError{Err: fmt.Errorf("notify: recipient %q: %w", to, err)}
	}
	e.Subject(msg.Subject)
	e.SetDate()
	if msg.DeliveryID != "" {
		e.SetMessageIDWithValue(msg.DeliveryID + "@" + domainOf(m.cfg.From))
		e.SetGenHeader(gomail.Header(HeaderDelivery), msg.DeliveryID)
	} else {
		e.SetMessageID()
	}
	e.SetUserAgent("motionflow")
	e.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated") // RFC 3834: no auto-replies
	e.SetBulk()
	e.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		e.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for _, a := range msg.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := e.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return fmt.Errorf("notify: attach %s: %w", a.Name, err)
		}
	}

	c, err := gomail.NewClient(m.cfg.Host, m.clientOptions()...)
	if err != nil {
		return fmt.Errorf("notify: SMTP client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, e); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500 {
			return &PermanentError{Err: fmt.Errorf("notify: send to %s: %w", to, err)}
		}
		return fmt.Errorf("notify: send to %s via %s: %w", to, c.ServerAddr(), err)
	}
	return nil
}

func (m *Mailer) clientOptions() []gomail.Option {
	cfg := m.cfg
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(timeout)}
	port := cfg.Port
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if port == 0 {
			port = 25
		}
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		if port == 0 {
			port = 587
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return opts
}

// domainOf returns the domain of an address for Message-IDs, or
// "motionflow.invalid".
func domainOf(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 && i < len(a.Address)-1 {
			return a.Address[i+1:]
		}
	}
	return "motionflow.invalid"
}

// PermanentError is a failure that retrying cannot fix, such as a recipient
// address the mail server rejects.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err (or an error it wraps) is a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
