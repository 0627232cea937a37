package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/statstest"
)

// statMotion is a generated motion with what the statistics count.
type statMotion struct {
	m       motion.Motion
	overdue bool // an inquiry with a past, unanswered answer deadline
}

// genStatMotions projects n generated motions of body (drafts among them) and
// inquiry deadlines, and returns them.
func genStatMotions(t *testing.T, s *store.Store, body string, n int, seed uint64, now time.Time) []statMotion {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	factions := []string{body + "-gruene", body + "-spd", body + "-cdu"}
	depts := []string{"", body + "-amt10", body + "-amt20"}
	var out []statMotion
	for i := range n {
		created := time.Date(2019+r.IntN(4), time.Month(1+r.IntN(12)), 1+r.IntN(28), 9, 0, 0, 0, time.UTC)
		m := draft(fmt.Sprintf("%s-m%03d", body, i), body, factions[r.IntN(len(factions))], fmt.Sprintf("Antrag %d", i), created)
		m.Kind = motion.Kinds[r.IntN(len(motion.Kinds))]
		m.Status = motion.Statuses[r.IntN(len(motion.Statuses))]
		if m.Kind == motion.KindInquiry {
			m.AddressedDepartment = depts[r.IntN(len(depts))]
		}
		if m.Status != motion.StatusDraft {
			sub := created.Add(time.Duration(r.IntN(72)) * time.Hour)
			m.SubmittedAt = &sub
			if slices.Contains([]motion.Status{motion.StatusDecided, motion.StatusImplementation, motion.StatusClosed}, m.Status) {
				dec := sub.Add(time.Duration(1+r.IntN(200*24)) * time.Hour)
				m.DecidedAt = &dec
				m.Outcome = &motion.Outcome{Result: []motion.Result{motion.ResultAdopted, motion.ResultRejected, motion.ResultNoted}[r.IntN(3)], DecidedAt: dec}
			}
		}
		m.Version = 1
		project(t, s, m)
		sm := statMotion{m: m}
		if m.Kind == motion.KindInquiry {
			due := now.Add(time.Duration(r.IntN(21)-10) * 24 * time.Hour)
			d := motion.Deadline{Key: "inquiry_answer", Kind: motion.DeadlineInquiryAnswer, Due: due, Rule: "inquiry_answer", RuleVersion: 1,
				Audiences: []string{motion.DepartmentAudience(m.AddressedDepartment)}}
			if err := s.ProjectDeadlines(ctx(t), m.ID, body, m.Faction, []motion.Deadline{d}); err != nil {
				t.Fatalf("ProjectDeadlines: %v", err)
			}
			sm.overdue = m.Status != motion.StatusDraft && due.Before(now) &&
				!slices.Contains([]motion.Status{motion.StatusAnswered, motion.StatusClosed, motion.StatusWithdrawn, motion.StatusInadmissible, motion.StatusLapsed}, m.Status)
		}
		out = append(out, sm)
	}
	return out
}

