package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// ImplementationReport is what the report on implementing the council's
// decisions (Beschlusskontrolle) shows; names are display names already.
type ImplementationReport struct {
	// Body is the name of the body ("Stadt Mannheim").
	Body string
	// Organization is the deciding organization the report is limited to;
	// "" for every organization.
	Organization string
	// Filters describe further limits in German ("Fraktion: SPD"), shown
	// under the title.
	Filters []string
	// Date is the day of the report; it is also the document's date.
	Date  time.Time
	Items []ImplementationItem
}

// ImplementationItem is one adopted motion in the report.
type ImplementationItem struct {
	Reference string
	Title     string
	// Sponsors are the originator and the co-sponsors.
	Sponsors []string
	// Organization decided the motion; DecidedAt is when.
	Organization        string
	DecidedAt           *time.Time
	Status              motion.Status
	LeadDepartment      string
	InvolvedDepartments []string
	Light               motion.Light
	NextReportDue       *time.Time
	Reports             int
	Points              []ImplementationPoint
}

// ImplementationPoint is one resolution point with the state of its
// implementation.
type ImplementationPoint struct {
	Point      int
	Text       string
	State      motion.PointState
	TargetDate *time.Time
	Reason     string
	LastNote   string
	LastNoteAt *time.Time
}

// ImplementationTitle is the report's title.
const ImplementationTitle = "Bericht zur Umsetzung von Beschlüssen (Beschlusskontrolle)"

// ImplementationPDF renders the report: title, body, organization and day
// of the report, then per motion its reference and title, sponsors, who
// decided it and when, the lead and involved departments, the traffic light
// in words (never colour alone), the next report deadline, and every
// resolution point with its state, target date, the reason why it cannot be
// carried out and the latest progress note. Dates are German in the
// council's time zone.
func ImplementationPDF(r ImplementationReport) (out []byte, err error) {
	defer rescue(&out, &err, "implementation report")
	p := listPaper(r.Date, r.Body, "Beschlusskontrolle", "Beschlusskontrolle", ImplementationTitle)
	org := r.Organization
	if org == "" {
		org = "alle Gremien"
	}
	p.field("Körperschaft", r.Body)
	p.field("Gremium", org)
	if !r.Date.IsZero() {
		p.field("Stand", germanDate(r.Date))
	}
	for _, f := range r.Filters {
		if label, value, ok := strings.Cut(f, ": "); ok {
			p.field(label, value)
		}
	}
	p.field("Anträge", fmt.Sprint(len(r.Items)))
	p.Ln(4)

	if len(r.Items) == 0 {
		p.SetFont("Helvetica", "", 10.5)
		p.MultiCell(p.textW, lineHeight, p.tr("Zurzeit wird kein Beschluss umgesetzt, der zu diesen Angaben passt."), "", "L", false)
	}
	for _, it := range r.Items {
		p.implementationItem(it)
	}
	return p.output("implementation report")
}

// implementationItem writes one motion of the report.
func (p *paper) implementationItem(it ImplementationItem) {
	p.keep(10 * lineHeight)
	y := p.GetY()
	p.SetDrawColor(150, 150, 150)
	p.Line(marginLeft, y, marginLeft+p.textW, y)
	p.Ln(2)
	head := strings.TrimSpace(it.Title)
	if it.Reference != "" {
		head = it.Reference + " – " + head
	}
	p.SetFont("Helvetica", "B", 11.5)
	p.MultiCell(p.textW, 6, p.tr(head), "", "L", false)
	p.Ln(1)
	p.field("Antragsteller", strings.Join(it.Sponsors, ", "))
	decided := it.Organization
	if it.DecidedAt != nil {
		decided = strings.TrimSpace(decided + " am " + germanDate(*it.DecidedAt))
	}
	p.field("Beschlossen", decided)
	p.field("Federführung", it.LeadDepartment)
	p.field("Beteiligt", strings.Join(it.InvolvedDepartments, ", "))
	light := it.Light.Label()
	if it.Status == motion.StatusClosed {
		light += " (abgeschlossen)"
	}
	p.field("Ampel", light)
	if it.NextReportDue != nil {
		p.field("Nächster Bericht", "fällig am "+germanDate(*it.NextReportDue))
	}
	p.field("Berichte", fmt.Sprint(it.Reports))
	p.Ln(1.5)

	if len(it.Points) == 0 {
		p.SetFont("Helvetica", "", 10)
		p.MultiCell(p.textW, lineHeight, p.tr("Für die Beschlusspunkte ist noch kein Stand erfasst."), "", "L", false)
	}
	for _, pt := range it.Points {
		p.keep(4 * lineHeight)
		p.SetLeftMargin(marginLeft + numberW)
		p.SetX(marginLeft + numberW)
		p.SetFont("Helvetica", "B", 10.5)
		p.SetX(marginLeft)
		p.CellFormat(numberW, lineHeight, fmt.Sprintf("%d.", pt.Point), "", 0, "L", false, 0, "")
		text := strings.TrimSpace(pt.Text)
		if text == "" {
			text = fmt.Sprintf("Beschlusspunkt %d", pt.Point)
		}
		p.SetFont("Helvetica", "", 10.5)
		p.MultiCell(p.textW-numberW, lineHeight, p.tr(text), "", "L", false)
		p.detail("Stand: ", pt.State.Label())
		if pt.TargetDate != nil {
			p.detail("Zieldatum: ", germanDate(*pt.TargetDate))
		}
		if reason := strings.TrimSpace(pt.Reason); reason != "" {
			p.detail("Begründung: ", reason)
		}
		// A point that cannot be carried out has its reason as its note too.
		if note := strings.TrimSpace(pt.LastNote); note != "" && note != strings.TrimSpace(pt.Reason) {
			label := "Letzte Notiz: "
			if pt.LastNoteAt != nil {
				label = "Letzte Notiz (" + germanDate(*pt.LastNoteAt) + "): "
			}
			p.detail(label, note)
		}
		p.SetLeftMargin(marginLeft)
		p.SetX(marginLeft)
		p.Ln(2)
	}
	p.Ln(3)
}

// listPaper starts the PDF of a list dated date (the Beschlusskontrolle,
// a Haushaltsantragsliste): the body's head with the subject, the footer
// "<footer> – Stand <date>" and the title.
func listPaper(date time.Time, body, subject, footer, title string) *paper {
	p := newPaper(date, date, meta{title: title, subject: subject, author: body})
	left := footer
	if !date.IsZero() {
		left += " – Stand " + germanDate(date)
	}
	p.footerAtMargin = true
	p.frame("", left)
	p.AddPage()

	var right []headLine
	if !date.IsZero() {
		right = append(right, headLine{text: "Stand " + germanDate(date)})
	}
	p.meetingHead(body, subject, right)
	p.SetFont("Helvetica", "B", 15)
	p.MultiCell(p.textW, 7, p.tr(title), "", "L", false)
	p.Ln(2)
	return p
}
