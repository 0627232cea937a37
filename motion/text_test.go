package motion

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// textCase is a command that is accepted as it is, on a motion in a state and
// from a caller that allow it.
type textCase struct {
	state int // index into fuzzFixtures; -1: a new motion
	actor Actor
	cmd   func() Command
}

// textCases has one accepted command of every kind, with one item in every
// list, so that every string field of every command is there to be spoilt.
func textCases() map[CommandName]textCase {
	spd, office, dez := fuzzActors[0], fuzzActors[2], fuzzActors[3]
	content := func() Content {
		return Content{Title: "Bänke am Neckar", ResolutionPoints: []string{"Aufstellen."}, Justification: "Weil.",
			Tags: []string{"Grün"}, BudgetCycle: "Haushalt 2026", Amends: "A1/2026", AddressedDepartment: "dez1",
			TargetMeeting: "gr-1", Signatories: []string{"Erika Muster"},
			Attachments: []Attachment{{Name: "a.pdf", URL: "https://example.org/a.pdf", ContentType: "application/pdf",
				SHA256: strings.Repeat("ab", 32)}}}
	}
	result := func(r Result) ResultInput {
		return ResultInput{Result: r, Note: "Vermerk", ReferredTo: "bza",
			Links: []Link{{MotionID: "m9", Reference: "A9/2026", Title: "Anderer Antrag", URL: "https://example.org/a9"}},
			Vote: &Vote{Yes: 1, ByFaction: []FactionVote{{OrganizationID: "spd", Yes: 1}},
				Named: []NamedVote{{PersonID: "p1", Name: "Erika Muster", Vote: "yes"}}}}
	}
	due := fuzzT0.Add(30 * 24 * time.Hour)
	return map[CommandName]textCase{
		CmdCreate:          {-1, spd, func() Command { return Create{BodyID: "ma", Kind: KindMotion, Content: content()} }},
		CmdEdit:            {0, spd, func() Command { return Edit{Content: content()} }},
		CmdInviteCosponsor: {0, spd, func() Command { return InviteCosponsor{Faction: "cdu"} }},
		CmdRegister:        {2, office, func() Command { return Register{Reference: "A5/2026", Year: 2026, Seq: 5} }},
		CmdDeclareInadmissible: {2, office, func() Command {
			return DeclareInadmissible{Reason: "Nicht zuständig."}
		}},
		CmdSetRoute: {3, office, func() Command {
			return SetRoute{Steps: []RouteStep{{OrganizationID: "gr", Decisive: true}}}
		}},
		CmdSchedule: {4, office, func() Command { return Schedule{ConsultationID: "c2", MeetingID: "gr-1"} }},
		CmdRecordResult: {4, office, func() Command {
			return RecordResult{ConsultationID: "c1", ResultInput: result(ResultRecommendApproval)}
		}},
		CmdRecordStatement: {4, dez, func() Command { return RecordStatement{Text: "Stellungnahme."} }},
		CmdRecordAnswer:    {8, dez, func() Command { return RecordAnswer{Text: "Antwort."} }},
		CmdRecordOutcome: {4, office, func() Command {
			in := result(ResultAdopted)
			return RecordOutcome{Result: in.Result, Links: in.Links, Note: in.Note}
		}},
		CmdReportImplementation: {6, dez, func() Command {
			return ReportImplementation{Text: "Bericht.", Points: []PointReport{{Point: 1, State: PointNotFeasible, Note: "Geprüft.", Reason: "Kein Platz."}}}
		}},
		CmdEnterSubmission: {-1, office, func() Command {
			return EnterSubmission{BodyID: "ma", Kind: KindMotion, Content: content(), Originator: OriginatorFaction, Organization: "spd",
				Paper: Paper{SubmittedBy: "Erika Muster", ReceivedAt: fuzzT0.Add(-48 * time.Hour), Channel: "paper", EnteredBy: "Rita"}}
		}},
		CmdDeclineCosponsorship: {1, fuzzActors[1], func() Command { return DeclineCosponsorship{Reason: "Nicht unser Thema."} }},
		CmdSetDepartments:       {3, office, func() Command { return SetDepartments{Lead: "dez1", Involved: []string{"dez2"}} }},
		CmdClose:                {5, office, func() Command { return Close{Note: "Erledigt."} }},
		CmdWithdraw:             {0, spd, func() Command { return Withdraw{Reason: "Hat sich erledigt."} }},
		CmdCorrectResult: {5, office, func() Command {
			return CorrectResult{ConsultationID: "c2", Reason: "Zählfehler", ResultInput: result(ResultAdoptedAmended)}
		}},
		CmdSetDeadline: {4, office, func() Command {
			return SetDeadline{Key: "papers_due:ha-1", Due: due, Reason: "Sondersitzung"}
		}},
		CmdLapse: {3, office, func() Command { return Lapse{Reason: "Ende der Wahlperiode"} }},
	}
}

