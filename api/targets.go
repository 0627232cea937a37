package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
)

// NotificationTarget says where the reminders of one audience of a body go.
// A webhook's secret is shown only when the target is created.
type NotificationTarget struct {
	ID       string    `json:"id"`
	BodyID   string    `json:"body_id"`
	Audience string    `json:"audience" example:"council_office"`
	Channel  string    `json:"channel" enum:"email,webhook"`
	Address  string    `json:"address" doc:"E-Mail-Adresse oder Webhook-URL" example:"ratsbuero@mannheim.example"`
	Created  time.Time `json:"created"`
}

// NotificationTargetCreated is a new target; for a webhook with the secret
// its requests are signed with (HMAC-SHA256), shown only now.
type NotificationTargetCreated struct {
	NotificationTarget
	Secret string `json:"secret,omitempty" doc:"Schlüssel der Webhook-Signatur; wird nur jetzt gezeigt"`
}

func targetOf(t store.NotificationTarget) NotificationTarget {
	return NotificationTarget{ID: t.ID, BodyID: t.BodyID, Audience: t.Audience, Channel: string(t.Channel),
		Address: t.Address, Created: t.Created}
}

// NotificationTargetInput adds a target.
type NotificationTargetInput struct {
	Audience string `json:"audience" minLength:"1" maxLength:"200" doc:"council_office, administration, events (jeder öffentliche Schritt als CloudEvent), faction:<Fraktion> oder department:<Dezernat>" example:"council_office"`
	Channel  string `json:"channel" enum:"email,webhook"`
	Address  string `json:"address" minLength:"1" maxLength:"2000" doc:"E-Mail-Adresse, bei webhook eine absolute http(s)-URL"`
	Secret   string `json:"secret,omitempty" minLength:"16" maxLength:"200" doc:"Schlüssel der Webhook-Signatur; ohne Angabe ein zufälliger"`
}

type targetCreatedOutput struct {
	Location string `header:"Location"`
	Body     NotificationTargetCreated
}

type targetsOutput struct {
	Body struct {
		Items []NotificationTarget `json:"items"`
	}
}

