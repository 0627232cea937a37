package motion

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PointState is where the implementation of one resolution point stands
// (Beschlusskontrolle).
type PointState string

// The states of a resolution point's implementation.
const (
	PointOpen       PointState = "open"
	PointInProgress PointState = "in_progress"
	PointDone       PointState = "done"
	// PointNotFeasible: the administration cannot carry the point out; it
	// says why (PointProgress.Reason).
	PointNotFeasible PointState = "not_feasible"
)

// PointStates lists every state in order.
var PointStates = []PointState{PointOpen, PointInProgress, PointDone, PointNotFeasible}

// Label is the German name of the state.
func (s PointState) Label() string {
	switch s {
	case PointOpen:
		return "offen"
	case PointInProgress:
		return "in Arbeit"
	case PointDone:
		return "umgesetzt"
	case PointNotFeasible:
		return "nicht umsetzbar"
	}
	return string(s)
}

// Final reports whether nothing more is to be done for a point in state s.
func (s PointState) Final() bool { return s == PointDone || s == PointNotFeasible }

// PointProgress is the implementation of one resolution point.
type PointProgress struct {
	// Point is the resolution point's number, from 1.
	Point int        `json:"point"`
	State PointState `json:"state"`
	// TargetDate is when the department expects the point done.
	TargetDate *time.Time `json:"target_date,omitempty"`
	// Reason says why a point is not feasible.
	Reason string `json:"reason,omitempty"`
	// Notes are the department's progress notes, oldest first.
	Notes []ProgressNote `json:"notes,omitempty"`
}

// ProgressNote is one report on a point: what the department said and the
// state it gave.
type ProgressNote struct {
	At         time.Time  `json:"at"`
	Department string     `json:"department,omitempty"`
	By         string     `json:"by,omitempty"`
	State      PointState `json:"state"`
	Text       string     `json:"text,omitempty"`
}

// PointReport is what a report says of one resolution point.
type PointReport struct {
	Point      int        `json:"point"`
	State      PointState `json:"state"`
	TargetDate *time.Time `json:"target_date,omitempty"`
	Note       string     `json:"note,omitempty"`
	Reason     string     `json:"reason,omitempty"`
}

// Light is the traffic light of a motion's implementation.
type Light string

// The lights: green on track or done, yellow something needs attention,
// red overdue.
const (
	LightGreen  Light = "green"
	LightYellow Light = "yellow"
	LightRed    Light = "red"
)

// Label says in German what the light means.
func (l Light) Label() string {
	switch l {
	case LightGreen:
		return "im Plan"
	case LightYellow:
		return "offen oder nicht umsetzbar"
	case LightRed:
		return "Zieldatum überschritten"
	}
	return string(l)
}

// Overdue reports whether the point is not done at now although its
// target date has passed. A target date is a day (in Berlin): a point is
// overdue from the day after it.
func (p PointProgress) Overdue(now time.Time) bool {
	return !p.State.Final() && p.TargetDate != nil && !SameDayOrLater(*p.TargetDate, now)
}

// Word is the light's colour as a word, for pages that must never say it
// by colour alone.
func (l Light) Word() string {
	switch l {
	case LightGreen:
		return "Grün"
	case LightYellow:
		return "Gelb"
	case LightRed:
		return "Rot"
	}
	return ""
}

// ImplementationDone reports whether every resolution point of a motion in
// implementation has reached a final state: the council office is asked to
// close it.
func (m *Motion) ImplementationDone() bool {
	if len(m.Points) == 0 {
		return false
	}
	for _, p := range m.Points {
		if !p.State.Final() {
			return false
		}
	}
	return true
}

// Light is the traffic light of the motion's implementation at now: red
// when a point not yet done is past its target day (in Berlin), yellow when a point has
// not been started or cannot be carried out, green otherwise; "" for a
// motion that is not being implemented.
func (m *Motion) Light(now time.Time) Light {
	if m.Status != StatusImplementation && !(m.Status == StatusClosed && len(m.Points) > 0) {
		return ""
	}
	light := LightGreen
	if len(m.Points) == 0 {
		light = LightYellow
	}
	for _, p := range m.Points {
		switch {
		case p.Overdue(now):
			return LightRed
		case p.State == PointOpen || p.State == PointNotFeasible:
			light = LightYellow
		}
	}
	return light
}

// startPoints opens a progress entry for every resolution point.
func (m *Motion) startPoints() {
	if len(m.Points) > 0 {
		return
	}
	for i := range m.ResolutionPoints {
		m.Points = append(m.Points, PointProgress{Point: i + 1, State: PointOpen})
	}
}

// maxTargetYears bounds how far ahead a target date may lie.
const maxTargetYears = 30

