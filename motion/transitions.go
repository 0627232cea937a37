package motion

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scope narrows who of a role may run a command on a given motion.
type Scope int

// The scopes of the transition table.
const (
	// ScopeAny lets every holder of the role act.
	ScopeAny Scope = iota
	// ScopeOriginator lets only staff of the originating faction act.
	ScopeOriginator
	// ScopeSponsor lets staff of the originating or an invited co-sponsoring faction act.
	ScopeSponsor
	// ScopeDepartment lets administration staff act; if the motion is addressed
	// to a department or has a lead department, only the staff of the
	// departments that answer for it (Motion.Responsible).
	ScopeDepartment
	// ScopeInvited lets only staff of a faction with a pending co-sponsor
	// invitation act.
	ScopeInvited
	// ScopeSigner lets only a councillor named among the motion's signers act.
	ScopeSigner
)

// Rule says when a command is allowed: from which statuses, for which roles and
// scope, for which kinds, and which status it leads to ("" keeps the status or
// is decided by the command's content).
type Rule struct {
	From  []Status
	Roles []Role
	Scope Scope
	Kinds []Kind
	To    Status
	// Guard, when set, refuses the command in a state the statuses alone
	// do not rule out (IllegalTransition), e.g. implementing a rejected motion.
	Guard func(m *Motion) error
}

var (
	open       = []Status{StatusRegistered, StatusInConsultation}
	beforeDone = []Status{StatusDraft, StatusSubmitted, StatusRegistered, StatusInConsultation}
	votable    = []Kind{KindMotion, KindBudgetMotion, KindAmendment}
	staff      = []Role{RoleFactionStaff}
	// movers may move a motion themselves: faction staff for their
	// faction, councillors in person.
	movers     = []Role{RoleFactionStaff, RoleCouncillor}
	councillor = []Role{RoleCouncillor}
	// followUp are the statuses in which departments are named.
	followUp = []Status{StatusSubmitted, StatusRegistered, StatusInConsultation, StatusDecided, StatusImplementation}
	office   = []Role{RoleCouncilOffice}
	admin    = []Role{RoleAdministration}
)

// Table is the transition table: the one place that says which command is
// allowed from which status for which role, faction and kind.
var Table = map[CommandName]Rule{
	CmdCreate:               {Roles: movers, Scope: ScopeOriginator, To: StatusDraft},
	CmdEnterSubmission:      {Roles: office, To: StatusSubmitted},
	CmdEdit:                 {From: []Status{StatusDraft}, Roles: movers, Scope: ScopeSponsor},
	CmdInviteCosponsor:      {From: []Status{StatusDraft}, Roles: staff, Scope: ScopeOriginator},
	CmdAcceptCosponsorship:  {From: []Status{StatusDraft}, Roles: staff, Scope: ScopeInvited},
	CmdDeclineCosponsorship: {From: []Status{StatusDraft}, Roles: staff, Scope: ScopeInvited},
	CmdSign:                 {From: []Status{StatusDraft}, Roles: councillor, Scope: ScopeSigner},
	CmdSubmit:               {From: []Status{StatusDraft}, Roles: movers, Scope: ScopeOriginator, To: StatusSubmitted},
	CmdRegister:             {From: []Status{StatusSubmitted}, Roles: office, To: StatusRegistered},
	CmdDeclareInadmissible:  {From: []Status{StatusSubmitted, StatusRegistered}, Roles: office, To: StatusInadmissible},
	CmdSetRoute:             {From: open, Roles: office, Kinds: votable, To: StatusInConsultation},
	CmdSchedule:             {From: []Status{StatusInConsultation}, Roles: office, Kinds: votable},
	CmdRecordResult:         {From: []Status{StatusInConsultation}, Roles: office, Kinds: votable},
	CmdRecordStatement:      {From: open, Roles: admin, Scope: ScopeDepartment, Kinds: votable},
	CmdRecordAnswer:         {From: []Status{StatusRegistered}, Roles: admin, Scope: ScopeDepartment, Kinds: []Kind{KindInquiry}, To: StatusAnswered},
	CmdRecordOutcome:        {From: open, Roles: office, Kinds: votable, To: StatusDecided},
	CmdStartImplementation:  {From: []Status{StatusDecided}, Roles: office, Kinds: votable, To: StatusImplementation, Guard: adoptedOnly},
	CmdReportImplementation: {From: []Status{StatusImplementation}, Roles: admin, Scope: ScopeDepartment},
	CmdClose:                {From: []Status{StatusDecided, StatusImplementation, StatusAnswered}, Roles: office, To: StatusClosed},
	CmdWithdraw:             {From: beforeDone, Roles: movers, Scope: ScopeOriginator, To: StatusWithdrawn},
	CmdCorrectResult:        {From: []Status{StatusInConsultation, StatusDecided, StatusImplementation, StatusClosed}, Roles: office, Kinds: votable},
	CmdLapse:                {From: open, Roles: office, To: StatusLapsed},
	CmdSetDeadline:          {From: []Status{StatusSubmitted, StatusRegistered, StatusInConsultation, StatusDecided, StatusImplementation}, Roles: office},
	CmdSetDepartments:       {From: followUp, Roles: office},
}

