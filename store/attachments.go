package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// MaxAttachmentSize is the largest attachment the store accepts at all; the
// web layer enforces its own, usually smaller, limit before.
const MaxAttachmentSize = 64 << 20

// Attachment is a document filed with a motion (a PDF or an office
// document). Its content is kept in the database with its SHA-256 checksum;
// the motion's content links it by URL. Visibility is the motion's.
type Attachment struct {
	ID          string
	MotionID    string
	BodyID      string
	Name        string
	ContentType string
	Size        int64
	// SHA256 is the hexadecimal SHA-256 of the content, computed by the store.
	SHA256 string
	// CreatedBy is the subject of the uploader.
	CreatedBy string
	Created   time.Time
	// Text is the document's text (documents.ExtractText), given by the
	// caller on upload; the motion's search covers it. It is not read back.
	Text string `db:"-"`
}

// MaxAttachmentText bounds the text kept of one attachment and of all of a
// motion's attachments together; the rest is not searched.
const MaxAttachmentText = 200_000

const attachmentColumns = `id, motion_id, body_id, name, content_type, size, sha256, created_by, created`

// AddAttachment stores data as an attachment of the motion a.MotionID. The
// store computes Size and SHA256 from data and generates the id. Storing the
// same content under the same name for the same motion again returns the row
// stored first, so a resubmitted upload adds nothing. ErrInvalid for a
// missing motion, body, name or content type, a name over 255 characters or
// content over MaxAttachmentSize; an unknown body is ErrInvalid too.
func (s *Store) AddAttachment(ctx context.Context, a Attachment, data []byte) (Attachment, error) {
	switch {
	case strings.TrimSpace(a.MotionID) == "", strings.TrimSpace(a.BodyID) == "":
		return Attachment{}, invalidf("attachment needs a motion and a body")
	case strings.TrimSpace(a.Name) == "" || utf8.RuneCountInString(a.Name) > 255 || !utf8.ValidString(a.Name):
		return Attachment{}, invalidf("attachment name must be 1 to 255 characters of UTF-8")
	case strings.TrimSpace(a.ContentType) == "":
		return Attachment{}, invalidf("attachment content type is required")
	case len(data) > MaxAttachmentSize:
		return Attachment{}, invalidf("attachment larger than %d bytes", MaxAttachmentSize)
	}
	sum := sha256.Sum256(data)
	a.SHA256 = hex.EncodeToString(sum[:])
	a.Size = int64(len(data))
	if data == nil {
		data = []byte{}
	}
	var out Attachment
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			INSERT INTO attachments (id, motion_id, body_id, name, content_type, size, sha256, data, created_by, text)
			VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (motion_id, sha256, name) DO NOTHING
			RETURNING `+attachmentColumns,
			a.MotionID, a.BodyID, a.Name, a.ContentType, a.Size, a.SHA256, data, a.CreatedBy, searchableText(a.Text))
		var err error
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Attachment])
		if err == nil {
			// The motion's search covers its attachments' text (a motion
			// not projected yet takes it when it is, see upsertMotion).
			_, err = tx.Exec(ctx, `UPDATE motions SET files_text = `+filesText+` WHERE id = $1`, a.MotionID)
			return err
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments
			WHERE motion_id = $1 AND sha256 = $2 AND name = $3`, a.MotionID, a.SHA256, a.Name)
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Attachment])
		return err
	})
	if err != nil {
		return Attachment{}, mapErr(err)
	}
	return out, nil
}

// filesText is the SQL of a motion's attachments' text ($1: its id), oldest
// first, for motions.files_text.
const filesText = `(SELECT left(coalesce(string_agg(x.text, E'\n' ORDER BY x.created, x.id), ''), 200000)
	FROM attachments x WHERE x.motion_id = $1)`

// searchableText is text as the database can store and index it: valid
// UTF-8 without NUL, at most MaxAttachmentText characters.
func searchableText(text string) string {
	text = strings.ReplaceAll(strings.ToValidUTF8(text, ""), "\x00", "")
	if utf8.RuneCountInString(text) > MaxAttachmentText {
		text = string([]rune(text)[:MaxAttachmentText])
	}
	return text
}

// Attachment returns the attachment with id without its content, or
// ErrNotFound. It does not check visibility: callers check the motion's.
func (s *Store) Attachment(ctx context.Context, id string) (Attachment, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Attachment])
	return a, mapErr(err)
}

// AttachmentContent returns the attachment with id and its content, or
// ErrNotFound. It does not check visibility.
func (s *Store) AttachmentContent(ctx context.Context, id string) (Attachment, []byte, error) {
	var a Attachment
	var data []byte
	err := s.Pool.QueryRow(ctx, `SELECT `+attachmentColumns+`, data FROM attachments WHERE id = $1`, id).Scan(
		&a.ID, &a.MotionID, &a.BodyID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedBy, &a.Created, &data)
	if err != nil {
		return Attachment{}, nil, mapErr(err)
	}
	return a, data, nil
}

// MotionAttachments lists the attachments stored for a motion, oldest first,
// whether or not its content links them.
func (s *Store) MotionAttachments(ctx context.Context, motionID string) ([]Attachment, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments
		WHERE motion_id = $1 ORDER BY created, id`, motionID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Attachment])
	return out, mapErr(err)
}
