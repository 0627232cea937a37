package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store/statstest"
)

func TestStatisticsAPI(t *testing.T) {
	e := newEnv(t, api.Config{})
	ctx := t.Context()
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	statuses := []motion.Status{motion.StatusDraft, motion.StatusSubmitted, motion.StatusDecided, motion.StatusDecided, motion.StatusRegistered}
	for i, st := range statuses {
		for _, body := range []string{"mannheim", "heidelberg"} {
			m := motion.Motion{ID: fmt.Sprintf("%s-%d", body, i), BodyID: body, Version: 1, Kind: motion.KindMotion, Status: st,
				Content: motion.Content{Title: "Antrag", ResolutionPoints: []string{"Punkt."}}, Faction: "spd", CreatedAt: at, UpdatedAt: at}
			if st != motion.StatusDraft {
				sub := at.AddDate(0, 0, i)
				m.SubmittedAt = &sub
			}
			if st == motion.StatusDecided {
				dec := m.SubmittedAt.AddDate(0, 0, 10*i)
				m.DecidedAt = &dec
				m.Outcome = &motion.Outcome{Result: motion.ResultAdopted, DecidedAt: dec}
			}
			ev := motion.Event{MotionID: m.ID, Version: 1, Command: motion.CmdCreate, At: at, Status: st}
			if err := e.store.Project(ctx, m, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct{ token, query string }{{"", "?body=mannheim"}, {"", ""}, {"spd", ""}, {"other", "?body=mannheim"}} {
		r := e.do("GET", "/v1/statistics"+tc.query, tc.token, nil)
		expect(t, r, http.StatusOK)
		var got struct {
			Total    int `json:"total"`
			ByStatus []struct {
				Key, Label string
				Count      int
			} `json:"by_status"`
			MedianDays *float64 `json:"median_days_to_decision"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		// Independent SQL count of what the caller may see.
		where := "status <> 'draft'"
		if tc.token == "spd" || tc.query != "" {
			where += " AND body_id = 'mannheim'"
		}
		if tc.token == "other" {
			where = "false"
		}
		var want int
		if err := e.store.Pool.QueryRow(ctx, "SELECT count(*) FROM motions WHERE "+where).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got.Total != want {
			t.Errorf("%q %q: total %d, SQL %d", tc.token, tc.query, got.Total, want)
		}
		for _, c := range got.ByStatus {
			if c.Key == "draft" {
				t.Errorf("drafts counted: %s", r.body)
			}
			if c.Key == "decided" && (c.Label != "Entschieden" || c.Count*2 != want) {
				t.Errorf("decided: %+v of %d", c, want)
			}
		}
		if want > 0 && (got.MedianDays == nil || *got.MedianDays != 25) {
			t.Errorf("%q %q: median %v, want 25 (20 and 30 days)", tc.token, tc.query, got.MedianDays)
		}
	}
	expect(t, e.do("GET", "/v1/statistics?body=", "", nil), http.StatusOK)
}

// TestStatisticsAPIEqualsSQLCounts: over a generated council (routes,
// meetings, decisions, answer deadlines, drafts), every figure of
// GET /v1/statistics, the § 34 share included, equals the count of the rows
// by the test's own SQL (package statstest).
func TestStatisticsAPIEqualsSQLCounts(t *testing.T) {
	e := newEnv(t, api.Config{})
	now := time.Now()
	statstest.Seed(t, e.store, statstest.Directory{Body: "mannheim", Council: "gr", Committee: "ha",
		Factions: []string{"spd", "cdu"}, Departments: []string{"", "dez1"}}, 120, 5, now)
	r := e.do("GET", "/v1/statistics?body=mannheim", "", nil)
	expect(t, r, http.StatusOK)
	var view api.StatisticsView
	if err := json.Unmarshal(r.body, &view); err != nil {
		t.Fatal(err)
	}
	counts := func(cs []api.StatCount) map[string]int {
		out := map[string]int{}
		for _, c := range cs {
			out[c.Key] = c.Count
		}
		return out
	}
	got := statstest.Figures{Total: view.Total, ByStatus: counts(view.ByStatus), ByOutcome: counts(view.ByOutcome),
		ByKind: counts(view.ByKind), ByFaction: counts(view.ByFaction), ByYear: counts(view.ByYear),
		Overdue: counts(view.OverdueAnswers), Decided: view.Decided,
		PlacementDue: view.AgendaPlacementDue, PlacementInTime: view.AgendaPlacedInTime}
	want := statstest.Counts(t, e.store, []string{"mannheim"}, now)
	if want.PlacementDue == 0 || want.PlacementInTime == want.PlacementDue || len(want.Overdue) == 0 || want.MedianDays == nil {
		t.Fatalf("generated data too thin: %+v", want)
	}
	if view.MedianDaysToDecision == nil || math.Abs(*view.MedianDaysToDecision-*want.MedianDays) > 1e-6 {
		t.Errorf("median days %v, SQL %v", view.MedianDaysToDecision, *want.MedianDays)
	}
	share := float64(want.PlacementInTime) / float64(want.PlacementDue)
	if view.AgendaPlacementShare == nil || math.Abs(*view.AgendaPlacementShare-share) > 1e-9 {
		t.Errorf("§ 34 share %v, SQL %d of %d", view.AgendaPlacementShare, want.PlacementInTime, want.PlacementDue)
	}
	want.MedianDays = nil
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("statistics\n got %s\n SQL %s", g, w)
	}
}
