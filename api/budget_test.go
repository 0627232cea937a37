package api_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/internal/pdftext"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

type budgetAmountJSON struct {
	Year   int   `json:"year"`
	Amount int64 `json:"amount"`
}

type budgetTotalJSON struct {
	Faction     string             `json:"faction"`
	FactionName string             `json:"faction_name"`
	Motions     int                `json:"motions"`
	Years       []budgetAmountJSON `json:"years"`
	Total       int64              `json:"total"`
	Positions   float64            `json:"positions"`
}

type budgetListJSON struct {
	Cycle struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Years []int  `json:"years"`
	} `json:"cycle"`
	Items []struct {
		MotionID  string             `json:"motion_id"`
		Faction   string             `json:"faction"`
		Late      bool               `json:"late"`
		Years     []budgetAmountJSON `json:"years"`
		Total     int64              `json:"total"`
		Positions float64            `json:"positions"`
	} `json:"items"`
	Factions []budgetTotalJSON `json:"factions"`
	Total    budgetTotalJSON   `json:"total"`
}

// budgetActors are the test's actors with a third faction.
func budgetActors(d *api.Deps) {
	a := maps.Clone(actors)
	a["gruene"] = motion.Actor{Issuer: "test", Subject: "gruene-1", Name: "Greta Grün", Roles: []motion.Role{motion.RoleFactionStaff},
		Faction: "gruene", Bodies: []string{"mannheim"}}
	d.Auth = a
}

