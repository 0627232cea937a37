package motion

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // deadlines count days in the council's time zone on every machine
)

// DeadlineKind names a procedural deadline.
type DeadlineKind string

// The deadlines motionflow watches.
const (
	// DeadlineAgendaPlacement: a faction's motion must be on the council's
	// agenda no later than the second-next council meeting after submission
	// (§34(1) GemO BW).
	DeadlineAgendaPlacement DeadlineKind = "agenda_placement"
	// DeadlineSubmissionCutoff: a draft aimed at a meeting must be submitted
	// this long before the meeting starts.
	DeadlineSubmissionCutoff DeadlineKind = "submission_cutoff"
	// DeadlinePapersDue: the administration's paper must reach the
	// councillors this long before the meeting that deals with the motion.
	DeadlinePapersDue DeadlineKind = "papers_due"
	// DeadlineInquiryAnswer: the administration answers an inquiry within
	// three weeks (six for fundamental matters).
	DeadlineInquiryAnswer DeadlineKind = "inquiry_answer"
	// DeadlineImplementationReport: the administration reports on carrying
	// out an adopted decision.
	DeadlineImplementationReport DeadlineKind = "implementation_report"
	// DeadlineStale: a motion without any transition for too long.
	DeadlineStale DeadlineKind = "stale_motion"
	// DeadlineReschedule: a consultation's meeting was cancelled; the
	// council office schedules it into another meeting (key
	// "reschedule:<meeting id>", due at the cancelled meeting's start).
	DeadlineReschedule DeadlineKind = "reschedule"
	// DeadlineImplementationClose: every resolution point of a motion in
	// implementation is done or cannot be done; the council office closes
	// the follow-up (Beschlusskontrolle, calendars of revision 2).
	DeadlineImplementationClose DeadlineKind = "implementation_close"
)

// The deadlines of a meeting's own process (see meeting.Deadlines). They are
// not deadlines of a motion: they are not in DeadlineKinds, cannot be set by
// hand on a motion and never appear in a motion's deadline list; their
// reminders go to the council office, keyed "<kind>:<meeting id>".
const (
	// DeadlineInvitationDue: the invitation with the agenda (and the papers
	// of its items) goes out this long before the meeting (§ 34 Abs. 1 GemO
	// BW: rechtzeitig; in der Regel sieben Tage).
	DeadlineInvitationDue DeadlineKind = "invitation_due"
	// DeadlineDecisionsPublished: the decisions of the public part are
	// published within a week of the meeting (§ 41b GemO BW).
	DeadlineDecisionsPublished DeadlineKind = "decisions_published"
	// DeadlineMinutesDue: the minutes are brought to the council within a
	// month of the meeting (§ 38 GemO BW).
	DeadlineMinutesDue DeadlineKind = "minutes_due"
)

// MeetingDeadlineKinds lists every kind of a meeting's own deadlines.
var MeetingDeadlineKinds = []DeadlineKind{DeadlineInvitationDue, DeadlineDecisionsPublished, DeadlineMinutesDue}

// DeadlineKinds lists every kind of deadline.
var DeadlineKinds = []DeadlineKind{
	DeadlineAgendaPlacement, DeadlineSubmissionCutoff, DeadlinePapersDue,
	DeadlineInquiryAnswer, DeadlineImplementationReport, DeadlineStale,
	DeadlineReschedule, DeadlineImplementationClose,
}

// Label is the German name shown to users.
func (k DeadlineKind) Label() string {
	switch k {
	case DeadlineAgendaPlacement:
		return "Behandlung im Gemeinderat (§ 34 Abs. 1 GemO)"
	case DeadlineSubmissionCutoff:
		return "Antragsschluss für die Sitzung"
	case DeadlinePapersDue:
		return "Vorlage an die Mitglieder"
	case DeadlineInquiryAnswer:
		return "Beantwortung der Anfrage"
	case DeadlineImplementationReport:
		return "Bericht zur Umsetzung"
	case DeadlineStale:
		return "Antrag ohne Fortgang"
	case DeadlineReschedule:
		return "Neueinplanung nach Absage der Sitzung"
	case DeadlineImplementationClose:
		return "Abschluss der umgesetzten Beschlusskontrolle"
	case DeadlineInvitationDue:
		return "Einladung zur Sitzung (§ 34 Abs. 1 GemO)"
	case DeadlineDecisionsPublished:
		return "Bekanntgabe der Beschlüsse (§ 41b GemO)"
	case DeadlineMinutesDue:
		return "Niederschrift an den Gemeinderat (§ 38 GemO)"
	}
	return string(k)
}

