package workflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

const body = "mannheim"

var (
	spd = motion.Actor{Issuer: "https://id.test", Subject: "anna", Name: "Anna Staff", Roles: []motion.Role{motion.RoleFactionStaff},
		Faction: "mannheim-spd", Bodies: []string{body}}
	cdu = motion.Actor{Issuer: "https://id.test", Subject: "bernd", Name: "Bernd Staff", Roles: []motion.Role{motion.RoleFactionStaff},
		Faction: "mannheim-cdu", Bodies: []string{body}}
	office = motion.Actor{Issuer: "https://id.test", Subject: "rita", Name: "Rita Ratsbüro", Roles: []motion.Role{motion.RoleCouncilOffice},
		Bodies: []string{body}}
	administration = motion.Actor{Issuer: "https://id.test", Subject: "vera", Name: "Vera Verwaltung", Roles: []motion.Role{motion.RoleAdministration},
		Department: "mannheim-dez1", Bodies: []string{body}}
	operator  = motion.Actor{Issuer: "https://id.test", Subject: "otto", Name: "Otto Admin", Roles: []motion.Role{motion.RoleAdmin}, Bodies: []string{body}}
	anonymous = motion.Actor{}
	// erika moves motions of councillors; max signs them.
	erika = motion.Actor{Issuer: "https://id.test", Subject: "erika", Name: "Erika Rätin", Roles: []motion.Role{motion.RoleCouncillor},
		Person: "p-erika", Bodies: []string{body}}
	maxi = motion.Actor{Issuer: "https://id.test", Subject: "max", Name: "Max Rat", Roles: []motion.Role{motion.RoleCouncillor},
		Person: "p-max", Bodies: []string{body}}
	gruene = motion.Actor{Issuer: "https://id.test", Subject: "gina", Name: "Gina Staff", Roles: []motion.Role{motion.RoleFactionStaff},
		Faction: "mannheim-gruene", Bodies: []string{body}}
)

var actors = map[string]motion.Actor{
	"originator": spd, "other_faction": cdu, "council_office": office,
	"administration": administration, "admin": operator, "anonymous": anonymous,
	"councillor": erika, "cosigner": maxi, "invited": gruene,
}

func content(kind motion.Kind) motion.Content {
	c := motion.Content{
		Title: "Digitalisierung im Quadrat",
		ResolutionPoints: []string{
			"Zur befristeten Anschubfinanzierung werden Sachmittel in Höhe von 225.000 Euro bereitgestellt.",
			"Aus dem internen Stellenpool werden zwei weitere Stellen eingerichtet.",
			"Die Stadtverwaltung richtet einen Fonds für kreative Kleinstbetriebe ein.",
		},
		Justification: "Infrastruktur ist mehr als Beton und Stahl.",
		Tags:          []string{"Haushalt2020", "Mobilität und Digitalisierung"},
	}
	if kind == motion.KindBudgetMotion {
		c.BudgetCycle = "Haushalt 2020/2021"
	}
	return c
}

var agreed = true

