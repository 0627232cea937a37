package store_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// FuzzAcceptedIsProjectable holds motion's invariant "accepted ⇒
// projectable" against the real PostgreSQL: it decodes the input into a
// sequence of commands, applies them with motion.Apply to a created motion,
// and writes every state the domain accepts into the read model the way the
// workflow's activities do (Project; the deadlines computed from the state
// with ProjectDeadlines; the meetings the motion names read back with
// MeetingDates) and reads the motion back. Any error of the database fails:
// a state the workflow holds but cannot project freezes the motion for good.
//
// The input is a small script, one line per command or directive:
//
//	<command> <caller> <JSON body>   e.g. withdraw spd {"reason":"Erledigt"}
//	raw <path> <hex>                 sets a string of the last command to raw bytes (invalid UTF-8)
//	fill <path> <n>                  sets it to n characters of distinct words (long text)
//
// Commands are named as in motion.CommandName, callers are spd, cdu (factions),
// office, dez1, dez2 (departments), admin and anon; paths name a string as a
// field error does ("attachments[0].name", "vote.named[3].name"), and a list
// grows to reach the index. JSON cannot carry invalid UTF-8 (the workflow's
// payloads cannot either), so raw sets it behind the decoder's back.
//
// `go test ./store` runs the seeds in testdata/fuzz/FuzzAcceptedIsProjectable;
// `go test -run '^$' -fuzz FuzzAcceptedIsProjectable ./store` explores. One
// database serves the whole run (each fuzzing worker process makes its own).
func FuzzAcceptedIsProjectable(f *testing.F) {
	s := fastStore(f)
	if _, err := s.UpsertBody(f.Context(), store.Body{ID: "ma", Name: "Stadt Mannheim"}); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("submit spd {}\nregister office {\"reference\":\"A1/2026\"}\n"))
	f.Add([]byte("create p1 {\"body_id\":\"ma\",\"kind\":\"motion\",\"title\":\"Von Räten\",\"resolution_points\":[\"Tun.\"],\"quorum\":2,\"signers\":[{\"person_id\":\"p2\"}]}\nsign p2 {}\nsubmit p1 {}\n"))
	f.Add([]byte("enter-submission office {\"body_id\":\"ma\",\"kind\":\"motion\",\"title\":\"Brief\",\"resolution_points\":[\"Tun.\"],\"originator\":\"faction\",\"organization\":\"spd\",\"paper\":{\"submitted_by\":\"Erika\",\"received_at\":\"2026-03-01T10:00:00Z\",\"channel\":\"paper\"}}\nset-departments office {\"lead\":\"dez1\"}\nfill paper.submitted_by 150\n"))
	// An amendment by line with a budget, and a statement's estimate (issue 16).
	f.Add([]byte("create cdu {\"body_id\":\"ma\",\"kind\":\"amendment\",\"title\":\"Weniger\",\"amends\":\"A1/2026\",\"amended_points\":[\"Eins zwei drei.\"],\"changes\":[{\"op\":\"replace\",\"from\":1,\"to\":1,\"text\":\"Vier.\"}],\"budget\":{\"items\":[{\"year\":2020,\"amount\":-10000000000,\"plan\":\"result\",\"purpose\":\"Sachmittel\"}],\"positions\":9999.99,\"product\":\"P\"}}\nfill changes[0].text 9000\nsubmit cdu {}\n"))
	f.Add([]byte("submit spd {}\nregister office {\"reference\":\"A1/2026\"}\nrecord-statement dez1 {\"text\":\"Geht.\",\"estimate\":{\"items\":[{\"year\":2021,\"amount\":5,\"plan\":\"financial\",\"recurring\":true}],\"product\":\"Teilhaushalt 1\"}}\nfill estimate.product 150\n"))
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, script []byte) {
		runScript(t, s, fmt.Sprintf("fuzz-%d-%d", time.Now().UnixNano(), n.Add(1)), parseScript(script))
	})
}

