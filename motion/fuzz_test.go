package motion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the domain validation. `go test ./motion` runs the seed
// corpus (testdata/fuzz/<Name>/ and the f.Add seeds); `make fuzz` runs each
// target with the fuzzing engine for a short time.

// fuzzCommands decodes a command of each name from JSON, as the workflow's
// update arguments are decoded.
var fuzzCommands = map[CommandName]func([]byte) (Command, error){
	CmdCreate:               fuzzDecode[Create],
	CmdEdit:                 fuzzDecode[Edit],
	CmdInviteCosponsor:      fuzzDecode[InviteCosponsor],
	CmdSubmit:               fuzzDecode[Submit],
	CmdRegister:             fuzzDecode[Register],
	CmdDeclareInadmissible:  fuzzDecode[DeclareInadmissible],
	CmdSetRoute:             fuzzDecode[SetRoute],
	CmdSchedule:             fuzzDecode[Schedule],
	CmdRecordResult:         fuzzDecode[RecordResult],
	CmdRecordStatement:      fuzzDecode[RecordStatement],
	CmdRecordAnswer:         fuzzDecode[RecordAnswer],
	CmdRecordOutcome:        fuzzDecode[RecordOutcome],
	CmdStartImplementation:  fuzzDecode[StartImplementation],
	CmdReportImplementation: fuzzDecode[ReportImplementation],
	CmdClose:                fuzzDecode[Close],
	CmdWithdraw:             fuzzDecode[Withdraw],
	CmdCorrectResult:        fuzzDecode[CorrectResult],
	CmdLapse:                fuzzDecode[Lapse],
	CmdSetDeadline:          fuzzDecode[SetDeadline],
	CmdEnterSubmission:      fuzzDecode[EnterSubmission],
	CmdSign:                 fuzzDecode[Sign],
	CmdAcceptCosponsorship:  fuzzDecode[AcceptCosponsorship],
	CmdDeclineCosponsorship: fuzzDecode[DeclineCosponsorship],
	CmdSetDepartments:       fuzzDecode[SetDepartments],
}

func fuzzDecode[C Command](b []byte) (Command, error) {
	var c C
	if len(bytes.TrimSpace(b)) == 0 {
		return c, nil
	}
	err := json.Unmarshal(b, &c)
	return c, err
}

// The callers the fuzzer chooses from: every role, in and out of scope.
var fuzzActors = []Actor{
	{Subject: "spd", Name: "SPD", Roles: []Role{RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}},
	{Subject: "cdu", Name: "CDU", Roles: []Role{RoleFactionStaff}, Faction: "cdu", Bodies: []string{"ma"}},
	{Subject: "rita", Name: "Ratsbüro", Roles: []Role{RoleCouncilOffice}, Bodies: []string{"ma"}},
	{Subject: "dez1", Name: "Dezernat I", Roles: []Role{RoleAdministration}, Department: "dez1", Bodies: []string{"ma"}},
	{Subject: "dez2", Name: "Dezernat II", Roles: []Role{RoleAdministration}, Department: "dez2", Bodies: []string{"ma"}},
	{Subject: "root", Name: "Admin", Roles: []Role{RoleAdmin}, Bodies: []string{"ma"}},
	{}, // anonymous
	{Subject: "hd", Name: "Heidelberg", Roles: []Role{RoleCouncilOffice, RoleFactionStaff}, Faction: "hd-spd", Bodies: []string{"hd"}},
	{Subject: "both", Name: "SPD und Ratsbüro", Roles: []Role{RoleFactionStaff, RoleCouncilOffice}, Faction: "spd", Bodies: []string{"ma"}},
	{Subject: "p1", Name: "Erika Muster", Roles: []Role{RoleCouncillor}, Person: "p1", Bodies: []string{"ma"}},
	{Subject: "p2", Name: "Max Beispiel", Roles: []Role{RoleCouncillor}, Person: "p2", Bodies: []string{"ma"}},
}

