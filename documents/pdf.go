// Package documents renders the council's papers as PDF: a motion, and a
// meeting's invitation and minutes. Pure, domain in, bytes out. It imports
// nothing of ours but motion and meeting.
//
// Guarantees:
//
//   - The same input gives the same bytes: the document's creation and
//     modification dates come from the motion or meeting, never from the
//     clock, and the PDF's internal catalogs are sorted. An ETag of the
//     motion's (the meeting's) version therefore names one document.
//   - Text is set in the PDF core fonts (Helvetica), which need no font files,
//     in the code page Windows-1252: German letters (ä ö ü Ä Ö Ü ß), typographic
//     quotes („ “ ‚ ‘ » «), dashes (– —), € and the other characters of cp1252
//     render as written. A character outside cp1252 (e.g. Ł, π, emoji) is
//     written as "?"; control characters other than line breaks become spaces.
//     Nothing the user wrote can break the document.
//   - Dates are German (02.01.2006) in the council's time zone, motion.Berlin.
package documents

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/motionflow/motionflow/motion"
)

// Names resolves what a motion refers to by id into display names.
type Names struct {
	// Body is the name of the motion's body ("Stadt Mannheim – Gemeinderat");
	// empty: the body id is shown.
	Body string
	// Organizations maps organization ids (factions, departments, committees)
	// to their names; an id without a name is shown as it is.
	Organizations map[string]string
}

func (n Names) organization(id string) string {
	if s := n.Organizations[id]; s != "" {
		return s
	}
	return id
}

// Page geometry in millimetres (A4 portrait).
const (
	marginLeft   = 25.0
	marginRight  = 20.0
	marginTop    = 20.0
	marginBottom = 22.0
	lineHeight   = 5.2
)

