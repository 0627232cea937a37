package export

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/xuri/excelize/v2"
)

func TestWriters(t *testing.T) {
	sub := time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC) // 3 March in Berlin
	rows := MotionRows([]motion.Motion{
		{ID: "a", Kind: motion.KindMotion, Status: motion.StatusSubmitted, Content: motion.Content{Title: "=HYPERLINK(\"x\")", Tags: []string{"Straße", "Grün"}}, Faction: "spd", SubmittedAt: &sub},
		{ID: "b", Kind: motion.KindInquiry, Status: motion.StatusDraft, Content: motion.Content{Title: "Größere Bänke, \"bitte\"\nzweite Zeile"}, Faction: "cdu"},
	})
	if got := rows[1][7]; got != "2026-03-03" {
		t.Errorf("Eingereicht %q, want 2026-03-03 (Berlin)", got)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), bom) || !strings.Contains(b.String(), "\r\n") {
		t.Fatalf("no BOM or CRLF: %q", b.String())
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), bom))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{rows[0], append([]string(nil), rows[1]...), rows[2]}
	want[1][1] = "'" + want[1][1]
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CSV\n%q\nwant\n%q", got, want)
	}

	b.Reset()
	if err := WriteXLSX(&b, "Anträge", rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xr, err := f.GetRows("Anträge")
	if err != nil {
		t.Fatal(err)
	}
	// GetRows drops empty trailing cells; pad to compare.
	for i := range xr {
		for len(xr[i]) < len(rows[i]) {
			xr[i] = append(xr[i], "")
		}
	}
	if !reflect.DeepEqual(xr, rows) {
		t.Errorf("XLSX\n%q\nwant\n%q", xr, rows)
	}
	if fm, err := f.GetCellFormula("Anträge", "B2"); err != nil || fm != "" {
		t.Errorf("B2 is a formula %q (%v)", fm, err)
	}
}

// Counts are number cells a spreadsheet sums; what only looks like one (a
// leading zero, a reference number, the header) stays text.
func TestXLSXCountsAreNumbers(t *testing.T) {
	rows := [][]string{{"TOP", "Ja", "Aktenzeichen", "PLZ"}, {"1.1", "30", "A12/2026", "06108"}, {"2", "0", "", "68159"}}
	var b bytes.Buffer
	if err := WriteXLSX(&b, "Abstimmungen", rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]excelize.CellType{
		"B1": excelize.CellTypeSharedString, "A2": excelize.CellTypeSharedString, "B2": excelize.CellTypeNumber,
		"C2": excelize.CellTypeSharedString, "D2": excelize.CellTypeSharedString, "A3": excelize.CellTypeNumber, "B3": excelize.CellTypeNumber,
	} {
		got, err := f.GetCellType("Abstimmungen", cell)
		// A number cell may carry no type at all: that is a number too.
		same := got == want || (want == excelize.CellTypeSharedString && got == excelize.CellTypeInlineString) ||
			(want == excelize.CellTypeNumber && got == excelize.CellTypeUnset)
		if err != nil || !same {
			t.Errorf("%s is of type %v, want %v (%v)", cell, got, want, err)
		}
	}
	if err := f.SetCellFormula("Abstimmungen", "E1", "SUM(B2:B3)"); err != nil {
		t.Fatal(err)
	}
	if v, err := f.CalcCellValue("Abstimmungen", "E1"); err != nil || v != "30" {
		t.Errorf("SUM of the yes column = %q (%v), want 30", v, err)
	}
}
