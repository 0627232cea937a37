package documents

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// TestImplementationPDF: the Beschlusskontrolle report names the body, the
// organization and the day, and per motion the reference, title, sponsors,
// lead department and the light in words, with every point's state, target
// date, the reason a point cannot be carried out and the latest note; the
// same input gives the same bytes.
func TestImplementationPDF(t *testing.T) {
	day := time.Date(2026, 5, 31, 22, 30, 0, 0, time.UTC) // 1 June in Berlin
	target := time.Date(2026, 3, 15, 0, 0, 0, 0, motion.Berlin)
	r := ImplementationReport{Body: "Stadt Mannheim", Organization: "Gemeinderat", Date: day, Filters: []string{"Fraktion: SPD-Fraktion"},
		Items: []ImplementationItem{{Reference: "A12/2026", Title: "Radwege sanieren", Sponsors: []string{"SPD-Fraktion", "Fraktion Grüne"},
			Organization: "Gemeinderat", DecidedAt: &target, Status: motion.StatusImplementation, LeadDepartment: "Dezernat I",
			Light: motion.LightRed, Points: []ImplementationPoint{
				{Point: 1, Text: "Die Radwege werden saniert.", State: motion.PointInProgress, TargetDate: &target, LastNote: "Die Ausschreibung läuft."},
				{Point: 2, Text: "Die Ampeln werden umgerüstet.", State: motion.PointNotFeasible, Reason: "Die Ampeln gehören dem Land."},
			}}}}
	pdf, err := ImplementationPDF(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
	}
	text := squash(strings.Join(pdftotext(t, pdf), " "))
	for _, want := range []string{"Bericht zur Umsetzung von Beschlüssen (Beschlusskontrolle)", "Stadt Mannheim", "Gremium Gemeinderat",
		"Stand 01.06.2026", "Fraktion SPD-Fraktion", "A12/2026 – Radwege sanieren", "SPD-Fraktion, Fraktion Grüne", "Federführung Dezernat I",
		"Ampel Zieldatum überschritten", "Stand: in Arbeit", "Zieldatum: 15.03.2026", "Letzte Notiz: Die Ausschreibung läuft.",
		"Stand: nicht umsetzbar", "Begründung: Die Ampeln gehören dem Land."} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	again, err := ImplementationPDF(r)
	if err != nil || !bytes.Equal(pdf, again) {
		t.Errorf("the same report gives other bytes (err %v)", err)
	}
	empty, err := ImplementationPDF(ImplementationReport{Body: "Stadt Mannheim", Date: day})
	if err != nil {
		t.Fatal(err)
	}
	if text := squash(strings.Join(pdftotext(t, empty), " ")); !strings.Contains(text, "Zurzeit wird kein Beschluss umgesetzt") || !strings.Contains(text, "alle Gremien") {
		t.Errorf("empty report:\n%s", text)
	}
}
