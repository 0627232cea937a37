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
	"github.com/motionflow/motionflow/store/statstest"
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

// TestStatisticsPage: over a generated council (routes, meetings,
// decisions, answer deadlines, drafts among the motions), every table of
// /statistik, the total, the median days and the share placed on the agenda
// within the § 34 deadline equal the counts of the rows by the test's own
// SQL (package statstest), and every chart writes its table's numbers. The
// public and a faction's staff (whose drafts exist) see the same figures.
func TestStatisticsPage(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	statstest.Seed(t, e.st, statstest.Directory{Body: "ma", Council: "gr", Committee: "ha", Factions: []string{"spd", "cdu"},
		Departments: []string{"", "dez1"}, PlacementMeetings: 3}, 150, 14, now)
	sql := statstest.Counts(t, e.st, nil, now)
	if sql.PlacementDue == 0 || sql.PlacementInTime == sql.PlacementDue || len(sql.Overdue) < 2 || sql.MedianDays == nil || sql.ByStatus["draft"] != 0 {
		t.Fatalf("generated data too thin: %+v", sql)
	}
	orgs := map[string]string{"spd": "SPD-Gemeinderatsfraktion", "cdu": "CDU-Gemeinderatsfraktion", "dez1": "Dezernat I", "": "kein Fachbereich genannt"}
	want := map[string]map[string]int{}
	add := func(table string, counts map[string]int, label func(string) string) {
		want[table] = map[string]int{}
		for k, n := range counts {
			want[table][label(k)] = n
		}
	}
	add("status", sql.ByStatus, func(k string) string { return motion.Status(k).Label() })
	add("ergebnis", sql.ByOutcome, func(k string) string { return motion.Result(k).Label() })
	add("art", sql.ByKind, func(k string) string { return motion.Kind(k).Label() })
	add("fraktion", sql.ByFaction, func(k string) string { return orgs[k] })
	add("jahr", sql.ByYear, func(k string) string { return k })
	add("ueberfaellig", sql.Overdue, func(k string) string { return orgs[k] })
	want["frist"] = map[string]int{"fristgerecht": sql.PlacementInTime, "nicht fristgerecht": sql.PlacementDue - sql.PlacementInTime}

	med := strings.Replace(strconv.FormatFloat(*sql.MedianDays, 'f', 1, 64), ".", ",", 1)
	share := strings.Replace(strconv.FormatFloat(100*float64(sql.PlacementInTime)/float64(sql.PlacementDue), 'f', 1, 64), ".", ",", 1)
	for _, user := range []string{"", "spd"} {
		p := e.get(user, "/statistik")
		must(t, p, 200, "<h1>Statistik</h1>", `aria-current="page">Statistik</a>`,
			"insgesamt <strong>"+strconv.Itoa(sql.Total)+"</strong>",
			"im Median <strong>"+med+"</strong> Tage ("+strconv.Itoa(sql.Decided)+" entschiedene Anträge)",
			"Fristgerecht auf die Tagesordnung gesetzt: <strong>"+strconv.Itoa(sql.PlacementInTime)+"</strong> von <strong>"+
				strconv.Itoa(sql.PlacementDue)+"</strong> Anträgen ("+share+" %)")
		got := statTables(t, p.Body)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: tables\n got %v\n SQL %v", user, got, want)
		}
		if _, ok := got["status"][motion.StatusDraft.Label()]; ok {
			t.Errorf("%q: drafts counted", user)
		}
	}
}

// TestStatisticsPageWithoutData: an empty council's page says so instead of
// drawing empty charts.
func TestStatisticsPageWithoutData(t *testing.T) {
	e := newEnv(t)
	p := e.get("", "/statistik")
	must(t, p, 200, "insgesamt <strong>0</strong>", "Noch kein Antrag ist entschieden.",
		"Noch ist für keinen Antrag die Frist gekommen.", "Zurzeit ist keine Antwort auf eine Anfrage überfällig.")
	if strings.Contains(p.Body, "<svg") {
		t.Error("the empty page draws a chart")
	}
}
