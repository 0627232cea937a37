package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// TestCheckReferences: a command that names an organization, meeting,
// faction or motion that is not there in the motion's body is refused with
// a German message at the field that names it (without repeating the value), as the API and the web pages
// show it; what the domain refuses anyway (wrong role, stale version, a
// blank name) is left to the workflow.
func TestCheckReferences(t *testing.T) {
	s := newStore(t, "ma", "hd")
	for _, o := range []store.Organization{
		{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "ha", BodyID: "ma", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD"},
		{ID: "cdu", BodyID: "ma", Kind: store.OrgFaction, Name: "CDU"},
		{ID: "hd-ha", BodyID: "hd", Kind: store.OrgCommittee, Name: "Hauptausschuss Heidelberg"},
		{ID: "hd-gruene", BodyID: "hd", Kind: store.OrgFaction, Name: "Grüne Heidelberg"},
	} {
		if _, err := s.CreateOrganization(ctx(t), o); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2030, 3, 10, 16, 0, 0, 0, motion.Berlin)
	for _, m := range []store.Meeting{
		{ID: "ha-1", BodyID: "ma", OrganizationID: "ha", Name: "HA", Start: start},
		{ID: "gr-1", BodyID: "ma", OrganizationID: "gr", Name: "GR", Start: start},
		{ID: "ha-off", BodyID: "ma", OrganizationID: "ha", Name: "HA", Start: start, Cancelled: true},
		{ID: "hd-1", BodyID: "hd", OrganizationID: "hd-ha", Name: "HA HD", Start: start},
	} {
		if _, err := s.CreateMeeting(ctx(t), m); err != nil {
			t.Fatal(err)
		}
	}
	// A draft of the CDU, which only the CDU sees, and a public motion.
	project(t, s, draft("cdu-draft", "ma", "cdu", "Entwurf", t0))
	public := draft("public", "ma", "cdu", "Öffentlich", t0)
	project(t, s, public)
	project(t, s, submit(public, t0))

	office := motion.Actor{Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}}
	spdStaff := motion.Actor{Subject: "spd-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	submitted := t0
	registered := motion.Motion{ID: "m", BodyID: "ma", Version: 3, Kind: motion.KindMotion, Status: motion.StatusRegistered,
		Faction: "spd", SubmittedAt: &submitted}
	consulting := registered
	consulting.Status = motion.StatusInConsultation
	consulting.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: "ha", Status: motion.ConsultationPlanned}}
	spdDraft := motion.Motion{ID: "d", BodyID: "ma", Version: 1, Kind: motion.KindMotion, Status: motion.StatusDraft, Faction: "spd"}
	route := func(orgs ...string) motion.SetRoute {
		var c motion.SetRoute
		for i, o := range orgs {
			c.Steps = append(c.Steps, motion.RouteStep{OrganizationID: o, Decisive: i == len(orgs)-1})
		}
		return c
	}
	result := func(referredTo string, links ...motion.Link) motion.RecordResult {
		return motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{
			Result: motion.ResultReferred, ReferredTo: referredTo, Links: links}}
	}

	for _, tc := range []struct {
		name    string
		m       motion.Motion
		cmd     motion.Command
		actor   motion.Actor
		version int64
		want    []string // "field: message", in order; none: no refusal
	}{
		{"route through gremia of the body", registered, route("ha", "gr"), office, 3, nil},
		{"route step of another body, a faction, an unknown one", registered, route("ha", "hd-ha", "spd", "nirgends"), office, 3, []string{
			"steps[1].organization_id: Dieses Gremium gibt es in dieser Körperschaft nicht.",
			"steps[2].organization_id: Das ist kein Gremium; bitte wählen Sie den Gemeinderat, einen Ausschuss oder einen Bezirksbeirat.",
			"steps[3].organization_id: Dieses Gremium gibt es in dieser Körperschaft nicht."}},
		{"a blank step is the domain's to refuse", registered, route("ha", " "), office, 3, nil},
		{"a NUL in an id is not there", registered, route("a\x00b"), office, 3, []string{
			"steps[0].organization_id: Dieses Gremium gibt es in dieser Körperschaft nicht."}},
		{"a long id is not there", registered, route(strings.Repeat("x", 1000)), office, 3, []string{
			"steps[0].organization_id: Dieses Gremium gibt es in dieser Körperschaft nicht."}},
		{"faction staff may not route: the workflow says 403", registered, route("nirgends"), spdStaff, 3, nil},
		{"a stale version: the workflow says 412", registered, route("nirgends"), office, 2, nil},
		{"schedule in the consultation's committee", consulting, motion.Schedule{ConsultationID: "c1", MeetingID: "ha-1"}, office, 3, nil},
		{"schedule in another gremium's meeting", consulting, motion.Schedule{ConsultationID: "c1", MeetingID: "gr-1"}, office, 3, []string{
			"meeting_id: Die Sitzung gehört nicht zum Gremium der Beratung c1 (ha)."}},
		{"schedule in a cancelled meeting", consulting, motion.Schedule{ConsultationID: "c1", MeetingID: "ha-off"}, office, 3, []string{
			"meeting_id: Die Sitzung ist abgesagt."}},
		{"schedule in another body's meeting", consulting, motion.Schedule{ConsultationID: "c1", MeetingID: "hd-1"}, office, 3, []string{
			"meeting_id: Diese Sitzung gibt es in dieser Körperschaft nicht."}},
		{"schedule without a meeting: the domain says it is missing", consulting, motion.Schedule{ConsultationID: "c1"}, office, 3, nil},
		{"referral to a gremium", consulting, result("gr"), office, 3, nil},
		{"referral to a faction", consulting, result("cdu"), office, 3, []string{
			"referred_to: Das ist kein Gremium; bitte wählen Sie den Gemeinderat, einen Ausschuss oder einen Bezirksbeirat."}},
		{"links to a public motion and to a draft the office cannot see", consulting,
			result("", motion.Link{MotionID: "public", Title: "a"}, motion.Link{MotionID: "cdu-draft", Title: "b"}, motion.Link{Title: "extern", URL: "https://x.example"}),
			office, 3, []string{"links[1].motion_id: Diesen Antrag gibt es nicht, oder Sie dürfen ihn nicht sehen."}},
		{"an outcome linking an unknown motion", consulting,
			motion.RecordOutcome{Result: motion.ResultAdopted, Links: []motion.Link{{MotionID: "nope", Title: "x"}}}, office, 3,
			[]string{"links[0].motion_id: Diesen Antrag gibt es nicht, oder Sie dürfen ihn nicht sehen."}},
		{"invite a faction of the body", spdDraft, motion.InviteCosponsor{Faction: "cdu"}, spdStaff, 1, nil},
		{"invite a committee", spdDraft, motion.InviteCosponsor{Faction: "ha"}, spdStaff, 1, []string{
			"faction: Diese Fraktion gibt es in dieser Körperschaft nicht."}},
		{"invite another body's faction", spdDraft, motion.InviteCosponsor{Faction: "hd-gruene"}, spdStaff, 1, []string{
			"faction: Diese Fraktion gibt es in dieser Körperschaft nicht."}},
		{"invite nobody: the domain says it is missing", spdDraft, motion.InviteCosponsor{}, spdStaff, 1, nil},
		{"a command without names", registered, motion.Lapse{Reason: "x"}, office, 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			err := s.CheckReferences(ctx(t), &m, tc.cmd, tc.actor, tc.version)
			var got []string
			if err != nil {
				var me *motion.Error
				if !errors.As(err, &me) || me.Code != motion.CodeInvalid {
					t.Fatalf("error %v (%T), want a *motion.Error with CodeInvalid", err, err)
				}
				for _, f := range me.Fields {
					got = append(got, f.Field+": "+f.Message)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("refused\n %q\nwant\n %q", got, tc.want)
			}
		})
	}
}

