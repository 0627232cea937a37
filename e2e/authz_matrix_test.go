package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// TestAuthorizationMatrix runs every operation of the API (taken from the
// OpenAPI document of api.New) as every kind of caller — staff of the
// motion's own faction, staff of another faction, the council office, the
// administration, an admin and the anonymous public — on every kind of record
// it addresses: the own faction's draft, another faction's draft, a
// co-sponsored draft, and public motions in every status (and of the kinds
// and departments the rules distinguish). Each answer must be the documented
// one (the status codes in (*authzMatrix).rows; for the motion commands, the transition
// table that the operations' descriptions are generated from; for the meeting
// commands, the meeting's rules: the council office of the body, on a meeting
// in a status that allows the command) and listed among the operation's
// responses in the OpenAPI document.
//
// The test fails when the API has an operation without a row in (*authzMatrix).rows:
// a new operation must be classified here.
//
// Refusals change nothing, so they are probed on one motion per state; a
// command the caller may run is run on a fresh motion brought to the same
// state, and must answer 200. At the end every probed motion still has its
// version.
func TestAuthorizationMatrix(t *testing.T) {
	start := time.Now()
	h := newHarness(t, api.Config{})
	mx := newAuthzMatrix(t, h)

	ops := mxOperations()
	rows := mx.rows()
	for id, op := range ops {
		if _, ok := rows[id]; !ok {
			t.Errorf("operation %s (%s %s) has no row in the authorization matrix: classify it in (*authzMatrix).rows in e2e/authz_matrix_test.go", id, op.Method, op.Path)
		}
	}
	for id := range rows {
		if _, ok := ops[id]; !ok {
			t.Errorf("the authorization matrix has a row for %s, which the API does not have", id)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("setup %v", time.Since(start).Round(time.Millisecond))

	// Build every cell; probe the refusals per record (sequentially on the
	// same record, records in parallel); run the commands that succeed on
	// fresh replicas.
	type cell struct {
		id string
		op *huma.Operation
		rw authzRow
		c  authzCaller
		t  *authzTarget
	}
	groups := map[string][]cell{}
	var successes []cell
	for _, id := range mxSortedKeys(ops) {
		op, r := ops[id], rows[id]
		targets := []*authzTarget{nil}
		switch r.on {
		case mxOnMotion:
			targets = mx.motions
		case mxOnOrganization:
			targets = mx.orgs
		case mxOnMeeting:
			targets = []*authzTarget{mx.meeting}
		}
		for _, tg := range targets {
			for _, c := range mx.callers {
				want := r.want(c, tg)
				if _, ok := op.Responses[strconv.Itoa(want)]; !ok {
					t.Errorf("%s as %s on %s: the answer %d is not documented among the responses %v", id, c.name, tg.label(), want, mxSortedKeys(op.Responses))
				}
				x := cell{id: id, op: op, rw: r, c: c, t: tg}
				if r.mutates && want < 300 {
					successes = append(successes, x)
					continue
				}
				groups[tg.label()] = append(groups[tg.label()], x)
			}
		}
	}

	var probes, runs atomic.Int64
	var mu sync.Mutex
	codes := map[int]int{}
	check := func(x cell, tg *authzTarget) {
		want := x.rw.want(x.c, x.t)
		r := mx.send(x.op, x.rw, x.c, tg)
		mu.Lock()
		codes[r.Status]++
		mu.Unlock()
		if r.Status != want {
			t.Errorf("%s as %s on %s: %s, want %d", x.id, x.c.name, x.t.label(), r, want)
			return
		}
		if want >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s as %s on %s: %d is not a problem: %s", x.id, x.c.name, x.t.label(), want, r)
		}
	}
	labels := mxSortedKeys(groups)
	parallel(t, len(labels), 4, func(i int) {
		for _, x := range groups[labels[i]] {
			check(x, x.t)
			probes.Add(1)
		}
	})
	parallel(t, len(successes), 6, func(i int) {
		x := successes[i]
		fresh := mx.build(x.t)
		check(x, fresh)
		runs.Add(1)
	})

	// Nothing a refusal touched changed.
	var mp struct {
		Version int64 `json:"version"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/meetings/"+mx.meeting.id+"/process", h.Office, nil), 200), &mp)
	if mp.Version != mx.meeting.version {
		t.Errorf("meeting %s: refused requests changed it to version %d (was %d)", mx.meeting.id, mp.Version, mx.meeting.version)
	}
	for _, tg := range mx.motions {
		r := h.mustStatus(h.call("GET", "/v1/motions/"+tg.id+"?consistent=true", tg.owner, nil), 200)
		var m motionView
		h.decode(r, &m)
		if m.Version != tg.version || m.Status != tg.status {
			t.Errorf("%s: refused requests changed it to version %d, status %s (was %d, %s)", tg.name, m.Version, m.Status, tg.version, tg.status)
		}
	}
	t.Logf("%d operations, %d callers, %d motion states: %d refusals and reads probed, %d commands run on fresh motions and meetings, answers %v, in %v",
		len(ops), len(mx.callers), len(mx.motions), probes.Load(), runs.Load(), codes, time.Since(start).Round(time.Millisecond))
}

// apiOperations are the operations of the OpenAPI document of api.New, by id.
func mxOperations() map[string]*huma.Operation {
	_, a := api.New(api.Config{}, api.Deps{})
	ops := map[string]*huma.Operation{}
	for _, item := range a.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch, item.Head, item.Options} {
			if op != nil {
				ops[op.OperationID] = op
			}
		}
	}
	return ops
}

func mxSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// caller is one of the six kinds of caller.
type authzCaller struct {
	name    string
	u       user
	role    motion.Role // "" for the anonymous public
	faction string
	dept    string
	person  string // the directory person of a councillor
}

func (c authzCaller) anonymous() bool { return c.role == "" }

// scope says what an operation's path addresses.
type authzScope int

const (
	mxOnNothing      authzScope = iota // no record, or one the row prepares
	mxOnMotion                         // every motion state
	mxOnOrganization                   // a faction and a committee
	mxOnMeeting                        // one meeting
)

// row classifies one operation.
type authzRow struct {
	on authzScope
	// want is the documented answer for a caller on a record.
	want func(c authzCaller, t *authzTarget) int
	// body is the request body (nil: none).
	body func(c authzCaller, t *authzTarget) any
	// prepare makes what the request needs and returns path parameters.
	prepare func(c authzCaller, t *authzTarget) map[string]string
	// mutates marks a command whose success changes the motion: a success
	// runs on a fresh replica of the record.
	mutates bool
}

// target is a record the operations are tried on: a motion in a state, or an
// organization or meeting.
type authzTarget struct {
	name string
	id   string
	// For motions: the owning faction's user and how to make another like it.
	owner      user
	faction    string
	cosponsors []string
	// invited are the factions invited to co-sponsor that have not answered.
	invited []string
	// signers are the persons named on a motion of councillors, the
	// initiator first; the content names the others.
	signers []string
	kind    motion.Kind
	status  motion.Status
	dept    string // the department an inquiry is addressed to
	version int64
	adopted bool
	// scheduled is a consultation on a meeting's agenda, done one with a result.
	scheduled, scheduledMeeting string
	done                        string
	doneDecisive                bool
	recipe                      []authzStep
	content                     map[string]any
	// For organizations.
	faction2 bool // the organization is a faction
	short    string
	// isMeeting marks a meeting (id, version): a fresh one is a planned
	// meeting of the committee with a free item t1 and the item t2 of
	// mx.agendaMotion.
	isMeeting bool
}

func (t *authzTarget) label() string {
	if t == nil {
		return "-"
	}
	return t.name
}

// step is one command of a recipe, run by the named user.
type authzStep struct {
	by   string
	cmd  motion.CommandName
	body any
}

type authzMatrix struct {
	t       *testing.T
	h       *harness
	callers []authzCaller
	motions []*authzTarget
	orgs    []*authzTarget
	meeting *authzTarget
	person  string
	// agendaMotion is a motion in consultation that fresh meetings put on
	// their agenda (consultation c1 of the committee).
	agendaMotion string
	seq          atomic.Int64
	users        map[string]user
	// cycleID is the budget cycle the budget rows read and change.
	cycleID   string
	cycleOnce sync.Once
	// councillor is the councillor caller; initiator the councillor who
	// moves the councillors' draft and names the caller as a signer. Both
	// are members of the council.
	councillor, initiator user
	councillorPerson      string
	initiatorPerson       string
}

const (
	mxGruene     = "mannheim-gruene"
	mxOtherDept  = "mannheim-dez2"
	mxMeetingHA  = "authz-ha"
	mxMeetingGR  = "authz-gr"
	mxMeetingOwn = "authz-patch"
	// mxMeetingHeld has been held: its invitation is published, its draft
	// minutes are there for the council office.
	mxMeetingHeld = "authz-held"
)

func newAuthzMatrix(t *testing.T, h *harness) *authzMatrix {
	mx := &authzMatrix{t: t, h: h}
	mx.callers = []authzCaller{
		{name: "staff of the own faction", u: h.SPD, role: motion.RoleFactionStaff, faction: factionSPD},
		{name: "staff of another faction", u: h.CDU, role: motion.RoleFactionStaff, faction: factionCDU},
		{name: "council office", u: h.Office, role: motion.RoleCouncilOffice},
		{name: "administration", u: h.Dept, role: motion.RoleAdministration, dept: department},
		{name: "admin", u: h.Admin, role: motion.RoleAdmin},
		{name: "anonymous", u: h.Anon},
	}
	mx.users = map[string]user{"spd": h.SPD, "cdu": h.CDU, "office": h.Office, "dept": h.Dept}
	// Two members of the council who sign in as councillors.
	member := func(name string) string {
		var p struct {
			ID string `json:"id"`
		}
		h.decode(h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/persons", h.Office, map[string]any{"name": name}), 201), &p)
		h.mustStatus(h.call("POST", "/v1/organizations/"+council+"/members", h.Office, map[string]any{"person_id": p.ID, "role": "Mitglied"}), 201)
		return p.ID
	}
	mx.councillorPerson, mx.initiatorPerson = member("Konrad Rat"), member("Ines Initiatorin")
	mx.councillor = h.user("rat-konrad", "Konrad Rat", motion.RoleCouncillor, "person:"+mx.councillorPerson)
	mx.initiator = h.user("rat-ines", "Ines Initiatorin", motion.RoleCouncillor, "person:"+mx.initiatorPerson)
	mx.callers = append(mx.callers, authzCaller{name: "named councillor", u: mx.councillor, role: motion.RoleCouncillor, person: mx.councillorPerson})
	mx.users["councillor"] = mx.councillor
	h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/organizations", h.Office,
		map[string]any{"id": mxGruene, "kind": "faction", "name": "Grüne im Gemeinderat", "short_name": "Grüne"}), 201)
	h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/organizations", h.Office,
		map[string]any{"id": mxOtherDept, "kind": "department", "name": "Dezernat II"}), 201)
	// Results are recorded in the committee's and the council's meetings, so
	// they have been held; the council office schedules into them after the
	// fact, with its reason (mxBackfill).
	h.meeting(mxMeetingHA, committee, "Hauptausschuss", time.Now().AddDate(0, 0, -14))
	h.meeting(mxMeetingGR, council, "Gemeinderat", time.Now().AddDate(0, 0, -7))
	h.meeting(mxMeetingOwn, committee, "Hauptausschuss (Sondersitzung)", time.Now().AddDate(0, 3, 0))
	mx.meeting = &authzTarget{name: "meeting", id: mxMeetingOwn, isMeeting: true,
		version: mx.meetingCmd(mxMeetingOwn, meeting.CmdAddItem, mxFreeItem)}
	// The held meeting begins in a few seconds: its invitation goes out
	// before, its session is opened once the shared records are built.
	heldStart := time.Now().Add(10 * time.Second)
	h.meeting(mxMeetingHeld, committee, "Hauptausschuss (abgeschlossene Sitzung)", heldStart)
	mx.meetingCmd(mxMeetingHeld, meeting.CmdAddItem, mxFreeItem)
	mx.meetingCmd(mxMeetingHeld, meeting.CmdPublishInvitation, nil)
	var p struct {
		ID string `json:"id"`
	}
	h.decode(h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/persons", h.Office, map[string]any{"name": "Paula Probe"}), 201), &p)
	mx.person = p.ID

	route2 := map[string]any{"steps": []map[string]any{{"organization_id": committee}, {"organization_id": council, "decisive": true}}}
	route1 := map[string]any{"steps": []map[string]any{{"organization_id": council, "decisive": true}}}
	adopted := map[string]any{"consultation_id": "c1", "result": "adopted", "vote": map[string]any{"yes": 30, "no": 10, "abstain": 2}}
	submitRegister := []authzStep{{"spd", motion.CmdSubmit, nil}, {"office", motion.CmdRegister, nil}}
	decided := append(slices.Clone(submitRegister),
		authzStep{"office", motion.CmdSetRoute, route1},
		authzStep{"office", motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": mxMeetingGR, "override": mxBackfill}},
		authzStep{"office", motion.CmdRecordResult, adopted})
	inquiry := map[string]any{"resolution_points": []string{"Wie viele Bänke gibt es?"}, "addressed_department": department}
	inquiryOther := map[string]any{"resolution_points": []string{"Wie viele Bäume gibt es?"}, "addressed_department": mxOtherDept}

	specs := []*authzTarget{
		{name: "own faction's draft", owner: h.SPD, faction: factionSPD, kind: motion.KindMotion, status: motion.StatusDraft},
		{name: "another faction's draft", owner: h.CDU, faction: factionCDU, kind: motion.KindMotion, status: motion.StatusDraft},
		{name: "co-sponsored draft", owner: h.SPD, faction: factionSPD, cosponsors: []string{factionCDU}, kind: motion.KindMotion, status: motion.StatusDraft,
			recipe: []authzStep{{"spd", motion.CmdInviteCosponsor, map[string]any{"faction": factionCDU}}, {"cdu", motion.CmdAcceptCosponsorship, nil}}},
		{name: "draft with a pending invitation", owner: h.SPD, faction: factionSPD, invited: []string{factionCDU}, kind: motion.KindMotion, status: motion.StatusDraft,
			recipe: []authzStep{{"spd", motion.CmdInviteCosponsor, map[string]any{"faction": factionCDU}}}},
		{name: "councillors' draft", owner: mx.initiator, signers: []string{mx.initiatorPerson, mx.councillorPerson}, kind: motion.KindMotion,
			status: motion.StatusDraft, content: map[string]any{"signers": []map[string]any{{"person_id": mx.councillorPerson}}}},
		{name: "submitted", status: motion.StatusSubmitted, recipe: []authzStep{{"spd", motion.CmdSubmit, nil}}},
		{name: "registered", status: motion.StatusRegistered, recipe: submitRegister},
		{name: "in consultation", status: motion.StatusInConsultation, scheduled: "c2", scheduledMeeting: mxMeetingGR, done: "c1",
			recipe: append(slices.Clone(submitRegister),
				authzStep{"office", motion.CmdSetRoute, route2},
				authzStep{"office", motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": mxMeetingHA, "override": mxBackfill}},
				authzStep{"office", motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "recommend_approval"}},
				authzStep{"office", motion.CmdSchedule, map[string]any{"consultation_id": "c2", "meeting_id": mxMeetingGR, "override": mxBackfill}})},
		{name: "decided", status: motion.StatusDecided, adopted: true, done: "c1", doneDecisive: true, recipe: decided},
		{name: "in implementation", status: motion.StatusImplementation, adopted: true, done: "c1", doneDecisive: true,
			recipe: append(slices.Clone(decided), authzStep{"office", motion.CmdStartImplementation, nil})},
		{name: "closed", status: motion.StatusClosed, adopted: true, done: "c1", doneDecisive: true,
			recipe: append(slices.Clone(decided), authzStep{"office", motion.CmdClose, map[string]any{"note": "Erledigt."}})},
		{name: "withdrawn after submission", status: motion.StatusWithdrawn,
			recipe: []authzStep{{"spd", motion.CmdSubmit, nil}, {"spd", motion.CmdWithdraw, map[string]any{"reason": "Hat sich erledigt."}}}},
		{name: "inadmissible", status: motion.StatusInadmissible,
			recipe: []authzStep{{"spd", motion.CmdSubmit, nil}, {"office", motion.CmdDeclareInadmissible, map[string]any{"reason": "Nicht zuständig."}}}},
		{name: "lapsed", status: motion.StatusLapsed,
			recipe: append(slices.Clone(submitRegister), authzStep{"office", motion.CmdLapse, map[string]any{"reason": "Ende der Wahlperiode."}})},
		{name: "registered inquiry to the caller's department", kind: motion.KindInquiry, dept: department, content: inquiry,
			status: motion.StatusRegistered, recipe: submitRegister},
		{name: "registered inquiry to another department", kind: motion.KindInquiry, dept: mxOtherDept, content: inquiryOther,
			status: motion.StatusRegistered, recipe: submitRegister},
		{name: "answered inquiry", kind: motion.KindInquiry, dept: department, content: inquiry, status: motion.StatusAnswered,
			recipe: append(slices.Clone(submitRegister), authzStep{"dept", motion.CmdRecordAnswer, map[string]any{"text": "Es gibt 412 Bänke."}})},
	}
	for _, s := range specs {
		if s.owner.token == "" && len(s.signers) == 0 {
			s.owner, s.faction = h.SPD, factionSPD
		}
		if s.kind == "" {
			s.kind = motion.KindMotion
		}
	}
	// The shared records, built in parallel.
	parallel(t, len(specs), 6, func(i int) {
		built := mx.build(specs[i])
		if built.status != specs[i].status {
			t.Errorf("%s: built a %s motion", specs[i].name, built.status)
		}
		specs[i].id, specs[i].version = built.id, built.version
	})
	mx.motions = specs
	mx.orgs = []*authzTarget{
		{name: "own faction (organization)", id: factionSPD, faction2: true, short: "SPD"},
		{name: "committee (organization)", id: committee, short: "HA"},
	}
	// The motion that fresh meetings put on their agenda.
	mx.agendaMotion = mx.build(&authzTarget{name: "on the agenda", owner: h.SPD, faction: factionSPD, kind: motion.KindMotion,
		recipe: append(slices.Clone(submitRegister), authzStep{"office", motion.CmdSetRoute, route2})}).id

	// The held meeting: opened once it has begun, its item dealt with, closed;
	// closing makes the draft minutes.
	time.Sleep(time.Until(heldStart))
	mx.meetingCmd(mxMeetingHeld, meeting.CmdOpenSession, map[string]any{"members": []string{"Paula Probe"}, "present": []string{"Paula Probe"}})
	mx.meetingCmd(mxMeetingHeld, meeting.CmdRecordResults, map[string]any{"item_ids": []string{"t1"}, "result": "noted"})
	mx.meetingCmd(mxMeetingHeld, meeting.CmdCloseSession, nil)
	waitFor(t, 30*time.Second, "the draft minutes of the held meeting", func() bool {
		return h.call("GET", "/v1/meetings/"+mxMeetingHeld+"/minutes.pdf", h.Office, nil).Status == http.StatusOK
	})
	return mx
}

// mxBackfill is the council office's reason for scheduling into a meeting
// whose day has passed.
const mxBackfill = "Nacherfassung der Sitzung."

// mxFreeItem is an agenda item that is neither a motion nor a paper.
var mxFreeItem = map[string]any{"kind": "free", "public": true, "title": "Mitteilungen der Verwaltung"}

// meetingCmd runs a meeting command as the council office on any version
// and returns the meeting's new version.
func (mx *authzMatrix) meetingCmd(id string, name meeting.CommandName, body any) int64 {
	h := mx.h
	r := h.mustStatus(h.call("POST", strings.Replace(api.MeetingCommandPath(name), "{id}", id, 1), h.Office, body, "If-Match", "*"), 200)
	var v struct {
		Version int64 `json:"version"`
	}
	h.decode(r, &v)
	return v.Version
}

// buildMeeting makes a fresh planned meeting of the committee with a free
// item (t1) and the agenda motion's consultation (t2).
func (mx *authzMatrix) buildMeeting(spec *authzTarget) *authzTarget {
	id := fmt.Sprintf("authz-fresh-%d", mx.seq.Add(1))
	mx.h.meeting(id, committee, "Hauptausschuss (frisch)", time.Now().AddDate(0, 3, 0))
	mx.meetingCmd(id, meeting.CmdAddItem, mxFreeItem)
	out := *spec
	out.id = id
	out.version = mx.meetingCmd(id, meeting.CmdAddItem, map[string]any{"kind": "motion", "public": true,
		"motion_id": mx.agendaMotion, "consultation_id": "c1"})
	return &out
}

// build makes a new motion like spec: created by its owner, then the recipe.
func (mx *authzMatrix) build(spec *authzTarget) *authzTarget {
	if spec.isMeeting {
		return mx.buildMeeting(spec)
	}
	h := mx.h
	content := draftContent(fmt.Sprintf("Matrix: %s %d", spec.name, mx.seq.Add(1)))
	for k, v := range spec.content {
		content[k] = v
	}
	m := h.create(spec.owner, spec.kind, content)
	out := *spec
	out.id, out.version = m.ID, m.Version
	for _, s := range spec.recipe {
		r := h.mustStatus(h.command(mx.users[s.by], m.ID, s.cmd, out.version, s.body), 200)
		var after motionView
		h.decode(r, &after)
		out.version, out.status = after.Version, after.Status
	}
	if len(spec.recipe) == 0 {
		out.status = m.Status
	}
	return &out
}

// send makes the cell's request.
func (mx *authzMatrix) send(op *huma.Operation, r authzRow, c authzCaller, t *authzTarget) response {
	params := map[string]string{"body": bodyID}
	if t != nil {
		params["id"] = t.id
	}
	if r.prepare != nil {
		for k, v := range r.prepare(c, t) {
			params[k] = v
		}
	}
	path := op.Path
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	var body any
	if r.body != nil {
		body = r.body(c, t)
	}
	var headers []string
	if _, ok := mxCommandOf(op.Path); ok {
		headers = []string{"If-Match", etag(t.version)}
	}
	if _, ok := mxMeetingCommandOf(op.Path); ok {
		headers = []string{"If-Match", etag(t.version)}
	}
	return mx.h.call(op.Method, path, c.u, body, headers...)
}

// commandOf returns the command whose path is p.
func mxCommandOf(p string) (motion.CommandName, bool) {
	for _, c := range motion.Commands {
		if !motion.Creating(c) && p == api.CommandPath(c) {
			return c, true
		}
	}
	return "", false
}

// meetingCommandOf returns the meeting command whose path is p.
func mxMeetingCommandOf(p string) (meeting.CommandName, bool) {
	for _, c := range meeting.Commands {
		if p == api.MeetingCommandPath(c) {
			return c, true
		}
	}
	return "", false
}

// The documented answers.

func mxEveryone(code int) func(authzCaller, *authzTarget) int {
	return func(authzCaller, *authzTarget) int { return code }
}

// signedIn: 401 for the anonymous public (requireToken), else code.
func mxSignedIn(code int) func(authzCaller, *authzTarget) int {
	return func(c authzCaller, _ *authzTarget) int {
		if c.anonymous() {
			return http.StatusUnauthorized
		}
		return code
	}
}

// roles: 401 anonymous, code for the roles, 403 for the others.
func mxRoles(code int, rs ...motion.Role) func(authzCaller, *authzTarget) int {
	return func(c authzCaller, _ *authzTarget) int {
		switch {
		case c.anonymous():
			return http.StatusUnauthorized
		case slices.Contains(rs, c.role):
			return code
		}
		return http.StatusForbidden
	}
}

// sees reports whether c may see the motion: a public one everybody, a
// draft only the staff of its sponsoring factions.
func (t *authzTarget) sees(c authzCaller) bool {
	if t.status != motion.StatusDraft {
		return true
	}
	if c.role == motion.RoleCouncillor {
		return slices.Contains(t.signers, c.person)
	}
	return c.role == motion.RoleFactionStaff &&
		(c.faction == t.faction || slices.Contains(t.cosponsors, c.faction) || slices.Contains(t.invited, c.faction))
}

// visible: code for a caller who may see the motion, else 404 (never 403);
// anonymous callers get 401 first where a token is required.
func mxVisible(code int, tokenRequired bool) func(authzCaller, *authzTarget) int {
	return func(c authzCaller, t *authzTarget) int {
		switch {
		case tokenRequired && c.anonymous():
			return http.StatusUnauthorized
		case !t.sees(c):
			return http.StatusNotFound
		}
		return code
	}
}

// commandWant is the answer the transition table documents (the command
// operations' descriptions are generated from it): 401 anonymous, 404 for a
// motion the caller may not see, 403 for a role or scope the rule does not
// name, 409 for a status or kind it does not allow, else 200.
func mxCommandWant(name motion.CommandName) func(authzCaller, *authzTarget) int {
	rule := motion.Table[name]
	return func(c authzCaller, t *authzTarget) int {
		if c.anonymous() {
			return http.StatusUnauthorized
		}
		if !t.sees(c) {
			return http.StatusNotFound
		}
		permitted := slices.Contains(rule.Roles, c.role)
		switch {
		case c.role == motion.RoleCouncillor:
			// A councillor acts in person, on a motion of councillors
			// that names them; as its originator only the initiator.
			permitted = permitted && slices.Contains(t.signers, c.person) &&
				(rule.Scope != motion.ScopeOriginator || t.signers[0] == c.person)
		case rule.Scope == motion.ScopeOriginator:
			permitted = permitted && c.faction == t.faction
		case rule.Scope == motion.ScopeSponsor:
			permitted = permitted && (c.faction == t.faction || slices.Contains(t.cosponsors, c.faction))
		case rule.Scope == motion.ScopeInvited:
			permitted = permitted && slices.Contains(t.invited, c.faction)
		case rule.Scope == motion.ScopeDepartment:
			permitted = permitted && (t.dept == "" || c.dept == t.dept)
		}
		if !permitted {
			return http.StatusForbidden
		}
		if !slices.Contains(rule.From, t.status) || (len(rule.Kinds) > 0 && !slices.Contains(rule.Kinds, t.kind)) {
			return http.StatusConflict
		}
		if name == motion.CmdStartImplementation && !t.adopted {
			return http.StatusConflict
		}
		return http.StatusOK
	}
}

// commandBody is a body the command accepts on the record when the caller
// may run it there: a refusal must come from the caller or the state.
func mxCommandBody(name motion.CommandName) func(authzCaller, *authzTarget) any {
	return func(_ authzCaller, t *authzTarget) any {
		switch name {
		case motion.CmdSubmit, motion.CmdRegister, motion.CmdStartImplementation, motion.CmdSign, motion.CmdAcceptCosponsorship:
			return nil
		case motion.CmdDeclineCosponsorship:
			return map[string]any{"reason": "Wir stellen einen eigenen Antrag."}
		case motion.CmdSetDepartments:
			return map[string]any{"lead": department, "involved": []string{mxOtherDept}}
		case motion.CmdEdit:
			return draftContent("Geänderter Entwurf")
		case motion.CmdInviteCosponsor:
			return map[string]any{"faction": mxGruene}
		case motion.CmdSchedule:
			if t.scheduled != "" {
				return map[string]any{"consultation_id": t.scheduled, "meeting_id": t.scheduledMeeting, "override": mxBackfill}
			}
			return map[string]any{"consultation_id": "c1", "meeting_id": mxMeetingGR, "override": mxBackfill}
		case motion.CmdRecordResult:
			id := "c1"
			if t.scheduled != "" {
				id = t.scheduled
			}
			return map[string]any{"consultation_id": id, "result": "adopted", "vote": map[string]any{"yes": 30, "no": 10, "abstain": 2}}
		case motion.CmdCorrectResult:
			if t.done != "" && !t.doneDecisive {
				return map[string]any{"consultation_id": t.done, "result": "recommend_rejection", "reason": "Zählfehler."}
			}
			return map[string]any{"consultation_id": "c1", "result": "rejected", "reason": "Zählfehler.", "vote": map[string]any{"yes": 10, "no": 30, "abstain": 2}}
		}
		b := bodies(name, mxMeetingGR)
		if b == nil {
			panic("authorization matrix: no body for command " + string(name))
		}
		return b
	}
}

// mxMeetingCommandWant is the answer the meeting's rules give: 401
// anonymous, 403 for everybody but the council office of the body (the
// admin included), and for the council office on the planned meeting 200
// where a planned meeting allows the command (meeting.Allowed), else 409.
func mxMeetingCommandWant(name meeting.CommandName) func(authzCaller, *authzTarget) int {
	office := motion.Actor{Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{bodyID}}
	planned := meeting.Allowed(&meeting.Meeting{ID: "planned", BodyID: bodyID, Status: meeting.StatusPlanned, Version: 1}, office)
	return func(c authzCaller, _ *authzTarget) int {
		switch {
		case c.anonymous():
			return http.StatusUnauthorized
		case c.role != motion.RoleCouncilOffice:
			return http.StatusForbidden
		case !slices.Contains(planned, name):
			return http.StatusConflict
		}
		return http.StatusOK
	}
}

// meetingCommandBody is a body the command accepts on a fresh meeting (items
// t1, free, and t2, the agenda motion's): a refusal must come from the
// caller or the meeting's status.
func (mx *authzMatrix) meetingCommandBody(name meeting.CommandName) func(authzCaller, *authzTarget) any {
	return func(authzCaller, *authzTarget) any {
		switch name {
		case meeting.CmdAddItem:
			return map[string]any{"kind": "free", "public": true, "title": "Verschiedenes"}
		case meeting.CmdRemoveItem, meeting.CmdCallItem:
			return map[string]any{"item_id": "t1"}
		case meeting.CmdMoveItem:
			return map[string]any{"item_id": "t1", "position": 2}
		case meeting.CmdCancel:
			return map[string]any{"reason": "Der Sitzungssaal steht nicht zur Verfügung."}
		case meeting.CmdOpenSession:
			return map[string]any{"members": []string{"Paula Probe"}, "present": []string{"Paula Probe"}}
		case meeting.CmdRecordAttendance:
			return map[string]any{"present": []string{"Paula Probe"}}
		case meeting.CmdRecordResults:
			return map[string]any{"item_ids": []string{"t1"}, "result": "noted"}
		case meeting.CmdAmendMinutes:
			return map[string]any{"notes": "Die Sitzung wurde unterbrochen."}
		case meeting.CmdMarkWithdrawn:
			return map[string]any{"motion_id": mx.agendaMotion}
		}
		return nil
	}
}

// rows is the authorization matrix: every operation of the API with its
// documented answers. The motion commands come from the transition table.
func (mx *authzMatrix) rows() map[string]authzRow {
	h := mx.h
	office := []motion.Role{motion.RoleCouncilOffice, motion.RoleAdmin}
	rows := map[string]authzRow{
		"healthz": {want: mxEveryone(200)},
		"readyz":  {want: mxEveryone(200)},

		"list-bodies": {want: mxEveryone(200)},
		"get-body":    {want: mxEveryone(200)},
		"put-body": {want: mxRoles(200, motion.RoleAdmin),
			body: func(authzCaller, *authzTarget) any {
				return map[string]any{"name": "Stadt Mannheim", "short_name": "Mannheim"}
			}},

		"list-organizations": {want: mxEveryone(200)},
		"create-organization": {want: mxRoles(201, office...), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"kind": "committee", "name": fmt.Sprintf("Ausschuss %d", mx.seq.Add(1))}
		}},
		"get-organization": {on: mxOnOrganization, want: mxEveryone(200)},
		"patch-organization": {on: mxOnOrganization, want: mxRoles(200, office...),
			body: func(_ authzCaller, t *authzTarget) any { return map[string]any{"short_name": t.short} }},
		"create-person": {want: mxRoles(201, office...),
			body: func(authzCaller, *authzTarget) any { return map[string]any{"name": "Petra Probe"} }},
		"add-member": {on: mxOnOrganization, want: mxRoles(201, office...),
			body: func(authzCaller, *authzTarget) any { return map[string]any{"person_id": mx.person, "role": "Mitglied"} }},
		"list-members": {on: mxOnOrganization, want: mxEveryone(200)},

		"list-meetings": {want: mxEveryone(200)},
		"create-meeting": {want: mxRoles(201, motion.RoleCouncilOffice), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"organization_id": committee, "name": "Sitzung", "start": time.Now().AddDate(0, 4, 0).Format(time.RFC3339)}
		}},
		"get-meeting":         {on: mxOnMeeting, want: mxEveryone(200)},
		"get-meeting-process": {on: mxOnMeeting, want: mxEveryone(200)},
		"get-meeting-votes":   {on: mxOnMeeting, want: mxEveryone(200)},
		// The held meeting's invitation is public; its minutes are a draft,
		// which only the council office of the body sees.
		"get-meeting-invitation": {want: mxEveryone(200), prepare: func(authzCaller, *authzTarget) map[string]string {
			return map[string]string{"id": mxMeetingHeld}
		}},
		"get-meeting-minutes": {want: func(c authzCaller, _ *authzTarget) int {
			if c.role == motion.RoleCouncilOffice {
				return http.StatusOK
			}
			return http.StatusNotFound
		}, prepare: func(authzCaller, *authzTarget) map[string]string {
			return map[string]string{"id": mxMeetingHeld}
		}},
		"patch-meeting": {on: mxOnMeeting, want: mxRoles(200, motion.RoleCouncilOffice),
			body: func(authzCaller, *authzTarget) any { return map[string]any{"location": "Ratssaal, Rathaus E 5"} }},

		// Faction staff for their faction; a councillor (a member of the
		// council) a motion of councillors.
		"create-motion": {want: mxRoles(201, motion.RoleFactionStaff, motion.RoleCouncillor), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"body_id": bodyID, "kind": "motion", "title": "Neuer Entwurf", "resolution_points": []string{"Punkt."}}
		}},
		// Only the council office enters a submission that reached it on paper.
		"enter-submission": {want: mxRoles(201, motion.RoleCouncilOffice), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"body_id": bodyID, "kind": "motion", "title": "Eingegangener Antrag", "resolution_points": []string{"Punkt."},
				"originator": "faction", "organization": factionCDU,
				"paper": map[string]any{"submitted_by": "Geschäftsstelle der CDU-Fraktion", "received_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "channel": "paper"}}
		}},
		"list-motions": {want: mxEveryone(200)},
		// The archive of imported papers is public, like OParl.
		"list-papers":          {want: mxEveryone(200)},
		"get-motion":           {on: mxOnMotion, want: mxVisible(200, false)},
		"get-motion-history":   {on: mxOnMotion, want: mxVisible(200, false)},
		"get-motion-pdf":       {on: mxOnMotion, want: mxVisible(200, false)},
		"get-motion-deadlines": {on: mxOnMotion, want: mxVisible(200, false)},
		// Amendments and the resolution text: whoever sees the motion.
		"get-motion-lines":           {on: mxOnMotion, want: mxVisible(200, false)},
		"list-motion-amendments":     {on: mxOnMotion, want: mxVisible(200, false)},
		"get-motion-resolution-text": {on: mxOnMotion, want: mxVisible(200, false)},
		// Budget deliberations: everybody reads them, the council office keeps them.
		"list-budget-cycles": {want: mxEveryone(200)},
		"create-budget-cycle": {want: mxRoles(201, motion.RoleCouncilOffice), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"name": fmt.Sprintf("Haushalt %d", mx.seq.Add(1)), "years": []int{2030}}
		}},
		"get-budget-cycle": {want: mxEveryone(200), prepare: func(authzCaller, *authzTarget) map[string]string {
			return map[string]string{"id": mx.budgetCycle()}
		}},
		"list-budget-motions": {want: mxEveryone(200), prepare: func(authzCaller, *authzTarget) map[string]string {
			return map[string]string{"id": mx.budgetCycle()}
		}},
		"update-budget-cycle": {want: mxRoles(200, motion.RoleCouncilOffice), prepare: func(authzCaller, *authzTarget) map[string]string {
			return map[string]string{"id": mx.budgetCycle()}
		}, body: func(authzCaller, *authzTarget) any {
			return map[string]any{"name": "Haushalt der Matrix", "years": []int{2031, 2032}}
		}},

		"list-deadlines":     {want: mxEveryone(200)},
		"get-statistics":     {want: mxEveryone(200)},
		"get-deadline-rules": {want: mxEveryone(200)},
		"put-deadline-rules": {want: mxRoles(200, motion.RoleAdmin), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"agenda_placement_meetings": 2, "submission_cutoff": "14d", "papers_due": "7d",
				"inquiry_answer": "21d", "inquiry_answer_fundamental": "42d", "implementation_report_months": 6,
				"stale": "90d", "offsets": []string{"-7d", "-1d", "0s"}, "escalation": "7d", "escalation_max": 3}
		}},
		"get-implementation-report": {want: mxEveryone(200)},
		"list-motion-notes":         {on: mxOnMotion, want: mxVisible(200, false)},
		// A sponsors' note: only the motion's sponsors write one.
		"add-motion-note": {on: mxOnMotion, want: func(c authzCaller, t *authzTarget) int {
			switch {
			case c.anonymous():
				return http.StatusUnauthorized
			case !t.sees(c):
				return http.StatusNotFound
			case c.role == motion.RoleFactionStaff && (c.faction == t.faction || slices.Contains(t.cosponsors, c.faction)),
				c.role == motion.RoleCouncillor && slices.Contains(t.signers, c.person):
				return http.StatusCreated
			}
			return http.StatusForbidden
		}, body: func(authzCaller, *authzTarget) any {
			return map[string]any{"visibility": "sponsors", "text": "Bitte die Begründung kürzen."}
		}},
		// A comment that does not exist is not there for anybody.
		"moderate-motion-note": {on: mxOnMotion, want: func(c authzCaller, _ *authzTarget) int {
			if c.anonymous() {
				return http.StatusUnauthorized
			}
			return http.StatusNotFound
		}, body: func(authzCaller, *authzTarget) any { return map[string]any{"approve": true} },
			prepare: func(authzCaller, *authzTarget) map[string]string { return map[string]string{"note": "unbekannt"} }},
		"set-public-comments": {want: mxRoles(204, motion.DirectoryRoles...), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"enabled": false}
		}},
		"get-worklist":        {want: mxSignedIn(200)},
		"list-implementation": {want: mxRoles(200, motion.RoleCouncilOffice, motion.RoleAdministration)},

		"get-inbox":          {want: mxSignedIn(200)},
		"mark-inbox-read":    {want: mxSignedIn(200), body: func(authzCaller, *authzTarget) any { return map[string]any{} }},
		"list-subscriptions": {want: mxSignedIn(200)},
		"subscribe": {want: mxSignedIn(200), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"body_id": bodyID, "kind": "keyword", "value": "Verkehr", "channels": []string{"inapp"}}
		}},
		// Without the query naming what to stop following there is nothing to end.
		"unsubscribe": {want: mxSignedIn(http.StatusUnprocessableEntity)},

		"watch-motion": {on: mxOnMotion, want: mxVisible(200, true), body: func(authzCaller, *authzTarget) any { return map[string]any{} }},
		"unwatch-motion": {on: mxOnMotion, want: mxVisible(204, true), prepare: func(c authzCaller, t *authzTarget) map[string]string {
			if !c.anonymous() && t.sees(c) {
				h.mustStatus(h.call("PUT", "/v1/motions/"+t.id+"/watch", c.u, map[string]any{}), 200)
			}
			return nil
		}},
		"list-watches": {want: mxSignedIn(200)},

		"create-user-feed":    {want: mxSignedIn(201), body: func(authzCaller, *authzTarget) any { return map[string]any{} }},
		"create-faction-feed": {on: mxOnOrganization, want: mx.factionFeed},
		"list-feeds":          {want: mxSignedIn(200)},
		"revoke-feed": {want: func(c authzCaller, _ *authzTarget) int {
			switch {
			case c.anonymous():
				return http.StatusUnauthorized
			case c.u.Subject == h.SPD.Subject:
				return http.StatusNoContent
			}
			return http.StatusNotFound // somebody else's feed does not exist for the caller
		}, prepare: func(authzCaller, *authzTarget) map[string]string {
			id, _ := mx.feed()
			return map[string]string{"id": id}
		}},
		"get-feed": {want: mxEveryone(200), prepare: func(authzCaller, *authzTarget) map[string]string {
			_, file := mx.feed()
			return map[string]string{"file": file}
		}},

		"list-notification-targets": {want: mxRoles(200, motion.RoleAdmin)},
		"create-notification-target": {want: mxRoles(201, motion.RoleAdmin), body: func(authzCaller, *authzTarget) any {
			return map[string]any{"audience": "council_office", "channel": "email", "address": fmt.Sprintf("ratsbuero-%d@mannheim.example", mx.seq.Add(1))}
		}},
		"list-target-deliveries": {want: mxRoles(200, office...), prepare: func(authzCaller, *authzTarget) map[string]string {
			return map[string]string{"id": mx.target()}
		}},
		// An event the target's log does not hold: nothing to send again.
		"redeliver": {want: mxRoles(404, office...), prepare: func(authzCaller, *authzTarget) map[string]string {
			return map[string]string{"id": mx.target(), "event": "motion/unbekannt/v1"}
		}},
		"delete-notification-target": {want: mxRoles(204, motion.RoleAdmin), prepare: func(authzCaller, *authzTarget) map[string]string {
			var out struct {
				ID string `json:"id"`
			}
			h.decode(h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/notification-targets", h.Admin, map[string]any{
				"audience": "council_office", "channel": "email", "address": fmt.Sprintf("weg-%d@mannheim.example", mx.seq.Add(1)),
			}), 201), &out)
			return map[string]string{"id": out.ID}
		}},
	}
	for _, c := range motion.Commands {
		if motion.Creating(c) {
			continue
		}
		rows["motion-"+strings.ReplaceAll(string(c), "_", "-")] = authzRow{on: mxOnMotion, want: mxCommandWant(c), body: mxCommandBody(c), mutates: true}
	}
	for _, c := range meeting.Commands {
		rows["meeting-"+strings.ReplaceAll(string(c), "_", "-")] = authzRow{on: mxOnMeeting, want: mxMeetingCommandWant(c),
			body: mx.meetingCommandBody(c), mutates: true}
	}
	return rows
}

// budgetCycle is the budget cycle of the matrix, made by the council office
// once.
func (mx *authzMatrix) budgetCycle() string {
	mx.cycleOnce.Do(func() {
		var out struct {
			ID string `json:"id"`
		}
		mx.h.decode(mx.h.mustStatus(mx.h.call("POST", "/v1/bodies/"+bodyID+"/budget-cycles", mx.h.Office, map[string]any{
			"name": "Haushalt der Matrix", "years": []int{2031, 2032},
		}), 201), &out)
		mx.cycleID = out.ID
	})
	return mx.cycleID
}

// target is a webhook target of the events audience, made by the admin.
func (mx *authzMatrix) target() string {
	var out struct {
		ID string `json:"id"`
	}
	mx.h.decode(mx.h.mustStatus(mx.h.call("POST", "/v1/bodies/"+bodyID+"/notification-targets", mx.h.Admin, map[string]any{
		"audience": "events", "channel": "webhook", "address": fmt.Sprintf("https://transparenz-%d.mannheim.example/ereignisse", mx.seq.Add(1)),
	}), 201), &out)
	return out.ID
}

// factionFeed: only the staff of the faction may create its feed; for any
// other organization nobody may.
func (mx *authzMatrix) factionFeed(c authzCaller, t *authzTarget) int {
	switch {
	case c.anonymous():
		return http.StatusUnauthorized
	case t.faction2 && c.role == motion.RoleFactionStaff && c.faction == t.id:
		return http.StatusCreated
	}
	return http.StatusForbidden
}

// feed creates a personal feed of the SPD user and returns its id and file.
func (mx *authzMatrix) feed() (id, file string) {
	var out struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	}
	mx.h.decode(mx.h.mustStatus(mx.h.call("POST", "/v1/me/feeds", mx.h.SPD, map[string]any{}), 201), &out)
	return out.ID, strings.TrimPrefix(out.Path, "/feeds/")
}
