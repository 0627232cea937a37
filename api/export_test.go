package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/xuri/excelize/v2"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// listRow is what the JSON list and the exports both carry.
type listRow struct{ ID, Reference, Title, Kind, Status string }

// jsonList pages through GET /v1/motions (small pages) and returns all items.
func (e *env) jsonList(token, query string) []listRow {
	e.t.Helper()
	sep := "?"
	if query != "" {
		sep = "&"
	}
	path := "/v1/motions" + query + sep + "limit=2"
	var rows []listRow
	for pages := 0; path != ""; pages++ {
		if pages > 50 {
			e.t.Fatal("paging does not end")
		}
		r := e.do("GET", path, token, nil)
		expect(e.t, r, http.StatusOK)
		var body struct {
			Items []struct {
				ID          string `json:"id"`
				Reference   string `json:"reference"`
				Title       string `json:"title"`
				KindLabel   string `json:"kind_label"`
				StatusLabel string `json:"status_label"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil {
			e.t.Fatal(err)
		}
		for _, it := range body.Items {
			rows = append(rows, listRow{it.ID, it.Reference, it.Title, it.KindLabel, it.StatusLabel})
		}
		path = ""
		if m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(r.header.Get("Link")); m != nil {
			path = m[1]
		}
	}
	return rows
}

// tableRows checks the header of an exported table and returns its rows.
func tableRows(t *testing.T, table [][]string, unquote bool) []listRow {
	t.Helper()
	want := []string{"Aktenzeichen", "Titel", "Art", "Status", "Ergebnis", "Fraktion", "Mitantragsteller", "Eingereicht", "Entschieden", "Schlagworte", "Id"}
	if len(table) == 0 || !reflect.DeepEqual(table[0], want) {
		t.Fatalf("header %q", table)
	}
	var rows []listRow
	for _, c := range table[1:] {
		for len(c) < len(want) { // excelize's GetRows drops empty trailing cells
			c = append(c, "")
		}
		title := c[1]
		if unquote && strings.HasPrefix(title, "'") {
			title = title[1:]
		}
		rows = append(rows, listRow{ID: c[10], Reference: c[0], Title: title, Kind: c[2], Status: c[3]})
	}
	return rows
}

func (e *env) csvList(token, query string) ([]listRow, [][]string) {
	e.t.Helper()
	r := e.do("GET", "/v1/motions"+query, token, nil, "Accept", "text/csv")
	expect(e.t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(ct, "charset=utf-8") {
		e.t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="antraege.csv"` {
		e.t.Errorf("Content-Disposition %q", cd)
	}
	if r.header.Get("Vary") != "Accept" || r.header.Get("Link") != "" {
		e.t.Errorf("Vary %q, Link %q", r.header.Get("Vary"), r.header.Get("Link"))
	}
	body, ok := bytes.CutPrefix(r.body, []byte("\uFEFF"))
	if !ok {
		e.t.Errorf("CSV without BOM: %q", r.body[:min(20, len(r.body))])
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		e.t.Errorf("CSV without CRLF")
	}
	table, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		e.t.Fatal(err)
	}
	return tableRows(e.t, table, true), table
}

func (e *env) xlsxList(token, query string) []listRow {
	e.t.Helper()
	r := e.do("GET", "/v1/motions"+query, token, nil, "Accept", xlsxType)
	expect(e.t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != xlsxType {
		e.t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="antraege.xlsx"` {
		e.t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	table, err := f.GetRows("Anträge")
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 2; i <= len(table); i++ {
		if fm, _ := f.GetCellFormula("Anträge", "B"+strconv.Itoa(i)); fm != "" {
			e.t.Errorf("row %d has formula %q", i, fm)
		}
	}
	return tableRows(e.t, table, false)
}

func TestListExports(t *testing.T) {
	e := newEnv(t, api.Config{})
	create := func(tok, kind, title string, tags ...string) string {
		r := e.do("POST", "/v1/motions", tok, map[string]any{
			"body_id": "mannheim", "kind": kind, "title": title, "tags": tags,
			"resolution_points": []string{"Die Verwaltung wird beauftragt."},
		})
		expect(t, r, http.StatusCreated)
		return r.json(t)["id"].(string)
	}
	green := create("spd", "motion", "Mehr Grünflächen in Käfertal, \"sofort\"", "Umwelt", "Straßen")
	formula := create("spd", "motion", "=SUMME(A1:A9)")
	inquiry := create("spd", "inquiry", "Anfrage zur Öffnungszeit; Bürgerbüro, „Ämter“")
	spdDraft := create("spd", "motion", "Entwurf über Brücken")
	cduDraft := create("cdu", "motion", "Geheimer Entwurf der CDU")
	for _, id := range []string{green, formula, inquiry} {
		e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	}
	e.run("office", green, motion.CmdRegister, nil, http.StatusOK)

	for _, c := range []struct{ token, query string }{
		{"spd", ""}, {"spd", "?kind=motion"}, {"spd", "?status=draft,submitted"}, {"spd", "?q=Entwurf"},
		{"cdu", ""}, {"", ""}, {"", "?kind=motion"}, {"office", "?faction=spd"}, {"spd", "?tag=Umwelt"},
		{"", "?submitted_from=2000-01-01T00:00:00Z&kind=motion,inquiry"},
	} {
		js := e.jsonList(c.token, c.query)
		cs, table := e.csvList(c.token, c.query)
		xs := e.xlsxList(c.token, c.query)
		if len(js) == 0 {
			t.Errorf("%q %q: empty list", c.token, c.query)
		}
		if !reflect.DeepEqual(cs, js) {
			t.Errorf("%q %q: CSV\n%v\nJSON\n%v", c.token, c.query, cs, js)
		}
		if !reflect.DeepEqual(xs, js) {
			t.Errorf("%q %q: XLSX\n%v\nJSON\n%v", c.token, c.query, xs, js)
		}
		for _, row := range table[1:] {
			if strings.HasPrefix(row[1], "=") {
				t.Errorf("CSV cell is a formula: %q", row[1])
			}
			if row[10] == cduDraft && c.token != "cdu" || row[10] == spdDraft && c.token != "spd" {
				t.Errorf("%q sees a foreign draft %s", c.token, row[10])
			}
			if c.token == "" && row[3] == motion.StatusDraft.Label() {
				t.Errorf("anonymous sees a draft: %q", row)
			}
		}
	}
	// The spd export holds its own draft, the registered motion's reference,
	// the submission day and the tags.
	_, table := e.csvList("spd", "?kind=motion")
	var found bool
	for _, row := range table[1:] {
		if row[10] == green {
			found = true
			if row[0] == "" || row[5] != "spd" || !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(row[7]) || row[9] != "Umwelt; Straßen" {
				t.Errorf("row %q", row)
			}
		}
	}
	if !found {
		t.Errorf("%s not exported", green)
	}

	// JSON stays the default, also for a browser.
	r := e.do("GET", "/v1/motions", "", nil, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	expect(t, r, http.StatusOK)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("browser gets %q", r.header.Get("Content-Type"))
	}

	// Beyond the bound: a problem asking to narrow the filters.
	restore := api.SetExportMaxRows(2)
	defer restore()
	r = e.do("GET", "/v1/motions", "spd", nil, "Accept", "text/csv")
	expect(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), "Filter einschränken") {
		t.Errorf("problem %s", r.body)
	}
	expect(t, e.do("GET", "/v1/motions?kind=inquiry", "spd", nil, "Accept", "text/csv"), http.StatusOK)

	// The OpenAPI document names both media types besides JSON.
	r = e.do("GET", "/openapi.json", "", nil)
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	content := doc.Paths["/v1/motions"]["get"].Responses["200"].Content
	for _, ct := range []string{"application/json", "text/csv", xlsxType} {
		if content[ct] == nil {
			t.Errorf("OpenAPI list-motions 200 lacks %s: %v", ct, content)
		}
	}
	if !strings.Contains(string(content["application/json"]), `"$ref"`) {
		t.Errorf("JSON schema lost: %s", content["application/json"])
	}
}
