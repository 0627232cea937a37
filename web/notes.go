package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// noteStore is what the notes on a motion need of the read model.
type noteStore interface {
	AddNote(ctx context.Context, n store.Note) (store.Note, error)
	Note(ctx context.Context, id string) (store.Note, error)
	Notes(ctx context.Context, m *motion.Motion, viewer motion.Actor) ([]store.Note, error)
	ModerateNote(ctx context.Context, id, by string, approve bool) (store.Note, error)
	PublicComments(ctx context.Context, bodyID string) (bool, error)
}

// noteForm is the notes form: as sent, with the refusal, or fresh.
type noteForm struct {
	Visibility motion.NoteVisibility
	Text       string
	Key        string
	// Message is the refusal's sentence; Field says it is about the text.
	Message string
	Field   string
}

// notesView is the notes part of a motion's page.
type notesView struct {
	Notes []store.Note
	// Kinds are the visibilities the viewer may write.
	Kinds    []motion.NoteVisibility
	Moderate bool
	Form     noteForm
}

// loadNotes fills the notes the viewer reads and may write.
func (s *server) loadNotes(ctx context.Context, m *motion.Motion, a motion.Actor) (notesView, error) {
	v := notesView{Form: noteForm{Key: newKey()}}
	notes, err := s.store.Notes(ctx, m, a)
	if err != nil {
		return v, err
	}
	v.Notes = notes
	public, err := s.store.PublicComments(ctx, m.BodyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	for _, k := range motion.NoteVisibilities {
		if _, err := m.CheckNote(a, k, "x", public); err == nil {
			v.Kinds = append(v.Kinds, k)
		}
	}
	if len(v.Kinds) > 0 {
		v.Form.Visibility = v.Kinds[0]
	}
	v.Moderate = m.MayModerate(a)
	return v, nil
}

// addNote stores a note the viewer wrote on the motion's page: sent again
// (the form's key), it is stored once; refused, the page shows why at the
// field with the text kept.
func (s *server) addNote(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	if s.requireLogin(w, r) || !s.readForm(w, r) {
		return
	}
	m, err := s.visibleMotion(ctx, r.PathValue("id"), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := noteForm{Visibility: motion.NoteVisibility(r.PostForm.Get("visibility")), Text: r.PostForm.Get("text"), Key: r.PostForm.Get("key")}
	public, err := s.store.PublicComments(ctx, m.BodyID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	text, err := m.CheckNote(a, f.Visibility, f.Text, public)
	if err == nil && (f.Key == "" || len(f.Key) > 100) {
		err = motion.Invalid("text", "Das Formular ist unvollständig. Bitte laden Sie die Seite neu.")
	}
	if err != nil {
		var e *motion.Error
		if !errors.As(err, &e) || e.Code == motion.CodeNotFound {
			s.fail(w, r, err)
			return
		}
		f.Message = e.Message
		if len(e.Fields) > 0 {
			f.Message, f.Field = e.Fields[0].Message, e.Fields[0].Field
		}
		f.Key = newKey()
		s.renderMotionNote(w, r, http.StatusUnprocessableEntity, m, &f)
		return
	}
	// The form's key, scoped to the caller: sent again, the same note.
	if _, err := s.store.AddNote(ctx, store.Note{ID: workflows.KeyID(a, f.Key), MotionID: m.ID, BodyID: m.BodyID, Visibility: f.Visibility, Text: text,
		AuthorSubject: a.Subject, AuthorName: a.Name, AuthorRole: string(a.PrimaryRole())}); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, motionPath(m.ID)+"?notiz=1#notizen", http.StatusSeeOther)
}

// moderateNote is the council office's decision on a waiting public comment.
func (s *server) moderateNote(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	if s.requireLogin(w, r) || !s.readForm(w, r) {
		return
	}
	m, err := s.visibleMotion(ctx, r.PathValue("id"), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := s.store.Note(ctx, r.PathValue("note"))
	if err != nil || n.MotionID != m.ID || n.Visibility != motion.NotePublic || !m.MayModerate(a) {
		s.notFound(w, r)
		return
	}
	if _, err := s.store.ModerateNote(ctx, n.ID, a.Name, r.PostForm.Get("entscheidung") == "freigeben"); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, motionPath(m.ID)+"?"+url.Values{"notiz": {"1"}}.Encode()+"#notizen", http.StatusSeeOther)
}

// renderMotionNote shows the motion's page with the refused notes form.
func (s *server) renderMotionNote(w http.ResponseWriter, r *http.Request, status int, m motion.Motion, f *noteForm) {
	s.renderMotionWith(w, r, status, m, nil, f)
}
