package documents

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// InvitationPDF renders the invitation (Einladung) to a meeting of the
// organization org (its display name, e.g. "Gemeinderat"; empty: the name
// of m.OrganizationID in names): the kind of session (public, with a
// non-public part if the agenda has one), day, time and place in the
// council's time zone, and the agenda (Tagesordnung) in its public and
// non-public part, each item with its number, title, kind, reference,
// urgency and where it was postponed from. The invitation goes to the
// members, so non-public items appear with their titles; for the public,
// pass m.PublicView(). An invitation not yet published is marked "Entwurf"
// on every page; a cancelled meeting says so.
func InvitationPDF(m meeting.Meeting, org string, names Names) (out []byte, err error) {
	defer rescue(&out, &err, "invitation "+m.ID)
	org = orgDisplay(m, org, names)
	kind, part := sessionKind(m.Agenda)
	title := "Einladung zur " + kind + " des " + org + part
	created := m.UpdatedAt
	if m.InvitationPublishedAt != nil {
		created = *m.InvitationPublishedAt
	}
	p := newPaper(created, later(created, m.UpdatedAt), meta{
		title: title, subject: meetingSubject(m), author: bodyName(m, names),
	})
	draft := m.InvitationPublishedAt == nil
	mark, left := "", "Einladung – "+org
	if !m.Start.IsZero() {
		left += " – " + germanDate(m.Start)
	}
	if draft {
		mark = "ENTWURF – nicht veröffentlicht"
		left += " (Entwurf)"
	}
	p.footerAtMargin = true
	p.frame(mark, left)
	p.AddPage()

	var right []headLine
	if draft {
		right = append(right, headLine{text: "Entwurf, nicht veröffentlicht", red: true})
	} else {
		right = append(right, headLine{text: "vom " + germanDate(*m.InvitationPublishedAt)})
	}
	p.meetingHead(bodyName(m, names), "Einladung", right)
	p.meetingTitle(title, m)
	if m.Start.IsZero() {
		p.field("Termin", "noch nicht festgelegt")
	} else {
		p.field("Datum", longDate(m.Start))
		p.field("Beginn", clock(m.Start))
	}
	p.field("Ort", m.Location)
	p.cancelled(m, "Die Sitzung ist abgesagt.")
	p.Ln(4)

	p.SetFont("Helvetica", "B", 13)
	p.MultiCell(p.textW, 7, p.tr("Tagesordnung"), "", "L", false)
	p.Ln(2)
	p.parts(m.Agenda, func(it meeting.Item) {
		p.itemHead(it)
		p.itemKind(it)
	})
	return p.output("invitation " + m.ID)
}

