package motion

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// MaxChanges bounds the changes one amendment makes.
const MaxChanges = 50

// ChangeOp is what a change of an amendment does to the lines it names.
type ChangeOp string

// The changes an amendment can make to a passage.
const (
	// ChangeReplace replaces lines From to To by Text.
	ChangeReplace ChangeOp = "replace"
	// ChangeInsert inserts Text after line From.
	ChangeInsert ChangeOp = "insert"
	// ChangeDelete strikes lines From to To.
	ChangeDelete ChangeOp = "delete"
)

// Label is the German verb the pages show for a change.
func (o ChangeOp) Label() string {
	switch o {
	case ChangeReplace:
		return "ersetzen"
	case ChangeInsert:
		return "einfügen"
	case ChangeDelete:
		return "streichen"
	}
	return string(o)
}

// Change is one change an amendment (Änderungsantrag) makes to the
// resolution text of the motion it amends, by the line numbers that motion
// shows (NumberLines): a passage replaced, struck or added.
type Change struct {
	Op ChangeOp `json:"op"`
	// From and To are the first and the last line of the passage, both
	// included, within one resolution point; an insertion goes after line
	// From and has no To.
	From int `json:"from"`
	To   int `json:"to,omitempty"`
	// Text is the new passage (empty for a deletion).
	Text string `json:"text,omitempty"`
}

// last is the last line a change touches.
func (c Change) last() int {
	if c.Op == ChangeInsert || c.To < c.From {
		return c.From
	}
	return c.To
}

// fits reports whether a change names lines the text has, within one
// resolution point: a change checked against another text (the amended
// motion's before it was submitted) is left out rather than misapplied.
func (c Change) fits(lines []Line) bool {
	if c.From < 1 || c.last() > len(lines) || (c.Op != ChangeInsert && c.To < c.From) {
		return false
	}
	p := lines[c.From-1].Point
	return p > 0 && lines[c.last()-1].Point == p
}

// touches reports whether two changes touch the same passage: their lines
// overlap, or one inserts after a line the other changes or inserts after.
func (c Change) touches(o Change) bool {
	return c.From <= o.last() && o.From <= c.last()
}

// validateChanges checks an amendment's changes against the text it amends.
func (c Content) validateChanges(f *fields) {
	if len(c.Changes) == 0 {
		return
	}
	if len(c.AmendedPoints) == 0 {
		f.add("amends", "Der Antrag, dessen Zeilen geändert werden sollen, ist nicht bekannt oder nimmt keine Änderungsanträge an: geändert werden eingereichte Anträge, über die noch nicht entschieden ist. Bitte nennen Sie seine Id oder sein Aktenzeichen.")
		return
	}
	lines := NumberLines(c.AmendedPoints, "")
	var good []int // the changes found valid so far, by index
	for i, ch := range c.Changes {
		field := fieldIndex("changes", i)
		switch ch.Op {
		case ChangeReplace, ChangeDelete, ChangeInsert:
		default:
			f.add(field+".op", "Die %s Änderung ersetzt, fügt ein oder streicht; „%s“ gibt es nicht.", ordinal(i), ch.Op)
			continue
		}
		if ch.From < 1 {
			f.add(field+".from", "Bitte nennen Sie die Zeile, bei der die %s Änderung beginnt (1 bis %d).", ordinal(i), len(lines))
			continue
		}
		if ch.From > len(lines) {
			f.add(field+".from", "Die Zeile %d gibt es im geänderten Antrag nicht; seine Beschlusspunkte haben die Zeilen 1 bis %d.", ch.From, len(lines))
			continue
		}
		if ch.Op == ChangeInsert {
			if ch.To != 0 && ch.To != ch.From {
				f.add(field+".to", "Eine Einfügung steht nach einer Zeile; sie nennt keine letzte Zeile.")
			}
		} else if ch.To < ch.From || ch.To > len(lines) {
			f.add(field+".to", "Die letzte Zeile der %s Änderung muss zwischen %d und %d liegen.", ordinal(i), ch.From, len(lines))
			continue
		} else if lines[ch.From-1].Point != lines[ch.To-1].Point {
			f.add(field+".to", "Eine Änderung bleibt in einem Beschlusspunkt: Zeile %d gehört zum %s, Zeile %d zum %s Beschlusspunkt.",
				ch.From, ordinal(lines[ch.From-1].Point-1), ch.To, ordinal(lines[ch.To-1].Point-1))
			continue
		}
		if ch.Op == ChangeDelete && strings.TrimSpace(ch.Text) != "" {
			f.add(field+".text", "Eine Streichung hat keinen neuen Text.")
		}
		if ch.Op != ChangeDelete && strings.TrimSpace(ch.Text) == "" {
			f.add(field+".text", "Die %s Änderung braucht den neuen Text.", ordinal(i))
		}
		overlaps := false
		for _, j := range good {
			if ch.touches(c.Changes[j]) {
				f.add(field+".from", "Die %s Änderung betrifft dieselben Zeilen wie die %s; bitte fassen Sie sie zusammen.", ordinal(i), ordinal(j))
				overlaps = true
				break
			}
		}
		if !overlaps {
			good = append(good, i)
		}
	}
}

