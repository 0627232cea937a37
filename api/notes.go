package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// NoteStore is the part of the read model the notes on motions use;
// *store.Store is one.
type NoteStore interface {
	AddNote(ctx context.Context, n store.Note) (store.Note, error)
	Note(ctx context.Context, id string) (store.Note, error)
	Notes(ctx context.Context, m *motion.Motion, viewer motion.Actor) ([]store.Note, error)
	ModerateNote(ctx context.Context, id, by string, approve bool) (store.Note, error)
	PublicComments(ctx context.Context, bodyID string) (bool, error)
	SetPublicComments(ctx context.Context, bodyID string, on bool) error
}

var _ NoteStore = (*store.Store)(nil)

// NoteView is a note as the API shows it.
type NoteView struct {
	store.Note
	VisibilityLabel string `json:"visibility_label" doc:"wer die Notiz liest, auf Deutsch"`
	// Waiting marks a public comment the council office has not decided on.
	Waiting bool `json:"waiting,omitempty" doc:"öffentlicher Kommentar, über den das Ratsbüro noch nicht entschieden hat"`
}

func noteView(n store.Note) NoteView {
	return NoteView{Note: n, VisibilityLabel: n.Visibility.Label(), Waiting: n.Visibility == motion.NotePublic && n.ModeratedAt == nil}
}

// NotesOutput lists a motion's notes.
type NotesOutput struct {
	Body struct {
		Items []NoteView `json:"items"`
	}
}

// NoteOutput is one note.
type NoteOutput struct {
	Body NoteView
}

// NoteBody is a new note.
type NoteBody struct {
	Visibility string `json:"visibility" enum:"sponsors,internal,public" doc:"sponsors (nur die Antragsteller), internal (Ratsbüro und Verwaltung), public (öffentlicher Kommentar, nach Freigabe durch das Ratsbüro)"`
	Text       string `json:"text" minLength:"1" maxLength:"5000" doc:"Text der Notiz"`
}

// ModerationBody is the council office's decision on a public comment.
type ModerationBody struct {
	Approve bool `json:"approve" doc:"true gibt den Kommentar frei, false lehnt ihn ab"`
}

// PublicCommentsBody turns a body's public comments on or off.
type PublicCommentsBody struct {
	Enabled bool `json:"enabled" doc:"öffentliche Kommentare zu Anträgen annehmen (vom Ratsbüro freizugeben)"`
}

func (s *server) registerNotes(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "list-motion-notes",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}/notes",
		Summary:     "Notizen zu einem Antrag",
		Description: "Die Notizen, die der Aufrufer lesen darf, älteste zuerst: die Antragsteller untereinander (auch zum " +
			"Entwurf), Ratsbüro und Verwaltung untereinander (nie für Fraktionen oder Öffentlichkeit), und die vom " +
			"Ratsbüro freigegebenen öffentlichen Kommentare. Das Ratsbüro sieht auch die wartenden, ihr Verfasser seinen.",
		Tags:     []string{"Motions"},
		Security: optionalToken,
		Errors:   []int{http.StatusNotFound},
	}, func(ctx context.Context, in *MotionPath) (*NotesOutput, error) {
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		notes, err := s.store.Notes(ctx, &m, Caller(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &NotesOutput{}
		out.Body.Items = make([]NoteView, 0, len(notes))
		for _, n := range notes {
			out.Body.Items = append(out.Body.Items, noteView(n))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "add-motion-note",
		Method:        http.MethodPost,
		Path:          "/v1/motions/{id}/notes",
		Summary:       "Notiz zu einem Antrag schreiben",
		Description:   "Schreibt eine Notiz. Ein Wiederholungsschutz-Schlüssel (Idempotency-Key) legt sie höchstens einmal an.",
		Tags:          []string{"Motions"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		MotionPath
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Wiederholungsschutz"`
		Body           NoteBody
	}) (*NoteOutput, error) {
		actor := Caller(ctx)
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		public, err := s.store.PublicComments(ctx, m.BodyID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		text, err := m.CheckNote(actor, motion.NoteVisibility(in.Body.Visibility), in.Body.Text, public)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		// The note's id is the caller's key, scoped to the caller: a key
		// sent again is the same note, and nobody reaches another's note.
		id := uuid.NewString()
		if in.IdempotencyKey != "" {
			id = workflows.KeyID(actor, in.IdempotencyKey)
		}
		n, err := s.store.AddNote(ctx, store.Note{ID: id, MotionID: m.ID, BodyID: m.BodyID,
			Visibility: motion.NoteVisibility(in.Body.Visibility), Text: text, AuthorSubject: actor.Subject, AuthorName: actor.Name,
			AuthorRole: string(actor.PrimaryRole())})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &NoteOutput{Body: noteView(n)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "moderate-motion-note",
		Method:      http.MethodPost,
		Path:        "/v1/motions/{id}/notes/{note}/moderation",
		Summary:     "Öffentlichen Kommentar freigeben oder ablehnen",
		Description: "Das Ratsbüro entscheidet einmal über einen wartenden öffentlichen Kommentar; danach bleibt es dabei.",
		Tags:        []string{"Motions"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		MotionPath
		Note string `path:"note" maxLength:"100" doc:"Notiz (Id)"`
		Body ModerationBody
	}) (*NoteOutput, error) {
		actor := Caller(ctx)
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		n, err := s.store.Note(ctx, in.Note)
		if err != nil || n.MotionID != m.ID || n.Visibility != motion.NotePublic {
			return nil, notFound("Kommentar")
		}
		if !m.MayModerate(actor) {
			return nil, s.problem(ctx, motion.Refuse(motion.CodeForbidden, "Öffentliche Kommentare gibt das Ratsbüro frei."))
		}
		if n, err = s.store.ModerateNote(ctx, n.ID, actor.Name, in.Body.Approve); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &NoteOutput{Body: noteView(n)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "set-public-comments",
		Method:      http.MethodPut,
		Path:        "/v1/bodies/{body}/public-comments",
		Summary:     "Öffentliche Kommentare an- oder abschalten",
		Description: "Ob die Körperschaft öffentliche Kommentare zu ihren Anträgen annimmt (Ratsbüro oder Administration).",
		Tags:        []string{"Bodies"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		BodyPath string `path:"body" maxLength:"64" doc:"Körperschaft (Id)"`
		Body     PublicCommentsBody
	}) (*struct{}, error) {
		actor := Caller(ctx)
		if !actor.ManagesDirectory(in.BodyPath) {
			return nil, s.problem(ctx, motion.Refuse(motion.CodeForbidden, "Das dürfen nur Ratsbüro und Administration der Körperschaft."))
		}
		if err := s.store.SetPublicComments(ctx, in.BodyPath, in.Body.Enabled); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
