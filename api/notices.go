package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
)

// NoticeStore is the part of the read model the inbox, subscription and
// delivery log endpoints use; *store.Store is one.
type NoticeStore interface {
	Inbox(ctx context.Context, f store.InboxFilter) ([]store.Notice, error)
	UnreadCount(ctx context.Context, f store.InboxFilter) (int, error)
	MarkRead(ctx context.Context, recipients, eventIDs []string) (int, error)

	Subscribe(ctx context.Context, sub store.Subscription) (store.Subscription, error)
	Unsubscribe(ctx context.Context, subject, bodyID, kind, value string) error
	Subscriptions(ctx context.Context, subject string) ([]store.Subscription, error)

	NotificationTarget(ctx context.Context, bodyID, id string) (store.NotificationTarget, error)
	TargetDeliveries(ctx context.Context, targetID string, max int) ([]store.Notice, error)
	Notice(ctx context.Context, eventID, recipient string) (store.Notice, error)
	ReopenNotice(ctx context.Context, eventID, recipient string) error
	ClaimNotice(ctx context.Context, n store.Notice, lease time.Duration) (store.Notice, bool, error)
	MarkNoticeSent(ctx context.Context, eventID, recipient string) error
	RecordNoticeError(ctx context.Context, eventID, recipient string, cause error, permanent bool) error
}

var _ NoticeStore = (*store.Store)(nil)

// notices is the store's NoticeStore part.
func (s *server) notices() NoticeStore { return s.store }

// redeliveryLease is how long a redelivery holds its claim on the notice:
// longer than the webhook client's timeout (30 s).
const redeliveryLease = 2 * time.Minute

// InboxEntry is one entry of the caller's inbox: a step of a motion or a
// meeting (notify.Step), addressed to the caller or to the shared inbox of
// one of its audiences (a faction's).
type InboxEntry struct {
	EventID     string    `json:"event_id" doc:"Id des Ereignisses (wie die id des CloudEvents)" example:"motion/0193a5c2-7d1e-7000-8000-000000000001/v3"`
	Type        string    `json:"type" doc:"Art des Ereignisses (CloudEvents-Typ)" example:"de.motionflow.motion.registered"`
	Text        string    `json:"text" doc:"was geschah, in einer Zeile" example:"Registriert als A12/2026: A12/2026 „Mehr Radwege“"`
	Link        string    `json:"link,omitempty" doc:"Adresse des Antrags oder der Sitzung"`
	At          time.Time `json:"at" doc:"wann es geschah"`
	Read        bool      `json:"read" doc:"als gelesen markiert"`
	BodyID      string    `json:"body_id"`
	SubjectKind string    `json:"subject_kind" enum:"motion,meeting" doc:"betrifft einen Antrag (motion) oder eine Sitzung (meeting)"`
	SubjectID   string    `json:"subject_id" doc:"Id des Antrags oder der Sitzung"`
}

func inboxEntry(n store.Notice) InboxEntry {
	return InboxEntry{EventID: n.EventID, Type: n.Type, Text: n.Text, Link: n.Link, At: n.At, Read: n.ReadAt != nil,
		BodyID: n.BodyID, SubjectKind: n.SubjectKind, SubjectID: n.SubjectID}
}

// InboxOutput is the caller's inbox.
type InboxOutput struct {
	Body struct {
		Items  []InboxEntry `json:"items"`
		Unread int          `json:"unread" doc:"Zahl der ungelesenen Einträge insgesamt (nicht nur dieser Seite)"`
	}
}

// MarkReadBody names the inbox entries to mark as read.
type MarkReadBody struct {
	EventIDs []string `json:"event_ids,omitempty" maxItems:"200" doc:"Ids der Ereignisse; leer oder ohne Angabe: alle ungelesenen" example:"[\"motion/0193a5c2-7d1e-7000-8000-000000000001/v3\"]"`
}

// MarkReadOutput says what marking as read changed.
type MarkReadOutput struct {
	Body struct {
		Marked int `json:"marked" doc:"so viele Einträge wurden eben als gelesen markiert"`
		Unread int `json:"unread" doc:"so viele Einträge sind danach noch ungelesen"`
	}
}

