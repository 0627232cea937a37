package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // rules name time zones; do not depend on the system's zoneinfo

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// DeadlineRules returns the body's current deadline rules: the latest version
// stored with SetDeadlineRules, or motion.DefaultDeadlineRules() (version 1)
// when the body configured none. Version is always set.
func (s *Store) DeadlineRules(ctx context.Context, bodyID string) (motion.DeadlineRules, error) {
	var version int
	var data []byte
	err := s.Pool.QueryRow(ctx, `
		SELECT version, rules FROM deadline_rules WHERE body_id = $1
		ORDER BY version DESC LIMIT 1`, bodyID).Scan(&version, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return motion.DefaultDeadlineRules(), nil
	}
	if err != nil {
		return motion.DeadlineRules{}, fmt.Errorf("store: deadline rules of %s: %w", bodyID, mapErr(err))
	}
	return decodeRules(bodyID, version, data)
}

// DeadlineRulesVersion returns one version of the body's rules, so that a
// deadline can show the rule that produced it. Version 1 of a body that never
// stored a version 1 is the default; any other unknown version is ErrNotFound.
func (s *Store) DeadlineRulesVersion(ctx context.Context, bodyID string, version int) (motion.DeadlineRules, error) {
	var data []byte
	err := s.Pool.QueryRow(ctx, `SELECT rules FROM deadline_rules WHERE body_id = $1 AND version = $2`,
		bodyID, version).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) && version == motion.DefaultDeadlineRules().Version {
		return motion.DefaultDeadlineRules(), nil
	}
	if err != nil {
		return motion.DeadlineRules{}, mapErr(err)
	}
	return decodeRules(bodyID, version, data)
}

func decodeRules(bodyID string, version int, data []byte) (motion.DeadlineRules, error) {
	var r motion.DeadlineRules
	if err := json.Unmarshal(data, &r); err != nil {
		return motion.DeadlineRules{}, fmt.Errorf("store: decode deadline rules %s v%d: %w", bodyID, version, err)
	}
	r.Version = version
	return r, nil
}

// SetDeadlineRules stores r as the body's new rules and returns them with
// Version set: one more than the latest stored version, and at least 2, since
// version 1 is the default every body starts with. Earlier versions are kept.
// Concurrent calls for one body get consecutive versions. ErrNotFound for an
// unknown body, ErrInvalid for rules that cannot produce deadlines (a
// non-positive period, no reminder offsets, negative counts).
func (s *Store) SetDeadlineRules(ctx context.Context, bodyID string, r motion.DeadlineRules) (motion.DeadlineRules, error) {
	if err := validateRules(r); err != nil {
		return motion.DeadlineRules{}, err
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// The body row serialises concurrent writers of its rules.
		var id string
		if err := tx.QueryRow(ctx, `SELECT id FROM bodies WHERE id = $1 FOR UPDATE`, bodyID).Scan(&id); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("body %q: %w", bodyID, ErrNotFound)
			}
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), $2) + 1 FROM deadline_rules WHERE body_id = $1`,
			bodyID, motion.DefaultDeadlineRules().Version).Scan(&r.Version); err != nil {
			return err
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO deadline_rules (body_id, version, rules) VALUES ($1, $2, $3)`,
			bodyID, r.Version, data)
		return err
	})
	if err != nil {
		return motion.DeadlineRules{}, fmt.Errorf("store: set deadline rules of %s: %w", bodyID, mapErr(err))
	}
	return r, nil
}

// validateRules refuses rules that motion.DeadlineRules.Validate refuses, as
// ErrInvalid with the domain's *motion.Error (naming the fields) in the chain.
func validateRules(r motion.DeadlineRules) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// CouncilMeetingsLimit is how many meetings CouncilMeetings and
// OrganizationMeetings return: plenty for "the second-next meeting", even
// with some cancelled.
const CouncilMeetingsLimit = 20

// meetingDateColumns are the columns of a motion.MeetingDate: a meeting's
// agenda counts as published once its invitation is (§ 34 GemO BW).
const meetingDateColumns = `m.id, coalesce(m.organization_id, '') AS organization_id, m.starts_at AS start,
	m.cancelled, m.invitation_published_at IS NOT NULL AS published`

// CouncilMeetings returns the meetings of the body's council (organizations of
// kind council) that start at or after since, cancelled ones included and
// marked, ordered by start: the calendar of agenda placement while a motion
// has no route.
func (s *Store) CouncilMeetings(ctx context.Context, bodyID string, since time.Time) ([]motion.MeetingDate, error) {
	rows, _ := s.Pool.Query(ctx, `
		SELECT `+meetingDateColumns+`
		FROM meetings m JOIN organizations o ON o.id = m.organization_id
		WHERE m.body_id = $1 AND o.kind = 'council' AND m.starts_at >= $2
		ORDER BY m.starts_at, m.id
		LIMIT $3`, bodyID, since, CouncilMeetingsLimit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[motion.MeetingDate])
	if err != nil {
		return nil, fmt.Errorf("store: council meetings of %s: %w", bodyID, mapErr(err))
	}
	return out, nil
}

