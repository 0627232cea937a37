package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// requestKey is the id that makes a command idempotent: derived from the
// caller's Idempotency-Key, else the request id.
func requestKey(ctx context.Context, a motion.Actor, key string) string {
	if key == "" {
		return RequestID(ctx)
	}
	return workflows.KeyID(a, key)
}

// etag is the strong entity tag of a motion version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// MotionPath is the {id} path parameter of a motion.
type MotionPath struct {
	ID string `path:"id" maxLength:"100" doc:"Antrag (Id)"`
}

// MotionOutput is one motion with its entity tag.
type MotionOutput struct {
	ETag string `header:"ETag" doc:"Version des Antrags, für If-Match"`
	Body MotionView
}

// CreateOutput is a new motion with its address.
type CreateOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     MotionView
}

// MotionsOutput is a page of motions.
type MotionsOutput struct {
	Link string `header:"Link" doc:"rel=next: die nächste Seite"`
	Body struct {
		Items []MotionView `json:"items"`
		Next  string       `json:"next,omitempty" doc:"Cursor der nächsten Seite"`
	}
}

// HistoryOutput is a motion's audit trail.
type HistoryOutput struct {
	Body struct {
		Items []motion.Event `json:"items"`
	}
}

type listMotionsInput struct {
	Status        []string  `query:"status" enum:"draft,submitted,registered,inadmissible,in_consultation,decided,implementation,answered,closed,withdrawn,lapsed" doc:"Status, kommagetrennt"`
	Kind          []string  `query:"kind" enum:"motion,budget_motion,inquiry,amendment" doc:"Art, kommagetrennt"`
	Faction       string    `query:"faction" maxLength:"64" doc:"Fraktion als Antragsteller oder Mitantragsteller"`
	Bodies        []string  `query:"body" maxItems:"50" maxLength:"64" doc:"Körperschaften, kommagetrennt"`
	Meeting       string    `query:"meeting" maxLength:"64" doc:"in dieser Sitzung beraten"`
	Tag           string    `query:"tag" maxLength:"80" doc:"Schlagwort"`
	SubmittedFrom time.Time `query:"submitted_from" doc:"eingereicht ab (RFC 3339)"`
	SubmittedTo   time.Time `query:"submitted_to" doc:"eingereicht vor (RFC 3339)"`
	Q             string    `query:"q" maxLength:"500" doc:"Volltextsuche (deutsch; \"Phrase\", -ausschließen, or)"`
	Limit         int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Cursor        string    `query:"cursor" maxLength:"1000" doc:"next aus der vorigen Seite"`
	Accept        string    `header:"Accept" hidden:"true"` // JSON, CSV or XLSX; see listResponses
}