// Commands lists every command in a stable order.
var Commands = []CommandName{
	CmdCreate, CmdEdit, CmdInviteCosponsor, CmdSubmit, CmdRegister, CmdDeclareInadmissible,
	CmdSetRoute, CmdSchedule, CmdRecordResult, CmdRecordStatement, CmdRecordAnswer,
	CmdRecordOutcome, CmdStartImplementation, CmdReportImplementation, CmdClose,
	CmdWithdraw, CmdCorrectResult, CmdLapse, CmdSetDeadline,
	CmdEnterSubmission, CmdSign, CmdAcceptCosponsorship, CmdDeclineCosponsorship, CmdSetDepartments,
}

// Creating reports whether command name starts a motion (Create by its
// movers, EnterSubmission by the council office): it runs on no motion yet.
func Creating(name CommandName) bool { return name == CmdCreate || name == CmdEnterSubmission }

// RulesRevision is the revision of the rules new workflow runs apply
// (Request.Revision). Revision 2 makes a co-sponsor invitation wait for the
// faction's consent and lets a corrected outcome that is no longer adopted
// end the implementation.
const RulesRevision = 2

// AnyVersion as a request's expected version applies the command to whatever
// version is current when it is decided (If-Match: *, RFC 9110 13.1.1): the
// caller asks for no protection against a lost update.
const AnyVersion int64 = -1

// Request is a command with everything needed to decide on it.
type Request struct {
	Command Command
	Actor   Actor
	// ExpectedVersion is the version the caller last saw (If-Match).
	ExpectedVersion int64
	// At is the time of the transition, taken from the workflow's clock.
	At        time.Time
	RequestID string
	// Accepted marks a command that was accepted under the rules of an
	// earlier version (a workflow replaying a history recorded before the
	// checks of text and plausibility existed): Apply applies it as it was
	// accepted then, without those checks, so that the replay reaches the
	// same state. Permission, version and status still decide.
	Accepted bool
	// Revision is the revision of the rules the motion's run applies (see
	// RulesRevision); a run recorded before revision 2 applies 1 or 0.
	Revision int
}

