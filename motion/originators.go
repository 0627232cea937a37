package motion

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// OriginatorKind says who moved a motion.
type OriginatorKind string

// The originators the municipal code knows besides a faction's staff.
const (
	// OriginatorFaction: a faction (Motion.Faction), also when the council
	// office entered its paper submission.
	OriginatorFaction OriginatorKind = "faction"
	// OriginatorCouncillors: one councillor (an inquiry, § 24 Abs. 4 GemO
	// BW) or a group of councillors reaching the body's quorum (§ 34 Abs. 1:
	// one sixth of the members); they are the motion's Signers.
	OriginatorCouncillors OriginatorKind = "councillors"
	// OriginatorCommittee: a committee (Motion.Faction names it), entered by
	// the council office.
	OriginatorCommittee OriginatorKind = "committee"
	// OriginatorAdministration: a change the administration proposes to a
	// motion (Änderungsempfehlung), an amendment entered by the council
	// office; Motion.Faction names the proposing department.
	OriginatorAdministration OriginatorKind = "administration"
)

// Label is the German name of the originator kind.
func (k OriginatorKind) Label() string {
	switch k {
	case OriginatorFaction:
		return "Fraktion"
	case OriginatorCouncillors:
		return "Mitglieder des Gemeinderats"
	case OriginatorCommittee:
		return "Ausschuss"
	case OriginatorAdministration:
		return "Verwaltung"
	}
	return string(k)
}

// Originator says who moved the motion and, for a paper submission, how it
// reached the council office.
type Originator struct {
	Kind OriginatorKind `json:"kind"`
	// Paper is set when the council office entered the submission on the
	// originator's behalf.
	Paper *Paper `json:"paper,omitempty"`
}

// Channels a submission reaches the council office by.
var Channels = []string{"paper", "email", "fax", "in_person"}

// ChannelLabel is a channel in German.
func ChannelLabel(c string) string {
	switch c {
	case "paper":
		return "Brief"
	case "email":
		return "E-Mail"
	case "fax":
		return "Fax"
	case "in_person":
		return "persönlich abgegeben"
	}
	return c
}

// Paper is a submission that reached the council office outside motionflow
// and was entered by it: who handed it in, when it was received (the
// submission's date: the § 34 deadline counts from it) and how.
type Paper struct {
	SubmittedBy string    `json:"submitted_by"`
	ReceivedAt  time.Time `json:"received_at"`
	Channel     string    `json:"channel"`
	EnteredBy   string    `json:"entered_by,omitempty"`
}

// Signer is a councillor named as signatory; SignedAt is when the signature
// was given (for a paper submission, the day it was received).
type Signer struct {
	PersonID string     `json:"person_id"`
	Name     string     `json:"name"`
	SignedAt *time.Time `json:"signed_at,omitempty"`
}

// InvitationState is where a co-sponsor invitation stands.
type InvitationState string

// The states of an invitation; an accepted one moves to Motion.Cosponsors.
const (
	InvitationPending  InvitationState = "pending"
	InvitationDeclined InvitationState = "declined"
)

