package documents

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// example is "Digitalisierung im Quadrat" (../shared/examples/antrag-digitalisierung-im-quadrat.txt)
// as the SPD faction submitted it.
func example() motion.Motion {
	submitted := time.Date(2019, 12, 12, 10, 30, 0, 0, motion.Berlin)
	return motion.Motion{
		ID: "spd-digitalisierung-im-quadrat", BodyID: "mannheim", Version: 4,
		Kind: motion.KindBudgetMotion, Status: motion.StatusRegistered,
		Faction: "spd", Cosponsors: []string{"gruene"},
		Reference: "A762/2019", ReferenceYear: 2019, ReferenceSeq: 762,
		CreatedAt: submitted.Add(-time.Hour), UpdatedAt: submitted.Add(time.Hour), SubmittedAt: &submitted,
		Content: motion.Content{
			Title: "Digitalisierung im Quadrat",
			ResolutionPoints: []string{
				"Zur befristeten Anschubfinanzierung zur Implementierung des Projekts „digitale Metropole“ werden Sachmittel in Höhe von 225.000 Euro bereitgestellt.",
				"Aus dem internen Stellenpool der Stadtverwaltung werden zwei weitere Stellen im Fachbereich Sicherheit und Ordnung eingerichtet, um z.B. die Genehmigungsverfahren bei der Außengastronomie zu beschleunigen.",
				"Die Stadtverwaltung richtet einen Fonds für kreative Kleinstbetriebe zur digitalen Umstellung ein.",
			},
			Justification: "Infrastruktur ist mehr als Beton und Stahl. Die Positionierung Mannheims als digitale, innovative Metropole setzt voraus, dass zum einen möglichst viele Akteure von Verwaltung, Konzern und Stadtgesellschaft auf dem Weg der digitalen Transformation aktiv eingebunden werden.\n\n" +
				"Unter dem Titel „dig itMA²“ soll deshalb ein zentral besuchbarer DigitalRaum – zunächst für ein Jahr – ausgestaltet werden (Kosten: 50.000 €).",
			Tags:        []string{"Antrag Mobilität und Digitalisierung", "Haushalt2020"},
			BudgetCycle: "Haushalt 2020/2021",
			Signatories: []string{"Ralf Eisenhauer", "Dr. Boris Weirauch"},
			Attachments: []motion.Attachment{{Name: "A762_2019_Digitalisierung_im_Quadrat_SPD.pdf", URL: "https://example.org/a.pdf"}},
		},
	}
}

var names = Names{Body: "Stadt Mannheim – Gemeinderat", Organizations: map[string]string{
	"spd": "SPD-Gemeinderatsfraktion", "gruene": "Fraktion Grüne",
}}

// pdftotext extracts the text of a PDF with poppler's pdftotext -layout,
// one string per page.
func pdftotext(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is not installed: install Debian's poppler-utils (.ci/run does) to read the generated PDFs")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f")
}

// squash folds runs of white space so that words broken across lines by the
// layout still match.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestExampleMotionPDF(t *testing.T) {
	m := example()
	pdf, err := MotionPDF(m, names)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
	}
	pages := pdftotext(t, pdf)
	text := strings.Join(pages, "\n")
	flat := squash(text)
	for _, want := range []string{
		"Stadt Mannheim – Gemeinderat", "Haushaltsantrag", "Nr. A762/2019", "Eingereicht am 12.12.2019",
		"SPD-Gemeinderatsfraktion, Fraktion Grüne", "Ralf Eisenhauer, Dr. Boris Weirauch", "Haushalt 2020/2021",
		"Digitalisierung im Quadrat", "Der Gemeinderat beschließt:",
		"1. Zur befristeten Anschubfinanzierung", "„digitale Metropole“", "225.000 Euro",
		"2. Aus dem internen Stellenpool", "Außengastronomie",
		"3. Die Stadtverwaltung richtet einen Fonds", "Begründung", "Infrastruktur ist mehr als Beton und Stahl.",
		"„dig itMA²“", "DigitalRaum – zunächst", "50.000 €",
		"Anlagen", "A762_2019_Digitalisierung_im_Quadrat_SPD.pdf",
		"Schlagworte:", "Antrag Mobilität und Digitalisierung, Haushalt2020",
		"Seite 1 von 1",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	for _, r := range []string{"ä", "ö", "ü", "ß", "Ä", "Ö", "Ü"} {
		probe := m
		probe.Title = "Prüfung " + r + " Straße"
		b, err := MotionPDF(probe, names)
		if err != nil {
			t.Fatal(err)
		}
		if got := squash(strings.Join(pdftotext(t, b), "\n")); !strings.Contains(got, "Prüfung "+r+" Straße") {
			t.Errorf("%s does not survive: %s", r, got)
		}
	}
	if strings.Contains(flat, "Entwurf") {
		t.Errorf("a submitted motion is marked as a draft:\n%s", text)
	}
}

