package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/xuri/excelize/v2"
)

// exportTable fetches path as CSV and as XLSX, checks the headers of both
// answers, and returns both tables: the CSV parsed with encoding/csv (BOM
// stripped), the XLSX read with excelize (rows padded to the header's
// width). file is the attachment's name without extension, sheet the
// workbook's sheet.
func (e *env) exportTable(token, path, file, sheet string) (csvTable, xlsxTable [][]string) {
	e.t.Helper()
	r := e.do("GET", path, token, nil, "Accept", "text/csv")
	expect(e.t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(ct, "charset=utf-8") {
		e.t.Errorf("%s: Content-Type %q", path, ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="`+file+`.csv"` {
		e.t.Errorf("%s: Content-Disposition %q", path, cd)
	}
	if r.header.Get("Vary") != "Accept" {
		e.t.Errorf("%s: Vary %q", path, r.header.Get("Vary"))
	}
	body, ok := bytes.CutPrefix(r.body, []byte("\uFEFF"))
	if !ok || !bytes.HasSuffix(body, []byte("\r\n")) {
		e.t.Errorf("%s: CSV without BOM or CRLF: %q", path, r.body[:min(40, len(r.body))])
	}
	csvTable, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		e.t.Fatal(err)
	}

	r = e.do("GET", path, token, nil, "Accept", xlsxType)
	expect(e.t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != xlsxType {
		e.t.Errorf("%s: Content-Type %q", path, ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="`+file+`.xlsx"` {
		e.t.Errorf("%s: Content-Disposition %q", path, cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	xlsxTable, err = f.GetRows(sheet)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(xlsxTable) == 0 {
		e.t.Fatalf("%s: empty workbook", path)
	}
	for i := range xlsxTable { // GetRows drops empty trailing cells
		for len(xlsxTable[i]) < len(xlsxTable[0]) {
			xlsxTable[i] = append(xlsxTable[i], "")
		}
	}
	return csvTable, xlsxTable
}

// unquote undoes the CSV formula guard: a cell a spreadsheet would read as
// a formula is written with a leading apostrophe.
func unquote(table [][]string) [][]string {
	out := make([][]string, len(table))
	for i, row := range table {
		out[i] = slices.Clone(row)
		for j, c := range row {
			if strings.HasPrefix(c, "'") && len(c) > 1 && strings.ContainsRune("=+-@", rune(c[1])) {
				out[i][j] = c[1:]
			}
		}
	}
	return out
}

// sameTable checks that the CSV (formula guard undone) and the XLSX equal want.
func sameTable(t *testing.T, what string, csvTable, xlsxTable, want [][]string) {
	t.Helper()
	if got := unquote(csvTable); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: CSV\n%q\nwant (from JSON)\n%q", what, got, want)
	}
	if !reflect.DeepEqual(xlsxTable, want) {
		t.Errorf("%s: XLSX\n%q\nwant (from JSON)\n%q", what, xlsxTable, want)
	}
}

// meetingCmd runs a command of the council office on a meeting, at its
// current version (If-Match: *, as the e2e tests do).
func (e *env) meetingCmd(id, cmd string, body any) resp {
	e.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	r := e.do("POST", "/v1/meetings/"+id+"/"+cmd, "office", body, "If-Match", "*")
	expect(e.t, r, http.StatusOK)
	return r
}

type voteJSON struct {
	Number         string       `json:"number"`
	ItemID         string       `json:"item_id"`
	Kind           string       `json:"kind"`
	KindLabel      string       `json:"kind_label"`
	Public         bool         `json:"public"`
	Reference      string       `json:"reference"`
	Title          string       `json:"title"`
	MotionID       string       `json:"motion_id"`
	ConsultationID string       `json:"consultation_id"`
	Result         string       `json:"result"`
	ResultLabel    string       `json:"result_label"`
	Vote           *motion.Vote `json:"vote"`
	EnBloc         []string     `json:"en_bloc"`
}

type votesJSON struct {
	MeetingID string `json:"meeting_id"`
	Factions  []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"factions"`
	Items []voteJSON `json:"items"`
}

// voteTable is the table the exports must hold for a JSON answer, as the
// operation documents it: one row per item, three columns per faction.
func voteTable(v votesJSON) [][]string {
	head := []string{"TOP", "Art", "Aktenzeichen", "Titel", "Ergebnis", "Ja", "Nein", "Enthaltung", "Abwesend", "Einstimmig", "Sammelabstimmung"}
	for _, f := range v.Factions {
		head = append(head, f.Name+": Ja", f.Name+": Nein", f.Name+": Enthaltung")
	}
	table := [][]string{append(head, "Namentliche Abstimmung", "Antrag-Id")}
	for _, it := range v.Items {
		row := []string{it.Number, it.KindLabel, it.Reference, it.Title, it.ResultLabel}
		if it.Vote == nil {
			row = append(row, "", "", "", "", "")
		} else {
			absent, unanimous := "", ""
			if it.Vote.Absent != nil {
				absent = strconv.Itoa(*it.Vote.Absent)
			}
			if it.Vote.Unanimous {
				unanimous = "ja"
			}
			row = append(row, strconv.Itoa(it.Vote.Yes), strconv.Itoa(it.Vote.No), strconv.Itoa(it.Vote.Abstain), absent, unanimous)
		}
		row = append(row, strings.Join(it.EnBloc, "; "))
		for _, f := range v.Factions {
			cells := []string{"", "", ""}
			if it.Vote != nil {
				for _, fv := range it.Vote.ByFaction {
					if fv.OrganizationID == f.ID {
						cells = []string{strconv.Itoa(fv.Yes), strconv.Itoa(fv.No), strconv.Itoa(fv.Abstain)}
					}
				}
			}
			row = append(row, cells...)
		}
		var named []string
		if it.Vote != nil {
			for _, nv := range it.Vote.Named {
				named = append(named, nv.Name+": "+map[string]string{"yes": "Ja", "no": "Nein", "abstain": "Enthaltung", "absent": "abwesend"}[nv.Vote])
			}
		}
		table = append(table, append(row, strings.Join(named, "; "), it.MotionID))
	}
	return table
}

// TestMeetingVotesExport: the votes of a meeting as JSON, CSV and XLSX hold
// the same rows: the items the meeting resolved in agenda order (an en bloc
// vote on each of its items, the factions' shares), then a result recorded
// on a motion alone; the non-public part only for the council office.
func TestMeetingVotesExport(t *testing.T) {
	e := newEnv(t, api.Config{})
	routed := func(title string) string {
		id := e.draft(title)
		e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
		e.run("office", id, motion.CmdRegister, nil, http.StatusOK)
		e.run("office", id, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": "gr", "decisive": true}}}, http.StatusOK)
		return id
	}
	a, b := routed("Radwege in der Innenstadt"), routed("Mehr Bänke, \"sofort\"")
	secret := routed("Grundstücksgeschäft Quadrat Q 7")
	alone := routed("Schulhöfe öffnen")

	now := time.Now().UTC().Truncate(time.Second)
	expect(t, e.do("POST", "/v1/bodies/mannheim/meetings", "office", map[string]any{
		"id": "gr-v", "organization_id": "gr", "name": "Sitzung des Gemeinderats", "start": now.AddDate(0, 0, 30).Format(time.RFC3339),
	}), http.StatusCreated)
	e.run("office", alone, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": "gr-v"}, http.StatusOK)
	for _, it := range []map[string]any{
		{"kind": "motion", "public": true, "motion_id": a, "consultation_id": "c1"},
		{"kind": "motion", "public": true, "motion_id": b, "consultation_id": "c1"},
		{"kind": "paper", "public": true, "title": "=Haushaltssatzung 2027", "reference": "V 12/2027"},
		{"kind": "motion", "public": false, "motion_id": secret, "consultation_id": "c1"},
		{"kind": "free", "public": false, "title": "Personalangelegenheit"},
	} {
		e.meetingCmd("gr-v", "add-item", it)
	}
	e.meetingCmd("gr-v", "publish-invitation", nil)
	// The meeting took place two days ago.
	expect(t, e.do("PATCH", "/v1/meetings/gr-v", "office", map[string]any{"start": now.AddDate(0, 0, -2).Format(time.RFC3339)}), http.StatusOK)
	members := []string{"Anna", "Bert", "Cora", "Dirk", "Emil"}
	r := e.meetingCmd("gr-v", "open-session", map[string]any{"members": members, "present": members})
	var proc struct {
		Agenda []struct {
			ID     string `json:"id"`
			Number string `json:"number"`
		} `json:"agenda"`
	}
	if err := json.Unmarshal(r.body, &proc); err != nil || len(proc.Agenda) != 5 {
		t.Fatalf("agenda %s (%v)", r.body, err)
	}
	item := func(i int) string { return proc.Agenda[i].ID }
	e.meetingCmd("gr-v", "record-results", map[string]any{"item_ids": []string{item(0), item(1)}, "result": "adopted",
		"vote": map[string]any{"yes": 3, "no": 1, "abstain": 1, "by_faction": []map[string]any{
			{"organization_id": "spd", "yes": 3, "no": 0, "abstain": 0}, {"organization_id": "cdu", "yes": 0, "no": 1, "abstain": 1}}}})
	e.meetingCmd("gr-v", "record-results", map[string]any{"item_ids": []string{item(2)}, "result": "noted"})
	e.meetingCmd("gr-v", "record-results", map[string]any{"item_ids": []string{item(3)}, "result": "rejected",
		"vote": map[string]any{"yes": 1, "no": 4, "abstain": 0, "by_faction": []map[string]any{
			{"organization_id": "spd", "yes": 1, "no": 0, "abstain": 0}, {"organization_id": "cdu", "yes": 0, "no": 4, "abstain": 0}}}})
	// A result recorded on the motion alone, with named votes.
	e.run("office", alone, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "adopted",
		"vote": map[string]any{"yes": 2, "no": 0, "abstain": 1, "named": []map[string]any{
			{"name": "Anna", "vote": "yes"}, {"name": "Bert", "vote": "yes"}, {"name": "Cora", "vote": "abstain"}}}}, http.StatusOK)

	get := func(token string) votesJSON {
		t.Helper()
		r := e.do("GET", "/v1/meetings/gr-v/votes", token, nil)
		expect(t, r, http.StatusOK)
		return decode[votesJSON](t, r)
	}
	pub, office := get(""), get("office")

	// The public: the public items with a result, then the motion's own result.
	var got []string
	for _, it := range pub.Items {
		got = append(got, it.Number+"|"+it.MotionID+"|"+it.Result)
	}
	want := []string{"1|" + a + "|adopted", "2|" + b + "|adopted", "3||noted", "|" + alone + "|adopted"}
	if !slices.Equal(got, want) {
		t.Errorf("public votes %q, want %q", got, want)
	}
	if strings.Contains(string(mustMarshal(t, pub)), secret) || strings.Contains(string(mustMarshal(t, pub)), "Q 7") {
		t.Errorf("the public sees the non-public part: %+v", pub)
	}
	if it := pub.Items[0]; !slices.Equal(it.EnBloc, []string{"1", "2"}) || it.Vote == nil || len(it.Vote.ByFaction) != 2 || it.Title != "Radwege in der Innenstadt" {
		t.Errorf("en bloc item %+v", it)
	}
	if len(pub.Factions) != 2 || pub.Factions[0].Name != "CDU-Fraktion" || pub.Factions[1].Name != "SPD-Fraktion" {
		t.Errorf("factions %+v", pub.Factions)
	}
	// The council office also sees the non-public item, in agenda order.
	got = nil
	for _, it := range office.Items {
		got = append(got, it.Number+"|"+it.MotionID+"|"+it.Result)
	}
	want = []string{"1|" + a + "|adopted", "2|" + b + "|adopted", "3||noted", "N1|" + secret + "|rejected", "|" + alone + "|adopted"}
	if !slices.Equal(got, want) {
		t.Errorf("office votes %q, want %q", got, want)
	}

	for _, c := range []struct {
		token string
		body  votesJSON
	}{{"", pub}, {"office", office}, {"other", pub}, {"spd", pub}} {
		if c.token == "other" || c.token == "spd" {
			if g := get(c.token); !reflect.DeepEqual(g, c.body) {
				t.Errorf("%q sees %+v, want the public's", c.token, g)
			}
		}
		cs, xs := e.exportTable(c.token, "/v1/meetings/gr-v/votes", "abstimmungen-gr-v", "Abstimmungen")
		sameTable(t, "votes as "+c.token, cs, xs, voteTable(c.body))
		if len(cs) != len(c.body.Items)+1 {
			t.Errorf("%q: %d CSV rows for %d items", c.token, len(cs), len(c.body.Items))
		}
		for _, row := range cs[1:] {
			if strings.HasPrefix(row[3], "=") {
				t.Errorf("CSV cell is a formula: %q", row[3])
			}
		}
	}
	// Spot checks of the table a council office opens.
	cs, _ := e.exportTable("office", "/v1/meetings/gr-v/votes", "abstimmungen-gr-v", "Abstimmungen")
	wantRow := []string{"1", "Antrag", office.Items[0].Reference, "Radwege in der Innenstadt", motion.ResultAdopted.Label(), "3", "1", "1", "", "", "1; 2",
		"0", "1", "1", "3", "0", "0", "", a}
	if row := cs[1]; wantRow[2] == "" || !reflect.DeepEqual(row, wantRow) {
		t.Errorf("row of TOP 1 %q, want %q (with a reference)", row, wantRow)
	}
	if row := cs[len(cs)-1]; row[0] != "" || row[len(row)-2] != "Anna: Ja; Bert: Ja; Cora: Enthaltung" {
		t.Errorf("row of the motion's own result %q", row)
	}

	expect(t, e.do("GET", "/v1/meetings/nope/votes", "", nil), http.StatusNotFound)
	expect(t, e.do("GET", "/v1/meetings/nope/votes", "", nil, "Accept", "text/csv"), http.StatusNotFound)
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeadlineExports: the CSV and XLSX of GET /v1/deadlines, with the
// filters of the request, hold the rows of the JSON list, all pages.
func TestDeadlineExports(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct{ token, query string }{
		{"", ""}, {"spd", ""}, {"cdu", "?kind=submission_cutoff"}, {"office", "?kind=stale_motion,agenda_placement"},
		{"spd", "?faction=spd"}, {"", "?from=" + w.now.Format(time.RFC3339) + "&to=" + w.now.AddDate(0, 0, 30).Format(time.RFC3339)},
	} {
		// The JSON list, paged by two.
		sep := "?"
		if c.query != "" {
			sep = "&"
		}
		want := [][]string{{"Fällig", "Frist", "Überfällig", "Aktenzeichen", "Titel", "Art", "Status", "Fraktion",
			"Sitzung", "Regel", "Begründung", "Erinnert", "Antrag-Id", "Schlüssel"}}
		path := "/v1/deadlines" + c.query + sep + "limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			r := w.do("GET", path, c.token, nil)
			expect(t, r, http.StatusOK)
			var page struct {
				Items []struct {
					deadlineJSON
					Motion struct {
						ID          string `json:"id"`
						Reference   string `json:"reference"`
						Title       string `json:"title"`
						KindLabel   string `json:"kind_label"`
						StatusLabel string `json:"status_label"`
						Faction     string `json:"faction"`
					} `json:"motion"`
				} `json:"items"`
			}
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			for _, d := range page.Items {
				due, err := time.Parse(time.RFC3339, d.Due)
				if err != nil {
					t.Fatal(err)
				}
				overdue := ""
				if d.Overdue {
					overdue = "ja"
				}
				m := d.Motion
				want = append(want, []string{due.Format("2006-01-02 15:04"), d.Label, overdue, m.Reference, m.Title, m.KindLabel,
					m.StatusLabel, m.Faction, d.MeetingID, d.Rule, d.Reason, strings.Join(d.Audiences, "; "), m.ID, d.Key})
			}
			path = ""
			if m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(r.header.Get("Link")); m != nil {
				path = m[1]
			}
		}
		if len(want) < 2 {
			t.Errorf("%q %q: empty list", c.token, c.query)
		}
		cs, xs := w.exportTable(c.token, "/v1/deadlines"+c.query, "fristen", "Fristen")
		sameTable(t, c.token+" "+c.query, cs, xs, want)
		for _, row := range cs[1:] {
			if row[12] == w.cduDraft && c.token != "cdu" || row[12] == w.spdDraft && c.token != "spd" {
				t.Errorf("%q exports a foreign draft's deadline %q", c.token, row)
			}
		}
	}
	// The overdue agenda placement is marked, in the body's time zone.
	cs, _ := w.exportTable("office", "/v1/deadlines?kind=agenda_placement", "fristen", "Fristen")
	wantDue := w.now.Add(-48 * time.Hour).In(motion.Berlin).Format("2006-01-02 15:04")
	if len(cs) != 2 || cs[1][0] != wantDue || cs[1][2] != "ja" || cs[1][12] != w.submitted {
		t.Errorf("agenda placement rows %q, want due %s overdue", cs, wantDue)
	}
	// Beyond the bound: a problem asking to narrow the filters.
	restore := api.SetExportMaxRows(2)
	defer restore()
	r := w.do("GET", "/v1/deadlines", "spd", nil, "Accept", "text/csv")
	expect(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), "Filter einschränken") {
		t.Errorf("problem %s", r.body)
	}
}

type implJSON struct {
	Motion struct {
		ID          string `json:"id"`
		Reference   string `json:"reference"`
		Title       string `json:"title"`
		KindLabel   string `json:"kind_label"`
		StatusLabel string `json:"status_label"`
		Faction     string `json:"faction"`
	} `json:"motion"`
	Result      string     `json:"result"`
	ResultLabel string     `json:"result_label"`
	DecidedAt   *time.Time `json:"decided_at"`
	Department  string     `json:"department"`
	Stage       string     `json:"stage"`
	StageLabel  string     `json:"stage_label"`
	ReportDue   *string    `json:"report_due"`
	Overdue     bool       `json:"overdue"`
	Reports     int        `json:"reports"`
	LastReport  *time.Time `json:"last_report"`
	ReportedBy  string     `json:"reported_by"`
}

// implTable is the table the exports must hold for the JSON list.
func implTable(t *testing.T, items []implJSON) [][]string {
	t.Helper()
	table := [][]string{{"Aktenzeichen", "Titel", "Art", "Status", "Ergebnis", "Fraktion", "Beschlossen", "Dezernat", "Stand",
		"Bericht fällig", "Überfällig", "Berichte", "Letzter Bericht", "Berichtet von", "Antrag-Id"}}
	day := func(at *time.Time) string {
		if at == nil {
			return ""
		}
		return at.In(motion.Berlin).Format(time.DateOnly)
	}
	for _, it := range items {
		due, overdue := "", ""
		if it.ReportDue != nil {
			d, err := time.Parse(time.RFC3339, *it.ReportDue)
			if err != nil {
				t.Fatal(err)
			}
			due = d.Format("2006-01-02 15:04")
		}
		if it.Overdue {
			overdue = "ja"
		}
		m := it.Motion
		table = append(table, []string{m.Reference, m.Title, m.KindLabel, m.StatusLabel, it.ResultLabel, m.Faction, day(it.DecidedAt),
			it.Department, it.StageLabel, due, overdue, strconv.Itoa(it.Reports), day(it.LastReport), it.ReportedBy, m.ID})
	}
	return table
}

// TestImplementationList: GET /v1/implementation lists the adopted motions
// to implement for the council office and the administration, with their
// report deadlines, filtered by department, faction, stage and overdue; the
// CSV and XLSX hold the same rows as the JSON.
func TestImplementationList(t *testing.T) {
	e := newEnv(t, api.Config{})
	ctx := context.Background()
	if _, err := e.store.CreateOrganization(ctx, store.Organization{ID: "dez1", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat I"}); err != nil {
		t.Fatal(err)
	}
	decided := func(token, title, dept string, result motion.Result) string {
		id := e.motionAs(token, "motion", title, map[string]any{"addressed_department": dept})
		e.run(token, id, motion.CmdSubmit, nil, http.StatusOK)
		e.run("office", id, motion.CmdRegister, nil, http.StatusOK)
		e.run("office", id, motion.CmdRecordOutcome, map[string]any{"result": result}, http.StatusOK)
		return id
	}
	late := decided("spd", "Radwege sanieren", "dez1", motion.ResultAdopted)
	e.run("office", late, motion.CmdStartImplementation, nil, http.StatusOK)
	toStart := decided("cdu", "=Bänke aufstellen", "", motion.ResultAdoptedAmended)
	reported := decided("spd", "Schulhöfe öffnen", "dez1", motion.ResultAdopted)
	e.run("office", reported, motion.CmdStartImplementation, nil, http.StatusOK)
	e.run("verw", reported, motion.CmdReportImplementation, map[string]any{"text": "Die Schulhöfe sind geöffnet."}, http.StatusOK)
	rejected := decided("spd", "Abgelehnter Antrag", "dez1", motion.ResultRejected)

	now := time.Now().UTC().Truncate(time.Second)
	for id, c := range map[string]struct {
		faction string
		due     time.Time
	}{late: {"spd", now.AddDate(0, 0, -3)}, toStart: {"cdu", now.AddDate(0, 0, 60)}} {
		if err := e.store.ProjectDeadlines(ctx, id, "mannheim", c.faction, []motion.Deadline{{Key: string(motion.DeadlineImplementationReport),
			Kind: motion.DeadlineImplementationReport, Due: c.due, Rule: "implementation_report", RuleVersion: 1, Audiences: []string{"administration"}}}); err != nil {
			t.Fatal(err)
		}
	}

	expect(t, e.do("GET", "/v1/implementation", "", nil), http.StatusUnauthorized)
	expect(t, e.do("GET", "/v1/implementation", "spd", nil), http.StatusForbidden)
	expect(t, e.do("GET", "/v1/implementation", "spd", nil, "Accept", "text/csv"), http.StatusForbidden)

	list := func(token, query string) []implJSON {
		t.Helper()
		r := e.do("GET", "/v1/implementation"+query, token, nil)
		expect(t, r, http.StatusOK)
		return decode[struct {
			Items []implJSON `json:"items"`
		}](t, r).Items
	}
	for _, c := range []struct {
		token, query string
		want         []string
	}{
		{"office", "", []string{late, toStart, reported}},
		{"verw", "", []string{late, toStart, reported}},
		{"office", "?overdue=true", []string{late}},
		{"office", "?department=dez1", []string{late, reported}},
		{"verw", "?stage=to_start", []string{toStart}},
		{"office", "?stage=report_due,reported", []string{late, reported}},
		{"office", "?faction=cdu", []string{toStart}},
		{"office", "?body=heidelberg", nil},
		{"other", "", nil},
	} {
		items := list(c.token, c.query)
		var got []string
		for _, it := range items {
			got = append(got, it.Motion.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q %q: %v, want %v", c.token, c.query, got, c.want)
		}
		if slices.Contains(got, rejected) {
			t.Errorf("a rejected motion is on the implementation list")
		}
		cs, xs := e.exportTable(c.token, "/v1/implementation"+c.query, "umsetzung", "Umsetzung")
		sameTable(t, c.token+" "+c.query, cs, xs, implTable(t, items))
	}

	items := list("office", "")
	byID := map[string]implJSON{}
	for _, it := range items {
		byID[it.Motion.ID] = it
	}
	if it := byID[late]; it.Stage != "report_due" || !it.Overdue || it.ReportDue == nil || it.Department != "dez1" || it.Result != "adopted" {
		t.Errorf("overdue item %+v", it)
	}
	if it := byID[toStart]; it.Stage != "to_start" || it.Overdue || it.ReportDue == nil || it.StageLabel != "Umsetzung einzuleiten" {
		t.Errorf("item to start %+v", it)
	}
	if it := byID[reported]; it.Stage != "reported" || it.Reports != 1 || it.LastReport == nil || it.ReportedBy != "dez1" || it.ReportDue != nil {
		t.Errorf("reported item %+v", it)
	}
	cs, _ := e.exportTable("office", "/v1/implementation", "umsetzung", "Umsetzung")
	if row := cs[2]; row[1] != "'=Bänke aufstellen" || row[8] != "Umsetzung einzuleiten" {
		t.Errorf("CSV row %q: want the title guarded against formulas and the stage", row)
	}
}
