package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// StatisticsFilter selects the motions Statistics counts. Statistics are
// public data: only public motions (submitted, never a draft) count, whoever
// asks.
type StatisticsFilter struct {
	// Viewer restricts a signed-in caller to the bodies in Viewer.Bodies, as
	// in MotionFilter; it never adds drafts.
	Viewer motion.Actor
	// BodyIDs restricts to these bodies; nil means every body, a non-nil
	// empty slice none.
	BodyIDs []string
	// Now is the time against which answers are overdue (zero: time.Now()).
	Now time.Time
}

// Count is how many motions have one value of a dimension.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Statistics are figures over the public motions.
type Statistics struct {
	// Total is the number of public motions.
	Total int
	// ByStatus in process order (motion.Statuses), ByOutcome in the order of
	// motion.Results (undecided motions have none), ByKind in the order of
	// motion.Kinds; values unknown to the domain follow in key order.
	ByStatus, ByOutcome, ByKind []Count
	// ByFaction counts motions by originating faction (organization id),
	// most first, then by id.
	ByFaction []Count
	// ByYear counts submitted motions by year of submission (Europe/Berlin),
	// oldest first.
	ByYear []Count
	// Decided is the number of motions with a submission and a decision time;
	// MedianDaysToDecision is the median of their days from submission to
	// decision, nil when Decided is 0.
	Decided              int
	MedianDaysToDecision *float64
	// OverdueAnswers counts inquiries whose inquiry_answer deadline is past
	// (before Now) and which are not answered, by addressed department
	// (organization id, "" when none is named), most first, then by id.
	OverdueAnswers []Count
	// AgendaPlacement is how many motions were placed on the agenda within
	// the § 34 deadline (AgendaPlacementStats).
	AgendaPlacement AgendaPlacementStats
}

// AgendaPlacementStats measure § 34 Abs. 1 GemO BW: a faction's motion is
// to be dealt with no later than the N-th meeting after its submission of
// the organization that decides it (the body's current deadline rules name
// N, motion.DeadlineRules.AgendaPlacementMeetings; 2 by default).
//
// The motions measured are the public motions other than inquiries (which
// are answered, not voted on) that were submitted and did not end without
// a vote (withdrawn, inadmissible or lapsed motions do not count: when they
// ended is not kept). Of each, its limit is the start of the N-th meeting,
// not cancelled, that begins after its submission, of the organization of
// its route's decisive consultation (the last one marked decisive), or of
// the body's council (organizations of kind council) while it has no route.
//
// A motion is placed in time when, by its limit (with no limit yet: at any
// time), it was decided (decided_at), or a consultation of the deciding
// organization is scheduled into or was dealt with in a meeting, not
// cancelled, that begins no later than the limit. The route counts as it
// stands now: a consultation postponed and scheduled anew counts by its new
// meeting.
//
// Due counts the motions placed in time and those whose limit has come
// (the limit meeting began before Now) without it; InTime the former. A
// motion neither placed nor at its limit yet is still open and not counted.
// The share is InTime/Due.
type AgendaPlacementStats struct {
	Due    int
	InTime int
}

// Share is InTime/Due, nil when Due is 0.
func (a AgendaPlacementStats) Share() *float64 {
	if a.Due == 0 {
		return nil
	}
	f := float64(a.InTime) / float64(a.Due)
	return &f
}

