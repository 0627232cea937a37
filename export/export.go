// Package export writes lists as spreadsheets for the council office: CSV
// (RFC 4180) and XLSX. The rows are built once, as strings, by MotionRows
// (or by a caller for other lists); each writer only encodes them, so that
// CSV and XLSX always hold the same table.
package export

import (
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// Media types of the exports.
const (
	CSVType  = "text/csv"
	XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// MaxRows bounds an export: it is not paged, so a request whose filters match
// more rows than this is refused and the caller asked to narrow the filters.
const MaxRows = 10000

// MotionHeader names the columns of the motion list, in German.
var MotionHeader = []string{
	"Aktenzeichen", "Titel", "Art", "Status", "Ergebnis", "Fraktion", "Mitantragsteller",
	"Eingereicht", "Entschieden", "Schlagworte", "Id",
}

// MotionRows is the motion list as a table: the header row, then one row
// per motion in the given order. Labels are German, dates are ISO 8601 days
// in the council's time zone (motion.Berlin), lists are joined with "; ".
func MotionRows(ms []motion.Motion) [][]string {
	rows := make([][]string, 0, len(ms)+1)
	rows = append(rows, MotionHeader)
	for _, m := range ms {
		outcome := ""
		if m.Outcome != nil {
			outcome = m.Outcome.Result.Label()
		}
		rows = append(rows, []string{
			m.Reference, m.Title, m.Kind.Label(), m.Status.Label(), outcome, m.Faction,
			strings.Join(m.Cosponsors, "; "), Date(m.SubmittedAt), Date(m.DecidedAt),
			strings.Join(m.Tags, "; "), m.ID,
		})
	}
	return rows
}

// Date is the day of t in Berlin as 2006-01-02, "" for nil.
func Date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(motion.Berlin).Format(time.DateOnly)
}

// DateTime is t in loc as 2006-01-02 15:04 (a spreadsheet reads it as a
// date and time), "" for the zero time.
func DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// Formula reports whether a spreadsheet would read the text as a formula
// (OWASP "CSV injection"): it starts with = + - @, a tab or a carriage return.
func Formula(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// bom is the UTF-8 byte order mark. RFC 4180 does not need it, but Excel
// reads a CSV without it in the local ANSI code page and garbles every
// umlaut ("Ã¼" for "ü"); with it, Excel, LibreOffice and most CSV readers
// take the file as UTF-8. Readers that do not expect it (Go's encoding/csv)
// see it as part of the first header name, so they must strip it.
const bom = "\uFEFF"

// WriteCSV writes rows as CSV: UTF-8 with a byte order mark (see bom), comma
// separated, CRLF line ends, quoted where RFC 4180 needs it. A cell that a
// spreadsheet would take as a formula gets a leading apostrophe.
func WriteCSV(w io.Writer, rows [][]string) error { return writeCSV(w, rows, nil) }

// Figures says which cells below the header row are figures (amounts,
// positions): a spreadsheet takes them as numbers, a negative one too, so
// they get neither the formula guard nor a text cell.
type Figures func(row []string, j int) bool

// writeCSV is WriteCSV with the figures the formula guard leaves alone.
func writeCSV(w io.Writer, rows [][]string, figure Figures) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := []string{}
	for i, row := range rows {
		rec = rec[:0]
		for j, c := range row {
			if Formula(c) && !(i > 0 && figure != nil && figure(row, j)) {
				c = "'" + c
			}
			rec = append(rec, c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