// payloads holds, per command, content that is valid in every status the
// transition table allows the command in, given the paths below.
var payloads = map[motion.CommandName]motion.Command{
	motion.CmdEdit:                 motion.Edit{Content: content(motion.KindMotion)},
	motion.CmdInviteCosponsor:      motion.InviteCosponsor{Faction: "mannheim-gruene"},
	motion.CmdSubmit:               motion.Submit{},
	motion.CmdRegister:             motion.Register{},
	motion.CmdDeclareInadmissible:  motion.DeclareInadmissible{Reason: "Keine Zuständigkeit des Gemeinderats."},
	motion.CmdSetRoute:             motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: "hfa"}, {OrganizationID: "gr", Decisive: true}}},
	motion.CmdSchedule:             motion.Schedule{ConsultationID: "c2", MeetingID: "gr-2020-01-28"},
	motion.CmdRecordResult:         motion.RecordResult{ConsultationID: "c2", ResultInput: motion.ResultInput{Result: motion.ResultAdopted, Vote: &motion.Vote{Yes: 30, No: 10, Abstain: 8}}},
	motion.CmdRecordStatement:      motion.RecordStatement{Text: "Die Verwaltung nimmt wie folgt Stellung: …"},
	motion.CmdRecordAnswer:         motion.RecordAnswer{Text: "Die Anfrage wird wie folgt beantwortet: …"},
	motion.CmdRecordOutcome:        motion.RecordOutcome{Result: motion.ResultSettledByOtherResolutions, Links: []motion.Link{{Reference: "V123/2019"}}, OriginatorAgreed: &agreed},
	motion.CmdStartImplementation:  motion.StartImplementation{},
	motion.CmdReportImplementation: motion.ReportImplementation{Text: "Die Stellen sind besetzt."},
	motion.CmdClose:                motion.Close{},
	motion.CmdWithdraw:             motion.Withdraw{Reason: "Die Fraktion zieht den Antrag zurück."},
	motion.CmdCorrectResult:        motion.CorrectResult{ConsultationID: "c1", Reason: "Zählfehler im Protokoll", ResultInput: motion.ResultInput{Result: motion.ResultRecommendRejection}},
	motion.CmdLapse:                motion.Lapse{Reason: "Ende der Wahlperiode"},
	motion.CmdSetDeadline:          motion.SetDeadline{Key: "stale_motion", Due: time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), Reason: "Abstimmung mit der Fraktion"},
	motion.CmdSign:                 motion.Sign{},
	motion.CmdAcceptCosponsorship:  motion.AcceptCosponsorship{},
	motion.CmdDeclineCosponsorship: motion.DeclineCosponsorship{Reason: "Nicht unser Thema."},
	motion.CmdSetDepartments:       motion.SetDepartments{Lead: "mannheim-dez1", Involved: []string{"mannheim-dez2"}},
}

type step struct {
	actor motion.Actor
	cmd   motion.Command
}

// paths leads a motion of a kind into each status. by names the actor that
// moved it (the originator's staff or, for a motion of councillors, its
// first signer); invited says that the Greens hold a pending invitation.
func paths() map[string]struct {
	kind    motion.Kind
	steps   []step
	by      string
	invited bool
} {
	create := func(k motion.Kind) step {
		return step{spd, motion.Create{BodyID: body, Kind: k, Content: content(k)}}
	}
	draft := []step{create(motion.KindMotion)}
	submitted := append(slices.Clone(draft), step{spd, motion.Submit{}})
	registered := append(slices.Clone(submitted), step{office, motion.Register{}})
	inConsultation := append(slices.Clone(registered),
		step{office, payloads[motion.CmdSetRoute]},
		step{office, motion.Schedule{ConsultationID: "c1", MeetingID: "hfa-2020-01-14"}},
		step{office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{Result: motion.ResultRecommendApproval}}},
		step{office, payloads[motion.CmdSchedule]},
	)
	decided := append(slices.Clone(inConsultation), step{office, payloads[motion.CmdRecordResult]})
	implementation := append(slices.Clone(decided), step{office, motion.StartImplementation{}})
	closed := append(slices.Clone(implementation), step{office, motion.Close{}})
	inquiryRegistered := []step{create(motion.KindInquiry), {spd, motion.Submit{}}, {office, motion.Register{}}}
	answered := append(slices.Clone(inquiryRegistered), step{administration, payloads[motion.CmdRecordAnswer]})
	type path = struct {
		kind    motion.Kind
		steps   []step
		by      string
		invited bool
	}
	byCouncillors := []step{{erika, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion), Quorum: 1,
		Signers: []motion.Signer{{PersonID: "p-max", Name: "Max Rat"}}}}}
	invitedDraft := append(slices.Clone(draft), step{spd, payloads[motion.CmdInviteCosponsor]})
	paths := map[string]path{
		"councillors_draft":     {kind: motion.KindMotion, steps: byCouncillors, by: "councillor"},
		"councillors_submitted": {kind: motion.KindMotion, steps: append(slices.Clone(byCouncillors), step{erika, motion.Submit{}}), by: "councillor"},
		"invited_draft":         {kind: motion.KindMotion, steps: invitedDraft, by: "originator", invited: true},
		"invited_submitted":     {kind: motion.KindMotion, steps: append(slices.Clone(invitedDraft), step{spd, motion.Submit{}}), by: "originator"},
	}
	for name, p := range map[string]path{
		"draft":               {kind: motion.KindMotion, steps: draft},
		"submitted":           {kind: motion.KindMotion, steps: submitted},
		"registered":          {kind: motion.KindMotion, steps: registered},
		"inadmissible":        {kind: motion.KindMotion, steps: append(slices.Clone(submitted), step{office, payloads[motion.CmdDeclareInadmissible]})},
		"in_consultation":     {kind: motion.KindMotion, steps: inConsultation},
		"decided":             {kind: motion.KindMotion, steps: decided},
		"implementation":      {kind: motion.KindMotion, steps: implementation},
		"closed":              {kind: motion.KindMotion, steps: closed},
		"withdrawn":           {kind: motion.KindMotion, steps: append(slices.Clone(draft), step{spd, payloads[motion.CmdWithdraw]})},
		"lapsed":              {kind: motion.KindMotion, steps: append(slices.Clone(registered), step{office, payloads[motion.CmdLapse]})},
		"inquiry_registered":  {kind: motion.KindInquiry, steps: inquiryRegistered},
		"inquiry_answered":    {kind: motion.KindInquiry, steps: answered},
		"inquiry_closed":      {kind: motion.KindInquiry, steps: append(slices.Clone(answered), step{office, motion.Close{}})},
		"inquiry_withdrawn":   {kind: motion.KindInquiry, steps: append(slices.Clone(inquiryRegistered), step{spd, payloads[motion.CmdWithdraw]})},
		"inquiry_submitted":   {kind: motion.KindInquiry, steps: inquiryRegistered[:2]},
		"inquiry_inadmissble": {kind: motion.KindInquiry, steps: append(slices.Clone(inquiryRegistered), step{office, payloads[motion.CmdDeclareInadmissible]})},
	} {
		p.by = "originator"
		paths[name] = p
	}
	return paths
}

