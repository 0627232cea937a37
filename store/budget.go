package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// BudgetCycle is a budget deliberation (motion.BudgetCycle) as stored, with
// when it was created and last changed.
type BudgetCycle struct {
	motion.BudgetCycle
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

const budgetCycleColumns = `id, body_id, name, years, motion_deadline, meeting_ids, resolution, created, updated`

func scanBudgetCycle(r pgx.Row) (BudgetCycle, error) {
	var c BudgetCycle
	var years []int32
	var resolution []byte
	if err := r.Scan(&c.ID, &c.BodyID, &c.Name, &years, &c.MotionDeadline, &c.MeetingIDs, &resolution, &c.Created, &c.Updated); err != nil {
		return BudgetCycle{}, err
	}
	for _, y := range years {
		c.Years = append(c.Years, int(y))
	}
	if len(c.MeetingIDs) == 0 {
		c.MeetingIDs = nil
	}
	if len(resolution) > 0 && string(resolution) != "null" {
		var l motion.Link
		if err := json.Unmarshal(resolution, &l); err != nil {
			return BudgetCycle{}, fmt.Errorf("store: decode budget resolution: %w", err)
		}
		c.Resolution = &l
	}
	return c, nil
}

// budgetCycleArgs are the stored forms of c's years, meetings and resolution.
func budgetCycleArgs(c motion.BudgetCycle) (years []int32, meetings []string, resolution []byte, err error) {
	for _, y := range c.Years {
		years = append(years, int32(y))
	}
	meetings = c.MeetingIDs
	if meetings == nil {
		meetings = []string{}
	}
	if c.Resolution != nil {
		if resolution, err = json.Marshal(c.Resolution); err != nil {
			return nil, nil, nil, err
		}
	}
	return years, meetings, resolution, nil
}

// ErrCycleNamed refuses renaming a budget cycle that submitted motions
// name by its old name: they would silently drop out of its list. It is an
// ErrConflict.
var ErrCycleNamed = fmt.Errorf("%w: submitted motions name the budget cycle by its name", ErrConflict)

// checkCycleMeetings refuses (a *motion.Error with a German message on
// meeting_ids[i]) a meeting of the cycle that is unknown or belongs to
// another body than bodyID.
func (s *Store) checkCycleMeetings(ctx context.Context, bodyID string, ids []string) error {
	var c refChecks
	for i, id := range ids {
		mt, err := s.Meeting(ctx, id)
		switch {
		case absent(err) || (err == nil && mt.BodyID != bodyID):
			c.add(fmt.Sprintf("meeting_ids[%d]", i), "Diese Sitzung gibt es in dieser Körperschaft nicht.")
		case err != nil:
			return err
		}
	}
	return c.err()
}

// CreateBudgetCycle stores a new budget cycle (checked by the caller with
// motion.CheckBudgetCycle). An empty ID gets a random UUID. A name the body
// already uses (ignoring case and blanks around it) or a taken id give
// ErrConflict; an unknown body ErrInvalid; a meeting that is not the
// body's a *motion.Error naming it.
func (s *Store) CreateBudgetCycle(ctx context.Context, c motion.BudgetCycle) (BudgetCycle, error) {
	if c.BodyID == "" || strings.TrimSpace(c.Name) == "" {
		return BudgetCycle{}, invalidf("budget cycle body and name are required")
	}
	if err := s.checkCycleMeetings(ctx, c.BodyID, c.MeetingIDs); err != nil {
		return BudgetCycle{}, err
	}
	years, meetings, resolution, err := budgetCycleArgs(c)
	if err != nil {
		return BudgetCycle{}, err
	}
	got, err := scanBudgetCycle(s.Pool.QueryRow(ctx, `
		INSERT INTO budget_cycles (id, body_id, name, years, motion_deadline, meeting_ids, resolution)
		VALUES (coalesce(nullif($1, ''), gen_random_uuid()::text), $2, $3, $4, $5, $6, $7)
		RETURNING `+budgetCycleColumns, c.ID, c.BodyID, c.Name, years, c.MotionDeadline, meetings, resolution))
	if err != nil {
		return BudgetCycle{}, fmt.Errorf("store: create budget cycle: %w", mapErr(err))
	}
	return got, nil
}

// UpdateBudgetCycle replaces the cycle with c.ID (its body stays as it
// is); ErrNotFound when there is none, ErrConflict when the new name is
// taken in the body, ErrCycleNamed when it renames a cycle that submitted
// motions name by its old name (a change of case or blanks only is no
// renaming), a *motion.Error when a meeting is not the body's.
func (s *Store) UpdateBudgetCycle(ctx context.Context, c motion.BudgetCycle) (BudgetCycle, error) {
	old, err := s.BudgetCycle(ctx, c.ID)
	if err != nil {
		return BudgetCycle{}, err
	}
	if err := s.checkCycleMeetings(ctx, old.BodyID, c.MeetingIDs); err != nil {
		return BudgetCycle{}, err
	}
	years, meetings, resolution, err := budgetCycleArgs(c)
	if err != nil {
		return BudgetCycle{}, err
	}
	// One statement, so that a motion submitted meanwhile is not missed.
	got, err := scanBudgetCycle(s.Pool.QueryRow(ctx, `
		UPDATE budget_cycles b SET name = $2, years = $3, motion_deadline = $4, meeting_ids = $5, resolution = $6, updated = now()
		WHERE b.id = $1 AND (lower(btrim(b.name)) = lower(btrim($2)) OR NOT EXISTS (
			SELECT 1 FROM motions m WHERE m.body_id = b.body_id AND m.status <> $7
			AND lower(btrim(m.budget_cycle)) = lower(btrim(b.name))))
		RETURNING `+budgetCycleColumns, c.ID, c.Name, years, c.MotionDeadline, meetings, resolution, string(motion.StatusDraft)))
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := s.BudgetCycle(ctx, c.ID); err != nil {
			return BudgetCycle{}, err
		}
		return BudgetCycle{}, fmt.Errorf("store: rename budget cycle %s: %w", c.ID, ErrCycleNamed)
	}
	if err != nil {
		return BudgetCycle{}, fmt.Errorf("store: update budget cycle %s: %w", c.ID, mapErr(err))
	}
	return got, nil
}