// SubscriptionBody starts or changes the caller's following of a keyword
// or an organization of a body.
type SubscriptionBody struct {
	BodyID   string   `json:"body_id" minLength:"1" maxLength:"64" doc:"Körperschaft (Id)" example:"mannheim"`
	Kind     string   `json:"kind" enum:"keyword,organization" doc:"keyword: ein Schlagwort der Anträge; organization: ein Gremium oder eine Fraktion"`
	Value    string   `json:"value" minLength:"1" maxLength:"80" doc:"das Schlagwort (ohne Unterschied von Groß- und Kleinschreibung) oder die Id des Gremiums bzw. der Fraktion" example:"Radverkehr"`
	Email    string   `json:"email,omitempty" maxLength:"254" format:"email" doc:"Adresse für E-Mails (Pflicht mit dem Kanal email)" example:"sabine.beispiel@spd-mannheim.de"`
	Channels []string `json:"channels,omitempty" maxItems:"2" enum:"email,inapp" doc:"Kanäle: email und/oder inapp (Benachrichtigungen in der App); ohne Angabe inapp"`
}

// SubscriptionView is one of the caller's subscriptions.
type SubscriptionView struct {
	BodyID         string `json:"body_id"`
	Kind           string `json:"kind" enum:"keyword,organization"`
	Value          string `json:"value" doc:"das Schlagwort (klein geschrieben) oder die Id des Gremiums bzw. der Fraktion"`
	Email          string `json:"email,omitempty"`
	EmailConfirmed bool   `json:"email_confirmed" doc:"Die Adresse ist bestätigt: Nachrichten gehen per E-Mail an sie. Sonst erst, wenn ihr Inhaber den Link der Bestätigungsmail geöffnet hat"`
	// Confirmation says what became of the confirmation mail (only in the
	// answer to the subscription that needs it).
	Confirmation string    `json:"confirmation,omitempty" enum:"sent,pending,unavailable" doc:"Bestätigungsmail an eine unbestätigte Adresse: sent (verschickt), pending (vor kurzem schon verschickt; der Link darin gilt), unavailable (kein E-Mail-Versand möglich)"`
	Channels     []string  `json:"channels"`
	Created      time.Time `json:"created"`
}

func subscriptionView(sub store.Subscription) SubscriptionView {
	v := SubscriptionView{BodyID: sub.BodyID, Kind: sub.Kind, Value: sub.Value, Email: sub.Email,
		EmailConfirmed: sub.EmailConfirmed, Channels: []string{}, Created: sub.Created}
	for _, c := range sub.Channels {
		v.Channels = append(v.Channels, string(c))
	}
	return v
}

type subscriptionOutput struct {
	Body SubscriptionView
}

type subscriptionsOutput struct {
	Body struct {
		Items []SubscriptionView `json:"items"`
	}
}

// Delivery is one entry of a notification target's delivery log: an event
// sent (or to be sent) to the target.
type Delivery struct {
	EventID     string     `json:"event_id" doc:"Id des Ereignisses (die id des CloudEvents)" example:"motion/0193a5c2-7d1e-7000-8000-000000000001/v3"`
	Type        string     `json:"type" example:"de.motionflow.motion.decided"`
	SubjectKind string     `json:"subject_kind" enum:"motion,meeting"`
	SubjectID   string     `json:"subject_id"`
	Status      string     `json:"status" enum:"pending,sent,queued,failed" doc:"pending: noch nicht zugestellt (wird wiederholt); sent: zugestellt; failed: endgültig abgelehnt"`
	Attempts    int        `json:"attempts" doc:"so viele Zustellversuche bisher"`
	LastError   string     `json:"last_error,omitempty" doc:"warum der letzte Versuch scheiterte"`
	SentAt      *time.Time `json:"sent_at,omitempty" doc:"wann zuletzt zugestellt"`
	Created     time.Time  `json:"created" doc:"wann das Ereignis für diesen Empfänger aufgezeichnet wurde"`
}

