package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// FuzzRequestBodies posts fuzzed bytes as the request body of every operation
// of api.New that takes one (taken from its OpenAPI document, so a new
// operation is fuzzed without touching this test), as a caller who may run it
// on a record in a state where it applies, so that the bytes reach the
// validation of huma and of the domain. The API runs on the real read model
// (storetest) with fakeMotions, which applies commands with motion.Apply.
// Whatever the bytes: never a 5xx (a panic is a 500), and every 4xx is an
// application/problem+json with the same status in its body.
//
// The selector picks the operation (low byte), the caller (bits 8–10: 0 is
// the caller the operation is meant for) and whether If-Match is left out
// (bit 11).
func FuzzRequestBodies(f *testing.F) {
	fz := newFuzzEnv(f)
	for i, op := range fz.ops {
		for _, b := range fuzzSeedBodies(op.OperationID) {
			f.Add(uint16(i), []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, sel uint16, body []byte) {
		fz.tb = t // testing.F may not be used inside the fuzz function
		op := fz.ops[int(sel&0xff)%len(fz.ops)]
		caller := int(sel>>8) & 7
		r := fz.call(t, op, caller, sel&0x800 != 0, body)
		if r.status >= 500 {
			t.Fatalf("%s %s answered %d: %s\nbody: %q", op.Method, op.Path, r.status, r.body, body)
		}
		if r.status >= 400 {
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%s %s: %d with content type %q: %s", op.Method, op.Path, r.status, ct, r.body)
			}
			var p huma.ErrorModel
			if err := json.Unmarshal(r.body, &p); err != nil || p.Status != r.status {
				t.Fatalf("%s %s: %d with problem %s (%v)", op.Method, op.Path, r.status, r.body, err)
			}
		} else if len(r.body) > 0 && !json.Valid(r.body) {
			t.Fatalf("%s %s: %d with a body that is not JSON: %q", op.Method, op.Path, r.status, r.body)
		}
	})
}

// fuzzEnv is the API with its read model, seeded with a body, its
// organizations and a meeting, and one motion per command in a status where
// the command applies.
type fuzzEnv struct {
	tb      testing.TB
	srv     *httptest.Server
	store   *store.Store
	motions *fakeMotions
	ops     []*huma.Operation
	// fixture is the motion each command runs on; a command that succeeded
	// (and so moved its motion on) gets a fresh one.
	fixture map[motion.CommandName]string
	stale   map[motion.CommandName]bool
	n       int
}

func newFuzzEnv(tb testing.TB) *fuzzEnv {
	tb.Helper()
	st := storetest.New(tb)
	ctx := context.Background()
	for _, b := range []store.Body{{ID: "mannheim", Name: "Stadt Mannheim"}, {ID: "heidelberg", Name: "Stadt Heidelberg"}} {
		if _, err := st.UpsertBody(ctx, b); err != nil {
			tb.Fatal(err)
		}
	}
	for _, o := range []store.Organization{
		{ID: "spd", BodyID: "mannheim", Kind: store.OrgFaction, Name: "SPD-Fraktion"},
		{ID: "cdu", BodyID: "mannheim", Kind: store.OrgFaction, Name: "CDU-Fraktion"},
		{ID: "gr", BodyID: "mannheim", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "ha", BodyID: "mannheim", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "dez1", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat I"},
		{ID: "fuzz-org", BodyID: "mannheim", Kind: store.OrgCommittee, Name: "Gepatchtes Gremium"},
		{ID: "hd-gr", BodyID: "heidelberg", Kind: store.OrgCouncil, Name: "Gemeinderat Heidelberg"},
	} {
		if _, err := st.CreateOrganization(ctx, o); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := st.CreatePerson(ctx, store.Person{ID: "p1", BodyID: "mannheim", Name: "Paula Person"}); err != nil {
		tb.Fatal(err)
	}
	fm := newFakeMotions(st)
	h, a := api.New(api.Config{}, api.Deps{Motions: fm, Auth: actors, Store: st})
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	fz := &fuzzEnv{tb: tb, srv: srv, store: st, motions: fm, fixture: map[motion.CommandName]string{}, stale: map[motion.CommandName]bool{}}
	fz.ops = bodyOperations(a.OpenAPI())
	if len(fz.ops) == 0 {
		tb.Fatal("no operation with a request body")
	}
	for _, m := range []map[string]any{
		{"id": "ha-1", "organization_id": "ha", "name": "Hauptausschuss", "start": "2026-05-05T16:00:00+02:00"},
		{"id": "gr-1", "organization_id": "gr", "name": "Gemeinderat", "start": "2026-05-19T16:00:00+02:00"},
		{"id": "fuzz-meeting", "organization_id": "gr", "name": "Gepatchte Sitzung", "start": "2026-06-02T16:00:00+02:00"},
	} {
		fz.must(fz.do("POST", "/v1/bodies/mannheim/meetings", "office", m, ""), http.StatusCreated)
	}
	return fz
}

// bodyOperations lists the operations that take a request body, sorted by id.
func bodyOperations(doc *huma.OpenAPI) []*huma.Operation {
	var ops []*huma.Operation
	for _, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op != nil && op.RequestBody != nil {
				ops = append(ops, op)
			}
		}
	}
	slices.SortFunc(ops, func(a, b *huma.Operation) int { return strings.Compare(a.OperationID, b.OperationID) })
	return ops
}