// runScript applies the script's commands to a new motion with id, after a
// create (the script's first command if it is one and is accepted), and
// projects every accepted state.
func runScript(t *testing.T, s *store.Store, id string, ops []scriptOp) {
	t.Helper()
	m := &motion.Motion{ID: id, BodyID: "ma"}
	var p projection
	apply := func(op scriptOp) bool {
		ev, err := motion.Apply(m, motion.Request{Command: op.cmd, Actor: op.actor, ExpectedVersion: m.Version,
			At: fuzzT0.Add(time.Duration(m.Version) * time.Hour), RequestID: fmt.Sprintf("req-%d", m.Version+1), Revision: motion.RulesRevision})
		if err != nil {
			var e *motion.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: refusal is %T, not *motion.Error: %v", op.cmd.Name(), err, err)
			}
			return false
		}
		p.accepted(t, s, m, ev)
		return true
	}
	if len(ops) > 0 && motion.Creating(ops[0].cmd.Name()) {
		apply(ops[0])
		ops = ops[1:]
	}
	if m.Version == 0 {
		apply(scriptOp{actor: fuzzCallers["spd"], cmd: motion.Create{BodyID: "ma", Kind: motion.KindMotion,
			Content: motion.Content{Title: "Bänke am Neckarufer", ResolutionPoints: []string{"Aufstellen."}}}})
	}
	for _, op := range ops {
		apply(op)
	}
}

// fastStore opens a fresh database of the test server (see storetest) with
// synchronous_commit off: a fuzzing run commits thousands of transactions,
// and none of them needs to survive a crash of the server.
func fastStore(tb testing.TB) *store.Store {
	tb.Helper()
	dsn := storetest.NewDatabase(tb)
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatal(err)
		}
		q := u.Query()
		q.Set("synchronous_commit", "off")
		u.RawQuery = q.Encode()
		dsn = u.String()
	} else {
		dsn += " synchronous_commit=off"
	}
	s, err := store.Open(tb.Context(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// fuzzT0 is the workflow clock's start in the fuzz target.
var fuzzT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fuzzCallers are the callers a script names.
var fuzzCallers = map[string]motion.Actor{
	"spd":    {Issuer: "https://idp.example", Subject: "spd-1", Name: "Erika Muster", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}},
	"cdu":    {Issuer: "https://idp.example", Subject: "cdu-1", Name: "Max Beispiel", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "cdu", Bodies: []string{"ma"}},
	"office": {Issuer: "https://idp.example", Subject: "rita", Name: "Rita Ratsbüro", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}},
	"dez1":   {Issuer: "https://idp.example", Subject: "dez1", Name: "Dezernat I", Roles: []motion.Role{motion.RoleAdministration}, Department: "dez1", Bodies: []string{"ma"}},
	"dez2":   {Issuer: "https://idp.example", Subject: "dez2", Name: "Dezernat II", Roles: []motion.Role{motion.RoleAdministration}, Department: "dez2", Bodies: []string{"ma"}},
	"admin":  {Issuer: "https://idp.example", Subject: "root", Name: "Admin", Roles: []motion.Role{motion.RoleAdmin}, Bodies: []string{"ma"}},
	"anon":   {},
	"p1":     {Issuer: "https://idp.example", Subject: "p1", Name: "Erika Rätin", Roles: []motion.Role{motion.RoleCouncillor}, Person: "p1", Bodies: []string{"ma"}},
	"p2":     {Issuer: "https://idp.example", Subject: "p2", Name: "Max Rat", Roles: []motion.Role{motion.RoleCouncillor}, Person: "p2", Bodies: []string{"ma"}},
}

// fuzzCommands decode a command of each name from JSON, as the workflow's
// update arguments are decoded.
var fuzzCommands = map[motion.CommandName]func() motion.Command{
	motion.CmdCreate:               func() motion.Command { return &motion.Create{} },
	motion.CmdEdit:                 func() motion.Command { return &motion.Edit{} },
	motion.CmdInviteCosponsor:      func() motion.Command { return &motion.InviteCosponsor{} },
	motion.CmdSubmit:               func() motion.Command { return &motion.Submit{} },
	motion.CmdRegister:             func() motion.Command { return &motion.Register{} },
	motion.CmdDeclareInadmissible:  func() motion.Command { return &motion.DeclareInadmissible{} },
	motion.CmdSetRoute:             func() motion.Command { return &motion.SetRoute{} },
	motion.CmdSchedule:             func() motion.Command { return &motion.Schedule{} },
	motion.CmdRecordResult:         func() motion.Command { return &motion.RecordResult{} },
	motion.CmdRecordStatement:      func() motion.Command { return &motion.RecordStatement{} },
	motion.CmdRecordAnswer:         func() motion.Command { return &motion.RecordAnswer{} },
	motion.CmdRecordOutcome:        func() motion.Command { return &motion.RecordOutcome{} },
	motion.CmdStartImplementation:  func() motion.Command { return &motion.StartImplementation{} },
	motion.CmdReportImplementation: func() motion.Command { return &motion.ReportImplementation{} },
	motion.CmdClose:                func() motion.Command { return &motion.Close{} },
	motion.CmdWithdraw:             func() motion.Command { return &motion.Withdraw{} },
	motion.CmdCorrectResult:        func() motion.Command { return &motion.CorrectResult{} },
	motion.CmdLapse:                func() motion.Command { return &motion.Lapse{} },
	motion.CmdSetDeadline:          func() motion.Command { return &motion.SetDeadline{} },
	motion.CmdEnterSubmission:      func() motion.Command { return &motion.EnterSubmission{} },
	motion.CmdSign:                 func() motion.Command { return &motion.Sign{} },
	motion.CmdAcceptCosponsorship:  func() motion.Command { return &motion.AcceptCosponsorship{} },
	motion.CmdDeclineCosponsorship: func() motion.Command { return &motion.DeclineCosponsorship{} },
	motion.CmdSetDepartments:       func() motion.Command { return &motion.SetDepartments{} },
}