// BudgetCycle returns the cycle with id, or ErrNotFound.
func (s *Store) BudgetCycle(ctx context.Context, id string) (BudgetCycle, error) {
	c, err := scanBudgetCycle(s.Pool.QueryRow(ctx, `SELECT `+budgetCycleColumns+` FROM budget_cycles WHERE id = $1`, id))
	if err != nil {
		return BudgetCycle{}, fmt.Errorf("store: budget cycle %s: %w", id, mapErr(err))
	}
	return c, nil
}

// BudgetCycles lists the body's budget cycles, the latest years first.
func (s *Store) BudgetCycles(ctx context.Context, bodyID string) ([]BudgetCycle, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+budgetCycleColumns+` FROM budget_cycles WHERE body_id = $1
		ORDER BY years[1] DESC NULLS LAST, lower(name), id`, bodyID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (BudgetCycle, error) { return scanBudgetCycle(r) })
	if err != nil {
		return nil, fmt.Errorf("store: budget cycles of %s: %w", bodyID, mapErr(err))
	}
	if out == nil {
		out = []BudgetCycle{}
	}
	return out, nil
}

// OutcomeOpen selects, in BudgetQuery.Outcomes, the motions not decided yet.
const OutcomeOpen = "open"

// BudgetQuery selects the rows of a cycle's list of budget motions
// (Haushaltsantragsliste). Empty fields filter nothing.
type BudgetQuery struct {
	CycleID string
	// Faction restricts to motions the faction originated or co-sponsors.
	Faction string
	// Statuses restricts to motions in any of these states.
	Statuses []motion.Status
	// Outcomes restricts to motions with any of these final results;
	// OutcomeOpen stands for the undecided ones.
	Outcomes []string
	// Plan restricts the figures to the amounts of one part of the budget
	// and the list to the motions that have any there.
	Plan motion.BudgetPlan
	// Query is a German full-text search (as in MotionFilter) or a
	// reference.
	Query string
}

// BudgetRow is one motion of the list with its financial effect in the
// cycle's years.
type BudgetRow struct {
	MotionID   string
	Kind       motion.Kind
	Reference  string
	Title      string
	Faction    string
	Cosponsors []string
	Status     motion.Status
	// Outcome is the final result; "" while undecided.
	Outcome motion.Result
	// Amends is what an amendment names as the motion it amends (its id
	// or reference); AmendsReference and AmendsTitle are that motion's,
	// when it is found and public.
	Amends          string
	AmendsReference string
	AmendsTitle     string
	SubmittedAt     *time.Time
	// Late: submitted after the cycle's deadline for budget motions.
	Late bool
	// Effect is the motion's financial effect (only the plan's amounts
	// when the query names a plan); Years what it amounts to in each of
	// the cycle's years (motion.BudgetEffect.InYear), Total their sum.
	Effect    motion.BudgetEffect
	Years     []int64
	Total     int64
	Positions float64
	Product   string
	// Estimate is the administration's latest estimate, nil when it gave
	// none; EstimateYears and EstimateTotal as for the motion.
	Estimate      *motion.BudgetEffect
	EstimateYears []int64
	EstimateTotal int64
}

