package workflows

import (
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the queue the motion workers poll.
const TaskQueue = "motionflow-motions"

// WorkflowName is the registered name of MotionWorkflow.
const WorkflowName = "Motion"

// QueryState is the query that returns the motion's current state.
const QueryState = "state"

// Activity names, registered by the activities package.
const (
	ActivityProject         = "Project"
	ActivityAssignReference = "AssignReference"
)

// WorkflowID is the Temporal workflow id of the motion with id.
func WorkflowID(motionID string) string { return "motion/" + motionID }

// UpdateName is the Temporal update name of a command.
func UpdateName(c motion.CommandName) string { return string(c) }

// Search attributes: operators' handles on motions in the Temporal UI. They
// never hold personal data (names, texts); only ids and codes.
var (
	AttrStatus    = temporal.NewSearchAttributeKeyKeyword("MotionStatus")
	AttrKind      = temporal.NewSearchAttributeKeyKeyword("MotionKind")
	AttrBody      = temporal.NewSearchAttributeKeyKeyword("MotionBody")
	AttrFaction   = temporal.NewSearchAttributeKeyKeyword("MotionFaction")
	AttrReference = temporal.NewSearchAttributeKeyKeyword("MotionReference")
	// AttrVersion was set by every transition before the workflow's
	// "one-task-transition" version; that version removes it, and it stays
	// registered so that older workflows can.
	AttrVersion = temporal.NewSearchAttributeKeyInt64("MotionVersion")
)

// SearchAttributes lists the custom search attributes to register in the
// namespace before workers start.
var SearchAttributes = map[string]enumspb.IndexedValueType{
	"MotionStatus":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionKind":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionBody":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionFaction":   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionReference": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionVersion":   enumspb.INDEXED_VALUE_TYPE_INT,
}

// Input starts a motion's workflow; the first update creates the motion.
type Input struct {
	MotionID string `json:"motion_id"`
	BodyID   string `json:"body_id"`
	// State is set when a run continues as new.
	State *Carried `json:"state,omitempty"`
	// InputChecks is the version of the checks the run's update handler
	// applies commands with: 1 checks text and plausibility as the validator
	// does; 0 (runs started before) applies commands as they were accepted.
	// 2 also applies the rules of motion.RulesRevision 2 (consent of invited
	// factions, a correction ending the implementation, reports per point):
	// a run's rules stay those it started with, so that its history replays.
	InputChecks int `json:"input_checks,omitempty"`
}

// currentInputChecks is the InputChecks of runs this code starts: the
// revision of the rules they apply (motion.RulesRevision).
const currentInputChecks = motion.RulesRevision

// CommandRequest is the argument of every update: the command with who sends
// it, the version the sender saw and the idempotency key.
type CommandRequest[C motion.Command] struct {
	Command         C            `json:"command"`
	Actor           motion.Actor `json:"actor"`
	ExpectedVersion int64        `json:"expected_version"`
	RequestID       string       `json:"request_id"`
	// Digest identifies the command's content (see Client), so that a
	// request id reused for another command is refused.
	Digest string `json:"digest,omitempty"`
}

// ProjectInput is the argument of the Project activity: the motion as it is
// after the event, and the event to append to the audit trail.
type ProjectInput struct {
	Motion motion.Motion `json:"motion"`
	Event  motion.Event  `json:"event"`
}

// AssignReferenceInput asks for the motion's reference number in its body's
// sequence of the given year.
type AssignReferenceInput struct {
	BodyID   string `json:"body_id"`
	MotionID string `json:"motion_id"`
	Year     int    `json:"year"`
}

// AssignReferenceResult is the reference assigned, e.g. "A12/2026".
type AssignReferenceResult struct {
	Reference string `json:"reference"`
	Year      int    `json:"year"`
	Seq       int    `json:"seq"`
}

// Options tune the workflow; the zero value is production's.
type Options struct {
	// ActivityTimeout bounds one attempt of an activity.
	ActivityTimeout time.Duration
}

// Deadline activities and signals.
const (
	// ActivityLoadCalendar loads the body's deadline rules and the meetings a
	// motion's deadlines depend on.
	ActivityLoadCalendar = "LoadCalendar"
	// ActivityNotify sends one reminder to everybody it concerns, at most once
	// per recipient.
	ActivityNotify = "Notify"
	// SignalCalendarChanged tells a motion that a meeting or the rules it
	// depends on changed, so that it recomputes its deadlines.
	SignalCalendarChanged = "calendar_changed"
)

// LoadCalendarInput asks for what a motion's deadlines depend on.
type LoadCalendarInput struct {
	BodyID   string `json:"body_id"`
	MotionID string `json:"motion_id"`
	// Since is the motion's submission (or creation) time: council meetings
	// from then on count for agenda placement.
	Since time.Time `json:"since"`
	// MeetingIDs are the meetings the motion targets or is scheduled in.
	MeetingIDs []string `json:"meeting_ids,omitempty"`
	// OrganizationID is the organization that decides the motion under its
	// route (motion.Motion.DecisiveOrganization): its meetings from Since
	// count for agenda placement. "" (no route yet) loads the council's only.
	OrganizationID string `json:"organization_id,omitempty"`
}

// MotionSummary is what a reminder says about its motion.
type MotionSummary struct {
	ID        string        `json:"id"`
	BodyID    string        `json:"body_id"`
	Reference string        `json:"reference,omitempty"`
	Title     string        `json:"title"`
	Kind      motion.Kind   `json:"kind"`
	Status    motion.Status `json:"status"`
	Faction   string        `json:"faction"`
}

// NotifyInput is one reminder of one motion's deadline.
type NotifyInput struct {
	Motion   MotionSummary   `json:"motion"`
	Reminder motion.Reminder `json:"reminder"`
}

// NotifyResult counts the deliveries of one reminder.
type NotifyResult struct {
	// Sent are deliveries made by this call; Skipped were made before (a retry).
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"`
}

// ActivityProjectDeadlines writes a motion's current deadlines into the read
// model (for the deadline lists, worklists and calendar feeds).
const ActivityProjectDeadlines = "ProjectDeadlines"

// ProjectDeadlinesInput replaces the deadlines of one motion in the read model.
type ProjectDeadlinesInput struct {
	MotionID  string            `json:"motion_id"`
	BodyID    string            `json:"body_id"`
	Faction   string            `json:"faction"`
	Deadlines []motion.Deadline `json:"deadlines"`
}

// The daily digest: e-mails queued for watchers who chose the digest go out
// once a day, one e-mail per recipient (see DigestWorkflow).
const (
	// DigestWorkflowName is the registered name of DigestWorkflow.
	DigestWorkflowName = "Digest"
	// DigestWorkflowID is the id of the one digest workflow of a namespace.
	DigestWorkflowID = "digest"
	// ActivityDigest sends the queued digest e-mails, one per recipient, at
	// most once per (run, recipient).
	ActivityDigest = "SendDigests"
	// SignalDigestConfig sets the digest's time of day (a DigestConfig);
	// EnsureDigestSchedule sends it.
	SignalDigestConfig = "digest_config"
	// SignalDigestNow runs a digest at once (no argument), besides the daily one.
	SignalDigestNow = "digest_now"
)

// DigestConfig is when the daily digest goes out.
type DigestConfig struct {
	// Time is the local time of day, "07:00" by default.
	Time string `json:"time,omitempty"`
	// TimeZone is the IANA time zone of Time, "Europe/Berlin" by default.
	TimeZone string `json:"time_zone,omitempty"`
}

// DigestWorkflowInput starts DigestWorkflow.
type DigestWorkflowInput struct {
	Config DigestConfig `json:"config"`
	// LastRun is the last daily run done ("2026-03-23"), carried across
	// continue-as-new so that no day runs twice.
	LastRun string `json:"last_run,omitempty"`
}

// DigestInput is one digest run: Run names it ("2026-03-23" for the daily
// digest of that day, "now/<time>" for one run on demand), At is its time.
// Every attempt of a run sends the same digests.
type DigestInput struct {
	Run string    `json:"run"`
	At  time.Time `json:"at"`
}

// DigestResult counts what one digest run did.
type DigestResult struct {
	// Recipients had reminders waiting.
	Recipients int `json:"recipients"`
	// Sent counts the digest e-mails sent by this call, Items the reminders in them.
	Sent  int `json:"sent"`
	Items int `json:"items"`
	// Skipped counts the run's digests sent before (by an earlier attempt).
	Skipped int `json:"skipped"`
	// Failed counts digests refused for good (an address the server rejects).
	Failed int `json:"failed"`
}

// ActivityAnnounce tells everybody concerned of one step of a motion or a
// meeting (inbox, e-mail, CloudEvents webhooks), once per recipient.
const ActivityAnnounce = "Announce"

// AnnounceInput is one step to announce: a motion as it is after its event,
// or a meeting as it is after its event. The activity decides who may learn
// of it; the draft phase of a motion is announced to nobody.
type AnnounceInput struct {
	Motion       *motion.Motion   `json:"motion,omitempty"`
	Event        *motion.Event    `json:"event,omitempty"`
	Meeting      *meeting.Meeting `json:"meeting,omitempty"`
	MeetingEvent *meeting.Event   `json:"meeting_event,omitempty"`
}