// OrganizationMeetings returns the meetings of one organization of the body
// that start at or after since, cancelled ones included and marked, ordered
// by start: the calendar of agenda placement for the organization that
// decides a motion (the council, or a committee with powers of decision).
// An organization of another body has none here.
func (s *Store) OrganizationMeetings(ctx context.Context, bodyID, organizationID string, since time.Time) ([]motion.MeetingDate, error) {
	rows, _ := s.Pool.Query(ctx, `
		SELECT `+meetingDateColumns+`
		FROM meetings m
		WHERE m.body_id = $1 AND m.organization_id = $2 AND m.starts_at >= $3
		ORDER BY m.starts_at, m.id
		LIMIT $4`, bodyID, organizationID, since, CouncilMeetingsLimit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[motion.MeetingDate])
	if err != nil {
		return nil, fmt.Errorf("store: meetings of %s: %w", organizationID, mapErr(err))
	}
	return out, nil
}

// MeetingDates returns the meetings with the given ids ordered by start;
// unknown ids are left out.
func (s *Store) MeetingDates(ctx context.Context, ids []string) ([]motion.MeetingDate, error) {
	if len(ids) == 0 {
		return []motion.MeetingDate{}, nil
	}
	rows, _ := s.Pool.Query(ctx, `
		SELECT `+meetingDateColumns+`
		FROM meetings m WHERE m.id = ANY($1::text[])
		ORDER BY m.starts_at, m.id`, ids)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[motion.MeetingDate])
	if err != nil {
		return nil, fmt.Errorf("store: meeting dates: %w", mapErr(err))
	}
	return out, nil
}

// ProjectDeadlines replaces the motion's current deadlines with ds in one
// transaction: readers see the old set or the new one, never a mix. An empty
// ds removes them all (a motion decided, withdrawn or closed). bodyID and
// faction (the originating faction) are stored for filtering. ErrInvalid for
// a deadline without key or due time, or two with the same key.
func (s *Store) ProjectDeadlines(ctx context.Context, motionID, bodyID, faction string, ds []motion.Deadline) error {
	if motionID == "" || bodyID == "" {
		return invalidf("motion and body are required")
	}
	seen := make(map[string]bool, len(ds))
	for _, d := range ds {
		if d.Key == "" || d.Due.IsZero() {
			return invalidf("deadline %q of motion %s: key and due time are required", d.Key, motionID)
		}
		if seen[d.Key] {
			return invalidf("deadline %q of motion %s given twice", d.Key, motionID)
		}
		seen[d.Key] = true
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM motion_deadlines WHERE motion_id = $1`, motionID); err != nil {
			return err
		}
		var b pgx.Batch
		for _, d := range ds {
			b.Queue(`
				INSERT INTO motion_deadlines (motion_id, key, kind, due, rule, rule_version, meeting_id,
					audiences, informed, body_id, faction, reason)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				motionID, d.Key, string(d.Kind), d.Due, d.Rule, d.RuleVersion, d.MeetingID,
				nonNil(d.Audiences), nonNil(d.Informed), bodyID, faction, d.Reason)
		}
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return fmt.Errorf("store: project deadlines of motion %s: %w", motionID, mapErr(err))
	}
	return nil
}

// MotionDeadline is a current deadline of a motion with what a list shows of
// the motion.
type MotionDeadline struct {
	motion.Deadline
	MotionID        string
	BodyID          string
	Faction         string
	MotionTitle     string
	MotionReference string
	MotionKind      motion.Kind
	MotionStatus    motion.Status
}

// DeadlineFilter selects deadlines; the fields combine with AND.
type DeadlineFilter struct {
	// Viewer decides which motions' deadlines may be listed, as in
	// MotionFilter: a draft's deadlines only for its own faction's staff.
	Viewer motion.Actor
	// BodyIDs restricts to these bodies; nil means every body, a non-nil
	// empty slice none.
	BodyIDs []string
	// Faction restricts to motions the faction originated or co-sponsors.
	Faction string
	// Audiences restricts to deadlines that remind any of these audiences
	// ("council_office", motion.FactionAudience(org), ...); with
	// IncludeInformed also those the audiences only see.
	Audiences       []string
	IncludeInformed bool
	// Kinds restricts to these kinds of deadline.
	Kinds []motion.DeadlineKind
	// From and To restrict the due time to [From, To).
	From, To *time.Time
	// MotionID restricts to one motion.
	MotionID string
	// Limit is the page size: DefaultLimit when <= 0, at most MaxLimit.
	Limit int
	// After is the cursor returned with the previous page.
	After string
}