func (s *server) registerMotions(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "create-motion",
		Method:      http.MethodPost,
		Path:        "/v1/motions",
		Summary:     "Entwurf anlegen (Fraktion oder Mitglied des Gemeinderats)",
		Description: "Legt einen Entwurf für die Fraktion des Aufrufers an; legt ihn ein Mitglied des Gemeinderats an, ist es ein Antrag " +
			"von Mitgliedern des Gemeinderats: die Aufruferin oder der Aufrufer unterschreibt mit dem Anlegen, die unter signers Genannten " +
			"unterschreiben danach (sign). Wie viele Unterschriften nötig sind, bestimmt der Server (Anfrage: eine; sonst der Anteil der " +
			"Mitglieder des Gemeinderats, den die Regeln der Körperschaft nennen, quorum_divisor, ohne Angabe ein Sechstel nach § 34 Abs. 1 GemO BW). Mit Idempotency-Key trifft eine Wiederholung denselben Antrag.",
		Tags:          []string{"Motions"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *struct {
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"macht die Anfrage wiederholbar"`
		Body           CreateBody
	}) (*CreateOutput, error) {
		cmd := motion.Create{BodyID: in.Body.BodyID, Kind: motion.Kind(in.Body.Kind), Content: in.Body.content(), Signers: signers(in.Body.Signers)}
		return s.create(ctx, in.IdempotencyKey, cmd)
	})

	huma.Register(a, huma.Operation{
		OperationID: "enter-submission",
		Method:      http.MethodPost,
		Path:        "/v1/submissions",
		Summary:     "Eingereichten Antrag erfassen (Ratsbüro)",
		Description: "Das Ratsbüro erfasst einen Antrag oder eine Anfrage, die auf Papier, per E-Mail, per Fax oder persönlich eingegangen ist, " +
			"für eine Fraktion, einen Ausschuss oder Mitglieder des Gemeinderats. Der Antrag ist damit eingereicht, mit dem Eingang als " +
			"Einreichungsdatum. Bei Mitgliedern des Gemeinderats zählen alle Genannten als unterschrieben; nötig sind so viele wie beim Anlegen " +
			"(Anfrage: eine; sonst der Anteil nach quorum_divisor der Regeln der Körperschaft). Mit Idempotency-Key trifft eine Wiederholung denselben Antrag.",
		Tags:          []string{"Motions"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *struct {
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"macht die Anfrage wiederholbar"`
		Body           SubmissionBody
	}) (*CreateOutput, error) {
		b := in.Body
		cmd := motion.EnterSubmission{
			BodyID: b.BodyID, Kind: motion.Kind(b.Kind), Content: b.content(),
			Originator: motion.OriginatorKind(b.Originator), Organization: b.Organization, Signers: signers(b.Signers),
			Paper: motion.Paper{SubmittedBy: b.Paper.SubmittedBy, ReceivedAt: b.Paper.ReceivedAt, Channel: b.Paper.Channel,
				EnteredBy: Caller(ctx).Name},
		}
		return s.create(ctx, in.IdempotencyKey, cmd)
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-motions",
		Method:      http.MethodGet,
		Path:        "/v1/motions",
		Summary:     "Anträge suchen und auflisten",
		Description: "Nur was der Aufrufer sehen darf: öffentliche Anträge, dazu die Entwürfe der eigenen Fraktion. " +
			"Ohne q nach letzter Änderung sortiert (mit submitted_from/submitted_to nach Einreichung), mit q nach Relevanz: " +
			"erst Treffer im Titel, dann die übrigen, jeweils die zuletzt geänderten zuerst. " +
			"Die Suche findet gebeugte Formen, zusammengesetzte Wörter über ihren Anfang oder ihr Ende (\"Neckar\" findet \"Neckarufer\", " +
			"\"Beratung\" \"Schuldnerberatung\"), ae/oe/ue als Umlaut, Unterzeichnende, Stellungnahmen, Antworten, Änderungsanträge " +
			"und den Text angehängter PDF-Dateien; highlight zeigt die gefundenen Wörter. " +
			"Mit Accept: text/csv oder XLSX alle Treffer als Tabelle (Export, ohne Seiten).",
		Tags:      []string{"Motions"},
		Security:  optionalToken,
		Responses: listResponses(a, MotionsOutput{}.Body, "MotionsOutputBody", "Anträge"),
		Errors:    []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *listMotionsInput) (*ListOutput, error) {
		actor := Caller(ctx)
		f := store.MotionFilter{
			Viewer: actor, Faction: in.Faction, MeetingID: in.Meeting, Tag: in.Tag, Query: in.Q,
			Limit: in.Limit, After: in.Cursor,
		}
		if len(in.Bodies) > 0 {
			f.BodyIDs = in.Bodies
		}
		for _, st := range in.Status {
			f.Statuses = append(f.Statuses, motion.Status(st))
		}
		for _, k := range in.Kind {
			f.Kinds = append(f.Kinds, motion.Kind(k))
		}
		if !in.SubmittedFrom.IsZero() {
			f.SubmittedFrom = &in.SubmittedFrom
		}
		if !in.SubmittedTo.IsZero() {
			f.SubmittedTo = &in.SubmittedTo
		}
		if format := listFormat(in.Accept); format != jsonType {
			return s.exportMotions(ctx, actor, f, format)
		}
		hits, next, err := s.store.Search(ctx, f)
		if errors.Is(err, store.ErrInvalid) && in.Cursor != "" {
			return nil, huma.Error400BadRequest("Ungültiger Cursor.", &huma.ErrorDetail{Location: "query.cursor", Message: "ungültig oder zu einer anderen Suche"})
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &MotionsOutput{}
		out.Body.Items = make([]MotionView, 0, len(hits))
		for _, h := range hits {
			if !h.Motion.VisibleTo(actor) { // the SQL decides; this is a second lock on the door
				continue
			}
			v := view(h.Motion, actor)
			if f.Query != "" {
				v.Highlight = &Highlight{Title: h.Title, Passage: h.Passage}
			}
			out.Body.Items = append(out.Body.Items, v)
		}
		out.Body.Next = next
		return &ListOutput{Link: nextLink(ctx, next), Vary: "Accept", Body: out.Body}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-motion",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}",
		Summary:     "Antrag lesen",
		Description: "Aus dem Lesemodell; mit consistent=true aus dem Workflow (streng konsistent). " +
			"Was der Aufrufer nicht sehen darf, ist 404.",
		Tags:     []string{"Motions"},
		Security: optionalToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		MotionPath
		Consistent  bool   `query:"consistent" doc:"aus dem Workflow statt aus dem Lesemodell lesen"`
		IfNoneMatch string `header:"If-None-Match" doc:"ETag einer bekannten Version: 304, wenn unverändert"`
	}) (*MotionOutput, error) {
		actor := Caller(ctx)
		m, err := s.visibleMotion(ctx, in.ID, in.Consistent)
		if err != nil {
			return nil, err
		}
		if parseEntityTags(in.IfNoneMatch).matchWeak(m.Version) {
			return nil, huma.Status304NotModified()
		}
		return &MotionOutput{ETag: etag(m.Version), Body: view(m, actor)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-motion-history",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}/history",
		Summary:     "Verlauf eines Antrags (Prüfpfad)",
		Description: "Ein Ereignis je Schritt, mit Zeit, Handelndem und Rolle. Anonym ohne Personenangaben; " +
			"die Inhalte der Entwurfsphase sehen nur die Antragsteller.",
		Tags:     []string{"Motions"},
		Security: optionalToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MotionPath) (*HistoryOutput, error) {
		actor := Caller(ctx)
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		evs, err := s.store.History(ctx, m.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Antrag")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &HistoryOutput{}
		out.Body.Items = make([]motion.Event, 0, len(evs))
		for _, e := range evs {
			out.Body.Items = append(out.Body.Items, e.RedactedFor(&m, actor))
		}
		return out, nil
	})
}

// create starts a motion with a creating command (motion.Create or
// motion.EnterSubmission) as the caller. When the domain would let the
// caller run it, the body must exist, the quorum of a motion of councillors
// is filled in from the directory (store.MotionQuorum; never from the
// request), what the command names is checked (store.CheckReferences) and
// the signers' names are taken from the directory. A repeated
// Idempotency-Key reaches the same motion.
func (s *server) create(ctx context.Context, key string, cmd motion.Command) (*CreateOutput, error) {
	actor := Caller(ctx)
	var bodyID string
	switch c := cmd.(type) {
	case motion.Create:
		bodyID = c.BodyID
	case motion.EnterSubmission:
		bodyID = c.BodyID
	}
	// Refuse an unknown body here, but only after the role check, so
	// that each caller gets the same first reason as from the workflow.
	if _, err := motion.Permit(&motion.Motion{}, cmd.Name(), actor, 0); err == nil && actor.InBody(bodyID) {
		if _, err := s.store.Body(ctx, bodyID); errors.Is(err, store.ErrNotFound) {
			return nil, fieldError("body.body_id", "Diese Körperschaft gibt es nicht.")
		} else if err != nil {
			return nil, s.problem(ctx, err)
		}
		if err := s.store.CheckReferences(ctx, &motion.Motion{}, cmd, actor, 0); err != nil {
			return nil, s.problem(ctx, err)
		}
		if cmd, err = s.withSigning(ctx, actor, cmd); err != nil {
			return nil, s.problem(ctx, err)
		}
	}
	id := uuid.Must(uuid.NewV7()).String()
	if key != "" {
		id = workflows.KeyID(actor, key)
	}
	m, err := s.motions.Create(ctx, id, cmd, workflows.Meta{Actor: actor, RequestID: requestKey(ctx, actor, key)})
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &CreateOutput{ETag: etag(m.Version), Location: "/v1/motions/" + url.PathEscape(m.ID), Body: view(m, actor)}, nil
}

// withSigning fills in what a motion of councillors needs of the
// directory, never of the request: the signatures it needs (a councillor's
// Create, a submission of councillors) and each signer's name as the
// directory has it (CheckReferences has made sure they are there).
func (s *server) withSigning(ctx context.Context, actor motion.Actor, cmd motion.Command) (motion.Command, error) {
	var err error
	switch c := cmd.(type) {
	case motion.Create:
		c.Quorum, c.Signers, err = s.signing(ctx, c.BodyID, c.Kind, actor.InPerson(), c.Signers)
		return c, err
	case motion.EnterSubmission:
		c.Quorum, c.Signers, err = s.signing(ctx, c.BodyID, c.Kind, c.Originator == motion.OriginatorCouncillors, c.Signers)
		return c, err
	}
	return cmd, nil
}

// signing is the quorum of a motion of kind in body (0 unless byCouncillors)
// and the signers named by the directory.
func (s *server) signing(ctx context.Context, bodyID string, kind motion.Kind, byCouncillors bool, signers []motion.Signer) (int, []motion.Signer, error) {
	quorum := 0
	if byCouncillors && kind.Valid() {
		q, err := s.store.MotionQuorum(ctx, bodyID, kind)
		if err != nil {
			return 0, nil, err
		}
		quorum = q
	}
	out := slices.Clone(signers)
	for i := range out {
		out[i].Name = ""
		id := strings.TrimSpace(out[i].PersonID)
		if id == "" {
			continue
		}
		p, err := s.store.Person(ctx, id)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		out[i].Name = p.Name
	}
	return quorum, out, nil
}

// visibleMotion reads the motion (from the read model, or from its workflow
// when consistent) and answers 404 if it does not exist or the caller may not
// see it — the same answer, so that nothing leaks.
func (s *server) visibleMotion(ctx context.Context, id string, consistent bool) (motion.Motion, error) {
	var m motion.Motion
	var err error
	if consistent {
		m, err = s.motions.State(ctx, id)
	} else {
		m, err = s.store.Motion(ctx, id)
	}
	if motion.CodeOf(err) == motion.CodeNotFound || errors.Is(err, store.ErrNotFound) ||
		(err == nil && !m.VisibleTo(Caller(ctx))) {
		return motion.Motion{}, notFound("Antrag")
	}
	if err != nil {
		return motion.Motion{}, s.problem(ctx, err)
	}
	return m, nil
}
