package documents

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/internal/pdftext"
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

// pdftotext is the text of a PDF as it stands on its pages, one string
// per page.
func pdftotext(t *testing.T, pdf []byte) []string { return pdftext.Layout(t, pdf) }

// squash folds runs of white space so that words broken across lines by the
// layout still match.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestExampleMotionPDF(t *testing.T) {
	m := example()
	pdf, err := MotionPDF(m, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
	}
	// pdftext reads the text in its flow: the line numbers in the margin
	// stand apart from the text they number.
	flat := pdftext.Text(t, pdf)
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
			t.Errorf("the PDF's text lacks %q:\n%s", want, flat)
		}
	}
	for _, r := range []string{"ä", "ö", "ü", "ß", "Ä", "Ö", "Ü"} {
		probe := m
		probe.Title = "Prüfung " + r + " Straße"
		b, err := MotionPDF(probe, names, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := squash(strings.Join(pdftotext(t, b), "\n")); !strings.Contains(got, "Prüfung "+r+" Straße") {
			t.Errorf("%s does not survive: %s", r, got)
		}
	}
	if strings.Contains(flat, "Entwurf") {
		t.Errorf("a submitted motion is marked as a draft:\n%s", flat)
	}
}

func TestDraftIsMarked(t *testing.T) {
	m := example()
	m.Status, m.SubmittedAt, m.Reference = motion.StatusDraft, nil, ""
	pdf, err := MotionPDF(m, names, nil)
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
	pdf, err := MotionPDF(m, Names{Organizations: map[string]string{"dez3": "Dezernat III"}}, nil)
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
	pdf, err := MotionPDF(m, names, nil)
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
	pdf, err := MotionPDF(m, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	flat := pdftext.Text(t, pdf)
	if !strings.Contains(flat, "?ód? ? ? ok?") {
		t.Errorf("characters outside cp1252 are not written as ?: %s", flat)
	}
	if !strings.Contains(flat, "Tab und Zeilenumbruch") {
		t.Errorf("control characters: %s", flat)
	}
}

func TestDeterministic(t *testing.T) {
	a, err := MotionPDF(example(), names, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a clock in the output would show now
	b, err := MotionPDF(example(), names, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("the same motion renders to different bytes")
	}
	changed := example()
	changed.Title += " (neu)"
	c, _ := MotionPDF(changed, names, nil)
	if bytes.Equal(a, c) {
		t.Fatal("a changed motion renders to the same bytes")
	}
	var zero motion.Motion
	if _, err := MotionPDF(zero, Names{}, nil); err != nil {
		t.Fatalf("the zero motion: %v", err)
	}
}

// amended is the example as a budget motion with its financial effect and
// the administration's estimate, and its amendments: A801 replaces the line
// of point 1 that holds "225.000" by the same line with "150.000" and is
// adopted; A802, adopted after it, touches the same line (a conflict); a
// third is a draft, its sponsor's alone.
func amended(t *testing.T) (m motion.Motion, amendments []motion.Motion, line motion.Line) {
	t.Helper()
	m = example()
	m.Budget = &motion.BudgetEffect{
		Items:     []motion.BudgetItem{{Year: 2020, Amount: 225000, Plan: motion.PlanResult, Purpose: "Sachmittel"}},
		Positions: 2, Product: "1.11.01 Digitalisierung",
	}
	m.Statements = []motion.Statement{{Department: "dez1", Text: "Die Verwaltung schätzt geringere Kosten.",
		At: time.Date(2020, 1, 10, 9, 0, 0, 0, motion.Berlin),
		Estimate: &motion.BudgetEffect{Items: []motion.BudgetItem{
			{Year: 2020, Amount: 180000, Plan: motion.PlanResult, Purpose: "Sachmittel"},
			{Year: 2021, Amount: 90000, Recurring: true, Plan: motion.PlanFinancial, Purpose: "Betrieb"},
		}}}}
	for _, l := range motion.NumberLines(m.ResolutionPoints, "") {
		if l.Point == 1 && strings.Contains(l.Text, "225.000") {
			line = l
		}
	}
	if line.No == 0 {
		t.Fatal("no line of point 1 holds 225.000")
	}
	submitted := time.Date(2020, 1, 8, 12, 0, 0, 0, motion.Berlin)
	decided := time.Date(2020, 1, 30, 18, 0, 0, 0, motion.Berlin)
	amendment := func(id, ref, title string, at time.Time, text string) motion.Motion {
		return motion.Motion{
			ID: id, BodyID: "mannheim", Version: 5, Kind: motion.KindAmendment, Status: motion.StatusDecided,
			Faction: "cdu", Reference: ref, CreatedAt: submitted, UpdatedAt: at, SubmittedAt: &submitted,
			Outcome: &motion.Outcome{Result: motion.ResultAdopted, DecidedAt: at},
			Content: motion.Content{Title: title, Amends: m.Reference, AmendedPoints: m.ResolutionPoints,
				Changes: []motion.Change{{Op: motion.ChangeReplace, From: line.No, To: line.No, Text: text}}},
		}
	}
	a1 := amendment("cdu-150", "A801/2019", "Anschubfinanzierung begrenzen", decided,
		strings.Replace(line.Text, "225.000", "150.000", 1))
	a2 := amendment("fdp-300", "A802/2019", "Anschubfinanzierung erhöhen", decided.Add(time.Minute),
		"werden Sachmittel in Höhe von 300.000 Euro bereitgestellt.")
	a2.Faction = "fdp"
	draft := amendment("linke-entwurf", "", "Entwurf der Linken", decided, "Geheimer Entwurf")
	draft.Status, draft.SubmittedAt, draft.Outcome = motion.StatusDraft, nil, nil
	m.Status, m.Outcome = motion.StatusDecided, &motion.Outcome{Result: motion.ResultAdoptedAmended, DecidedAt: decided.Add(time.Hour)}
	return m, []motion.Motion{a1, a2, draft}, line
}

// The merged text is the Beschlusstext only once the motion is adopted;
// before its vote it is the motion's text as amended, and a rejected or
// withdrawn motion has none.
func TestMergedTextByStage(t *testing.T) {
	const resolved, amendedText = "Beschlusstext (mit den angenommenen Änderungsanträgen)",
		"Antragstext in der geänderten Fassung (angenommene Änderungsanträge eingearbeitet)"
	m, amendments, _ := amended(t)
	open := m
	open.Status, open.Outcome = motion.StatusInConsultation, nil
	rejected := m
	rejected.Outcome = &motion.Outcome{Result: motion.ResultRejected, DecidedAt: m.Outcome.DecidedAt}
	withdrawn := m
	withdrawn.Status, withdrawn.Outcome = motion.StatusWithdrawn, nil
	for _, tc := range []struct {
		name       string
		m          motion.Motion
		want, not1 string
	}{
		{"adopted", m, resolved, amendedText},
		{"not yet decided", open, amendedText, resolved},
		{"rejected", rejected, "", "eingearbeitet"},
		{"withdrawn", withdrawn, "", "eingearbeitet"},
	} {
		pdf, err := MotionPDF(tc.m, amendedNames, amendments)
		if err != nil {
			t.Fatal(err)
		}
		flat := pdftext.Text(t, pdf)
		if tc.want != "" && !strings.Contains(flat, tc.want) {
			t.Errorf("%s: the PDF lacks %q:\n%s", tc.name, tc.want, flat)
		}
		if strings.Contains(flat, tc.not1) {
			t.Errorf("%s: the PDF has %q:\n%s", tc.name, tc.not1, flat)
		}
	}
}

var amendedNames = Names{Body: names.Body, Organizations: map[string]string{
	"spd": "SPD-Gemeinderatsfraktion", "gruene": "Fraktion Grüne", "cdu": "CDU-Fraktion", "fdp": "FDP-Fraktion",
	"dez1": "Dezernat I",
}}

// The example in print: the motion's lines with their numbers,
// the amendments with their diffs and results, the Beschlusstext with the
// adopted amendment merged and the conflicting one left out, and the money.
func TestAmendedBudgetMotionPDF(t *testing.T) {
	m, amendments, line := amended(t)
	pdf, err := MotionPDF(m, amendedNames, amendments)
	if err != nil {
		t.Fatal(err)
	}
	layout := strings.Join(pdftotext(t, pdf), "\n")
	flat := pdftext.Text(t, pdf)

	// The line numbers stand beside the lines they number, the same as
	// motion.NumberLines gives (the web page's).
	lines := m.Content.Lines()
	for _, l := range []motion.Line{lines[0], line, lines[len(lines)-1]} {
		beside := regexp.MustCompile(`(?m)^\s*` + strconv.Itoa(l.No) + `\s+(\d+\.\s+)?` + regexp.QuoteMeta(l.Text) + `\s*$`)
		if !beside.MatchString(layout) {
			t.Errorf("line %d %q does not stand beside its number:\n%s", l.No, l.Text, layout)
		}
	}
	first := pointLines(lines, 0)[0]
	if !regexp.MustCompile(`(?m)^\s*` + strconv.Itoa(first.No) + `\s+Infrastruktur ist mehr`).MatchString(layout) {
		t.Errorf("the Begründung is not numbered on from the points (line %d):\n%s", first.No, layout)
	}

	// The financial effect as a table, and the administration's estimate.
	for _, row := range []string{
		`2020\s+225\.000 Euro\s+einmalig\s+Ergebnishaushalt\s+Sachmittel`,
		`2021\s+90\.000 Euro\s+wiederkehrend\s+Finanzhaushalt\s+Betrieb`,
		`Stellen\s+2\b`, `Produkt\s+1\.11\.01 Digitalisierung`,
	} {
		if !regexp.MustCompile(row).MatchString(layout) {
			t.Errorf("the financial effect lacks %s:\n%s", row, layout)
		}
	}
	where := motion.ViewChanges(m.ResolutionPoints, amendments[0].Changes)[0].Lines()
	for _, want := range []string{
		"Finanzielle Auswirkungen", "Schätzung der Verwaltung (Dezernat I) vom 10.01.2020", "180.000 Euro",
		"Änderungsanträge",
		`A801/2019 „Anschubfinanzierung begrenzen“ von CDU-Fraktion · eingereicht am 08.01.2020 · Stand: Entschieden · Ergebnis: Beschlossen am 30.01.2020`,
		where + " (Beschlusspunkt 1): ersetzen",
		"[- 225.000 -]{+ 150.000 +}",
		`A802/2019 „Anschubfinanzierung erhöhen“ von FDP-Fraktion`, "{+ 300.000 +}",
		"Beschlusstext (mit den angenommenen Änderungsanträgen)",
		"Eingearbeitet: A801/2019 „Anschubfinanzierung begrenzen“.",
		"Konflikt: A802/2019 „Anschubfinanzierung erhöhen“ berührt dieselbe Stelle wie A801/2019 „Anschubfinanzierung begrenzen“ (" +
			where + "); nicht eingearbeitet.",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, flat)
		}
	}
	for _, never := range []string{"Entwurf der Linken", "Geheimer Entwurf"} {
		if strings.Contains(flat, never) {
			t.Errorf("a draft amendment is printed (%q):\n%s", never, flat)
		}
	}

	// Point 1 of the Beschlusstext reads 150.000 Euro, not 225.000.
	_, resolution, ok := strings.Cut(flat, "Beschlusstext (mit den angenommenen Änderungsanträgen)")
	point1, _, ok2 := strings.Cut(resolution, "2. Aus dem internen Stellenpool")
	if !ok || !ok2 {
		t.Fatalf("no Beschlusstext with its points:\n%s", flat)
	}
	if !strings.Contains(point1, "Sachmittel in Höhe von 150.000 Euro bereitgestellt.") || strings.Contains(point1, "225.000") {
		t.Errorf("point 1 of the Beschlusstext: %s", point1)
	}
}