// TestBudgetCycleWithFortyMotions (issue 16, Done when): a cycle with 40
// generated budget motions of three factions, one-off and recurring
// amounts in both parts of the budget, some negative: the list's totals
// equal the sums of the motions computed here, per faction and overall
// and per year; positions such as 0,1 + 0,2 + 0,33 + 0,25 add up without
// floating-point noise (the sums here are kept in hundredths); the CSV and
// the XLSX hold the same figures; the PDF names the overall total.
func TestBudgetCycleWithFortyMotions(t *testing.T) {
	e := newEnv(t, api.Config{}, budgetActors)
	if _, err := e.store.CreateOrganization(context.Background(), store.Organization{ID: "gruene", BodyID: "mannheim",
		Kind: store.OrgFaction, Name: "Fraktion Grüne"}); err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/v1/bodies/mannheim/budget-cycles", "office", map[string]any{
		"id": "hh2020", "name": "Haushalt 2020/2021", "years": []int{2020, 2021}})
	expect(t, r, http.StatusCreated)

	years := []int{2020, 2021}
	factions := []string{"spd", "cdu", "gruene"}
	type sums struct {
		motions int
		years   []int64
		total   int64
		// hundredths of positions, summed exactly
		hundredths int64
	}
	positionsOf := func(s *sums) float64 { return float64(s.hundredths) / 100 }
	// Positions that a float sum gets wrong (0.1+0.2+0.33+0.25 is
	// 0.8800000000000001), in hundredths.
	stellen := []int64{10, 20, 33, 25, 0, 50, -10, 125}
	want := map[string]*sums{}
	overall := &sums{years: make([]int64, len(years))}
	for _, f := range factions {
		want[f] = &sums{years: make([]int64, len(years))}
	}
	for i := range 40 {
		f := factions[i%3]
		var items []map[string]any
		mine := make([]int64, len(years))
		for j := range 1 + i%3 {
			year := 2019 + (i+j)%3 // 2019 (before the cycle), 2020, 2021
			amount := int64(1000*(i+1) + 250*j)
			if (i+j)%4 == 0 {
				amount = -amount
			}
			recurring := (i+j)%2 == 1
			plan := "result"
			if (i*7+j)%3 == 0 {
				plan = "financial"
			}
			items = append(items, map[string]any{"year": year, "amount": amount, "recurring": recurring, "plan": plan, "purpose": "Sachmittel"})
			// The rule, written out: a one-off amount counts in its year,
			// a recurring one in its year and every later one.
			for k, y := range years {
				if y == year || (recurring && year < y) {
					mine[k] += amount
				}
			}
		}
		positions := float64(stellen[i%len(stellen)]) / 100
		cycle := "Haushalt 2020/2021"
		if i%2 == 1 {
			cycle = "hh2020"
		}
		id := e.motionAs(f, "budget_motion", fmt.Sprintf("Haushaltsantrag %02d", i+1), map[string]any{"budget_cycle": cycle,
			"budget": map[string]any{"items": items, "positions": positions, "product": "1.11"}})
		e.run(f, id, motion.CmdSubmit, nil, http.StatusOK)
		for _, s := range []*sums{want[f], overall} {
			s.motions++
			for k := range years {
				s.years[k] += mine[k]
				s.total += mine[k]
			}
			s.hundredths += stellen[i%len(stellen)]
		}
	}
	// Not in the list: a draft, and a motion of another cycle.
	e.motionAs("spd", "budget_motion", "Entwurf", map[string]any{"budget_cycle": "hh2020",
		"budget": map[string]any{"items": []map[string]any{{"year": 2020, "amount": 999999, "plan": "result"}}}})
	r = e.do("POST", "/v1/bodies/mannheim/budget-cycles", "office", map[string]any{
		"id": "hh2018", "name": "Haushalt 2018/2019", "years": []int{2018, 2019}})
	expect(t, r, http.StatusCreated)
	other := e.motionAs("cdu", "budget_motion", "Anderer Haushalt", map[string]any{"budget_cycle": "Haushalt 2018/2019",
		"budget": map[string]any{"items": []map[string]any{{"year": 2020, "amount": 888888, "plan": "result"}}}})
	e.run("cdu", other, motion.CmdSubmit, nil, http.StatusOK)

	r = e.do("GET", "/v1/budget-cycles/hh2020/motions", "", nil)
	expect(t, r, http.StatusOK)
	l := decode[budgetListJSON](t, r)
	if len(l.Items) != 40 {
		t.Fatalf("list has %d motions, want 40", len(l.Items))
	}
	check := func(what string, got budgetTotalJSON, w *sums) {
		t.Helper()
		var gy []int64
		for k, a := range got.Years {
			if a.Year != years[k] {
				t.Errorf("%s: year %d at %d", what, a.Year, k)
			}
			gy = append(gy, a.Amount)
		}
		if got.Motions != w.motions || !slices.Equal(gy, w.years) || got.Total != w.total || got.Positions != positionsOf(w) {
			t.Errorf("%s = %d motions, %v, total %d, positions %v; want %d, %v, %d, %v", what, got.Motions, gy, got.Total, got.Positions,
				w.motions, w.years, w.total, positionsOf(w))
		}
	}
	check("overall", l.Total, overall)
	if len(l.Factions) != 3 {
		t.Fatalf("factions %+v", l.Factions)
	}
	for _, ft := range l.Factions {
		w, ok := want[ft.Faction]
		if !ok {
			t.Fatalf("unknown faction %q", ft.Faction)
		}
		check(ft.Faction, ft, w)
	}
	// Each row's own figures add up to the totals too.
	var rowSum int64
	for _, it := range l.Items {
		rowSum += it.Total
	}
	if rowSum != overall.total {
		t.Errorf("rows sum to %d, want %d", rowSum, overall.total)
	}

	// CSV and XLSX: a row per motion, then "Summe" rows with the same figures.
	csvT, xlsxT := e.exportTable("", "/v1/budget-cycles/hh2020/motions", "haushaltsantraege-hh2020", "Haushaltsanträge")
	for what, table := range map[string][][]string{"CSV": csvT, "XLSX": xlsxT} {
		head := table[0]
		col := func(name string) int {
			i := slices.Index(head, name)
			if i < 0 {
				t.Fatalf("%s: no column %q in %q", what, name, head)
			}
			return i
		}
		kind, faction, count, pos, y0, y1, total := col("Art"), col("Fraktion"), col("Anträge"), col("Stellen"), col("2020"), col("2021"), col("Summe")
		num := func(s string) int64 {
			t.Helper()
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("%s: %q is no whole number of Euro", what, s)
			}
			return v
		}
		motions, totals := 0, 0
		for _, row := range table[1:] {
			if row[kind] != "Summe" {
				motions++
				continue
			}
			totals++
			w := overall
			switch row[faction] {
			case "SPD-Fraktion":
				w = want["spd"]
			case "CDU-Fraktion":
				w = want["cdu"]
			case "Fraktion Grüne":
				w = want["gruene"]
			case "":
			default:
				t.Errorf("%s: total of %q", what, row[faction])
			}
			// The figure as written, so that noise like 0.8800000000000001
			// (no longer a number a spreadsheet sums) shows.
			wantPos := strconv.FormatFloat(positionsOf(w), 'f', -1, 64)
			got := []int64{num(row[y0]), num(row[y1]), num(row[total])}
			if !slices.Equal(got, []int64{w.years[0], w.years[1], w.total}) || row[count] != strconv.Itoa(w.motions) || row[pos] != wantPos {
				t.Errorf("%s: total row %q = %v, %s motions, %q positions; want %v, %d, %d, %q", what, row[faction], got, row[count], row[pos],
					w.years, w.total, w.motions, wantPos)
			}
		}
		if motions != 40 || totals != 4 {
			t.Errorf("%s: %d motion rows, %d total rows; want 40 and 4", what, motions, totals)
		}
	}

	r = e.do("GET", "/v1/budget-cycles/hh2020/motions", "", nil, "Accept", "application/pdf")
	expect(t, r, http.StatusOK)
	text := strings.Join(strings.Fields(pdftext.Text(t, r.body)), " ")
	if !strings.Contains(text, "Haushaltsantragsliste – Haushalt 2020/2021") || !strings.Contains(text, "Gesamt 40 "+motion.FormatEuro(overall.years[0])) ||
		!strings.Contains(text, motion.FormatEuro(overall.total)+" "+motion.FormatPositions(positionsOf(overall))) {
		t.Errorf("PDF lacks the title or the overall total with its positions (%s):\n%s", motion.FormatPositions(positionsOf(overall)), text)
	}
}