// MinutesPDF renders the minutes (Niederschrift, as an Ergebnisprotokoll)
// of a meeting from what was recorded: day, place, the opening and closing
// of the session, attendance, and for every agenda item its result (or
// status), the tally (with the factions' and named votes), the shared vote
// of a Sammelabstimmung, the resolution text, where it was referred or
// that it was postponed, and the note; then the council office's notes and
// whether the minutes are approved ("Entwurf" on every page until they are).
// org and names are as for InvitationPDF. For publication pass
// m.PublicView(): its non-public items are "Nichtöffentlicher
// Tagesordnungspunkt" without results, and that is what is printed.
func MinutesPDF(m meeting.Meeting, org string, names Names) (out []byte, err error) {
	defer rescue(&out, &err, "minutes "+m.ID)
	org = orgDisplay(m, org, names)
	title := "Niederschrift über die Sitzung des " + org
	created := m.UpdatedAt
	for _, t := range []*time.Time{m.SessionOpenedAt, m.SessionClosedAt} {
		if t != nil {
			created = *t
		}
	}
	p := newPaper(created, later(created, m.UpdatedAt), meta{
		title: title, subject: meetingSubject(m), author: bodyName(m, names),
	})
	draft := m.MinutesApprovedAt == nil
	mark, left := "", "Niederschrift – "+org
	if !m.Start.IsZero() {
		left += " – " + germanDate(m.Start)
	}
	if draft {
		mark = "ENTWURF – nicht genehmigt"
		left += " (Entwurf)"
	}
	p.footerAtMargin = true
	p.frame(mark, left)
	p.AddPage()

	right := []headLine{{text: "Ergebnisprotokoll"}}
	if draft {
		right = append(right, headLine{text: "Entwurf, nicht genehmigt", red: true})
	} else {
		right = append(right, headLine{text: "genehmigt am " + germanDate(*m.MinutesApprovedAt)})
	}
	p.meetingHead(bodyName(m, names), "Niederschrift", right)
	p.meetingTitle(title, m)
	if !m.Start.IsZero() {
		p.field("Datum", longDate(m.Start))
	}
	p.field("Ort", m.Location)
	if m.SessionOpenedAt != nil {
		p.field("Beginn", sessionTime(*m.SessionOpenedAt, m.Start))
	}
	if m.SessionClosedAt != nil {
		p.field("Ende", sessionTime(*m.SessionClosedAt, m.Start))
	}
	p.cancelled(m, "Die Sitzung wurde abgesagt.")
	if len(m.Members) > 0 {
		p.Ln(2)
		members := "Mitgliedern"
		if len(m.Members) == 1 {
			members = "Mitglied"
		}
		p.field("Anwesend", fmt.Sprintf("%d von %d %s", len(m.Present), len(m.Members), members))
		p.field("", strings.Join(m.Present, ", "))
		var absent []string
		for _, name := range m.Members {
			if !slices.Contains(m.Present, name) {
				absent = append(absent, name)
			}
		}
		p.field("Abwesend", strings.Join(absent, ", "))
		if m.Quorate() {
			p.field("Beschlussfähig", "ja, mehr als die Hälfte der Mitglieder ist anwesend.")
		} else {
			p.field("Beschlussfähig", "nein, nicht mehr als die Hälfte der Mitglieder ist anwesend.")
		}
	}
	p.Ln(4)

	p.SetFont("Helvetica", "B", 13)
	p.MultiCell(p.textW, 7, p.tr("Tagesordnung und Ergebnisse"), "", "L", false)
	p.Ln(2)
	// The items of each Sammelabstimmung, by the id of its vote.
	enBloc := map[string][]string{}
	for _, it := range m.Agenda {
		if it.EnBloc != "" {
			enBloc[it.EnBloc] = append(enBloc[it.EnBloc], it.Number)
		}
	}
	p.parts(m.Agenda, func(it meeting.Item) {
		p.itemHead(it)
		p.itemKind(it)
		p.itemResult(it, enBloc[it.EnBloc], names)
	})

	if notes := paragraphs(m.MinutesNotes); len(notes) > 0 {
		p.Ln(2)
		p.heading("Anmerkungen der Geschäftsstelle")
		p.SetFont("Helvetica", "", 10.5)
		for _, para := range notes {
			p.MultiCell(p.textW, lineHeight, p.tr(para), "", "L", false)
			p.Ln(2)
		}
	}

	p.Ln(4)
	p.SetFont("Helvetica", "B", 10.5)
	if draft {
		p.SetTextColor(180, 0, 0)
		p.MultiCell(p.textW, lineHeight, p.tr("Entwurf: Die Niederschrift ist noch nicht genehmigt."), "", "L", false)
		p.SetTextColor(0, 0, 0)
	} else {
		p.MultiCell(p.textW, lineHeight, p.tr("Die Niederschrift wurde am "+germanDate(*m.MinutesApprovedAt)+" genehmigt."), "", "L", false)
	}
	if m.MinutesPublishedAt != nil {
		p.SetFont("Helvetica", "", 10.5)
		p.MultiCell(p.textW, lineHeight, p.tr("Veröffentlicht am "+germanDate(*m.MinutesPublishedAt)+"."), "", "L", false)
	}
	return p.output("minutes " + m.ID)
}