// Audiences of reminders: who is told. Faction and department audiences name
// the organization after the colon.
const (
	AudienceCouncilOffice = "council_office"
	audienceFaction       = "faction:"
	audienceDepartment    = "department:"
	audiencePerson        = "person:"
)

// FactionAudience is the audience of a faction's staff.
func FactionAudience(org string) string { return audienceFaction + org }

// DepartmentAudience is the audience of a department's staff.
func DepartmentAudience(org string) string { return audienceDepartment + org }

// PersonAudience is the audience of one councillor, a directory person who
// moved or signed a motion.
func PersonAudience(person string) string { return audiencePerson + person }

// Duration is a time span in rules, written in JSON as Go durations with an
// extra unit "d" for days: "14d", "36h", "90s".
type Duration time.Duration

// ParseDuration reads "14d", "-7d", "3d12h" or any Go duration.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	rest := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	const day = int64(24 * time.Hour)
	var days int64
	if i := strings.Index(rest, "d"); i >= 0 {
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		if n > math.MaxInt64/day || n < -math.MaxInt64/day {
			return 0, fmt.Errorf("duration %q: out of range", s)
		}
		days, rest = n, rest[i+1:]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
	}
	total := days * day
	if (d > 0 && total > math.MaxInt64-int64(d)) || (d < 0 && total < math.MinInt64-int64(d)) {
		return 0, fmt.Errorf("duration %q: out of range", s)
	}
	d += time.Duration(total)
	if neg {
		if d == math.MinInt64 {
			return 0, fmt.Errorf("duration %q: out of range", s)
		}
		d = -d
	}
	return Duration(d), nil
}

// String writes whole days as "Nd", anything else as a Go duration.
func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"
	}
	return td.String()
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a string duration (or, for compatibility, nanoseconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return err
		}
		*d = Duration(n)
		return nil
	}
	v, err := ParseDuration(s)
	*d = v
	return err
}

// DeadlineRules are a body's deadline rules: data, versioned, so that each
// computed deadline can say which rule and version produced it.
type DeadlineRules struct {
	Version int `json:"version"`
	// TimeZone is where whole days are counted (Europe/Berlin when empty):
	// "21d" after 10:05 is 10:05 three weeks later, also across a DST change.
	TimeZone string `json:"time_zone,omitempty"`
	// AgendaPlacementMeetings is how many council meetings after submission
	// a faction's motion may wait at most (2: the second-next meeting).
	AgendaPlacementMeetings  int      `json:"agenda_placement_meetings"`
	SubmissionCutoff         Duration `json:"submission_cutoff"`
	PapersDue                Duration `json:"papers_due"`
	InquiryAnswer            Duration `json:"inquiry_answer"`
	InquiryAnswerFundamental Duration `json:"inquiry_answer_fundamental"`
	// ImplementationReportMonths is the report period after the decision, in calendar months.
	ImplementationReportMonths int `json:"implementation_report_months"`
	// ImplementationReport, when set, replaces the months (for short test periods).
	ImplementationReport Duration `json:"implementation_report,omitempty"`
	Stale                Duration `json:"stale"`
	// ImplementationCycleMonths is the period of the implementation reports
	// (Beschlusskontrolle) in calendar months, counted from January: 3 asks
	// for a report at the end of every quarter, as long as the motion is
	// being implemented. 0 (rules stored before it existed) keeps the one
	// report after ImplementationReportMonths.
	ImplementationCycleMonths int `json:"implementation_cycle_months,omitempty"`
	// ImplementationCycle, when set, replaces the months: a report is due
	// this long after the last one (for short test periods).
	ImplementationCycle Duration `json:"implementation_cycle,omitempty"`
	// ImplementationClose is how long after the report that finished every
	// resolution point the council office closes the follow-up.
	ImplementationClose Duration `json:"implementation_close,omitempty"`
	// QuorumDivisor says which share of the council's current members a
	// motion of councillors needs: their number divided by it, rounded up.
	// 6 is one sixth (§ 34 Abs. 1 Satz 4 GemO BW); municipal codes of other
	// states ask for other shares (e.g. 5, one fifth). 0 (rules stored
	// before it existed) means 6.
	QuorumDivisor int `json:"quorum_divisor,omitempty"`
	// Offsets are when reminders go out relative to a deadline.
	Offsets []Duration `json:"offsets"`
	// Escalation is the interval of further reminders to the council office
	// after the last offset while the deadline stays unmet; EscalationMax caps them.
	Escalation    Duration `json:"escalation"`
	EscalationMax int      `json:"escalation_max"`

	// The deadlines of a meeting's own process. Zero turns one off: rules
	// stored before these fields existed read as off, so that a body's
	// stored rules keep meaning what they meant when they were saved.
	//
	// InvitationDue is how long before the meeting the invitation goes out.
	InvitationDue Duration `json:"invitation_due,omitempty"`
	// DecisionsPublished is how long after the meeting its public decisions
	// are published.
	DecisionsPublished Duration `json:"decisions_published,omitempty"`
	// MinutesDueMonths is how many calendar months after the meeting the
	// minutes reach the council.
	MinutesDueMonths int `json:"minutes_due_months,omitempty"`
}