var fuzzT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fuzzFixtures builds one motion per interesting state by applying valid
// commands; index i of the result is chosen by the fuzzer.
func fuzzFixtures() []*Motion {
	spd, office, dez := fuzzActors[0], fuzzActors[2], fuzzActors[3]
	yes := true
	content := Content{Title: "Bänke am Neckarufer", ResolutionPoints: []string{"Die Verwaltung stellt 20 Bänke auf."}}
	inquiry := Content{Title: "Wie viele Bänke?", ResolutionPoints: []string{"Wie viele Bänke gibt es?"}, AddressedDepartment: "dez1"}
	build := func(kind Kind, c Content, cmds ...any) *Motion {
		m := &Motion{ID: "m", BodyID: "ma"}
		steps := append([]any{spd, Create{BodyID: "ma", Kind: kind, Content: c}}, cmds...)
		if x, ok := first(cmds).(Actor); ok && x.Has(RoleCouncillor) {
			// A motion of councillors: its first signer creates it.
			create := Create{BodyID: "ma", Kind: kind, Content: c, Quorum: 2, Signers: []Signer{{PersonID: "p2", Name: "Max Beispiel"}}}
			if kind == KindInquiry {
				create.Quorum, create.Signers = 1, nil
			}
			steps = append([]any{x, create}, cmds[1:]...)
		}
		var actor Actor
		for _, s := range steps {
			switch x := s.(type) {
			case Actor:
				actor = x
			case Command:
				if _, err := Apply(m, Request{Command: x, Actor: actor, ExpectedVersion: m.Version,
					At: fuzzT0.Add(time.Duration(m.Version) * time.Hour), Revision: RulesRevision}); err != nil {
					panic(fmt.Sprintf("fixture %s: %v", x.Name(), err))
				}
			}
		}
		return m
	}
	route := SetRoute{Steps: []RouteStep{{OrganizationID: "ha"}, {OrganizationID: "gr", Decisive: true}}}
	inConsultation := []any{Submit{}, office, Register{Reference: "A1/2026", Year: 2026, Seq: 1}, route,
		Schedule{ConsultationID: "c1", MeetingID: "ha-1"}}
	decided := append(slices.Clone(inConsultation),
		RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval}},
		Schedule{ConsultationID: "c2", MeetingID: "gr-1"},
		RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 30, No: 10}}})
	return []*Motion{
		build(KindMotion, content),
		build(KindMotion, content, InviteCosponsor{Faction: "cdu"}),
		build(KindMotion, content, Submit{}),
		build(KindMotion, content, Submit{}, office, Register{Reference: "A1/2026", Year: 2026, Seq: 1}),
		build(KindBudgetMotion, Content{Title: "Haushalt", ResolutionPoints: []string{"Mehr Geld."}, BudgetCycle: "Haushalt 2026/2027"}, inConsultation...),
		build(KindMotion, content, decided...),
		build(KindMotion, content, append(slices.Clone(decided), StartImplementation{})...),
		build(KindMotion, content, append(slices.Clone(decided), Close{Note: "Erledigt."})...),
		build(KindInquiry, inquiry, Submit{}, office, Register{Reference: "A2/2026", Year: 2026, Seq: 2}),
		build(KindInquiry, inquiry, Submit{}, office, Register{Reference: "A3/2026", Year: 2026, Seq: 3}, dez, RecordAnswer{Text: "Es gibt 412 Bänke."}),
		build(KindMotion, content, Withdraw{Reason: "Hat sich erledigt."}),
		build(KindMotion, content, Submit{}, office, DeclareInadmissible{Reason: "Nicht zuständig."}),
		build(KindAmendment, Content{Title: "Änderung", ResolutionPoints: []string{"Statt 20 nun 30 Bänke."}, Amends: "A1/2026"},
			append(slices.Clone(inConsultation), RecordOutcome{Result: ResultSettledByOtherResolutions,
				Links: []Link{{Reference: "V1/2026"}}, OriginatorAgreed: &yes})...),
		// 13: a motion of councillors signed by its initiator alone.
		build(KindMotion, content, fuzzActors[9]),
		// 14: a motion in implementation with a lead department.
		build(KindMotion, content, append(slices.Clone(decided), SetDepartments{Lead: "dez1"}, StartImplementation{})...),
		// 15: an inquiry of one councillor, submitted.
		build(KindInquiry, inquiry, fuzzActors[9], Submit{}),
	}
}