// expected states, from the transition table alone, how the workflow must answer.
//
// A draft is seen by its mover, its signers and an invited faction alone.
// The mover (by) runs what its originator may; a co-signer of a motion of
// councillors also edits it and signs it; only the invited faction answers
// its invitation.
func expected(status motion.Status, public bool, kind motion.Kind, name motion.CommandName, who, by string, invited bool) motion.Code {
	rule := motion.Table[name]
	// Max is named but never signs: he leaves the motion at submission.
	cosigner := by == "councillor" && who == "cosigner" && !public
	if !public && who != by && !cosigner && !(invited && who == "invited") {
		return motion.CodeNotFound
	}
	a := actors[who]
	if !slices.ContainsFunc(rule.Roles, a.Has) {
		return motion.CodeForbidden
	}
	switch rule.Scope {
	case motion.ScopeOriginator:
		if who != by {
			return motion.CodeForbidden
		}
	case motion.ScopeSponsor:
		if who != by && !cosigner {
			return motion.CodeForbidden
		}
	case motion.ScopeInvited:
		if !(invited && who == "invited") {
			return motion.CodeForbidden
		}
	case motion.ScopeSigner:
		if !cosigner && !(by == "councillor" && who == by) {
			return motion.CodeForbidden
		}
	}
	if !slices.Contains(rule.From, status) || (len(rule.Kinds) > 0 && !slices.Contains(rule.Kinds, kind)) {
		return motion.CodeIllegalTransition
	}
	switch {
	case name == motion.CmdSign && who == by:
		// The mover signed by moving it.
		return motion.CodeIllegalTransition
	case name == motion.CmdInviteCosponsor && invited:
		// The payload invites the Greens, who are invited already.
		return motion.CodeInvalid
	}
	return ""
}

// env is one motion workflow under the SDK's test environment with time skipping.
type env struct {
	t       *testing.T
	te      *testsuite.TestWorkflowEnvironment
	at      time.Duration
	mu      sync.Mutex
	refs    map[string]int
	project []ProjectInput
	// failProject makes the first n Project attempts fail, like a database outage.
	failProject int
	// cal is what LoadCalendar answers; loads counts the calls.
	cal   motion.Calendar
	loads int
	// sent are the reminders Notify delivered, with the (skipped) time;
	// failNotify makes the first n Notify attempts fail.
	sent       []sentReminder
	failNotify int
	deadlines  [][]motion.Deadline
}

type sentReminder struct {
	at time.Time
	r  motion.Reminder
}

type outcome struct {
	m        motion.Motion
	err      error
	rejected bool
}

