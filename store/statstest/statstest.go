// Package statstest builds public motions for the statistics in a real
// PostgreSQL (routes, meetings, decisions, inquiry deadlines, drafts among
// them) and computes every figure of store.Statistics by its own SQL,
// written apart from the store's queries, so that the tests of the store,
// the API (/v1/statistics) and the web page (/statistik) can compare what
// they show with counts of the rows.
package statstest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// Directory names the organizations of one body that Seed uses; they must
// exist.
type Directory struct {
	Body      string
	Council   string // an organization of kind council
	Committee string // an organization of kind committee
	Factions  []string
	// Departments the inquiries are addressed to ("" among them: none).
	Departments []string
	// PlacementMeetings, when positive, becomes the body's
	// AgendaPlacementMeetings (§ 34: the N-th meeting after submission).
	PlacementMeetings int
}

// Seed projects n generated motions of the body (seeded, so the same every
// run) around now: council and committee meetings from two years before now
// to half a year after (some cancelled), motions of every kind and status
// with routes to the council or to the committee as decisive organization,
// their consultations planned, scheduled or dealt with in those meetings,
// decisions, and answer deadlines of inquiries before and after now. Times
// keep hours away from now, so that a page computing with its own clock a
// moment later counts the same.
func Seed(t testing.TB, st *store.Store, d Directory, n int, seed uint64, now time.Time) {
	t.Helper()
	ctx := t.Context()
	r := rand.New(rand.NewPCG(seed, 34))
	if d.PlacementMeetings > 0 {
		rules := motion.DefaultDeadlineRules()
		rules.AgendaPlacementMeetings = d.PlacementMeetings
		if _, err := st.SetDeadlineRules(ctx, d.Body, rules); err != nil {
			t.Fatalf("statstest: rules: %v", err)
		}
	}
	base := now.Add(-730 * 24 * time.Hour).Truncate(time.Hour).Add(3 * time.Hour)
	meetings := map[string][]store.Meeting{}
	for i := range 30 {
		for _, org := range []string{d.Council, d.Committee} {
			start := base.Add(time.Duration(i*30*24) * time.Hour)
			if org == d.Committee {
				start = start.Add(11 * 24 * time.Hour)
			}
			mt := store.Meeting{ID: fmt.Sprintf("%s-stat-%s-%02d", d.Body, org, i), BodyID: d.Body, OrganizationID: org,
				Name: "Sitzung", Start: start, Cancelled: r.IntN(8) == 0}
			if _, err := st.CreateMeeting(ctx, mt); err != nil {
				t.Fatalf("statstest: meeting: %v", err)
			}
			meetings[org] = append(meetings[org], mt)
		}
	}
	// pick is a meeting of org after t, if there is one.
	pick := func(org string, after time.Time) (store.Meeting, bool) {
		var later []store.Meeting
		for _, mt := range meetings[org] {
			if mt.Start.After(after) && !mt.Cancelled || mt.Start.After(after) && r.IntN(10) == 0 {
				later = append(later, mt)
			}
		}
		if len(later) == 0 {
			return store.Meeting{}, false
		}
		return later[r.IntN(min(len(later), 5))], true
	}
	decidedStatuses := []motion.Status{motion.StatusDecided, motion.StatusImplementation, motion.StatusClosed}
	for i := range n {
		created := base.Add(time.Duration(r.IntN(800*24)+5) * time.Hour)
		m := motion.Motion{ID: fmt.Sprintf("%s-stat-m%03d", d.Body, i), BodyID: d.Body, Version: 1,
			Kind: motion.Kinds[r.IntN(len(motion.Kinds))], Status: motion.Statuses[r.IntN(len(motion.Statuses))],
			Content: motion.Content{Title: fmt.Sprintf("Statistik-Antrag %d", i), ResolutionPoints: []string{"Punkt."}},
			Faction: d.Factions[r.IntN(len(d.Factions))], CreatedAt: created, UpdatedAt: created}
		if m.Kind == motion.KindInquiry && len(d.Departments) > 0 {
			m.AddressedDepartment = d.Departments[r.IntN(len(d.Departments))]
		}
		if m.Status != motion.StatusDraft {
			sub := created.Add(time.Duration(r.IntN(48)) * time.Hour)
			m.SubmittedAt = &sub
			if m.Kind != motion.KindInquiry {
				route(r, &m, d, pick)
			}
			if slices.Contains(decidedStatuses, m.Status) {
				dec := sub.Add(time.Duration(1+r.IntN(150*24)) * time.Hour)
				m.DecidedAt = &dec
				m.Outcome = &motion.Outcome{Result: []motion.Result{motion.ResultAdopted, motion.ResultRejected, motion.ResultNoted}[r.IntN(3)], DecidedAt: dec}
			}
		}
		ev := motion.Event{MotionID: m.ID, Version: 1, Command: motion.CmdCreate, At: created, Status: m.Status}
		if err := st.Project(ctx, m, ev); err != nil {
			t.Fatalf("statstest: project %s: %v", m.ID, err)
		}
		if m.Kind == motion.KindInquiry {
			due := now.Add(time.Duration(r.IntN(21)-10)*24*time.Hour + 3*time.Hour)
			dl := motion.Deadline{Key: "inquiry_answer", Kind: motion.DeadlineInquiryAnswer, Due: due, Rule: "inquiry_answer", RuleVersion: 1,
				Audiences: []string{motion.DepartmentAudience(m.AddressedDepartment)}}
			if err := st.ProjectDeadlines(ctx, m.ID, d.Body, m.Faction, []motion.Deadline{dl}); err != nil {
				t.Fatalf("statstest: deadlines of %s: %v", m.ID, err)
			}
		}
	}
}

