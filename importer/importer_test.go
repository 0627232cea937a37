package importer_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
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

// source is an OParl server a test serves from the fixture files in
// testdata/oparl: {{BASE}} becomes its URL, other {{NAME}}s the test's
// variables (a variable naming a .json file is that file's content).
type source struct {
	*httptest.Server
	mu      sync.Mutex
	routes  map[string]string // path[?query] → fixture file, or a literal body
	vars    map[string]string
	failing map[string]bool // answer 500 while set
	hits    map[string]int
}

func newSource(t *testing.T, routes map[string]string) *source {
	s := &source{routes: routes, vars: map[string]string{}, failing: map[string]bool{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *source) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	s.hits[key]++
	if s.failing[key] {
		http.Error(w, "upstream database unavailable", http.StatusInternalServerError)
		return
	}
	route, ok := s.routes[key]
	if !ok {
		http.NotFound(w, r)
		return
	}
	body := s.render(route)
	if strings.HasSuffix(route, ".json") {
		body = s.file(route)
	}
	if strings.HasPrefix(strings.TrimSpace(body), "<") {
		w.Header().Set("Content-Type", "text/html")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Write([]byte(body))
}

func (s *source) file(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "oparl", name))
	if err != nil {
		panic(err)
	}
	return s.render(string(b))
}

func (s *source) render(out string) string {
	for k, v := range s.vars {
		if !strings.Contains(out, "{{"+k+"}}") {
			continue
		}
		if strings.HasSuffix(v, ".json") {
			v = s.file(v)
		}
		out = strings.ReplaceAll(out, "{{"+k+"}}", v)
	}
	return strings.ReplaceAll(out, "{{BASE}}", s.URL)
}

func (s *source) set(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vars[k] = v
}

func (s *source) fail(key string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing[key] = on
}

