package motion

import (
	"slices"
	"time"
)

// Motion is the whole state of one motion: the content its faction wrote, where
// it stands in the process, the route through the organizations, their results,
// and the outcome. The workflow owns it; the read model is a copy.
type Motion struct {
	ID      string `json:"id"`
	BodyID  string `json:"body_id"`
	Version int64  `json:"version"`
	Kind    Kind   `json:"kind"`
	Status  Status `json:"status"`

	Content

	// Faction is the originating faction (an organization id); for a motion
	// of a committee, the committee; "" for a motion of councillors.
	Faction string `json:"faction"`
	// Cosponsors are the factions that sponsor the motion with the
	// originator: under rules revision 2 those that accepted an invitation
	// (Invitations), before it every invited faction at once.
	Cosponsors []string `json:"cosponsors,omitempty"`
	// Invitations are the co-sponsor invitations not (yet) accepted: pending
	// or declined. An accepted one moves to Cosponsors.
	Invitations []Invitation `json:"invitations,omitempty"`
	// Originator says who moved the motion when it is not (only) the staff
	// of Faction: councillors, a committee, a paper submission.
	Originator *Originator `json:"originator,omitempty"`
	// Signers are the councillors who sign the motion, each confirming it
	// (Sign) before it is submitted; the first is its initiator.
	Signers []Signer `json:"signers,omitempty"`
	// Quorum is how many signatures the motion needs before it can be
	// submitted (§ 34 Abs. 1 GemO BW: one sixth of the council's members);
	// 0 for a faction's motion.
	Quorum int `json:"quorum,omitempty"`

	// LeadDepartment is the department in charge of the matter
	// (Federführung, OParl underDirectionOf); InvolvedDepartments take part.
	LeadDepartment      string   `json:"lead_department,omitempty"`
	InvolvedDepartments []string `json:"involved_departments,omitempty"`
	// Points follow each resolution point of an adopted motion through its
	// implementation (Beschlusskontrolle), in the order of the points.
	Points []PointProgress `json:"points,omitempty"`

	Reference     string `json:"reference,omitempty"`
	ReferenceYear int    `json:"reference_year,omitempty"`
	ReferenceSeq  int    `json:"reference_seq,omitempty"`

	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	RegisteredAt *time.Time `json:"registered_at,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`

	Consultations []Consultation `json:"consultations,omitempty"`
	Outcome       *Outcome       `json:"outcome,omitempty"`
	// Statements are the administration's statements and, for an inquiry, its answer.
	Statements []Statement `json:"statements,omitempty"`
	// Reports are the administration's reports on implementing the decision.
	Reports []Statement `json:"reports,omitempty"`
	// Reason says why the motion was withdrawn, declared inadmissible or lapsed.
	Reason string `json:"reason,omitempty"`
	// ManualDeadlines are deadlines the council office set by hand.
	ManualDeadlines []ManualDeadline `json:"manual_deadlines,omitempty"`
	// NextConsultation numbers consultations; ids stay stable across corrections.
	NextConsultation int `json:"next_consultation,omitempty"`
}