// Event is one recorded transition of a motion: the audit trail's unit.
type Event struct {
	MotionID  string          `json:"motion_id"`
	Version   int64           `json:"version"`
	Command   CommandName     `json:"command"`
	At        time.Time       `json:"at"`
	Actor     ActorRef        `json:"actor"`
	Status    Status          `json:"status"`
	Reason    string          `json:"reason,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	Summary   string          `json:"summary"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// RedactedFor returns the event of m as a may see it in the motion's history:
// the anonymous public sees roles but no persons or request ids; only the
// sponsors see what the draft looked like before it was submitted, so for
// everybody else an event of the draft phase keeps no data and has the fixed
// summary of its command, also when it was stored with a summary that named
// the draft's content.
func (e Event) RedactedFor(m *Motion, a Actor) Event {
	if a.Anonymous() {
		e.Actor = ActorRef{Role: e.Actor.Role}
		e.RequestID = ""
	}
	if e.Status == StatusDraft && !m.SponsoredBy(a) {
		e.Data = nil
		e.Reason = ""
		e.Summary = draftSummaries[e.Command]
		if e.Summary == "" {
			e.Summary = "Entwurf"
		}
	}
	return e
}

// Permit decides whether the actor may run the command on m now, without
// changing m. The checks run in a fixed order so that each refusal has exactly
// one reason: visibility (NotFound), role and scope (Forbidden), version
// (StaleVersion), status and kind (IllegalTransition).
func Permit(m *Motion, name CommandName, a Actor, expectedVersion int64) (Role, error) {
	rule, ok := Table[name]
	if !ok {
		return "", refuse(CodeInvalid, "Den Befehl %q gibt es nicht.", name)
	}
	if Creating(name) {
		role, err := rule.role(m, a)
		if err != nil {
			return "", err
		}
		if m.Version != 0 {
			return "", refuse(CodeIllegalTransition, "Der Antrag %s existiert bereits.", m.ID)
		}
		return role, nil
	}
	if m.Version == 0 || !m.VisibleTo(a) {
		return "", refuse(CodeNotFound, "Antrag nicht gefunden.")
	}
	role, err := rule.role(m, a)
	if err != nil {
		return "", err
	}
	if expectedVersion != AnyVersion && expectedVersion != m.Version {
		return "", refuse(CodeStaleVersion, "Der Antrag wurde inzwischen geändert (jetzt Version %d, Ihre Anfrage bezog sich auf Version %d). Bitte laden Sie ihn neu und senden Sie die Änderung erneut.", m.Version, expectedVersion)
	}
	if !slices.Contains(rule.From, m.Status) {
		return "", refuse(CodeIllegalTransition, "Dieser Schritt (%s) ist bei einem Antrag im Status „%s“ nicht möglich.", name, m.Status.Label())
	}
	if len(rule.Kinds) > 0 && !slices.Contains(rule.Kinds, m.Kind) {
		return "", refuse(CodeIllegalTransition, "Dieser Schritt (%s) ist bei einem Antrag der Art „%s“ nicht möglich.", name, m.Kind.Label())
	}
	if rule.Guard != nil {
		if err := rule.Guard(m); err != nil {
			return "", err
		}
	}
	return role, nil
}

func adoptedOnly(m *Motion) error {
	if m.Outcome == nil || !m.Outcome.Result.Adopted() {
		return refuse(CodeIllegalTransition, "Nur beschlossene Anträge werden umgesetzt.")
	}
	return nil
}

// role returns the role under which a may run the rule's command on m.
func (r Rule) role(m *Motion, a Actor) (Role, error) {
	for _, role := range r.Roles {
		if !a.Has(role) {
			continue
		}
		if role == RoleCouncillor {
			// A councillor acts in person: on a motion of councillors as
			// its initiator (the first signer) or, to sign or edit, as
			// one of its signers.
			switch {
			case a.Person == "":
				continue
			case m.Version == 0:
			case !m.ByCouncillors() || m.Signer(a.Person) == nil:
				continue
			case r.Scope == ScopeOriginator && m.Signers[0].PersonID != a.Person:
				continue
			}
			return role, nil
		}
		switch r.Scope {
		case ScopeOriginator:
			if a.Faction == "" || (m.Version != 0 && a.Faction != m.Faction) {
				continue
			}
		case ScopeSponsor:
			if !m.Sponsor(a.Faction) {
				continue
			}
		case ScopeInvited:
			if !m.Invited(a.Faction) {
				continue
			}
		case ScopeDepartment:
			if !m.Responsible(a.Department) {
				continue
			}
		}
		return role, nil
	}
	if a.Anonymous() {
		return "", refuse(CodeForbidden, "Bitte melden Sie sich an.")
	}
	return "", refuse(CodeForbidden, "Sie dürfen diesen Schritt nicht ausführen.")
}

// Allowed lists the commands a may run on m in its current state, for showing
// only the actions that will succeed.
//
// A command whose rule does not start from m's status is passed over before
// Permit, which would refuse it for that (and for most commands in any one
// status): a list of 50 motions asked Permit some thousand times, and each
// refusal formats its message (docs/BENCHMARKS.md).
func Allowed(m *Motion, a Actor) []CommandName {
	var out []CommandName
	for _, name := range Commands {
		if Creating(name) || !slices.Contains(Table[name].From, m.Status) {
			continue
		}
		if _, err := Permit(m, name, a, m.Version); err == nil {
			out = append(out, name)
		}
	}
	return out
}

// Apply runs the command on m: it checks permission and content, changes m,
// bumps its version and returns the event to record. On error m is unchanged.
func Apply(m *Motion, req Request) (Event, error) {
	if req.Command == nil {
		return Event{}, refuse(CodeInvalid, "Die Anfrage nennt keinen Befehl.")
	}
	name := req.Command.Name()
	role, err := Permit(m, name, req.Actor, req.ExpectedVersion)
	if err != nil {
		return Event{}, err
	}
	if !req.Accepted {
		if err := checkRequest(req); err != nil {
			return Event{}, err
		}
		if req.Command, err = checkTexts(req.Command); err != nil {
			return Event{}, err
		}
		if err := checkPlausibility(req.Command); err != nil {
			return Event{}, err
		}
	}
	next := m.Clone()
	summary, reason, err := apply(next, req)
	if err != nil {
		return Event{}, err
	}
	if to := Table[name].To; to != "" && next.Status == m.Status && !Creating(name) {
		next.Status = to
	}
	next.Version = m.Version + 1
	next.UpdatedAt = req.At
	data, err := json.Marshal(req.Command)
	if err != nil {
		return Event{}, refuse(CodeInvalid, "Der Befehl lässt sich nicht speichern.")
	}
	*m = *next
	return Event{
		MotionID:  m.ID,
		Version:   m.Version,
		Command:   name,
		At:        req.At,
		Actor:     req.Actor.Ref(role),
		Status:    m.Status,
		Reason:    reason,
		RequestID: req.RequestID,
		Summary:   summary,
		Data:      data,
	}, nil
}

// draftSummaries are the summaries of the events of the draft phase: fixed
// texts without the draft's content (title, invited factions), because the
// history stays readable to everybody once the motion is submitted, and the
// draft phase belongs to its sponsors.
var draftSummaries = map[CommandName]string{
	CmdCreate:               "Entwurf angelegt",
	CmdEdit:                 "Entwurf bearbeitet",
	CmdInviteCosponsor:      "Mitantragsteller eingeladen",
	CmdAcceptCosponsorship:  "Mitantragstellung angenommen",
	CmdDeclineCosponsorship: "Mitantragstellung abgelehnt",
	CmdSign:                 "Unterschrieben",
}

// unknownConsultation refuses a consultation id the motion does not have,
// without repeating it.
const unknownConsultation = "Diese Beratung gibt es im Antrag nicht."

// maxDeadlineYears bounds how far from now a deadline may be set by hand.
const maxDeadlineYears = 100

// apply changes m for one command and returns the event's summary and reason.
func apply(m *Motion, req Request) (summary, reason string, err error) {
	at := req.At
	switch c := req.Command.(type) {
	case Create:
		return create(m, c, req.Actor, at)
	case EnterSubmission:
		return enterSubmission(m, c, req.Actor, at)
	case Sign:
		return sign(m, req.Actor, at)
	case AcceptCosponsorship:
		return answerInvitation(m, req.Actor, true, "", at)
	case DeclineCosponsorship:
		return answerInvitation(m, req.Actor, false, c.Reason, at)
	case SetDepartments:
		return setDepartments(m, c)
	case Edit:
		var f fields
		c.Content.validate(&f)
		if err := f.err(); err != nil {
			return "", "", err
		}
		m.Content = c.Content.normalized()
		// Who signed, signed this text: a changed text asks the other
		// signers again.
		for i := range m.Signers {
			m.Signers[i].SignedAt = nil
		}
		if s := m.Signer(req.Actor.Person); s != nil && req.Actor.Has(RoleCouncillor) {
			s.SignedAt = &at
		}
		return draftSummaries[CmdEdit], "", nil
	case InviteCosponsor:
		return invite(m, c, req.Revision, at)
	case Submit:
		var f fields
		m.Content.validateComplete(m.Kind, &f)
		if m.ByCouncillors() && m.Signed() < max(m.Quorum, 1) {
			f.add("signers", "%s", quorumMessage(max(m.Quorum, 1), m.Signed()))
		}
		if err := f.err(); err != nil {
			return "", "", err
		}
		m.SubmittedAt = &at
		// An invitation not answered by now lapses: the sponsors are
		// those who agreed before the motion went out.
		m.Invitations = slices.DeleteFunc(m.Invitations, func(i Invitation) bool { return i.State == InvitationPending })
		// Likewise the signers who did not sign are not among its movers.
		m.Signers = slices.DeleteFunc(m.Signers, func(s Signer) bool { return s.SignedAt == nil })
		return "Eingereicht", "", nil
	case Register:
		if c.LeadDepartment == "" && len(c.InvolvedDepartments) > 0 {
			return "", "", Invalid("lead_department", "Beteiligte Dezernate gibt es nur mit einem federführenden; bitte wählen Sie zuerst das federführende Dezernat.")
		}
		m.Reference, m.ReferenceYear, m.ReferenceSeq = c.Reference, c.Year, c.Seq
		m.RegisteredAt = &at
		if c.LeadDepartment != "" {
			if _, _, err := setDepartments(m, SetDepartments{Lead: c.LeadDepartment, Involved: c.InvolvedDepartments}); err != nil {
				// The registration names its fields so.
				if e, ok := err.(*Error); ok {
					for i := range e.Fields {
						e.Fields[i].Field = strings.Replace(strings.Replace(e.Fields[i].Field, "involved", "involved_departments", 1), "lead", "lead_department", 1)
					}
				}
				return "", "", err
			}
			return "Registriert als " + c.Reference + "; Federführung: " + c.LeadDepartment, "", nil
		}
		return "Registriert als " + c.Reference, "", nil
	case DeclareInadmissible:
		m.Reason = c.Reason
		return "Für unzulässig erklärt", c.Reason, nil
	case SetRoute:
		return setRoute(m, c)
	case Schedule:
		return schedule(m, c, at)
	case RecordResult:
		return recordResult(m, c, at)
	case RecordStatement:
		var f fields
		c.Estimate.validate("estimate", &f)
		if err := f.err(); err != nil {
			return "", "", err
		}
		m.Statements = append(m.Statements, Statement{Department: req.Actor.Department, Text: c.Text, At: at, By: req.Actor.Name, Estimate: c.Estimate.clone()})
		return "Stellungnahme der Verwaltung", "", nil
	case RecordAnswer:
		m.Statements = append(m.Statements, Statement{Department: req.Actor.Department, Text: c.Text, At: at, By: req.Actor.Name})
		return "Anfrage beantwortet", "", nil
	case RecordOutcome:
		in := ResultInput{Result: c.Result, Links: c.Links, OriginatorAgreed: c.OriginatorAgreed, Note: c.Note}
		var f fields
		in.validate(&f)
		if c.Result.Valid() && !outcomeResult(c.Result) {
			f.add("result", "Das Ergebnis „%s“ schließt einen Antrag nicht ab.", c.Result.Label())
		}
		if err := f.err(); err != nil {
			return "", "", err
		}
		m.decide(Outcome{Result: c.Result, Links: c.Links, OriginatorAgreed: c.OriginatorAgreed, Note: c.Note}, at)
		return "Ergebnis: " + c.Result.Label(), "", nil
	case StartImplementation:
		if req.Revision >= 2 {
			m.startPoints()
		}
		return "Umsetzung begonnen", "", nil
	case ReportImplementation:
		if req.Revision < 2 && len(c.Points) == 0 {
			m.Reports = append(m.Reports, Statement{Department: req.Actor.Department, Text: c.Text, At: at, By: req.Actor.Name})
			return "Bericht zur Umsetzung", "", nil
		}
		return report(m, c, req.Actor, at)
	case Close:
		m.ClosedAt = &at
		return "Abgeschlossen", c.Note, nil
	case Withdraw:
		m.Reason = c.Reason
		return "Zurückgezogen", c.Reason, nil
	case CorrectResult:
		summary, reason, err := correctResult(m, c, at)
		if err == nil && req.Revision >= 2 {
			summary += m.endImplementation()
		}
		return summary, reason, err
	case SetDeadline:
		return setDeadline(m, c, req.Actor, at)
	case Lapse:
		m.Reason = c.Reason
		return "Nicht behandelt (Ende der Wahlperiode)", c.Reason, nil
	}
	return "", "", refuse(CodeInvalid, "Den Befehl %q gibt es nicht.", req.Command.Name())
}

func setRoute(m *Motion, c SetRoute) (string, string, error) {
	var f fields
	if len(c.Steps) == 0 {
		f.add("steps", "Bitte wählen Sie mindestens ein Gremium.")
	}
	decisive := 0
	for i, s := range c.Steps {
		if s.Decisive {
			decisive++
			if i != len(c.Steps)-1 {
				f.add(fmt.Sprintf("steps[%d].decisive", i), "Das beschließende Gremium berät als letztes; bitte stellen Sie es an das Ende der Beratungsfolge.")
			}
		}
	}
	if len(c.Steps) > 0 && decisive != 1 {
		f.add("steps", "Die Beratungsfolge hat genau ein beschließendes Gremium, und zwar als letztes.")
	}
	for _, k := range m.Consultations {
		if k.Status == ConsultationDone && k.Decisive && k.Record != nil && k.Record.Result != ResultReferred {
			f.add("steps", "Das beschließende Gremium hat den Antrag bereits beraten; die Beratungsfolge lässt sich nicht mehr ändern.")
		}
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	kept := m.Consultations[:0:0]
	for _, k := range m.Consultations {
		if k.Status.Closed() {
			kept = append(kept, k)
		}
	}
	names := make([]string, 0, len(c.Steps))
	for _, s := range c.Steps {
		kept = append(kept, m.newConsultation(s.OrganizationID, s.Decisive))
		names = append(names, s.OrganizationID)
	}
	m.Consultations = kept
	return "Beratungsfolge: " + strings.Join(names, " → "), "", nil
}

func (m *Motion) newConsultation(org string, decisive bool) Consultation {
	m.NextConsultation++
	return Consultation{
		ID:             fmt.Sprintf("c%d", m.NextConsultation),
		OrganizationID: org,
		Decisive:       decisive,
		Status:         ConsultationPlanned,
	}
}

// schedule puts a consultation on a meeting's agenda. With the meeting's
// start known (Schedule.MeetingStart), a meeting of an earlier day is
// refused: its agenda is history. A meeting of today may still take an item.
func schedule(m *Motion, c Schedule, at time.Time) (string, string, error) {
	var f fields
	k := m.Consultation(c.ConsultationID)
	switch {
	case k == nil:
		f.add("consultation_id", unknownConsultation)
	case k.Status == ConsultationDone:
		f.add("consultation_id", "Diese Beratung ist bereits abgeschlossen.")
	case k.Status == ConsultationSkipped:
		f.add("consultation_id", "Diese Beratung wurde übersprungen; sie kann nicht mehr eingeplant werden.")
	}
	if c.MeetingStart != nil && !SameDayOrLater(*c.MeetingStart, at) && strings.TrimSpace(c.Override) == "" {
		f.add("meeting_id", "Die Sitzung hat bereits stattgefunden; eingeplant werden kann nur in eine Sitzung von heute oder später. "+
			"Wer eine frühere Sitzung nacherfasst, nennt dafür einen Grund der Nacherfassung.")
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	k.MeetingID, k.Status, k.MeetingStart = c.MeetingID, ConsultationScheduled, c.MeetingStart
	return fmt.Sprintf("Beratung %s in Sitzung %s eingeplant", k.ID, c.MeetingID), c.Override, nil
}

// notYetHeld refuses a result of a meeting that has not begun.
const notYetHeld = "Die Sitzung hat noch nicht stattgefunden; ihr Ergebnis kann erst ab Sitzungsbeginn erfasst werden."

// recordResult records a consultation's result. With the meeting's start
// known (RecordResult.MeetingStart) the result is the meeting's: it cannot
// be recorded before the meeting began, its decision date is the meeting's
// start, and it keeps to the route: while an earlier step is still open it
// is refused, unless the council office gives its reason for the deviation
// (Override); the open earlier steps are then kept as skipped, with that
// reason. A postponement or a withdrawal deals with nothing and needs no
// reason. Without the start (commands recorded before it was filled in)
// the result is applied as it was then.
func recordResult(m *Motion, c RecordResult, at time.Time) (string, string, error) {
	var f fields
	k := m.Consultation(c.ConsultationID)
	if k == nil {
		f.add("consultation_id", unknownConsultation)
		return "", "", f.err()
	}
	if k.Status != ConsultationScheduled {
		f.add("consultation_id", "Diese Beratung ist keiner Sitzung zugeordnet oder bereits abgeschlossen.")
	}
	c.ResultInput.validate(&f)
	c.ResultInput.validateFor(k, &f)
	if len(c.OpenAmendments) > 0 && c.Result != ResultPostponed && c.Result != ResultWithdrawn && c.Result != ResultReferred {
		if err := f.err(); err != nil {
			return "", "", err
		}
		return "", "", refuse(CodeIllegalTransition, "Über die Änderungsanträge wird vor dem Antrag abgestimmt; bitte erfassen Sie zuerst das Ergebnis von %s.", strings.Join(c.OpenAmendments, ", "))
	}
	var skipped []*Consultation
	if c.MeetingStart != nil {
		if at.Before(*c.MeetingStart) {
			f.add("consultation_id", notYetHeld)
		}
		if c.Result != ResultPostponed && c.Result != ResultWithdrawn {
			skipped = m.openBefore(k.ID)
		}
		if len(skipped) > 0 && strings.TrimSpace(c.Override) == "" {
			f.add("override", "%s", routeOrder(skipped))
		}
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	decidedAt := at
	rec := c.ResultInput.record(k.MeetingID, at)
	if c.MeetingStart != nil {
		decidedAt = *c.MeetingStart
		rec.DecidedAt = &decidedAt
		k.MeetingStart = c.MeetingStart
	}
	summary := fmt.Sprintf("%s: %s", k.OrganizationID, c.Result.Label())
	reason := c.Note
	if len(skipped) > 0 {
		orgs := make([]string, len(skipped))
		for i, s := range skipped {
			s.Status, s.MeetingID, s.MeetingStart = ConsultationSkipped, "", nil
			s.Skipped = &Skip{By: k.ID, Reason: c.Override, At: at}
			orgs[i] = s.OrganizationID
		}
		rec.Override = c.Override
		summary += " – abweichend von der Beratungsfolge, ohne Vorberatung in " + strings.Join(orgs, ", ")
		reason = strings.TrimSpace(c.Override + "\n\n" + c.Note)
	}
	switch {
	case c.Result == ResultPostponed:
		k.Status, k.MeetingID, k.MeetingStart = ConsultationPlanned, "", nil
		return summary, reason, nil
	case c.Result == ResultReferred:
		k.Status, k.Record = ConsultationDone, &rec
		idx := slices.IndexFunc(m.Consultations, func(x Consultation) bool { return x.ID == k.ID })
		org, decisive := k.OrganizationID, k.Decisive
		k.Decisive = false
		added := []Consultation{m.newConsultation(c.ReferredTo, false)}
		if decisive {
			added = append(added, m.newConsultation(org, true))
		}
		m.Consultations = slices.Insert(m.Consultations, idx+1, added...)
		return summary + " an " + c.ReferredTo, reason, nil
	case c.Result == ResultWithdrawn:
		k.Status, k.Record = ConsultationDone, &rec
		m.Status = StatusWithdrawn
		return summary, reason, nil
	}
	k.Status, k.Record = ConsultationDone, &rec
	if endsConsultation(k, c.Result) {
		m.decide(Outcome{Result: c.Result, ConsultationID: k.ID, Links: c.Links, OriginatorAgreed: c.OriginatorAgreed, Note: c.Note}, decidedAt)
	}
	return summary, reason, nil
}

// openBefore returns the steps of the route before consultation id that are
// still open (planned or scheduled).
func (m *Motion) openBefore(id string) []*Consultation {
	var out []*Consultation
	for i := range m.Consultations {
		k := &m.Consultations[i]
		if k.ID == id {
			break
		}
		if !k.Status.Closed() {
			out = append(out, k)
		}
	}
	return out
}

// routeOrder says which advising steps of the route are still open.
func routeOrder(open []*Consultation) string {
	orgs := make([]string, len(open))
	ids := make([]string, len(open))
	for i, k := range open {
		orgs[i], ids[i] = k.OrganizationID, k.ID
	}
	const remedy = " Das Ergebnis kann erst danach erfasst werden, oder mit einer Begründung des Ratsbüros, warum von der Beratungsfolge abgewichen wird."
	if len(open) == 1 {
		return fmt.Sprintf("Das vorberatende Gremium %s hat den Antrag noch nicht beraten (Beratung %s).", orgs[0], ids[0]) + remedy
	}
	return fmt.Sprintf("Die vorberatenden Gremien %s haben den Antrag noch nicht beraten (Beratungen %s).",
		strings.Join(orgs, ", "), strings.Join(ids, ", ")) + remedy
}

// OutcomeConsultation is the consultation id a correction gives to name the
// outcome recorded directly (RecordOutcome), which belongs to no
// consultation and no meeting. Consultation ids are "c1", "c2", …, so it
// names no consultation.
const OutcomeConsultation = "outcome"

func correctResult(m *Motion, c CorrectResult, at time.Time) (string, string, error) {
	if c.ConsultationID == OutcomeConsultation {
		return correctOutcome(m, c)
	}
	var f fields
	k := m.Consultation(c.ConsultationID)
	if k == nil {
		f.add("consultation_id", unknownConsultation)
		return "", "", f.err()
	}
	if k.Status != ConsultationDone || k.Record == nil {
		f.add("consultation_id", "Zu dieser Beratung ist noch kein Ergebnis erfasst.")
		return "", "", f.err()
	}
	if c.MeetingStart != nil && at.Before(*c.MeetingStart) {
		f.add("consultation_id", notYetHeld)
	}
	c.ResultInput.validate(&f)
	c.ResultInput.validateFor(k, &f)
	old := k.Record.Result
	switch {
	case slices.Contains([]Result{ResultPostponed, ResultReferred, ResultWithdrawn}, old),
		slices.Contains([]Result{ResultPostponed, ResultReferred, ResultWithdrawn}, c.Result):
		f.add("result", "Vertagung, Verweisung und Rücknahme können nicht korrigiert werden.")
	case c.Result.Valid() && endsConsultation(k, old) != endsConsultation(k, c.Result):
		f.add("result", "Die Korrektur darf nicht ändern, ob die Beratung abgeschlossen ist.")
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	rec := c.ResultInput.record(k.Record.MeetingID, at)
	rec.DecidedAt, rec.Override = k.Record.DecidedAt, k.Record.Override
	if c.MeetingStart != nil {
		// The meeting's date also repairs a decision date recorded as the
		// day the result was typed in.
		decidedAt := *c.MeetingStart
		rec.DecidedAt = &decidedAt
		k.MeetingStart = c.MeetingStart
	}
	k.Record = &rec
	k.Corrections++
	if m.Outcome != nil && m.Outcome.ConsultationID == k.ID {
		m.Outcome.Result, m.Outcome.Links, m.Outcome.OriginatorAgreed, m.Outcome.Note = c.Result, c.Links, c.OriginatorAgreed, c.Note
		if c.MeetingStart != nil {
			decidedAt := *c.MeetingStart
			m.Outcome.DecidedAt, m.DecidedAt = decidedAt, &decidedAt
		}
	}
	return fmt.Sprintf("Korrektur %s: %s → %s", k.OrganizationID, old.Label(), c.Result.Label()), c.Reason, nil
}

// correctOutcome corrects an outcome recorded without a consultation: it
// stays a final outcome, and having been stated without a meeting it has no
// vote and refers to no organization.
func correctOutcome(m *Motion, c CorrectResult) (string, string, error) {
	var f fields
	if m.Outcome == nil || m.Outcome.ConsultationID != "" {
		f.add("consultation_id", "Der Antrag hat kein ohne Beratung festgestelltes Ergebnis.")
		return "", "", f.err()
	}
	c.ResultInput.validate(&f)
	if c.Result.Valid() && !outcomeResult(c.Result) {
		f.add("result", "Dieses Ergebnis schließt einen Antrag nicht ab.")
	}
	if c.Vote != nil {
		f.add("vote", "Ein ohne Beratung festgestelltes Ergebnis hat keine Abstimmung.")
	}
	if c.ReferredTo != "" {
		f.add("referred_to", "Ein ohne Beratung festgestelltes Ergebnis verweist an kein Gremium.")
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	old := m.Outcome.Result
	m.Outcome.Result, m.Outcome.Links, m.Outcome.OriginatorAgreed, m.Outcome.Note = c.Result, slices.Clone(c.Links), c.OriginatorAgreed, c.Note
	return fmt.Sprintf("Korrektur des Ergebnisses: %s → %s", old.Label(), c.Result.Label()), c.Reason, nil
}

// decide sets the outcome, decided at at, and drops the steps of the route
// that will not happen; skipped steps stay, so that the route shows them.
func (m *Motion) decide(o Outcome, at time.Time) {
	o.DecidedAt = at
	m.Outcome = &o
	m.DecidedAt = &at
	m.Status = StatusDecided
	done := m.Consultations[:0:0]
	for _, k := range m.Consultations {
		if k.Status.Closed() {
			done = append(done, k)
		}
	}
	m.Consultations = done
}

// outcomeResult reports whether r can be a motion's final outcome.
func outcomeResult(r Result) bool {
	switch r {
	case ResultAdopted, ResultAdoptedAmended, ResultRejected, ResultNoted,
		ResultSettledByOtherResolutions, ResultSettledByAdministration:
		return true
	}
	return false
}

// endsConsultation reports whether result r in consultation k decides the motion.
func endsConsultation(k *Consultation, r Result) bool {
	if r == ResultSettledByOtherResolutions || r == ResultSettledByAdministration {
		return true
	}
	return k.Decisive && outcomeResult(r)
}

func setDeadline(m *Motion, c SetDeadline, a Actor, at time.Time) (string, string, error) {
	var f fields
	kind, _, _ := strings.Cut(c.Key, ":")
	if !slices.Contains(DeadlineKinds, DeadlineKind(kind)) {
		f.add("key", "Diese Frist gibt es nicht.")
	}
	switch {
	case c.Due.IsZero():
		f.add("due", "Die Fälligkeit fehlt.")
	case c.Due.Before(at.AddDate(-maxDeadlineYears, 0, 0)) || c.Due.After(at.AddDate(maxDeadlineYears, 0, 0)):
		f.add("due", "Die Fälligkeit muss innerhalb von %d Jahren liegen.", maxDeadlineYears)
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	md := ManualDeadline{Key: c.Key, Kind: DeadlineKind(kind), Due: c.Due, Reason: c.Reason, SetBy: a.Name, SetAt: at}
	m.ManualDeadlines = slices.DeleteFunc(m.ManualDeadlines, func(x ManualDeadline) bool { return x.Key == c.Key })
	m.ManualDeadlines = append(m.ManualDeadlines, md)
	return fmt.Sprintf("Frist %s von Hand auf %s gesetzt", c.Key, c.Due.Format(time.RFC3339)), c.Reason, nil
}