// BudgetTotal sums the budget motions of a faction (or all of them).
type BudgetTotal struct {
	// Faction is the originating faction; "" in the overall total and for
	// motions of councillors without a faction.
	Faction   string
	Motions   int
	Years     []int64
	Total     int64
	Positions float64
}

// BudgetList is a cycle's list of budget motions with the totals.
type BudgetList struct {
	Cycle BudgetCycle
	Rows  []BudgetRow
	// Factions are the totals per originating faction, by faction id;
	// every budget motion counts once, for its originator, so that they
	// add up to Overall. Amendments are listed with their effect but not
	// summed: their amounts replace their motion's rather than add to them.
	Factions []BudgetTotal
	Overall  BudgetTotal
}

// BudgetMotions lists the public budget motions of a cycle, and the public
// amendments with a financial effect that name the cycle or amend one of
// its motions, in reference order, with the effect per cycle year and the
// totals. A motion belongs to the cycle when its budget_cycle is the
// cycle's id or name (case and blanks around it ignored). The sums are
// computed here from motion.BudgetEffect, so the list and the motion page
// apply the one rule (InYear).
func (s *Store) BudgetMotions(ctx context.Context, q BudgetQuery) (BudgetList, error) {
	c, err := s.BudgetCycle(ctx, q.CycleID)
	if err != nil {
		return BudgetList{}, err
	}
	var a args
	keys := []string{strings.ToLower(strings.TrimSpace(c.ID)), strings.ToLower(strings.TrimSpace(c.Name))}
	body, kp := a.add(c.BodyID), a.add(keys)
	inCycle := "lower(btrim(%s.budget_cycle)) = ANY(" + kp + "::text[])"
	where := []string{
		"m.public", "m.body_id = " + body,
		"(m.kind = " + a.add(string(motion.KindBudgetMotion)) + " AND " + fmt.Sprintf(inCycle, "m") + ")" +
			" OR (m.kind = " + a.add(string(motion.KindAmendment)) + " AND jsonb_array_length(coalesce(m.data->'budget'->'items', '[]'::jsonb)) > 0" +
			" AND (" + fmt.Sprintf(inCycle, "m") + " OR EXISTS (SELECT 1 FROM motions t WHERE t.id = m.amends_motion AND t.body_id = " + body +
			" AND " + fmt.Sprintf(inCycle, "t") + ")))",
	}
	where[2] = "(" + where[2] + ")"
	if q.Faction != "" {
		p := a.add(q.Faction)
		where = append(where, fmt.Sprintf("(m.faction = %s OR m.cosponsors @> ARRAY[%s]::text[])", p, p))
	}
	if len(q.Statuses) > 0 {
		ss := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			ss[i] = string(st)
		}
		where = append(where, "m.status = ANY("+a.add(ss)+"::text[])")
	}
	if len(q.Outcomes) > 0 {
		cond := "m.outcome = ANY(" + a.add(q.Outcomes) + "::text[])"
		if slices.Contains(q.Outcomes, OutcomeOpen) {
			cond = "(" + cond + " OR m.outcome IS NULL)"
		}
		where = append(where, cond)
	}
	if qs := strings.TrimSpace(q.Query); qs != "" {
		p := a.add(qs)
		where = append(where, "(m.search @@ ("+tsQuery(&a, qs)+") OR upper(m.reference) = upper("+p+"))")
	}
	type found struct {
		m                  motion.Motion
		amendsRef, amendsT string
	}
	rows, _ := s.Pool.Query(ctx, `SELECT m.data, coalesce(am.reference, ''), coalesce(am.title, '')
		FROM motions m LEFT JOIN motions am ON am.id = m.amends_motion AND am.public
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY (m.data->>'reference_year')::int NULLS LAST, (m.data->>'reference_seq')::int NULLS LAST, m.reference, m.submitted_at, m.id`, a...)
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (found, error) {
		var data []byte
		var f found
		if err := r.Scan(&data, &f.amendsRef, &f.amendsT); err != nil {
			return f, err
		}
		if err := json.Unmarshal(data, &f.m); err != nil {
			return f, fmt.Errorf("store: decode motion: %w", err)
		}
		return f, nil
	})
	if err != nil {
		return BudgetList{}, fmt.Errorf("store: budget motions of %s: %w", c.ID, mapErr(err))
	}
	list := BudgetList{Cycle: c, Rows: []BudgetRow{}, Factions: []BudgetTotal{}, Overall: BudgetTotal{Years: make([]int64, len(c.Years))}}
	byFaction := map[string]int{}
	for i := range ms {
		row, ok := budgetRow(&ms[i].m, c, q.Plan)
		if !ok {
			continue
		}
		row.AmendsReference, row.AmendsTitle = ms[i].amendsRef, ms[i].amendsT
		list.Rows = append(list.Rows, row)
		if row.Kind != motion.KindBudgetMotion {
			continue
		}
		fi, seen := byFaction[row.Faction]
		if !seen {
			fi = len(list.Factions)
			byFaction[row.Faction] = fi
			list.Factions = append(list.Factions, BudgetTotal{Faction: row.Faction, Years: make([]int64, len(c.Years))})
		}
		for _, t := range []*BudgetTotal{&list.Factions[fi], &list.Overall} {
			t.Motions++
			for y, v := range row.Years {
				t.Years[y] += v
			}
			t.Total += row.Total
			t.Positions = motion.SumPositions(t.Positions, row.Positions)
		}
	}
	slices.SortStableFunc(list.Factions, func(a, b BudgetTotal) int { return strings.Compare(a.Faction, b.Faction) })
	return list, nil
}

