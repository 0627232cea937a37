package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
)

// fakeMotions stands in for the workflows: it applies commands with the
// domain, one at a time, and projects them into the real read model, as the
// workflow does. It lets the API be tested without a Temporal server; the e2e
// tests run the real thing.
type fakeMotions struct {
	st   *store.Store
	mu   sync.Mutex
	m    map[string]*motion.Motion
	seen map[string]bool
	// fail, when set, is returned by every call.
	fail error
	// calendar are the motions told of meeting changes.
	calendar []string
}

func newFakeMotions(st *store.Store) *fakeMotions {
	return &fakeMotions{st: st, m: map[string]*motion.Motion{}, seen: map[string]bool{}}
}

func (f *fakeMotions) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

func (f *fakeMotions) Create(ctx context.Context, id string, cmd motion.Command, meta workflows.Meta) (motion.Motion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return motion.Motion{}, f.fail
	}
	m, ok := f.m[id]
	if !ok {
		m = &motion.Motion{ID: id}
	}
	if m.Version > 0 && f.seen[meta.RequestID] {
		return *m, nil
	}
	return f.apply(ctx, id, m, cmd, meta)
}

func (f *fakeMotions) Send(ctx context.Context, id string, cmd motion.Command, meta workflows.Meta) (motion.Motion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return motion.Motion{}, f.fail
	}
	m, ok := f.m[id]
	if !ok {
		return motion.Motion{}, &motion.Error{Code: motion.CodeNotFound, Message: "Antrag nicht gefunden."}
	}
	if f.seen[meta.RequestID] {
		return *m, nil
	}
	if reg, ok := cmd.(motion.Register); ok {
		if _, err := motion.Permit(m, motion.CmdRegister, meta.Actor, meta.ExpectedVersion); err == nil {
			ref, seq, err := f.st.AssignReference(ctx, m.BodyID, m.ID, 2026)
			if err != nil {
				return motion.Motion{}, err
			}
			reg.Reference, reg.Year, reg.Seq = ref, 2026, seq
			cmd = reg
		}
	}
	return f.apply(ctx, id, m, cmd, meta)
}

func (f *fakeMotions) apply(ctx context.Context, id string, m *motion.Motion, cmd motion.Command, meta workflows.Meta) (motion.Motion, error) {
	next := m.Clone()
	ev, err := motion.Apply(next, motion.Request{Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
		At: time.Now().UTC().Truncate(time.Microsecond), RequestID: meta.RequestID, Revision: motion.RulesRevision})
	if err != nil {
		return motion.Motion{}, err
	}
	if err := f.st.Project(ctx, *next, ev); err != nil {
		return motion.Motion{}, err
	}
	f.m[id] = next
	f.seen[meta.RequestID] = true
	return *next, nil
}

// CalendarChanged records which motions were told of a meeting change.
func (f *fakeMotions) CalendarChanged(_ context.Context, ids ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calendar = append(f.calendar, ids...)
	return nil
}

func (f *fakeMotions) State(_ context.Context, id string) (motion.Motion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.m[id]
	if !ok {
		return motion.Motion{}, &motion.Error{Code: motion.CodeNotFound, Message: "Antrag nicht gefunden."}
	}
	return *m, nil
}

// fakeAuth knows tokens by name.
type fakeAuth map[string]motion.Actor

func (a fakeAuth) Verify(_ context.Context, tok string) (motion.Actor, error) {
	if x, ok := a[tok]; ok {
		return x, nil
	}
	return motion.Actor{}, errors.New("unknown token")
}