// Bounds of a script, so that one input stays quick.
const (
	maxScriptOps   = 64
	maxFill        = 200000
	maxFillTotal   = 2000000
	maxScriptIndex = 2000
)

type scriptOp struct {
	actor motion.Actor
	cmd   motion.Command
}

// parseScript reads the script's lines; what does not parse is skipped.
func parseScript(script []byte) []scriptOp {
	var ops []scriptOp
	var actor motion.Actor
	var cur reflect.Value // pointer to the command being read
	fill := 0
	flush := func() {
		if cur.IsValid() {
			ops = append(ops, scriptOp{actor: actor, cmd: cur.Elem().Interface().(motion.Command)})
			cur = reflect.Value{}
		}
	}
	for _, line := range bytes.Split(script, []byte("\n")) {
		word, rest, _ := bytes.Cut(line, []byte(" "))
		switch string(word) {
		case "raw", "fill":
			if !cur.IsValid() {
				continue
			}
			path, arg, _ := strings.Cut(string(rest), " ")
			var s string
			if string(word) == "raw" {
				b, err := hex.DecodeString(strings.TrimSpace(arg))
				if err != nil {
					continue
				}
				s = string(b)
			} else {
				n, err := strconv.Atoi(strings.TrimSpace(arg))
				if err != nil || n < 0 || n > maxFill || fill+n > maxFillTotal {
					continue
				}
				fill += n
				s = distinctWords(path, n)
			}
			setPath(cur.Elem(), path, s)
			continue
		}
		newCmd, ok := fuzzCommands[motion.CommandName(strings.ReplaceAll(string(word), "-", "_"))]
		if !ok || len(ops) >= maxScriptOps {
			continue
		}
		caller, body, _ := bytes.Cut(rest, []byte(" "))
		a, ok := fuzzCallers[string(caller)]
		if !ok {
			continue
		}
		cmd := newCmd()
		if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, cmd) != nil {
			continue
		}
		flush()
		actor, cur = a, reflect.ValueOf(cmd)
	}
	flush()
	return ops
}

// distinctWords is n characters of words that are all different: the
// worst case for the full-text index, which stores every distinct word. The
// words are CJK characters (three bytes each in UTF-8) and differ per path.
func distinctWords(path string, n int) string {
	h := fnv.New32a()
	h.Write([]byte(path))
	seed := int(h.Sum32() % 5000)
	var b strings.Builder
	for i := 0; b.Len() < 3*n; i++ {
		w := seed*1000003 + i
		for range 4 {
			b.WriteRune(rune(0x4E00 + w%20000))
			w /= 20000
			w += i
		}
		b.WriteByte(' ')
	}
	return string([]rune(b.String())[:n])
}

// setPath sets the string at path ("links[2].title") in the struct v, going
// through embedded structs and pointers and growing lists to the index.
func setPath(v reflect.Value, path, s string) {
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' || r == ']' })
	for i, p := range parts {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Slice:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > maxScriptIndex {
				return
			}
			if n >= v.Len() {
				v.Set(reflect.AppendSlice(v, reflect.MakeSlice(v.Type(), n+1-v.Len(), n+1-v.Len())))
			}
			v = v.Index(n)
		case reflect.Struct:
			f, ok := jsonField(v, p)
			if !ok {
				return
			}
			v = f
		default:
			return
		}
		if i == len(parts)-1 {
			for v.Kind() == reflect.Pointer {
				if v.IsNil() {
					v.Set(reflect.New(v.Type().Elem()))
				}
				v = v.Elem()
			}
			if v.Kind() == reflect.String {
				v.SetString(s)
			}
		}
	}
}

