package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
)

// WatchBody starts or changes the caller's watch of a motion.
type WatchBody struct {
	Email    string   `json:"email,omitempty" maxLength:"254" format:"email" doc:"Adresse für Erinnerungen per E-Mail (Pflicht mit dem Kanal email)" example:"sabine.beispiel@spd-mannheim.de"`
	Channels []string `json:"channels,omitempty" maxItems:"2" enum:"email,inapp" doc:"Kanäle: email und/oder inapp (Arbeitsliste); ohne Angabe inapp"`
	Digest   bool     `json:"digest,omitempty" doc:"E-Mails einmal täglich gesammelt statt sofort"`
}

// WatchView is a watch of the caller.
type WatchView struct {
	MotionID       string `json:"motion_id"`
	Email          string `json:"email,omitempty"`
	EmailConfirmed bool   `json:"email_confirmed" doc:"Die Adresse ist bestätigt: Erinnerungen gehen per E-Mail an sie. Sonst erst, wenn ihr Inhaber den Link der Bestätigungsmail geöffnet hat"`
	// Confirmation says what became of the confirmation mail (only in the
	// answer to the watch that needs it).
	Confirmation string     `json:"confirmation,omitempty" enum:"sent,pending,unavailable" doc:"Bestätigungsmail an eine unbestätigte Adresse: sent (verschickt), pending (vor kurzem schon verschickt; der Link darin gilt), unavailable (kein E-Mail-Versand möglich)"`
	Channels     []string   `json:"channels"`
	Digest       bool       `json:"digest"`
	Created      time.Time  `json:"created"`
	Motion       *MotionRef `json:"motion,omitempty" doc:"der beobachtete Antrag (in Listen)"`
}

// Mailer sends one e-mail; *notify.Mailer is one.
type Mailer interface {
	Send(ctx context.Context, to string, msg notify.Message) error
}

// Confirmation of watch addresses: a link is good for WatchConfirmationTTL,
// and an address gets at most one confirmation mail per
// watchConfirmationResend.
const (
	WatchConfirmationTTL    = 72 * time.Hour
	watchConfirmationResend = 15 * time.Minute
)

// The values of WatchView.Confirmation.
const (
	confirmationSent        = "sent"
	confirmationPending     = "pending"
	confirmationUnavailable = "unavailable"
)

func watchView(w store.Watch) WatchView {
	v := WatchView{MotionID: w.MotionID, Email: w.Email, EmailConfirmed: w.EmailConfirmed, Channels: []string{}, Digest: w.Digest, Created: w.Created}
	for _, c := range w.Channels {
		v.Channels = append(v.Channels, string(c))
	}
	return v
}

type watchOutput struct {
	Body WatchView
}

type watchesOutput struct {
	Body struct {
		Items []WatchView `json:"items"`
	}
}

func (s *server) registerWatches(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "watch-motion",
		Method:      http.MethodPut,
		Path:        "/v1/motions/{id}/watch",
		Summary:     "Antrag beobachten",
		Description: "Der Aufrufer bekommt die Erinnerungen an die Fristen des Antrags über die gewählten Kanäle " +
			"(nicht die Eskalationen an das Ratsbüro). Ein erneuter Aufruf ändert die Beobachtung. " +
			"E-Mails gehen nur an eine bestätigte Adresse: die vom Anmeldedienst bestätigte des Aufrufers " +
			"(Claims email und email_verified), oder eine, deren Inhaber den Link einer Bestätigungsmail geöffnet hat; " +
			"die geht an jede andere Adresse (höchstens eine je Viertelstunde). " +
			"Was der Aufrufer nicht sehen darf, ist 404.",
		Tags:     []string{"Watches"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		MotionPath
		Body WatchBody
	}) (*watchOutput, error) {
		actor := Caller(ctx)
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		if slices.Contains(in.Body.Channels, string(store.ChannelEmail)) && in.Body.Email == "" {
			return nil, fieldError("body.email", "für den Kanal email ist eine Adresse nötig")
		}
		w := store.Watch{MotionID: m.ID, Subject: actor.Subject, Name: actor.Name, Email: in.Body.Email, Digest: in.Body.Digest}
		// The caller's own verified address needs no confirmation.
		if a, err := mail.ParseAddress(in.Body.Email); err == nil && actor.Email != "" {
			w.EmailConfirmed = strings.EqualFold(a.Address, actor.Email)
		}
		for _, c := range in.Body.Channels {
			w.Channels = append(w.Channels, store.Channel(c))
		}
		w, err = s.store.Watch(ctx, w)
		if errors.Is(err, store.ErrInvalid) {
			return nil, fieldError("body", "Beobachtung nicht möglich: "+err.Error())
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		v := watchView(w)
		if !w.EmailConfirmed && slices.Contains(w.Channels, store.ChannelEmail) {
			v.Confirmation = s.requestConfirmation(ctx, actor.Subject, actor.Name, w.Email)
		}
		return &watchOutput{Body: v}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "unwatch-motion",
		Method:        http.MethodDelete,
		Path:          "/v1/motions/{id}/watch",
		Summary:       "Beobachtung beenden",
		Description:   "404, wenn der Aufrufer den Antrag nicht beobachtet oder nicht sehen darf.",
		Tags:          []string{"Watches"},
		Security:      requireToken,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MotionPath) (*struct{}, error) {
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		err = s.store.Unwatch(ctx, m.ID, Caller(ctx).Subject)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Beobachtung")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-watches",
		Method:      http.MethodGet,
		Path:        "/v1/me/watches",
		Summary:     "Meine beobachteten Anträge",
		Description: "Neueste zuerst; Anträge, die der Aufrufer nicht mehr sehen darf, fehlen.",
		Tags:        []string{"Watches"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*watchesOutput, error) {
		actor := Caller(ctx)
		ws, err := s.store.WatchedBy(ctx, actor.Subject)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &watchesOutput{}
		out.Body.Items = make([]WatchView, 0, len(ws))
		for _, w := range ws {
			m, err := s.store.Motion(ctx, w.MotionID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && !m.VisibleTo(actor)) {
				continue
			}
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			v := watchView(w)
			ref := motionRefOf(m)
			v.Motion = &ref
			out.Body.Items = append(out.Body.Items, v)
		}
		return out, nil
	})
}

// requestConfirmation mails the owner of address the link that confirms it
// for the subject's watches, and says what became of it (WatchView.
// Confirmation). Without a mailer or a configured public URL (a link built
// from the request's Host header could point anywhere) nothing is sent. A
// failure to send is logged; the watch stands, unconfirmed.
func (s *server) requestConfirmation(ctx context.Context, subject, name, address string) string {
	if s.mailer == nil || s.cfg.BaseURL == "" {
		s.log.WarnContext(ctx, "watch address not confirmed: no SMTP or no public base URL configured",
			slog.String("request_id", RequestID(ctx)))
		return confirmationUnavailable
	}
	token, err := s.store.RequestWatchConfirmation(ctx, subject, address, WatchConfirmationTTL, watchConfirmationResend)
	if errors.Is(err, store.ErrConflict) {
		return confirmationPending
	}
	if err != nil {
		s.log.ErrorContext(ctx, "watch confirmation", slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
		return confirmationUnavailable
	}
	link := notify.WatchConfirmationLink(s.cfg.BaseURL, token)
	msg := notify.ComposeWatchConfirmation(name, address, link, time.Now().Add(WatchConfirmationTTL))
	if err := s.mailer.Send(ctx, address, msg); err != nil {
		s.log.ErrorContext(ctx, "watch confirmation mail", slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
		return confirmationUnavailable
	}
	return confirmationSent
}
