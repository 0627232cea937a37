package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// Meeting is a session of an organization (OParl Meeting). Consultations are
// scheduled into meetings, and deadlines are computed from their start.
type Meeting struct {
	ID             string
	BodyID         string
	OrganizationID string
	Name           string
	Location       string
	Start          time.Time
	End            *time.Time
	Cancelled      bool
	Created        time.Time
	Modified       time.Time
}

const meetingColumns = `id, body_id, coalesce(organization_id, '') AS organization_id, name, location,
	starts_at AS start, ends_at AS "end", cancelled, created, modified`

// CreateMeeting stores a new meeting. An empty ID is generated; an existing ID
// gives ErrConflict; an organization of another body, an unknown body or a
// missing start ErrInvalid.
func (s *Store) CreateMeeting(ctx context.Context, m Meeting) (Meeting, error) {
	if err := m.checkTexts(); err != nil {
		return Meeting{}, err
	}
	if err := m.validate(); err != nil {
		return Meeting{}, err
	}
	rows, _ := s.db().Query(ctx, `
		INSERT INTO meetings (id, body_id, organization_id, name, location, starts_at, ends_at, cancelled, created, modified)
		VALUES (coalesce(nullif($1, ''), gen_random_uuid()::text), $2, nullif($3, ''), $4, $5, $6, $7, $8,
		        coalesce($9, now()), coalesce($10, now()))
		RETURNING `+meetingColumns,
		m.ID, m.BodyID, m.OrganizationID, m.Name, m.Location, m.Start, m.End, m.Cancelled,
		timeOrNil(m.Created), timeOrNil(m.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Meeting])
	return out, mapErr(err)
}

// UpdateMeeting changes the organization, name, location, times and
// cancellation of the meeting with m.ID; its body and creation time stay.
// ErrNotFound if it does not exist. Moving a meeting is what makes the
// affected motions re-arm their deadlines; the caller tells them.
func (s *Store) UpdateMeeting(ctx context.Context, m Meeting) (Meeting, error) {
	if m.ID == "" {
		return Meeting{}, invalidf("meeting id is required")
	}
	if err := m.checkTexts(); err != nil {
		return Meeting{}, err
	}
	if m.Start.IsZero() {
		return Meeting{}, invalidf("meeting start is required")
	}
	rows, _ := s.db().Query(ctx, `
		UPDATE meetings SET organization_id = nullif($2, ''), name = $3, location = $4, starts_at = $5,
			ends_at = $6, cancelled = $7, modified = coalesce($8, now())
		WHERE id = $1
		RETURNING `+meetingColumns,
		m.ID, m.OrganizationID, m.Name, m.Location, m.Start, m.End, m.Cancelled, timeOrNil(m.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Meeting])
	return out, mapErr(err)
}

// Meeting returns the meeting with id, or ErrNotFound.
func (s *Store) Meeting(ctx context.Context, id string) (Meeting, error) {
	rows, _ := s.db().Query(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = $1`, id)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Meeting])
	return m, mapErr(err)
}

// MeetingFilter selects meetings; the fields combine with AND.
type MeetingFilter struct {
	// BodyIDs restricts to these bodies; nil means every body, a non-nil empty
	// slice none.
	BodyIDs []string
	// OrganizationID restricts to one organization's meetings.
	OrganizationID string
	// From and To restrict the start to [From, To).
	From, To *time.Time
	// Limit is the page size: DefaultLimit when <= 0, at most MaxLimit.
	Limit int
	// After is the cursor returned with the previous page.
	After string
}

type meetingCursor struct {
	Start time.Time `json:"s"`
	ID    string    `json:"i"`
}

// Meetings lists meetings ordered by start and id, one page at a time: next
// is the cursor for the following page, "" after the last one. Paging is
// keyset-based, so a page never repeats or skips a meeting when others are
// added before it.
func (s *Store) Meetings(ctx context.Context, f MeetingFilter) (items []Meeting, next string, err error) {
	if f.BodyIDs != nil && len(f.BodyIDs) == 0 {
		return []Meeting{}, "", nil
	}
	var a args
	where := []string{"NOT deleted"}
	if f.BodyIDs != nil {
		where = append(where, "body_id = ANY("+a.add(f.BodyIDs)+")")
	}
	if f.OrganizationID != "" {
		where = append(where, "organization_id = "+a.add(f.OrganizationID))
	}
	if f.From != nil {
		where = append(where, "starts_at >= "+a.add(*f.From))
	}
	if f.To != nil {
		where = append(where, "starts_at < "+a.add(*f.To))
	}
	if f.After != "" {
		var c meetingCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		where = append(where, fmt.Sprintf("(starts_at, id) > (%s, %s)", a.add(c.Start), a.add(c.ID)))
	}
	n := limit(f.Limit)
	rows, _ := s.db().Query(ctx, `SELECT `+meetingColumns+` FROM meetings
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY starts_at, id
		LIMIT `+a.add(n+1), a...)
	items, err = pgx.CollectRows(rows, pgx.RowToStructByName[Meeting])
	if err != nil {
		return nil, "", mapErr(err)
	}
	if len(items) > n {
		items = items[:n]
		last := items[n-1]
		next = encodeCursor(meetingCursor{Start: last.Start, ID: last.ID})
	}
	return items, next, nil
}

// AgendaItem is one motion on a meeting's agenda: the consultation of the
// motion that is scheduled in (or was dealt with in) the meeting.
type AgendaItem struct {
	MotionID       string
	ConsultationID string
	Reference      string
	Title          string
	Kind           motion.Kind
	Status         motion.Status
}

// Agenda lists the public motions whose consultations are scheduled in the
// meeting or whose results were recorded in it, ordered by submission. Drafts
// never appear, whoever asks: the agenda is public.
func (s *Store) Agenda(ctx context.Context, meetingID string) ([]AgendaItem, error) {
	rows, _ := s.db().Query(ctx, `
		SELECT m.id AS motion_id, c ->> 'id' AS consultation_id, m.reference, m.title, m.kind, m.status
		FROM motions m
		CROSS JOIN LATERAL jsonb_array_elements(coalesce(m.data -> 'consultations', '[]'::jsonb)) WITH ORDINALITY AS x(c, pos)
		WHERE m.public
		  AND m.meeting_ids @> ARRAY[$1::text]
		  AND (c ->> 'meeting_id' = $1 OR c -> 'record' ->> 'meeting_id' = $1)
		ORDER BY m.submitted_at, m.id, x.pos`, meetingID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AgendaItem])
	return out, mapErr(err)
}

// checkTexts refuses names a user typed that one-line formats (iCalendar,
// e-mail subjects) cannot carry; imported meetings are not refused for them.
func (m Meeting) checkTexts() error {
	if err := motion.CheckLine("name", "Der Name der Sitzung", m.Name, motion.MaxShort, false); err != nil {
		return err
	}
	return motion.CheckLine("location", "Der Sitzungsort", m.Location, motion.MaxShort, false)
}

func (m Meeting) validate() error {
	if strings.TrimSpace(m.BodyID) == "" {
		return invalidf("meeting body is required")
	}
	if m.Start.IsZero() {
		return invalidf("meeting start is required")
	}
	if m.End != nil && m.End.Before(m.Start) {
		return invalidf("meeting ends before it starts")
	}
	return nil
}
