package meeting

import "github.com/motionflow/motionflow/motion"

// CommandName names a council office action on a meeting; it is also the
// Temporal update name and, with hyphens, the last segment of the API path.
type CommandName string

// The commands on a meeting.
const (
	CmdAddItem           CommandName = "add_item"
	CmdRemoveItem        CommandName = "remove_item"
	CmdMoveItem          CommandName = "move_item"
	CmdPublishInvitation CommandName = "publish_invitation"
	CmdCancel            CommandName = "cancel"
	CmdOpenSession       CommandName = "open_session"
	CmdRecordAttendance  CommandName = "record_attendance"
	CmdCallItem          CommandName = "call_item"
	CmdRecordResults     CommandName = "record_results"
	CmdCloseSession      CommandName = "close_session"
	CmdAmendMinutes      CommandName = "amend_minutes"
	CmdApproveMinutes    CommandName = "approve_minutes"
	CmdPublishMinutes    CommandName = "publish_minutes"
	CmdMarkWithdrawn     CommandName = "mark_withdrawn"
)

// Commands lists every command in a stable order.
var Commands = []CommandName{CmdAddItem, CmdRemoveItem, CmdMoveItem, CmdPublishInvitation, CmdCancel,
	CmdOpenSession, CmdRecordAttendance, CmdCallItem, CmdRecordResults, CmdCloseSession,
	CmdAmendMinutes, CmdApproveMinutes, CmdPublishMinutes, CmdMarkWithdrawn}

// Command is one action on a meeting with its content.
type Command interface {
	Name() CommandName
}

// AddItem puts an item on the agenda. After the invitation only an urgent
// item may be added, with the reason (UrgentReason).
type AddItem struct {
	Kind           ItemKind `json:"kind"`
	Title          string   `json:"title,omitempty"`
	Public         bool     `json:"public,omitempty"`
	Sub            bool     `json:"sub,omitempty"`
	MotionID       string   `json:"motion_id,omitempty"`
	ConsultationID string   `json:"consultation_id,omitempty"`
	Reference      string   `json:"reference,omitempty"`
	UrgentReason   string   `json:"urgent_reason,omitempty"`
	// PostponedFrom is set when another meeting postponed the item to this one.
	PostponedFrom string `json:"postponed_from,omitempty"`
}

// RemoveItem takes an item off the agenda before the invitation.
type RemoveItem struct {
	ItemID string `json:"item_id"`
}

// MoveItem moves an item to a position (1 = first) before the invitation.
type MoveItem struct {
	ItemID   string `json:"item_id"`
	Position int    `json:"position"`
}

// PublishInvitation freezes the agenda, sends the invitation to the members
// and makes the agenda public.
type PublishInvitation struct{}

// Cancel calls the meeting off, with the reason.
type Cancel struct {
	Reason string `json:"reason"`
}

// OpenSession opens the session with the members of the organization and
// those present.
type OpenSession struct {
	Members []string `json:"members,omitempty"`
	Present []string `json:"present"`
}

// RecordAttendance replaces the list of those present (members arrive and leave).
type RecordAttendance struct {
	Present []string `json:"present"`
}

// CallItem makes an item the one being dealt with (shown in the live view).
type CallItem struct {
	ItemID string `json:"item_id"`
}

// RecordResults records one result for one item or, in one vote
// (Sammelabstimmung), for several. A postponement names the meeting the
// items move to (PostponeTo, optional); a referral the organization.
type RecordResults struct {
	ItemIDs []string `json:"item_ids"`
	motion.ResultInput
	ResolutionText string `json:"resolution_text,omitempty"`
	PostponeTo     string `json:"postpone_to,omitempty"`
}

// CloseSession ends the session; every item must have been dealt with
// (decided, postponed or withdrawn).
type CloseSession struct{}

// AmendMinutes sets the council office's notes to the generated minutes.
type AmendMinutes struct {
	Notes string `json:"notes"`
}

// ApproveMinutes records that the minutes were approved.
type ApproveMinutes struct{}

// PublishMinutes publishes the approved minutes.
type PublishMinutes struct{}

// MarkWithdrawn marks the open items of a withdrawn motion as withdrawn.
type MarkWithdrawn struct {
	MotionID string `json:"motion_id"`
}

func (AddItem) Name() CommandName           { return CmdAddItem }
func (RemoveItem) Name() CommandName        { return CmdRemoveItem }
func (MoveItem) Name() CommandName          { return CmdMoveItem }
func (PublishInvitation) Name() CommandName { return CmdPublishInvitation }
func (Cancel) Name() CommandName            { return CmdCancel }
func (OpenSession) Name() CommandName       { return CmdOpenSession }
func (RecordAttendance) Name() CommandName  { return CmdRecordAttendance }
func (CallItem) Name() CommandName          { return CmdCallItem }
func (RecordResults) Name() CommandName     { return CmdRecordResults }
func (CloseSession) Name() CommandName      { return CmdCloseSession }
func (AmendMinutes) Name() CommandName      { return CmdAmendMinutes }
func (ApproveMinutes) Name() CommandName    { return CmdApproveMinutes }
func (PublishMinutes) Name() CommandName    { return CmdPublishMinutes }
func (MarkWithdrawn) Name() CommandName     { return CmdMarkWithdrawn }