type fuzzResp struct {
	status int
	header http.Header
	body   []byte
}

func (fz *fuzzEnv) do(method, path, token string, body any, ifMatch string) fuzzResp {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			fz.tb.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, fz.srv.URL+path, rd)
	if err != nil {
		fz.tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	// A request that hangs is a finding too (a leaked connection, a lock).
	ctx, cancel := context.WithTimeout(req.Context(), 20*time.Second)
	defer cancel()
	res, err := fz.srv.Client().Do(req.WithContext(ctx))
	if err != nil {
		fz.tb.Fatalf("%s %s: %v\nbody: %q", method, path, err, body)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		fz.tb.Fatal(err)
	}
	return fuzzResp{status: res.StatusCode, header: res.Header, body: b}
}

func (fz *fuzzEnv) must(r fuzzResp, status int) fuzzResp {
	fz.tb.Helper()
	if r.status != status {
		fz.tb.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// tokenOf is the fake token of the first role of a rule.
var fuzzTokenOf = map[motion.Role]string{
	motion.RoleFactionStaff: "spd", motion.RoleCouncilOffice: "office",
	motion.RoleAdministration: "verw", motion.RoleAdmin: "admin",
}

// otherCallers are the callers besides the intended one (selector 1–7).
var fuzzOtherCallers = []string{"spd", "cdu", "office", "verw", "admin", "other", ""}

// call posts body to op, filling in its path parameters.
func (fz *fuzzEnv) call(t *testing.T, op *huma.Operation, caller int, noIfMatch bool, body []byte) fuzzResp {
	path, token, ifMatch := op.Path, "admin", ""
	cmd, isCommand := fuzzCommandOf(op.Path)
	switch {
	case isCommand:
		id := fz.motionFor(cmd)
		m, err := fz.motions.State(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		path, token, ifMatch = strings.ReplaceAll(path, "{id}", id), fuzzTokenOf[motion.Table[cmd].Roles[0]], fmt.Sprintf(`"%d"`, m.Version)
	case op.OperationID == "create-motion", op.OperationID == "create-user-feed":
		token = "spd"
	case strings.HasPrefix(path, "/v1/motions/{id}"):
		path, token = strings.ReplaceAll(path, "{id}", fz.motionFor(motion.CmdRegister)), "cdu"
	case strings.HasPrefix(path, "/v1/organizations/{id}/members"):
		path, token = strings.ReplaceAll(path, "{id}", "ha"), "office"
	case strings.HasPrefix(path, "/v1/organizations/{id}"):
		path, token = strings.ReplaceAll(path, "{id}", "fuzz-org"), "office"
	case strings.HasPrefix(path, "/v1/meetings/{id}"):
		path, token = strings.ReplaceAll(path, "{id}", "fuzz-meeting"), "office"
	case strings.HasSuffix(path, "/organizations"), strings.HasSuffix(path, "/meetings"), strings.HasSuffix(path, "/persons"):
		token = "office"
	}
	path = strings.ReplaceAll(path, "{body}", "mannheim")
	path = strings.ReplaceAll(path, "{id}", "x")
	if caller > 0 {
		token = fuzzOtherCallers[caller-1]
	}
	if noIfMatch {
		ifMatch = ""
	}
	r := fz.do(op.Method, path, token, body, ifMatch)
	if isCommand && r.status < 300 {
		fz.stale[cmd] = true // the motion moved on
	}
	return r
}

// commandOf returns the command of a command path.
func fuzzCommandOf(path string) (motion.CommandName, bool) {
	for _, c := range motion.Commands {
		if c != motion.CmdCreate && path == api.CommandPath(c) {
			return c, true
		}
	}
	return "", false
}

// motionFor returns a motion on which cmd applies now, making one if needed.
func (fz *fuzzEnv) motionFor(cmd motion.CommandName) string {
	if id, ok := fz.fixture[cmd]; ok && !fz.stale[cmd] {
		return id
	}
	rule := motion.Table[cmd]
	kind := "motion"
	if slices.Equal(rule.Kinds, []motion.Kind{motion.KindInquiry}) {
		kind = "inquiry"
	}
	fz.n++
	r := fz.must(fz.do("POST", "/v1/motions", "spd", map[string]any{
		"body_id": "mannheim", "kind": kind, "title": fmt.Sprintf("Fuzz-Antrag %d", fz.n),
		"resolution_points": []string{"Die Verwaltung wird beauftragt."}, "addressed_department": "dez1",
	}, ""), http.StatusCreated)
	var m struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		fz.tb.Fatal(err)
	}
	// The path to the first status the rule starts from.
	yes := true
	path := map[motion.Status][]struct {
		token string
		cmd   motion.CommandName
		body  any
	}{
		motion.StatusDraft:          nil,
		motion.StatusSubmitted:      {{"spd", motion.CmdSubmit, nil}},
		motion.StatusRegistered:     {{"spd", motion.CmdSubmit, nil}, {"office", motion.CmdRegister, nil}},
		motion.StatusInConsultation: {{"spd", motion.CmdSubmit, nil}, {"office", motion.CmdRegister, nil}, {"office", motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": "ha"}, {"organization_id": "gr", "decisive": true}}}}, {"office", motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": "ha-1", "override": "Nacherfassung der Sitzung vom Mai"}}},
	}
	decided := append(slices.Clone(path[motion.StatusInConsultation]),
		struct {
			token string
			cmd   motion.CommandName
			body  any
		}{"office", motion.CmdRecordOutcome, map[string]any{"result": "adopted", "originator_agreed": yes}})
	path[motion.StatusDecided] = decided
	path[motion.StatusImplementation] = append(slices.Clone(decided), struct {
		token string
		cmd   motion.CommandName
		body  any
	}{"office", motion.CmdStartImplementation, nil})
	from := rule.From[0]
	if cmd == motion.CmdRecordResult || cmd == motion.CmdCorrectResult {
		from = motion.StatusInConsultation
	}
	steps, ok := path[from]
	if !ok {
		fz.tb.Fatalf("no way to status %s for %s", from, cmd)
	}
	if cmd == motion.CmdCorrectResult {
		steps = append(slices.Clone(steps), struct {
			token string
			cmd   motion.CommandName
			body  any
		}{"office", motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "recommend_approval"}})
	}
	for i, s := range steps {
		if s.body == nil {
			s.body = map[string]any{}
		}
		r := fz.do("POST", "/v1/motions/"+m.ID+"/"+strings.ReplaceAll(string(s.cmd), "_", "-"), s.token, s.body, fmt.Sprintf(`"%d"`, i+1))
		fz.must(r, http.StatusOK)
	}
	fz.fixture[cmd], fz.stale[cmd] = m.ID, false
	return m.ID
}

