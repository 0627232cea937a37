package oparl_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// The directory every fixture starts with.
const (
	bodyID    = "mannheim"
	spd       = "mannheim-spd"
	cdu       = "mannheim-cdu"
	committee = "mannheim-hauptausschuss"
	council   = "mannheim-gemeinderat"
	dept      = "mannheim-dez1"
	place     = "Ratssaal, Rathaus E 5, 68159 Mannheim"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// fixture is a store with the Mannheim directory and an OParl server on it.
// Motions go through the real domain rules (motion.Apply) and are projected
// like the workflow projects them.
type fixture struct {
	t      *testing.T
	st     *store.Store
	srv    *httptest.Server
	base   string // the endpoint: <server>/oparl/v1
	spd    motion.Actor
	cdu    motion.Actor
	office motion.Actor
	// clock is the workflow clock of the next step; each step advances it.
	clock time.Time
}

func newFixture(t *testing.T, cfg oparl.Config) *fixture {
	t.Helper()
	st := storetest.New(t)
	f := &fixture{t: t, st: st, clock: time.Date(2019, 12, 12, 10, 0, 0, 0, berlin),
		spd:    motion.Actor{Subject: "spd-staff", Name: "Sabine Beispiel", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: spd, Bodies: []string{bodyID}},
		cdu:    motion.Actor{Subject: "cdu-staff", Name: "Carl Muster", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: cdu, Bodies: []string{bodyID}},
		office: motion.Actor{Subject: "ratsbuero", Name: "Rita Ratsbüro", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{bodyID}},
	}
	ctx := t.Context()
	ok(t)(f.st.UpsertBody(ctx, store.Body{ID: bodyID, Name: "Stadt Mannheim", ShortName: "Mannheim"}))
	for _, o := range []store.Organization{
		{ID: spd, Kind: store.OrgFaction, Name: "SPD-Gemeinderatsfraktion Mannheim", ShortName: "SPD"},
		{ID: cdu, Kind: store.OrgFaction, Name: "CDU-Gemeinderatsfraktion Mannheim", ShortName: "CDU"},
		{ID: committee, Kind: store.OrgCommittee, Name: "Hauptausschuss", ShortName: "HA"},
		{ID: council, Kind: store.OrgCouncil, Name: "Gemeinderat", ShortName: "GR"},
		{ID: dept, Kind: store.OrgDepartment, Name: "Dezernat I"},
	} {
		o.BodyID = bodyID
		ok(t)(f.st.CreateOrganization(ctx, o))
	}
	f.srv = httptest.NewServer(oparl.New(cfg, st))
	t.Cleanup(f.srv.Close)
	f.base = f.srv.URL + "/oparl/v1"
	return f
}

// ok fails the test if the call it is given failed: ok(t)(st.CreatePerson(…)).
func ok(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// step runs cmd on m as actor at the next tick of the workflow clock and
// projects the result.
func (f *fixture) step(m *motion.Motion, actor motion.Actor, cmd motion.Command) {
	f.t.Helper()
	f.clock = f.clock.Add(time.Hour)
	f.stepAt(m, actor, cmd, f.clock)
}

// stepAt is step at a given workflow time.
func (f *fixture) stepAt(m *motion.Motion, actor motion.Actor, cmd motion.Command, at time.Time) {
	f.t.Helper()
	ev, err := motion.Apply(m, motion.Request{Command: cmd, Actor: actor, ExpectedVersion: m.Version, At: at,
		RequestID: fmt.Sprintf("%s-%d", m.ID, m.Version+1)})
	if err != nil {
		f.t.Fatalf("%s on %s: %v", cmd.Name(), m.ID, err)
	}
	if err := f.st.Project(f.t.Context(), *m, ev); err != nil {
		f.t.Fatalf("project %s v%d: %v", m.ID, m.Version, err)
	}
}

// draft creates a draft of actor's faction.
func (f *fixture) draft(id string, actor motion.Actor, kind motion.Kind, c motion.Content) *motion.Motion {
	f.t.Helper()
	m := &motion.Motion{ID: id}
	f.step(m, actor, motion.Create{BodyID: bodyID, Kind: kind, Content: c})
	return m
}

// submitted creates and submits a motion; registered also registers it.
func (f *fixture) submitted(id string, actor motion.Actor, title string) *motion.Motion {
	f.t.Helper()
	m := f.draft(id, actor, motion.KindMotion, motion.Content{Title: title,
		ResolutionPoints: []string{"Die Verwaltung wird beauftragt, zu berichten."}})
	f.step(m, actor, motion.Submit{})
	return m
}

func (f *fixture) register(m *motion.Motion, seq int) {
	f.t.Helper()
	year := f.clock.Year()
	f.step(m, f.office, motion.Register{Reference: fmt.Sprintf("A%d/%d", seq, year), Year: year, Seq: seq})
}

func (f *fixture) meeting(id, org, name string, start time.Time) {
	f.t.Helper()
	end := start.Add(3 * time.Hour)
	ok(f.t)(f.st.CreateMeeting(f.t.Context(), store.Meeting{ID: id, BodyID: bodyID, OrganizationID: org, Name: name,
		Location: place, Start: start, End: &end}))
}

// get fetches an endpoint path ("/paper/x") or absolute URL and decodes the JSON.
func (f *fixture) get(path string, v any) *http.Response {
	f.t.Helper()
	u := path
	if len(path) > 0 && path[0] == '/' {
		u = f.base + path
	}
	res, err := http.Get(u)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil && res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, v); err != nil {
			f.t.Fatalf("GET %s: %v\n%s", u, err, b)
		}
	}
	if res.StatusCode != http.StatusOK && v != nil {
		f.t.Fatalf("GET %s: %d %s", u, res.StatusCode, b)
	}
	return res
}

// listAll follows a list through links.next and returns the ids in order.
func (f *fixture) listAll(path string, q url.Values) []string {
	f.t.Helper()
	next := f.base + path
	if len(q) > 0 {
		next += "?" + q.Encode()
	}
	var ids []string
	for pages := 0; next != ""; pages++ {
		if pages > 100 {
			f.t.Fatalf("%s: more than 100 pages", path)
		}
		var page struct {
			Data  []map[string]any `json:"data"`
			Links struct {
				Next string `json:"next"`
			} `json:"links"`
		}
		f.get(next, &page)
		for _, o := range page.Data {
			ids = append(ids, o["id"].(string))
		}
		next = page.Links.Next
	}
	return ids
}

func ptr[T any](v T) *T { return &v }