func newEnv(t *testing.T) *env {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	e := &env{t: t, te: s.NewTestWorkflowEnvironment(), refs: map[string]int{}, cal: motion.Calendar{Rules: motion.DefaultDeadlineRules()}}
	e.te.SetTestTimeout(30 * time.Second)
	Register(e.te, Options{})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in ProjectInput) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.failProject > 0 {
			e.failProject--
			return errors.New("database unavailable")
		}
		e.project = append(e.project, in)
		return nil
	}, activity.RegisterOptions{Name: ActivityProject})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in AssignReferenceInput) (AssignReferenceResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		key := fmt.Sprintf("%s/%d", in.BodyID, in.Year)
		e.refs[key]++
		n := e.refs[key]
		return AssignReferenceResult{Reference: fmt.Sprintf("A%d/%d", n, in.Year), Year: in.Year, Seq: n}, nil
	}, activity.RegisterOptions{Name: ActivityAssignReference})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in LoadCalendarInput) (motion.Calendar, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.loads++
		return e.cal, nil
	}, activity.RegisterOptions{Name: ActivityLoadCalendar})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in ProjectDeadlinesInput) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.deadlines = append(e.deadlines, in.Deadlines)
		return nil
	}, activity.RegisterOptions{Name: ActivityProjectDeadlines})
	e.te.RegisterActivityWithOptions(func(ctx context.Context, in NotifyInput) (NotifyResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.failNotify > 0 {
			e.failNotify--
			return NotifyResult{}, errors.New("SMTP server unavailable")
		}
		e.sent = append(e.sent, sentReminder{at: e.te.Now(), r: in.Reminder})
		return NotifyResult{Sent: 1}, nil
	}, activity.RegisterOptions{Name: ActivityNotify})
	return e
}

// send schedules a command a minute after the previous one, with the version
// the workflow holds at that moment, and reports its outcome into out.
func (e *env) send(a motion.Actor, cmd motion.Command, out *outcome, opts ...func(*CommandRequest[motion.Command])) {
	e.at += time.Minute
	id := fmt.Sprintf("req-%d", e.at/time.Minute)
	e.te.RegisterDelayedCallback(func() {
		req := CommandRequest[motion.Command]{Command: cmd, Actor: a, ExpectedVersion: e.state().Version, RequestID: id}
		for _, o := range opts {
			o(&req)
		}
		e.te.UpdateWorkflow(UpdateName(cmd.Name()), updateID(Meta{RequestID: req.RequestID, Digest: req.Digest}), updateCallbacks(out), req)
	}, e.at)
}

func updateCallbacks(out *outcome) *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject: func(err error) { out.err, out.rejected = err, true },
		OnAccept: func() {},
		OnComplete: func(v any, err error) {
			out.err = err
			if m, ok := v.(motion.Motion); ok {
				out.m = m
			}
		},
	}
}

func (e *env) state() motion.Motion {
	v, err := e.te.QueryWorkflow(QueryState)
	if err != nil {
		e.t.Fatalf("query state: %v", err)
	}
	var m motion.Motion
	if err := v.Get(&m); err != nil {
		e.t.Fatalf("decode state: %v", err)
	}
	return m
}

// run executes the workflow with the scheduled commands, then stops it.
func (e *env) run(after func()) {
	e.at += time.Minute
	e.te.RegisterDelayedCallback(func() {
		after()
		e.te.CancelWorkflow()
	}, e.at)
	e.te.ExecuteWorkflow(WorkflowName, Input{MotionID: "m1", BodyID: body, InputChecks: currentInputChecks})
}

func (e *env) steps(steps []step) []*outcome {
	outs := make([]*outcome, len(steps))
	for i, s := range steps {
		outs[i] = &outcome{}
		e.send(s.actor, s.cmd, outs[i])
	}
	return outs
}

func mustSucceed(t *testing.T, outs []*outcome) {
	t.Helper()
	for i, o := range outs {
		if o.err != nil {
			t.Fatalf("step %d failed: %v", i, o.err)
		}
	}
}

func codeOf(err error) motion.Code {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return motion.Code(app.Type())
	}
	return ""
}