// FuzzApply decodes a command from fuzzed JSON and applies it, as a fuzzed
// caller, to a motion in a fuzzed state. Whatever the input: no panic; a
// refusal is a *Error with a known code and leaves the motion unchanged; an
// accepted command obeys the transition table, bumps the version by one,
// leaves content that validates again, survives a JSON round trip (the
// workflow carries the state as JSON) and cannot be applied a second time
// with the same expected version.
func FuzzApply(f *testing.F) {
	seeds := []struct {
		cmd          CommandName
		actor, state uint8
		body         string
	}{
		{CmdCreate, 0, 0, `{"body_id":"ma","kind":"motion","title":"Neue Bänke","resolution_points":["Aufstellen."]}`},
		{CmdEdit, 0, 0, `{"title":"Neue Bänke","resolution_points":["Aufstellen."],"tags":["Grün","Grün"]}`},
		{CmdEdit, 0, 0, `{"title":"  \u0007 ","resolution_points":[" "]}`},
		{CmdSubmit, 0, 0, `{}`},
		{CmdRegister, 2, 2, `{"reference":"A9/2026","year":2026,"seq":9}`},
		{CmdSetRoute, 2, 3, `{"steps":[{"organization_id":"ha"},{"organization_id":"gr","decisive":true}]}`},
		{CmdRecordResult, 2, 4, `{"consultation_id":"c1","result":"referred","referred_to":"bza"}`},
		{CmdRecordResult, 2, 4, `{"consultation_id":"c1","result":"settled_by_other_resolutions","links":[{"url":"http://x"}],"originator_agreed":true,"vote":{"yes":1,"named":[{"name":"A","vote":"yes"}]}}`},
		{CmdCorrectResult, 2, 5, `{"consultation_id":"c2","reason":"Zählfehler","result":"rejected","vote":{"yes":-1}}`},
		{CmdSetDeadline, 2, 4, `{"key":"papers_due:gr-1","due":"2026-06-30T18:00:00+02:00","reason":"Sondersitzung"}`},
		{CmdRecordAnswer, 3, 8, `{"text":"Antwort"}`},
		{CmdReportImplementation, 3, 6, `{"text":"Bericht"}`},
		{CmdInviteCosponsor, 0, 1, `{"faction":"cdu"}`},
		{CmdWithdraw, 1, 1, `{"reason":"\xff"}`},
		{CmdEnterSubmission, 2, 0, `{"body_id":"ma","kind":"motion","title":"Brief","resolution_points":["Tun."],"originator":"councillors","signers":[{"person_id":"p1"},{"person_id":"p1"}],"quorum":2,"paper":{"submitted_by":"Erika","received_at":"2026-03-01T10:00:00Z","channel":"paper"}}`},
		{CmdSign, 10, 13, `{}`},
		{CmdAcceptCosponsorship, 1, 1, `{}`},
		{CmdDeclineCosponsorship, 1, 1, `{"reason":"Nein."}`},
		{CmdSetDepartments, 2, 14, `{"lead":"dez1","involved":["dez1"]}`},
		{CmdReportImplementation, 3, 14, `{"points":[{"point":1,"state":"not_feasible"},{"point":9,"state":"done"}]}`},
		// Amendments by line and the money of budget motions (issue 16).
		{CmdCreate, 1, 0, `{"body_id":"ma","kind":"amendment","title":"Weniger","amends":"A1/2026","amended_points":["Die Verwaltung stellt 20 Bänke auf.","Zwei"],"changes":[{"op":"replace","from":1,"to":1,"text":"30 Bänke"},{"op":"insert","from":2},{"op":"delete","from":1,"to":2}]}`},
		{CmdEdit, 0, 0, `{"title":"Haushalt","resolution_points":["Mehr."],"budget":{"items":[{"year":2020,"amount":225000,"plan":"result"},{"year":1,"amount":0,"plan":"x","recurring":true}],"positions":0.125,"product":"P"}}`},
		{CmdRecordStatement, 3, 4, `{"text":"Stellungnahme","estimate":{"items":[{"year":2026,"amount":-1500,"plan":"financial"}],"positions":-1.5}}`},
		{CmdRecordResult, 2, 4, `{"consultation_id":"c1","result":"adopted","open_amendments":["Ä1",""]}`},
		{CmdCreate, 9, 0, `{"body_id":"ma","kind":"motion","title":"Von Räten","resolution_points":["Tun."],"quorum":8,"signers":[{"person_id":"p2"}]}`},
	}
	for _, s := range seeds {
		f.Add(uint8(slices.Index(Commands, s.cmd)), s.actor, s.state, []byte(s.body))
	}
	fixtures := fuzzFixtures()
	f.Fuzz(func(t *testing.T, cmdSel, actorSel, stateSel uint8, body []byte) {
		name := Commands[int(cmdSel)%len(Commands)]
		cmd, err := fuzzCommands[name](body)
		if err != nil {
			return // not a command; the decoders are encoding/json's
		}
		actor := fuzzActors[int(actorSel)%len(fuzzActors)]
		var m *Motion
		if Creating(name) && stateSel%4 != 3 {
			m = &Motion{ID: "m", BodyID: "ma"} // a fresh workflow
		} else {
			m = fixtures[int(stateSel&0x3f)%len(fixtures)].Clone()
		}
		expected := m.Version
		if stateSel&0x40 != 0 {
			expected-- // a stale If-Match
		}
		before := fuzzJSON(t, m)
		oldStatus := m.Status
		at := fuzzT0.Add(1000 * time.Hour)
		req := Request{Command: cmd, Actor: actor, ExpectedVersion: expected, At: at, RequestID: "r1", Revision: RulesRevision}

		ev, err := Apply(m, req)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: refusal is %T, not *Error: %v", name, err, err)
			}
			switch e.Code {
			case CodeNotFound, CodeForbidden, CodeStaleVersion, CodeIllegalTransition, CodeInvalid:
			default:
				t.Fatalf("%s: unknown code %q", name, e.Code)
			}
			if e.Message == "" {
				t.Fatalf("%s: refusal without a message", name)
			}
			for _, fe := range e.Fields {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("%s: field error without field or message: %+v", name, e.Fields)
				}
			}
			if after := fuzzJSON(t, m); !bytes.Equal(before, after) {
				t.Fatalf("%s: a refusal changed the motion\nbefore %s\nafter  %s", name, before, after)
			}
			return
		}

		rule := Table[name]
		if !Creating(name) && !slices.Contains(rule.From, oldStatus) {
			t.Fatalf("%s accepted in status %s", name, oldStatus)
		}
		if !slices.ContainsFunc(rule.Roles, actor.Has) {
			t.Fatalf("%s accepted from roles %v", name, actor.Roles)
		}
		if !Creating(name) && expected != m.Version-1 { // creating ignores the expected version
			t.Fatalf("%s accepted with expected version %d, now %d", name, expected, m.Version)
		}
		if ev.Version != m.Version || ev.Command != name || ev.MotionID != m.ID || (Creating(name) && m.Version != 1) {
			t.Fatalf("%s: expected %d, version now %d, event %d %s", name, expected, m.Version, ev.Version, ev.Command)
		}
		if !m.Status.Valid() || !m.Kind.Valid() || ev.Status != m.Status {
			t.Fatalf("%s: status %q kind %q event status %q", name, m.Status, m.Kind, ev.Status)
		}
		// Declining an invitation is the one step after which the caller
		// no longer sees the draft it acted on.
		if !m.VisibleTo(actor) && name != CmdDeclineCosponsorship {
			t.Fatalf("%s: the caller no longer sees the motion it acted on", name)
		}
		if !m.UpdatedAt.Equal(at) {
			t.Fatalf("%s: updated_at %v", name, m.UpdatedAt)
		}
		var fs fields
		m.Content.validate(&fs)
		if fs.err() != nil {
			t.Fatalf("%s: stored content does not validate: %v\n%s", name, fs.err(), fuzzJSON(t, m))
		}
		// Stored text passes the text checks again, unchanged: nothing
		// unprojectable (NUL, invalid UTF-8, CR) got in.
		if again, err := checkTexts(Edit{Content: m.Content}); err != nil || !reflect.DeepEqual(again.(Edit).Content, m.Content) {
			t.Fatalf("%s: stored text does not pass the text checks unchanged: %v\n%s", name, err, fuzzJSON(t, m))
		}
		if b := fuzzJSON(t, m); bytes.Contains(b, []byte(`\u0000`)) || bytes.Contains(b, []byte(`\r`)) {
			t.Fatalf("%s: NUL or CR stored: %s", name, b)
		}
		// The workflow hands the state on as JSON: it must survive unchanged.
		b1 := fuzzJSON(t, m)
		var back Motion
		if err := json.Unmarshal(b1, &back); err != nil {
			t.Fatalf("%s: state does not decode: %v", name, err)
		}
		if b2 := fuzzJSON(t, &back); !bytes.Equal(b1, b2) {
			t.Fatalf("%s: JSON round trip changed the state\n%s\n%s", name, b1, b2)
		}
		if !json.Valid(ev.Data) {
			t.Fatalf("%s: event data is not JSON: %q", name, ev.Data)
		}
		// The same request again (same expected version) never applies twice.
		if _, err := Apply(m, req); err == nil {
			t.Fatalf("%s applied twice with expected version %d", name, expected)
		}
		// Allowed agrees with Permit on the new state.
		for _, c := range Allowed(m, actor) {
			if _, err := Permit(m, c, actor, m.Version); err != nil {
				t.Fatalf("Allowed lists %s but Permit refuses: %v", c, err)
			}
		}
	})
}

func fuzzJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

// FuzzParseDuration: ParseDuration never panics, and what it accepts prints
// (String, MarshalJSON) to a form it reads back as the same duration.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"14d", "-7d", "3d12h", "90s", "1h30m", "+2d", "0", "", "d", "-", "1.5d", "1d-25h",
		"9223372036854775807ns", "-2562047h47m16.854775808s", "106751d23h47m16.854775807s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if d != 0 {
				t.Fatalf("%q: error %v with value %v", s, err, d)
			}
			return
		}
		str := d.String()
		back, err := ParseDuration(str)
		if err != nil || back != d {
			t.Fatalf("%q → %d → %q → %d, %v", s, d, str, back, err)
		}
		b, err := d.MarshalJSON()
		if err != nil {
			t.Fatalf("%q: marshal: %v", s, err)
		}
		var j Duration
		if err := j.UnmarshalJSON(b); err != nil || j != d {
			t.Fatalf("%q: JSON %s read back as %d, %v", s, b, j, err)
		}
		// Without any minus sign the duration cannot be negative (an
		// overflowing day count must not wrap around).
		if !strings.Contains(s, "-") && d < 0 {
			t.Fatalf("%q parsed as negative %v", s, time.Duration(d))
		}
	})
}

// first is the first of xs, or nil.
func first(xs []any) any {
	if len(xs) == 0 {
		return nil
	}
	return xs[0]
}