// TestCheckGremium: the organization of a new meeting must be a council,
// committee or district council of the meeting's body.
func TestCheckGremium(t *testing.T) {
	s := newStore(t, "ma", "hd")
	for _, o := range []store.Organization{
		{ID: "ha", BodyID: "ma", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD"},
	} {
		if _, err := s.CreateOrganization(ctx(t), o); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[string]string{
		"ha":  "",
		"spd": "organization_id: Das ist kein Gremium; bitte wählen Sie den Gemeinderat, einen Ausschuss oder einen Bezirksbeirat.",
		"xx":  "organization_id: Dieses Gremium gibt es in dieser Körperschaft nicht.",
		"":    "organization_id: Das Gremium fehlt.",
	} {
		for _, body := range []string{"ma", "hd"} {
			err := s.CheckGremium(ctx(t), body, id, "organization_id")
			got := ""
			var me *motion.Error
			if errors.As(err, &me) && len(me.Fields) == 1 {
				got = me.Fields[0].Field + ": " + me.Fields[0].Message
			} else if err != nil {
				t.Fatalf("CheckGremium(%s, %q): %v", body, id, err)
			}
			w := want
			if body == "hd" && id != "" && id != "xx" {
				w = "organization_id: Dieses Gremium gibt es in dieser Körperschaft nicht." // not this body's
			}
			if got != w {
				t.Errorf("CheckGremium(%s, %q) = %q, want %q", body, id, got, w)
			}
		}
	}
}

// TestCheckReferencesOfVotesAndDepartments: a per-faction vote names
// factions of the body, a named vote persons of the body, and a motion is
// addressed (when created, edited or submitted) to a department of the
// body, else it would belong to nobody.
func TestCheckReferencesOfVotesAndDepartments(t *testing.T) {
	s := newStore(t, "ma", "hd")
	for _, o := range []store.Organization{
		{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD"},
		{ID: "cdu", BodyID: "ma", Kind: store.OrgFaction, Name: "CDU"},
		{ID: "dez1", BodyID: "ma", Kind: store.OrgDepartment, Name: "Dezernat I"},
		{ID: "hd-gruene", BodyID: "hd", Kind: store.OrgFaction, Name: "Grüne Heidelberg"},
		{ID: "hd-dez1", BodyID: "hd", Kind: store.OrgDepartment, Name: "Dezernat I Heidelberg"},
	} {
		if _, err := s.CreateOrganization(ctx(t), o); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []store.Person{{ID: "p1", BodyID: "ma", Name: "Erika Muster"}, {ID: "hd-p1", BodyID: "hd", Name: "Hanna Heidel"}} {
		if _, err := s.CreatePerson(ctx(t), p); err != nil {
			t.Fatal(err)
		}
	}
	office := motion.Actor{Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}}
	spdStaff := motion.Actor{Subject: "spd-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	submitted := t0
	decided := motion.Motion{ID: "m", BodyID: "ma", Version: 6, Kind: motion.KindMotion, Status: motion.StatusDecided,
		Faction: "spd", SubmittedAt: &submitted,
		Consultations: []motion.Consultation{{ID: "c1", OrganizationID: "gr", Decisive: true, Status: motion.ConsultationDone,
			Record: &motion.ResultRecord{Result: motion.ResultAdopted}}}}
	inquiry := motion.Motion{ID: "i", BodyID: "ma", Version: 1, Kind: motion.KindInquiry, Status: motion.StatusDraft, Faction: "spd"}
	toNowhere := inquiry
	toNowhere.AddressedDepartment = "dez9"
	toDez1 := inquiry
	toDez1.AddressedDepartment = "dez1"
	vote := func(v motion.Vote) motion.CorrectResult {
		return motion.CorrectResult{ConsultationID: "c1", Reason: "Zählfehler", ResultInput: motion.ResultInput{Result: motion.ResultAdopted, Vote: &v}}
	}
	asked := func(dept string) motion.Content {
		return motion.Content{Title: "Wie viele Bänke?", ResolutionPoints: []string{"Wie viele?"}, AddressedDepartment: dept}
	}

	for _, tc := range []struct {
		name    string
		m       motion.Motion
		cmd     motion.Command
		actor   motion.Actor
		version int64
		want    []string
	}{
		{"a vote by factions of the body", decided, vote(motion.Vote{Yes: 3, ByFaction: []motion.FactionVote{
			{OrganizationID: "spd", Yes: 2}, {OrganizationID: "cdu", Yes: 1}}}), office, 6, nil},
		{"a vote by a council, another body's faction and an unknown one", decided, vote(motion.Vote{Yes: 3, ByFaction: []motion.FactionVote{
			{OrganizationID: "gr", Yes: 1}, {OrganizationID: "spd", Yes: 1}, {OrganizationID: "hd-gruene", Yes: 1}, {OrganizationID: "nirgends"}}}), office, 6, []string{
			"vote.by_faction[0].organization_id: Diese Fraktion gibt es in dieser Körperschaft nicht.",
			"vote.by_faction[2].organization_id: Diese Fraktion gibt es in dieser Körperschaft nicht.",
			"vote.by_faction[3].organization_id: Diese Fraktion gibt es in dieser Körperschaft nicht."}},
		{"a faction row recorded as a result", decided, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{
			Result: motion.ResultAdopted, Vote: &motion.Vote{Yes: 1, ByFaction: []motion.FactionVote{{OrganizationID: "dez1", Yes: 1}}}}},
			office, 6, nil}, // record_result is not allowed in "decided": the workflow says 409
		{"named votes of the body's persons and of none", decided, vote(motion.Vote{Yes: 3, Named: []motion.NamedVote{
			{PersonID: "p1", Name: "Erika Muster", Vote: "yes"}, {PersonID: "hd-p1", Name: "Hanna Heidel", Vote: "yes"},
			{Name: "Ohne Id", Vote: "yes"}}}), office, 6, []string{
			"vote.named[1].person_id: Diese Person gibt es in dieser Körperschaft nicht."}},
		{"create an inquiry to a department of the body", motion.Motion{}, motion.Create{BodyID: "ma", Kind: motion.KindInquiry, Content: asked("dez1")}, spdStaff, 0, nil},
		{"create an inquiry to an unknown department", motion.Motion{}, motion.Create{BodyID: "ma", Kind: motion.KindInquiry, Content: asked("dez9")}, spdStaff, 0, []string{
			"addressed_department: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht."}},
		{"edit an inquiry to another body's department", inquiry, motion.Edit{Content: asked("hd-dez1")}, spdStaff, 1, []string{
			"addressed_department: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht."}},
		{"edit an inquiry to a faction", inquiry, motion.Edit{Content: asked("cdu")}, spdStaff, 1, []string{
			"addressed_department: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht."}},
		{"edit an inquiry to nobody", inquiry, motion.Edit{Content: asked("")}, spdStaff, 1, nil},
		{"submit an inquiry to an unknown department", toNowhere, motion.Submit{}, spdStaff, 1, []string{
			"addressed_department: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht."}},
		{"submit an inquiry to a department", toDez1, motion.Submit{}, spdStaff, 1, nil},
		{"another faction may not submit: the workflow says 404", toNowhere, motion.Submit{},
			motion.Actor{Subject: "cdu-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "cdu", Bodies: []string{"ma"}}, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			err := s.CheckReferences(ctx(t), &m, tc.cmd, tc.actor, tc.version)
			var got []string
			if err != nil {
				var me *motion.Error
				if !errors.As(err, &me) || me.Code != motion.CodeInvalid {
					t.Fatalf("error %v (%T), want a *motion.Error with CodeInvalid", err, err)
				}
				for _, f := range me.Fields {
					got = append(got, f.Field+": "+f.Message)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("refused\n %q\nwant\n %q", got, tc.want)
			}
		})
	}
}

// TestCheckReferencesOfOriginatorsAndDepartments: the signers of a motion of
// councillors are current members of the body's council; a paper submission
// is entered for a faction or committee of the body; lead and involved
// departments (set with set_departments or at registration) are departments
// of the body. A councillor who is no member of the council may not create
// a motion of councillors at all.
func TestCheckReferencesOfOriginatorsAndDepartments(t *testing.T) {
	s := newStore(t, "ma", "hd")
	for _, o := range []store.Organization{
		{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "ha", BodyID: "ma", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD"},
		{ID: "dez1", BodyID: "ma", Kind: store.OrgDepartment, Name: "Dezernat I"},
		{ID: "dez2", BodyID: "ma", Kind: store.OrgDepartment, Name: "Dezernat II"},
		{ID: "hd-gr", BodyID: "hd", Kind: store.OrgCouncil, Name: "Gemeinderat Heidelberg"},
		{ID: "hd-ha", BodyID: "hd", Kind: store.OrgCommittee, Name: "Hauptausschuss Heidelberg"},
		{ID: "hd-dez1", BodyID: "hd", Kind: store.OrgDepartment, Name: "Dezernat I Heidelberg"},
	} {
		if _, err := s.CreateOrganization(ctx(t), o); err != nil {
			t.Fatal(err)
		}
	}
	day := func(y int) *time.Time { d := time.Date(y, 1, 1, 0, 0, 0, 0, motion.Berlin); return &d }
	member(t, s, "ma", "p1", "Erika Muster", "gr", nil, nil)
	member(t, s, "ma", "p2", "Max Beispiel", "gr", day(2000), nil)
	member(t, s, "ma", "former", "Fritz Früher", "gr", day(2000), day(2001))
	member(t, s, "ma", "future", "Zora Zukunft", "gr", day(2999), nil)
	member(t, s, "ma", "staff", "Susi Stab", "spd", nil, nil)
	member(t, s, "hd", "hd-p1", "Hanna Heidel", "hd-gr", nil, nil)

	office := motion.Actor{Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}}
	spdStaff := motion.Actor{Subject: "spd-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	councillor := motion.Actor{Subject: "p1", Name: "Erika Muster", Roles: []motion.Role{motion.RoleCouncillor}, Person: "p1", Bodies: []string{"ma"}}
	content := motion.Content{Title: "Bänke", ResolutionPoints: []string{"Aufstellen."}}
	create := func(ids ...string) motion.Create {
		c := motion.Create{BodyID: "ma", Kind: motion.KindMotion, Content: content}
		for _, id := range ids {
			c.Signers = append(c.Signers, motion.Signer{PersonID: id})
		}
		return c
	}
	enter := func(kind motion.OriginatorKind, org string, ids ...string) motion.EnterSubmission {
		c := motion.EnterSubmission{BodyID: "ma", Kind: motion.KindMotion, Content: content, Originator: kind, Organization: org,
			Paper: motion.Paper{SubmittedBy: "Geschäftsstelle", ReceivedAt: t0, Channel: "paper"}}
		for _, id := range ids {
			c.Signers = append(c.Signers, motion.Signer{PersonID: id})
		}
		return c
	}
	submitted := t0
	sub := motion.Motion{ID: "m", BodyID: "ma", Version: 2, Kind: motion.KindMotion, Status: motion.StatusSubmitted,
		Faction: "spd", SubmittedAt: &submitted}
	reg := sub
	reg.Version, reg.Status = 3, motion.StatusRegistered

	for _, tc := range []struct {
		name    string
		m       motion.Motion
		cmd     motion.Command
		actor   motion.Actor
		version int64
		want    []string
	}{
		{"a councillor names council members", motion.Motion{}, create("p2", "p1"), councillor, 0, nil},
		{"a councillor names a former, a future, a faction's and another body's member, an unknown person and a blank", motion.Motion{},
			create("p2", "former", "future", "staff", "hd-p1", "nobody", " "), councillor, 0, []string{
				"signers[1].person_id: Diese Person ist kein Mitglied des Gemeinderats.",
				"signers[2].person_id: Diese Person ist kein Mitglied des Gemeinderats.",
				"signers[3].person_id: Diese Person ist kein Mitglied des Gemeinderats.",
				"signers[4].person_id: Diese Person ist kein Mitglied des Gemeinderats.",
				"signers[5].person_id: Diese Person ist kein Mitglied des Gemeinderats."}},
		{"faction staff naming signers: the domain refuses them", motion.Motion{}, create("nobody"), spdStaff, 0, nil},
		{"a submission of a faction of the body", motion.Motion{}, enter(motion.OriginatorFaction, "spd"), office, 0, nil},
		{"a submission of a committee of the body", motion.Motion{}, enter(motion.OriginatorCommittee, "ha"), office, 0, nil},
		{"a submission of a faction that is a committee", motion.Motion{}, enter(motion.OriginatorFaction, "ha"), office, 0, []string{
			"organization: Diese Fraktion gibt es in dieser Körperschaft nicht."}},
		{"a submission of a committee that is a faction", motion.Motion{}, enter(motion.OriginatorCommittee, "spd"), office, 0, []string{
			"organization: Diesen Ausschuss gibt es in dieser Körperschaft nicht."}},
		{"a submission of another body's committee", motion.Motion{}, enter(motion.OriginatorCommittee, "hd-ha"), office, 0, []string{
			"organization: Diesen Ausschuss gibt es in dieser Körperschaft nicht."}},
		{"a submission of the council itself as a committee", motion.Motion{}, enter(motion.OriginatorCommittee, "gr"), office, 0, []string{
			"organization: Diesen Ausschuss gibt es in dieser Körperschaft nicht."}},
		{"a submission without organization: the domain says it is missing", motion.Motion{}, enter(motion.OriginatorFaction, ""), office, 0, nil},
		{"a submission of councillors, one of them former", motion.Motion{}, enter(motion.OriginatorCouncillors, "", "p1", "former"), office, 0, []string{
			"signers[1].person_id: Diese Person ist kein Mitglied des Gemeinderats."}},
		{"faction staff may not enter submissions: the workflow says 403", motion.Motion{}, enter(motion.OriginatorFaction, "nirgends"), spdStaff, 0, nil},
		{"set departments of the body", reg, motion.SetDepartments{Lead: "dez1", Involved: []string{"dez2"}}, office, 3, nil},
		{"set another body's lead, a faction, an unknown and a blank involved", reg,
			motion.SetDepartments{Lead: "hd-dez1", Involved: []string{"dez2", "spd", "dez9", ""}}, office, 3, []string{
				"lead: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht.",
				"involved[1]: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht.",
				"involved[2]: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht."}},
		{"set departments by a faction: the workflow says 403", reg, motion.SetDepartments{Lead: "dez9"}, spdStaff, 3, nil},
		{"register with departments of the body", sub, motion.Register{LeadDepartment: "dez1", InvolvedDepartments: []string{"dez2"}}, office, 2, nil},
		{"register without departments", sub, motion.Register{}, office, 2, nil},
		{"register with unknown departments", sub, motion.Register{LeadDepartment: "dez9", InvolvedDepartments: []string{"dez1", "hd-dez1"}}, office, 2, []string{
			"lead_department: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht.",
			"involved_departments[1]: Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht."}},
		{"register a registered motion: the workflow says 409", reg, motion.Register{LeadDepartment: "dez9"}, office, 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			err := s.CheckReferences(ctx(t), &m, tc.cmd, tc.actor, tc.version)
			var got []string
			if err != nil {
				var me *motion.Error
				if !errors.As(err, &me) || me.Code != motion.CodeInvalid {
					t.Fatalf("error %v (%T), want a *motion.Error with CodeInvalid", err, err)
				}
				for _, f := range me.Fields {
					got = append(got, f.Field+": "+f.Message)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("refused\n %q\nwant\n %q", got, tc.want)
			}
		})
	}

	t.Run("a councillor who is no member of the council", func(t *testing.T) {
		for _, person := range []string{"former", "staff", "hd-p1", "nobody"} {
			a := councillor
			a.Subject, a.Person = person, person
			err := s.CheckReferences(ctx(t), &motion.Motion{}, create(), a, 0)
			var me *motion.Error
			if !errors.As(err, &me) || me.Code != motion.CodeForbidden || !strings.Contains(me.Message, "nicht als Mitglied des Gemeinderats") {
				t.Errorf("%s: %v, want a refusal (forbidden) saying the caller is no member of the council", person, err)
			}
		}
	})
}

// member adds person id (name) to body with a membership in org from start
// to end (nil: open).
func member(t *testing.T, s *store.Store, body, id, name, org string, start, end *time.Time) {
	t.Helper()
	if _, err := s.Person(ctx(t), id); errors.Is(err, store.ErrNotFound) {
		if _, err := s.CreatePerson(ctx(t), store.Person{ID: id, BodyID: body, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddMembership(ctx(t), store.Membership{PersonID: id, OrganizationID: org, Role: "Mitglied", Start: start, End: end}); err != nil {
		t.Fatal(err)
	}
}