// AmendsName names the motion an amendment amends for readers: its
// reference, else its title, else what the amendment names.
func (r BudgetRow) AmendsName() string {
	switch {
	case r.AmendsReference != "":
		return r.AmendsReference
	case r.AmendsTitle != "":
		return "„" + r.AmendsTitle + "“"
	}
	return r.Amends
}

// budgetRow is m's row in cycle c; with a plan, only that plan's amounts,
// and false when m has none there.
func budgetRow(m *motion.Motion, c BudgetCycle, plan motion.BudgetPlan) (BudgetRow, bool) {
	var eff motion.BudgetEffect
	if m.Budget != nil {
		eff = *m.Budget
	}
	eff = planOnly(eff, plan)
	if plan != "" && len(eff.Items) == 0 {
		return BudgetRow{}, false
	}
	row := BudgetRow{MotionID: m.ID, Kind: m.Kind, Reference: m.Reference, Title: m.Title, Faction: m.Faction,
		Cosponsors: slices.Clone(m.Cosponsors), Status: m.Status, Amends: m.Amends, SubmittedAt: m.SubmittedAt,
		Effect: eff, Positions: motion.SumPositions(eff.Positions), Product: eff.Product}
	if m.Outcome != nil {
		row.Outcome = m.Outcome.Result
	}
	row.Late = c.MotionDeadline != nil && m.SubmittedAt != nil && m.SubmittedAt.After(*c.MotionDeadline)
	row.Years, row.Total = inYears(&eff, c.Years)
	for i := len(m.Statements) - 1; i >= 0; i-- {
		if e := m.Statements[i].Estimate; e != nil {
			est := planOnly(*e, plan)
			row.Estimate = &est
			row.EstimateYears, row.EstimateTotal = inYears(&est, c.Years)
			break
		}
	}
	return row, true
}

// inYears is what e amounts to in each of years, and over all of them.
func inYears(e *motion.BudgetEffect, years []int) ([]int64, int64) {
	out := make([]int64, len(years))
	for i, y := range years {
		out[i] = e.InYear(y)
	}
	return out, e.Over(years)
}

// planOnly is e with only the amounts of plan ("" keeps all).
func planOnly(e motion.BudgetEffect, plan motion.BudgetPlan) motion.BudgetEffect {
	items := make([]motion.BudgetItem, 0, len(e.Items))
	for _, it := range e.Items {
		if plan == "" || it.Plan == plan {
			items = append(items, it)
		}
	}
	e.Items = items
	return e
}

// BudgetCycleFor returns the cycle of the body that name (a cycle's id or
// name, as a budget motion gives it) names, or ErrNotFound.
func (s *Store) BudgetCycleFor(ctx context.Context, bodyID, name string) (BudgetCycle, error) {
	key := strings.TrimSpace(name)
	if key == "" {
		return BudgetCycle{}, ErrNotFound
	}
	c, err := scanBudgetCycle(s.Pool.QueryRow(ctx, `SELECT `+budgetCycleColumns+` FROM budget_cycles
		WHERE body_id = $1 AND (id = $2 OR lower(btrim(name)) = lower($2)) ORDER BY (id = $2) DESC LIMIT 1`, bodyID, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return BudgetCycle{}, ErrNotFound
	}
	if err != nil {
		return BudgetCycle{}, fmt.Errorf("store: budget cycle %q: %w", name, mapErr(err))
	}
	return c, nil
}