// An amendment's own paper says what it amends and shows its changes as
// diffs; a motion without adopted amendments has no Beschlusstext.
func TestAmendmentPDF(t *testing.T) {
	m, amendments, _ := amended(t)
	a := amendments[0]
	n := amendedNames
	n.Amended = m.Label()
	pdf, err := MotionPDF(a, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	flat := pdftext.Text(t, pdf)
	for _, want := range []string{
		"Änderungsantrag", "Nr. A801/2019", "Änderungen an A762/2019 „Digitalisierung im Quadrat“",
		"[- 225.000 -]{+ 150.000 +} Euro bereitgestellt.",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the amendment's PDF lacks %q:\n%s", want, flat)
		}
	}
	if layout := strings.Join(pdftotext(t, pdf), "\n"); !regexp.MustCompile(`Ändert\s+A762/2019`).MatchString(layout) {
		t.Errorf("the amendment's PDF does not say what it amends:\n%s", layout)
	}

	rejected := amendments[:1:1]
	rejected[0].Outcome = &motion.Outcome{Result: motion.ResultRejected, DecidedAt: a.Outcome.DecidedAt}
	pdf, err = MotionPDF(m, n, rejected)
	if err != nil {
		t.Fatal(err)
	}
	flat = pdftext.Text(t, pdf)
	if !strings.Contains(flat, "Ergebnis: Abgelehnt am 30.01.2020") || strings.Contains(flat, "Beschlusstext") {
		t.Errorf("a rejected amendment:\n%s", flat)
	}
}