// stringFields lists the JSON paths of every string in v (a command), as
// field errors name them: "attachments[0].name", "vote.named[0].name".
func stringFields(v reflect.Value, prefix string, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, prefix)
	case reflect.Pointer:
		if !v.IsNil() {
			stringFields(v.Elem(), prefix, out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			stringFields(v.Index(i), fieldIndex(prefix, i), out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case f.Anonymous:
				stringFields(v.Field(i), prefix, out)
			case prefix == "":
				stringFields(v.Field(i), name, out)
			default:
				stringFields(v.Field(i), prefix+"."+name, out)
			}
		}
	}
}

// setString sets the string at path in a copy of cmd.
func setString(t *testing.T, cmd Command, path, s string) Command {
	t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	// Walk the generic JSON down the path and replace the leaf.
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' || r == ']' })
	cur := generic
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = s
			}
			cur = c[p]
		case []any:
			n := 0
			for _, r := range p {
				n = n*10 + int(r-'0')
			}
			if last {
				c[n] = s
			}
			cur = c[n]
		}
	}
	// Decode back into the command's type; invalid UTF-8 does not survive
	// JSON, so it is set afterwards by reflection when asked for.
	out := reflect.New(reflect.TypeOf(cmd))
	b, _ = json.Marshal(generic)
	if err := json.Unmarshal(b, out.Interface()); err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(s) {
		setByPath(out.Elem(), parts, s)
	}
	return out.Elem().Interface().(Command)
}

// setByPath sets the string at the path parts (JSON names and indexes) in v.
func setByPath(v reflect.Value, parts []string, s string) {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if len(parts) == 0 {
		v.SetString(s)
		return
	}
	switch v.Kind() {
	case reflect.Slice:
		n := 0
		for _, r := range parts[0] {
			n = n*10 + int(r-'0')
		}
		setByPath(v.Index(n), parts[1:], s)
	case reflect.Struct:
		if f, ok := fieldByJSON(v, parts[0]); ok {
			setByPath(f, parts[1:], s)
		}
	}
}

