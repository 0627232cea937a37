package meeting

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// Limits of a meeting's texts and lists.
const (
	// MaxItems bounds the agenda.
	MaxItems = 500
	// MaxMembers bounds the members and those present.
	MaxMembers = 1000
	// maxResolutionText bounds an item's resolution text.
	maxResolutionText = 100000
	// maxNotes bounds the minutes' notes.
	maxNotes = 100000
	// maxReason bounds a reason (cancellation, urgency).
	maxReason = 5000
)

// Request is a command with everything needed to decide on it.
type Request struct {
	Command Command
	Actor   motion.Actor
	// ExpectedVersion is the version the caller last saw (If-Match), or
	// motion.AnyVersion.
	ExpectedVersion int64
	// At is the time of the transition, from the workflow's clock.
	At        time.Time
	RequestID string
}

// Event is one recorded transition of a meeting.
type Event struct {
	MeetingID string          `json:"meeting_id"`
	Version   int64           `json:"version"`
	Command   CommandName     `json:"command"`
	At        time.Time       `json:"at"`
	Actor     motion.ActorRef `json:"actor"`
	Status    Status          `json:"status"`
	Summary   string          `json:"summary"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// Tell is what the meeting has to tell a motion or another meeting after a
// transition: a motion command (schedule, record_result) or an item for the
// meeting a postponed item moves to. Key makes it idempotent: the same key
// is the same message, however often it is sent.
type Tell struct {
	Key string `json:"key"`
	// MotionID and Motion: a command for the motion's workflow.
	MotionID string               `json:"motion_id,omitempty"`
	Schedule *motion.Schedule     `json:"schedule,omitempty"`
	Result   *motion.RecordResult `json:"result,omitempty"`
	// MeetingID and Item: an item for another meeting's agenda.
	MeetingID string   `json:"meeting_id,omitempty"`
	Item      *AddItem `json:"item,omitempty"`
}

// rules says from which statuses a command is allowed and which status it
// leads to ("" keeps the status).
var rules = map[CommandName]struct {
	From []Status
	To   Status
}{
	CmdAddItem:           {From: []Status{StatusPlanned, StatusConvened, StatusInSession}},
	CmdRemoveItem:        {From: []Status{StatusPlanned}},
	CmdMoveItem:          {From: []Status{StatusPlanned}},
	CmdPublishInvitation: {From: []Status{StatusPlanned}, To: StatusConvened},
	CmdCancel:            {From: []Status{StatusPlanned, StatusConvened}, To: StatusCancelled},
	CmdOpenSession:       {From: []Status{StatusConvened}, To: StatusInSession},
	CmdRecordAttendance:  {From: []Status{StatusInSession}},
	CmdCallItem:          {From: []Status{StatusInSession}},
	CmdRecordResults:     {From: []Status{StatusInSession}},
	CmdCloseSession:      {From: []Status{StatusInSession}, To: StatusHeld},
	CmdAmendMinutes:      {From: []Status{StatusHeld}},
	CmdApproveMinutes:    {From: []Status{StatusHeld}, To: StatusMinutesApproved},
	CmdPublishMinutes:    {From: []Status{StatusMinutesApproved}, To: StatusPublished},
	CmdMarkWithdrawn:     {From: []Status{StatusPlanned, StatusConvened, StatusInSession}},
}

// Allowed lists the commands the actor may run on m now, in the order of
// Commands: what the pages offer.
func Allowed(m *Meeting, a motion.Actor) []CommandName {
	var out []CommandName
	for _, name := range Commands {
		if permit(m, name, a, m.Version) == nil {
			out = append(out, name)
		}
	}
	return out
}

// permit checks role, body, version and status.
func permit(m *Meeting, name CommandName, a motion.Actor, expected int64) error {
	r, ok := rules[name]
	if !ok {
		return motion.Refuse(motion.CodeInvalid, "Diesen Befehl gibt es für Sitzungen nicht.")
	}
	if !Office(a, m.BodyID) {
		return motion.Refuse(motion.CodeForbidden, "Sitzungen führt die Geschäftsstelle des Gremiums.")
	}
	if expected != motion.AnyVersion && expected != m.Version {
		return motion.Refuse(motion.CodeStaleVersion, fmt.Sprintf(
			"Die Sitzung wurde inzwischen geändert (jetzt Version %d, Ihre Anfrage bezog sich auf Version %d). Bitte laden Sie sie neu und senden Sie die Änderung erneut.", m.Version, expected))
	}
	if !slices.Contains(r.From, m.status()) {
		return motion.Refuse(motion.CodeIllegalTransition, fmt.Sprintf(
			"Das ist in einer Sitzung mit dem Stand „%s“ nicht möglich.", m.status().Label()))
	}
	return nil
}

func (m *Meeting) status() Status {
	if m.Status == "" {
		return StatusPlanned
	}
	return m.Status
}

// Apply runs the command on m: it checks permission and content, changes m,
// bumps its version and returns the event to record and what to tell the
// motions. On error m is unchanged.
func Apply(m *Meeting, req Request) (Event, []Tell, error) {
	if req.Command == nil {
		return Event{}, nil, motion.Refuse(motion.CodeInvalid, "Die Anfrage nennt keinen Befehl.")
	}
	name := req.Command.Name()
	if err := permit(m, name, req.Actor, req.ExpectedVersion); err != nil {
		return Event{}, nil, err
	}
	next := m.Clone()
	next.Status = m.status()
	summary, tells, err := apply(next, req)
	if err != nil {
		return Event{}, nil, err
	}
	if to := rules[name].To; to != "" {
		next.Status = to
	}
	next.Version = m.Version + 1
	next.UpdatedAt = req.At
	next.renumber()
	data, err := json.Marshal(req.Command)
	if err != nil {
		return Event{}, nil, motion.Refuse(motion.CodeInvalid, "Der Befehl lässt sich nicht speichern.")
	}
	for i := range tells {
		tells[i].Key = fmt.Sprintf("meeting/%s/v%d/%d", m.ID, next.Version, i)
	}
	*m = *next
	return Event{MeetingID: m.ID, Version: m.Version, Command: name, At: req.At,
		Actor: req.Actor.Ref(motion.RoleCouncilOffice), Status: m.Status, Summary: summary, Data: data}, tells, nil
}

func apply(m *Meeting, req Request) (string, []Tell, error) {
	at := req.At
	switch c := req.Command.(type) {
	case AddItem:
		return addItem(m, c, at)
	case RemoveItem:
		i := slices.IndexFunc(m.Agenda, func(it Item) bool { return it.ID == c.ItemID })
		if i < 0 {
			return "", nil, unknownItem
		}
		if it := m.Agenda[i]; it.Kind == ItemMotion {
			return "", nil, motion.Invalid("item_id", "Ein Antrag verlässt die Tagesordnung durch Vertagung oder Rücknahme, nicht durch Streichen.")
		}
		title := m.Agenda[i].Title
		m.Agenda = slices.Delete(m.Agenda, i, i+1)
		return "Von der Tagesordnung genommen: " + title, nil, nil
	case MoveItem:
		i := slices.IndexFunc(m.Agenda, func(it Item) bool { return it.ID == c.ItemID })
		if i < 0 {
			return "", nil, unknownItem
		}
		if c.Position < 1 || c.Position > len(m.Agenda) {
			return "", nil, motion.Invalid("position", fmt.Sprintf("Die Position muss zwischen 1 und %d liegen.", len(m.Agenda)))
		}
		it := m.Agenda[i]
		m.Agenda = slices.Delete(m.Agenda, i, i+1)
		m.Agenda = slices.Insert(m.Agenda, c.Position-1, it)
		return fmt.Sprintf("Tagesordnungspunkt verschoben: %s", it.Title), nil, nil
	case PublishInvitation:
		if len(m.Agenda) == 0 {
			return "", nil, motion.Invalid("agenda", "Eine Einladung braucht mindestens einen Tagesordnungspunkt.")
		}
		if !at.Before(m.Start) {
			return "", nil, motion.Refuse(motion.CodeIllegalTransition, "Die Sitzung hat bereits begonnen; zu ihr kann nicht mehr eingeladen werden.")
		}
		m.InvitationPublishedAt = &at
		return "Einladung mit Tagesordnung veröffentlicht", nil, nil
	case Cancel:
		reason, err := motion.CheckProse("reason", "Der Grund der Absage", c.Reason, maxReason, true)
		if err != nil {
			return "", nil, err
		}
		m.CancelReason = reason
		return "Sitzung abgesagt", nil, nil
	case OpenSession:
		if !motion.SameDayOrLater(at, m.Start) {
			return "", nil, motion.Refuse(motion.CodeIllegalTransition, "Die Sitzung findet erst am "+
				m.Start.In(motion.Berlin).Format("02.01.2006")+" statt; vorher kann sie nicht eröffnet werden.")
		}
		members, err := names("members", "Die Mitglieder", c.Members, true)
		if err != nil {
			return "", nil, err
		}
		present, err := names("present", "Die Anwesenden", c.Present, false)
		if err != nil {
			return "", nil, err
		}
		if err := subset(present, members); err != nil {
			return "", nil, err
		}
		m.Members, m.Present = members, present
		m.SessionOpenedAt = &at
		return fmt.Sprintf("Sitzung eröffnet: %d von %d Mitgliedern anwesend", len(present), len(members)), nil, nil
	case RecordAttendance:
		present, err := names("present", "Die Anwesenden", c.Present, false)
		if err != nil {
			return "", nil, err
		}
		if err := subset(present, m.Members); err != nil {
			return "", nil, err
		}
		m.Present = present
		return fmt.Sprintf("Anwesenheit: %d von %d Mitgliedern", len(present), len(m.Members)), nil, nil
	case CallItem:
		it := m.Item(c.ItemID)
		if it == nil {
			return "", nil, unknownItem
		}
		m.Current = it.ID
		return "Aufgerufen: TOP " + it.Number, nil, nil
	case RecordResults:
		return recordResults(m, c, req)
	case CloseSession:
		var open []string
		for _, it := range m.Agenda {
			if it.Status == ItemOpen {
				open = append(open, it.Number)
			}
		}
		if len(open) > 0 {
			return "", nil, motion.Refuse(motion.CodeIllegalTransition,
				"Die Sitzung kann erst geschlossen werden, wenn jeder Tagesordnungspunkt behandelt, vertagt oder zurückgezogen ist; offen: TOP "+
					strings.Join(open, ", ")+".")
		}
		m.SessionClosedAt, m.Current = &at, ""
		return "Sitzung geschlossen", nil, nil
	case AmendMinutes:
		notes, err := motion.CheckProse("notes", "Die Ergänzungen der Niederschrift", c.Notes, maxNotes, false)
		if err != nil {
			return "", nil, err
		}
		m.MinutesNotes = notes
		return "Niederschrift ergänzt", nil, nil
	case ApproveMinutes:
		m.MinutesApprovedAt = &at
		return "Niederschrift genehmigt", nil, nil
	case PublishMinutes:
		m.MinutesPublishedAt = &at
		return "Niederschrift veröffentlicht", nil, nil
	case MarkWithdrawn:
		n := 0
		for i := range m.Agenda {
			if it := &m.Agenda[i]; it.MotionID == c.MotionID && it.Status == ItemOpen {
				it.Status, it.Result = ItemWithdrawn, motion.ResultWithdrawn
				n++
			}
		}
		if n == 0 {
			return "", nil, motion.Invalid("motion_id", "Dieser Antrag hat keinen offenen Tagesordnungspunkt in der Sitzung.")
		}
		return "Antrag zurückgezogen", nil, nil
	}
	return "", nil, motion.Refuse(motion.CodeInvalid, "Diesen Befehl gibt es für Sitzungen nicht.")
}

var unknownItem = motion.Invalid("item_id", "Diesen Tagesordnungspunkt gibt es in der Sitzung nicht.")

func addItem(m *Meeting, c AddItem, at time.Time) (string, []Tell, error) {
	var err error
	if err = motion.CheckLine("title", "Der Titel", c.Title, motion.MaxTitle, true); err != nil {
		return "", nil, err
	}
	for _, f := range []struct{ field, label, v string }{
		{"motion_id", "Die Antrags-Id", c.MotionID}, {"consultation_id", "Die Beratung", c.ConsultationID},
		{"reference", "Das Aktenzeichen", c.Reference}, {"postponed_from", "Die Sitzung", c.PostponedFrom},
	} {
		if err = motion.CheckLine(f.field, f.label, f.v, motion.MaxShort, false); err != nil {
			return "", nil, err
		}
	}
	if c.UrgentReason, err = motion.CheckProse("urgent_reason", "Die Begründung der Dringlichkeit", c.UrgentReason, maxReason, false); err != nil {
		return "", nil, err
	}
	switch c.Kind {
	case ItemMotion:
		if c.MotionID == "" || c.ConsultationID == "" {
			return "", nil, motion.Invalid("motion_id", "Ein Antrag auf der Tagesordnung nennt den Antrag und seine Beratung.")
		}
		if m.ItemFor(c.MotionID, c.ConsultationID) != nil {
			return "", nil, motion.Invalid("motion_id", "Diese Beratung steht bereits auf der Tagesordnung.")
		}
	case ItemPaper, ItemReport, ItemFree:
		if c.MotionID != "" || c.ConsultationID != "" {
			return "", nil, motion.Invalid("motion_id", "Nur ein Tagesordnungspunkt der Art „Antrag“ nennt einen Antrag.")
		}
	default:
		return "", nil, motion.Invalid("kind", "Die Art des Tagesordnungspunkts ist unbekannt (motion, paper, report, free).")
	}
	if len(m.Agenda) >= MaxItems {
		return "", nil, motion.Invalid("agenda", fmt.Sprintf("Eine Tagesordnung hat höchstens %d Punkte.", MaxItems))
	}
	urgent := m.status() != StatusPlanned && c.PostponedFrom == ""
	if urgent && strings.TrimSpace(c.UrgentReason) == "" {
		return "", nil, motion.Invalid("urgent_reason",
			"Nach der Einladung kommt ein Punkt nur als dringlicher Punkt auf die Tagesordnung; bitte begründen Sie die Dringlichkeit.")
	}
	m.NextItem++
	it := Item{ID: fmt.Sprintf("t%d", m.NextItem), Kind: c.Kind, Title: c.Title, Public: c.Public, Sub: c.Sub,
		MotionID: c.MotionID, ConsultationID: c.ConsultationID, Reference: c.Reference,
		Urgent: urgent, UrgentReason: c.UrgentReason, PostponedFrom: c.PostponedFrom, Status: ItemOpen}
	m.Agenda = append(m.Agenda, it)
	var tells []Tell
	if it.Kind == ItemMotion {
		start := m.Start
		tells = append(tells, Tell{MotionID: it.MotionID,
			Schedule: &motion.Schedule{ConsultationID: it.ConsultationID, MeetingID: m.ID, MeetingStart: &start}})
	}
	summary := "Auf die Tagesordnung gesetzt: " + it.Title
	if urgent {
		summary = "Dringlich auf die Tagesordnung gesetzt: " + it.Title
	}
	_ = at
	return summary, tells, nil
}

func recordResults(m *Meeting, c RecordResults, req Request) (string, []Tell, error) {
	if len(c.ItemIDs) == 0 {
		return "", nil, motion.Invalid("item_ids", "Bitte wählen Sie mindestens einen Tagesordnungspunkt.")
	}
	if len(c.ItemIDs) > MaxItems {
		return "", nil, motion.Invalid("item_ids", fmt.Sprintf("Eine Abstimmung umfasst höchstens %d Tagesordnungspunkte.", MaxItems))
	}
	if !m.Quorate() {
		return "", nil, motion.Refuse(motion.CodeIllegalTransition, fmt.Sprintf(
			"Das Gremium ist nicht beschlussfähig: %d von %d Mitgliedern anwesend, mehr als die Hälfte ist nötig.", len(m.Present), len(m.Members)))
	}
	in, err := motion.CheckResultInput(c.ResultInput)
	if err != nil {
		return "", nil, err
	}
	text, err := motion.CheckProse("resolution_text", "Der Beschlusstext", c.ResolutionText, maxResolutionText, false)
	if err != nil {
		return "", nil, err
	}
	if err := motion.CheckLine("postpone_to", "Die Sitzung", c.PostponeTo, motion.MaxShort, false); err != nil {
		return "", nil, err
	}
	if c.PostponeTo != "" && in.Result != motion.ResultPostponed {
		return "", nil, motion.Invalid("postpone_to", "Nur eine Vertagung nennt die Sitzung, in die der Punkt geht.")
	}
	if c.PostponeTo == m.ID && c.PostponeTo != "" {
		return "", nil, motion.Invalid("postpone_to", "Ein Punkt kann nur in eine andere Sitzung vertagt werden.")
	}
	seen := map[string]bool{}
	for _, id := range c.ItemIDs {
		it := m.Item(id)
		switch {
		case it == nil:
			return "", nil, unknownItem
		case seen[id]:
			return "", nil, motion.Invalid("item_ids", "Ein Tagesordnungspunkt ist doppelt genannt.")
		case it.Status != ItemOpen:
			return "", nil, motion.Invalid("item_ids", fmt.Sprintf("TOP %s ist bereits %s.", it.Number, it.Status.Label()))
		case it.Kind != ItemMotion && in.Result == motion.ResultReferred:
			return "", nil, motion.Invalid("result", fmt.Sprintf("TOP %s ist kein Antrag; nur Anträge werden verwiesen.", it.Number))
		}
		seen[id] = true
	}
	enBloc := ""
	if len(c.ItemIDs) > 1 {
		enBloc = fmt.Sprintf("v%d", m.Version+1)
	}
	at := req.At
	var tells []Tell
	var numbers []string
	for _, id := range c.ItemIDs {
		it := m.Item(id)
		it.Result, it.Vote, it.ResolutionText, it.Note = in.Result, in.Vote, text, in.Note
		it.ReferredTo, it.EnBloc, it.RecordedAt = in.ReferredTo, enBloc, &at
		it.Status = ItemDecided
		if in.Result == motion.ResultPostponed {
			it.Status, it.PostponedTo = ItemPostponed, c.PostponeTo
		}
		numbers = append(numbers, it.Number)
		if it.Kind != ItemMotion {
			continue
		}
		start := m.Start
		// The vote of a non-public item is confidential: the meeting keeps
		// it, the motion (whose result is public) gets the result alone.
		rin := in
		if !it.Public {
			rin.Vote = nil
		}
		rec := motion.RecordResult{ConsultationID: it.ConsultationID, ResultInput: rin, MeetingStart: &start}
		tells = append(tells, Tell{MotionID: it.MotionID, Result: &rec})
		if in.Result == motion.ResultPostponed && c.PostponeTo != "" {
			tells = append(tells, Tell{MeetingID: c.PostponeTo, Item: &AddItem{Kind: ItemMotion, Title: it.Title,
				Public: it.Public, MotionID: it.MotionID, ConsultationID: it.ConsultationID,
				Reference: it.Reference, PostponedFrom: m.ID}})
		}
	}
	if slices.Contains(c.ItemIDs, m.Current) {
		m.Current = ""
	}
	label := in.Result.Label()
	if len(numbers) > 1 {
		return fmt.Sprintf("Sammelabstimmung über TOP %s: %s", strings.Join(numbers, ", "), label), tells, nil
	}
	return fmt.Sprintf("TOP %s: %s", numbers[0], label), tells, nil
}

// names checks a list of member names: each one line, none twice.
func names(field, label string, list []string, required bool) ([]string, error) {
	if required && len(list) == 0 {
		return nil, motion.Invalid(field, label+" fehlen.")
	}
	if len(list) > MaxMembers {
		return nil, motion.Invalid(field, fmt.Sprintf("Die Liste darf höchstens %d Namen enthalten.", MaxMembers))
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(list))
	for i, n := range list {
		n = strings.TrimSpace(n)
		if err := motion.CheckLine(fmt.Sprintf("%s[%d]", field, i), label, n, motion.MaxShort, true); err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, motion.Invalid(fmt.Sprintf("%s[%d]", field, i), "Dieser Name steht doppelt in der Liste.")
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, nil
}

// subset refuses anybody present who is not a member.
func subset(present, members []string) error {
	for i, p := range present {
		if !slices.Contains(members, p) {
			return motion.Invalid(fmt.Sprintf("present[%d]", i), "Anwesend sein können nur Mitglieder des Gremiums.")
		}
	}
	return nil
}
