package export

import (
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes rows as a workbook with one sheet of the given name
// (at most 31 characters, none of : \ / ? * [ ]): the first row bold and
// frozen, a count (a whole number without leading zeros, as the vote
// columns hold) a number cell that a spreadsheet can sum, every other cell a
// text cell. A text is never written as a formula, so a title starting with
// "=" stays text and needs no apostrophe here.
func WriteXLSX(w io.Writer, sheet string, rows [][]string) error {
	return writeXLSX(w, sheet, rows, nil, nil)
}

// writeXLSX is WriteXLSX with figures (see Figures) written as number cells
// and the rows bold marks (totals) set in bold like the header.
func writeXLSX(w io.Writer, sheet string, rows [][]string, figure Figures, bold func([]string) bool) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	boldStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if len(rows) > 0 && len(rows[0]) > 0 {
		if err := sw.SetColWidth(1, len(rows[0]), 18); err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	vals := []any{}
	for i, row := range rows {
		vals = vals[:0]
		for j, c := range row {
			if i > 0 && figure != nil && figure(row, j) {
				vals = append(vals, figureValue(c))
				continue
			}
			if n, ok := count(c); ok && i > 0 {
				vals = append(vals, n)
				continue
			}
			vals = append(vals, c) // a string is written as a string cell
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		var opts []excelize.RowOpts
		if i == 0 || (bold != nil && bold(row)) {
			opts = append(opts, excelize.RowOpts{StyleID: boldStyle})
		}
		if err := sw.SetRow(cell, vals, opts...); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// count reads a whole number of at most nine digits without sign or leading
// zeros ("0", "30"); reference numbers, dates and ids are none.
func count(s string) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// figureValue is a figure as a number: whole as an integer, with a decimal
// point as a float; what is no number stays text.
func figureValue(c string) any {
	if strings.Contains(c, ".") {
		if v, err := strconv.ParseFloat(c, 64); err == nil {
			return v
		}
	} else if v, err := strconv.ParseInt(c, 10, 64); err == nil {
		return v
	}
	return c
}