// DefaultDeadlineRules are the rules of a body that configured none.
func DefaultDeadlineRules() DeadlineRules {
	day := Duration(24 * time.Hour)
	return DeadlineRules{
		Version:                    1,
		TimeZone:                   "Europe/Berlin",
		AgendaPlacementMeetings:    2,
		SubmissionCutoff:           14 * day,
		PapersDue:                  7 * day,
		InquiryAnswer:              21 * day,
		InquiryAnswerFundamental:   42 * day,
		ImplementationReportMonths: 6,
		ImplementationCycleMonths:  3,
		ImplementationClose:        14 * day,
		QuorumDivisor:              6,
		Stale:                      90 * day,
		Offsets:                    []Duration{-7 * day, -day, 0, 3 * day},
		Escalation:                 7 * day,
		EscalationMax:              8,
		InvitationDue:              7 * day,
		DecisionsPublished:         7 * day,
		MinutesDueMonths:           1,
	}
}

// Bounds of the deadline rules: generous for any council's rules of
// procedure, tight enough that every computed date stays a date PostgreSQL
// stores and every reminder list stays short.
const (
	// MaxAgendaPlacementMeetings bounds AgendaPlacementMeetings; the store
	// loads more council meetings than this.
	MaxAgendaPlacementMeetings = 10
	// MaxRulePeriod bounds every period and offset of the rules: ten years.
	MaxRulePeriod = Duration(maxRuleDays * 24 * time.Hour)
	maxRuleDays   = 3650
	// MaxImplementationReportMonths bounds ImplementationReportMonths: ten years.
	MaxImplementationReportMonths = 120
	// MaxOffsets bounds the number of reminders before and at a deadline.
	MaxOffsets = 20
	// MaxQuorumDivisor bounds QuorumDivisor: one hundredth of the members.
	MaxQuorumDivisor = 100
	// MaxMinutesDueMonths bounds MinutesDueMonths: a year.
	MaxMinutesDueMonths = 12
	// MaxEscalations bounds EscalationMax.
	MaxEscalations = 100
	// maxTimeZone bounds the name of a time zone.
	maxTimeZone = 64
)