type deadlineCursor struct {
	Due    time.Time `json:"d"`
	Motion string    `json:"m"`
	Key    string    `json:"k"`
}

// Deadlines lists current deadlines ordered by due time (most urgent first),
// then motion and key, one page at a time: next is the cursor for the
// following page, "" after the last one. Visibility is part of the SQL.
func (s *Store) Deadlines(ctx context.Context, f DeadlineFilter) (items []MotionDeadline, next string, err error) {
	if (f.BodyIDs != nil && len(f.BodyIDs) == 0) || (f.Audiences != nil && len(f.Audiences) == 0) {
		return []MotionDeadline{}, "", nil
	}
	if !f.Viewer.Anonymous() && len(f.Viewer.Bodies) == 0 {
		return []MotionDeadline{}, "", nil
	}
	var a args
	where := visibleMotions(&a, f.Viewer)
	if f.BodyIDs != nil {
		where = append(where, "d.body_id = ANY("+a.add(f.BodyIDs)+"::text[])")
	}
	if f.Faction != "" {
		p := a.add(f.Faction)
		where = append(where, fmt.Sprintf("(m.faction = %s OR m.cosponsors @> ARRAY[%s]::text[])", p, p))
	}
	if f.Audiences != nil {
		p := a.add(f.Audiences)
		if f.IncludeInformed {
			where = append(where, fmt.Sprintf("(d.audiences && %s::text[] OR d.informed && %s::text[])", p, p))
		} else {
			where = append(where, "d.audiences && "+p+"::text[]")
		}
	}
	if len(f.Kinds) > 0 {
		ks := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			ks[i] = string(k)
		}
		where = append(where, "d.kind = ANY("+a.add(ks)+"::text[])")
	}
	if f.From != nil {
		where = append(where, "d.due >= "+a.add(*f.From))
	}
	if f.To != nil {
		where = append(where, "d.due < "+a.add(*f.To))
	}
	if f.MotionID != "" {
		where = append(where, "d.motion_id = "+a.add(f.MotionID))
	}
	if f.After != "" {
		var c deadlineCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		where = append(where, fmt.Sprintf("(d.due, d.motion_id, d.key) > (%s, %s, %s)", a.add(c.Due), a.add(c.Motion), a.add(c.Key)))
	}
	n := limit(f.Limit)
	rows, _ := s.Pool.Query(ctx, `
		SELECT d.key, d.kind, d.due, d.meeting_id, d.rule, d.rule_version, d.audiences, d.informed, d.reason,
		       d.motion_id, d.body_id, d.faction, m.title, m.reference, m.kind, m.status
		FROM motion_deadlines d JOIN motions m ON m.id = d.motion_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY d.due, d.motion_id, d.key
		LIMIT `+a.add(n+1), a...)
	items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (MotionDeadline, error) {
		var x MotionDeadline
		err := r.Scan(&x.Key, &x.Kind, &x.Due, &x.MeetingID, &x.Rule, &x.RuleVersion, &x.Audiences, &x.Informed,
			&x.Reason, &x.MotionID, &x.BodyID, &x.Faction, &x.MotionTitle, &x.MotionReference, &x.MotionKind, &x.MotionStatus)
		return x, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: list deadlines: %w", mapErr(err))
	}
	if len(items) > n {
		items = items[:n]
		last := items[n-1]
		next = encodeCursor(deadlineCursor{Due: last.Due, Motion: last.MotionID, Key: last.Key})
	}
	return items, next, nil
}

// visibleMotions returns the conditions on the motions table (alias m) that
// limit rows to the motions viewer may see; it mirrors motion.Motion.VisibleTo
// for every list: besides the public motions, a faction's staff see the
// drafts their faction moves, co-sponsors or is invited to (pending), a
// councillor those naming them among the signers.
func visibleMotions(a *args, viewer motion.Actor) []string {
	vis := []string{"m.public"}
	if viewer.Has(motion.RoleFactionStaff) && viewer.Faction != "" {
		p := a.add(viewer.Faction)
		vis = append(vis, fmt.Sprintf("m.faction = %s", p), fmt.Sprintf("m.cosponsors @> ARRAY[%s]::text[]", p),
			fmt.Sprintf("m.data->'invitations' @> jsonb_build_array(jsonb_build_object('faction', %s::text, 'state', 'pending'))", p))
	}
	if viewer.Has(motion.RoleCouncillor) && viewer.Person != "" {
		vis = append(vis, fmt.Sprintf("m.data->'signers' @> jsonb_build_array(jsonb_build_object('person_id', %s::text))", a.add(viewer.Person)))
	}
	where := []string{"(" + strings.Join(vis, " OR ") + ")"}
	if !viewer.Anonymous() {
		where = append(where, "m.body_id = ANY("+a.add(viewer.Bodies)+"::text[])")
	}
	return where
}