// A line of wide letters is set smaller rather than broken: every line of
// the motion stays one printed line beside its number.
func TestWideLinesKeepTheirNumbers(t *testing.T) {
	m := example()
	m.ResolutionPoints = []string{strings.Repeat("WWWWWWWWW ", 24)}
	m.Justification = ""
	pdf, err := MotionPDF(m, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	layout := strings.Join(pdftotext(t, pdf), "\n")
	for _, l := range m.Content.Lines() {
		if !regexp.MustCompile(`(?m)^\s*` + strconv.Itoa(l.No) + `\s+(1\.\s+)?` + l.Text + `\s*$`).MatchString(layout) {
			t.Errorf("line %d is not one printed line:\n%s", l.No, layout)
		}
	}
}

// The document's entity tag changes with the amendments it prints, not
// with a draft amendment; an amendment's tag changes with the motion it
// amends (its label stands in the heading).
func TestTag(t *testing.T) {
	m, amendments, _ := amended(t)
	if got := Tag(m, nil, nil); got != `"4"` {
		t.Errorf("without amendments: %s", got)
	}
	with := Tag(m, amendments, nil)
	if with == `"4"` || !strings.HasPrefix(with, `"4-`) {
		t.Errorf("with amendments: %s", with)
	}
	if Tag(m, amendments[:2], nil) != with {
		t.Error("a draft amendment changes the tag")
	}
	newer := slices.Clone(amendments)
	newer[1].Version++
	if Tag(m, newer, nil) == with {
		t.Error("a changed amendment keeps the tag")
	}

	a := amendments[0]
	of := Tag(a, nil, &m)
	if of == Tag(a, nil, nil) || !strings.HasPrefix(of, `"5-`) {
		t.Errorf("an amendment's tag without the amended motion: %s", of)
	}
	renamed := m
	renamed.Version++
	renamed.Title = "Digitalisierung im ganzen Quadrat"
	if Tag(a, nil, &renamed) == of {
		t.Error("the amended motion changed, the amendment's tag did not")
	}
}
