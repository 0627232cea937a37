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