var actors = fakeAuth{
	"spd":    {Issuer: "test", Subject: "spd-1", Name: "Sabine SPD", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"mannheim"}},
	"cdu":    {Issuer: "test", Subject: "cdu-1", Name: "Carl CDU", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "cdu", Bodies: []string{"mannheim"}},
	"office": {Issuer: "test", Subject: "office-1", Name: "Rita Ratsbüro", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"mannheim"}},
	"admin":  {Issuer: "test", Subject: "admin-1", Name: "Anton Admin", Roles: []motion.Role{motion.RoleAdmin}, Bodies: []string{"mannheim"}},
	"verw":   {Issuer: "test", Subject: "verw-1", Name: "Vera Verwaltung", Roles: []motion.Role{motion.RoleAdministration}, Department: "dez1", Bodies: []string{"mannheim"}},
	"other":  {Issuer: "test", Subject: "other-1", Name: "Otto Heidelberg", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"heidelberg"}},
}

type env struct {
	t       *testing.T
	srv     *httptest.Server
	store   *store.Store
	motions *fakeMotions
	logs    *bytes.Buffer
}

// newEnv serves the API on a fresh database; opts may add dependencies.
func newEnv(t *testing.T, cfg api.Config, opts ...func(*api.Deps)) *env {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	for _, b := range []store.Body{{ID: "mannheim", Name: "Stadt Mannheim"}, {ID: "heidelberg", Name: "Stadt Heidelberg"}} {
		if _, err := st.UpsertBody(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []store.Organization{
		{ID: "spd", BodyID: "mannheim", Kind: store.OrgFaction, Name: "SPD-Fraktion"},
		{ID: "cdu", BodyID: "mannheim", Kind: store.OrgFaction, Name: "CDU-Fraktion"},
		{ID: "gr", BodyID: "mannheim", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "ha", BodyID: "mannheim", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "hd-gr", BodyID: "heidelberg", Kind: store.OrgCouncil, Name: "Gemeinderat Heidelberg"},
	} {
		if _, err := st.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	fm := newFakeMotions(st)
	logs := &bytes.Buffer{}
	deps := api.Deps{Motions: fm, Auth: actors, Store: st, Logger: newLogger(logs)}
	for _, o := range opts {
		o(&deps)
	}
	h, _ := api.New(cfg, deps)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: st, motions: fm, logs: logs}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request; body may be nil, a string (sent as is) or a value (JSON).
func (e *env) do(method, path, token string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func expect(t *testing.T, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if status >= 400 && status != http.StatusNotModified {
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("error content type %q, want application/problem+json: %s", ct, r.body)
		}
	}
}

// draft creates a draft of the SPD faction and returns its id.
func (e *env) draft(title string) string {
	e.t.Helper()
	r := e.do("POST", "/v1/motions", "spd", map[string]any{
		"body_id": "mannheim", "kind": "motion", "title": title, "resolution_points": []string{"Die Verwaltung wird beauftragt."},
	})
	expect(e.t, r, http.StatusCreated)
	return r.json(e.t)["id"].(string)
}

// run sends a command with the motion's current version and expects status.
func (e *env) run(token, id string, cmd motion.CommandName, body any, status int) resp {
	e.t.Helper()
	m, err := e.motions.State(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	r := e.do("POST", "/v1/motions/"+id+"/"+strings.ReplaceAll(string(cmd), "_", "-"), token, body,
		"If-Match", fmt.Sprintf("%q", fmt.Sprint(m.Version)))
	expect(e.t, r, status)
	return r
}

// SendMeeting decides a meeting command as the MeetingWorkflow does
// (meeting.Apply on the state as the read model has it) and projects the
// result; what the meeting would tell the motions is left out.
func (f *fakeMotions) SendMeeting(ctx context.Context, current meeting.Meeting, cmd meeting.Command, meta workflows.Meta) (meeting.Meeting, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return meeting.Meeting{}, f.fail
	}
	ev, _, err := meeting.Apply(&current, meeting.Request{Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
		At: time.Now().Truncate(time.Microsecond), RequestID: meta.RequestID})
	if err != nil {
		return meeting.Meeting{}, err
	}
	return current, f.st.ProjectMeeting(ctx, current, ev)
}

// MeetingChanged has nothing to tell: the fake keeps no meeting workflows.
func (f *fakeMotions) MeetingChanged(context.Context, meeting.Meeting) error { return nil }