// fuzzSeedBodies are a few valid and invalid bodies per operation (the
// committed corpus in testdata/fuzz/FuzzRequestBodies has more).
func fuzzSeedBodies(opID string) []string {
	common := []string{`{}`, `null`, `[]`, `{"`, "\xff", `{"unknown":1}`}
	switch opID {
	case "create-motion":
		return append(common, `{"body_id":"mannheim","kind":"motion","title":"Neue Bänke","resolution_points":["Aufstellen."]}`,
			`{"body_id":"mannheim","kind":"inquiry","title":"Wie?","resolution_points":["Wie viele?"],"attachments":[{"name":"a.pdf","url":"ftp://x","sha256":"00"}]}`)
	case "motion-edit":
		return append(common, `{"title":"Geändert","resolution_points":["Punkt"],"tags":["a","a"]}`)
	case "motion-set-route":
		return append(common, `{"steps":[{"organization_id":"ha"},{"organization_id":"gr","decisive":true}]}`, `{"steps":[{"organization_id":"hd-gr","decisive":true}]}`)
	case "motion-record-result":
		return append(common, `{"consultation_id":"c1","result":"referred","referred_to":"gr"}`,
			`{"consultation_id":"c1","result":"recommend_approval","vote":{"yes":1,"no":0,"abstain":0,"named":[{"name":"A","vote":"yes"}]}}`)
	case "motion-set-deadline":
		return append(common, `{"key":"agenda_placement","due":"2026-06-30T18:00:00+02:00","reason":"Sondersitzung"}`, `{"key":"x","due":"nope","reason":""}`)
	case "put-deadline-rules":
		return append(common, `{"agenda_placement_meetings":2,"submission_cutoff":"14d","papers_due":"7d","inquiry_answer":"21d","inquiry_answer_fundamental":"42d","implementation_report_months":6,"stale":"90d","offsets":["-7d","0"],"escalation":"7d","escalation_max":3}`,
			`{"offsets":["107000d"],"stale":"-1d"}`)
	case "create-meeting":
		return append(common, `{"organization_id":"gr","name":"Sitzung","start":"2026-07-01T16:00:00+02:00","end":"2026-07-01T15:00:00+02:00"}`)
	case "create-notification-target":
		return append(common, `{"audience":"faction:spd","channel":"webhook","address":"https://hook.example/x"}`, `{"audience":"council_office","channel":"email","address":"not an address"}`)
	}
	return common
}
