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
	"hash/fnv"
	"slices"
	"strconv"
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
	// Amended names the motion an amendment amends to readers (its
	// motion.Motion.Label); empty: the amendment's Amends as written.
	Amended string
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
// inquiry) and the Begründung line by line with the motion's line numbers
// (motion.NumberLines) in the left margin, an amendment's changes as word
// diffs, a budget motion's financial effect and the administration's
// estimate, the amendments filed to the motion with their changes and
// results, the Beschlusstext with the adopted ones merged (and the conflicts
// left out), the attachments by name and the tags, with "Seite x von y" in the
// footer. A draft is marked "Entwurf" on every page.
//
// amendments are the motion's amendments (store.AmendmentsOf); only those
// submitted are printed (Filed): a council paper shows what was filed, and
// a draft amendment is its sponsors' alone.
func MotionPDF(m motion.Motion, names Names, amendments []motion.Motion) (out []byte, err error) {
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
	p.footerAtMargin = true
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

	// The resolution points, or the questions, and the Begründung, line by
	// line with the numbers every surface shows (motion.NumberLines).
	heading := p.heading
	lines := m.Content.Lines()
	if len(m.ResolutionPoints) > 0 {
		if m.Kind == motion.KindInquiry {
			heading("Wir fragen die Verwaltung:")
		} else {
			heading("Der Gemeinderat beschließt:")
		}
		for i := range m.ResolutionPoints {
			p.numbered(fmt.Sprintf("%d.", i+1), pointLines(lines, i+1))
			pdf.Ln(2)
		}
		pdf.Ln(2)
	}

	// An amendment: what it amends and its changes.
	if len(m.Changes) > 0 {
		amended := names.Amended
		if amended == "" {
			amended = strings.TrimSpace(m.Amends)
		}
		if amended != "" {
			heading("Änderungen an " + amended)
		} else {
			heading("Änderungen")
		}
		if len(m.AmendedPoints) == 0 {
			p.paragraph("Der Text des geänderten Antrags liegt nicht vor; die Änderungen beziehen sich auf seine Zeilennummern.")
		}
		p.changes(m.AmendedPoints, m.Changes)
		pdf.Ln(2)
	}

	if j := pointLines(lines, 0); len(j) > 0 {
		heading("Begründung")
		p.numbered("", j)
		pdf.Ln(2)
	}

	// A budget motion's financial effect, and the administration's estimate.
	if m.Budget != nil {
		p.room(25)
		heading("Finanzielle Auswirkungen")
		p.budget(m.Budget)
	}
	if st := estimate(m.Statements); st != nil {
		by := "Schätzung der Verwaltung"
		if st.Department != "" {
			by += " (" + names.organization(st.Department) + ")"
		}
		if !st.At.IsZero() {
			by += " vom " + germanDate(st.At)
		}
		p.room(25)
		heading(by)
		p.budget(st.Estimate)
	}

	// The amendments filed to the motion, and its resolution text with the
	// adopted ones merged.
	filed := Filed(amendments)
	if len(filed) > 0 {
		p.room(30)
		heading("Änderungsanträge")
		for _, a := range filed {
			p.amendment(m, a, names)
		}
		pdf.Ln(1)
	}
	merged := m.ResolutionText(filed)
	if stage := StageOf(&m); stage != TextNone && (len(merged.Applied) > 0 || len(merged.Conflicts) > 0) {
		p.room(25)
		if stage == TextResolved {
			heading("Beschlusstext (mit den angenommenen Änderungsanträgen)")
		} else {
			heading("Antragstext in der geänderten Fassung (angenommene Änderungsanträge eingearbeitet)")
		}
		pdf.SetFont("Helvetica", "", textSize)
		for i, point := range merged.Points {
			p.point(fmt.Sprintf("%d.", i+1), point)
		}
		if len(merged.Applied) > 0 {
			p.note("Eingearbeitet: " + strings.Join(merged.Applied, "; ") + ".")
		}
		for _, c := range merged.Conflicts {
			p.note("Konflikt: " + ConflictNote(c))
		}
		pdf.Ln(3)
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
	// page breaks while the text is indented; without it the footer
	// follows the indentation (every document sets it).
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
// factions, for an inquiry the department addressed, the department of the
// administration's estimate, and the factions of the amendments given), for
// Names.
func OrganizationIDs(m motion.Motion, amendments ...motion.Motion) []string {
	all := append(append([]string{m.Faction}, m.Cosponsors...), m.AddressedDepartment)
	if st := estimate(m.Statements); st != nil {
		all = append(all, st.Department)
	}
	for _, a := range amendments {
		all = append(all, a.Faction)
	}
	var ids []string
	for _, id := range all {
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

// The numbered text: the line numbers stand right-aligned in a column in the
// left margin, the text in textSize, the points' labels ("1.") in a column
// of pointIndent.
const (
	textSize    = 10.0
	numberSize  = 7.5
	lineNoW     = 11.0
	numberX     = marginLeft - lineNoW - 3
	pointIndent = 7.0
	// minTextSize fits 80 of the widest characters of Helvetica (1000
	// units: — … Æ) in the text width.
	minTextSize = 5.5
)

// pointLines are the lines of resolution point point (from 1), or of the
// Begründung for 0.
func pointLines(lines []motion.Line, point int) []motion.Line {
	var out []motion.Line
	for _, l := range lines {
		if l.Point == point {
			out = append(out, l)
		}
	}
	return out
}

// numbered writes lines one to a printed line, each with its number in the
// margin, the first after label (a point's "1."; empty: no label column).
// A line wider than the text (capitals, long words) is set smaller so that
// it still fills one printed line and the numbers stay those of the web
// page; only a single word longer than a line at the smallest size wraps.
func (p *paper) numbered(label string, lines []motion.Line) {
	indent := 0.0
	if label != "" {
		indent = pointIndent
	}
	w := p.textW - indent
	room := w - 2.2 // the cell's own padding, both sides
	for i, l := range lines {
		text := p.tr(l.Text)
		size := textSize
		p.SetFont("Helvetica", "", size)
		if sw := p.GetStringWidth(text); sw > room {
			size = max(minTextSize, size*room/sw)
		}
		p.SetX(numberX)
		p.SetFont("Helvetica", "", numberSize)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(lineNoW, lineHeight, strconv.Itoa(l.No), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
		p.SetX(marginLeft)
		if indent > 0 {
			p.SetFont("Helvetica", "", textSize)
			if i == 0 {
				p.CellFormat(indent, lineHeight, p.tr(label), "", 0, "L", false, 0, "")
			}
			p.SetX(marginLeft + indent)
		}
		p.SetFont("Helvetica", "", size)
		if p.GetStringWidth(text) > room {
			p.SetLeftMargin(marginLeft + indent)
			p.MultiCell(w, lineHeight, text, "", "L", false)
			p.SetLeftMargin(marginLeft)
			p.SetX(marginLeft)
		} else {
			p.CellFormat(w, lineHeight, text, "", 1, "L", false, 0, "")
		}
		if l.ParagraphEnd && i < len(lines)-1 {
			p.Ln(1.5)
		}
	}
}

// point writes a numbered point without line numbers (the Beschlusstext,
// whose lines are no longer those of the motion).
func (p *paper) point(label, text string) {
	p.SetFont("Helvetica", "", textSize)
	p.SetX(marginLeft)
	p.CellFormat(pointIndent, lineHeight, p.tr(label), "", 0, "L", false, 0, "")
	p.SetLeftMargin(marginLeft + pointIndent)
	p.MultiCell(p.textW-pointIndent, lineHeight, p.tr(strings.TrimSpace(text)), "", "L", false)
	p.SetLeftMargin(marginLeft)
	p.SetX(marginLeft)
	p.Ln(1.5)
}

// room starts a new page unless h millimetres are left on this one, so that
// a heading or a label stays with what follows it.
func (p *paper) room(h float64) {
	_, pageH := p.GetPageSize()
	if p.GetY()+h > pageH-marginBottom {
		p.AddPage()
	}
}

// paragraph writes text over the full width.
func (p *paper) paragraph(text string) {
	p.SetFont("Helvetica", "", textSize)
	p.SetX(marginLeft)
	p.MultiCell(p.textW, lineHeight, p.tr(text), "", "L", false)
}

// note writes a remark in italics over the full width.
func (p *paper) note(text string) {
	p.SetFont("Helvetica", "I", 9.5)
	p.SetX(marginLeft)
	p.MultiCell(p.textW, lineHeight, p.tr(text), "", "L", false)
	p.SetFont("Helvetica", "", textSize)
}

// TextStage is what a motion's text with its adopted amendments merged
// (motion.Motion.ResolutionText) is at the motion's stage.
type TextStage int

const (
	// TextNone: the merged text is not shown; the motion was rejected,
	// withdrawn or ended otherwise, so its text resolves nothing.
	TextNone TextStage = iota
	// TextAmended: the motion is not yet decided; the merged text is its
	// text as amended, what the council will vote on.
	TextAmended
	// TextResolved: the motion is adopted; the merged text is the
	// resolution text (Beschlusstext).
	TextResolved
)

// StageOf is the stage of m's merged text: the page, the print view and
// the PDF title it (or leave it out) by the same rule.
func StageOf(m *motion.Motion) TextStage {
	if m.Adopted() {
		return TextResolved
	}
	if m.Outcome == nil {
		switch m.Status {
		case motion.StatusSubmitted, motion.StatusRegistered, motion.StatusInConsultation:
			return TextAmended
		}
	}
	return TextNone
}

// ConflictNote says of an adopted amendment left out of the merged text
// which amendment it collides with, where: "A3/2026 „…“ berührt dieselbe
// Stelle wie A2/2026 „…“ (Zeile 4); nicht eingearbeitet." The page, the
// print view and the PDF write it so.
func ConflictNote(c motion.Conflict) string {
	return c.Amendment + " berührt dieselbe Stelle wie " + c.With + " (" + c.Lines() + "); nicht eingearbeitet."
}

// changes writes an amendment's changes against the resolution points they
// refer to: the lines each names and what it does, then the word diff. Without
// the points (not known), the new text of each change is shown as added.
func (p *paper) changes(points []string, changes []motion.Change) {
	views := motion.ViewChanges(points, changes)
	if len(points) == 0 {
		for _, ch := range changes {
			v := motion.ChangeView{Change: ch}
			if strings.TrimSpace(ch.Text) != "" {
				v.Parts = []motion.DiffPart{{Op: motion.DiffInsert, Text: ch.Text}}
			}
			views = append(views, v)
		}
	}
	for _, v := range views {
		where := v.Lines()
		if v.Point > 0 {
			where += fmt.Sprintf(" (Beschlusspunkt %d)", v.Point)
		}
		p.room(12)
		p.SetX(marginLeft + pointIndent)
		p.SetFont("Helvetica", "B", 9.5)
		p.CellFormat(p.textW-pointIndent, lineHeight, p.tr(where+": "+v.Op.Label()), "", 1, "L", false, 0, "")
		p.diff(v.Parts)
		p.Ln(1.5)
	}
}

// diff writes a word diff as running text, indented: struck words struck
// through in red and between "[-" and "-]", added words underlined in green
// and between "{+" and "+}", so that it reads without colour, in black and
// white print and as extracted text.
func (p *paper) diff(parts []motion.DiffPart) {
	p.SetLeftMargin(marginLeft + pointIndent)
	p.SetX(marginLeft + pointIndent)
	write := func(style, s string) {
		if s == "" {
			return
		}
		p.SetFont("Helvetica", style, textSize)
		p.Write(lineHeight, p.tr(strings.ReplaceAll(s, "\n", " ")))
	}
	for _, d := range parts {
		if d.Op == motion.DiffEqual {
			write("", d.Text)
			continue
		}
		core := strings.TrimSpace(d.Text)
		if core == "" {
			write("", d.Text)
			continue
		}
		i := strings.Index(d.Text, core)
		write("", d.Text[:i])
		if d.Op == motion.DiffDelete {
			p.SetTextColor(170, 0, 0)
			write("S", "[- "+core+" -]")
		} else {
			p.SetTextColor(0, 110, 0)
			write("U", "{+ "+core+" +}")
		}
		p.SetTextColor(0, 0, 0)
		write("", d.Text[i+len(core):])
	}
	p.Ln(lineHeight)
	p.SetLeftMargin(marginLeft)
	p.SetX(marginLeft)
	p.SetFont("Helvetica", "", textSize)
}

// amendment writes one amendment filed to m: its label, who filed it and
// when, where it stands and its result, and its changes.
func (p *paper) amendment(m motion.Motion, a motion.Motion, names Names) {
	p.room(22)
	p.SetX(marginLeft)
	p.SetFont("Helvetica", "B", textSize)
	p.MultiCell(p.textW, lineHeight, p.tr(a.Label()), "", "L", false)
	var facts []string
	if a.Faction != "" {
		facts = append(facts, "von "+names.organization(a.Faction))
	}
	if a.SubmittedAt != nil {
		facts = append(facts, "eingereicht am "+germanDate(*a.SubmittedAt))
	}
	facts = append(facts, "Stand: "+a.Status.Label())
	if a.Outcome != nil {
		r := "Ergebnis: " + a.Outcome.Result.Label()
		if !a.Outcome.DecidedAt.IsZero() {
			r += " am " + germanDate(a.Outcome.DecidedAt)
		}
		facts = append(facts, r)
	}
	p.SetFont("Helvetica", "", 9.5)
	p.MultiCell(p.textW, lineHeight, p.tr(strings.Join(facts, " · ")), "", "L", false)
	points := a.AmendedPoints
	if len(points) == 0 {
		points = m.ResolutionPoints
	}
	if len(a.Changes) == 0 {
		p.note("Der Änderungsantrag nennt keine Zeilen; sein Text steht im Änderungsantrag selbst.")
	}
	p.changes(points, a.Changes)
	p.Ln(2)
}

// budget writes a financial effect: its amounts as a table, the positions
// and the product.
func (p *paper) budget(b *motion.BudgetEffect) {
	if b == nil {
		return
	}
	if len(b.Items) > 0 {
		rows := make([][]string, len(b.Items))
		for i, it := range b.Items {
			rows[i] = []string{strconv.Itoa(it.Year), motion.FormatEuro(it.Amount) + " Euro", it.RhythmLabel(), it.Plan.Label(), it.Purpose}
		}
		p.table([]column{
			{"Jahr", 16, "L"}, {"Betrag", 34, "R"}, {"Art", 27, "L"}, {"Haushalt", 36, "L"}, {"Zweck", p.textW - 113, "L"},
		}, rows)
		p.Ln(1.5)
	}
	if b.Positions != 0 {
		p.field("Stellen", motion.FormatPositions(b.Positions))
	}
	p.field("Produkt", b.Product)
	p.Ln(3)
}

// estimate is the last statement of the administration that gives an
// estimate of the financial effect, or nil.
func estimate(statements []motion.Statement) *motion.Statement {
	for i := len(statements) - 1; i >= 0; i-- {
		if statements[i].Estimate != nil {
			return &statements[i]
		}
	}
	return nil
}

// column is one column of a table: its heading, width in millimetres and
// alignment ("L", "C", "R").
type column struct {
	head  string
	w     float64
	align string
}

// table writes a table over the columns' widths: a bold heading row, then
// rows of cells (untranslated text; a cell wraps within its column and the
// row grows), with thin rules. A row that does not fit on the page starts a
// new one and repeats the heading. Shared by the documents that show
// figures (the motion's financial effect, lists of budget motions).
func (p *paper) table(cols []column, rows [][]string) {
	const h = 4.6
	_, pageH := p.GetPageSize()
	p.SetDrawColor(150, 150, 150)
	p.SetLineWidth(0.2)
	head := func() {
		p.SetFont("Helvetica", "B", 9)
		p.SetFillColor(235, 235, 235)
		p.SetX(marginLeft)
		for _, c := range cols {
			p.CellFormat(c.w, h+1, p.tr(c.head), "1", 0, c.align, true, 0, "")
		}
		p.Ln(h + 1)
	}
	head()
	p.SetFont("Helvetica", "", 9)
	for _, r := range rows {
		cells := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			text := ""
			if i < len(r) {
				text = p.tr(r[i])
			}
			for _, l := range p.SplitLines([]byte(text), c.w) {
				cells[i] = append(cells[i], string(l))
			}
			n = max(n, len(cells[i]))
		}
		rowH := float64(n) * h
		if p.GetY()+rowH > pageH-marginBottom {
			p.AddPage()
			head()
			p.SetFont("Helvetica", "", 9)
		}
		x, y := marginLeft, p.GetY()
		for i, c := range cols {
			p.Rect(x, y, c.w, rowH, "D")
			for j, l := range cells[i] {
				p.SetXY(x, y+float64(j)*h)
				p.CellFormat(c.w, h, l, "", 0, c.align, false, 0, "")
			}
			x += c.w
		}
		p.SetXY(marginLeft, y+rowH)
	}
	p.SetDrawColor(0, 0, 0)
}

// Filed are the amendments a motion's document shows: those submitted, in
// the order given. A draft amendment is its sponsors' alone.
func Filed(amendments []motion.Motion) []motion.Motion {
	var out []motion.Motion
	for _, a := range amendments {
		if a.Public() {
			out = append(out, a)
		}
	}
	return out
}

// Tag is the entity tag of a motion's document: the motion's version
// (`"4"`), and when amendments are filed to it (Filed) or it is an
// amendment whose amended motion is named (amended, nil for none) a digest
// of their ids and versions as well (`"4-1a2b3c4d5e6f7a8b"`), since the
// document changes with them (the amendments printed, the amended motion's
// label in the heading) while the motion's version does not.
func Tag(m motion.Motion, amendments []motion.Motion, amended *motion.Motion) string {
	filed := Filed(amendments)
	if len(filed) == 0 && amended == nil {
		return `"` + strconv.FormatInt(m.Version, 10) + `"`
	}
	h := fnv.New64a()
	for _, a := range filed {
		fmt.Fprintf(h, "%s\x00%d\x00", a.ID, a.Version)
	}
	if amended != nil {
		fmt.Fprintf(h, "amends\x00%s\x00%d\x00", amended.ID, amended.Version)
	}
	return fmt.Sprintf(`"%d-%016x"`, m.Version, h.Sum64())
}

// Unchanged reports whether a request's If-None-Match names the document's
// entity tag (Tag), by the weak comparison of RFC 9110, 13.1.2: "*", or one
// of the listed tags, "W/" or not. Then the answer is 304.
func Unchanged(ifNoneMatch, tag string) bool {
	for e := range strings.SplitSeq(ifNoneMatch, ",") {
		e = strings.TrimSpace(e)
		if e == "*" || strings.TrimPrefix(e, "W/") == tag {
			return true
		}
	}
	return false
}