func deliveryOf(n store.Notice) Delivery {
	return Delivery{EventID: n.EventID, Type: n.Type, SubjectKind: n.SubjectKind, SubjectID: n.SubjectID,
		Status: string(n.Status), Attempts: n.Attempts, LastError: n.LastError, SentAt: n.SentAt, Created: n.Created}
}

type deliveryOutput struct {
	Body Delivery
}

type deliveriesOutput struct {
	Body struct {
		Items []Delivery `json:"items"`
	}
}

// TargetPath addresses one notification target of a body.
type TargetPath struct {
	BodyPath
	ID string `path:"id" maxLength:"100" doc:"Empfänger (Id)"`
}

func (s *server) registerNotices(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-inbox",
		Method:      http.MethodGet,
		Path:        "/v1/me/inbox",
		Summary:     "Meine Benachrichtigungen",
		Description: "Die Schritte der Anträge und Sitzungen, von denen der Aufrufer erfährt, neueste zuerst: die an ihn " +
			"persönlich (beobachtete Anträge, gefolgte Schlagworte, Gremien und Fraktionen) und die an die gemeinsamen " +
			"Benachrichtigungen seiner Zielgruppen (die Fraktion erfährt jeden Schritt ihrer Anträge und der, die sie " +
			"mitträgt). Ein Ereignis, das auf beiden Wegen kam, steht einmal da. Die Markierung als gelesen gilt bei " +
			"gemeinsamen Einträgen für alle, die sie lesen.",
		Tags:     []string{"Notifications"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized},
	}, func(ctx context.Context, in *struct {
		Unread bool `query:"unread" doc:"nur ungelesene"`
		Limit  int  `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"höchstens so viele Einträge"`
	}) (*InboxOutput, error) {
		ns := s.notices()
		f := store.InboxFilter{Recipients: store.InboxRecipients(Caller(ctx)), UnreadOnly: in.Unread, Limit: in.Limit}
		entries, err := ns.Inbox(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		unread, err := ns.UnreadCount(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &InboxOutput{}
		out.Body.Items = make([]InboxEntry, 0, len(entries))
		for _, n := range entries {
			out.Body.Items = append(out.Body.Items, inboxEntry(n))
		}
		out.Body.Unread = unread
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "mark-inbox-read",
		Method:      http.MethodPost,
		Path:        "/v1/me/inbox/read",
		Summary:     "Benachrichtigungen als gelesen markieren",
		Description: "Markiert die genannten Einträge (ohne Angabe: alle ungelesenen) als gelesen. Unbekannte oder schon " +
			"gelesene Ids ändern nichts.",
		Tags:     []string{"Notifications"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		Body MarkReadBody
	}) (*MarkReadOutput, error) {
		ns := s.notices()
		recipients := store.InboxRecipients(Caller(ctx))
		for i, id := range in.Body.EventIDs {
			if id == "" || len(id) > 300 {
				return nil, fieldError(fmt.Sprintf("body.event_ids[%d]", i), "1 bis 300 Zeichen")
			}
		}
		f := store.InboxFilter{Recipients: recipients}
		before, err := ns.UnreadCount(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if _, err := ns.MarkRead(ctx, recipients, in.Body.EventIDs); err != nil {
			return nil, s.problem(ctx, err)
		}
		unread, err := ns.UnreadCount(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		// Counted in events, as the inbox lists them: MarkRead counts rows,
		// two for an event that reached the caller personally and its faction.
		out := &MarkReadOutput{}
		out.Body.Marked, out.Body.Unread = max(before-unread, 0), unread
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-subscriptions",
		Method:      http.MethodGet,
		Path:        "/v1/me/subscriptions",
		Summary:     "Meine gefolgten Schlagworte, Gremien und Fraktionen",
		Description: "Neueste zuerst.",
		Tags:        []string{"Notifications"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*subscriptionsOutput, error) {
		subs, err := s.notices().Subscriptions(ctx, Caller(ctx).Subject)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &subscriptionsOutput{}
		out.Body.Items = make([]SubscriptionView, 0, len(subs))
		for _, sub := range subs {
			out.Body.Items = append(out.Body.Items, subscriptionView(sub))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "subscribe",
		Method:      http.MethodPut,
		Path:        "/v1/me/subscriptions",
		Summary:     "Schlagwort, Gremium oder Fraktion folgen",
		Description: "Der Aufrufer erfährt jeden öffentlichen Schritt der Anträge mit dem Schlagwort, der Anträge einer " +
			"Fraktion (auch als Mitantragstellerin) oder der Anträge, die ein Gremium berät, und die Schritte der Sitzungen " +
			"des Gremiums, über die gewählten Kanäle. Ein erneuter Aufruf für dasselbe Schlagwort oder Gremium ändert die " +
			"Kanäle. E-Mails gehen nur an eine bestätigte Adresse, wie bei der Beobachtung eines Antrags (watch-motion): " +
			"die vom Anmeldedienst bestätigte des Aufrufers, sonst erst nach dem Link der Bestätigungsmail.",
		Tags:     []string{"Notifications"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		Body SubscriptionBody
	}) (*subscriptionOutput, error) {
		actor := Caller(ctx)
		b := in.Body
		if _, err := s.visibleBody(ctx, b.BodyID); err != nil {
			return nil, err
		}
		b.Value = strings.TrimSpace(b.Value)
		if b.Value == "" {
			return nil, fieldError("body.value", "Bitte geben Sie an, welchem Schlagwort oder Gremium Sie folgen wollen.")
		}
		if b.Kind == store.SubscribeKeyword {
			if err := motion.CheckLine("value", "Das Schlagwort", b.Value, motion.MaxTag, true); err != nil {
				var me *motion.Error
				if errors.As(err, &me) && len(me.Fields) > 0 {
					return nil, fieldError("body.value", me.Fields[0].Message)
				}
				return nil, s.problem(ctx, err)
			}
		}
		if b.Kind == store.SubscribeOrganization {
			if err := s.checkFollowable(ctx, b.BodyID, b.Value); err != nil {
				return nil, err
			}
		}
		if slices.Contains(b.Channels, string(store.ChannelEmail)) && b.Email == "" {
			return nil, fieldError("body.email", "Für Benachrichtigungen per E-Mail geben Sie bitte eine Adresse an.")
		}
		sub := store.Subscription{Subject: actor.Subject, BodyID: b.BodyID, Kind: b.Kind, Value: b.Value, Name: actor.Name,
			Email: b.Email, Channels: []store.Channel{store.ChannelInApp}}
		if len(b.Channels) > 0 {
			sub.Channels = nil
			for _, c := range b.Channels {
				sub.Channels = append(sub.Channels, store.Channel(c))
			}
		}
		// The caller's own verified address needs no confirmation.
		if a, err := mail.ParseAddress(b.Email); err == nil && actor.Email != "" {
			sub.EmailConfirmed = strings.EqualFold(a.Address, actor.Email)
		}
		sub, err := s.notices().Subscribe(ctx, sub)
		if errors.Is(err, store.ErrInvalid) { // what the checks above let through: an address the store refuses
			return nil, fieldError("body", "Die Angaben lassen sich so nicht speichern; bitte prüfen Sie die E-Mail-Adresse.")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		v := subscriptionView(sub)
		if !sub.EmailConfirmed && slices.Contains(sub.Channels, store.ChannelEmail) {
			v.Confirmation = s.requestConfirmation(ctx, actor.Subject, actor.Name, sub.Email)
		}
		return &subscriptionOutput{Body: v}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "unsubscribe",
		Method:        http.MethodDelete,
		Path:          "/v1/me/subscriptions",
		Summary:       "Nicht mehr folgen",
		Description:   "404, wenn der Aufrufer dem Schlagwort, Gremium oder der Fraktion nicht folgt.",
		Tags:          []string{"Notifications"},
		Security:      requireToken,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		BodyID string `query:"body" required:"true" minLength:"1" maxLength:"64" doc:"Körperschaft (Id)"`
		Kind   string `query:"kind" required:"true" enum:"keyword,organization"`
		Value  string `query:"value" required:"true" minLength:"1" maxLength:"80" doc:"das Schlagwort oder die Id des Gremiums bzw. der Fraktion"`
	}) (*struct{}, error) {
		err := s.notices().Unsubscribe(ctx, Caller(ctx).Subject, in.BodyID, in.Kind, in.Value)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Abonnement")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-target-deliveries",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}/notification-targets/{id}/deliveries",
		Summary:     "Zustellungen an einen Empfänger (Ratsbüro, admin)",
		Description: "Das Protokoll der Ereignisse (CloudEvents), die an den Empfänger gingen oder gehen, neueste zuerst: " +
			"Stand, Zahl der Versuche, letzter Fehler.",
		Tags:     []string{"Notifications"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		TargetPath
		Limit int `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"höchstens so viele Einträge"`
	}) (*deliveriesOutput, error) {
		t, err := s.deliveryTarget(ctx, in.BodyID, in.ID)
		if err != nil {
			return nil, err
		}
		ns, err := s.notices().TargetDeliveries(ctx, t.ID, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &deliveriesOutput{}
		out.Body.Items = make([]Delivery, 0, len(ns))
		for _, n := range ns {
			out.Body.Items = append(out.Body.Items, deliveryOf(n))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "redeliver",
		Method:      http.MethodPost,
		Path:        "/v1/bodies/{body}/notification-targets/{id}/deliveries/{event}/redeliver",
		Summary:     "Ereignis erneut zustellen (Ratsbüro, admin)",
		Description: "Schickt das gespeicherte CloudEvent sofort noch einmal an den Webhook, signiert wie jede Zustellung " +
			"(gleiche id: der Empfänger erkennt Wiederholungen). Die Id des Ereignisses enthält Schrägstriche und steht " +
			"daher URL-kodiert im Pfad (motion%2F<id>%2Fv3). Antwortet den neuen Stand der Zustellung; hat der Empfänger " +
			"sie nicht angenommen, 502 mit dem Grund (der Fehler steht dann auch im Protokoll).",
		Tags:     []string{"Notifications"},
		Security: requireToken,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
			http.StatusBadGateway},
	}, func(ctx context.Context, in *struct {
		TargetPath
		Event string `path:"event" maxLength:"300" doc:"Id des Ereignisses, URL-kodiert" example:"motion%2F0193a5c2-7d1e-7000-8000-000000000001%2Fv3"`
	}) (*deliveryOutput, error) {
		t, err := s.deliveryTarget(ctx, in.BodyID, in.ID)
		if err != nil {
			return nil, err
		}
		n, err := s.redeliver(ctx, t, in.Event)
		if err != nil {
			return nil, err
		}
		return &deliveryOutput{Body: deliveryOf(n)}, nil
	})
}

// checkFollowable accepts what a user may follow as an organization: a
// gremium (council, committee, district council) or a faction of the body.
// The value refused is not repeated.
func (s *server) checkFollowable(ctx context.Context, bodyID, orgID string) error {
	o, err := s.store.Organization(ctx, orgID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && o.BodyID != bodyID) {
		return fieldError("body.value", "kein Gremium und keine Fraktion dieser Körperschaft")
	}
	if err != nil {
		return s.problem(ctx, err)
	}
	if o.Kind != store.OrgFaction && !slices.Contains(store.Gremia, o.Kind) {
		return fieldError("body.value", "folgen kann man Gremien und Fraktionen, keinem Dezernat")
	}
	return nil
}

// deliveryTarget is the body's notification target whose delivery log the
// caller reads or redelivers from: the council office's and the admins'.
func (s *server) deliveryTarget(ctx context.Context, bodyID, id string) (store.NotificationTarget, error) {
	if err := requireRole(ctx, bodyID, motion.RoleCouncilOffice, motion.RoleAdmin); err != nil {
		return store.NotificationTarget{}, err
	}
	if _, err := s.visibleBody(ctx, bodyID); err != nil {
		return store.NotificationTarget{}, err
	}
	t, err := s.notices().NotificationTarget(ctx, bodyID, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.NotificationTarget{}, notFound("Empfänger")
	}
	if err != nil {
		return store.NotificationTarget{}, s.problem(ctx, err)
	}
	return t, nil
}

// redeliver sends the event of target t's delivery log to its webhook once
// more, now: the notice is reopened and claimed as the workflows claim it,
// so that a delivery in progress is not sent twice at once, and afterwards
// marked sent or given the receiver's error. It answers the notice as it then
// stands, or the problem: 404 for an event not in the log, 409 for an e-mail
// target or a delivery in progress, 502 when the receiver failed.
func (s *server) redeliver(ctx context.Context, t store.NotificationTarget, eventID string) (store.Notice, error) {
	if t.Channel != store.ChannelWebhook {
		return store.Notice{}, problem.New(http.StatusConflict, "Erneut zustellen lassen sich nur Ereignisse an Webhooks.")
	}
	ns := s.notices()
	recipient := store.WebhookRecipient(t.Address)
	n, err := ns.Notice(ctx, eventID, recipient)
	if errors.Is(err, store.ErrNotFound) || (err == nil && n.TargetID != t.ID) {
		return store.Notice{}, notFound("Zustellung")
	}
	if err != nil {
		return store.Notice{}, s.problem(ctx, err)
	}
	var ev cloudevents.Event
	if err := json.Unmarshal(n.Payload, &ev); err != nil {
		return store.Notice{}, s.problem(ctx, fmt.Errorf("api: stored cloudevent %s: %w", n.EventID, err))
	}
	if err := ns.ReopenNotice(ctx, n.EventID, n.Recipient); err != nil {
		return store.Notice{}, s.problem(ctx, err)
	}
	_, claimed, err := ns.ClaimNotice(ctx, n, redeliveryLease)
	if err != nil {
		return store.Notice{}, s.problem(ctx, err)
	}
	if !claimed {
		return store.Notice{}, problem.New(http.StatusConflict,
			"Dieses Ereignis wird gerade an den Empfänger zugestellt. Bitte in ein paar Minuten erneut versuchen.")
	}
	hooks := &notify.Webhook{AllowPrivate: s.cfg.AllowPrivateWebhooks}
	sendErr := hooks.Send(ctx, t.Address, t.Secret, notify.DeliveryID(n.SubjectID, n.EventID, n.Recipient), ev)
	done := context.WithoutCancel(ctx)
	if sendErr != nil {
		// Nobody retries a redelivery: it is failed (with the receiver's
		// error in the log) until the office sends it again.
		if err := ns.RecordNoticeError(done, n.EventID, n.Recipient, sendErr, true); err != nil {
			return store.Notice{}, s.problem(ctx, errors.Join(sendErr, err))
		}
		s.log.WarnContext(ctx, "redelivery failed", "request_id", RequestID(ctx), "event", n.EventID, "target", t.ID, "error", sendErr)
		return store.Notice{}, problem.New(http.StatusBadGateway, "Der Empfänger hat das Ereignis nicht angenommen: "+receiverFault(sendErr))
	}
	if err := ns.MarkNoticeSent(done, n.EventID, n.Recipient); err != nil {
		return store.Notice{}, s.problem(ctx, err)
	}
	stored, err := ns.Notice(done, n.EventID, n.Recipient)
	if err != nil {
		return store.Notice{}, s.problem(ctx, err)
	}
	return stored, nil
}

// receiverFault says in German why a webhook receiver did not take a
// delivery.
func receiverFault(err error) string {
	var se *notify.StatusError
	var np *notify.NonPublicError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("Er antwortete mit dem HTTP-Status %d.", se.StatusCode)
	case errors.As(err, &np):
		return "Seine Adresse ist nicht öffentlich (Loopback, privates oder lokales Netz)."
	case errors.Is(err, context.DeadlineExceeded):
		return "Er antwortete nicht rechtzeitig."
	}
	return "Er war nicht erreichbar."
}