// report applies an implementation report: its text and what it says of
// each point.
func report(m *Motion, c ReportImplementation, a Actor, at time.Time) (string, string, error) {
	var f fields
	if strings.TrimSpace(c.Text) == "" && len(c.Points) == 0 {
		f.add("text", "Der Bericht fehlt: bitte schreiben Sie einen Bericht oder geben Sie den Stand mindestens eines Beschlusspunkts an.")
	}
	m.startPoints()
	seen := map[int]bool{}
	for i, p := range c.Points {
		field := fieldIndex("points", i)
		switch {
		case p.Point < 1 || p.Point > len(m.Points):
			f.add(field+".point", "Den %d. Beschlusspunkt gibt es nicht; der Antrag hat %d.", p.Point, len(m.Points))
		case seen[p.Point]:
			f.add(field+".point", "Der %d. Beschlusspunkt ist im Bericht schon genannt.", p.Point)
		}
		seen[p.Point] = true
		if !slices.Contains(PointStates, p.State) {
			f.add(field+".state", "Bitte wählen Sie den Stand des %d. Beschlusspunkts: offen, in Arbeit, umgesetzt oder nicht umsetzbar.", p.Point)
		}
		if p.State == PointNotFeasible && strings.TrimSpace(p.Reason) == "" {
			f.add(field+".reason", "Bitte begründen Sie, warum der %d. Beschlusspunkt nicht umsetzbar ist.", p.Point)
		}
		if p.TargetDate != nil && (p.TargetDate.Before(at.AddDate(-maxTargetYears, 0, 0)) || p.TargetDate.After(at.AddDate(maxTargetYears, 0, 0))) {
			f.add(field+".target_date", "Das Zieldatum muss innerhalb von %d Jahren liegen.", maxTargetYears)
		}
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	text := c.Text
	var lines []string
	for _, p := range c.Points {
		k := &m.Points[p.Point-1]
		k.State = p.State
		if p.TargetDate != nil {
			d := *p.TargetDate
			k.TargetDate = &d
		}
		k.Reason = ""
		if p.State == PointNotFeasible {
			k.Reason = p.Reason
		}
		note := strings.TrimSpace(p.Note)
		if p.State == PointNotFeasible {
			note = strings.TrimSpace(note + "\n\n" + p.Reason)
		}
		k.Notes = append(k.Notes, ProgressNote{At: at, Department: a.Department, By: a.Name, State: p.State, Text: note})
		lines = append(lines, fmt.Sprintf("Punkt %d: %s", p.Point, p.State.Label()))
	}
	if strings.TrimSpace(text) == "" {
		text = strings.Join(lines, "\n")
	}
	m.Reports = append(m.Reports, Statement{Department: a.Department, Text: text, At: at, By: a.Name})
	summary := "Bericht zur Umsetzung"
	if len(lines) > 0 {
		summary += " (" + strings.Join(lines, ", ") + ")"
	}
	return summary, "", nil
}

// setDepartments sets the lead and the involved departments.
func setDepartments(m *Motion, c SetDepartments) (string, string, error) {
	var f fields
	if strings.TrimSpace(c.Lead) == "" {
		f.add("lead", "Bitte wählen Sie das federführende Dezernat oder den federführenden Fachbereich.")
	}
	seen := map[string]bool{c.Lead: true}
	for i, d := range c.Involved {
		if seen[d] {
			f.add(fieldIndex("involved", i), "Das %s beteiligte Dezernat ist schon genannt oder federführend.", ordinal(i))
		}
		seen[d] = true
	}
	if err := f.err(); err != nil {
		return "", "", err
	}
	m.LeadDepartment, m.InvolvedDepartments = c.Lead, slices.Clone(c.Involved)
	summary := "Federführung: " + c.Lead
	if len(c.Involved) > 0 {
		summary += "; beteiligt: " + strings.Join(c.Involved, ", ")
	}
	return summary, "", nil
}

// Responsible reports whether department d answers for the motion: the
// department an inquiry is addressed to, the lead or an involved department;
// while none is named, every department.
func (m *Motion) Responsible(d string) bool {
	if d == "" {
		return false
	}
	if m.AddressedDepartment == "" && m.LeadDepartment == "" {
		return true
	}
	return d == m.AddressedDepartment || d == m.LeadDepartment || slices.Contains(m.InvolvedDepartments, d)
}

// Departments lists the departments that answer for the motion, the lead
// (or the addressed one) first.
func (m *Motion) Departments() []string {
	var out []string
	for _, d := range append([]string{m.LeadDepartment, m.AddressedDepartment}, m.InvolvedDepartments...) {
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// endImplementation ends the follow-up of a motion whose corrected outcome
// is no longer adopted (rules revision 2): nothing is to be implemented, so
// the administration is asked for no more reports.
func (m *Motion) endImplementation() string {
	if m.Status != StatusImplementation || (m.Outcome != nil && m.Outcome.Result.Adopted()) {
		return ""
	}
	m.Status = StatusDecided
	return "; die Umsetzung ist beendet"
}
