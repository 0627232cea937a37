package motion

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	erika = Actor{Subject: "erika", Name: "Erika Rätin", Roles: []Role{RoleCouncillor}, Person: "p1", Bodies: []string{"ma"}}
	max2  = Actor{Subject: "max", Name: "Max Rat", Roles: []Role{RoleCouncillor}, Person: "p2", Bodies: []string{"ma"}}
	otto  = Actor{Subject: "otto", Name: "Otto Rat", Roles: []Role{RoleCouncillor}, Person: "p3", Bodies: []string{"ma"}}
	grete = Actor{Subject: "grete", Name: "Grete", Roles: []Role{RoleFactionStaff}, Faction: "gruene", Bodies: []string{"ma"}}
	dez1  = Actor{Subject: "vera", Name: "Vera", Roles: []Role{RoleAdministration}, Department: "dez1", Bodies: []string{"ma"}}
	dez2  = Actor{Subject: "walter", Name: "Walter", Roles: []Role{RoleAdministration}, Department: "dez2", Bodies: []string{"ma"}}
)

// now applies c under today's rules (revision 2) and fails the test on refusal.
func now(t *testing.T, m *Motion, a Actor, c Command) Event {
	t.Helper()
	ev, err := Apply(m, Request{Command: c, Actor: a, ExpectedVersion: m.Version, At: t0.Add(time.Duration(m.Version) * time.Hour), Revision: RulesRevision})
	if err != nil {
		t.Fatalf("%s: %v", c.Name(), err)
	}
	return ev
}

// refusedNow is refused under today's rules; it returns the refusal.
func refusedNow(t *testing.T, m *Motion, a Actor, c Command, want Code) *Error {
	t.Helper()
	before := m.Version
	_, err := Apply(m, Request{Command: c, Actor: a, ExpectedVersion: m.Version, At: t0.Add(time.Duration(m.Version) * time.Hour), Revision: RulesRevision})
	if CodeOf(err) != want {
		t.Fatalf("%s: got %v, want %s", c.Name(), err, want)
	}
	if m.Version != before {
		t.Fatalf("%s: a refusal changed the motion", c.Name())
	}
	e, _ := err.(*Error)
	return e
}

// TestAMotionOfCouncillorsNeedsItsQuorum: three councillors of whom two must
// sign; the initiator signs by creating it, the draft is refused until the
// second signs, a stranger can neither see nor sign it, and editing the
// text asks the others again.
func TestAMotionOfCouncillorsNeedsItsQuorum(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	now(t, m, erika, Create{BodyID: "ma", Kind: KindMotion, Content: sample, Quorum: 2,
		Signers: []Signer{{PersonID: "p2", Name: "Max Rat"}, {PersonID: "p1", Name: "Erika doppelt"}}})
	if !m.ByCouncillors() || m.Faction != "" || len(m.Signers) != 2 || m.Signers[0].PersonID != "p1" || m.Signed() != 1 {
		t.Fatalf("motion of councillors: %+v", m)
	}
	if !m.VisibleTo(max2) || m.VisibleTo(otto) || m.VisibleTo(anna) {
		t.Fatal("a draft of councillors is seen by its signers alone")
	}
	e := refusedNow(t, m, erika, Submit{}, CodeInvalid)
	if got := fieldErrors(e); len(got) != 1 || !strings.HasPrefix(got[0], "signers: Der Antrag braucht die Unterschriften von mindestens 2 Mitgliedern des Gemeinderats; bisher haben 1 unterschrieben.") {
		t.Fatalf("quorum refusal: %v", got)
	}
	refusedNow(t, m, otto, Sign{}, CodeNotFound)
	refusedNow(t, m, max2, Submit{}, CodeForbidden) // the initiator submits
	now(t, m, max2, Sign{})
	refusedNow(t, m, max2, Sign{}, CodeIllegalTransition)
	now(t, m, max2, Edit{Content: sample})
	if m.Signed() != 1 || m.Signer("p2").SignedAt == nil || m.Signer("p1").SignedAt != nil {
		t.Fatalf("an edit keeps only the editor's signature: %+v", m.Signers)
	}
	refusedNow(t, m, erika, Submit{}, CodeInvalid)
	now(t, m, erika, Sign{})
	now(t, m, erika, Submit{})
	if m.Status != StatusSubmitted || !m.VisibleTo(Actor{}) {
		t.Fatalf("status %s", m.Status)
	}
	if got := m.SponsorAudiences(); !slices.Equal(got, []string{PersonAudience("p1"), PersonAudience("p2")}) {
		t.Fatalf("sponsor audiences %v", got)
	}
}

