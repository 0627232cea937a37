package motion

import (
	"strings"
	"unicode/utf8"
)

// LineLength is how many characters a numbered line holds at most. Line
// numbers are a function of the text and this length alone, so they are
// the same on the page, in the print view, in the PDF and in every
// amendment that refers to them; and since a motion's text cannot change
// after it is submitted, they never move.
const LineLength = 80

// Line is one numbered line of a motion's text.
type Line struct {
	// No counts the lines of the whole motion from 1: the resolution
	// points in order, then the Begründung.
	No int `json:"no"`
	// Point is the resolution point (from 1) the line belongs to, 0 for the
	// Begründung.
	Point int `json:"point"`
	// Text is what the line shows, without the blank it was broken at.
	Text string `json:"text"`
	// Start and End are the byte offsets of Text in its point's text.
	Start int `json:"-"`
	End   int `json:"-"`
	// ParagraphEnd marks the last line of a paragraph (a line feed in the
	// text follows it, or the point ends).
	ParagraphEnd bool `json:"paragraph_end,omitempty"`
}

// NumberLines numbers the lines of resolution points and a Begründung, as
// every surface shows them.
func NumberLines(points []string, justification string) []Line {
	var out []Line
	for i, p := range points {
		out = appendLines(out, i+1, p)
	}
	return appendLines(out, 0, justification)
}

// Lines numbers the lines of the motion's text (NumberLines).
func (c Content) Lines() []Line { return NumberLines(c.ResolutionPoints, c.Justification) }

// appendLines breaks text into lines of at most LineLength characters at
// blanks (a longer word stands on a line of its own) and appends them,
// numbered on from the last line of out.
func appendLines(out []Line, point int, text string) []Line {
	no := len(out)
	start := 0
	for _, para := range strings.SplitAfter(text, "\n") {
		end := start + len(strings.TrimSuffix(para, "\n"))
		first := len(out)
		for pos := start; pos < end; {
			for pos < end && (text[pos] == ' ' || text[pos] == '\t') {
				pos++
			}
			if pos >= end {
				break
			}
			cut, runes, lastBlank := pos, 0, -1
			for cut < end && runes < LineLength {
				r, size := utf8.DecodeRuneInString(text[cut:])
				if r == ' ' || r == '\t' {
					lastBlank = cut
				}
				cut += size
				runes++
			}
			if cut < end && text[cut] != ' ' && text[cut] != '\t' && lastBlank > pos {
				cut = lastBlank
			} else if cut < end && lastBlank <= pos {
				// One word longer than a line: it stands alone.
				for cut < end && text[cut] != ' ' && text[cut] != '\t' {
					cut++
				}
			}
			lineEnd := cut
			for lineEnd > pos && (text[lineEnd-1] == ' ' || text[lineEnd-1] == '\t') {
				lineEnd--
			}
			no++
			out = append(out, Line{No: no, Point: point, Text: text[pos:lineEnd], Start: pos, End: lineEnd})
			pos = cut
		}
		if len(out) > first {
			out[len(out)-1].ParagraphEnd = true
		}
		start += len(para)
	}
	return out
}
