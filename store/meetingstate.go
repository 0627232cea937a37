package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// ProjectMeeting writes the state of a MeetingWorkflow (status, agenda,
// attendance, results, minutes) onto the meeting's row and records the event,
// in one transaction. A row that already holds a newer version keeps it;
// repeating a projection changes nothing. ErrNotFound when the meeting does
// not exist.
func (s *Store) ProjectMeeting(ctx context.Context, m meeting.Meeting, ev meeting.Event) error {
	if m.ID == "" || m.Version <= 0 || ev.Version <= 0 {
		return invalidf("meeting %q: id and a positive version are required", m.ID)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: encode meeting %s: %w", m.ID, err)
	}
	actor, err := json.Marshal(ev.Actor)
	if err != nil {
		return fmt.Errorf("store: encode actor: %w", err)
	}
	var evData []byte
	if len(ev.Data) > 0 {
		evData = ev.Data
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE meetings SET state = $2, version = $3, status = $4, invitation_published_at = $5,
				cancelled = cancelled OR $4 = 'cancelled', modified = $6
			WHERE id = $1 AND version < $3`,
			m.ID, data, m.Version, string(m.Status), m.InvitationPublishedAt, m.UpdatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT true FROM meetings WHERE id = $1`, m.ID).Scan(&exists); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO meeting_events (meeting_id, version, command, at, actor, status, summary, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (meeting_id, version) DO NOTHING`,
			m.ID, ev.Version, string(ev.Command), ev.At, actor, string(ev.Status), ev.Summary, evData)
		if err != nil {
			return err
		}
		// Wake whoever follows the meeting live (see WaitMeeting).
		_, err = tx.Exec(ctx, `SELECT pg_notify('meeting_changed', $1)`, m.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: project meeting %s version %d: %w", m.ID, ev.Version, mapErr(err))
	}
	return nil
}

// MeetingState returns the meeting as its workflow last projected it. A
// meeting without a workflow yet is returned as planned with an empty agenda,
// from its row. ErrNotFound if it does not exist.
func (s *Store) MeetingState(ctx context.Context, id string) (meeting.Meeting, error) {
	var (
		row   Meeting
		state []byte
	)
	err := s.Pool.QueryRow(ctx, `
		SELECT id, body_id, coalesce(organization_id, ''), name, location, starts_at, cancelled, modified, state
		FROM meetings WHERE id = $1 AND NOT deleted`, id).
		Scan(&row.ID, &row.BodyID, &row.OrganizationID, &row.Name, &row.Location, &row.Start, &row.Cancelled, &row.Modified, &state)
	if err != nil {
		return meeting.Meeting{}, mapErr(err)
	}
	var m meeting.Meeting
	if len(state) > 0 {
		if err := json.Unmarshal(state, &m); err != nil {
			return meeting.Meeting{}, fmt.Errorf("store: decode meeting %s: %w", id, err)
		}
	} else {
		m = meeting.Meeting{ID: row.ID, Status: meeting.StatusPlanned, Agenda: []meeting.Item{}, UpdatedAt: row.Modified}
		if row.Cancelled {
			m.Status = meeting.StatusCancelled
		}
	}
	if err := s.markWithdrawn(ctx, &m); err != nil {
		return meeting.Meeting{}, err
	}
	// The directory owns name, place, time and organization: they may be
	// edited without the workflow.
	m.BodyID, m.OrganizationID, m.Name, m.Location, m.Start = row.BodyID, row.OrganizationID, row.Name, row.Location, row.Start
	if row.Cancelled {
		m.Status = meeting.StatusCancelled
	}
	return m, nil
}

// markWithdrawn shows the open items of motions withdrawn since as
// withdrawn: the faction withdraws on the motion, and the agenda says so
// without waiting for the council office.
func (s *Store) markWithdrawn(ctx context.Context, m *meeting.Meeting) error {
	var ids []string
	for _, it := range m.Agenda {
		if it.MotionID != "" && it.Status == meeting.ItemOpen {
			ids = append(ids, it.MotionID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.Pool.Query(ctx, `SELECT id FROM motions WHERE id = ANY($1::text[]) AND status = $2`,
		ids, string(motion.StatusWithdrawn))
	if err != nil {
		return mapErr(err)
	}
	withdrawn, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return mapErr(err)
	}
	for i := range m.Agenda {
		it := &m.Agenda[i]
		if it.Status == meeting.ItemOpen && slices.Contains(withdrawn, it.MotionID) {
			it.Status, it.Result = meeting.ItemWithdrawn, motion.ResultWithdrawn
		}
	}
	return nil
}

// MeetingEvents returns the meeting's audit trail, oldest first.
func (s *Store) MeetingEvents(ctx context.Context, id string) ([]meeting.Event, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT version, command, at, actor, status, summary, coalesce(data, 'null'::jsonb)
		FROM meeting_events WHERE meeting_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []meeting.Event{}
	for rows.Next() {
		var (
			ev    meeting.Event
			actor []byte
			cmd   string
			st    string
		)
		if err := rows.Scan(&ev.Version, &cmd, &ev.At, &actor, &st, &ev.Summary, &ev.Data); err != nil {
			return nil, mapErr(err)
		}
		ev.MeetingID, ev.Command, ev.Status = id, meeting.CommandName(cmd), meeting.Status(st)
		if err := json.Unmarshal(actor, &ev.Actor); err != nil {
			return nil, fmt.Errorf("store: decode actor: %w", err)
		}
		out = append(out, ev)
	}
	return out, mapErr(rows.Err())
}

// WaitMeeting blocks until the meeting's projected version is above after,
// or ctx ends, and returns the current version. It wakes on the notification
// ProjectMeeting sends, so a live view learns of a recorded result at once;
// all waiters of the process share one listening connection (a hall full of
// live viewers does not take a pool connection each), and each looks again
// every few seconds in case a notification was missed while reconnecting.
func (s *Store) WaitMeeting(ctx context.Context, id string, after int64) (int64, error) {
	for {
		wake := s.live.subscribe(s.Pool, id)
		var v int64
		err := s.Pool.QueryRow(ctx, `SELECT version FROM meetings WHERE id = $1`, id).Scan(&v)
		if err == nil && v > after {
			s.live.unsubscribe(id, wake)
			return v, nil
		}
		if err != nil {
			s.live.unsubscribe(id, wake)
			return 0, mapErr(err)
		}
		t := time.NewTimer(5 * time.Second)
		select {
		case <-wake:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		s.live.unsubscribe(id, wake)
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
	}
}

// meetingListener is the one LISTEN meeting_changed connection of a Store
// and the waiters it wakes, by meeting id.
type meetingListener struct {
	mu      sync.Mutex
	waiters map[string]map[chan struct{}]bool
	cancel  context.CancelFunc
}

// subscribe registers a waiter for the meeting (starting the listener with
// the first one); the channel receives when the meeting changes.
func (l *meetingListener) subscribe(pool *pgxpool.Pool, id string) chan struct{} {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waiters == nil {
		l.waiters = map[string]map[chan struct{}]bool{}
	}
	if l.waiters[id] == nil {
		l.waiters[id] = map[chan struct{}]bool{}
	}
	l.waiters[id][ch] = true
	if l.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		l.cancel = cancel
		go l.listen(ctx, pool)
	}
	return ch
}

func (l *meetingListener) unsubscribe(id string, ch chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.waiters[id], ch)
	if len(l.waiters[id]) == 0 {
		delete(l.waiters, id)
	}
}

// wake tells every waiter of the meeting; a waiter already told keeps one.
func (l *meetingListener) wake(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.waiters[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (l *meetingListener) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cancel != nil {
		l.cancel()
	}
}

// listen holds one connection listening for meeting_changed until ctx ends,
// and connects again after a second when the connection is lost (the
// waiters look again on their own meanwhile).
func (l *meetingListener) listen(ctx context.Context, pool *pgxpool.Pool) {
	for ctx.Err() == nil {
		conn, err := pool.Acquire(ctx)
		if err == nil {
			if _, err = conn.Exec(ctx, `LISTEN meeting_changed`); err == nil {
				for {
					n, werr := conn.Conn().WaitForNotification(ctx)
					if werr != nil {
						break
					}
					l.wake(n.Payload)
				}
			}
			// The connection listened: close it rather than hand it back.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
			conn.Release()
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// MeetingFile is a generated document of a meeting.
type MeetingFile struct {
	MeetingID   string
	Kind        string // invitation or minutes
	Name        string
	ContentType string
	Content     []byte
	SHA256      string
	Created     time.Time
	Modified    time.Time
}

// SaveMeetingFile stores (or replaces) a document of a meeting made from the
// meeting's state as of at. Storing the same bytes again changes nothing, so
// a retried activity is harmless; a document of an older state never
// replaces a newer one: the minutes of closing the session are made after
// the answer (from the outbox), those of publishing them before it, and the
// first could land last and take back the published minutes.
func (s *Store) SaveMeetingFile(ctx context.Context, f MeetingFile, at time.Time) error {
	if f.ContentType == "" {
		f.ContentType = "application/pdf"
	}
	sum := sha256.Sum256(f.Content)
	_, err := s.Pool.Exec(ctx, `
		INSERT INTO meeting_files (meeting_id, kind, name, content_type, content, sha256, created, modified)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
		ON CONFLICT (meeting_id, kind) DO UPDATE SET name = excluded.name, content_type = excluded.content_type,
			content = excluded.content, sha256 = excluded.sha256, modified = excluded.modified
		WHERE meeting_files.sha256 <> excluded.sha256 AND meeting_files.modified <= excluded.modified`,
		f.MeetingID, f.Kind, f.Name, f.ContentType, f.Content, hex.EncodeToString(sum[:]), at)
	if err != nil {
		return fmt.Errorf("store: save %s of meeting %s: %w", f.Kind, f.MeetingID, mapErr(err))
	}
	return nil
}

// MeetingFileOf returns a document of a meeting, or ErrNotFound.
func (s *Store) MeetingFileOf(ctx context.Context, meetingID, kind string) (MeetingFile, error) {
	f := MeetingFile{MeetingID: meetingID, Kind: kind}
	err := s.Pool.QueryRow(ctx, `
		SELECT name, content_type, content, sha256, created, modified FROM meeting_files
		WHERE meeting_id = $1 AND kind = $2`, meetingID, kind).
		Scan(&f.Name, &f.ContentType, &f.Content, &f.SHA256, &f.Created, &f.Modified)
	return f, mapErr(err)
}

// MeetingMembers returns the names of the organization's members on the
// day of at (memberships without end, or ending on or after it), sorted,
// and their e-mail addresses where known: who is invited and whose
// attendance the session records.
func (s *Store) MeetingMembers(ctx context.Context, organizationID string, at time.Time) (names, emails []string, err error) {
	day := at.In(motion.Berlin).Format("2006-01-02")
	rows, err := s.Pool.Query(ctx, `
		SELECT DISTINCT p.name, p.email
		FROM memberships ms JOIN persons p ON p.id = ms.person_id
		WHERE ms.organization_id = $1 AND NOT ms.deleted AND NOT p.deleted
		  AND (ms.start_date IS NULL OR ms.start_date <= $2::date)
		  AND (ms.end_date IS NULL OR ms.end_date >= $2::date)
		ORDER BY p.name`, organizationID, day)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, e string
		if err := rows.Scan(&n, &e); err != nil {
			return nil, nil, mapErr(err)
		}
		names = append(names, n)
		if e != "" {
			emails = append(emails, e)
		}
	}
	return names, emails, mapErr(rows.Err())
}

// DisplayNames looks up the names a document shows: the body's and those of
// the given organizations. A body or organization that is gone is left out,
// so the document shows its id.
func (s *Store) DisplayNames(ctx context.Context, bodyID string, orgIDs []string) (body string, orgs map[string]string, err error) {
	orgs = map[string]string{}
	if b, err := s.Body(ctx, bodyID); err == nil {
		body = b.Name
	} else if !errors.Is(err, ErrNotFound) {
		return "", nil, err
	}
	for _, id := range orgIDs {
		o, err := s.Organization(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		orgs[id] = o.Name
	}
	return body, orgs, nil
}

// WithMeetingStart fills in the start of the meeting a command is bound to,
// from the directory, for the domain's rules of meetings (a past meeting
// takes no new item, a result counts from its meeting's start and not before
// it): the meeting a schedule names, the meeting in which the consultation
// of a result is scheduled, or that of the corrected result as recorded in
// m (the read model, current when the previous command answered). A meeting
// that is not there is left out: CheckReferences has refused the
// command that names it, or the domain refuses it for another reason.
func (s *Store) WithMeetingStart(ctx context.Context, m *motion.Motion, cmd motion.Command) (motion.Command, error) {
	start := func(meetingID string) (*time.Time, error) {
		if strings.TrimSpace(meetingID) == "" {
			return nil, nil
		}
		mt, err := s.Meeting(ctx, meetingID)
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) || (err == nil && mt.BodyID != m.BodyID) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		at := mt.Start.UTC()
		return &at, nil
	}
	var err error
	switch c := cmd.(type) {
	case motion.Schedule:
		c.MeetingStart, err = start(c.MeetingID)
		cmd = c
	case motion.RecordResult:
		if k := m.Consultation(c.ConsultationID); k != nil {
			c.MeetingStart, err = start(k.MeetingID)
		}
		cmd = c
	case motion.CorrectResult:
		if k := m.Consultation(c.ConsultationID); k != nil && k.Record != nil {
			c.MeetingStart, err = start(k.Record.MeetingID)
		}
		cmd = c
	}
	return cmd, err
}

// CompleteAgendaItem checks the motion and consultation an agenda item of
// kind motion names against the read model and fills in the motion's title
// and reference number where the item has none: the motion must be one of
// the meeting's body, the consultation one of its route, of the meeting's
// organization, and not dealt with. A refusal is an Invalid *motion.Error
// naming the field; other items are returned as they are.
func (s *Store) CompleteAgendaItem(ctx context.Context, m meeting.Meeting, c meeting.AddItem) (meeting.AddItem, error) {
	if c.Kind != meeting.ItemMotion || c.MotionID == "" {
		return c, nil
	}
	mo, err := s.Motion(ctx, c.MotionID)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) || (err == nil && mo.BodyID != m.BodyID) {
		return c, motion.Invalid("motion_id", "Diesen Antrag gibt es in der Körperschaft der Sitzung nicht.")
	}
	if err != nil {
		return c, err
	}
	k := mo.Consultation(c.ConsultationID)
	switch {
	case k == nil:
		return c, motion.Invalid("consultation_id", "Diese Beratung gibt es im Antrag nicht.")
	case m.OrganizationID != "" && k.OrganizationID != m.OrganizationID:
		return c, motion.Invalid("consultation_id", "Diese Beratung gehört zu einem anderen Gremium als die Sitzung.")
	case k.Status.Closed():
		return c, motion.Invalid("consultation_id", "Diese Beratung ist bereits abgeschlossen.")
	}
	if c.Title == "" {
		c.Title = mo.Title
	}
	if c.Reference == "" {
		c.Reference = mo.Reference
	}
	return c, nil
}
