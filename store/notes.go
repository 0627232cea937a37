package store

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// Note is a note on a motion (see motion.NoteVisibility).
type Note struct {
	ID            string                `json:"id"`
	MotionID      string                `json:"motion_id"`
	BodyID        string                `json:"body_id"`
	Visibility    motion.NoteVisibility `json:"visibility"`
	Text          string                `json:"text"`
	AuthorSubject string                `json:"-"`
	AuthorName    string                `json:"author_name"`
	AuthorRole    string                `json:"author_role"`
	Created       time.Time             `json:"created"`
	// ModeratedAt, ModeratedBy and Approved are the council office's
	// decision on a public comment; nil while it waits.
	ModeratedAt *time.Time `json:"moderated_at,omitempty"`
	ModeratedBy string     `json:"-"`
	Approved    *bool      `json:"approved,omitempty"`
}

const noteColumns = `id, motion_id, body_id, visibility, text, author_subject, author_name, author_role, created, moderated_at, moderated_by, approved`

// maxNotes bounds the notes listed for one motion.
const maxNotes = 500

// AddNote stores a note once per id: a request sent again with the same id
// (its idempotency key) returns the note stored the first time.
func (s *Store) AddNote(ctx context.Context, n Note) (Note, error) {
	if n.ID == "" || n.MotionID == "" || n.Text == "" {
		return Note{}, invalidf("note id, motion and text are required")
	}
	if _, err := s.Pool.Exec(ctx, `
		INSERT INTO motion_notes (id, motion_id, body_id, visibility, text, author_subject, author_name, author_role, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, now()))
		ON CONFLICT (id) DO NOTHING`,
		n.ID, n.MotionID, n.BodyID, string(n.Visibility), n.Text, n.AuthorSubject, n.AuthorName, n.AuthorRole, timeOrNil(n.Created)); err != nil {
		return Note{}, mapErr(err)
	}
	got, err := s.Note(ctx, n.ID)
	if err != nil {
		return Note{}, err
	}
	// A key used before for another note is not this note.
	if got.MotionID != n.MotionID || got.AuthorSubject != n.AuthorSubject || got.Visibility != n.Visibility || got.Text != n.Text {
		return Note{}, motion.ErrKeyReused
	}
	return got, nil
}

// Note returns the note with id, or ErrNotFound.
func (s *Store) Note(ctx context.Context, id string) (Note, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+noteColumns+` FROM motion_notes WHERE id = $1`, id)
	n, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Note])
	return n, mapErr(err)
}

// Notes lists the notes on motion m that viewer reads, oldest first: of
// each visibility those motion.Motion.MayReadNotes allows; of the public
// comments the approved ones, and for the council office (MayModerate)
// and their authors also those waiting. Rejected comments are shown to
// nobody but the council office.
func (s *Store) Notes(ctx context.Context, m *motion.Motion, viewer motion.Actor) ([]Note, error) {
	var vis []string
	for _, v := range motion.NoteVisibilities {
		if m.MayReadNotes(viewer, v) {
			vis = append(vis, string(v))
		}
	}
	if len(vis) == 0 {
		return []Note{}, nil
	}
	rows, _ := s.Pool.Query(ctx, `
		SELECT `+noteColumns+` FROM motion_notes
		WHERE motion_id = $1 AND visibility = ANY($2)
		  AND (visibility <> 'public' OR approved OR $3 OR (moderated_at IS NULL AND author_subject = $4 AND $4 <> ''))
		ORDER BY created DESC, id DESC
		LIMIT $5`, m.ID, vis, m.MayModerate(viewer), viewer.Subject, maxNotes)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Note])
	if out == nil {
		out = []Note{}
	}
	slices.Reverse(out) // the newest maxNotes, oldest first
	return out, mapErr(err)
}

// ModerateNote records the council office's decision on a waiting public
// comment; a decided one stays as decided (ErrConflict-free: it returns the
// note as it is).
func (s *Store) ModerateNote(ctx context.Context, id, by string, approve bool) (Note, error) {
	if _, err := s.Pool.Exec(ctx, `
		UPDATE motion_notes SET moderated_at = now(), moderated_by = $2, approved = $3
		WHERE id = $1 AND visibility = 'public' AND moderated_at IS NULL`, id, by, approve); err != nil {
		return Note{}, mapErr(err)
	}
	return s.Note(ctx, id)
}

// PublicComments reports whether body id takes public comments.
func (s *Store) PublicComments(ctx context.Context, id string) (bool, error) {
	var on bool
	err := s.Pool.QueryRow(ctx, `SELECT public_comments FROM bodies WHERE id = $1`, id).Scan(&on)
	return on, mapErr(err)
}

// SetPublicComments turns public comments of body id on or off.
func (s *Store) SetPublicComments(ctx context.Context, id string, on bool) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE bodies SET public_comments = $2, modified = now() WHERE id = $1`, id, on)
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