// DiffOp says whether a part of a diff stays, is added or is struck.
type DiffOp string

// The parts of a diff.
const (
	DiffEqual  DiffOp = "equal"
	DiffInsert DiffOp = "insert"
	DiffDelete DiffOp = "delete"
)

// DiffPart is a run of words that stays, is added or is struck.
type DiffPart struct {
	Op   DiffOp `json:"op"`
	Text string `json:"text"`
}

// DiffWords compares two passages word by word, as a reader compares them:
// a changed figure is one struck and one added word, not a changed digit.
func DiffWords(old, new string) []DiffPart {
	index := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, w := range splitWords(s) {
			r, ok := index[w]
			if !ok {
				// Private-use runes stand for words; a passage has far fewer.
				r = rune(0xF0000 + len(words))
				index[w] = r
				words = append(words, w)
			}
			out = append(out, r)
		}
		return out
	}
	a, b := encode(old), encode(new)
	dmp := diffmatchpatch.New()
	// No time limit: the same passages give the same diff on any machine
	// (the PDF's bytes depend on it); passages are short.
	dmp.DiffTimeout = 0
	var out []DiffPart
	for _, d := range dmp.DiffMainRunes(a, b, false) {
		var s strings.Builder
		for _, r := range d.Text {
			s.WriteString(words[r-0xF0000])
		}
		op := DiffEqual
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = DiffInsert
		case diffmatchpatch.DiffDelete:
			op = DiffDelete
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += s.String()
		} else {
			out = append(out, DiffPart{Op: op, Text: s.String()})
		}
	}
	return out
}

