// Package meeting is the domain of a meeting (Sitzung) as a process of its
// own: its agenda, the invitation that freezes and publishes it, the session
// with attendance and the results of each item, and the minutes. It is pure:
// no I/O and no clock; the MeetingWorkflow owns one Meeting and tells the
// motions what happened to them.
//
//	planned ──publish invitation──▶ convened ──open session──▶ in_session
//	   │                               │                          │ close session
//	   └──────────cancel───────────────┴──▶ cancelled             ▼
//	                                   held ──approve minutes──▶ minutes_approved ──publish──▶ published
package meeting

import (
	"slices"
	"strconv"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// Status is where a meeting stands.
type Status string

// The statuses of a meeting.
const (
	StatusPlanned         Status = "planned"
	StatusConvened        Status = "convened"
	StatusInSession       Status = "in_session"
	StatusHeld            Status = "held"
	StatusMinutesApproved Status = "minutes_approved"
	StatusPublished       Status = "published"
	StatusCancelled       Status = "cancelled"
)

// Statuses lists every status in the order of the process.
var Statuses = []Status{StatusPlanned, StatusConvened, StatusInSession, StatusHeld,
	StatusMinutesApproved, StatusPublished, StatusCancelled}

// Label is the status in German, as the pages show it.
func (s Status) Label() string {
	switch s {
	case StatusPlanned:
		return "geplant"
	case StatusConvened:
		return "einberufen"
	case StatusInSession:
		return "Sitzung läuft"
	case StatusHeld:
		return "beendet"
	case StatusMinutesApproved:
		return "Niederschrift genehmigt"
	case StatusPublished:
		return "veröffentlicht"
	case StatusCancelled:
		return "abgesagt"
	}
	return string(s)
}

// AgendaPublished reports whether the agenda of a meeting in status s has
// been published with the invitation (§ 34 GemO BW counts from then).
func (s Status) AgendaPublished() bool {
	return s != StatusPlanned && s != StatusCancelled && s != ""
}

// ItemKind says what an agenda item (TOP) deals with.
type ItemKind string

// The kinds of agenda item.
const (
	// ItemMotion is one consultation of a motion.
	ItemMotion ItemKind = "motion"
	// ItemPaper is a paper of the administration (Vorlage).
	ItemPaper ItemKind = "paper"
	// ItemReport is a report (Bericht), e.g. of the mayor or a department.
	ItemReport ItemKind = "report"
	// ItemFree is anything else: questions of residents, announcements.
	ItemFree ItemKind = "free"
)

// Label is the kind in German.
func (k ItemKind) Label() string {
	switch k {
	case ItemMotion:
		return "Antrag"
	case ItemPaper:
		return "Vorlage der Verwaltung"
	case ItemReport:
		return "Bericht"
	case ItemFree:
		return "Sonstiges"
	}
	return string(k)
}

// ItemStatus is where one agenda item stands.
type ItemStatus string

// The statuses of an agenda item.
const (
	ItemOpen      ItemStatus = "open"
	ItemDecided   ItemStatus = "decided"
	ItemPostponed ItemStatus = "postponed"
	ItemWithdrawn ItemStatus = "withdrawn"
)

// Label is the item status in German.
func (s ItemStatus) Label() string {
	switch s {
	case ItemOpen:
		return "offen"
	case ItemDecided:
		return "behandelt"
	case ItemPostponed:
		return "vertagt"
	case ItemWithdrawn:
		return "zurückgezogen"
	}
	return string(s)
}

// Item is one agenda item (Tagesordnungspunkt).
type Item struct {
	// ID is stable for the life of the meeting ("t1", "t2", …); Number is
	// the printed TOP number and changes when the agenda is reordered.
	ID     string   `json:"id"`
	Number string   `json:"number"`
	Kind   ItemKind `json:"kind"`
	Title  string   `json:"title"`
	// Public items are dealt with in the public part; the others in the
	// non-public part, which the public never sees.
	Public bool `json:"public"`
	// Sub makes the item a sub-item of the main item before it (3.1, 3.2).
	Sub bool `json:"sub,omitempty"`
	// MotionID and ConsultationID name the motion's consultation an item of
	// kind motion deals with.
	MotionID       string `json:"motion_id,omitempty"`
	ConsultationID string `json:"consultation_id,omitempty"`
	// Reference is the paper's or motion's reference number as printed.
	Reference string `json:"reference,omitempty"`
	// Urgent marks an item added after the invitation, with the reason
	// (Dringlichkeit).
	Urgent       bool   `json:"urgent,omitempty"`
	UrgentReason string `json:"urgent_reason,omitempty"`
	// PostponedFrom names the meeting the item was postponed from.
	PostponedFrom string `json:"postponed_from,omitempty"`

	Status ItemStatus `json:"status"`
	// Result, Vote and ResolutionText are what was resolved on the item.
	Result         motion.Result `json:"result,omitempty"`
	Vote           *motion.Vote  `json:"vote,omitempty"`
	ResolutionText string        `json:"resolution_text,omitempty"`
	// ReferredTo is the organization a referred motion goes to.
	ReferredTo string `json:"referred_to,omitempty"`
	// PostponedTo names the meeting a postponed item moves to ("" when no
	// meeting is set yet).
	PostponedTo string `json:"postponed_to,omitempty"`
	// EnBloc groups items decided in one vote (Sammelabstimmung): the id of
	// the vote, the same on each of them.
	EnBloc     string     `json:"en_bloc,omitempty"`
	Note       string     `json:"note,omitempty"`
	RecordedAt *time.Time `json:"recorded_at,omitempty"`
}

// Meeting is the whole state of one meeting.
type Meeting struct {
	ID             string    `json:"id"`
	BodyID         string    `json:"body_id"`
	OrganizationID string    `json:"organization_id"`
	Name           string    `json:"name"`
	Location       string    `json:"location,omitempty"`
	Start          time.Time `json:"start"`
	Version        int64     `json:"version"`
	Status         Status    `json:"status"`
	Agenda         []Item    `json:"agenda"`
	// NextItem numbers item ids; ids stay stable when items move.
	NextItem int `json:"next_item,omitempty"`
	// Members are the organization's members when the session opened (by
	// name); Present those who attend. Quorum is more than half present.
	Members []string `json:"members,omitempty"`
	Present []string `json:"present,omitempty"`
	// Current is the item being dealt with in the session (live view).
	Current string `json:"current,omitempty"`
	// MinutesNotes are the council office's additions to the generated minutes.
	MinutesNotes string `json:"minutes_notes,omitempty"`
	// CancelReason says why the meeting was cancelled.
	CancelReason string `json:"cancel_reason,omitempty"`

	InvitationPublishedAt *time.Time `json:"invitation_published_at,omitempty"`
	SessionOpenedAt       *time.Time `json:"session_opened_at,omitempty"`
	SessionClosedAt       *time.Time `json:"session_closed_at,omitempty"`
	MinutesApprovedAt     *time.Time `json:"minutes_approved_at,omitempty"`
	MinutesPublishedAt    *time.Time `json:"minutes_published_at,omitempty"`
	UpdatedAt             time.Time  `json:"updated_at"`
}

// Item returns the agenda item with id, or nil.
func (m *Meeting) Item(id string) *Item {
	for i := range m.Agenda {
		if m.Agenda[i].ID == id {
			return &m.Agenda[i]
		}
	}
	return nil
}

// ItemFor returns the open or decided item of a motion's consultation, or nil.
func (m *Meeting) ItemFor(motionID, consultationID string) *Item {
	for i := range m.Agenda {
		it := &m.Agenda[i]
		if it.MotionID == motionID && it.ConsultationID == consultationID && it.Status != ItemPostponed {
			return it
		}
	}
	return nil
}

// Quorate reports whether more than half of the members are present (§ 37
// (2) GemO BW: beschlussfähig).
func (m *Meeting) Quorate() bool {
	return len(m.Members) > 0 && 2*len(m.Present) > len(m.Members)
}

// PublicItems returns the items of the public part, in agenda order.
func (m *Meeting) PublicItems() []Item {
	var out []Item
	for _, it := range m.Agenda {
		if it.Public {
			out = append(out, it)
		}
	}
	return out
}

// Clone returns a deep copy, so that a dry run leaves the original unchanged.
func (m Meeting) Clone() *Meeting {
	c := m
	c.Agenda = make([]Item, len(m.Agenda))
	for i, it := range m.Agenda {
		if it.Vote != nil {
			v := *it.Vote
			v.ByFaction = slices.Clone(v.ByFaction)
			v.Named = slices.Clone(v.Named)
			it.Vote = &v
		}
		c.Agenda[i] = it
	}
	c.Members = slices.Clone(m.Members)
	c.Present = slices.Clone(m.Present)
	return &c
}

// PublicView is the meeting as the public may see it: the non-public part
// keeps its items' numbers and nothing else, the attendance list and the
// minutes' notes only once the minutes are published.
func (m Meeting) PublicView() Meeting {
	c := *m.Clone()
	if m.Status != StatusPublished {
		c.MinutesNotes = ""
	}
	c.Agenda = c.Agenda[:0]
	for _, it := range m.Clone().Agenda {
		if !it.Public {
			it = Item{ID: it.ID, Number: it.Number, Kind: it.Kind, Title: "Nichtöffentlicher Tagesordnungspunkt",
				Public: false, Sub: it.Sub, Status: it.Status}
		}
		c.Agenda = append(c.Agenda, it)
	}
	return c
}

// Office reports whether a may run a meeting of body: the council office
// of that body. It sees the non-public part and the drafts of the minutes.
func Office(a motion.Actor, body string) bool {
	return !a.Anonymous() && a.Has(motion.RoleCouncilOffice) && a.InBody(body)
}

// DocumentPublic reports whether a document of the meeting is public: the
// invitation ("invitation") once the agenda is published, the minutes
// ("minutes") once published.
func (m Meeting) DocumentPublic(kind string) bool {
	switch kind {
	case "invitation":
		return m.InvitationPublishedAt != nil && m.Status != StatusCancelled
	case "minutes":
		return m.Status == StatusPublished
	}
	return false
}

// renumber gives every item its printed number: the public part 1, 2, …,
// the non-public part N1, N2, …; a sub-item the number of the main item
// before it with .1, .2, ….
func (m *Meeting) renumber() {
	for _, public := range []bool{true, false} {
		prefix := ""
		if !public {
			prefix = "N"
		}
		main, sub := 0, 0
		for i := range m.Agenda {
			it := &m.Agenda[i]
			if it.Public != public {
				continue
			}
			if it.Sub && main > 0 {
				sub++
				it.Number = prefix + strconv.Itoa(main) + "." + strconv.Itoa(sub)
				continue
			}
			main++
			sub = 0
			it.Number = prefix + strconv.Itoa(main)
		}
	}
}
