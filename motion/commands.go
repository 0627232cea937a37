package motion

import "time"

// CommandName names a user action on a motion; it is also the Temporal update
// name and, with hyphens, the last segment of the API path.
type CommandName string

// The commands on a motion.
const (
	CmdCreate               CommandName = "create"
	CmdEdit                 CommandName = "edit"
	CmdInviteCosponsor      CommandName = "invite_cosponsor"
	CmdSubmit               CommandName = "submit"
	CmdRegister             CommandName = "register"
	CmdDeclareInadmissible  CommandName = "declare_inadmissible"
	CmdSetRoute             CommandName = "set_route"
	CmdSchedule             CommandName = "schedule"
	CmdRecordResult         CommandName = "record_result"
	CmdRecordStatement      CommandName = "record_statement"
	CmdRecordAnswer         CommandName = "record_answer"
	CmdRecordOutcome        CommandName = "record_outcome"
	CmdStartImplementation  CommandName = "start_implementation"
	CmdReportImplementation CommandName = "report_implementation"
	CmdClose                CommandName = "close"
	CmdWithdraw             CommandName = "withdraw"
	CmdCorrectResult        CommandName = "correct_result"
	CmdLapse                CommandName = "lapse"
	CmdSetDeadline          CommandName = "set_deadline"
	// Commands of rules revision 2: originators, consent, Beschlusskontrolle.
	CmdEnterSubmission      CommandName = "enter_submission"
	CmdSign                 CommandName = "sign"
	CmdAcceptCosponsorship  CommandName = "accept_cosponsorship"
	CmdDeclineCosponsorship CommandName = "decline_cosponsorship"
	CmdSetDepartments       CommandName = "set_departments"
)

// Command is one user action with its content.
type Command interface {
	Name() CommandName
}

// Create starts a new draft for the caller's faction or, by a councillor,
// a motion of councillors: the caller and the named Signers, who sign it
// before it is submitted.
type Create struct {
	BodyID string `json:"body_id"`
	Kind   Kind   `json:"kind"`
	Content
	// Signers are the councillors a councillor asks to sign the motion.
	Signers []Signer `json:"signers,omitempty"`
	// Quorum is how many signatures a motion of councillors needs, filled in
	// by the caller from the body's rules and directory (the API), never
	// typed by a user: one for an inquiry, one sixth of the council's
	// members for a motion.
	Quorum int `json:"quorum,omitempty"`
}

// EnterSubmission is the council office entering a submission that reached
// it outside motionflow (a letter, an e-mail, a fax, handed in) on behalf of
// a faction, a committee or councillors: the motion starts as submitted on
// the day it was received.
type EnterSubmission struct {
	BodyID string `json:"body_id"`
	Kind   Kind   `json:"kind"`
	Content
	Originator OriginatorKind `json:"originator"`
	// Organization is the faction or committee it was submitted for.
	Organization string `json:"organization,omitempty"`
	// Signers are the councillors who signed it (a motion of councillors).
	Signers []Signer `json:"signers,omitempty"`
	Paper   Paper    `json:"paper"`
	// Quorum is filled in by the caller as for Create.
	Quorum int `json:"quorum,omitempty"`
}

// Sign is a named councillor's signature on a motion of councillors.
type Sign struct{}

// AcceptCosponsorship is an invited faction agreeing to co-sponsor.
type AcceptCosponsorship struct{}

// DeclineCosponsorship is an invited faction declining, optionally saying why.
type DeclineCosponsorship struct {
	Reason string `json:"reason,omitempty"`
}

// SetDepartments names the department in charge (Federführung) and the
// departments involved.
type SetDepartments struct {
	Lead     string   `json:"lead"`
	Involved []string `json:"involved,omitempty"`
}

// Edit replaces the content of a draft.
type Edit struct {
	Content
}

// InviteCosponsor lets another faction see and edit the draft and sign it.
type InviteCosponsor struct {
	Faction string `json:"faction"`
}

// Submit hands the draft to the council office; from now on it is public.
type Submit struct{}

// Register records the submission and gives it its reference number. The
// workflow fills Reference, Year and Seq from the body's gapless counter.
type Register struct {
	Reference string `json:"reference"`
	Year      int    `json:"year"`
	Seq       int    `json:"seq"`
	// LeadDepartment and InvolvedDepartments, when given, name the
	// departments at registration (see SetDepartments).
	LeadDepartment      string   `json:"lead_department,omitempty"`
	InvolvedDepartments []string `json:"involved_departments,omitempty"`
}

// DeclareInadmissible refuses a submission, with the reason.
type DeclareInadmissible struct {
	Reason string `json:"reason"`
}

// RouteStep is one organization on the route, in order.
type RouteStep struct {
	OrganizationID string `json:"organization_id"`
	Decisive       bool   `json:"decisive,omitempty"`
}

// SetRoute sets or changes the route (Beratungsfolge): the steps not yet
// dealt with (planned or scheduled) are replaced by the given ones; finished
// steps stay.
type SetRoute struct {
	Steps []RouteStep `json:"steps"`
}

// Schedule puts one consultation on a meeting's agenda (or moves it).
type Schedule struct {
	ConsultationID string `json:"consultation_id"`
	MeetingID      string `json:"meeting_id"`
	// MeetingStart is when the meeting begins, filled in by the caller from
	// the directory (the API looks the meeting up), never typed by a user. A
	// meeting whose day (in Berlin) has passed takes no more items. Commands
	// recorded before it existed have none and are applied as then.
	MeetingStart *time.Time `json:"meeting_start,omitempty"`
	// Override is the council office's reason for scheduling into a meeting
	// that has taken place: entering the record of an earlier session after
	// the fact (Nacherfassung). It stays in the history.
	Override string `json:"override,omitempty"`
}

