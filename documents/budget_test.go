package documents

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestBudgetPDF: the Haushaltsantragsliste names the cycle, its years and
// deadline, the totals per faction and overall, and per motion the
// reference, title, faction, the amounts per year in German Euro, the
// positions, the estimate and "nach Antragsschluss" for a late one; the
// same input gives the same bytes.
func TestBudgetPDF(t *testing.T) {
	day := time.Date(2020, 1, 31, 23, 30, 0, 0, time.UTC) // 1 February in Berlin
	deadline := time.Date(2019, 11, 30, 22, 59, 0, 0, time.UTC)
	est := int64(200000)
	r := BudgetReport{Body: "Stadt Mannheim", Cycle: "Haushalt 2020/2021", Years: []int{2020, 2021}, Deadline: &deadline, Date: day,
		Filters: []string{"Fraktion: SPD-Fraktion"},
		Items: []BudgetItem{
			{Reference: "A12/2020", Title: "Digitalisierung im Quadrat", Kind: "Haushaltsantrag", Faction: "SPD-Fraktion", Status: "Eingereicht",
				Years: []int64{225000, 0}, Total: 225000, Positions: 2, Product: "1.11 Innere Verwaltung", Estimate: &est},
			{Reference: "A13/2020", Title: "Bäder sparen", Kind: "Haushaltsantrag", Faction: "CDU-Fraktion", Status: "Eingereicht",
				Late: true, Years: []int64{-1500, -1500}, Total: -3000, Positions: 0.5},
		},
		Factions: []BudgetTotal{{Name: "CDU-Fraktion", Motions: 1, Years: []int64{-1500, -1500}, Total: -3000, Positions: 0.5},
			{Name: "SPD-Fraktion", Motions: 1, Years: []int64{225000, 0}, Total: 225000, Positions: 2}},
		Overall: BudgetTotal{Name: "Gesamt", Motions: 2, Years: []int64{223500, -1500}, Total: 222000, Positions: 2.5},
	}
	pdf, err := BudgetPDF(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF")
	}
	text := squash(strings.Join(pdftotext(t, pdf), " "))
	for _, want := range []string{"Haushaltsantragsliste – Haushalt 2020/2021", "Stadt Mannheim", "Haushaltsjahre 2020 und 2021",
		"Antragsschluss 30.11.2019 23:59 Uhr", "Stand 01.02.2020", "Fraktion SPD-Fraktion", "A12/2020 – Digitalisierung im Quadrat",
		"2020: 225.000 €; 2021: 0 €; Summe: 225.000 €", "Stellen: 2", "Produkt: 1.11 Innere Verwaltung", "Schätzung der Verwaltung: 200.000 €",
		"2020: -1.500 €; 2021: -1.500 €; Summe: -3.000 €", "nach Antragsschluss eingereicht", "Stellen: 0,5",
		"Gesamt 2 223.500 -1.500 222.000 2,5"} {
		if !strings.Contains(text, want) {
			t.Errorf("list lacks %q:\n%s", want, text)
		}
	}
	again, err := BudgetPDF(r)
	if err != nil || !bytes.Equal(pdf, again) {
		t.Errorf("the same list gives other bytes (err %v)", err)
	}
	empty, err := BudgetPDF(BudgetReport{Body: "Stadt Mannheim", Cycle: "Haushalt 2022", Years: []int{2022}, Date: day})
	if err != nil {
		t.Fatal(err)
	}
	if text := squash(strings.Join(pdftotext(t, empty), " ")); !strings.Contains(text, "kein Antrag vor") {
		t.Errorf("empty list:\n%s", text)
	}
}