// Validate checks the rules before they are stored: every period within its
// bounds, at least one reminder, a time zone that exists. A refusal is an
// *Error (CodeInvalid) with one field error per wrong field, named as in JSON
// ("papers_due", "offsets[2]"), each a German sentence.
func (r DeadlineRules) Validate() error {
	var t texts
	if t.line("time_zone", "Die Zeitzone", &r.TimeZone, maxTimeZone, optional) && r.TimeZone != "" {
		if _, err := loadLocation(r.TimeZone); err != nil || r.TimeZone == "Local" {
			t.f.add("time_zone", "Diese Zeitzone ist unbekannt; bitte geben Sie eine Zeitzone wie Europe/Berlin an.")
		}
	}
	f := &t.f
	if r.AgendaPlacementMeetings < 1 || r.AgendaPlacementMeetings > MaxAgendaPlacementMeetings {
		f.add("agenda_placement_meetings", "Die Zahl der Sitzungen bis zur Behandlung muss zwischen 1 und %d liegen.", MaxAgendaPlacementMeetings)
	}
	period := func(field, label string, d Duration, positive bool) {
		switch {
		case positive && d <= 0:
			f.add(field, "%s muss länger als null sein.", label)
		case d < 0:
			f.add(field, "%s darf nicht negativ sein.", label)
		case d > MaxRulePeriod:
			f.add(field, "%s darf höchstens %d Tage lang sein.", label, maxRuleDays)
		}
	}
	period("submission_cutoff", "Der Antragsschluss", r.SubmissionCutoff, false)
	period("papers_due", "Die Vorlagefrist", r.PapersDue, false)
	period("inquiry_answer", "Die Antwortfrist", r.InquiryAnswer, true)
	period("inquiry_answer_fundamental", "Die Antwortfrist bei grundsätzlicher Bedeutung", r.InquiryAnswerFundamental, true)
	switch {
	case r.ImplementationReportMonths < 0 || r.ImplementationReportMonths > MaxImplementationReportMonths:
		f.add("implementation_report_months", "Die Monate bis zum Bericht zur Umsetzung müssen zwischen 0 und %d liegen.", MaxImplementationReportMonths)
	case r.ImplementationReportMonths == 0 && r.ImplementationReport == 0:
		f.add("implementation_report_months", "Die Frist für den Bericht zur Umsetzung fehlt; bitte geben Sie Monate oder eine Dauer an.")
	}
	period("implementation_report", "Die Dauer bis zum Bericht zur Umsetzung", r.ImplementationReport, false)
	if r.ImplementationCycleMonths < 0 || r.ImplementationCycleMonths > 12 {
		f.add("implementation_cycle_months", "Der Abstand der Berichte zur Umsetzung muss zwischen 0 und 12 Monaten liegen.")
	}
	period("implementation_cycle", "Der Abstand der Berichte zur Umsetzung", r.ImplementationCycle, false)
	period("implementation_close", "Die Frist zum Abschluss nach dem letzten Bericht", r.ImplementationClose, false)
	if r.QuorumDivisor < 0 || r.QuorumDivisor > MaxQuorumDivisor {
		f.add("quorum_divisor", "Der Anteil der Mitglieder für einen Antrag von Mitgliedern des Gemeinderats muss zwischen einem Ganzen (1) und einem Hundertstel (%d) liegen.", MaxQuorumDivisor)
	}
	period("stale", "Die Zeit bis „ohne Fortgang“", r.Stale, true)
	switch {
	case len(r.Offsets) == 0:
		f.add("offsets", "Bitte geben Sie mindestens eine Erinnerung an.")
	case len(r.Offsets) > MaxOffsets:
		f.add("offsets", "Es sind höchstens %d Erinnerungen möglich.", MaxOffsets)
	default:
		for i, o := range r.Offsets {
			if o < -MaxRulePeriod || o > MaxRulePeriod {
				f.add("offsets["+strconv.Itoa(i)+"]", "Die %d. Erinnerung darf höchstens %d Tage vor oder nach der Fälligkeit liegen.", i+1, maxRuleDays)
			}
		}
	}
	period("escalation", "Der Abstand der weiteren Erinnerungen", r.Escalation, false)
	switch {
	case r.EscalationMax < 0 || r.EscalationMax > MaxEscalations:
		f.add("escalation_max", "Die Zahl der weiteren Erinnerungen muss zwischen 0 und %d liegen.", MaxEscalations)
	case r.EscalationMax > 0 && r.Escalation == 0:
		f.add("escalation", "Der Abstand der weiteren Erinnerungen fehlt; er ist nötig, wenn weitere Erinnerungen vorgesehen sind.")
	}
	period("invitation_due", "Die Einladungsfrist", r.InvitationDue, false)
	period("decisions_published", "Die Frist für die Bekanntgabe der Beschlüsse", r.DecisionsPublished, false)
	if r.MinutesDueMonths < 0 || r.MinutesDueMonths > MaxMinutesDueMonths {
		f.add("minutes_due_months", "Die Monate bis zur Niederschrift an den Gemeinderat müssen zwischen 0 und %d liegen.", MaxMinutesDueMonths)
	}
	if len(*f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "Die Fristenregeln sind ungültig.", Fields: *f}
}