// MotionPDF renders a motion in the layout of a council paper: the body, the
// kind, reference and date of submission, the originating factions and
// signatories, the title, the numbered resolution points (the questions of an
// inquiry), the Begründung, the attachments by name and the tags, with
// "Seite x von y" in the footer. A draft is marked "Entwurf" on every page.
func MotionPDF(m motion.Motion, names Names) (out []byte, err error) {
	defer rescue(&out, &err, "motion "+m.ID)
	created := m.CreatedAt
	if m.SubmittedAt != nil {
		created = *m.SubmittedAt
	}
	title := strings.TrimSpace(m.Title)
	p := newPaper(created, m.UpdatedAt, meta{
		title:   title,
		subject: m.Kind.Label() + " " + m.Reference,
		author:  names.organization(m.Faction),
	})
	pdf, tr, textW := p.Fpdf, p.tr, p.textW
	draft := m.Status == motion.StatusDraft

	mark := ""
	if draft {
		mark = "ENTWURF – nicht eingereicht"
	}
	left := m.Kind.Label()
	if m.Reference != "" {
		left += " " + m.Reference
	}
	if draft {
		left += " (Entwurf)"
	}
	p.frame(mark, left)
	pdf.AddPage()

	// Head: the body on the left, kind, reference and date on the right.
	body := names.Body
	if body == "" {
		body = m.BodyID
	}
	top := pdf.GetY()
	pdf.SetFont("Helvetica", "B", 12)
	pdf.MultiCell(textW*0.55, 6, tr(body), "", "L", false)
	leftBottom := pdf.GetY()
	pdf.SetXY(marginLeft+textW*0.55, top)
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(textW*0.45, 7, tr(m.Kind.Label()), "", 2, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	if m.Reference != "" {
		pdf.CellFormat(textW*0.45, 5, tr("Nr. "+m.Reference), "", 2, "R", false, 0, "")
	}
	if m.SubmittedAt != nil {
		pdf.CellFormat(textW*0.45, 5, tr("Eingereicht am "+germanDate(*m.SubmittedAt)), "", 2, "R", false, 0, "")
	} else if draft {
		pdf.SetTextColor(180, 0, 0)
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(textW*0.45, 5, tr("Entwurf, nicht eingereicht"), "", 2, "R", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.SetTextColor(0, 0, 0)
		if !m.UpdatedAt.IsZero() {
			pdf.CellFormat(textW*0.45, 5, tr("Stand "+germanDate(m.UpdatedAt)), "", 2, "R", false, 0, "")
		}
	}
	pdf.SetXY(marginLeft, max(leftBottom, pdf.GetY())+3)
	y := pdf.GetY()
	pdf.SetDrawColor(0, 0, 0)
	pdf.Line(marginLeft, y, marginLeft+textW, y)
	pdf.Ln(4)

	// Who files it.
	field := p.field
	var factions []string
	for _, id := range append([]string{m.Faction}, m.Cosponsors...) {
		if id != "" {
			factions = append(factions, names.organization(id))
		}
	}
	label := "Antragsteller"
	if m.Kind == motion.KindInquiry {
		label = "Fragesteller"
	}
	field(label, strings.Join(factions, ", "))
	field("Unterzeichnet von", strings.Join(m.Signatories, ", "))
	field("Haushalt", m.BudgetCycle)
	field("Ändert", m.Amends)
	if m.AddressedDepartment != "" {
		field("An", names.organization(m.AddressedDepartment))
	}
	if m.Fundamental {
		field("Art", "Anfrage von grundsätzlicher Bedeutung")
	}
	pdf.Ln(4)

	// The title.
	pdf.SetFont("Helvetica", "B", 15)
	pdf.MultiCell(textW, 7, tr(title), "", "L", false)
	pdf.Ln(4)

	// The resolution points, or the questions.
	heading := p.heading
	if len(m.ResolutionPoints) > 0 {
		if m.Kind == motion.KindInquiry {
			heading("Wir fragen die Verwaltung:")
		} else {
			heading("Der Gemeinderat beschließt:")
		}
		const indent = 9.0
		for i, p := range m.ResolutionPoints {
			pdf.SetFont("Helvetica", "", 10.5)
			pdf.SetX(marginLeft)
			pdf.CellFormat(indent, lineHeight, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
			pdf.SetLeftMargin(marginLeft + indent)
			pdf.MultiCell(textW-indent, lineHeight, tr(strings.TrimSpace(p)), "", "L", false)
			pdf.SetLeftMargin(marginLeft)
			pdf.SetX(marginLeft)
			pdf.Ln(2)
		}
		pdf.Ln(2)
	}

	if j := strings.TrimSpace(m.Justification); j != "" {
		heading("Begründung")
		pdf.SetFont("Helvetica", "", 10.5)
		for _, para := range paragraphs(j) {
			pdf.MultiCell(textW, lineHeight, tr(para), "", "L", false)
			pdf.Ln(2)
		}
		pdf.Ln(2)
	}

	if len(m.Attachments) > 0 {
		heading("Anlagen")
		pdf.SetFont("Helvetica", "", 10.5)
		for i, a := range m.Attachments {
			pdf.MultiCell(textW, lineHeight, tr(fmt.Sprintf("%d. %s", i+1, a.Name)), "", "L", false)
		}
		pdf.Ln(3)
	}

	if len(m.Tags) > 0 {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(25, lineHeight, tr("Schlagworte:"), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(textW-25, lineHeight, tr(strings.Join(m.Tags, ", ")), "", "L", false)
	}

	return p.output("motion " + m.ID)
}

// paper is an A4 portrait document set up the way every paper of the council
// is: core fonts in cp1252 through tr, the margins above, page breaks, and
// "{nb}" as the number of pages. textW is the width between the margins.
type paper struct {
	*fpdf.Fpdf
	tr    func(string) string
	textW float64
	// footerAtMargin sets the footer at the page's left margin even when a
	// page breaks while the text is indented (the meeting's documents);
	// MotionPDF's footer follows the indentation, as its bytes always have.
	footerAtMargin bool
}

// meta is what a document's properties say about it.
type meta struct{ title, subject, author string }

// newPaper starts a document whose creation and modification dates are
// created and modified (from the domain, never the clock, so that the same
// input gives the same bytes): a zero modified is created, a zero created
// is a fixed date.
func newPaper(created, modified time.Time, md meta) *paper {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	if modified.IsZero() {
		modified = created
	}
	if created.IsZero() {
		// No time in the input: a fixed one rather than the clock.
		created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		modified = created
	}
	pdf.SetCreationDate(created.In(time.UTC))
	pdf.SetModificationDate(modified.In(time.UTC))
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(true, marginBottom)
	pdf.AliasNbPages("{nb}")

	cp := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetTitle(clean(md.title), true)
	pdf.SetSubject(clean(md.subject), true)
	pdf.SetAuthor(clean(md.author), true)
	pdf.SetCreator("motionflow", true)
	pdf.SetProducer("motionflow", true)
	pdf.SetLang("de-DE")

	pageW, _ := pdf.GetPageSize()
	return &paper{Fpdf: pdf, tr: translator(cp), textW: pageW - marginLeft - marginRight}
}

// frame sets what every page shows: mark (e.g. "ENTWURF – …"; empty: none)
// in red at the top right, and a footer line with left on the left and
// "Seite x von y" on the right. Call it before the first page.
func (p *paper) frame(mark, left string) {
	pdf, tr, textW := p.Fpdf, p.tr, p.textW
	pdf.SetHeaderFunc(func() {
		if mark != "" {
			pdf.SetFont("Helvetica", "B", 9)
			pdf.SetTextColor(180, 0, 0)
			pdf.SetXY(marginLeft, 8)
			pdf.CellFormat(textW, 5, tr(mark), "", 0, "R", false, 0, "")
			pdf.SetTextColor(0, 0, 0)
			pdf.SetXY(marginLeft, marginTop)
		}
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		if p.footerAtMargin {
			pdf.SetX(marginLeft)
		}
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(textW/2, 5, tr(left), "T", 0, "L", false, 0, "")
		pdf.CellFormat(textW/2, 5, tr(fmt.Sprintf("Seite %d von {nb}", pdf.PageNo())), "T", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
}

// heading writes a section heading over the full width.
func (p *paper) heading(s string) {
	p.SetFont("Helvetica", "B", 11)
	p.MultiCell(p.textW, 6, p.tr(s), "", "L", false)
	p.Ln(1.5)
}

// field writes a label and its value in two columns; an empty value writes
// nothing.
func (p *paper) field(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	p.SetFont("Helvetica", "B", 10)
	p.CellFormat(38, lineHeight, p.tr(label), "", 0, "L", false, 0, "")
	p.SetFont("Helvetica", "", 10)
	p.MultiCell(p.textW-38, lineHeight, p.tr(value), "", "L", false)
}

// output finishes the document; what names it in the error.
func (p *paper) output(what string) ([]byte, error) {
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("documents: rendering %s: %w", what, err)
	}
	return buf.Bytes(), nil
}

// rescue, deferred, turns a panic of fpdf (it panics on some inputs, e.g.
// invalid UTF-8 in metadata, which clean removes) into an error: a document
// that cannot be made is an error, not a crash. what names the document.
func rescue(out *[]byte, err *error, what string) {
	if r := recover(); r != nil {
		*out, *err = nil, fmt.Errorf("documents: rendering %s: %v", what, r)
	}
}

// germanDate writes t as 02.01.2006 in the council's time zone.
func germanDate(t time.Time) string { return t.In(motion.Berlin).Format("02.01.2006") }

// paragraphs splits text at blank lines.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// clean makes s valid UTF-8 ("?" for invalid bytes) without control
// characters (spaces instead), for the document's metadata.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// translator wraps fpdf's cp1252 translator: a rune outside cp1252 becomes
// "?" (fpdf would write "."; invalid UTF-8 decodes to U+FFFD and becomes
// "?" too), and control
// characters other than a line break become a space.
func translator(cp func(string) string) func(string) string {
	known := map[rune]bool{}
	return func(s string) string {
		var b strings.Builder
		b.Grow(len(s))
		for _, r := range s {
			switch {
			case r == '\n':
				b.WriteByte('\n')
			case r == '\r':
			case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
				b.WriteByte(' ')
			case r < 0x80:
				b.WriteRune(r)
			default:
				ok, seen := known[r]
				if !seen {
					ok = cp(string(r)) != "."
					known[r] = ok
				}
				if ok {
					b.WriteRune(r)
				} else {
					b.WriteByte('?')
				}
			}
		}
		return cp(b.String())
	}
}

// OrganizationIDs lists the organizations a motion's document names (its
// factions and, for an inquiry, the department addressed), for Names.
func OrganizationIDs(m motion.Motion) []string {
	var ids []string
	for _, id := range append(append([]string{m.Faction}, m.Cosponsors...), m.AddressedDepartment) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// FileName is the document's file name: the reference number with "/"
// written as "-" ("A762-2019.pdf"), or the motion's id before it has one;
// only letters, digits, "-", "_" and "." are kept.
func FileName(m motion.Motion) string {
	name := m.Reference
	if name == "" {
		name = m.ID
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		case r == '/' || r == ' ':
			return '-'
		}
		return -1
	}, name)
	if name == "" {
		name = "antrag"
	}
	return name + ".pdf"
}