// route gives a submitted motion one of the routes a council office sets:
// none yet, the council deciding, the committee deciding, or the committee
// advising before the council decides; each step planned, scheduled into a
// meeting of its organization or dealt with there.
func route(r *rand.Rand, m *motion.Motion, d Directory, pick func(string, time.Time) (store.Meeting, bool)) {
	var steps []motion.Consultation
	switch r.IntN(4) {
	case 0:
		return
	case 1:
		steps = []motion.Consultation{{OrganizationID: d.Council, Decisive: true}}
	case 2:
		steps = []motion.Consultation{{OrganizationID: d.Committee, Decisive: true}}
	default:
		steps = []motion.Consultation{{OrganizationID: d.Committee}, {OrganizationID: d.Council, Decisive: true}}
	}
	for i := range steps {
		k := &steps[i]
		k.ID = fmt.Sprintf("c%d", i+1)
		k.Status = motion.ConsultationPlanned
		mt, ok := pick(k.OrganizationID, *m.SubmittedAt)
		switch r.IntN(3) {
		case 1:
			if ok {
				k.Status, k.MeetingID = motion.ConsultationScheduled, mt.ID
			}
		case 2:
			if ok {
				k.Status = motion.ConsultationDone
				k.Record = &motion.ResultRecord{Result: motion.ResultAdopted, MeetingID: mt.ID, RecordedAt: mt.Start.Add(4 * time.Hour)}
			}
		}
	}
	m.Consultations = steps
	m.NextConsultation = len(steps) + 1
}

// Figures are the statistics as counts of the rows: by key (status, result,
// kind, faction or department id, year) the number of public motions.
type Figures struct {
	Total                                                   int
	ByStatus, ByOutcome, ByKind, ByFaction, ByYear, Overdue map[string]int
	Decided                                                 int
	MedianDays                                              *float64
	PlacementDue, PlacementInTime                           int
}