// MeetingDate is what the deadline rules need to know of a meeting.
type MeetingDate struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organization_id"`
	Start          time.Time `json:"start"`
	Cancelled      bool      `json:"cancelled,omitempty"`
	// Published says that the meeting's invitation, with its agenda, has
	// been published: only an item on a published agenda counts as placed
	// on it (§ 34 GemO BW).
	Published bool `json:"published,omitempty"`
}

// CalendarRevision is the Revision of the calendars loaded now.
const CalendarRevision = 2

// Calendar is the outside knowledge deadlines depend on: the body's rules,
// the meetings after the motion's submission of the council and of the
// organization that decides the motion, and the meetings the motion refers
// to.
type Calendar struct {
	Rules DeadlineRules `json:"rules"`
	// CouncilMeetings are the meetings of the body's council (the plenary),
	// in order of start.
	CouncilMeetings []MeetingDate `json:"council_meetings,omitempty"`
	// DecisiveOrganization is the organization DecisiveMeetings belong to:
	// the one whose result decides the motion under its route when the
	// calendar was loaded ("" without a route).
	DecisiveOrganization string `json:"decisive_organization,omitempty"`
	// DecisiveMeetings are DecisiveOrganization's meetings, in order of
	// start: agenda placement counts them.
	DecisiveMeetings []MeetingDate `json:"decisive_meetings,omitempty"`
	// Meetings are the meetings the motion targets or is scheduled in.
	Meetings []MeetingDate `json:"meetings,omitempty"`
	// Revision says which rules of agenda placement and meetings the calendar
	// was loaded for. 0 is a calendar loaded before the meeting became a
	// process of its own: it knows nothing of published agendas, and
	// workflows replaying a history with it compute the deadlines as they
	// did then. Revision 1 knows which agendas are published and which
	// organization decides. Revision 2 (CalendarRevision) adds the
	// Beschlusskontrolle: periodic reports to the departments in charge, the
	// council office asked to close a motion whose points are all done, no
	// "ohne Fortgang" during implementation, and every sponsor (co-sponsoring
	// factions, signing councillors) told of the originators' deadlines.
	Revision int `json:"revision,omitempty"`
}

func (c Calendar) meeting(id string) (MeetingDate, bool) {
	for _, m := range c.Meetings {
		if m.ID == id {
			return m, true
		}
	}
	return MeetingDate{}, false
}