func TestTransitionTable(t *testing.T) {
	for name, p := range paths() {
		t.Run(name, func(t *testing.T) {
			// Refusals leave no trace, so one workflow answers all of them.
			e := newEnv(t)
			prep := e.steps(p.steps)
			type probe struct {
				cmd  motion.CommandName
				who  string
				want motion.Code
				out  *outcome
			}
			var probes []probe
			var allowed []probe
			var final motion.Motion
			e.run(func() { final = e.state() })
			mustSucceed(t, prep)
			status := final.Status

			e = newEnv(t)
			e.steps(p.steps)
			for _, cmd := range motion.Commands {
				if motion.Creating(cmd) {
					continue
				}
				for who := range actors {
					want := expected(status, final.Public(), p.kind, cmd, who, p.by, p.invited)
					pr := probe{cmd: cmd, who: who, want: want, out: &outcome{}}
					if want == "" {
						allowed = append(allowed, pr)
						continue
					}
					e.send(actors[who], payloads[cmd], pr.out)
					probes = append(probes, pr)
				}
			}
			var after motion.Motion
			e.run(func() { after = e.state() })
			for _, pr := range probes {
				if !pr.out.rejected || codeOf(pr.out.err) != pr.want {
					t.Errorf("%s by %s in %s: got rejected=%v %v, want rejection %s", pr.cmd, pr.who, status, pr.out.rejected, pr.out.err, pr.want)
				}
			}
			if after.Version != final.Version {
				t.Errorf("refused commands changed the motion: version %d → %d", final.Version, after.Version)
			}

			// Every allowed combination succeeds and leads where the table says.
			for _, pr := range allowed {
				e := newEnv(t)
				e.steps(p.steps)
				e.send(actors[pr.who], payloads[pr.cmd], pr.out)
				e.run(func() {})
				if pr.out.err != nil || pr.out.rejected {
					t.Errorf("%s by %s in %s: want success, got %v", pr.cmd, pr.who, status, pr.out.err)
					continue
				}
				if pr.out.m.Version != final.Version+1 {
					t.Errorf("%s by %s in %s: version %d, want %d", pr.cmd, pr.who, status, pr.out.m.Version, final.Version+1)
				}
				if to := motion.Table[pr.cmd].To; to != "" && pr.out.m.Status != to {
					t.Errorf("%s by %s in %s: status %s, want %s", pr.cmd, pr.who, status, pr.out.m.Status, to)
				}
				if n := len(e.project); n == 0 || e.project[n-1].Event.Command != pr.cmd || e.project[n-1].Motion.Version != pr.out.m.Version {
					t.Errorf("%s by %s in %s: not projected", pr.cmd, pr.who, status)
				}
			}
		})
	}
}

// Every (status, command, role) of the table is exercised by the test above;
// this guards the guard: a new status or command without a path fails here.
func TestEveryStatusAndCommandIsCovered(t *testing.T) {
	seen := map[motion.Status]bool{}
	for _, p := range paths() {
		e := newEnv(t)
		outs := e.steps(p.steps)
		var m motion.Motion
		e.run(func() { m = e.state() })
		mustSucceed(t, outs)
		seen[m.Status] = true
	}
	for _, s := range motion.Statuses {
		if !seen[s] {
			t.Errorf("no path leads to status %s", s)
		}
	}
	for _, c := range motion.Commands {
		if _, ok := payloads[c]; !ok && !motion.Creating(c) {
			t.Errorf("no payload for command %s", c)
		}
	}
}

func TestExampleMotionToSettledByOtherResolutions(t *testing.T) {
	e := newEnv(t)
	steps := []step{
		{spd, motion.Create{BodyID: body, Kind: motion.KindBudgetMotion, Content: content(motion.KindBudgetMotion)}},
		{spd, motion.Submit{}},
		{office, motion.Register{}},
		{office, payloads[motion.CmdSetRoute]},
		{office, motion.Schedule{ConsultationID: "c1", MeetingID: "hfa-2019-12-17"}},
		{office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{Result: motion.ResultRecommendApproval, Vote: &motion.Vote{Yes: 9, No: 4, Abstain: 2}}}},
		{office, motion.Schedule{ConsultationID: "c2", MeetingID: "gr-2019-12-19"}},
		{office, motion.RecordResult{ConsultationID: "c2", ResultInput: motion.ResultInput{
			Result: motion.ResultSettledByOtherResolutions, Vote: &motion.Vote{Yes: 48, No: 0, Abstain: 0, Unanimous: true},
			Links: []motion.Link{{Reference: "V456/2019", Title: "Haushaltsplan 2020/2021"}}, OriginatorAgreed: &agreed}}},
	}
	outs := e.steps(steps)
	var m motion.Motion
	e.run(func() { m = e.state() })
	mustSucceed(t, outs)
	if m.Status != motion.StatusDecided || m.Outcome == nil || m.Outcome.Result != motion.ResultSettledByOtherResolutions {
		t.Fatalf("status %s outcome %+v, want decided / settled_by_other_resolutions", m.Status, m.Outcome)
	}
	if m.Outcome.Links[0].Reference != "V456/2019" || m.Outcome.OriginatorAgreed == nil || !*m.Outcome.OriginatorAgreed {
		t.Errorf("outcome lost its link or agreement: %+v", m.Outcome)
	}
	if !strings.HasPrefix(m.Reference, "A1/") {
		t.Errorf("reference %q, want A1/<year>", m.Reference)
	}
	if len(e.project) != len(steps) {
		t.Fatalf("projected %d events, want %d", len(e.project), len(steps))
	}
	for i, p := range e.project {
		if p.Event.Version != int64(i+1) || p.Motion.Version != p.Event.Version || p.Event.Actor.Subject == "" || p.Event.At.IsZero() {
			t.Errorf("event %d: %+v", i, p.Event)
		}
	}
}

