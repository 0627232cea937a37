package web_test

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

var (
	statTable = regexp.MustCompile(`(?s)<table class="statistik-tabelle" id="tab-([a-z]+)">(.*?)</table>`)
	statRow   = regexp.MustCompile(`<tr><th scope="row">([^<]*)</th><td class="zahl">([0-9.]+)</td></tr>`)
	statSVG   = regexp.MustCompile(`(?s)<svg class="statistik-grafik"[^>]*role="img" aria-labelledby="cap-([a-z]+)"[^>]*>\s*<title>[^<]+</title>(.*?)</svg>`)
	statValue = regexp.MustCompile(`<text x="\d+" y="\d+" font-size="14" fill="#1a1a1a">([0-9.]+)</text>`)
)

// statTables reads the statistics page's tables: table id → label → count.
func statTables(t *testing.T, body string) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	for _, m := range statTable.FindAllStringSubmatch(body, -1) {
		rows := map[string]int{}
		for _, r := range statRow.FindAllStringSubmatch(m[2], -1) {
			n, err := strconv.Atoi(strings.ReplaceAll(r[2], ".", ""))
			if err != nil {
				t.Fatal(err)
			}
			rows[html.UnescapeString(r[1])] = n
		}
		out[m[1]] = rows
		if !strings.Contains(m[2], `<caption id="cap-`+m[1]+`">`) {
			t.Errorf("table %s has no caption with id cap-%s", m[1], m[1])
		}
	}
	// Every chart is labelled by its table's caption and writes the same numbers.
	for _, m := range statSVG.FindAllStringSubmatch(body, -1) {
		var sum, want int
		for _, v := range statValue.FindAllStringSubmatch(m[2], -1) {
			n, _ := strconv.Atoi(strings.ReplaceAll(v[1], ".", ""))
			sum += n
		}
		for _, n := range out[m[1]] {
			want += n
		}
		if sum != want || want == 0 {
			t.Errorf("chart %s: numbers add up to %d, table to %d", m[1], sum, want)
		}
	}
	return out
}

func TestStatisticsPage(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	at := time.Date(2021, 5, 3, 9, 0, 0, 0, time.UTC)
	now := time.Now()
	for i := range 37 {
		m := motion.Motion{ID: fmt.Sprintf("m%02d", i), BodyID: "ma", Version: 1, Kind: motion.Kinds[i%len(motion.Kinds)],
			Status: motion.Statuses[i%len(motion.Statuses)], Faction: []string{"spd", "cdu", "spd"}[i%3],
			Content:   motion.Content{Title: fmt.Sprintf("Antrag %d", i), ResolutionPoints: []string{"Punkt."}},
			CreatedAt: at, UpdatedAt: at}
		if m.Status != motion.StatusDraft {
			sub := at.AddDate(i%3, 0, i)
			m.SubmittedAt = &sub
		}
		if m.SubmittedAt != nil && (m.Status == motion.StatusDecided || m.Status == motion.StatusClosed) {
			dec := m.SubmittedAt.AddDate(0, 0, 3*i)
			m.DecidedAt = &dec
			m.Outcome = &motion.Outcome{Result: []motion.Result{motion.ResultAdopted, motion.ResultRejected}[i%2], DecidedAt: dec}
		}
		if m.Kind == motion.KindInquiry && i%2 == 0 {
			m.AddressedDepartment = "dez1"
		}
		if err := e.st.Project(ctx, m, motion.Event{MotionID: m.ID, Version: 1, Command: motion.CmdCreate, At: at, Status: m.Status}); err != nil {
			t.Fatal(err)
		}
		if m.Kind == motion.KindInquiry {
			d := motion.Deadline{Key: "inquiry_answer", Kind: motion.DeadlineInquiryAnswer, Due: now.AddDate(0, 0, i%5-3), Rule: "inquiry_answer", RuleVersion: 1}
			if err := e.st.ProjectDeadlines(ctx, m.ID, "ma", m.Faction, []motion.Deadline{d}); err != nil {
				t.Fatal(err)
			}
		}
	}
	st, err := e.st.Statistics(ctx, store.StatisticsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var sqlTotal int
	if err := e.st.Pool.QueryRow(ctx, `SELECT count(*) FROM motions WHERE status <> 'draft'`).Scan(&sqlTotal); err != nil {
		t.Fatal(err)
	}
	if st.Total != sqlTotal || len(st.OverdueAnswers) == 0 || st.MedianDaysToDecision == nil {
		t.Fatalf("generated data: %+v, SQL total %d", st, sqlTotal)
	}
	orgs := map[string]string{"spd": "SPD-Gemeinderatsfraktion", "cdu": "CDU-Gemeinderatsfraktion", "dez1": "Dezernat I", "": "kein Fachbereich genannt"}
	want := map[string]map[string]int{}
	add := func(table string, cs []store.Count, label func(string) string) {
		want[table] = map[string]int{}
		for _, c := range cs {
			want[table][label(c.Key)] = c.Count
		}
	}
	add("status", st.ByStatus, func(k string) string { return motion.Status(k).Label() })
	add("ergebnis", st.ByOutcome, func(k string) string { return motion.Result(k).Label() })
	add("art", st.ByKind, func(k string) string { return motion.Kind(k).Label() })
	add("fraktion", st.ByFaction, func(k string) string { return orgs[k] })
	add("jahr", st.ByYear, func(k string) string { return k })
	add("ueberfaellig", st.OverdueAnswers, func(k string) string { return orgs[k] })

	// Anonymous and the SPD's staff (whose drafts exist) see the same public figures.
	for _, user := range []string{"", "spd"} {
		p := e.get(user, "/statistik")
		must(t, p, 200, "<h1>Statistik</h1>", `aria-current="page">Statistik</a>`,
			"insgesamt <strong>"+strconv.Itoa(sqlTotal)+"</strong>")
		got := statTables(t, p.Body)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: tables\n got %v\nwant %v", user, got, want)
		}
		if _, ok := got["status"][motion.StatusDraft.Label()]; ok {
			t.Errorf("%q: drafts counted", user)
		}
		med := strings.Replace(strconv.FormatFloat(*st.MedianDaysToDecision, 'f', 1, 64), ".", ",", 1)
		must(t, p, 200, "im Median <strong>"+med+"</strong> Tage")
	}
}