// Invitation is a faction invited to co-sponsor a draft.
type Invitation struct {
	Faction   string          `json:"faction"`
	State     InvitationState `json:"state"`
	InvitedAt time.Time       `json:"invited_at"`
	// Reason is the declining faction's reason, if it gave one.
	Reason     string     `json:"reason,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// Signer returns the signer who is directory person id, or nil.
func (m *Motion) Signer(id string) *Signer {
	if id == "" {
		return nil
	}
	for i := range m.Signers {
		if m.Signers[i].PersonID == id {
			return &m.Signers[i]
		}
	}
	return nil
}

// Signed counts the signatures given.
func (m *Motion) Signed() int {
	n := 0
	for _, s := range m.Signers {
		if s.SignedAt != nil {
			n++
		}
	}
	return n
}

// ByCouncillors reports whether councillors in person moved the motion.
func (m *Motion) ByCouncillors() bool {
	return m.Originator != nil && m.Originator.Kind == OriginatorCouncillors
}

// SponsorAudiences are the reminder audiences of the motion's sponsors: its
// faction's staff, the co-sponsoring factions' staff and, for a motion of
// councillors, each signer. They are told of the deadlines that concern the
// originators.
func (m *Motion) SponsorAudiences() []string {
	var out []string
	if m.Faction != "" {
		out = append(out, FactionAudience(m.Faction))
	}
	for _, f := range m.Cosponsors {
		out = append(out, FactionAudience(f))
	}
	for _, s := range m.Signers {
		out = append(out, PersonAudience(s.PersonID))
	}
	return out
}

// checkSigners checks the named signatories of a motion of councillors:
// each named once by a directory person id, with a name.
func checkSigners(t *texts, signers []Signer) {
	if !t.count("signers", "Unterzeichnende", len(signers), MaxSignatories) {
		return
	}
	seen := map[string]bool{}
	for i := range signers {
		s := &signers[i]
		field := fieldIndex("signers", i)
		t.line(field+".person_id", "Die Person der oder des "+ordinal(i)+" Unterzeichnenden", &s.PersonID, maxID, required)
		t.line(field+".name", "Der Name der oder des "+ordinal(i)+" Unterzeichnenden", &s.Name, MaxShort, optional)
		if id := strings.TrimSpace(s.PersonID); id != "" {
			if seen[id] {
				t.f.add(field+".person_id", "Die oder der %s Unterzeichnende ist schon genannt.", ordinal(i))
			}
			seen[id] = true
		}
	}
}

// quorumMessage says how many signatures are missing.
func quorumMessage(quorum, signed int) string {
	return fmt.Sprintf("Der Antrag braucht die Unterschriften von mindestens %d Mitgliedern des Gemeinderats; bisher haben %d unterschrieben. "+
		"Er kann eingereicht werden, sobald genug Unterzeichnende unterschrieben haben.", quorum, signed)
}

// create sets up a new motion from a Create by a faction's staff or a
// councillor. A councillor's motion names its signers; the councillor is
// the first of them and signs by creating it.
func create(m *Motion, c Create, a Actor, at time.Time) (string, string, error) {
	var f fields
	if !c.Kind.Valid() {
		f.add("kind", "Die Art ist unbekannt.")
	}
	if !a.InBody(c.BodyID) {
		return "", "", refuse(CodeForbidden, "Sie gehören nicht zu diesem Gremium.")
	}
	c.Content.validate(&f)
	councillor := a.InPerson()
	if !councillor && len(c.Signers) > 0 {
		f.add("signers", "Unterzeichnende aus dem Gemeinderat nennt ein Antrag von Mitgliedern des Gemeinderats; der Antrag einer Fraktion nennt sie unter „Unterzeichnende“ mit Namen.")
	}
	if councillor && c.Quorum < 1 {
		f.add("signers", "Für Anträge von Mitgliedern des Gemeinderats ist keine Mindestzahl an Unterschriften bekannt; bitte wenden Sie sich an das Ratsbüro.")
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	m.BodyID, m.Kind, m.Content = c.BodyID, c.Kind, c.Content.normalized()
	m.Status = StatusDraft
	m.CreatedAt = at
	if !councillor {
		m.Faction = a.Faction
		return draftSummaries[CmdCreate], "", nil
	}
	signed := at
	m.Originator = &Originator{Kind: OriginatorCouncillors}
	m.Signers = []Signer{{PersonID: a.Person, Name: a.Name, SignedAt: &signed}}
	for _, s := range c.Signers {
		if s.PersonID != a.Person {
			m.Signers = append(m.Signers, Signer{PersonID: strings.TrimSpace(s.PersonID), Name: strings.TrimSpace(s.Name)})
		}
	}
	m.Quorum = c.Quorum
	return draftSummaries[CmdCreate], "", nil
}

// enterSubmission sets up a motion the council office received outside
// motionflow, as submitted on the day it was received.
func enterSubmission(m *Motion, c EnterSubmission, a Actor, at time.Time) (string, string, error) {
	var f fields
	if !c.Kind.Valid() {
		f.add("kind", "Die Art ist unbekannt.")
	}
	if !a.InBody(c.BodyID) {
		return "", "", refuse(CodeForbidden, "Sie gehören nicht zu diesem Gremium.")
	}
	c.Content.validateComplete(c.Kind, &f)
	switch c.Originator {
	case OriginatorFaction, OriginatorCommittee, OriginatorAdministration:
		if strings.TrimSpace(c.Organization) == "" {
			if c.Originator == OriginatorAdministration {
				f.add("organization", "Bitte wählen Sie das Dezernat, das die Änderung empfiehlt.")
			} else {
				f.add("organization", "Bitte wählen Sie die Fraktion oder den Ausschuss, für den der Antrag eingereicht wurde.")
			}
		}
		if len(c.Signers) > 0 {
			f.add("signers", "Unterzeichnende aus dem Gemeinderat nennt nur ein Antrag von Mitgliedern des Gemeinderats.")
		}
	case OriginatorCouncillors:
		if strings.TrimSpace(c.Organization) != "" {
			f.add("organization", "Ein Antrag von Mitgliedern des Gemeinderats nennt keine Fraktion und keinen Ausschuss.")
		}
		if len(c.Signers) < max(c.Quorum, 1) {
			f.add("signers", "%s", quorumMessage(max(c.Quorum, 1), len(c.Signers)))
		}
	default:
		f.add("originator", "Bitte geben Sie an, wer den Antrag gestellt hat: eine Fraktion, ein Ausschuss, Mitglieder des Gemeinderats oder (für eine Änderungsempfehlung) die Verwaltung.")
	}
	if c.Originator == OriginatorAdministration && c.Kind != KindAmendment {
		f.add("kind", "Die Verwaltung stellt keine eigenen Anträge; von ihr erfasst das Ratsbüro nur Änderungsempfehlungen (Art „Änderungsantrag“).")
	}
	if c.Originator == OriginatorCommittee && c.Kind == KindInquiry {
		f.add("kind", "Ein Ausschuss stellt keine Anfragen; Anfragen stellen Fraktionen und Mitglieder des Gemeinderats.")
	}
	switch {
	case c.Paper.ReceivedAt.IsZero():
		f.add("paper.received_at", "Bitte geben Sie an, wann der Antrag eingegangen ist.")
	case c.Paper.ReceivedAt.After(at):
		f.add("paper.received_at", "Der Eingang kann nicht in der Zukunft liegen.")
	case c.Paper.ReceivedAt.Before(at.AddDate(-1, 0, 0)):
		f.add("paper.received_at", "Der Eingang liegt mehr als ein Jahr zurück; so alte Anträge erfasst das Ratsbüro nicht nachträglich.")
	}
	if !slices.Contains(Channels, c.Paper.Channel) {
		f.add("paper.channel", "Bitte geben Sie an, wie der Antrag eingegangen ist: als Brief, per E-Mail, per Fax oder persönlich abgegeben.")
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	received := c.Paper.ReceivedAt
	paper := c.Paper
	paper.EnteredBy = a.Name
	m.BodyID, m.Kind, m.Content = c.BodyID, c.Kind, c.Content.normalized()
	m.Status = StatusSubmitted
	m.CreatedAt, m.SubmittedAt = at, &received
	m.Originator = &Originator{Kind: c.Originator, Paper: &paper}
	if c.Originator == OriginatorCouncillors {
		for _, s := range c.Signers {
			m.Signers = append(m.Signers, Signer{PersonID: strings.TrimSpace(s.PersonID), Name: strings.TrimSpace(s.Name), SignedAt: &received})
		}
		m.Quorum = max(c.Quorum, 1)
	} else {
		m.Faction = strings.TrimSpace(c.Organization)
	}
	return fmt.Sprintf("Eingang vom %s (%s) durch das Ratsbüro erfasst", received.In(Berlin).Format("02.01.2006"), ChannelLabel(paper.Channel)), "", nil
}

// sign records a named councillor's signature.
func sign(m *Motion, a Actor, at time.Time) (string, string, error) {
	s := m.Signer(a.Person)
	if s == nil {
		return "", "", refuse(CodeForbidden, "Sie sind nicht als Unterzeichnerin oder Unterzeichner dieses Antrags genannt.")
	}
	if s.SignedAt != nil {
		return "", "", refuse(CodeIllegalTransition, "Sie haben diesen Antrag bereits unterschrieben.")
	}
	s.SignedAt = &at
	return fmt.Sprintf("Unterschrieben (%d von mindestens %d)", m.Signed(), max(m.Quorum, 1)), "", nil
}

// invite records a co-sponsor invitation: under rules revision 2 pending
// until the faction accepts, before it a co-sponsor at once.
func invite(m *Motion, c InviteCosponsor, rev int, at time.Time) (string, string, error) {
	var f fields
	switch {
	case m.Faction == "":
		f.add("faction", "Fraktionen laden nur zu Anträgen von Fraktionen ein.")
	case c.Faction == m.Faction || slices.Contains(m.Cosponsors, c.Faction):
		f.add("faction", "Diese Fraktion ist bereits Antragstellerin oder Mitantragstellerin.")
	case m.Invited(c.Faction):
		f.add("faction", "Diese Fraktion ist bereits eingeladen; sie hat noch nicht geantwortet.")
	case len(m.Cosponsors)+len(m.pending()) >= maxCosponsors:
		f.add("faction", "Ein Antrag kann höchstens %d Fraktionen als Mitantragsteller haben.", maxCosponsors)
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	if rev < 2 {
		m.Cosponsors = append(m.Cosponsors, c.Faction)
		return draftSummaries[CmdInviteCosponsor], "", nil
	}
	m.Invitations = slices.DeleteFunc(m.Invitations, func(i Invitation) bool { return i.Faction == c.Faction })
	m.Invitations = append(m.Invitations, Invitation{Faction: c.Faction, State: InvitationPending, InvitedAt: at})
	return draftSummaries[CmdInviteCosponsor], "", nil
}

// InvitationsFor are the co-sponsor invitations a may read: all of them
// for the motion's sponsors, a faction's own one (pending or declined, with
// its reason) for its staff, none for anybody else.
func (m *Motion) InvitationsFor(a Actor) []Invitation {
	if m.SponsoredBy(a) {
		return slices.Clone(m.Invitations)
	}
	if !a.Has(RoleFactionStaff) || a.Faction == "" {
		return nil
	}
	var out []Invitation
	for _, i := range m.Invitations {
		if i.Faction == a.Faction {
			out = append(out, i)
		}
	}
	return out
}

func (m *Motion) pending() []Invitation {
	return slices.DeleteFunc(slices.Clone(m.Invitations), func(i Invitation) bool { return i.State != InvitationPending })
}

// answerInvitation accepts or declines the caller's faction's invitation.
func answerInvitation(m *Motion, a Actor, accept bool, reason string, at time.Time) (string, string, error) {
	i := slices.IndexFunc(m.Invitations, func(i Invitation) bool { return i.Faction == a.Faction && i.State == InvitationPending })
	if i < 0 {
		return "", "", refuse(CodeForbidden, "Ihre Fraktion ist zu diesem Antrag nicht eingeladen.")
	}
	if accept {
		m.Invitations = slices.Delete(m.Invitations, i, i+1)
		m.Cosponsors = append(m.Cosponsors, a.Faction)
		return draftSummaries[CmdAcceptCosponsorship], "", nil
	}
	m.Invitations[i].State, m.Invitations[i].Reason, m.Invitations[i].AnsweredAt = InvitationDeclined, reason, &at
	return draftSummaries[CmdDeclineCosponsorship], reason, nil
}
