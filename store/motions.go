package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// Project writes the motion as it is after ev, and ev into the audit trail, in
// one transaction. It is idempotent and monotonic: an older version never
// replaces a newer one, and the same version written again replaces what was
// written for it. The last write of a version wins because the workflow runs
// Project inside the task that applies a command: when a worker dies after
// Project committed but before the task completed, the command is applied
// again in a new task (with that task's time), and that is the version the
// workflow keeps.
// All times come from m and ev (the workflow's clock), never from the database.
func (s *Store) Project(ctx context.Context, m motion.Motion, ev motion.Event) error {
	if m.ID == "" {
		return invalidf("motion id is required")
	}
	if m.Version <= 0 || ev.Version <= 0 {
		return invalidf("motion %s: version must be positive (motion %d, event %d)", m.ID, m.Version, ev.Version)
	}
	if ev.MotionID != "" && ev.MotionID != m.ID {
		return invalidf("event of motion %q projected onto motion %q", ev.MotionID, m.ID)
	}
	var evData []byte
	if len(ev.Data) > 0 {
		evData = ev.Data
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := upsertMotion(ctx, tx, m); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO motion_events (motion_id, version, body_id, command, at, actor_issuer, actor_subject,
				actor_name, actor_role, status, reason, request_id, summary, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (motion_id, version) DO UPDATE SET
				body_id = excluded.body_id, command = excluded.command, at = excluded.at,
				actor_issuer = excluded.actor_issuer, actor_subject = excluded.actor_subject,
				actor_name = excluded.actor_name, actor_role = excluded.actor_role, status = excluded.status,
				reason = excluded.reason, request_id = excluded.request_id, summary = excluded.summary,
				data = excluded.data`,
			m.ID, ev.Version, m.BodyID, string(ev.Command), ev.At, ev.Actor.Issuer, ev.Actor.Subject,
			ev.Actor.Name, string(ev.Actor.Role), string(ev.Status), ev.Reason, ev.RequestID, ev.Summary, evData)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: project motion %s version %d: %w", m.ID, ev.Version, mapErr(err))
	}
	return nil
}

// upsertMotion writes the motion row unless the row holds a newer version.
func upsertMotion(ctx context.Context, tx pgx.Tx, m motion.Motion) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: encode motion %s: %w", m.ID, err)
	}
	var outcome *string
	if m.Outcome != nil {
		r := string(m.Outcome.Result)
		outcome = &r
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO motions (id, body_id, kind, status, version, title, faction, cosponsors, reference,
			tags, budget_cycle, meeting_ids, public, submitted_at, created_at, updated_at, outcome, data, amends_motion, files_text)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
			(SELECT t.id FROM motions t WHERE $3 = 'amendment' AND $19 <> '' AND t.body_id = $2 AND t.id <> $1
				AND (t.id = $19 OR (t.reference <> '' AND upper(t.reference) = upper($19)))
			 ORDER BY t.id = $19 DESC LIMIT 1),
			`+filesText+`)
		ON CONFLICT (id) DO UPDATE SET
			body_id = excluded.body_id, kind = excluded.kind, status = excluded.status,
			version = excluded.version, title = excluded.title, faction = excluded.faction,
			cosponsors = excluded.cosponsors, reference = excluded.reference, tags = excluded.tags,
			budget_cycle = excluded.budget_cycle, meeting_ids = excluded.meeting_ids,
			public = excluded.public, submitted_at = excluded.submitted_at,
			created_at = excluded.created_at, updated_at = excluded.updated_at,
			outcome = excluded.outcome, data = excluded.data, amends_motion = excluded.amends_motion
		WHERE motions.version <= excluded.version`,
		m.ID, m.BodyID, string(m.Kind), string(m.Status), m.Version, m.Title, m.Faction,
		nonNil(m.Cosponsors), m.Reference, nonNil(m.Tags), m.BudgetCycle, nonNil(m.MeetingIDs()),
		m.Public(), m.SubmittedAt, m.CreatedAt, m.UpdatedAt, outcome, data, strings.TrimSpace(m.Amends))
	return err
}

// Motion returns the last projected snapshot of the motion with id, or
// ErrNotFound. It does not check visibility: callers apply
// motion.Motion.VisibleTo and answer "not found" for what may not be seen.
func (s *Store) Motion(ctx context.Context, id string) (motion.Motion, error) {
	var data []byte
	if err := s.Pool.QueryRow(ctx, `SELECT data FROM motions WHERE id = $1`, id).Scan(&data); err != nil {
		return motion.Motion{}, mapErr(err)
	}
	var m motion.Motion
	if err := json.Unmarshal(data, &m); err != nil {
		return motion.Motion{}, fmt.Errorf("store: decode motion %s: %w", id, err)
	}
	return m, nil
}

// MotionFilter selects motions for a viewer. Visibility always applies; the
// other fields are filters that combine with AND, zero values filtering nothing.
type MotionFilter struct {
	// Viewer decides what may be listed: public motions, plus the drafts of
	// the viewer's faction (as originator or invited co-sponsor) for
	// faction_staff; a signed-in viewer sees only the bodies in Viewer.Bodies.
	Viewer motion.Actor
	// BodyIDs restricts to these bodies; nil means every body, a non-nil empty
	// slice none.
	BodyIDs []string
	// Statuses and Kinds restrict to any of the given values.
	Statuses []motion.Status
	Kinds    []motion.Kind
	// Outcomes restricts to motions whose final result (motion.Outcome) is
	// any of the given results; undecided motions have none.
	Outcomes []motion.Result
	// Faction restricts to motions the faction originated or co-sponsors.
	Faction string
	// MeetingID restricts to motions scheduled in (or dealt with in) the meeting.
	MeetingID string
	// Tag restricts to motions with this topic tag (exact match).
	Tag string
	// SubmittedFrom and SubmittedTo restrict the submission time to [From, To);
	// either excludes motions never submitted.
	SubmittedFrom, SubmittedTo *time.Time
	// Query is a German full-text search in web-search syntax ("quoted
	// phrases", -excluded, or) that finds compounds by their parts (see
	// Search). Results are then ordered by relevance.
	Query string
	// Limit is the page size: DefaultLimit when <= 0, at most MaxLimit.
	Limit int
	// After is the cursor returned with the previous page.
	After string
}

// motionCursor is the sort key of the last motion of a page: (updated_at,
// id) for lists, (submitted_at, id) for lists of a submission period
// (BySubmission, the time in Updated); for searches also the tier (see
// Search). Search marks which it is, so a list cursor is never used for a
// search.
type motionCursor struct {
	Search       bool       `json:"q,omitempty"`
	BySubmission bool       `json:"s,omitempty"`
	Tier         int        `json:"t,omitempty"`
	Updated      *time.Time `json:"u,omitempty"`
	ID           string     `json:"i"`
}

// Motions lists the motions the viewer may see that match the filter, one
// page at a time: next is the cursor for the following page, "" after the
// last one. Without a Query the order is newest change first (updated_at,
// id descending), with a submission period newest submission first; with a
// Query it is Search's order.
// Visibility is part of the SQL, so pages and their sizes never reveal a
// motion the viewer may not see.
func (s *Store) Motions(ctx context.Context, f MotionFilter) (items []motion.Motion, next string, err error) {
	if strings.TrimSpace(f.Query) != "" {
		hits, next, err := s.search(ctx, f, false)
		items = make([]motion.Motion, len(hits))
		for i, h := range hits {
			items[i] = h.Motion
		}
		return items, next, err
	}
	var a args
	where, ok := motionWhere(&a, f)
	if !ok {
		return []motion.Motion{}, "", nil
	}
	// A list of a submission period is in order of submission; every other
	// list newest change first.
	key, bySubmission := "m.updated_at", f.SubmittedFrom != nil || f.SubmittedTo != nil
	if bySubmission {
		key = "m.submitted_at"
	}
	if f.After != "" {
		var c motionCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		if c.Search || c.ID == "" || c.Updated == nil || c.BySubmission != bySubmission {
			return nil, "", invalidf("cursor does not belong to this query")
		}
		where = append(where, fmt.Sprintf("(%s, m.id) < (%s, %s)", key, a.add(*c.Updated), a.add(c.ID)))
	}
	n := limit(f.Limit)
	// The page's keys are found first and only its n+1 rows are read whole:
	// a plan that sorts its matches then sorts keys, not motions.
	rows, _ := s.Pool.Query(ctx, `SELECT m.data, p.key FROM (
			SELECT m.id, `+key+` AS key FROM motions m WHERE `+strings.Join(where, " AND ")+`
			ORDER BY `+key+` DESC, m.id DESC LIMIT `+a.add(n+1)+`) p
		JOIN motions m ON m.id = p.id
		ORDER BY p.key DESC, p.id DESC`, a...)
	got, err := pgx.AppendRows(make([]Hit, 0, n+1), rows, func(r pgx.CollectableRow) (Hit, error) {
		var h Hit
		var data []byte
		if err := r.Scan(&data, &h.updated); err != nil {
			return h, err
		}
		return h, decodeMotion(data, &h.Motion)
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list motions: %w", mapErr(err))
	}
	if len(got) > n {
		last := got[n-1]
		next = encodeCursor(motionCursor{ID: last.Motion.ID, Updated: &last.updated, BySubmission: bySubmission})
		got = got[:n]
	}
	items = make([]motion.Motion, len(got))
	for i, h := range got {
		items[i] = h.Motion
	}
	return items, next, nil
}

// motionWhere is the WHERE of a motion list or search without its order:
// visibility and every filter of f but the query and the cursor. ok is false
// when nothing can match (no bodies).
func motionWhere(a *args, f MotionFilter) (where []string, ok bool) {
	if f.BodyIDs != nil && len(f.BodyIDs) == 0 {
		return nil, false
	}
	if !f.Viewer.Anonymous() && len(f.Viewer.Bodies) == 0 {
		return nil, false
	}
	// Visibility: mirrors motion.Motion.VisibleTo.
	where = visibleMotions(a, f.Viewer)
	if f.BodyIDs != nil {
		where = append(where, "m.body_id = ANY("+a.add(f.BodyIDs)+"::text[])")
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			ss[i] = string(x)
		}
		where = append(where, "m.status = ANY("+a.add(ss)+"::text[])")
	}
	if len(f.Kinds) > 0 {
		ks := make([]string, len(f.Kinds))
		for i, x := range f.Kinds {
			ks[i] = string(x)
		}
		where = append(where, "m.kind = ANY("+a.add(ks)+"::text[])")
	}
	if len(f.Outcomes) > 0 {
		rs := make([]string, len(f.Outcomes))
		for i, x := range f.Outcomes {
			rs[i] = string(x)
		}
		where = append(where, "m.outcome = ANY("+a.add(rs)+"::text[])")
	}
	if f.Faction != "" {
		p := a.add(f.Faction)
		where = append(where, fmt.Sprintf("(m.faction = %s OR m.cosponsors @> ARRAY[%s]::text[])", p, p))
	}
	if f.MeetingID != "" {
		where = append(where, "m.meeting_ids @> ARRAY["+a.add(f.MeetingID)+"]::text[]")
	}
	if f.Tag != "" {
		where = append(where, "m.tags @> ARRAY["+a.add(f.Tag)+"]::text[]")
	}
	if f.SubmittedFrom != nil {
		where = append(where, "m.submitted_at >= "+a.add(*f.SubmittedFrom))
	}
	if f.SubmittedTo != nil {
		where = append(where, "m.submitted_at < "+a.add(*f.SubmittedTo))
	}
	return where, true
}

// History returns the motion's audit trail ordered by version, or
// ErrNotFound if the motion was never projected.
func (s *Store) History(ctx context.Context, motionID string) ([]motion.Event, error) {
	var exists bool
	if err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM motions WHERE id = $1)`, motionID).Scan(&exists); err != nil {
		return nil, mapErr(err)
	}
	if !exists {
		return nil, ErrNotFound
	}
	rows, _ := s.Pool.Query(ctx, `
		SELECT motion_id, version, command, at, actor_issuer, actor_subject, actor_name, actor_role,
		       status, reason, request_id, summary, data
		FROM motion_events WHERE motion_id = $1 ORDER BY version`, motionID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (motion.Event, error) {
		var e motion.Event
		var data []byte
		err := r.Scan(&e.MotionID, &e.Version, &e.Command, &e.At, &e.Actor.Issuer, &e.Actor.Subject,
			&e.Actor.Name, &e.Actor.Role, &e.Status, &e.Reason, &e.RequestID, &e.Summary, &data)
		if len(data) > 0 {
			e.Data = json.RawMessage(data)
		}
		return e, err
	})
	return out, mapErr(err)
}