// splitWords cuts a text into words and the blanks between them, keeping
// every character.
func splitWords(s string) []string {
	var out []string
	start := 0
	blank := func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }
	for i, r := range s {
		if i > start && blank(r) != blank(rune(s[start])) {
			out = append(out, s[start:i])
			start = i
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// ChangeView is one change as the pages, the print view and the PDF show
// it: the lines it names, the passage they hold and the diff to the new
// text.
type ChangeView struct {
	Change
	// Point is the resolution point (from 1) of the change.
	Point int `json:"point"`
	// Old is the passage of the amended text the change replaces or strikes.
	Old   string     `json:"old,omitempty"`
	Parts []DiffPart `json:"diff"`
}

// Lines says which lines a change names, as the pages write it: "Zeile 3",
// "Zeilen 3–5", "nach Zeile 3".
func (v ChangeView) Lines() string {
	switch {
	case v.Op == ChangeInsert:
		return fmt.Sprintf("nach Zeile %d", v.From)
	case v.To > v.From:
		return fmt.Sprintf("Zeilen %d–%d", v.From, v.To)
	}
	return fmt.Sprintf("Zeile %d", v.From)
}

// ViewChanges shows an amendment's changes against the text it amends.
// Changes the text does not have lines for are left out.
func ViewChanges(points []string, changes []Change) []ChangeView {
	lines := NumberLines(points, "")
	var out []ChangeView
	for _, ch := range changes {
		if !ch.fits(lines) {
			continue
		}
		v := ChangeView{Change: ch, Point: lines[ch.From-1].Point}
		text := points[v.Point-1]
		if ch.Op != ChangeInsert {
			v.Old = text[lines[ch.From-1].Start:lines[ch.To-1].End]
		}
		v.Parts = DiffWords(v.Old, ch.Text)
		out = append(out, v)
	}
	return out
}

// AmendmentText is an adopted amendment as the merge takes it.
type AmendmentText struct {
	// Label names the amendment to readers: its reference or title.
	Label   string
	Changes []Change
}

// Conflict is an adopted amendment that could not be merged because it
// touches a passage an amendment merged before it already changed.
type Conflict struct {
	Amendment string `json:"amendment"`
	With      string `json:"with"`
	Point     int    `json:"point"`
	From      int    `json:"from"`
	To        int    `json:"to"`
}

// Lines says which lines a conflict concerns: "Zeile 3", "Zeilen 3–5".
func (c Conflict) Lines() string {
	if c.To > c.From {
		return fmt.Sprintf("Zeilen %d–%d", c.From, c.To)
	}
	return fmt.Sprintf("Zeile %d", c.From)
}

// Merged is the resolution text (Beschlusstext) of a motion with its
// adopted amendments.
type Merged struct {
	Points []string `json:"points"`
	// Applied names the amendments merged, in order.
	Applied []string `json:"applied,omitempty"`
	// Conflicts are the amendments left out, each with the one it collides with.
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// Merge applies adopted amendments to a motion's resolution points, in the
// order given (the order they were adopted in). An amendment that touches a
// passage an earlier one already changed is not merged at all but reported
// as a conflict: the council office must decide it, the text never holds
// half an amendment.
func Merge(points []string, adopted []AmendmentText) Merged {
	lines := NumberLines(points, "")
	type placed struct {
		Change
		by string
	}
	var taken []placed
	out := Merged{}
amendments:
	for _, a := range adopted {
		for _, ch := range a.Changes {
			if !ch.fits(lines) {
				continue
			}
			for _, t := range taken {
				if ch.touches(t.Change) {
					out.Conflicts = append(out.Conflicts, Conflict{Amendment: a.Label, With: t.by,
						Point: lines[ch.From-1].Point, From: ch.From, To: ch.last()})
					continue amendments
				}
			}
		}
		for _, ch := range a.Changes {
			if ch.fits(lines) {
				taken = append(taken, placed{ch, a.Label})
			}
		}
		out.Applied = append(out.Applied, a.Label)
	}
	// Apply from the end of the text to its start, so that the offsets of
	// the passages still to change stay valid.
	slices.SortFunc(taken, func(a, b placed) int { return b.From - a.From })
	out.Points = slices.Clone(points)
	for _, t := range taken {
		first, last := lines[t.From-1], lines[t.last()-1]
		p := out.Points[first.Point-1]
		switch t.Op {
		case ChangeInsert:
			p = p[:last.End] + " " + t.Text + p[last.End:]
		case ChangeReplace:
			p = p[:first.Start] + t.Text + p[last.End:]
		case ChangeDelete:
			p = strings.TrimRight(p[:first.Start], " \t") + joinBlank(p[:first.Start], p[last.End:]) + strings.TrimLeft(p[last.End:], " \t")
		}
		out.Points[first.Point-1] = strings.TrimSpace(p)
	}
	for i, p := range out.Points {
		// A struck paragraph leaves no empty line behind; a point struck
		// whole stays in its place, so that the others keep their numbers.
		for strings.Contains(p, "\n\n\n") {
			p = strings.ReplaceAll(p, "\n\n\n", "\n\n")
		}
		if p == "" && points[i] != "" {
			p = StruckPoint
		}
		out.Points[i] = p
	}
	return out
}

// StruckPoint stands in the resolution text for a point an adopted
// amendment struck whole: the points after it keep their numbers.
const StruckPoint = "(gestrichen)"

// joinBlank is the blank left between the text before a struck passage and
// the text after it: one, unless either side ends a line or is empty.
func joinBlank(before, after string) string {
	b, a := strings.TrimRight(before, " \t"), strings.TrimLeft(after, " \t")
	if b == "" || a == "" || strings.HasSuffix(b, "\n") || strings.HasPrefix(a, "\n") {
		return ""
	}
	return " "
}

// Adopted reports whether the motion (an amendment) was adopted: its
// outcome is an adoption.
func (m *Motion) Adopted() bool {
	if m.Outcome != nil {
		return m.Outcome.Result == ResultAdopted || m.Outcome.Result == ResultAdoptedAmended
	}
	return false
}

// ResolutionText is the motion's resolution text (Beschlusstext): its
// resolution points with its adopted amendments merged, in the order they
// were decided. Amendments of other motions are ignored.
func (m *Motion) ResolutionText(amendments []Motion) Merged {
	var adopted []*Motion
	for i := range amendments {
		a := &amendments[i]
		if a.Kind == KindAmendment && a.Adopted() && len(a.Changes) > 0 {
			adopted = append(adopted, a)
		}
	}
	// In the order they were decided: by the meeting, then (several
	// decided in one meeting share its start) by when each result was
	// entered, then by reference number.
	slices.SortStableFunc(adopted, func(a, b *Motion) int {
		if c := a.Outcome.DecidedAt.Compare(b.Outcome.DecidedAt); c != 0 {
			return c
		}
		if c := a.decisionRecorded().Compare(b.decisionRecorded()); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ReferenceYear, b.ReferenceYear); c != 0 {
			return c
		}
		return cmp.Compare(a.ReferenceSeq, b.ReferenceSeq)
	})
	texts := make([]AmendmentText, len(adopted))
	for i, a := range adopted {
		texts[i] = AmendmentText{Label: a.Label(), Changes: a.Changes}
	}
	return Merge(m.ResolutionPoints, texts)
}

// decisionRecorded is when the result that decided the motion was entered
// (its decisive consultation's record, or the outcome's decision time when
// it was recorded directly).
func (m *Motion) decisionRecorded() time.Time {
	if m.Outcome != nil {
		if k := m.Consultation(m.Outcome.ConsultationID); k != nil && k.Record != nil {
			return k.Record.RecordedAt
		}
		return m.Outcome.DecidedAt
	}
	return time.Time{}
}

// Amendable reports whether an amendment may be written against the
// motion: it is public, so its text and line numbers are final, it has
// resolution points (no inquiry, no amendment), and it is not yet decided,
// withdrawn or ended.
func (m *Motion) Amendable() bool {
	if !m.Public() || m.Kind == KindInquiry || m.Kind == KindAmendment {
		return false
	}
	switch m.Status {
	case StatusSubmitted, StatusRegistered, StatusInConsultation:
		return true
	}
	return false
}

// Label names a motion to readers in one line: its reference and title, or
// the title alone before it is registered.
func (m *Motion) Label() string {
	if m.Reference != "" {
		return m.Reference + " „" + m.Title + "“"
	}
	return "„" + m.Title + "“"
}