// expectedStatistics computes the figures by hand from the generated motions.
func expectedStatistics(ms []statMotion) store.Statistics {
	status, outcome, kind, faction, year, overdue := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	var days []float64
	var want store.Statistics
	for _, x := range ms {
		m := x.m
		if m.Status == motion.StatusDraft {
			continue
		}
		want.Total++
		status[string(m.Status)]++
		kind[string(m.Kind)]++
		faction[m.Faction]++
		year[strconv.Itoa(m.SubmittedAt.In(motion.Berlin).Year())]++
		if m.Outcome != nil {
			outcome[string(m.Outcome.Result)]++
		}
		if m.DecidedAt != nil {
			days = append(days, m.DecidedAt.Sub(*m.SubmittedAt).Hours()/24)
		}
		if x.overdue {
			overdue[m.AddressedDepartment]++
		}
		// Without meetings no limit of § 34 comes: a motion counts once
		// decided, and then in time.
		if m.Kind != motion.KindInquiry && m.DecidedAt != nil &&
			!slices.Contains([]motion.Status{motion.StatusWithdrawn, motion.StatusInadmissible, motion.StatusLapsed}, m.Status) {
			want.AgendaPlacement.Due++
			want.AgendaPlacement.InTime++
		}
	}
	inOrder := func(c map[string]int, keys []string) []store.Count {
		out := []store.Count{}
		for _, k := range keys {
			if c[k] > 0 {
				out = append(out, store.Count{Key: k, Count: c[k]})
			}
		}
		return out
	}
	byCount := func(c map[string]int) []store.Count {
		out := []store.Count{}
		for k, n := range c {
			out = append(out, store.Count{Key: k, Count: n})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Count != out[j].Count {
				return out[i].Count > out[j].Count
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	strs := func(xs any) []string {
		var out []string
		switch v := xs.(type) {
		case []motion.Status:
			for _, x := range v {
				out = append(out, string(x))
			}
		case []motion.Result:
			for _, x := range v {
				out = append(out, string(x))
			}
		case []motion.Kind:
			for _, x := range v {
				out = append(out, string(x))
			}
		}
		return out
	}
	want.ByStatus = inOrder(status, strs(motion.Statuses))
	want.ByOutcome = inOrder(outcome, strs(motion.Results))
	want.ByKind = inOrder(kind, strs(motion.Kinds))
	want.ByFaction = byCount(faction)
	var years []string
	for y := range year {
		years = append(years, y)
	}
	sort.Strings(years)
	want.ByYear = inOrder(year, years)
	want.OverdueAnswers = byCount(overdue)
	want.Decided = len(days)
	if len(days) > 0 {
		sort.Float64s(days)
		med := days[len(days)/2]
		if len(days)%2 == 0 {
			med = (days[len(days)/2-1] + days[len(days)/2]) / 2
		}
		want.MedianDaysToDecision = &med
	}
	return want
}

func checkStatistics(t *testing.T, got, want store.Statistics) {
	t.Helper()
	if (got.MedianDaysToDecision == nil) != (want.MedianDaysToDecision == nil) ||
		(got.MedianDaysToDecision != nil && abs(*got.MedianDaysToDecision-*want.MedianDaysToDecision) > 1e-6) {
		t.Errorf("median days: got %v, want %v", deref(got.MedianDaysToDecision), deref(want.MedianDaysToDecision))
	}
	got.MedianDaysToDecision, want.MedianDaysToDecision = nil, nil
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("statistics:\n got %s\nwant %s", g, w)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestStatisticsEqualCounts(t *testing.T) {
	t.Parallel()
	s := newStore(t, "b1", "b2")
	now := time.Date(2023, 6, 1, 12, 0, 0, 0, time.UTC)
	ms1 := genStatMotions(t, s, "b1", 120, 1, now)
	ms2 := genStatMotions(t, s, "b2", 40, 2, now)

	// One body, anonymous.
	got, err := s.Statistics(ctx(t), store.StatisticsFilter{BodyIDs: []string{"b1"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := expectedStatistics(ms1)
	checkStatistics(t, got, want)
	if want.Total == 0 || len(want.OverdueAnswers) == 0 || want.Decided < 2 || len(want.ByYear) < 2 {
		t.Fatalf("generated data too thin: %+v", want)
	}

	// Independent SQL counts against the same rows.
	for _, c := range got.ByStatus {
		var n int
		if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FROM motions WHERE body_id = 'b1' AND submitted_at IS NOT NULL AND status = $1`, c.Key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != c.Count {
			t.Errorf("status %s: statistics %d, SQL %d", c.Key, c.Count, n)
		}
	}
	var total, drafts int
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FILTER (WHERE status <> 'draft'), count(*) FILTER (WHERE status = 'draft') FROM motions WHERE body_id = 'b1'`).Scan(&total, &drafts); err != nil {
		t.Fatal(err)
	}
	if got.Total != total || drafts == 0 {
		t.Errorf("total %d, SQL %d (drafts %d)", got.Total, total, drafts)
	}
	for _, c := range got.ByStatus {
		if c.Key == string(motion.StatusDraft) {
			t.Errorf("drafts counted: %+v", c)
		}
	}

	// Every body; a signed-in viewer of b2 sees only b2's.
	all, err := s.Statistics(ctx(t), store.StatisticsFilter{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkStatistics(t, all, expectedStatistics(append(slices.Clone(ms1), ms2...)))
	viewer := motion.Actor{Subject: "u1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "b2-spd", Bodies: []string{"b2"}}
	only2, err := s.Statistics(ctx(t), store.StatisticsFilter{Viewer: viewer, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkStatistics(t, only2, expectedStatistics(ms2))

	// No bodies: nothing.
	none, err := s.Statistics(ctx(t), store.StatisticsFilter{BodyIDs: []string{}})
	if err != nil || none.Total != 0 || len(none.ByStatus) != 0 {
		t.Errorf("no bodies: %+v, %v", none, err)
	}
}

// TestStatisticsAgendaPlacement: the share placed on the agenda within the
// § 34 deadline, case by case. The limit is the N-th meeting (2 by default,
// as the body's rules say) after submission, not cancelled, of the deciding
// organization (the council while there is no route); placed in time is a
// consultation of that organization in a meeting by the limit, or a
// decision by then. Motions still before their limit and unplaced, inquiries,
// withdrawn ones and drafts do not count.
func TestStatisticsAgendaPlacement(t *testing.T) {
	t.Parallel()
	s := newStore(t, "b", "c")
	c := ctx(t)
	for _, o := range []store.Organization{
		{ID: "b-gr", BodyID: "b", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "b-ha", BodyID: "b", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "b-spd", BodyID: "b", Kind: store.OrgFaction, Name: "SPD"},
		{ID: "c-gr", BodyID: "c", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "c-spd", BodyID: "c", Kind: store.OrgFaction, Name: "SPD"},
	} {
		if _, err := s.CreateOrganization(c, o); err != nil {
			t.Fatal(err)
		}
	}
	day := func(month, d int) time.Time { return time.Date(2023, time.Month(month), d, 16, 0, 0, 0, motion.Berlin) }
	for _, mt := range []store.Meeting{
		{ID: "gr1", BodyID: "b", OrganizationID: "b-gr", Start: day(1, 10)},
		{ID: "gr2", BodyID: "b", OrganizationID: "b-gr", Start: day(2, 10), Cancelled: true},
		{ID: "gr3", BodyID: "b", OrganizationID: "b-gr", Start: day(3, 10)},
		{ID: "gr4", BodyID: "b", OrganizationID: "b-gr", Start: day(4, 10)},
		{ID: "gr5", BodyID: "b", OrganizationID: "b-gr", Start: day(5, 10)},
		{ID: "ha1", BodyID: "b", OrganizationID: "b-ha", Start: day(1, 20)},
		{ID: "ha2", BodyID: "b", OrganizationID: "b-ha", Start: day(2, 20)},
		{ID: "ha3", BodyID: "b", OrganizationID: "b-ha", Start: day(6, 20)},
		{ID: "cgr1", BodyID: "c", OrganizationID: "c-gr", Start: day(1, 10)},
		{ID: "cgr2", BodyID: "c", OrganizationID: "c-gr", Start: day(2, 10)},
	} {
		mt.Name = mt.ID
		if _, err := s.CreateMeeting(c, mt); err != nil {
			t.Fatal(err)
		}
	}
	// Body c places by the next meeting.
	rules := motion.DefaultDeadlineRules()
	rules.AgendaPlacementMeetings = 1
	if _, err := s.SetDeadlineRules(c, "c", rules); err != nil {
		t.Fatal(err)
	}
	now := day(4, 20)
	step := func(org string, decisive bool, status motion.ConsultationStatus, meetingID string) motion.Consultation {
		k := motion.Consultation{OrganizationID: org, Decisive: decisive, Status: status}
		switch status {
		case motion.ConsultationScheduled:
			k.MeetingID = meetingID
		case motion.ConsultationDone:
			k.Record = &motion.ResultRecord{Result: motion.ResultAdopted, MeetingID: meetingID, RecordedAt: now}
		}
		return k
	}
	for _, x := range []struct {
		id, body  string
		kind      motion.Kind
		status    motion.Status
		submitted time.Time
		route     []motion.Consultation
		decided   *time.Time
	}{
		// Limit gr3 (gr2 is cancelled): scheduled into it, in time.
		{"placed", "b", motion.KindMotion, motion.StatusInConsultation, day(1, 5), []motion.Consultation{step("b-gr", true, motion.ConsultationScheduled, "gr3")}, nil},
		// Scheduled only into gr4, after the limit: late.
		{"late", "b", motion.KindBudgetMotion, motion.StatusInConsultation, day(1, 5), []motion.Consultation{step("b-gr", true, motion.ConsultationScheduled, "gr4")}, nil},
		// Not scheduled, the limit has passed: late.
		{"unplaced", "b", motion.KindMotion, motion.StatusRegistered, day(1, 5), []motion.Consultation{step("b-gr", true, motion.ConsultationPlanned, "")}, nil},
		// No route, settled by the council office before the limit: in time.
		{"settled", "b", motion.KindAmendment, motion.StatusDecided, day(1, 5), nil, ptr(day(1, 31))},
		// The committee decides: its second meeting after submission is ha2, where it was dealt with.
		{"committee", "b", motion.KindMotion, motion.StatusDecided, day(1, 5), []motion.Consultation{step("b-ha", true, motion.ConsultationDone, "ha2")}, ptr(day(2, 20))},
		// Only the advising committee dealt with it by the council's limit gr3: late.
		{"advised", "b", motion.KindMotion, motion.StatusInConsultation, day(1, 5), []motion.Consultation{
			step("b-ha", false, motion.ConsultationDone, "ha1"), step("b-gr", true, motion.ConsultationPlanned, "")}, nil},
		// Before their limits (ha3, gr5) and not placed: still open, not counted.
		{"committee-open", "b", motion.KindMotion, motion.StatusRegistered, day(2, 1), []motion.Consultation{step("b-ha", true, motion.ConsultationPlanned, "")}, nil},
		{"fresh", "b", motion.KindMotion, motion.StatusSubmitted, day(3, 15), nil, nil},
		// Before its limit (gr5) but already placed: in time.
		{"early", "b", motion.KindMotion, motion.StatusInConsultation, day(3, 15), []motion.Consultation{step("b-gr", true, motion.ConsultationScheduled, "gr4")}, nil},
		// Not measured at all.
		{"inquiry", "b", motion.KindInquiry, motion.StatusRegistered, day(1, 5), nil, nil},
		{"withdrawn", "b", motion.KindMotion, motion.StatusWithdrawn, day(1, 5), []motion.Consultation{step("b-gr", true, motion.ConsultationPlanned, "")}, nil},
		{"draft", "b", motion.KindMotion, motion.StatusDraft, time.Time{}, nil, nil},
		// Body c: its limit is the first meeting, cgr1; cgr2 is late there.
		{"c-late", "c", motion.KindMotion, motion.StatusInConsultation, day(1, 5), []motion.Consultation{step("c-gr", true, motion.ConsultationScheduled, "cgr2")}, nil},
	} {
		m := draft(x.id, x.body, x.body+"-spd", x.id, day(1, 1))
		m.Kind, m.Status, m.DecidedAt = x.kind, x.status, x.decided
		if !x.submitted.IsZero() {
			m.SubmittedAt = &x.submitted
		}
		for i := range x.route {
			x.route[i].ID = fmt.Sprintf("c%d", i+1)
		}
		m.Consultations = x.route
		if x.decided != nil {
			m.Outcome = &motion.Outcome{Result: motion.ResultAdopted, DecidedAt: *x.decided}
		}
		project(t, s, m)
	}
	for _, tc := range []struct {
		bodies []string
		want   store.AgendaPlacementStats
	}{
		{[]string{"b"}, store.AgendaPlacementStats{Due: 7, InTime: 4}}, // placed, settled, committee, early of 7
		{[]string{"c"}, store.AgendaPlacementStats{Due: 1, InTime: 0}},
		{nil, store.AgendaPlacementStats{Due: 8, InTime: 4}},
	} {
		got, err := s.Statistics(c, store.StatisticsFilter{BodyIDs: tc.bodies, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if got.AgendaPlacement != tc.want {
			t.Errorf("%v: agenda placement %+v, want %+v", tc.bodies, got.AgendaPlacement, tc.want)
		}
		if share, want := got.AgendaPlacement.Share(), float64(tc.want.InTime)/float64(tc.want.Due); share == nil || *share != want {
			t.Errorf("%v: share %v, want %v", tc.bodies, share, want)
		}
	}
	if share := (store.AgendaPlacementStats{}).Share(); share != nil {
		t.Errorf("share of nothing %v, want none", *share)
	}
}

// TestStatisticsEqualSQLCounts: over a generated council (routes, meetings,
// decisions, deadlines, drafts), every figure equals the count of the rows
// by the test's own SQL (package statstest).
func TestStatisticsEqualSQLCounts(t *testing.T) {
	t.Parallel()
	s := newStore(t, "s1", "s2")
	now := time.Date(2023, 6, 1, 12, 0, 0, 0, time.UTC)
	for i, b := range []string{"s1", "s2"} {
		for _, o := range []store.Organization{
			{ID: b + "-gr", Kind: store.OrgCouncil}, {ID: b + "-ha", Kind: store.OrgCommittee},
			{ID: b + "-spd", Kind: store.OrgFaction}, {ID: b + "-cdu", Kind: store.OrgFaction}, {ID: b + "-dez1", Kind: store.OrgDepartment},
		} {
			o.BodyID, o.Name = b, o.ID
			if _, err := s.CreateOrganization(ctx(t), o); err != nil {
				t.Fatal(err)
			}
		}
		statstest.Seed(t, s, statstest.Directory{Body: b, Council: b + "-gr", Committee: b + "-ha",
			Factions: []string{b + "-spd", b + "-cdu"}, Departments: []string{"", b + "-dez1"}, PlacementMeetings: 3 - i}, 150, uint64(i+1), now)
	}
	for _, bodies := range [][]string{{"s1"}, {"s2"}, nil} {
		st, err := s.Statistics(ctx(t), store.StatisticsFilter{BodyIDs: bodies, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		got, want := statstest.Of(st), statstest.Counts(t, s, bodies, now)
		if want.PlacementDue == 0 || want.PlacementInTime == 0 || want.PlacementInTime == want.PlacementDue || len(want.Overdue) == 0 || want.MedianDays == nil {
			t.Fatalf("%v: generated data too thin: %+v", bodies, want)
		}
		if (got.MedianDays == nil) || abs(*got.MedianDays-*want.MedianDays) > 1e-6 {
			t.Errorf("%v: median %v, SQL %v", bodies, deref(got.MedianDays), *want.MedianDays)
		}
		got.MedianDays, want.MedianDays = nil, nil
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("%v: statistics\n got %s\n SQL %s", bodies, g, w)
		}
	}
}