func TestSameRequestIDAppliesOnce(t *testing.T) {
	e := newEnv(t)
	outs := e.steps([]step{{spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}}})
	first, second := &outcome{}, &outcome{}
	same := func(r *CommandRequest[motion.Command]) { r.RequestID = "submit-once"; r.ExpectedVersion = 1 }
	e.send(spd, motion.Submit{}, first, same)
	e.send(spd, motion.Submit{}, second, same)
	var m motion.Motion
	e.run(func() { m = e.state() })
	mustSucceed(t, append(outs, first, second))
	if m.Version != 2 || second.m.Version != 2 || len(e.project) != 2 {
		t.Errorf("version %d (second answer %d), %d projections; want the submit applied once", m.Version, second.m.Version, len(e.project))
	}
}

func TestStaleVersionIsRefused(t *testing.T) {
	e := newEnv(t)
	outs := e.steps([]step{{spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}}})
	stale := &outcome{}
	e.send(spd, motion.Submit{}, stale, func(r *CommandRequest[motion.Command]) { r.ExpectedVersion = 0 })
	var m motion.Motion
	e.run(func() { m = e.state() })
	mustSucceed(t, outs)
	if !stale.rejected || codeOf(stale.err) != motion.CodeStaleVersion {
		t.Errorf("got %v, want StaleVersion rejection", stale.err)
	}
	if m.Status != motion.StatusDraft || m.Version != 1 {
		t.Errorf("stale submit changed the motion: %s v%d", m.Status, m.Version)
	}
}

func TestInvalidContentNamesTheField(t *testing.T) {
	e := newEnv(t)
	outs := e.steps([]step{{spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}}})
	bad := &outcome{}
	e.send(spd, motion.Edit{Content: motion.Content{Title: "x"}}, bad)
	var m motion.Motion
	e.run(func() { m = e.state() })
	mustSucceed(t, outs)
	var app *temporal.ApplicationError
	if !bad.rejected || !errors.As(bad.err, &app) || app.Type() != string(motion.CodeInvalid) {
		t.Fatalf("got %v, want Invalid rejection", bad.err)
	}
	var fields []motion.FieldError
	if err := app.Details(&fields); err != nil || len(fields) == 0 || fields[0].Field != "title" {
		t.Errorf("field errors %v (%v), want one naming title", fields, err)
	}
	if m.Title != "Digitalisierung im Quadrat" {
		t.Errorf("refused edit changed the title to %q", m.Title)
	}
}

func TestProjectionRetriedUntilTheDatabaseIsBack(t *testing.T) {
	e := newEnv(t)
	e.failProject = 3
	outs := e.steps([]step{{spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}}, {spd, motion.Submit{}}})
	e.run(func() {})
	mustSucceed(t, outs)
	if len(e.project) != 2 || e.project[1].Motion.Status != motion.StatusSubmitted {
		t.Errorf("projections %d, want both commands projected after the outage", len(e.project))
	}
}