// MeetingOrganizationIDs lists the organizations a meeting's documents name
// (the meeting's organization, where items were referred, the factions of
// the tallies), for Names.
func MeetingOrganizationIDs(m meeting.Meeting) []string {
	var ids []string
	add := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	add(m.OrganizationID)
	for _, it := range m.Agenda {
		add(it.ReferredTo)
		if it.Vote != nil {
			for _, f := range it.Vote.ByFaction {
				add(f.OrganizationID)
			}
		}
	}
	return ids
}

// Indentation of the agenda in millimetres: the column of the item number,
// and how much further a sub-item (3.1) is set in.
const (
	numberW = 16.0
	subW    = 8.0
)

// headLine is one line under the document's kind at the top right.
type headLine struct {
	text string
	red  bool
}

// meetingHead writes the body on the left and the kind of document with
// the lines under it on the right, then a rule, as MotionPDF's head does.
func (p *paper) meetingHead(body, kind string, lines []headLine) {
	top := p.GetY()
	p.SetFont("Helvetica", "B", 12)
	p.MultiCell(p.textW*0.55, 6, p.tr(body), "", "L", false)
	leftBottom := p.GetY()
	p.SetXY(marginLeft+p.textW*0.55, top)
	p.SetFont("Helvetica", "B", 14)
	p.CellFormat(p.textW*0.45, 7, p.tr(kind), "", 2, "R", false, 0, "")
	for _, l := range lines {
		if l.red {
			p.SetFont("Helvetica", "B", 10)
			p.SetTextColor(180, 0, 0)
		} else {
			p.SetFont("Helvetica", "", 10)
		}
		p.CellFormat(p.textW*0.45, 5, p.tr(l.text), "", 2, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	}
	p.SetXY(marginLeft, max(leftBottom, p.GetY())+3)
	y := p.GetY()
	p.SetDrawColor(0, 0, 0)
	p.Line(marginLeft, y, marginLeft+p.textW, y)
	p.Ln(4)
}

// meetingTitle writes the document's title and the meeting's name.
func (p *paper) meetingTitle(title string, m meeting.Meeting) {
	p.SetFont("Helvetica", "B", 15)
	p.MultiCell(p.textW, 7, p.tr(title), "", "L", false)
	if name := strings.TrimSpace(m.Name); name != "" {
		p.SetFont("Helvetica", "", 11)
		p.MultiCell(p.textW, 6, p.tr(name), "", "L", false)
	}
	p.Ln(3)
}

// cancelled writes, for a cancelled meeting, the sentence and the reason.
func (p *paper) cancelled(m meeting.Meeting, sentence string) {
	if m.Status != meeting.StatusCancelled {
		return
	}
	p.Ln(2)
	p.SetFont("Helvetica", "B", 11)
	p.SetTextColor(180, 0, 0)
	p.MultiCell(p.textW, 6, p.tr(sentence), "", "L", false)
	p.SetTextColor(0, 0, 0)
	p.field("Grund", m.CancelReason)
}

// parts writes the public part and then the non-public part of the agenda
// (a part without items is left out), each item through item with the left
// margin set to the item's text column.
func (p *paper) parts(agenda []meeting.Item, item func(meeting.Item)) {
	for _, public := range []bool{true, false} {
		var items []meeting.Item
		for _, it := range agenda {
			if it.Public == public {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			continue
		}
		p.keep(7 * lineHeight) // the heading with its first item
		if public {
			p.heading("Öffentlicher Teil")
		} else {
			p.heading("Nichtöffentlicher Teil")
		}
		for _, it := range items {
			indent := numberW
			if it.Sub {
				indent += subW
			}
			p.keep(4 * lineHeight) // the item's title with its first lines
			p.SetLeftMargin(marginLeft + indent)
			p.SetX(marginLeft + indent)
			item(it)
			p.SetLeftMargin(marginLeft)
			p.SetX(marginLeft)
			p.Ln(3)
		}
		p.Ln(2)
	}
}

// keep starts a new page unless height fits on this one, so that a heading
// does not stand alone at the bottom of a page.
func (p *paper) keep(height float64) {
	_, pageH := p.GetPageSize()
	if p.GetY()+height > pageH-marginBottom {
		p.AddPage()
	}
}

// itemHead writes the item's number (TOP 3) in the number column and its
// title in bold, with "(dringlich)" for an urgent item.
func (p *paper) itemHead(it meeting.Item) {
	x := p.GetX()
	width := marginLeft + p.textW - x
	p.SetFont("Helvetica", "B", 10.5)
	p.SetX(x - numberW)
	p.CellFormat(numberW, lineHeight, p.tr(it.Number), "", 0, "L", false, 0, "")
	title := strings.TrimSpace(it.Title)
	if it.Urgent {
		title += " (dringlich)"
	}
	p.MultiCell(width, lineHeight, p.tr(title), "", "L", false)
}

// itemKind writes what the item is (its kind and reference), the reason of
// an urgent item and whether it was postponed from an earlier meeting.
func (p *paper) itemKind(it meeting.Item) {
	p.SetFont("Helvetica", "", 9.5)
	p.SetTextColor(70, 70, 70)
	kind := it.Kind.Label()
	if it.Reference != "" {
		kind += " " + it.Reference
	}
	if it.PostponedFrom != "" {
		kind += " – aus einer früheren Sitzung vertagt"
	}
	p.Write(lineHeight, p.tr(kind))
	p.Ln(lineHeight)
	p.SetTextColor(0, 0, 0)
	if it.Urgent {
		reason := strings.TrimSpace(it.UrgentReason)
		if reason == "" {
			reason = "ohne Angabe"
		}
		p.detail("Dringlichkeit: ", reason)
	}
}

// itemResult writes what was recorded on an item: the result (the item's
// status while there is none), the tally, the Sammelabstimmung it was part
// of (numbers: the items that shared the vote), the resolution text, where
// it was referred or postponed to, and the note.
func (p *paper) itemResult(it meeting.Item, numbers []string, names Names) {
	if it.Result != "" {
		p.detail("Ergebnis: ", it.Result.Label())
	} else {
		p.detail("Stand: ", it.Status.Label())
	}
	if it.EnBloc != "" {
		var others []string
		for _, n := range numbers {
			if n != it.Number {
				others = append(others, "TOP "+n)
			}
		}
		text := "gemeinsam abgestimmt"
		if len(others) > 0 {
			text += " mit " + joinAnd(others)
		}
		p.detail("Sammelabstimmung: ", text)
	}
	if v := it.Vote; v != nil {
		p.detail("Abstimmung: ", tally(*v))
		if len(v.ByFaction) > 0 {
			// The factions' shares, set in under the tally.
			left, _, _, _ := p.GetMargins()
			p.SetLeftMargin(left + 5)
			p.SetX(left + 5)
			for _, f := range v.ByFaction {
				p.detail(names.organization(f.OrganizationID)+": ",
					fmt.Sprintf("%d Ja, %d Nein, %s", f.Yes, f.No, count(f.Abstain, "Enthaltung", "Enthaltungen")))
			}
			p.SetLeftMargin(left)
			p.SetX(left)
		}
		if len(v.Named) > 0 {
			var named []string
			for _, n := range v.Named {
				named = append(named, strings.TrimSpace(n.Name)+": "+motion.VoteLabel(n.Vote))
			}
			p.detail("Namentliche Abstimmung: ", strings.Join(named, "; "))
		}
	}
	if it.ReferredTo != "" {
		p.detail("Verwiesen an: ", names.organization(it.ReferredTo))
	}
	if it.Status == meeting.ItemPostponed || it.PostponedTo != "" {
		if it.PostponedTo != "" {
			p.detail("Vertagt: ", "auf eine spätere Sitzung.")
		} else {
			p.detail("Vertagt: ", "ein neuer Termin steht noch nicht fest.")
		}
	}
	if paras := paragraphs(it.ResolutionText); len(paras) > 0 {
		p.Ln(1)
		p.SetFont("Helvetica", "B", 10)
		p.Write(lineHeight, p.tr("Beschluss:"))
		p.Ln(lineHeight)
		p.SetFont("Helvetica", "", 10)
		for _, para := range paras {
			p.Write(lineHeight, p.tr(para))
			p.Ln(lineHeight + 1)
		}
	}
	if note := strings.TrimSpace(it.Note); note != "" {
		p.detail("Bemerkung: ", note)
	}
}

// detail writes a bold label and its value as running text, wrapped at the
// current left margin.
func (p *paper) detail(label, value string) {
	p.SetFont("Helvetica", "B", 10)
	p.Write(lineHeight, p.tr(label))
	p.SetFont("Helvetica", "", 10)
	p.Write(lineHeight, p.tr(value))
	p.Ln(lineHeight)
}

// tally writes a vote in German: "einstimmig: 12 Ja-Stimmen, 0 Nein-Stimmen,
// 1 Enthaltung", with the absent members when counted.
func tally(v motion.Vote) string {
	parts := []string{
		count(v.Yes, "Ja-Stimme", "Ja-Stimmen"),
		count(v.No, "Nein-Stimme", "Nein-Stimmen"),
		count(v.Abstain, "Enthaltung", "Enthaltungen"),
	}
	if v.Absent != nil {
		parts = append(parts, fmt.Sprintf("%d abwesend", *v.Absent))
	}
	s := strings.Join(parts, ", ")
	if v.Unanimous {
		if v.Yes == 0 && v.No == 0 && v.Abstain == 0 {
			return "einstimmig"
		}
		return "einstimmig: " + s
	}
	return s
}

// count writes n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// joinAnd joins "TOP 4", "TOP 5", "TOP 6" as "TOP 4, TOP 5 und TOP 6".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " und " + s[len(s)-1]
}

// sessionKind is the kind of session by the agenda: "öffentlichen
// Sitzung", "nichtöffentlichen Sitzung", or "öffentlichen Sitzung" with the
// part " mit nichtöffentlichem Teil" to follow the organization's name.
func sessionKind(agenda []meeting.Item) (kind, part string) {
	public, closed := false, false
	for _, it := range agenda {
		if it.Public {
			public = true
		} else {
			closed = true
		}
	}
	switch {
	case closed && !public:
		return "nichtöffentlichen Sitzung", ""
	case closed:
		return "öffentlichen Sitzung", " mit nichtöffentlichem Teil"
	}
	return "öffentlichen Sitzung", ""
}

// orgDisplay is the organization's name: org, else its name in names, else
// its id, else "Gremiums".
func orgDisplay(m meeting.Meeting, org string, names Names) string {
	if org = strings.TrimSpace(org); org != "" {
		return org
	}
	if org = names.organization(m.OrganizationID); org != "" {
		return org
	}
	return "Gremiums"
}

// bodyName is the body's name from names, else its id.
func bodyName(m meeting.Meeting, names Names) string {
	if names.Body != "" {
		return names.Body
	}
	return m.BodyID
}

// meetingSubject is the meeting's name and day, for the document's properties.
func meetingSubject(m meeting.Meeting) string {
	s := m.Name
	if !m.Start.IsZero() {
		s = strings.TrimSpace(s + " " + germanDate(m.Start))
	}
	return s
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

var (
	weekdays = [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	months   = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
		"August", "September", "Oktober", "November", "Dezember"}
)

// longDate writes t as "Dienstag, 12. Oktober 2027" in the council's time zone.
func longDate(t time.Time) string {
	t = t.In(motion.Berlin)
	return fmt.Sprintf("%s, %d. %s %d", weekdays[t.Weekday()], t.Day(), months[t.Month()-1], t.Year())
}

// clock writes t as "16:00 Uhr" in the council's time zone.
func clock(t time.Time) string { return t.In(motion.Berlin).Format("15:04") + " Uhr" }

// sessionTime writes t as a time of day, with the date when it is not the
// meeting's day (a session that went past midnight).
func sessionTime(t, start time.Time) string {
	if start.IsZero() || germanDate(t) != germanDate(start) {
		return germanDate(t) + ", " + clock(t)
	}
	return clock(t)
}