func (s *source) hit(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

// beispielstadt is the fixture endpoint: one body, three pages of persons,
// two of organizations, memberships and meetings (in 1.0 and pre-1.0
// spellings), objects by URL, skipped and deleted objects.
func beispielstadt(t *testing.T) *source {
	s := newSource(t, map[string]string{
		"/system":                      "system.json",
		"/bodies":                      "bodies.json",
		"/body/1/legislativeterms":     "legislativeterms.json",
		"/body/1/organizations":        "organizations-1.json",
		"/body/1/organizations?page=2": "organizations-2.json",
		"/body/1/persons":              "persons-1.json",
		"/body/1/persons?page=2":       "persons-2.json",
		"/body/1/persons?page=3":       "persons-3.json",
		"/person/3":                    "person-3.json",
		"/body/1/memberships":          "memberships.json",
		"/body/1/memberships?page=2":   "memberships-2.json",
		"/body/1/meetings":             "meetings-1.json",
		"/body/1/meetings?page=2":      "meetings-2.json",
		"/location/2":                  "location-2.json",
		"/body/1/papers":               `{"data": [], "links": {}}`,
		"/not-json":                    "<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>",
		"/paper/1":                     `{"id": "x", "type": "https://schema.oparl.org/1.1/Paper", "name": "Ein Antrag"}`,
		"/system-bad-body":             `{"id": "x", "type": "https://schema.oparl.org/1.1/System", "oparlVersion": "https://schema.oparl.org/1.1/", "body": "{{BASE}}/bodies-bad"}`,
		"/bodies-bad":                  `{"data": [{"id": "{{BASE}}/body/2", "type": "https://schema.oparl.org/1.1/Body", "name": 42}], "links": {}}`,
		"/system-no-list":              `{"id": "x", "type": "https://schema.oparl.org/1.1/System", "oparlVersion": "https://schema.oparl.org/1.1/", "body": "{{BASE}}/paper/1"}`,
	})
	s.set("ORG9", "org9-alive.json")
	s.set("PERSON3", "Carl Muster")
	s.set("M4START", "2020-03-17T15:00:00+01:00")
	return s
}

// counts is how many rows of each table the body has.
func counts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"bodies", "legislative_terms", "organizations", "persons", "memberships", "meetings", "oparl_sources"} {
		var n int
		if err := st.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestImportResumesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	src := beispielstadt(t)
	stateFile := filepath.Join(t.TempDir(), "import.json")
	var progress bytes.Buffer
	opts := importer.Options{Progress: &progress, StateFile: stateFile, Retries: 1, RetryDelay: time.Millisecond}
	ctx := t.Context()

	// 1. The source fails on the third page of persons: the import stops
	// there, with what it read so far stored and its place remembered.
	src.fail("/body/1/persons?page=3", true)
	stats, err := importer.Run(ctx, st, src.URL+"/system", opts)
	var ee *importer.EndpointError
	if !errors.As(err, &ee) || ee.Status != 500 || ee.URL != src.URL+"/body/1/persons?page=3" {
		t.Fatalf("interrupted import: %v (stats %+v)", err, stats)
	}
	if src.hit("/body/1/persons?page=3") != 2 {
		t.Errorf("the failing page was asked %d times, want 2 (one retry)", src.hit("/body/1/persons?page=3"))
	}
	if _, err := os.Stat(stateFile); err != nil {
		t.Fatalf("no state file after the interruption: %v", err)
	}
	if got := counts(t, st); got["persons"] != 4 || got["organizations"] != 5 || got["meetings"] != 0 {
		t.Fatalf("after the interruption: %v", got)
	}

	// 2. The re-run continues at the failed page; finished lists are not read again.
	src.fail("/body/1/persons?page=3", false)
	stats, err = importer.Run(ctx, st, src.URL+"/system", opts)
	if err != nil {
		t.Fatalf("resumed import: %v\n%s", err, progress.String())
	}
	if !stats.Resumed || stats.Persons.Created != 1 || stats.Meetings.Created != 3 || stats.Memberships.Created != 1 {
		t.Errorf("resumed import stats %+v", stats)
	}
	for _, page := range []string{"/body/1/organizations", "/body/1/organizations?page=2", "/body/1/persons", "/body/1/persons?page=2", "/body/1/legislativeterms"} {
		if n := src.hit(page); n != 1 {
			t.Errorf("%s was read %d times over both runs, want once", page, n)
		}
	}
	if _, err := os.Stat(stateFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state file stays after a complete import: %v", err)
	}
	want := map[string]int{"bodies": 1, "legislative_terms": 2, "organizations": 5, "persons": 5, "memberships": 4, "meetings": 3, "oparl_sources": 20}
	if got := counts(t, st); !equal(got, want) {
		t.Errorf("after the import: %v, want %v", got, want)
	}
	if stats.Skipped != 2 {
		t.Errorf("skipped %d (%v), want the membership of an unknown organization and the meeting without start", stats.Skipped, stats.Warnings)
	}
	if !strings.Contains(progress.String(), "Personen (Stadt Beispielstadt): Seite 1, 2 Objekte") ||
		!strings.Contains(progress.String(), "weiter ab "+src.URL+"/body/1/persons?page=3") {
		t.Errorf("progress output:\n%s", progress.String())
	}

	// What arrived, under stable local ids.
	org, err := st.Organization(ctx, "beispielstadt-org-4")
	if err != nil || org.Kind != store.OrgFaction || org.ShortName != "CDU" || org.BodyID != "beispielstadt" {
		t.Errorf("the 1.0-style faction: %+v %v", org, err)
	}
	for id, kind := range map[string]store.OrgKind{"beispielstadt-org-1": store.OrgCouncil, "beispielstadt-org-2": store.OrgCommittee, "beispielstadt-org-3": store.OrgFaction} {
		if o, err := st.Organization(ctx, id); err != nil || o.Kind != kind {
			t.Errorf("%s: %+v %v, want kind %s", id, o, err, kind)
		}
	}
	if p, err := st.Person(ctx, "beispielstadt-person-4"); err != nil || p.Name != "Nora Neu" || p.FamilyName != "Neu" {
		t.Errorf("person 4 (1.0 spellings): %+v %v", p, err)
	}
	m2, err := st.Meeting(ctx, "beispielstadt-meeting-2")
	if err != nil || m2.Location != "Raum 12, Rathausplatz 1, 12345 Beispielstadt" || m2.OrganizationID != "beispielstadt-org-2" {
		t.Errorf("meeting 2 (location by URL): %+v %v", m2, err)
	}
	if m4, err := st.Meeting(ctx, "beispielstadt-meeting-4"); err != nil || !m4.Cancelled {
		t.Errorf("meeting 4: %+v %v", m4, err)
	}
	members, err := st.Members(ctx, "beispielstadt-org-3")
	if err != nil || len(members) != 2 || members[1].Membership.End == nil || members[0].Membership.Role != "Vorsitzender" {
		t.Errorf("SPD members: %+v %v", members, err)
	}

	// 3. A full re-run after changes at the source: one organization deleted,
	// one person renamed; nothing is duplicated.
	src.set("ORG9", "org9-deleted.json")
	src.set("PERSON3", "Carl Muster-Neu")
	src.set("M4START", "2020-03-24T15:00:00+01:00") // postponed by a week
	stats, err = importer.Run(ctx, st, src.URL+"/system", opts)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Resumed || stats.Organizations.Deleted != 1 || stats.Persons.Updated != 1 || stats.Persons.Created != 0 ||
		stats.Organizations.Created != 0 || stats.Meetings.Unchanged != 2 || stats.Meetings.Updated != 1 ||
		stats.Memberships.Unchanged != 5 || !slices.Equal(stats.MovedMeetings, []string{"beispielstadt-meeting-4"}) {
		t.Errorf("re-import stats %+v", stats)
	}
	if got := counts(t, st); !equal(got, want) {
		t.Errorf("after the re-import: %v, want %v", got, want)
	}
	if stats.Skipped != 3 {
		t.Errorf("skipped %d (%v), want the party, the membership of an unknown organization and the meeting without start", stats.Skipped, stats.Warnings)
	}
	var deleted bool
	if err := st.Pool.QueryRow(ctx, `SELECT deleted FROM organizations WHERE id = 'beispielstadt-org-9'`).Scan(&deleted); err != nil || !deleted {
		t.Errorf("organization 9 deleted = %v (%v)", deleted, err)
	}
	if p, _ := st.Person(ctx, "beispielstadt-person-3"); p.Name != "Carl Muster-Neu" {
		t.Errorf("person 3 = %q after the rename", p.Name)
	}

	// 4. Nothing changed: nothing is written.
	stats, err = importer.Run(ctx, st, src.URL+"/system", opts)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]importer.Counts{"bodies": stats.Bodies, "terms": stats.LegislativeTerms, "organizations": stats.Organizations,
		"persons": stats.Persons, "memberships": stats.Memberships, "meetings": stats.Meetings} {
		if c.Created+c.Updated+c.Deleted != 0 {
			t.Errorf("unchanged source, yet %s %+v", name, c)
		}
	}
	if got := counts(t, st); !equal(got, want) {
		t.Errorf("after the third import: %v, want %v", got, want)
	}

	// The imported directory is served again as valid OParl, the deleted
	// organization as a tombstone.
	srv := httptest.NewServer(oparl.New(oparl.Config{}, st))
	t.Cleanup(srv.Close)
	crawl := oparltest.Walk(t, srv.Client(), srv.URL+"/oparl/v1/system", oparltest.LoadSchemas(t, "../oparl/testdata/schema"))
	crawl.CheckReferences(t)
	if o := crawl.Objects[srv.URL+"/oparl/v1/organization/beispielstadt-org-9"]; o["deleted"] != true {
		t.Errorf("organization 9 as OParl: %v", o)
	}
	if n := len(crawl.OfType("Membership")); n != 4 {
		t.Errorf("%d memberships served", n)
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	src := beispielstadt(t)
	run := func(path string) error {
		_, err := importer.Run(t.Context(), st, src.URL+path, importer.Options{Retries: -1})
		return err
	}
	for path, want := range map[string][]string{
		"/not-json":        {src.URL + "/not-json", "not JSON", "text/html", "Wartungsarbeiten"},
		"/nirgends":        {src.URL + "/nirgends", "404"},
		"/paper/1":         {src.URL + "/paper/1", "not an OParl System", "Paper"},
		"/system-no-list":  {src.URL + "/paper/1", "no data array"},
		"/system-bad-body": {src.URL + "/body/2", `field "name"`, "a number"},
	} {
		err := run(path)
		if err == nil {
			t.Errorf("%s: imported", path)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", path, err, w)
			}
		}
	}
	var oe *importer.ObjectError
	if err := run("/system-bad-body"); !errors.As(err, &oe) || oe.URL != src.URL+"/body/2" || oe.Field != "name" {
		t.Errorf("bad object: %#v", err)
	}
	var ee *importer.EndpointError
	if err := run("/nirgends"); !errors.As(err, &ee) || ee.Status != 404 {
		t.Errorf("404: %#v", err)
	}
	if err := run(""); err == nil {
		t.Errorf("the server root imported")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := importer.Run(ctx, st, src.URL+"/system", importer.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled import: %v", err)
	}
}

func equal(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
