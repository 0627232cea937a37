// Package e2e runs motionflow end to end: the HTTP API (api.New) in an
// httptest.Server, the real MotionWorkflow and activities on an embedded
// Temporal server (temporaltest), a fresh PostgreSQL database (storetest), and
// real OIDC bearer tokens from an in-process issuer (authtest) checked by
// auth.Verifier. Nothing is faked: a test talks HTTP only, like a client.
//
// All end-to-end tests live in this one package, because every test binary
// that links the Temporal server takes minutes to build cold.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"
)

// The body and directory every harness starts with.
const (
	bodyID     = "mannheim"
	factionSPD = "mannheim-spd"
	factionCDU = "mannheim-cdu"
	department = "mannheim-dez1"
	committee  = "mannheim-hauptausschuss"
	council    = "mannheim-gemeinderat"
)

// user is a caller with a real signed token; the zero token is anonymous.
type user struct {
	Subject string
	Name    string
	Role    motion.Role
	token   string
}

// harness is one complete motionflow: Temporal, worker, database, issuer, API.
type harness struct {
	t      *testing.T
	URL    string
	Store  *store.Store
	Issuer *authtest.Issuer
	// Temporal is a client of the embedded server, for looking behind the API.
	Temporal client.Client
	http     *http.Client

	// Users, one per role, plus a second faction and the anonymous public.
	SPD, CDU, Office, Dept, Admin, Anon user
}

// newHarness starts everything and seeds the body "mannheim" with its
// factions, a department, the Hauptausschuss and the Gemeinderat, over HTTP.
func newHarness(t *testing.T, cfg api.Config) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, harnessOptions{})
}

// harnessOptions inject faults into an otherwise real system.
type harnessOptions struct {
	// failAfterAssign makes every first attempt of AssignReference fail after
	// the number was committed, as a worker dying at that moment would.
	failAfterAssign bool
	// mailer sends the worker's e-mails (reminders, invitations); nil sends none.
	mailer activities.Mailer
	// noWorker leaves the worker to the test (see startWorker), which can
	// then stop it and start another.
	noWorker bool
}

func newHarnessWith(t *testing.T, cfg api.Config, opts harnessOptions) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	st := storetest.New(t)

	ts := temporaltest.NewServer(temporaltest.WithT(t), temporaltest.WithBaseClientOptions(client.Options{
		Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}))
	tc := ts.GetDefaultClient()
	if _, err := tc.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        ts.GetDefaultNamespace(),
		SearchAttributes: workflows.SearchAttributes,
	}); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	if !opts.noWorker {
		ts.NewWorker(workflows.TaskQueue, func(r worker.Registry) {
			workflows.Register(r, workflows.Options{})
			acts := &activities.Activities{Store: st, Mailer: opts.mailer}
			acts.Register(r)
			if opts.failAfterAssign {
				r.RegisterActivityWithOptions(func(ctx context.Context, in workflows.AssignReferenceInput) (workflows.AssignReferenceResult, error) {
					res, err := acts.AssignReference(ctx, in)
					if err == nil && activity.GetInfo(ctx).Attempt == 1 {
						return res, errors.New("worker lost after assigning " + res.Reference)
					}
					return res, err
				}, activity.RegisterOptions{Name: workflows.ActivityAssignReference, DisableAlreadyRegisteredCheck: true})
			}
		})
	}

	iss := authtest.NewIssuer(t)
	verifier, err := auth.NewVerifier(ctx, iss.Config())
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	if cfg.Ready == nil {
		cfg.Ready = func(ctx context.Context) error {
			if err := st.Ready(ctx); err != nil {
				return err
			}
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = time.Minute
	}
	handler, _ := api.New(cfg, api.Deps{
		Motions: &workflows.Client{Temporal: tc},
		Auth:    verifier,
		Store:   st,
		Logger:  logger,
	})
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)

	h := &harness{t: t, URL: srv.URL, Store: st, Issuer: iss, Temporal: tc, http: srv.Client()}
	h.SPD = h.user("spd-staff", "Sabine Beispiel (SPD)", motion.RoleFactionStaff, "faction:"+factionSPD)
	h.CDU = h.user("cdu-staff", "Carl Muster (CDU)", motion.RoleFactionStaff, "faction:"+factionCDU)
	h.Office = h.user("ratsbuero", "Rita Ratsbüro", motion.RoleCouncilOffice)
	h.Dept = h.user("dez1", "Dieter Dezernat I", motion.RoleAdministration, "department:"+department)
	h.Admin = h.user("admin", "Ada Admin", motion.RoleAdmin)

	h.mustStatus(h.call("PUT", "/v1/bodies/"+bodyID, h.Admin, map[string]any{"name": "Stadt Mannheim", "short_name": "Mannheim"}), 200)
	for _, o := range []map[string]any{
		{"id": factionSPD, "kind": "faction", "name": "SPD-Gemeinderatsfraktion Mannheim", "short_name": "SPD"},
		{"id": factionCDU, "kind": "faction", "name": "CDU-Gemeinderatsfraktion Mannheim", "short_name": "CDU"},
		{"id": department, "kind": "department", "name": "Dezernat I"},
		{"id": committee, "kind": "committee", "name": "Hauptausschuss", "short_name": "HA"},
		{"id": council, "kind": "council", "name": "Gemeinderat", "short_name": "GR"},
	} {
		h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/organizations", h.Office, o), 201)
	}
	return h
}