func fieldByJSON(v reflect.Value, name string) (reflect.Value, bool) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous {
			if x, ok := fieldByJSON(v.Field(i), name); ok {
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

// TestEveryStringOfEveryCommandIsChecked spoils every string field of every
// command in turn (NUL, invalid UTF-8, an escape character, 100,001
// characters): each is refused as invalid, naming exactly that field, with a
// short message that does not repeat the value, and leaves the motion as it
// was. A CR is refused in one-line fields and never stored from the others.
func TestEveryStringOfEveryCommandIsChecked(t *testing.T) {
	fixtures := fuzzFixtures()
	cases := textCases()
	for _, name := range Commands {
		if _, ok := cases[name]; !ok && !slices.Contains([]CommandName{CmdSubmit, CmdStartImplementation, CmdSign, CmdAcceptCosponsorship}, name) {
			t.Errorf("%s has no case: every command with strings needs one", name)
		}
	}
	long := strings.Repeat("x", 100001)
	for name, c := range cases {
		t.Run(string(name), func(t *testing.T) {
			apply := func(cmd Command) (*Motion, error) {
				m := &Motion{ID: "m", BodyID: "ma"}
				if c.state >= 0 {
					m = fixtures[c.state].Clone()
				}
				_, err := Apply(m, Request{Command: cmd, Actor: c.actor, ExpectedVersion: m.Version, At: fuzzT0.Add(1000 * time.Hour)})
				return m, err
			}
			if _, err := apply(c.cmd()); err != nil {
				t.Fatalf("the valid command is refused: %v", err)
			}
			var paths []string
			stringFields(reflect.ValueOf(c.cmd()), "", &paths)
			if len(paths) == 0 {
				t.Fatal("no string fields found")
			}
			for _, path := range paths {
				for _, bad := range []string{"a\x00b", "a\xffb", "a\x1bb", long} {
					cmd := setString(t, c.cmd(), path, bad)
					m, err := apply(cmd)
					var e *Error
					if err == nil || !asError(err, &e) || e.Code != CodeInvalid {
						t.Errorf("%s = %.20q: got %v, want a refusal", path, bad, err)
						continue
					}
					if m.Version != fixtureVersion(fixtures, c.state) {
						t.Errorf("%s = %.20q: the refusal changed the motion", path, bad)
					}
					named := false
					for _, fe := range e.Fields {
						named = named || fe.Field == path
						if len(fe.Message) > 300 || strings.Contains(fe.Message, "xxxxxxxx") {
							t.Errorf("%s: message too long or repeats the value: %.100q", path, fe.Message)
						}
					}
					if !named {
						t.Errorf("%s = %.20q: refusal does not name the field: %v", path, bad, e.Fields)
					}
				}
				// A carriage return: refused, or (prose) stored as a line feed.
				m, err := apply(setString(t, c.cmd(), path, "Zeile\reins\r\nzwei"))
				if err == nil {
					b, _ := json.Marshal(m)
					if strings.Contains(string(b), `\r`) {
						t.Errorf("%s: a CR was stored: %s", path, b)
					}
				}
			}
		})
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

func fixtureVersion(fixtures []*Motion, i int) int64 {
	if i < 0 {
		return 0
	}
	return fixtures[i].Version
}

// TestTitlesAreOneLine: a title (or tag, name, id) with a line break in
// any form is refused with a sentence naming it, so nothing can inject
// lines into the iCalendar feeds or e-mail headers it is written into.
func TestTitlesAreOneLine(t *testing.T) {
	for _, title := range []string{"Bänke\rBEGIN:VEVENT", "Bänke\nam Neckar", "Bänke\r\nam Neckar", "Bänke\u2028am Neckar", "Bänke\u0085x", "Bänke\tam Neckar"} {
		m := &Motion{ID: "m1", BodyID: "ma"}
		c := sample
		c.Title = title
		e := refused(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: c}, CodeInvalid)
		if len(e.Fields) != 1 || e.Fields[0].Field != "title" {
			t.Fatalf("%q: fields %v", title, e.Fields)
		}
		want := "Der Titel darf keine Zeilenumbrüche enthalten."
		if title == "Bänke\tam Neckar" {
			want = "Der Titel darf keine Steuerzeichen enthalten."
		}
		if e.Fields[0].Message != want {
			t.Errorf("%q: message %q, want %q", title, e.Fields[0].Message, want)
		}
	}
	m := &Motion{ID: "m1", BodyID: "ma"}
	do(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample})
	c := sample
	c.Title = "Neu\r"
	refused(t, m, anna, Edit{Content: c}, CodeInvalid)
	c = sample
	c.Tags = []string{"a\nb"}
	refused(t, m, anna, Edit{Content: c}, CodeInvalid)
}

// TestProseKeepsLinesButNoCR: texts of several lines keep their line feeds
// and tabs; a CRLF or a lone CR is stored as a line feed.
func TestProseKeepsLinesButNoCR(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	c := sample
	c.Justification = "Erstens:\r\n\tdies.\rZweitens: das."
	c.ResolutionPoints = []string{"Die Verwaltung\r\nberichtet."}
	do(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: c})
	if m.Justification != "Erstens:\n\tdies.\nZweitens: das." || m.ResolutionPoints[0] != "Die Verwaltung\nberichtet." {
		t.Errorf("stored %q, %q", m.Justification, m.ResolutionPoints)
	}
	do(t, m, anna, Withdraw{Reason: "Erledigt\r\ndurch Zeitablauf"})
	if m.Reason != "Erledigt\ndurch Zeitablauf" {
		t.Errorf("reason %q", m.Reason)
	}
}

// TestSearchableTextIsBounded: the resolution points together are bounded,
// so that the motion's full-text index can always be built.
func TestSearchableTextIsBounded(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	c := sample
	c.ResolutionPoints = make([]string, MaxResolutionPoints)
	for i := range c.ResolutionPoints {
		c.ResolutionPoints[i] = strings.Repeat("語", MaxPoint)
	}
	e := refused(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: c}, CodeInvalid)
	if len(e.Fields) != 1 || e.Fields[0].Field != "resolution_points" {
		t.Errorf("fields %v", e.Fields)
	}
}

// TestDraftSummariesCarryNoContent: the history of the draft phase says what
// happened, not what the draft said or whom it invited; and events stored
// before with the working title in their summary are shown without it to
// everybody but the sponsors.
func TestDraftSummariesCarryNoContent(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	c := sample
	c.Title = "Geheimer Arbeitstitel"
	evs := []Event{do(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: c}),
		do(t, m, anna, InviteCosponsor{Faction: "cdu"}), do(t, m, anna, Edit{Content: sample})}
	do(t, m, anna, Submit{})
	for _, ev := range evs {
		if strings.Contains(ev.Summary, "Geheim") || strings.Contains(ev.Summary, "cdu") {
			t.Errorf("%s: summary %q carries draft content", ev.Command, ev.Summary)
		}
	}
	old := evs[0]
	old.Summary = "Entwurf angelegt: Geheimer Arbeitstitel" // as stored before
	for _, a := range []Actor{clerk, {}, {Subject: "x", Roles: []Role{RoleFactionStaff}, Faction: "fdp", Bodies: []string{"ma"}}} {
		if got := old.RedactedFor(m, a); got.Summary != "Entwurf angelegt" || got.Data != nil {
			t.Errorf("%v sees %q, data %s", a.Roles, got.Summary, got.Data)
		}
	}
	for _, a := range []Actor{anna, other} { // originator and invited co-sponsor
		if got := old.RedactedFor(m, a); got.Summary != old.Summary || got.Data == nil {
			t.Errorf("sponsor %s sees %q", a.Faction, got.Summary)
		}
	}
	if got := old.RedactedFor(m, Actor{}); got.Actor.Subject != "" || got.Actor.Name != "" || got.RequestID != "" {
		t.Errorf("anonymous sees persons: %+v", got)
	}
}