// TestBudgetCycleEndpoints: only the council office creates and changes a
// cycle; a bad cycle is refused field by field in German; a name is taken
// once per body; anybody reads the cycles, nobody another body's.
func TestBudgetCycleEndpoints(t *testing.T) {
	e := newEnv(t, api.Config{})
	cycle := map[string]any{"name": "Haushalt 2022/2023", "years": []int{2022, 2023}, "motion_deadline": "2021-10-31T23:00:00Z"}
	expect(t, e.do("POST", "/v1/bodies/mannheim/budget-cycles", "spd", cycle), http.StatusForbidden)
	expect(t, e.do("POST", "/v1/bodies/mannheim/budget-cycles", "other", cycle), http.StatusNotFound)
	r := e.do("POST", "/v1/bodies/mannheim/budget-cycles", "office", map[string]any{"name": " ", "years": []int{2022, 2024}})
	expect(t, r, http.StatusUnprocessableEntity)
	for _, want := range []string{"Der Name der Haushaltsberatung", "lückenlos"} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("refusal lacks %q: %s", want, r.body)
		}
	}
	r = e.do("POST", "/v1/bodies/mannheim/budget-cycles", "office", cycle)
	expect(t, r, http.StatusCreated)
	id := r.json(t)["id"].(string)
	r = e.do("POST", "/v1/bodies/mannheim/budget-cycles", "office", map[string]any{"name": "haushalt 2022/2023", "years": []int{2022}})
	expect(t, r, http.StatusConflict)
	if !strings.Contains(string(r.body), "gibt es in der Körperschaft schon") {
		t.Errorf("conflict: %s", r.body)
	}

	r = e.do("GET", "/v1/bodies/mannheim/budget-cycles", "", nil)
	expect(t, r, http.StatusOK)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["name"] != "Haushalt 2022/2023" {
		t.Errorf("cycles %s", r.body)
	}
	expect(t, e.do("GET", "/v1/budget-cycles/"+id, "other", nil), http.StatusNotFound)
	expect(t, e.do("GET", "/v1/budget-cycles/missing", "", nil), http.StatusNotFound)

	change := map[string]any{"name": "Haushalt 2022/2023", "years": []int{2022, 2023},
		"resolution": map[string]any{"reference": "V77/2022", "title": "Haushaltssatzung 2022/2023"}}
	expect(t, e.do("PUT", "/v1/budget-cycles/"+id, "cdu", change), http.StatusForbidden)
	r = e.do("PUT", "/v1/budget-cycles/"+id, "office", change)
	expect(t, r, http.StatusOK)
	if res, _ := r.json(t)["resolution"].(map[string]any); res["reference"] != "V77/2022" {
		t.Errorf("resolution not kept: %s", r.body)
	}
	r = e.do("GET", "/v1/budget-cycles/"+id+"/motions?faction=spd&plan=result&outcome=open", "", nil)
	expect(t, r, http.StatusOK)
	if l := decode[budgetListJSON](t, r); len(l.Items) != 0 || l.Total.Total != 0 || len(l.Total.Years) != 2 {
		t.Errorf("empty list %s", r.body)
	}

	// The deliberating meetings are meetings of the body.
	r = e.do("PUT", "/v1/budget-cycles/"+id, "office", map[string]any{"name": "Haushalt 2022/2023", "years": []int{2022, 2023},
		"meeting_ids": []string{"nirgends"}})
	expect(t, r, http.StatusUnprocessableEntity)
	for _, want := range []string{"body.meeting_ids[0]", "Diese Sitzung gibt es in dieser Körperschaft nicht."} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("unknown meeting: refusal lacks %q: %s", want, r.body)
		}
	}

	// Once the body has cycles, a budget motion names one of them.
	budget := map[string]any{"items": []map[string]any{{"year": 2022, "amount": 5000, "plan": "result"}}}
	r = e.do("POST", "/v1/motions", "spd", map[string]any{"body_id": "mannheim", "kind": "budget_motion", "title": "Bäume",
		"resolution_points": []string{"Die Mittel werden bereitgestellt."}, "budget_cycle": "Haushalt 1999", "budget": budget})
	expect(t, r, http.StatusUnprocessableEntity)
	for _, want := range []string{"body.budget_cycle", "Diese Haushaltsberatung gibt es in dieser Körperschaft nicht"} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("unknown cycle: refusal lacks %q: %s", want, r.body)
		}
	}
	mid := e.motionAs("spd", "budget_motion", "Bäume", map[string]any{"budget_cycle": " haushalt 2022/2023", "budget": budget})
	e.run("spd", mid, motion.CmdSubmit, nil, http.StatusOK)
	// Renaming the cycle would drop that motion from its list.
	r = e.do("PUT", "/v1/budget-cycles/"+id, "office", map[string]any{"name": "Doppelhaushalt 2022/2023", "years": []int{2022, 2023}})
	expect(t, r, http.StatusConflict)
	if !strings.Contains(string(r.body), "bisherigen Namen") {
		t.Errorf("rename: %s", r.body)
	}
	r = e.do("GET", "/v1/budget-cycles/"+id+"/motions", "", nil)
	expect(t, r, http.StatusOK)
	if l := decode[budgetListJSON](t, r); len(l.Items) != 1 {
		t.Errorf("list after the refused renaming: %s", r.body)
	}
}