func (s *server) registerTargets(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "list-notification-targets",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}/notification-targets",
		Summary:     "Empfänger der Erinnerungen (admin)",
		Description: "Wohin die Erinnerungen jeder Zielgruppe gehen (E-Mail, Webhook); ohne die Webhook-Schlüssel.",
		Tags:        []string{"Notifications"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Audience string `query:"audience" maxLength:"200" doc:"nur diese Zielgruppe"`
	}) (*targetsOutput, error) {
		if err := s.requireAdmin(ctx, in.BodyID); err != nil {
			return nil, err
		}
		var auds []string // nil: all
		if in.Audience != "" {
			auds = []string{in.Audience}
		}
		ts, err := s.store.NotificationTargets(ctx, in.BodyID, auds)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &targetsOutput{}
		out.Body.Items = make([]NotificationTarget, 0, len(ts))
		for _, t := range ts {
			out.Body.Items = append(out.Body.Items, targetOf(t))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "create-notification-target",
		Method:      http.MethodPost,
		Path:        "/v1/bodies/{body}/notification-targets",
		Summary:     "Empfänger für Erinnerungen eintragen (admin)",
		Description: "Ein Webhook ohne Schlüssel bekommt einen zufälligen; er steht nur in dieser Antwort. " +
			"Ein Webhook muss auf eine öffentliche Adresse zeigen: Loopback, private, link-lokale und andere " +
			"nicht öffentliche Adressen werden abgelehnt, beim Eintragen und bei jeder Zustellung.",
		Tags:          []string{"Notifications"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Body NotificationTargetInput
	}) (*targetCreatedOutput, error) {
		if err := s.requireAdmin(ctx, in.BodyID); err != nil {
			return nil, err
		}
		if err := s.checkAudience(ctx, in.BodyID, in.Body.Audience); err != nil {
			return nil, err
		}
		ch := store.Channel(in.Body.Channel)
		if ch == store.ChannelEmail && in.Body.Secret != "" {
			return nil, fieldError("body.secret", "nur bei webhook")
		}
		if ch == store.ChannelWebhook && !s.cfg.AllowPrivateWebhooks {
			var np *notify.NonPublicError
			if err := notify.CheckWebhookTarget(ctx, strings.TrimSpace(in.Body.Address), nil); errors.As(err, &np) {
				return nil, fieldError("body.address", "Webhook-Ziel nicht erlaubt: "+np.Host+" hat die nicht öffentliche Adresse "+
					np.Addr.String()+" (Loopback, privates oder lokales Netz); erlaubt sind nur öffentliche Adressen")
			}
		}
		t, err := s.store.AddNotificationTarget(ctx, store.NotificationTarget{BodyID: in.BodyID, Audience: in.Body.Audience,
			Channel: ch, Address: in.Body.Address, Secret: in.Body.Secret})
		if errors.Is(err, store.ErrInvalid) {
			return nil, fieldError("body.address", "ungültige Adresse: "+strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": "))
		}
		if errors.Is(err, store.ErrConflict) {
			return nil, huma.Error409Conflict("Diese Zielgruppe geht schon an diese Adresse.")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &targetCreatedOutput{Location: "/v1/bodies/" + url.PathEscape(in.BodyID) + "/notification-targets/" + url.PathEscape(t.ID)}
		out.Body = NotificationTargetCreated{NotificationTarget: targetOf(t)}
		if t.Channel == store.ChannelWebhook {
			out.Body.Secret = t.Secret
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "delete-notification-target",
		Method:        http.MethodDelete,
		Path:          "/v1/bodies/{body}/notification-targets/{id}",
		Summary:       "Empfänger austragen (admin)",
		Description:   "Bereits aufgezeichnete Erinnerungen bleiben.",
		Tags:          []string{"Notifications"},
		Security:      requireToken,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		BodyPath
		ID string `path:"id" maxLength:"100" doc:"Empfänger (Id)"`
	}) (*struct{}, error) {
		if err := s.requireAdmin(ctx, in.BodyID); err != nil {
			return nil, err
		}
		err := s.store.DeleteNotificationTarget(ctx, in.BodyID, in.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Empfänger")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

// requireAdmin lets an admin of the body through: 404 for a body the caller
// may not see or that does not exist, 403 for anybody else.
func (s *server) requireAdmin(ctx context.Context, bodyID string) error {
	if err := requireRole(ctx, bodyID, motion.RoleAdmin); err != nil {
		return err
	}
	_, err := s.visibleBody(ctx, bodyID)
	return err
}

// checkAudience accepts the audiences reminders and announced steps go to:
// the council office, the administration, a faction or department of the
// body, and "events" (every public step, as CloudEvents).
func (s *server) checkAudience(ctx context.Context, bodyID, aud string) error {
	const loc = "body.audience"
	if aud == motion.AudienceCouncilOffice || aud == motion.AudienceAdministration || aud == motion.AudienceEvents {
		return nil
	}
	kind := store.OrgFaction
	org, ok := strings.CutPrefix(aud, motion.FactionAudience(""))
	if !ok {
		kind = store.OrgDepartment
		org, ok = strings.CutPrefix(aud, motion.DepartmentAudience(""))
	}
	if !ok || org == "" {
		return fieldError(loc, "erwartet council_office, administration, events, faction:<Fraktion> oder department:<Dezernat>")
	}
	o, err := s.store.Organization(ctx, org)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (o.BodyID != bodyID || o.Kind != kind)) {
		what := "keine Fraktion"
		if kind == store.OrgDepartment {
			what = "kein Dezernat"
		}
		return fieldError(loc, what+" dieser Körperschaft: "+org)
	}
	if err != nil {
		return s.problem(ctx, err)
	}
	return nil
}
