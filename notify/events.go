package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// EventTypePrefix starts the CloudEvents type of every step motionflow
// announces: "de.motionflow.motion.registered", "de.motionflow.meeting.session_opened".
const EventTypePrefix = "de.motionflow."

// CloudEventsContentType is the media type of a webhook request carrying a
// CloudEvent in structured mode (CloudEvents 1.0, JSON event format).
const CloudEventsContentType = "application/cloudevents+json"

// Step is one announced step of a motion or a meeting: what the inbox entry,
// the e-mail and the CloudEvent say about it. It holds only what the public
// may read about a public motion or meeting (the sponsors' draft phase is
// never announced), so that it can go to every recipient alike.
type Step struct {
	// ID is the event's stable id: "motion/<id>/v<version>" or
	// "meeting/<id>/v<version>". Every recipient gets it once.
	ID string `json:"id"`
	// Type is the CloudEvents type (EventTypePrefix + "motion." + name).
	Type string `json:"type"`
	// Kind is "motion" or "meeting"; SubjectID its id; BodyID its body.
	Kind      string    `json:"kind"`
	SubjectID string    `json:"subject_id"`
	BodyID    string    `json:"body_id"`
	Version   int64     `json:"version"`
	At        time.Time `json:"at"`
	// Text is the German one-line summary (inbox line, mail subject).
	Text string `json:"text"`
	Link string `json:"link,omitempty"`
	// Motion is set for a motion's step, Meeting for a meeting's.
	Motion  *EventMotion  `json:"motion,omitempty"`
	Meeting *EventMeeting `json:"meeting,omitempty"`
}

// EventMotion is what a motion's step says about the motion.
type EventMotion struct {
	Motion
	Cosponsors []string      `json:"cosponsors,omitempty"`
	Outcome    motion.Result `json:"outcome,omitempty"`
	Tags       []string      `json:"tags,omitempty"`
	// Command is the step's command and Summary what the history says of it.
	Command motion.CommandName `json:"command"`
	Summary string             `json:"summary"`
}

// EventMeeting is what a meeting's step says about the meeting.
type EventMeeting struct {
	ID             string              `json:"id"`
	Name           string              `json:"name"`
	OrganizationID string              `json:"organization_id"`
	Start          time.Time           `json:"start"`
	Status         meeting.Status      `json:"status"`
	Command        meeting.CommandName `json:"command"`
}

// motionSteps name a motion's commands (the CloudEvents name, in the past
// tense of what happened) and say them in German. The text is fixed per
// command, without the ids the history's summary may hold.
var motionSteps = map[motion.CommandName]struct{ name, text string }{
	motion.CmdSubmit:               {"submitted", "Eingereicht"},
	motion.CmdRegister:             {"registered", "Registriert"},
	motion.CmdDeclareInadmissible:  {"declared_inadmissible", "Für unzulässig erklärt"},
	motion.CmdSetRoute:             {"route_set", "Beratungsfolge festgelegt"},
	motion.CmdSchedule:             {"scheduled", "Zur Beratung in eine Sitzung eingeplant"},
	motion.CmdRecordResult:         {"result_recorded", "Beratungsergebnis"},
	motion.CmdRecordStatement:      {"statement_recorded", "Stellungnahme der Verwaltung eingegangen"},
	motion.CmdRecordAnswer:         {"answered", "Beantwortet"},
	motion.CmdRecordOutcome:        {"decided", "Entschieden"},
	motion.CmdStartImplementation:  {"implementation_started", "Umsetzung begonnen"},
	motion.CmdReportImplementation: {"implementation_reported", "Bericht zur Umsetzung eingegangen"},
	motion.CmdClose:                {"closed", "Abgeschlossen"},
	motion.CmdWithdraw:             {"withdrawn", "Zurückgezogen"},
	motion.CmdCorrectResult:        {"result_corrected", "Beratungsergebnis berichtigt"},
	motion.CmdLapse:                {"lapsed", "Nicht weiter verfolgt"},
	motion.CmdSetDeadline:          {"deadline_set", "Frist gesetzt"},
	// A submission the council office received on paper is a submission.
	motion.CmdEnterSubmission: {"submitted", "Eingereicht"},
	motion.CmdSetDepartments:  {"departments_set", "Federführung festgelegt"},
}

// MotionStep is the step of motion m that event ev made, or false when
// the step is not announced: the draft phase (creating, editing, inviting
// co-sponsors, and anything done before the motion was submitted) belongs to
// its sponsors alone. A result that decides the motion is "decided".
// baseURL is as for MotionLink.
func MotionStep(m *motion.Motion, ev motion.Event, baseURL string) (Step, bool) {
	st, ok := motionSteps[ev.Command]
	if !ok || !m.Public() {
		return Step{}, false
	}
	name, text := st.name, st.text
	// What the step decided: a registration's reference, a result's label.
	var data struct {
		Result motion.Result `json:"result"`
	}
	_ = json.Unmarshal(ev.Data, &data) // commands without a result leave it empty
	switch {
	case ev.Command == motion.CmdRegister && m.Reference != "":
		text = "Registriert als " + m.Reference
	case ev.Status == motion.StatusDecided && (ev.Command == motion.CmdRecordResult || ev.Command == motion.CmdRecordOutcome) && m.Outcome != nil:
		name, text = "decided", "Entschieden: "+m.Outcome.Result.Label()
	case data.Result != "":
		text += ": " + data.Result.Label()
	}
	nm := Motion{ID: m.ID, BodyID: m.BodyID, Reference: m.Reference, Title: m.Title, Kind: m.Kind, Status: m.Status, Faction: m.Faction}
	em := &EventMotion{Motion: nm, Cosponsors: m.Cosponsors, Tags: m.Tags, Command: ev.Command, Summary: ev.Summary}
	if m.Outcome != nil {
		em.Outcome = m.Outcome.Result
	}
	// "Registriert als A12/2026 – „Titel“" names the reference once.
	label := motionLabel(nm)
	if strings.Contains(text, m.Reference) && m.Reference != "" {
		label = motionLabel(Motion{Title: m.Title})
	}
	return Step{
		ID: fmt.Sprintf("motion/%s/v%d", m.ID, ev.Version), Type: EventTypePrefix + "motion." + name,
		Kind: "motion", SubjectID: m.ID, BodyID: m.BodyID, Version: ev.Version, At: ev.At,
		Text:   truncate(text+" – "+label, 200),
		Link:   MotionLink(baseURL, m.ID),
		Motion: em,
	}, true
}