func TestDraftIsMarked(t *testing.T) {
	m := example()
	m.Status, m.SubmittedAt, m.Reference = motion.StatusDraft, nil, ""
	pdf, err := MotionPDF(m, names)
	if err != nil {
		t.Fatal(err)
	}
	flat := squash(strings.Join(pdftotext(t, pdf), "\n"))
	for _, want := range []string{"ENTWURF – nicht eingereicht", "Entwurf, nicht eingereicht", "Haushaltsantrag (Entwurf)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("draft PDF lacks %q: %s", want, flat)
		}
	}
}

func TestInquiryAsksQuestions(t *testing.T) {
	m := example()
	m.Kind, m.AddressedDepartment = motion.KindInquiry, "dez3"
	pdf, err := MotionPDF(m, Names{Organizations: map[string]string{"dez3": "Dezernat III"}})
	if err != nil {
		t.Fatal(err)
	}
	flat := squash(strings.Join(pdftotext(t, pdf), "\n"))
	for _, want := range []string{"Anfrage", "Wir fragen die Verwaltung:", "Fragesteller", "An Dezernat III", "mannheim", "spd"} {
		if !strings.Contains(flat, want) {
			t.Errorf("inquiry PDF lacks %q: %s", want, flat)
		}
	}
	if strings.Contains(flat, "Der Gemeinderat beschließt") {
		t.Errorf("an inquiry asks the council to resolve: %s", flat)
	}
}

func TestLongMotionHasManyPages(t *testing.T) {
	m := example()
	m.ResolutionPoints = nil
	for i := range 50 {
		p := strings.Repeat("Der Gemeinderat möge über die Größe der Straßenbäume befinden. ", 32)[:2000]
		if i == 7 {
			p = strings.Repeat("Unteilbar", 230) // one word longer than a line
		}
		m.ResolutionPoints = append(m.ResolutionPoints, p)
	}
	pdf, err := MotionPDF(m, names)
	if err != nil {
		t.Fatal(err)
	}
	pages := pdftotext(t, pdf)
	n := len(pages)
	if n < 10 {
		t.Fatalf("50 points of 2,000 characters fill %d pages", n)
	}
	for i, p := range pages {
		want := regexp.MustCompile(`Seite ` + strconv.Itoa(i+1) + ` von ` + strconv.Itoa(n) + `\b`)
		if !want.MatchString(p) {
			t.Errorf("page %d has no footer %q:\n%s", i+1, want, p)
		}
	}
	if !strings.Contains(squash(pages[n-1]), "Schlagworte:") {
		t.Errorf("the last page does not end with the tags:\n%s", pages[n-1])
	}
}

func TestCharactersOutsideCP1252(t *testing.T) {
	m := example()
	m.Title = "Łódź 🚲 π\x00\x07 ok\xff"
	m.ResolutionPoints = []string{"Tab\tund\r\nZeilenumbruch"}
	pdf, err := MotionPDF(m, names)
	if err != nil {
		t.Fatal(err)
	}
	flat := squash(strings.Join(pdftotext(t, pdf), "\n"))
	if !strings.Contains(flat, "?ód? ? ? ok?") {
		t.Errorf("characters outside cp1252 are not written as ?: %s", flat)
	}
	if !strings.Contains(flat, "Tab und Zeilenumbruch") {
		t.Errorf("control characters: %s", flat)
	}
}

func TestDeterministic(t *testing.T) {
	a, err := MotionPDF(example(), names)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a clock in the output would show now
	b, err := MotionPDF(example(), names)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("the same motion renders to different bytes")
	}
	changed := example()
	changed.Title += " (neu)"
	c, _ := MotionPDF(changed, names)
	if bytes.Equal(a, c) {
		t.Fatal("a changed motion renders to the same bytes")
	}
	var zero motion.Motion
	if _, err := MotionPDF(zero, Names{}); err != nil {
		t.Fatalf("the zero motion: %v", err)
	}
}