// Content is what the faction writes and may change while the motion is a draft.
type Content struct {
	Title string `json:"title"`
	// ResolutionPoints are the numbered points the council is asked to resolve
	// ("Der Gemeinderat möge beschließen: 1.) …"); for an inquiry, the questions.
	ResolutionPoints []string `json:"resolution_points"`
	// Justification is the Begründung.
	Justification string   `json:"justification,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	// BudgetCycle names the budget deliberation a budget motion belongs to, e.g. "Haushalt 2020/2021".
	BudgetCycle string `json:"budget_cycle,omitempty"`
	// Amends is the motion (id or reference) or paper an amendment changes.
	Amends string `json:"amends,omitempty"`
	// Changes are an amendment's changes to the resolution points of the
	// motion it amends, by that motion's line numbers.
	Changes []Change `json:"changes,omitempty"`
	// AmendedPoints are the resolution points of the amended motion the
	// Changes refer to, filled in by the caller (the API looks up Amends),
	// never typed by a user: the changes are checked and shown against
	// them, and a motion's text does not change once it is submitted.
	AmendedPoints []string `json:"amended_points,omitempty"`
	// Budget is a budget motion's financial effect.
	Budget *BudgetEffect `json:"budget,omitempty"`
	// AddressedDepartment is the department an inquiry is addressed to.
	AddressedDepartment string `json:"addressed_department,omitempty"`
	// Fundamental marks an inquiry on a fundamental matter (longer answer period).
	Fundamental bool `json:"fundamental,omitempty"`
	// TargetMeeting is the meeting the faction wants the motion dealt with in.
	TargetMeeting string `json:"target_meeting,omitempty"`
	// Signatories are the councillors who sign the motion, by name.
	Signatories []string     `json:"signatories,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a document filed with the motion.
type Attachment struct {
	Name        string `json:"name"`
	URL         string `json:"url,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
}

// ConsultationStatus is where one step of the route stands.
type ConsultationStatus string

// The statuses of a consultation.
const (
	ConsultationPlanned   ConsultationStatus = "planned"
	ConsultationScheduled ConsultationStatus = "scheduled"
	ConsultationDone      ConsultationStatus = "done"
	// ConsultationSkipped is a step of the route that did not happen: a later
	// organization's result was recorded first, with the council office's
	// reason (Consultation.Skipped). It stays in the route, so that everybody
	// sees that, and why, the advising committee did not deal with the
	// motion; nothing more can be recorded or scheduled for it.
	ConsultationSkipped ConsultationStatus = "skipped"
)

// Label is the German word the pages show for where a step of the route stands.
func (s ConsultationStatus) Label() string {
	switch s {
	case ConsultationPlanned:
		return "geplant"
	case ConsultationScheduled:
		return "eingeplant"
	case ConsultationDone:
		return "beraten"
	case ConsultationSkipped:
		return "übersprungen"
	}
	return string(s)
}

// Closed reports whether nothing more happens in a consultation in status s:
// it was dealt with or skipped.
func (s ConsultationStatus) Closed() bool {
	return s == ConsultationDone || s == ConsultationSkipped
}

// Consultation is one step of the motion's route (Beratungsfolge): its
// treatment by one organization, in one meeting, with one result.
type Consultation struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	// Decisive marks the organization whose result is the motion's outcome.
	Decisive  bool               `json:"decisive"`
	Status    ConsultationStatus `json:"status"`
	MeetingID string             `json:"meeting_id,omitempty"`
	// MeetingStart is when the meeting begins, as the directory said when the
	// consultation was scheduled or its result recorded (absent for those
	// scheduled before it was kept).
	MeetingStart *time.Time    `json:"meeting_start,omitempty"`
	Record       *ResultRecord `json:"record,omitempty"`
	// Skipped says why a step in status skipped did not happen.
	Skipped *Skip `json:"skipped,omitempty"`
	// Corrections counts corrections of the record; each is an audited event.
	Corrections int `json:"corrections,omitempty"`
}

// Skip is why a step of the route was left out: the council office recorded
// the result of a later step (By) first and gave its reason.
type Skip struct {
	// By is the consultation whose result was recorded ahead of this one.
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// ResultRecord is what was resolved in a consultation, with its vote.
type ResultRecord struct {
	Result Result `json:"result"`
	Vote   *Vote  `json:"vote,omitempty"`
	// Links name the motions or resolutions that settled this one.
	Links []Link `json:"links,omitempty"`
	// OriginatorAgreed says whether the originating faction agreed that the
	// motion is settled by other resolutions.
	OriginatorAgreed *bool `json:"originator_agreed,omitempty"`
	// ReferredTo is the organization a referred motion goes to next.
	ReferredTo string `json:"referred_to,omitempty"`
	Note       string `json:"note,omitempty"`
	MeetingID  string `json:"meeting_id,omitempty"`
	// DecidedAt is when the organization resolved it: the start of its
	// meeting (absent for results recorded before the meeting's date was
	// known; then only RecordedAt is there).
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	// RecordedAt is when the result was entered.
	RecordedAt time.Time `json:"recorded_at"`
	// Override is the council office's reason for recording this result
	// ahead of earlier steps of the route, which are skipped.
	Override string `json:"override,omitempty"`
}

// Link points at another motion or resolution.
type Link struct {
	MotionID  string `json:"motion_id,omitempty"`
	Reference string `json:"reference,omitempty"`
	Title     string `json:"title,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Vote is the tally of a vote, optionally per faction and per member.
type Vote struct {
	Yes       int           `json:"yes"`
	No        int           `json:"no"`
	Abstain   int           `json:"abstain"`
	Absent    *int          `json:"absent,omitempty"`
	Unanimous bool          `json:"unanimous,omitempty"`
	ByFaction []FactionVote `json:"by_faction,omitempty"`
	Named     []NamedVote   `json:"named,omitempty"`
}

// FactionVote is one faction's share of a tally.
type FactionVote struct {
	OrganizationID string `json:"organization_id"`
	Yes            int    `json:"yes"`
	No             int    `json:"no"`
	Abstain        int    `json:"abstain"`
}

// NamedVote is how one member voted.
type NamedVote struct {
	PersonID string `json:"person_id,omitempty"`
	Name     string `json:"name"`
	// Vote is one of yes, no, abstain, absent.
	Vote string `json:"vote"`
}

// VoteLabel is a named vote (yes, no, abstain, absent) in German, as every
// page, document, feed and export writes it; anything else is returned as is.
func VoteLabel(v string) string {
	switch v {
	case "yes":
		return "Ja"
	case "no":
		return "Nein"
	case "abstain":
		return "Enthaltung"
	case "absent":
		return "abwesend"
	}
	return v
}

// Outcome is the motion's final result: the decisive organization's result,
// or one recorded directly by the council office.
type Outcome struct {
	Result           Result    `json:"result"`
	ConsultationID   string    `json:"consultation_id,omitempty"`
	Links            []Link    `json:"links,omitempty"`
	OriginatorAgreed *bool     `json:"originator_agreed,omitempty"`
	Note             string    `json:"note,omitempty"`
	DecidedAt        time.Time `json:"decided_at"`
}

// Statement is a text by the administration: a statement, an answer or a report.
type Statement struct {
	Department string    `json:"department,omitempty"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
	By         string    `json:"by,omitempty"`
	// Estimate is the administration's own estimate of a budget motion's
	// financial effect.
	Estimate *BudgetEffect `json:"estimate,omitempty"`
}

// Public reports whether the motion was ever submitted; only then may anybody
// beyond its sponsors see it. A draft withdrawn before submission stays private.
func (m *Motion) Public() bool { return m.SubmittedAt != nil }

// Sponsor reports whether faction f is the originator or a co-sponsor.
func (m *Motion) Sponsor(f string) bool {
	return f != "" && (f == m.Faction || slices.Contains(m.Cosponsors, f))
}

// Invited reports whether faction f holds a pending co-sponsor invitation.
func (m *Motion) Invited(f string) bool {
	return f != "" && slices.ContainsFunc(m.Invitations, func(i Invitation) bool {
		return i.Faction == f && i.State == InvitationPending
	})
}

// VisibleTo reports whether a may see the motion at all. What a caller may not
// see must be answered as "not found", never as "forbidden".
func (m *Motion) VisibleTo(a Actor) bool {
	if !a.InBody(m.BodyID) {
		return false
	}
	if m.Public() {
		return true
	}
	return m.SponsoredBy(a) || (a.Has(RoleFactionStaff) && m.Invited(a.Faction))
}

// SponsoredBy reports whether a is among the motion's sponsors: staff of its
// faction or of a co-sponsoring faction, or a councillor named among its
// signers. They see its draft, its internal history and its deadlines.
func (m *Motion) SponsoredBy(a Actor) bool {
	return (a.Has(RoleFactionStaff) && m.Sponsor(a.Faction)) || (a.Has(RoleCouncillor) && m.Signer(a.Person) != nil)
}

// Consultation returns the consultation with id, or nil.
func (m *Motion) Consultation(id string) *Consultation {
	for i := range m.Consultations {
		if m.Consultations[i].ID == id {
			return &m.Consultations[i]
		}
	}
	return nil
}

// DecisiveOrganization is the organization whose result decides the motion
// under its route, "" while it has no route: the organization § 34 GemO
// measures the agenda placement against (the council, or a committee with
// powers of decision).
func (m *Motion) DecisiveOrganization() string {
	for i := len(m.Consultations) - 1; i >= 0; i-- {
		if m.Consultations[i].Decisive {
			return m.Consultations[i].OrganizationID
		}
	}
	return ""
}

// MeetingIDs lists the meetings the motion is or was scheduled into.
func (m *Motion) MeetingIDs() []string {
	var ids []string
	for _, c := range m.Consultations {
		for _, id := range []string{c.MeetingID, recordMeeting(c.Record)} {
			if id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func recordMeeting(r *ResultRecord) string {
	if r == nil {
		return ""
	}
	return r.MeetingID
}

// Clone returns a deep copy, so that a caller can change it without touching m.
func (m *Motion) Clone() *Motion {
	c := *m
	c.ResolutionPoints = slices.Clone(m.ResolutionPoints)
	c.Tags = slices.Clone(m.Tags)
	c.Signatories = slices.Clone(m.Signatories)
	c.Attachments = slices.Clone(m.Attachments)
	c.Changes = slices.Clone(m.Changes)
	c.AmendedPoints = slices.Clone(m.AmendedPoints)
	c.Budget = m.Budget.clone()
	c.Cosponsors = slices.Clone(m.Cosponsors)
	c.Invitations = slices.Clone(m.Invitations)
	c.Signers = slices.Clone(m.Signers)
	c.InvolvedDepartments = slices.Clone(m.InvolvedDepartments)
	c.Points = slices.Clone(m.Points)
	for i := range c.Points {
		c.Points[i].Notes = slices.Clone(c.Points[i].Notes)
	}
	if m.Originator != nil {
		o := *m.Originator
		if o.Paper != nil {
			p := *o.Paper
			o.Paper = &p
		}
		c.Originator = &o
	}
	c.Statements = slices.Clone(m.Statements)
	c.Reports = slices.Clone(m.Reports)
	c.ManualDeadlines = slices.Clone(m.ManualDeadlines)
	c.Consultations = make([]Consultation, len(m.Consultations))
	for i, k := range m.Consultations {
		if k.Record != nil {
			r := *k.Record
			k.Record = &r
		}
		if k.Skipped != nil {
			s := *k.Skipped
			k.Skipped = &s
		}
		c.Consultations[i] = k
	}
	if m.Outcome != nil {
		o := *m.Outcome
		c.Outcome = &o
	}
	return &c
}
