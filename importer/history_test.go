package importer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/importer"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/oparl/oparltest"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// archive is a generated OParl 1.1 server of a city's history: one body,
// one organization, papers (each with a main file, every fifth with an
// auxiliary file, every tenth file with its text, one consultation each) and
// meetings of itemsPerMeeting agenda items, item i dealing with paper i.
// Lists have pageSize objects a page; a page can be made to fail.
type archive struct {
	*httptest.Server
	papers   int
	mu       sync.Mutex
	failPage string // "<list>?page=<n>" answers 500 while set
	hits     map[string]int
}

const (
	pageSize        = 100
	itemsPerMeeting = 20
	// The words only one paper has: one in its name, one in its file's text.
	uniqueNameWord = "Bürgerhaussanierung"
	uniqueFileWord = "Schuldnerberatung"
	uniquePaper    = 4242
)

func newArchive(t *testing.T, papers int) *archive {
	a := &archive{papers: papers, hits: map[string]int{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *archive) meetings() int { return (a.papers + itemsPerMeeting - 1) / itemsPerMeeting }

func (a *archive) serve(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	a.mu.Lock()
	a.hits[key]++
	fail := a.failPage != "" && a.failPage == key
	a.mu.Unlock()
	if fail {
		http.Error(w, "upstream database unavailable", http.StatusInternalServerError)
		return
	}
	base := a.URL
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	var out any
	switch p := r.URL.Path; {
	case p == "/system":
		out = map[string]any{"id": base + "/system", "type": "https://schema.oparl.org/1.1/System",
			"oparlVersion": "https://schema.oparl.org/1.1/", "body": base + "/bodies"}
	case p == "/bodies":
		out = a.list(base+"/bodies", 1, 1, func(int) any { return a.body() })
	case p == "/body/1":
		out = a.body()
	case p == "/body/1/organizations":
		out = a.list(base+"/body/1/organizations", 1, 1, func(int) any {
			return map[string]any{"id": base + "/organization/1", "type": "https://schema.oparl.org/1.1/Organization",
				"name": "Gemeinderat", "organizationType": "Gremium", "created": "2010-01-01T00:00:00+01:00"}
		})
	case p == "/body/1/meetings":
		out = a.list(base+"/body/1/meetings", page, a.meetings(), a.meeting)
	case p == "/body/1/papers":
		out = a.list(base+"/body/1/papers", page, a.papers, a.paper)
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (a *archive) body() map[string]any {
	base := a.URL
	return map[string]any{"id": base + "/body/1", "type": "https://schema.oparl.org/1.1/Body", "name": "Stadt Archivhausen",
		"shortName": "Archivhausen", "organization": base + "/body/1/organizations", "meeting": base + "/body/1/meetings",
		"paper": base + "/body/1/papers", "legislativeTerm": []any{}}
}

// list is page of a list of n objects numbered from 0.
func (a *archive) list(self string, page, n int, obj func(int) any) map[string]any {
	data := []any{}
	for i := (page - 1) * pageSize; i < min(page*pageSize, n); i++ {
		data = append(data, obj(i))
	}
	links := map[string]any{"first": self}
	if page*pageSize < n {
		links["next"] = fmt.Sprintf("%s?page=%d", self, page+1)
	}
	return map[string]any{"data": data, "pagination": map[string]any{"totalElements": n}, "links": links}
}

func (a *archive) meeting(j int) any {
	base := a.URL
	start := time.Date(2015, 1, 5, 16, 0, 0, 0, time.UTC).AddDate(0, 0, 7*j)
	var items []any
	for k := 0; k < itemsPerMeeting; k++ {
		i := j*itemsPerMeeting + k
		if i >= a.papers {
			break
		}
		items = append(items, map[string]any{"id": fmt.Sprintf("%s/agendaitem/%d", base, i), "type": "https://schema.oparl.org/1.1/AgendaItem",
			"meeting": fmt.Sprintf("%s/meeting/%d", base, j), "number": strconv.Itoa(k + 1), "order": k + 1,
			"name": fmt.Sprintf("Drucksache DS %05d", i), "public": k%7 != 6, "result": "beschlossen",
			"consultation": fmt.Sprintf("%s/consultation/%d", base, i), "created": "2015-01-01T10:00:00+01:00"})
	}
	return map[string]any{"id": fmt.Sprintf("%s/meeting/%d", base, j), "type": "https://schema.oparl.org/1.1/Meeting",
		"name": fmt.Sprintf("%d. Sitzung des Gemeinderats", j+1), "start": start.Format(time.RFC3339),
		"organization": []any{base + "/organization/1"}, "agendaItem": items, "created": "2015-01-01T10:00:00+01:00"}
}

func (a *archive) paper(i int) any {
	base := a.URL
	name := fmt.Sprintf("Antrag %d zur Verkehrsberuhigung im Stadtteil %d", i, i%37)
	text := ""
	if i%10 == 0 {
		text = fmt.Sprintf("Der Gemeinderat möge beschließen: Radwege im Stadtteil %d.", i%37)
	}
	if i == uniquePaper {
		name = "Antrag zur " + uniqueNameWord + " in der Altstadt"
		text = "Begründung: die " + uniqueFileWord + " braucht Räume."
	}
	file := func(id, name string) map[string]any {
		f := map[string]any{"id": id, "type": "https://schema.oparl.org/1.1/File", "name": name, "fileName": "ds.pdf",
			"mimeType": "application/pdf", "size": 1000 + i, "date": "2015-02-01", "accessUrl": id + "/access",
			"downloadUrl": id + "/download", "paper": []any{fmt.Sprintf("%s/paper/%d", base, i)}}
		return f
	}
	main := file(fmt.Sprintf("%s/file/%d", base, i), "Vorlage")
	if text != "" {
		main["text"] = text
	}
	p := map[string]any{"id": fmt.Sprintf("%s/paper/%d", base, i), "type": "https://schema.oparl.org/1.1/Paper",
		"body": base + "/body/1", "name": name, "reference": fmt.Sprintf("DS %05d", i), "paperType": "Antrag",
		"date":    time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/3).Format(time.DateOnly),
		"keyword": []any{"Verkehr"}, "mainFile": main, "created": "2015-01-01T10:00:00+01:00",
		"consultation": []any{map[string]any{"id": fmt.Sprintf("%s/consultation/%d", base, i),
			"type": "https://schema.oparl.org/1.1/Consultation", "paper": fmt.Sprintf("%s/paper/%d", base, i),
			"meeting":    fmt.Sprintf("%s/meeting/%d", base, i/itemsPerMeeting),
			"agendaItem": fmt.Sprintf("%s/agendaitem/%d", base, i), "organization": []any{base + "/organization/1"},
			"authoritative": true, "role": "Entscheidung"}},
	}
	p["originatorOrganization"] = []any{base + "/organization/1", "https://elsewhere.example/organization/7"}
	if i > 0 {
		p["relatedPaper"] = []any{fmt.Sprintf("%s/paper/%d", base, i-1)}
	}
	if i%5 == 0 {
		p["auxiliaryFile"] = []any{file(fmt.Sprintf("%s/file/a%d", base, i), "Anlage")}
	}
	return p
}

// archiveCounts are the rows of the archive's tables and mapping.
func archiveCounts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"papers", "paper_consultations", "paper_files", "agenda_items", "meetings", "oparl_sources"} {
		var n int
		if err := st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// fingerprint is every imported row's id and row version (xmin): it changes
// when a row is added or rewritten.
func fingerprint(t *testing.T, st *store.Store) string {
	t.Helper()
	var out []string
	for _, table := range []string{"papers", "paper_consultations", "paper_files", "agenda_items", "meetings", "oparl_sources"} {
		key := "id"
		if table == "oparl_sources" {
			key = "oparl_id || local_id"
		}
		var s string
		if err := st.Pool.QueryRow(t.Context(), `SELECT coalesce(md5(string_agg(`+key+` || ':' || xmin::text, ',' ORDER BY `+key+`)), '')
			FROM `+table).Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, table+"="+s)
	}
	return strings.Join(out, " ")
}

// TestImportHistory imports a city's history of 10,000 papers, is
// interrupted and resumed, and checks that the result is complete, free of
// duplicates and stable, searchable, and published again as valid OParl.
func TestImportHistory(t *testing.T) {
	t.Parallel()
	const n = 10000
	st := storetest.New(t)
	src := newArchive(t, n)
	stateFile := filepath.Join(t.TempDir(), "state.json")
	opts := importer.Options{StateFile: stateFile, Retries: -1}

	// The first run fails in the middle of the papers.
	src.failPage = "/body/1/papers?page=57"
	start := time.Now()
	_, err := importer.Run(t.Context(), st, src.URL+"/system", opts)
	var ee *importer.EndpointError
	if !errors.As(err, &ee) || ee.Status != http.StatusInternalServerError {
		t.Fatalf("interrupted run: %v", err)
	}
	var state struct {
		Done []string
		Next string
	}
	b, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &state); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(state.Next, "/body/1/papers?page=57") {
		t.Fatalf("state after the interruption: %s", b)
	}
	if got := archiveCounts(t, st)["papers"]; got != 56*pageSize {
		t.Errorf("%d papers after the interruption, want %d", got, 56*pageSize)
	}

	// The second run resumes at the failed page.
	src.mu.Lock()
	src.failPage = ""
	src.mu.Unlock()
	stats, err := importer.Run(t.Context(), st, src.URL+"/system", opts)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if !stats.Resumed {
		t.Error("the second run did not resume")
	}
	for _, key := range []string{"/body/1/papers", "/body/1/papers?page=56", "/body/1/meetings", "/body/1/meetings?page=5"} {
		if h := src.hits[key]; h != 1 {
			t.Errorf("%s fetched %d times", key, h)
		}
	}
	if h := src.hits["/body/1/papers?page=57"]; h != 2 {
		t.Errorf("the failed page was fetched %d times", h)
	}
	if stats.Papers.Created != n-56*pageSize || stats.Papers.Updated != 0 {
		t.Errorf("resumed run: papers %+v", stats.Papers)
	}
	if _, err := os.Stat(stateFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file left after a complete run: %v", err)
	}
	files := n + n/5
	want := map[string]int{"papers": n, "paper_consultations": n, "paper_files": files, "agenda_items": n,
		"meetings": n / itemsPerMeeting}
	want["oparl_sources"] = 1 + 1 + want["meetings"] + n + n + files + n // body, organization, …
	got := archiveCounts(t, st)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d rows, want %d", k, got[k], v)
		}
	}
	objects := n + n + files + n + want["meetings"]
	t.Logf("imported %d objects (%d papers) in %s, interrupted once: %.0f objects/s",
		objects, n, elapsed.Round(time.Millisecond), float64(objects)/elapsed.Seconds())

	// A second full run changes nothing and keeps every id.
	before := fingerprint(t, st)
	start = time.Now()
	stats, err = importer.Run(t.Context(), st, src.URL+"/system", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("re-import of an unchanged source: %s", time.Since(start).Round(time.Millisecond))
	if stats.Resumed {
		t.Error("a run after a complete one resumed")
	}
	for name, c := range map[string]importer.Counts{"papers": stats.Papers, "consultations": stats.Consultations,
		"files": stats.Files, "agenda items": stats.AgendaItems, "meetings": stats.Meetings} {
		if c.Created+c.Updated+c.Deleted != 0 || c.Unchanged == 0 {
			t.Errorf("unchanged source, yet %s %+v", name, c)
		}
	}
	if after := fingerprint(t, st); after != before {
		t.Errorf("the re-import wrote rows:\nbefore %s\nafter  %s", before, after)
	}

	// The source's ids and reference numbers are kept.
	paperID, err := st.ResolveOParlIDs(t.Context(), store.OParlKindPaper, "archivhausen",
		[]store.OParlIDRequest{{OParlID: fmt.Sprintf("%s/paper/%d", src.URL, uniquePaper)}})
	if err != nil {
		t.Fatal(err)
	}
	local := paperID[fmt.Sprintf("%s/paper/%d", src.URL, uniquePaper)]
	if local != fmt.Sprintf("archivhausen-paper-%d", uniquePaper) {
		t.Errorf("local id of paper %d: %q", uniquePaper, local)
	}

	// Search finds the paper by a word of its name and by a word of its file.
	for _, q := range []string{uniqueNameWord, uniqueFileWord, "DS 04242"} {
		hits, _, err := st.Papers(t.Context(), store.PaperFilter{BodyID: "archivhausen", Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].ID != local || hits[0].Reference != "DS 04242" ||
			hits[0].SourceID != fmt.Sprintf("%s/paper/%d", src.URL, uniquePaper) || len(hits[0].Files) != 1 {
			t.Errorf("search %q: %+v", q, hits)
		}
	}
	// Paging by keyset: all papers of a topic, each once.
	seen := map[string]bool{}
	for after := ""; ; {
		hits, next, err := st.Papers(t.Context(), store.PaperFilter{Query: "Radwege", Limit: 200, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if seen[h.ID] {
				t.Fatalf("%s twice", h.ID)
			}
			seen[h.ID] = true
		}
		if next == "" {
			break
		}
		after = next
	}
	if len(seen) != n/10 { // the text of every tenth paper's file
		t.Errorf("Radwege: %d papers, want %d", len(seen), n/10)
	}

	// The archive is published again as OParl, valid against the schemas.
	srv := httptest.NewServer(oparl.New(oparl.Config{}, st))
	t.Cleanup(srv.Close)
	schemas := oparltest.LoadSchemas(t, "../oparl/testdata/schema")
	base := srv.URL + "/oparl/v1"
	get := func(u string) map[string]any {
		t.Helper()
		res, err := srv.Client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", u, res.StatusCode, buf.String())
		}
		dec := json.NewDecoder(&buf)
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	validate := func(where string, o map[string]any) {
		t.Helper()
		for _, p := range schemas.Validate(where, o) {
			t.Error(p)
		}
	}
	// The paper list, page by page: every paper once, in key order.
	listed := map[string]bool{}
	next := base + "/body/archivhausen/papers"
	pages := 0
	for next != "" {
		page := get(next)
		pages++
		data := page["data"].([]any)
		for i, x := range data {
			o := x.(map[string]any)
			if pages <= 2 || pages%25 == 0 {
				validate(fmt.Sprintf("%s data[%d]", next, i), o)
			}
			if listed[o["id"].(string)] {
				t.Fatalf("%s listed twice", o["id"])
			}
			listed[o["id"].(string)] = true
		}
		links := page["links"].(map[string]any)
		next, _ = links["next"].(string)
	}
	if len(listed) != n {
		t.Errorf("the paper list has %d papers on %d pages, want %d", len(listed), pages, n)
	}
	paper := get(base + "/paper/" + local)
	validate("paper", paper)
	if paper["reference"] != "DS 04242" || paper["name"] != "Antrag zur "+uniqueNameWord+" in der Altstadt" {
		t.Errorf("paper: %v", paper)
	}
	if fmt.Sprint(paper["originatorOrganization"]) != "["+base+"/organization/archivhausen-org-1]" ||
		fmt.Sprint(paper["relatedPaper"]) != fmt.Sprintf("[%s/paper/archivhausen-paper-%d]", base, uniquePaper-1) {
		t.Errorf("paper's references: %v, %v", paper["originatorOrganization"], paper["relatedPaper"])
	}
	mainFile, _ := paper["mainFile"].(map[string]any)
	if mainFile == nil || !strings.Contains(fmt.Sprint(mainFile["text"]), uniqueFileWord) ||
		mainFile["accessUrl"] != fmt.Sprintf("%s/file/%d/access", src.URL, uniquePaper) {
		t.Errorf("main file: %v", mainFile)
	}
	validate("file", get(mainFile["id"].(string)))
	cons := paper["consultation"].([]any)
	if len(cons) != 1 {
		t.Fatalf("consultations: %v", cons)
	}
	c := get(cons[0].(map[string]any)["id"].(string))
	validate("consultation", c)
	if c["paper"] != base+"/paper/"+local || c["meeting"] == nil || c["agendaItem"] == nil {
		t.Errorf("consultation: %v", c)
	}
	meeting := get(c["meeting"].(string))
	validate("meeting", meeting)
	items, _ := meeting["agendaItem"].([]any)
	if len(items) != itemsPerMeeting {
		t.Errorf("the meeting has %d agenda items", len(items))
	}
	item := get(c["agendaItem"].(string))
	validate("agenda item", item)
	if item["consultation"] != c["id"] || item["meeting"] != meeting["id"] {
		t.Errorf("agenda item: %v", item)
	}
	for _, l := range []string{"consultations", "files", "agendaitems"} {
		validate(l, get(base + "/body/archivhausen/" + l)["data"].([]any)[0].(map[string]any))
	}
}

// TestImportHistoryWalk imports a small history and walks all of it as an
// OParl client does: every object and reference valid.
func TestImportHistoryWalk(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	src := newArchive(t, 150)
	if _, err := importer.Run(t.Context(), st, src.URL+"/system", importer.Options{Retries: -1}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(oparl.New(oparl.Config{PageSize: 40}, st))
	t.Cleanup(srv.Close)
	crawl := oparltest.Walk(t, srv.Client(), srv.URL+"/oparl/v1/system", oparltest.LoadSchemas(t, "../oparl/testdata/schema"))
	crawl.CheckReferences(t)
	for typ, want := range map[string]int{"Paper": 150, "Consultation": 150, "File": 180, "AgendaItem": 150, "Meeting": 8} {
		if got := len(crawl.OfType(typ)); got != want {
			t.Errorf("%d objects of type %s served, want %d", got, typ, want)
		}
	}
}