// Deadline is one computed (or manually set) deadline of a motion.
type Deadline struct {
	// Key identifies the deadline across recomputations, e.g.
	// "papers_due:<meeting id>"; reminders are deduplicated by it.
	Key       string       `json:"key"`
	Kind      DeadlineKind `json:"kind"`
	Due       time.Time    `json:"due"`
	MeetingID string       `json:"meeting_id,omitempty"`
	// Rule and RuleVersion say what produced the date ("manual" for one set by hand).
	Rule        string `json:"rule"`
	RuleVersion int    `json:"rule_version"`
	// Audiences are reminded; Informed see the date but get no reminders.
	Audiences []string `json:"audiences"`
	Informed  []string `json:"informed,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	// Expires is when the deadline stops mattering (the meeting it prepares
	// has begun); no reminder goes out from then on.
	Expires *time.Time `json:"expires,omitempty"`
}

// ManualDeadline is a deadline the council office set by hand; it replaces
// the computed deadline with the same key.
type ManualDeadline struct {
	Key    string       `json:"key"`
	Kind   DeadlineKind `json:"kind"`
	Due    time.Time    `json:"due"`
	Reason string       `json:"reason"`
	SetBy  string       `json:"set_by,omitempty"`
	SetAt  time.Time    `json:"set_at"`
}

// AudienceAdministration is every administration caller of the body, when no
// department is named.
const AudienceAdministration = "administration"

// AudienceEvents is the audience of a body's notification targets that take
// every public step of its motions and meetings (mostly CloudEvents
// webhooks of transparency portals and other systems); no reminder goes there.
const AudienceEvents = "events"

// Reminder is one reminder of a deadline, at one offset. Key is unique per
// motion: it names the deadline, its due time and the offset, so a moved
// deadline gets fresh reminders and a retried one none twice.
type Reminder struct {
	Key      string   `json:"key"`
	Deadline Deadline `json:"deadline"`
	// Offset is the reminder's time relative to the deadline's due time.
	Offset Duration  `json:"offset"`
	At     time.Time `json:"at"`
	// Escalation marks the reminders after the last offset, which go to the
	// council office only.
	Escalation bool     `json:"escalation,omitempty"`
	Audiences  []string `json:"audiences"`
}

// After adds d to t as every deadline does: whole days as calendar days in
// the rules' time zone (a meeting at 18:00 has its invitation due at 18:00
// seven days before, also across a DST change), the rest as elapsed time.
func (r DeadlineRules) After(t time.Time, d Duration) time.Time { return r.after(t, d) }

// AfterMonths adds n calendar months to t in the rules' time zone. A day the
// target month lacks is its last day (§ 188 Abs. 3 BGB): a month after
// 31 January is 28 (or 29) February, not 3 March.
func (r DeadlineRules) AfterMonths(t time.Time, n int) time.Time {
	t = t.In(r.location())
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

// after adds d to t, counting whole days as calendar days in the rules' time
// zone and the rest as elapsed time.
func (r DeadlineRules) after(t time.Time, d Duration) time.Time {
	td := time.Duration(d)
	days := int(td / (24 * time.Hour))
	rest := td % (24 * time.Hour)
	return t.In(r.location()).AddDate(0, 0, days).Add(rest)
}

func (r DeadlineRules) location() *time.Location {
	name := r.TimeZone
	if name == "" {
		name = "Europe/Berlin"
	}
	if loc, err := loadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

var (
	locMu sync.Mutex
	locs  = map[string]*time.Location{}
)

// loadLocation caches time zones; the embedded tz database makes the result
// the same on every machine, which the workflow's determinism needs.
func loadLocation(name string) (*time.Location, error) {
	locMu.Lock()
	defer locMu.Unlock()
	if l, ok := locs[name]; ok {
		return l, nil
	}
	l, err := time.LoadLocation(name)
	if err == nil {
		locs[name] = l
	}
	return l, err
}

// nextReport is when the implementation report after one given (or the
// decision) at anchor is due: one ImplementationCycle later or, counted in
// months, at the end of the first report period (periods of
// ImplementationCycleMonths counted from January) that ends at least one
// period after anchor. With quarterly reports, a report of 10 February is
// followed by one due on 1 July, one of 20 June by one due on 1 October.
func (r DeadlineRules) nextReport(anchor time.Time) time.Time {
	if r.ImplementationCycle > 0 {
		return r.after(anchor, r.ImplementationCycle)
	}
	n := r.ImplementationCycleMonths
	loc := r.location()
	earliest := anchor.In(loc).AddDate(0, n, 0)
	y, mo, _ := earliest.Date()
	// The period boundary at or after earliest: the first day of a month
	// m with (m-1) % n == 0.
	start := time.Date(y, mo-time.Month((int(mo)-1)%n), 1, 0, 0, 0, 0, loc)
	if start.Before(earliest) {
		start = start.AddDate(0, n, 0)
	}
	return start
}

// Quorum is how many signatures a motion of councillors of kind needs in a
// council of members current members: one for an inquiry (a single
// councillor may ask, § 24 Abs. 4 GemO BW), else members divided by
// QuorumDivisor (6 when unset), rounded up. A council without members
// gives 0, which Create refuses: no quorum is known.
func (r DeadlineRules) Quorum(kind Kind, members int) int {
	if kind == KindInquiry {
		return 1
	}
	d := r.QuorumDivisor
	if d <= 0 {
		d = 6
	}
	return (members + d - 1) / d
}

// closePeriod is ImplementationClose, or 14 days in rules that set a report
// cycle but no close period: the council office is not reminded the moment
// the last report arrives.
func (r DeadlineRules) closePeriod() Duration {
	if r.ImplementationClose > 0 {
		return r.ImplementationClose
	}
	return Duration(14 * 24 * time.Hour)
}