// user makes a user of the body with a signed token.
func (h *harness) user(subject, name string, role motion.Role, groups ...string) user {
	groups = append(groups, "role:"+string(role), "body:"+bodyID)
	return user{Subject: subject, Name: name, Role: role,
		token: h.Issuer.Token(h.t, authtest.Claims{Subject: subject, Name: name, Groups: groups})}
}

// response is an HTTP answer with its body read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	req    string
}

func (r response) String() string { return fmt.Sprintf("%s → %d %s", r.req, r.Status, r.Body) }

// call sends a request as u. body is nil, a string or []byte sent verbatim,
// or a value sent as JSON; headers are name, value pairs.
func (h *harness) call(method, path string, u user, body any, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := h.http.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b, req: method + " " + path}
}

// mustStatus fails the test unless r has the status; errors must be problems.
func (h *harness) mustStatus(r response, status int) response {
	h.t.Helper()
	if r.Status != status {
		h.t.Fatalf("want %d: %s", status, r)
	}
	if status >= 400 {
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			h.t.Fatalf("error is %q, not a problem: %s", ct, r)
		}
	}
	return r
}

// decode reads r's JSON body into v.
func (h *harness) decode(r response, v any) {
	h.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		h.t.Fatalf("decode %s: %v", r, err)
	}
}

// motionView is the API's motion as tests read it.
type motionView struct {
	motion.Motion
	StatusLabel    string               `json:"status_label"`
	KindLabel      string               `json:"kind_label"`
	OutcomeLabel   string               `json:"outcome_label"`
	Light          string               `json:"light"`
	AllowedActions []motion.CommandName `json:"allowed_actions"`
}

// problem is an RFC 9457 problem with huma's error details.
type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
	} `json:"errors"`
}

// locations lists the locations a problem names.
func (h *harness) locations(r response) []string {
	h.t.Helper()
	var p problem
	h.decode(r, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	return out
}

// create makes a draft as u and returns it.
func (h *harness) create(u user, kind motion.Kind, content map[string]any, headers ...string) motionView {
	h.t.Helper()
	body := map[string]any{"body_id": bodyID, "kind": kind}
	for k, v := range content {
		body[k] = v
	}
	r := h.mustStatus(h.call("POST", "/v1/motions", u, body, headers...), 201)
	var m motionView
	h.decode(r, &m)
	if want := "/v1/motions/" + m.ID; r.Header.Get("Location") != want {
		h.t.Fatalf("Location %q, want %q", r.Header.Get("Location"), want)
	}
	return m
}

// command posts a command with If-Match "version" and returns the answer.
func (h *harness) command(u user, id string, cmd motion.CommandName, version int64, body any, headers ...string) response {
	h.t.Helper()
	path := "/v1/motions/" + id + "/" + strings.ReplaceAll(string(cmd), "_", "-")
	return h.call("POST", path, u, body, append([]string{"If-Match", etag(version)}, headers...)...)
}

// run sends a command with the motion's current version, expects 200 and
// returns the motion after it.
func (h *harness) run(u user, id string, cmd motion.CommandName, body any) motionView {
	h.t.Helper()
	cur := h.get(u, id)
	r := h.mustStatus(h.command(u, id, cmd, cur.Version, body), 200)
	var m motionView
	h.decode(r, &m)
	if r.Header.Get("ETag") != etag(m.Version) || m.Version != cur.Version+1 {
		h.t.Fatalf("%s: ETag %q, version %d after %d", cmd, r.Header.Get("ETag"), m.Version, cur.Version)
	}
	return m
}

// get reads a motion from the read model as u (200 expected).
func (h *harness) get(u user, id string) motionView {
	h.t.Helper()
	r := h.mustStatus(h.call("GET", "/v1/motions/"+id, u, nil), 200)
	var m motionView
	h.decode(r, &m)
	if r.Header.Get("ETag") != etag(m.Version) {
		h.t.Fatalf("ETag %q for version %d", r.Header.Get("ETag"), m.Version)
	}
	return m
}

// history reads a motion's audit trail as u (200 expected).
func (h *harness) history(u user, id string) []motion.Event {
	h.t.Helper()
	var out struct {
		Items []motion.Event `json:"items"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+id+"/history", u, nil), 200), &out)
	return out.Items
}

// list reads one page of /v1/motions with the query as u.
func (h *harness) list(u user, query string) (items []motionView, next string) {
	h.t.Helper()
	var out struct {
		Items []motionView `json:"items"`
		Next  string       `json:"next"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/motions?"+query, u, nil), 200), &out)
	return out.Items, out.Next
}

// meeting creates a meeting of org as the council office and returns its id.
func (h *harness) meeting(id, org, name string, start time.Time) string {
	h.t.Helper()
	h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/meetings", h.Office, map[string]any{
		"id": id, "organization_id": org, "name": name, "location": "Ratssaal, Rathaus E 5", "start": start,
	}), 201)
	return id
}

func etag(version int64) string { return fmt.Sprintf(`"%d"`, version) }

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startWorker starts a worker of the harness's Temporal with the given
// activities, for a harness made with noWorker; stopping it is the test's.
func (h *harness) startWorker(acts *activities.Activities) worker.Worker {
	h.t.Helper()
	w := worker.New(h.Temporal, workflows.TaskQueue, worker.Options{})
	workflows.Register(w, workflows.Options{})
	acts.Register(w)
	if err := w.Start(); err != nil {
		h.t.Fatalf("start worker: %v", err)
	}
	return w
}

// hostPortPort is the port of a "host:port" address.
func hostPortPort(t *testing.T, hostPort string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(hostPort)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return port
}