// TestACouncillorWithoutAQuorumOrPersonCannotMove: the quorum comes from the
// caller (the API); without it, and without a directory person, nothing is
// created; a faction's staff cannot name councillors as signers.
func TestACouncillorWithoutAQuorumOrPersonCannotMove(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	refusedNow(t, m, erika, Create{BodyID: "ma", Kind: KindInquiry, Content: sample}, CodeInvalid)
	nobody := erika
	nobody.Person = ""
	refusedNow(t, m, nobody, Create{BodyID: "ma", Kind: KindInquiry, Content: sample, Quorum: 1}, CodeForbidden)
	e := refusedNow(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample, Signers: []Signer{{PersonID: "p2"}}}, CodeInvalid)
	if got := fieldErrors(e); len(got) != 1 || !strings.HasPrefix(got[0], "signers: ") {
		t.Fatalf("faction naming signers: %v", got)
	}
	// A single councillor's inquiry needs no other signature.
	now(t, m, erika, Create{BodyID: "ma", Kind: KindInquiry, Content: sample, Quorum: 1})
	now(t, m, erika, Submit{})
}

// TestAnInvitedFactionConsents: under revision 2 an invitation waits for
// the faction's answer; declined, it may be invited again; accepted, it is a
// sponsor with the originator's audiences. Runs recorded before (revision 0)
// make an invited faction a co-sponsor at once.
func TestAnInvitedFactionConsents(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	now(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample})
	now(t, m, anna, InviteCosponsor{Faction: "cdu"})
	if m.Sponsor("cdu") || !m.Invited("cdu") || !m.VisibleTo(other) {
		t.Fatalf("invited, not yet sponsor: %+v", m.Invitations)
	}
	refusedNow(t, m, other, Edit{Content: sample}, CodeForbidden)
	refusedNow(t, m, grete, AcceptCosponsorship{}, CodeNotFound)
	e := refusedNow(t, m, anna, InviteCosponsor{Faction: "cdu"}, CodeInvalid)
	if got := fieldErrors(e); len(got) != 1 || got[0] != "faction: Diese Fraktion ist bereits eingeladen; sie hat noch nicht geantwortet." {
		t.Fatalf("invited twice: %v", got)
	}
	now(t, m, other, DeclineCosponsorship{Reason: "Nicht unser Thema."})
	if m.Invited("cdu") || m.Sponsor("cdu") || m.VisibleTo(other) || m.Invitations[0].State != InvitationDeclined {
		t.Fatalf("declined: %+v", m.Invitations)
	}
	now(t, m, anna, InviteCosponsor{Faction: "cdu"})
	now(t, m, other, AcceptCosponsorship{})
	if !m.Sponsor("cdu") || m.Invited("cdu") || len(m.Invitations) != 0 {
		t.Fatalf("accepted: %+v %+v", m.Cosponsors, m.Invitations)
	}
	now(t, m, anna, InviteCosponsor{Faction: "gruene"})
	now(t, m, anna, Submit{})
	if len(m.Invitations) != 0 || m.Sponsor("gruene") {
		t.Fatalf("an unanswered invitation lapses at submission: %+v", m.Invitations)
	}
	if got := m.SponsorAudiences(); !slices.Equal(got, []string{FactionAudience("spd"), FactionAudience("cdu")}) {
		t.Fatalf("sponsor audiences %v", got)
	}

	old := &Motion{ID: "m2", BodyID: "ma"}
	do(t, old, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample})
	do(t, old, anna, InviteCosponsor{Faction: "cdu"})
	if !old.Sponsor("cdu") || len(old.Invitations) != 0 {
		t.Fatal("a run of revision 0 makes the invited faction a co-sponsor at once")
	}
}