// Statistics computes the figures over the public motions the filter selects.
func (s *Store) Statistics(ctx context.Context, f StatisticsFilter) (Statistics, error) {
	out := Statistics{ByStatus: []Count{}, ByOutcome: []Count{}, ByKind: []Count{}, ByFaction: []Count{},
		ByYear: []Count{}, OverdueAnswers: []Count{}}
	if f.BodyIDs != nil && len(f.BodyIDs) == 0 {
		return out, nil
	}
	if !f.Viewer.Anonymous() && len(f.Viewer.Bodies) == 0 {
		return out, nil
	}
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	var a args
	where := []string{"m.public", "m.status <> 'draft'"}
	if !f.Viewer.Anonymous() {
		where = append(where, "m.body_id = ANY("+a.add(f.Viewer.Bodies)+"::text[])")
	}
	if f.BodyIDs != nil {
		where = append(where, "m.body_id = ANY("+a.add(f.BodyIDs)+"::text[])")
	}
	cond := strings.Join(where, " AND ")

	var err error
	counts := func(key, extra string) []Count {
		if err != nil {
			return nil
		}
		var c []Count
		c, err = s.statCounts(ctx, `SELECT `+key+` AS key, count(*)::int FROM motions m
			WHERE `+cond+extra+` GROUP BY 1`, a)
		return c
	}
	out.ByStatus = ordered(counts("m.status", ""), motion.Statuses)
	out.ByOutcome = ordered(counts("m.outcome", " AND m.outcome IS NOT NULL"), motion.Results)
	out.ByKind = ordered(counts("m.kind", ""), motion.Kinds)
	out.ByFaction = mostFirst(counts("m.faction", ""))
	out.ByYear = counts("extract(year FROM m.submitted_at AT TIME ZONE 'Europe/Berlin')::int::text", " AND m.submitted_at IS NOT NULL")
	slices.SortFunc(out.ByYear, func(x, y Count) int { return strings.Compare(x.Key, y.Key) })
	if err != nil {
		return Statistics{}, fmt.Errorf("store: statistics: %w", mapErr(err))
	}
	for _, c := range out.ByStatus {
		out.Total += c.Count
	}

	var median *float64
	err = s.Pool.QueryRow(ctx, `
		SELECT count(*)::int, percentile_cont(0.5) WITHIN GROUP (ORDER BY
			extract(epoch FROM ((m.data->>'decided_at')::timestamptz - m.submitted_at)) / 86400)
		FROM motions m
		WHERE `+cond+` AND m.submitted_at IS NOT NULL AND m.data->>'decided_at' IS NOT NULL`, a...).
		Scan(&out.Decided, &median)
	if err != nil {
		return Statistics{}, fmt.Errorf("store: statistics: median: %w", mapErr(err))
	}
	out.MedianDaysToDecision = median

	nowP := a.add(now)
	ov, err := s.statCounts(ctx, `
		SELECT coalesce(m.data->>'addressed_department', '') AS key, count(DISTINCT m.id)::int
		FROM motions m JOIN motion_deadlines d ON d.motion_id = m.id
		WHERE `+cond+` AND m.kind = 'inquiry' AND d.kind = 'inquiry_answer' AND d.due < `+nowP+`
			AND m.status NOT IN ('answered', 'closed', 'withdrawn', 'inadmissible', 'lapsed')
		GROUP BY 1`, a)
	if err != nil {
		return Statistics{}, fmt.Errorf("store: statistics: overdue answers: %w", mapErr(err))
	}
	out.OverdueAnswers = mostFirst(ov)

	nP := a.add(motion.DefaultDeadlineRules().AgendaPlacementMeetings)
	err = s.Pool.QueryRow(ctx, `
		WITH measured AS (
			SELECT m.id, m.body_id, m.submitted_at, (m.data->>'decided_at')::timestamptz AS decided_at,
				m.data->'consultations' AS route,
				(SELECT k->>'organization_id' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(m.data->'consultations') = 'array'
						THEN m.data->'consultations' ELSE '[]'::jsonb END) WITH ORDINALITY AS x(k, pos)
					WHERE (k->>'decisive')::boolean ORDER BY pos DESC LIMIT 1) AS org,
				coalesce((SELECT (r.rules->>'agenda_placement_meetings')::int FROM deadline_rules r
					WHERE r.body_id = m.body_id ORDER BY r.version DESC LIMIT 1), `+nP+`) AS n
			FROM motions m
			WHERE `+cond+` AND m.kind <> 'inquiry' AND m.submitted_at IS NOT NULL
				AND m.status NOT IN ('withdrawn', 'inadmissible', 'lapsed')
		), limited AS (
			SELECT d.*, (SELECT mt.starts_at FROM meetings mt
				WHERE mt.body_id = d.body_id AND NOT mt.cancelled AND mt.starts_at > d.submitted_at
					AND CASE WHEN d.org IS NULL
						THEN mt.organization_id IN (SELECT o.id FROM organizations o WHERE o.body_id = d.body_id AND o.kind = 'council')
						ELSE mt.organization_id = d.org END
				ORDER BY mt.starts_at, mt.id OFFSET greatest(d.n, 1) - 1 LIMIT 1) AS limit_start
			FROM measured d
		), placed AS (
			SELECT l.limit_start,
				(l.decided_at IS NOT NULL AND (l.limit_start IS NULL OR l.decided_at <= l.limit_start))
				OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(l.route) = 'array' THEN l.route ELSE '[]'::jsonb END) k
					JOIN meetings mt ON mt.id = coalesce(nullif(k->'record'->>'meeting_id', ''), nullif(k->>'meeting_id', ''))
					WHERE k->>'organization_id' = l.org AND NOT mt.cancelled
						AND (l.limit_start IS NULL OR mt.starts_at <= l.limit_start)) AS in_time
			FROM limited l
		)
		SELECT count(*) FILTER (WHERE in_time OR limit_start < `+nowP+`)::int, count(*) FILTER (WHERE in_time)::int
		FROM placed`, a...).Scan(&out.AgendaPlacement.Due, &out.AgendaPlacement.InTime)
	if err != nil {
		return Statistics{}, fmt.Errorf("store: statistics: agenda placement: %w", mapErr(err))
	}
	return out, nil
}

func (s *Store) statCounts(ctx context.Context, sql string, a args) ([]Count, error) {
	rows, _ := s.Pool.Query(ctx, sql, a...)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		err := r.Scan(&c.Key, &c.Count)
		return c, err
	})
}

// ordered sorts counts in the order of known, unknown keys after them by key.
func ordered[T ~string](cs []Count, known []T) []Count {
	rank := func(k string) int {
		if i := slices.Index(known, T(k)); i >= 0 {
			return i
		}
		return len(known)
	}
	slices.SortFunc(cs, func(x, y Count) int {
		if d := rank(x.Key) - rank(y.Key); d != 0 {
			return d
		}
		return strings.Compare(x.Key, y.Key)
	})
	if cs == nil {
		return []Count{}
	}
	return cs
}

// mostFirst sorts counts by count descending, then by key.
func mostFirst(cs []Count) []Count {
	slices.SortFunc(cs, func(x, y Count) int {
		if x.Count != y.Count {
			return y.Count - x.Count
		}
		return strings.Compare(x.Key, y.Key)
	})
	if cs == nil {
		return []Count{}
	}
	return cs
}