// TestDeadlineRulesValidate: the default rules pass; each wrong value is
// refused naming its own field.
func TestDeadlineRulesValidate(t *testing.T) {
	if err := DefaultDeadlineRules().Validate(); err != nil {
		t.Fatalf("default rules: %v", err)
	}
	day := Duration(24 * time.Hour)
	for field, spoil := range map[string]func(*DeadlineRules){
		"time_zone":                    func(r *DeadlineRules) { r.TimeZone = "Mars/Olympus" },
		"agenda_placement_meetings":    func(r *DeadlineRules) { r.AgendaPlacementMeetings = 0 },
		"submission_cutoff":            func(r *DeadlineRules) { r.SubmissionCutoff = -day },
		"papers_due":                   func(r *DeadlineRules) { r.PapersDue = -day },
		"inquiry_answer":               func(r *DeadlineRules) { r.InquiryAnswer = 0 },
		"inquiry_answer_fundamental":   func(r *DeadlineRules) { r.InquiryAnswerFundamental = 0 },
		"implementation_report_months": func(r *DeadlineRules) { r.ImplementationReportMonths = 100000 },
		"implementation_report":        func(r *DeadlineRules) { r.ImplementationReport = -day },
		"stale":                        func(r *DeadlineRules) { r.Stale = MaxRulePeriod + 1 },
		"offsets":                      func(r *DeadlineRules) { r.Offsets = nil },
		"offsets[1]":                   func(r *DeadlineRules) { r.Offsets[1] = -MaxRulePeriod - 1 },
		"escalation":                   func(r *DeadlineRules) { r.Escalation = 0 },
		"escalation_max":               func(r *DeadlineRules) { r.EscalationMax = -1 },
	} {
		r := DefaultDeadlineRules()
		r.Offsets = append([]Duration(nil), r.Offsets...)
		spoil(&r)
		var e *Error
		if err := r.Validate(); err == nil || !asError(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

// TestCallerMustBeProjectable: what the identity provider says of the caller
// goes into the audit trail and the motion (its faction); a caller whose name
// holds a NUL or whose faction id is too long for the read model's indexes
// is refused before anything is stored.
func TestCallerMustBeProjectable(t *testing.T) {
	for _, spoil := range []func(*Actor){
		func(a *Actor) { a.Name = "Anna\x00" },
		func(a *Actor) { a.Subject = "a\xffb" },
		func(a *Actor) { a.Faction = strings.Repeat("s", MaxShort+1) },
		func(a *Actor) { a.Issuer = strings.Repeat("i", 501) },
	} {
		a := anna
		spoil(&a)
		m := &Motion{ID: "m1", BodyID: "ma"}
		refused(t, m, a, Create{BodyID: "ma", Kind: KindMotion, Content: sample}, CodeInvalid)
	}
	m := &Motion{ID: "m1", BodyID: "ma"}
	_, err := Apply(m, Request{Command: Create{BodyID: "ma", Kind: KindMotion, Content: sample}, Actor: anna, At: t0, RequestID: "r\n1"})
	if CodeOf(err) != CodeInvalid {
		t.Errorf("request id with a line break: %v", err)
	}
}

func TestOneLineAndCheckLine(t *testing.T) {
	if got := OneLine("Sitzung\r\nX-INJECTED:1\u2028Ende\x00"); got != "Sitzung  X-INJECTED:1 Ende " {
		t.Errorf("OneLine = %q", got)
	}
	if got := OneLine("Gemeinderat Mannheim"); got != "Gemeinderat Mannheim" {
		t.Errorf("OneLine changed a clean line: %q", got)
	}
	err := CheckLine("name", "Der Name der Sitzung", "Sitzung\rX", MaxShort, false)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "name" ||
		e.Fields[0].Message != "Der Name der Sitzung darf keine Zeilenumbrüche enthalten." {
		t.Errorf("CheckLine with CR: %#v", err)
	}
	if err := CheckLine("name", "Der Name", "", MaxShort, false); err != nil {
		t.Errorf("an optional empty name: %v", err)
	}
}