// meetingSteps name a meeting's commands and say them in German. The text is
// fixed per command: the history's summary may name a non-public item.
var meetingSteps = map[meeting.CommandName]struct{ name, text string }{
	meeting.CmdAddItem:           {"item_added", "Tagesordnung ergänzt"},
	meeting.CmdRemoveItem:        {"item_removed", "Punkt von der Tagesordnung genommen"},
	meeting.CmdMoveItem:          {"item_moved", "Tagesordnung umgestellt"},
	meeting.CmdPublishInvitation: {"invitation_published", "Einladung veröffentlicht"},
	meeting.CmdCancel:            {"cancelled", "Sitzung abgesagt"},
	meeting.CmdOpenSession:       {"session_opened", "Sitzung eröffnet"},
	meeting.CmdRecordAttendance:  {"attendance_recorded", "Anwesenheit festgestellt"},
	meeting.CmdCallItem:          {"item_called", "Tagesordnungspunkt aufgerufen"},
	meeting.CmdRecordResults:     {"results_recorded", "Ergebnis festgehalten"},
	meeting.CmdCloseSession:      {"session_closed", "Sitzung geschlossen"},
	meeting.CmdAmendMinutes:      {"minutes_amended", "Niederschrift ergänzt"},
	meeting.CmdApproveMinutes:    {"minutes_approved", "Niederschrift genehmigt"},
	meeting.CmdPublishMinutes:    {"minutes_published", "Niederschrift veröffentlicht"},
	meeting.CmdMarkWithdrawn:     {"item_withdrawn", "Antrag zurückgezogen, Punkt entfällt"},
}

// MeetingStep is the step of meeting m (its state after ev) that ev made.
// Every command of a meeting is a step; what it says is public. baseURL is as
// for MotionLink.
func MeetingStep(m meeting.Meeting, ev meeting.Event, baseURL string) (Step, bool) {
	s, ok := meetingSteps[ev.Command]
	if !ok {
		return Step{}, false
	}
	return Step{
		ID: fmt.Sprintf("meeting/%s/v%d", m.ID, ev.Version), Type: EventTypePrefix + "meeting." + s.name,
		Kind: "meeting", SubjectID: m.ID, BodyID: m.BodyID, Version: ev.Version, At: ev.At,
		Text: truncate(fmt.Sprintf("%s – %s am %s", s.text, motion.OneLine(m.Name), FormatDate(m.Start)), 200),
		Link: MeetingLink(baseURL, m.ID),
		Meeting: &EventMeeting{ID: m.ID, Name: m.Name, OrganizationID: m.OrganizationID, Start: m.Start,
			Status: m.Status, Command: ev.Command},
	}, true
}

// CloudEvent is the step as a CloudEvents 1.0 event: id, type, source (the
// body: "/bodies/<body>"), subject ("motions/<id>" or "meetings/<id>"), time,
// and the step as JSON data.
func (s Step) CloudEvent() (cloudevents.Event, error) {
	e := cloudevents.New(cloudevents.CloudEventsVersionV1)
	e.SetID(s.ID)
	e.SetType(s.Type)
	e.SetSource("/bodies/" + s.BodyID)
	e.SetSubject(s.Kind + "s/" + s.SubjectID)
	e.SetTime(s.At)
	if err := e.SetData("application/json", s); err != nil {
		return e, fmt.Errorf("notify: cloudevent data: %w", err)
	}
	if err := e.Validate(); err != nil {
		return e, fmt.Errorf("notify: cloudevent: %w", err)
	}
	return e, nil
}

// Message is the step's e-mail in German: the one-line text as subject, and
// the text with the link in the body.
func (s Step) Message() Message {
	var b strings.Builder
	what := "zu einem Vorgang"
	switch {
	case s.Motion != nil:
		what = fmt.Sprintf("zu %s %s", dativeArticle(s.Motion.Kind), motionLabel(s.Motion.Motion))
	case s.Meeting != nil:
		what = "zur Sitzung „" + motion.OneLine(s.Meeting.Name) + "“"
	}
	fmt.Fprintf(&b, "Guten Tag,\n\nes gibt Neues %s:\n\n%s\n\nStand: %s Uhr\n", what, s.Text, FormatDateTime(s.At))
	if s.Link != "" {
		fmt.Fprintf(&b, "\nZum Vorgang: %s\n", s.Link)
	}
	b.WriteString("\nDiese Nachricht hat motionflow automatisch versandt.\n")
	return Message{Subject: s.Text, Text: b.String(), Link: s.Link}
}

// motionLabel is "A12/2026 „Titel“" or, before registration, "„Titel“".
func motionLabel(m Motion) string {
	label := "„" + truncate(motion.OneLine(m.Title), maxSubjectTitle) + "“"
	if m.Reference != "" {
		label = m.Reference + " " + label
	}
	return label
}