// jsonField finds the field of struct v whose JSON name is name, also in
// embedded structs.
func jsonField(v reflect.Value, name string) (reflect.Value, bool) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous {
			if x, ok := jsonField(v.Field(i), name); ok {
				return x, true
			}
			continue
		}
		if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// fuzzCouncil are the council's meetings in the calendar of every motion.
var fuzzCouncil = []motion.MeetingDate{
	{ID: "gr-1", OrganizationID: "gr", Start: fuzzT0.AddDate(0, 0, 10)},
	{ID: "gr-2", OrganizationID: "gr", Start: fuzzT0.AddDate(0, 0, 40)},
	{ID: "gr-3", OrganizationID: "gr", Start: fuzzT0.AddDate(0, 0, 70)},
}

// projection is what the workflow last wrote of one motion besides the
// motion itself: like the workflow, it writes deadlines only when they changed.
type projection struct {
	deadlines []motion.Deadline
	written   bool
}

// accepted writes the accepted state as the workflow's activities do and
// reads it back; any error fails the test.
func (p *projection) accepted(t *testing.T, s *store.Store, m *motion.Motion, ev motion.Event) {
	t.Helper()
	ctx := t.Context()
	if err := s.Project(ctx, *m, ev); err != nil {
		t.Fatalf("%s accepted but not projectable: %v", ev.Command, err)
	}
	ids := m.MeetingIDs()
	if m.TargetMeeting != "" {
		ids = append(ids, m.TargetMeeting)
	}
	if _, err := s.MeetingDates(ctx, ids); err != nil {
		t.Fatalf("%s: meetings of the motion cannot be read: %v", ev.Command, err)
	}
	// Every meeting the motion names exists in its calendar, so that every
	// kind of deadline can come up.
	cal := motion.Calendar{Rules: motion.DefaultDeadlineRules(), CouncilMeetings: fuzzCouncil}
	for _, id := range ids {
		h := fnv.New32a()
		h.Write([]byte(id))
		cal.Meetings = append(cal.Meetings, motion.MeetingDate{ID: id, OrganizationID: "gr",
			Start: fuzzT0.AddDate(0, 0, 5+int(h.Sum32()%200))})
	}
	if ds := motion.Deadlines(m, cal); !p.written || !reflect.DeepEqual(ds, p.deadlines) {
		if err := s.ProjectDeadlines(ctx, m.ID, m.BodyID, m.Faction, ds); err != nil {
			t.Fatalf("%s accepted but its deadlines are not projectable: %v", ev.Command, err)
		}
		p.deadlines, p.written = ds, true
	}
	got, err := s.Motion(ctx, m.ID)
	if err != nil {
		t.Fatalf("%s: read back: %v", ev.Command, err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, m); g != w {
		t.Fatalf("%s: read back differs\n got %.2000s\nwant %.2000s", ev.Command, g, w)
	}
}

// TestLargestMotionIsProjectable: a motion that holds the most the domain
// accepts (every text at its limit, in distinct words, the worst case of
// the full-text index) is projectable through its whole life.
func TestLargestMotionIsProjectable(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	script := []string{
		`create spd {"body_id":"ma","kind":"motion","title":"Bänke","resolution_points":["Aufstellen."]}`,
		"fill title 300", "fill justification 100000", "fill budget_cycle 200", "fill amends 200",
	}
	for i := range motion.MaxResolutionPointsTotal / motion.MaxPoint {
		script = append(script, fmt.Sprintf("fill resolution_points[%d] %d", i, motion.MaxPoint))
	}
	for i := range motion.MaxTags {
		script = append(script, fmt.Sprintf("fill tags[%d] %d", i, motion.MaxTag))
	}
	for i := range motion.MaxSignatories {
		script = append(script, fmt.Sprintf("fill signatories[%d] %d", i, motion.MaxShort))
	}
	script = append(script, "submit spd {}", `register office {"reference":"A1/2026"}`,
		`set_route office {"steps":[{"organization_id":"ha"},{"organization_id":"gr","decisive":true}]}`,
		`schedule office {"consultation_id":"c2","meeting_id":"gr-1"}`,
		`record_result office {"consultation_id":"c2","result":"adopted","vote":{"yes":30,"no":10}}`, "fill note 5000")
	ops := parseScript([]byte(strings.Join(script, "\n")))
	if len(ops) != 6 {
		t.Fatalf("script has %d commands", len(ops))
	}
	runScript(t, s, "largest", ops)
	m, err := s.Motion(t.Context(), "largest")
	if err != nil || m.Status != motion.StatusDecided || len(m.Justification) < motion.MaxJustification {
		t.Fatalf("the largest motion did not come through: %s, %d, %v", m.Status, len(m.Justification), err)
	}
}