// Counts computes the figures over the public motions of the bodies (nil:
// every body) with SQL of its own, with overdue answers and agenda
// placement measured at now.
func Counts(t testing.TB, st *store.Store, bodies []string, now time.Time) Figures {
	t.Helper()
	ctx := t.Context()
	public := `m.public AND m.status <> 'draft' AND ($1::text[] IS NULL OR m.body_id = ANY($1::text[]))`
	var arg any
	if bodies != nil {
		arg = bodies
	}
	group := func(key, extra string, more ...any) map[string]int {
		out := map[string]int{}
		rows, err := st.Pool.Query(ctx, `SELECT `+key+`, count(*) FROM motions m WHERE `+public+extra+` GROUP BY 1`, append([]any{arg}, more...)...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				t.Fatal(err)
			}
			out[k] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	f := Figures{
		ByStatus:  group("m.status", ""),
		ByOutcome: group("m.data->'outcome'->>'result'", " AND m.data->'outcome' IS NOT NULL"),
		ByKind:    group("m.kind", ""),
		ByFaction: group("m.faction", ""),
		ByYear:    group("to_char(m.submitted_at AT TIME ZONE 'Europe/Berlin', 'YYYY')", ""),
		Overdue: group("coalesce(m.data->>'addressed_department', '')", ` AND m.kind = 'inquiry'
			AND m.status NOT IN ('answered', 'closed', 'withdrawn', 'inadmissible', 'lapsed')
			AND EXISTS (SELECT 1 FROM motion_deadlines d WHERE d.motion_id = m.id AND d.kind = 'inquiry_answer' AND d.due < $2)`, now),
	}
	for _, n := range f.ByStatus {
		f.Total += n
	}

	// The days from submission to decision, their median by hand.
	rows, err := st.Pool.Query(ctx, `SELECT extract(epoch FROM (m.data->>'decided_at')::timestamptz - m.submitted_at)::float8 / 86400
		FROM motions m WHERE `+public+` AND m.data ? 'decided_at'`, arg)
	if err != nil {
		t.Fatal(err)
	}
	var days []float64
	for rows.Next() {
		var x float64
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		days = append(days, x)
	}
	rows.Close()
	if f.Decided = len(days); len(days) > 0 {
		sort.Float64s(days)
		med := days[len(days)/2]
		if len(days)%2 == 0 {
			med = (days[len(days)/2-1] + days[len(days)/2]) / 2
		}
		f.MedianDays = &med
	}

	// § 34: the N-th meeting (row_number) of the deciding organization,
	// and the first meeting of that organization the route names.
	err = st.Pool.QueryRow(ctx, `
		WITH measured AS (
			SELECT m.id, m.body_id, m.submitted_at, (m.data->>'decided_at')::timestamptz AS decided_at,
				coalesce(m.data->'consultations', '[]'::jsonb) AS route
			FROM motions m
			WHERE `+public+` AND m.kind <> 'inquiry' AND m.submitted_at IS NOT NULL
				AND m.status NOT IN ('withdrawn', 'inadmissible', 'lapsed')
		), deciding AS (
			SELECT DISTINCT ON (d.id) d.id, s.step->>'organization_id' AS org
			FROM measured d, jsonb_array_elements(d.route) WITH ORDINALITY AS s(step, pos)
			WHERE s.step->>'decisive' = 'true'
			ORDER BY d.id, s.pos DESC
		), calendar AS (
			SELECT d.id, mt.starts_at, row_number() OVER (PARTITION BY d.id ORDER BY mt.starts_at, mt.id) AS nth
			FROM measured d
			LEFT JOIN deciding x ON x.id = d.id
			JOIN meetings mt ON mt.body_id = d.body_id AND NOT mt.cancelled AND mt.starts_at > d.submitted_at
			LEFT JOIN organizations o ON o.id = mt.organization_id AND o.body_id = mt.body_id
			WHERE mt.organization_id = x.org OR (x.org IS NULL AND o.kind = 'council')
		), rules AS (
			SELECT DISTINCT ON (body_id) body_id, (rules->>'agenda_placement_meetings')::int AS n
			FROM deadline_rules ORDER BY body_id, version DESC
		), limits AS (
			SELECT d.id, c.starts_at AS limit_start
			FROM measured d LEFT JOIN rules r ON r.body_id = d.body_id
			LEFT JOIN calendar c ON c.id = d.id AND c.nth = coalesce(r.n, $3)
		), dealt AS (
			SELECT d.id, min(mt.starts_at) AS first_meeting
			FROM measured d JOIN deciding x ON x.id = d.id
			CROSS JOIN LATERAL jsonb_array_elements(d.route) AS s(step)
			JOIN meetings mt ON mt.id = coalesce(nullif(s.step->'record'->>'meeting_id', ''), nullif(s.step->>'meeting_id', ''))
			WHERE s.step->>'organization_id' = x.org AND NOT mt.cancelled
			GROUP BY d.id
		), judged AS (
			SELECT l.limit_start,
				coalesce(d.decided_at <= coalesce(l.limit_start, 'infinity'), false)
					OR coalesce(dl.first_meeting <= coalesce(l.limit_start, 'infinity'), false) AS in_time
			FROM measured d JOIN limits l ON l.id = d.id LEFT JOIN dealt dl ON dl.id = d.id
		)
		SELECT count(*) FILTER (WHERE in_time OR limit_start < $2), count(*) FILTER (WHERE in_time) FROM judged`,
		arg, now, motion.DefaultDeadlineRules().AgendaPlacementMeetings).Scan(&f.PlacementDue, &f.PlacementInTime)
	if err != nil {
		t.Fatalf("statstest: agenda placement: %v", err)
	}
	return f
}

// Of returns the store's statistics as Figures, to compare with Counts.
func Of(st store.Statistics) Figures {
	m := func(cs []store.Count) map[string]int {
		out := map[string]int{}
		for _, c := range cs {
			out[c.Key] = c.Count
		}
		return out
	}
	return Figures{Total: st.Total, ByStatus: m(st.ByStatus), ByOutcome: m(st.ByOutcome), ByKind: m(st.ByKind),
		ByFaction: m(st.ByFaction), ByYear: m(st.ByYear), Overdue: m(st.OverdueAnswers), Decided: st.Decided,
		MedianDays: st.MedianDaysToDecision, PlacementDue: st.AgendaPlacement.Due, PlacementInTime: st.AgendaPlacement.InTime}
}