// TestTheCouncilOfficeEntersAPaperSubmission: submitted on the day it was
// received, for a faction, a committee or councillors; what is missing or
// implausible is refused field by field.
func TestTheCouncilOfficeEntersAPaperSubmission(t *testing.T) {
	received := t0.Add(-72 * time.Hour)
	paper := Paper{SubmittedBy: "Anna Staff", ReceivedAt: received, Channel: "paper"}
	m := &Motion{ID: "m1", BodyID: "ma"}
	refusedNow(t, m, anna, EnterSubmission{BodyID: "ma", Kind: KindMotion, Content: sample, Originator: OriginatorFaction, Organization: "spd", Paper: paper}, CodeForbidden)
	e := refusedNow(t, m, clerk, EnterSubmission{BodyID: "ma", Kind: KindMotion, Content: Content{Title: "Ohne Punkte"},
		Originator: OriginatorCouncillors, Signers: []Signer{{PersonID: "p1"}}, Quorum: 8,
		Paper: Paper{SubmittedBy: "Erika", ReceivedAt: t0.Add(time.Hour), Channel: "brieftaube"}}, CodeInvalid)
	want := []string{
		"resolution_points: Der Antrag braucht mindestens einen Beschlusspunkt.",
		"signers: " + quorumMessage(8, 1),
		"paper.received_at: Der Eingang kann nicht in der Zukunft liegen.",
		"paper.channel: Bitte geben Sie an, wie der Antrag eingegangen ist: als Brief, per E-Mail, per Fax oder persönlich abgegeben.",
	}
	if got := fieldErrors(e); !slices.Equal(got, want) {
		t.Fatalf("refusal\n got %q\nwant %q", got, want)
	}
	now(t, m, clerk, EnterSubmission{BodyID: "ma", Kind: KindMotion, Content: sample, Originator: OriginatorFaction, Organization: "spd", Paper: paper})
	if m.Status != StatusSubmitted || m.Faction != "spd" || !m.SubmittedAt.Equal(received) || m.Originator.Paper.EnteredBy != "Rita" {
		t.Fatalf("entered: %+v", m)
	}
	// The faction it was entered for acts as its originator from now on.
	now(t, m, anna, Withdraw{Reason: "Erledigt."})

	c := &Motion{ID: "m2", BodyID: "ma"}
	now(t, c, clerk, EnterSubmission{BodyID: "ma", Kind: KindMotion, Content: sample, Originator: OriginatorCouncillors,
		Signers: []Signer{{PersonID: "p1", Name: "Erika"}, {PersonID: "p2", Name: "Max"}}, Quorum: 2, Paper: paper})
	if c.Signed() != 2 || !c.ByCouncillors() || c.Faction != "" {
		t.Fatalf("paper of councillors: %+v", c)
	}
}

// TestWhoDidNotSignIsNotAMover: at submission the named councillors who
// did not sign leave the motion, so they neither appear as its signers nor
// get its deadlines; a declined faction reads its own answer only.
func TestWhoDidNotSignIsNotAMover(t *testing.T) {
	m := &Motion{ID: "m1", BodyID: "ma"}
	now(t, m, erika, Create{BodyID: "ma", Kind: KindMotion, Content: sample, Quorum: 1, Signers: []Signer{{PersonID: "p2", Name: "Max Rat"}}})
	now(t, m, erika, Submit{})
	if len(m.Signers) != 1 || m.Signer("p2") != nil || m.SponsoredBy(max2) {
		t.Fatalf("signers after submission: %+v", m.Signers)
	}

	f := &Motion{ID: "m2", BodyID: "ma"}
	now(t, f, anna, Create{BodyID: "ma", Kind: KindMotion, Content: sample})
	now(t, f, anna, InviteCosponsor{Faction: "cdu"})
	now(t, f, anna, InviteCosponsor{Faction: "gruene"})
	now(t, f, other, DeclineCosponsorship{Reason: "Eigener Antrag."})
	if got := f.InvitationsFor(grete); len(got) != 1 || got[0].Faction != "gruene" {
		t.Fatalf("the invited Greens read %+v", got)
	}
	if got := f.InvitationsFor(other); len(got) != 1 || got[0].Reason != "Eigener Antrag." {
		t.Fatalf("the CDU reads %+v", got)
	}
	if got := f.InvitationsFor(anna); len(got) != 2 {
		t.Fatalf("the SPD reads %+v", got)
	}
	if got := f.InvitationsFor(Actor{}); got != nil {
		t.Fatalf("the public reads %+v", got)
	}
}