// ResultInput is the content of a recorded or corrected consultation result.
type ResultInput struct {
	Result           Result `json:"result"`
	Vote             *Vote  `json:"vote,omitempty"`
	Links            []Link `json:"links,omitempty"`
	OriginatorAgreed *bool  `json:"originator_agreed,omitempty"`
	ReferredTo       string `json:"referred_to,omitempty"`
	Note             string `json:"note,omitempty"`
}

// RecordResult records what an organization resolved in the meeting the
// consultation is scheduled in.
type RecordResult struct {
	ConsultationID string `json:"consultation_id"`
	ResultInput
	// MeetingStart is when the consultation's meeting began, filled in by the
	// caller from the directory (the API; a meeting's own process fills in
	// its date). When it is given, the result counts from that day (the
	// decision date is the meeting's, not the day it was typed in), cannot be
	// recorded before the meeting began, and follows the route's order (see
	// Override). Commands recorded before it existed have none and are
	// applied as they were then.
	MeetingStart *time.Time `json:"meeting_start,omitempty"`
	// Override is the council office's reason for recording this result
	// while an earlier step of the route is still open (the advising
	// committee has not dealt with the motion). Those earlier steps are then
	// kept as skipped, with this reason, instead of vanishing.
	Override string `json:"override,omitempty"`
	// OpenAmendments name the amendments to this motion that the same
	// organization has yet to vote on, filled in by the caller from the
	// read model, never typed by a user: amendments are voted before their
	// motion, so a result is refused while one is open.
	OpenAmendments []string `json:"open_amendments,omitempty"`
}

// RecordStatement records the administration's statement on a motion.
type RecordStatement struct {
	Text string `json:"text"`
	// Estimate is the administration's own estimate of a budget motion's
	// financial effect.
	Estimate *BudgetEffect `json:"estimate,omitempty"`
}

// RecordAnswer records the administration's answer to an inquiry.
type RecordAnswer struct {
	Text string `json:"text"`
}

// RecordOutcome records the final outcome directly, e.g. when the motion was
// settled outside its planned route.
type RecordOutcome struct {
	Result           Result `json:"result"`
	Links            []Link `json:"links,omitempty"`
	OriginatorAgreed *bool  `json:"originator_agreed,omitempty"`
	Note             string `json:"note,omitempty"`
}

// StartImplementation begins the follow-up of an adopted decision.
type StartImplementation struct{}

// ReportImplementation records the administration's report on
// implementation: a text and, per resolution point, its state, target date
// and note (Beschlusskontrolle).
type ReportImplementation struct {
	Text   string        `json:"text"`
	Points []PointReport `json:"points,omitempty"`
}

// Close ends the follow-up.
type Close struct {
	Note string `json:"note,omitempty"`
}

// Withdraw withdraws the motion (any time before it is decided).
type Withdraw struct {
	Reason string `json:"reason,omitempty"`
}

// CorrectResult replaces a recorded result, with a mandatory reason; the old
// record stays in the audit trail.
type CorrectResult struct {
	ConsultationID string `json:"consultation_id"`
	Reason         string `json:"reason"`
	ResultInput
	// MeetingStart is when the meeting of the corrected result began, filled
	// in by the caller as for RecordResult: the corrected record (and the
	// decision date, if this result decided the motion) counts from that day.
	MeetingStart *time.Time `json:"meeting_start,omitempty"`
}

// SetDeadline sets the due time of one of the motion's deadlines by hand,
// with the reason; the computed date of that deadline no longer applies.
type SetDeadline struct {
	// Key is the deadline's key, e.g. "agenda_placement" or "papers_due:<meeting id>".
	Key    string    `json:"key"`
	Due    time.Time `json:"due"`
	Reason string    `json:"reason"`
}

// Lapse ends a motion that was not dealt with before the end of the legislative term.
type Lapse struct {
	Reason string `json:"reason"`
}

func (Create) Name() CommandName               { return CmdCreate }
func (Edit) Name() CommandName                 { return CmdEdit }
func (InviteCosponsor) Name() CommandName      { return CmdInviteCosponsor }
func (Submit) Name() CommandName               { return CmdSubmit }
func (Register) Name() CommandName             { return CmdRegister }
func (DeclareInadmissible) Name() CommandName  { return CmdDeclareInadmissible }
func (SetRoute) Name() CommandName             { return CmdSetRoute }
func (Schedule) Name() CommandName             { return CmdSchedule }
func (RecordResult) Name() CommandName         { return CmdRecordResult }
func (RecordStatement) Name() CommandName      { return CmdRecordStatement }
func (RecordAnswer) Name() CommandName         { return CmdRecordAnswer }
func (RecordOutcome) Name() CommandName        { return CmdRecordOutcome }
func (StartImplementation) Name() CommandName  { return CmdStartImplementation }
func (ReportImplementation) Name() CommandName { return CmdReportImplementation }
func (Close) Name() CommandName                { return CmdClose }
func (Withdraw) Name() CommandName             { return CmdWithdraw }
func (CorrectResult) Name() CommandName        { return CmdCorrectResult }
func (Lapse) Name() CommandName                { return CmdLapse }
func (SetDeadline) Name() CommandName          { return CmdSetDeadline }
func (EnterSubmission) Name() CommandName      { return CmdEnterSubmission }
func (Sign) Name() CommandName                 { return CmdSign }
func (AcceptCosponsorship) Name() CommandName  { return CmdAcceptCosponsorship }
func (DeclineCosponsorship) Name() CommandName { return CmdDeclineCosponsorship }
func (SetDepartments) Name() CommandName       { return CmdSetDepartments }