func TestContinueAsNewCarriesStateAndRequestIDs(t *testing.T) {
	e := newEnv(t)
	outs := e.steps([]step{{spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}}, {spd, motion.Submit{}}})
	e.at += time.Minute
	e.te.RegisterDelayedCallback(func() { e.te.SetContinueAsNewSuggested(true) }, e.at)
	e.te.ExecuteWorkflow(WorkflowName, Input{MotionID: "m1", BodyID: body})
	mustSucceed(t, outs)
	var can *workflow.ContinueAsNewError
	if !errors.As(e.te.GetWorkflowError(), &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", e.te.GetWorkflowError())
	}
	var in Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
		t.Fatal(err)
	}
	if in.State == nil || in.State.Motion.Status != motion.StatusSubmitted || !slices.Contains(in.State.Seen, "req-2") {
		t.Fatalf("carried state %+v, want the submitted motion and its request ids", in.State)
	}

	// The next run answers a retry of an old request without applying it again.
	next := newEnv(t)
	retry := &outcome{}
	next.send(spd, motion.Withdraw{}, retry, func(r *CommandRequest[motion.Command]) { r.RequestID = "req-2" })
	next.at += time.Minute
	var m motion.Motion
	next.te.RegisterDelayedCallback(func() { m = next.state(); next.te.CancelWorkflow() }, next.at)
	next.te.ExecuteWorkflow(WorkflowName, in)
	if retry.err != nil || m.Status != motion.StatusSubmitted || m.Version != 2 {
		t.Errorf("retry after continue-as-new: err %v, status %s v%d; want no change", retry.err, m.Status, m.Version)
	}
}

// TestReusedRequestIDWithOtherContentIsRefused: a request id (Idempotency-Key)
// that applied one edit is refused for an edit with other content, in the same
// run and after continue-as-new, while the same edit again is answered
// without applying twice.
func TestReusedRequestIDWithOtherContentIsRefused(t *testing.T) {
	first := motion.Edit{Content: content(motion.KindMotion)}
	other := first
	other.Content.Title = "Eine ganz andere Fassung"
	sendAs := func(cmd motion.Command) func(*CommandRequest[motion.Command]) {
		return func(r *CommandRequest[motion.Command]) {
			r.RequestID, r.ExpectedVersion, r.Digest = "edit-key", 1, digest(cmd)
		}
	}
	e := newEnv(t)
	outs := e.steps([]step{{spd, motion.Create{BodyID: body, Kind: motion.KindMotion, Content: content(motion.KindMotion)}}})
	applied, again, reused := &outcome{}, &outcome{}, &outcome{}
	e.send(spd, first, applied, sendAs(first))
	e.send(spd, first, again, sendAs(first))
	e.send(spd, other, reused, sendAs(other))
	e.at += time.Minute
	var m motion.Motion
	e.te.RegisterDelayedCallback(func() { m = e.state(); e.te.SetContinueAsNewSuggested(true) }, e.at)
	e.te.ExecuteWorkflow(WorkflowName, Input{MotionID: "m1", BodyID: body})
	mustSucceed(t, append(outs, applied, again))
	if !reused.rejected || codeOf(reused.err) != motion.CodeInvalid {
		t.Fatalf("reused key with other content: rejected %v, err %v; want an Invalid rejection", reused.rejected, reused.err)
	}
	if m.Version != 2 || m.Title != first.Content.Title {
		t.Fatalf("after the reused key: version %d title %q; want the first edit only", m.Version, m.Title)
	}
	var can *workflow.ContinueAsNewError
	if !errors.As(e.te.GetWorkflowError(), &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", e.te.GetWorkflowError())
	}
	var in Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
		t.Fatal(err)
	}

	// The next run still knows which content the key applied.
	next := newEnv(t)
	retry, reusedLater := &outcome{}, &outcome{}
	next.send(spd, first, retry, sendAs(first))
	next.send(spd, other, reusedLater, sendAs(other))
	next.at += time.Minute
	next.te.RegisterDelayedCallback(func() { m = next.state(); next.te.CancelWorkflow() }, next.at)
	next.te.ExecuteWorkflow(WorkflowName, in)
	if retry.err != nil || !reusedLater.rejected || codeOf(reusedLater.err) != motion.CodeInvalid {
		t.Fatalf("after continue-as-new: retry err %v, reused rejected %v (%v)", retry.err, reusedLater.rejected, reusedLater.err)
	}
	if m.Version != 2 || m.Title != first.Content.Title {
		t.Fatalf("after continue-as-new: version %d title %q; want unchanged", m.Version, m.Title)
	}
}
