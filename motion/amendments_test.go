package motion

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// examplePoints are the resolution points of "Digitalisierung im Quadrat".
var examplePoints = []string{
	"Zur befristeten Anschubfinanzierung zur Implementierung des Projekts „digitale Metropole“ werden Sachmittel in Höhe von 225.000 Euro bereitgestellt.",
	"Aus dem internen Stellenpool der Stadtverwaltung werden zwei weitere Stellen im Fachbereich Sicherheit und Ordnung eingerichtet, um z.B. die Genehmigungsverfahren bei der Außengastronomie zu beschleunigen.",
	"Die Stadtverwaltung richtet einen Fonds für kreative Kleinstbetriebe zur digitalen Umstellung ein.",
}

// lineWith is the number of the first line holding s.
func lineWith(t *testing.T, ls []Line, s string) Line {
	t.Helper()
	for _, l := range ls {
		if strings.Contains(l.Text, s) {
			return l
		}
	}
	t.Fatalf("no line holds %q", s)
	return Line{}
}

// TestLinesAreNumberedAcrossTheMotion: every line fits the line length, the
// numbers run on from the points into the Begründung, and joining the lines
// gives the text back word for word.
func TestLinesAreNumberedAcrossTheMotion(t *testing.T) {
	c := Content{ResolutionPoints: examplePoints, Justification: "Infrastruktur ist mehr als Beton und Stahl.\n\nZweiter Absatz der Begründung."}
	ls := c.Lines()
	for i, l := range ls {
		if l.No != i+1 {
			t.Fatalf("line %d numbered %d", i+1, l.No)
		}
		if n := len([]rune(l.Text)); n > LineLength {
			t.Fatalf("line %d has %d characters: %q", l.No, n, l.Text)
		}
	}
	var points [4][]string
	for _, l := range ls {
		points[l.Point] = append(points[l.Point], l.Text)
	}
	for i, p := range examplePoints {
		if got := strings.Join(points[i+1], " "); got != p {
			t.Fatalf("point %d rejoined: %q", i+1, got)
		}
	}
	if last := ls[len(ls)-1]; last.Point != 0 || last.Text != "Zweiter Absatz der Begründung." || !last.ParagraphEnd {
		t.Fatalf("the Begründung's last paragraph: %+v", last)
	}
	if len(points[1]) < 2 {
		t.Fatalf("point 1 (%d characters) should take two lines", len(examplePoints[0]))
	}
	// Numbering is a function of the text alone.
	if again := c.Lines(); len(again) != len(ls) || again[3] != ls[3] {
		t.Fatal("numbering the same text twice differs")
	}
}

// TestAnAmendmentChangesNamedLines: an amendment replacing the line with
// the sum is checked against the amended text, shown as a word diff, and
// merged; a second amendment on the same line is a conflict and not merged
// at all.
func TestAnAmendmentChangesNamedLines(t *testing.T) {
	ls := NumberLines(examplePoints, "")
	sum := lineWith(t, ls, "225.000")
	newText := strings.Replace(sum.Text, "225.000", "150.000", 1)
	amend := Content{Title: "Weniger Sachmittel", Amends: "A762/2019", AmendedPoints: examplePoints,
		Changes: []Change{{Op: ChangeReplace, From: sum.No, To: sum.No, Text: newText}}}

	m := &Motion{ID: "a1", BodyID: "ma"}
	do(t, m, other, Create{BodyID: "ma", Kind: KindAmendment, Content: amend})
	do(t, m, other, Submit{})

	v := ViewChanges(examplePoints, m.Changes)
	if len(v) != 1 || v[0].Point != 1 || v[0].Old != sum.Text || v[0].Lines() != "Zeile "+strconv.Itoa(sum.No) {
		t.Fatalf("change view: %+v", v)
	}
	var del, ins []string
	for _, p := range v[0].Parts {
		switch p.Op {
		case DiffDelete:
			del = append(del, p.Text)
		case DiffInsert:
			ins = append(ins, p.Text)
		}
	}
	if strings.Join(del, "|") != "225.000" || strings.Join(ins, "|") != "150.000" {
		t.Fatalf("word diff struck %q and added %q", del, ins)
	}

	merged := Merge(examplePoints, []AmendmentText{
		{Label: "Ä1", Changes: m.Changes},
		{Label: "Ä2", Changes: []Change{{Op: ChangeDelete, From: sum.No, To: sum.No}}},
		{Label: "Ä3", Changes: []Change{{Op: ChangeInsert, From: ls[len(ls)-1].No, Text: "Die Mittel werden jährlich evaluiert."}}},
	})
	if !strings.Contains(merged.Points[0], "150.000 Euro bereitgestellt.") || strings.Contains(merged.Points[0], "225.000") {
		t.Fatalf("merged point 1: %q", merged.Points[0])
	}
	if merged.Points[2] != examplePoints[2]+" Die Mittel werden jährlich evaluiert." {
		t.Fatalf("merged point 3: %q", merged.Points[2])
	}
	if strings.Join(merged.Applied, ",") != "Ä1,Ä3" || len(merged.Conflicts) != 1 ||
		merged.Conflicts[0] != (Conflict{Amendment: "Ä2", With: "Ä1", Point: 1, From: sum.No, To: sum.No}) {
		t.Fatalf("applied %v, conflicts %+v", merged.Applied, merged.Conflicts)
	}
	if merged.Points[1] != examplePoints[1] {
		t.Fatal("an untouched point changed")
	}
}

// TestChangesAreCheckedAgainstTheAmendedText: lines that do not exist, a
// range across two points, a deletion with text, overlapping changes, and
// changes without the amended text are refused field by field.
func TestChangesAreCheckedAgainstTheAmendedText(t *testing.T) {
	ls := NumberLines(examplePoints, "")
	p1 := lineWith(t, ls, "225.000")
	p2 := lineWith(t, ls, "Stellenpool")
	m := &Motion{ID: "a1", BodyID: "ma"}
	bad := Content{Title: "Änderung", Amends: "m1", AmendedPoints: examplePoints, Changes: []Change{
		{Op: ChangeReplace, From: len(ls) + 1, To: len(ls) + 1, Text: "x"},
		{Op: ChangeReplace, From: p1.No, To: p2.No, Text: "x"},
		{Op: ChangeDelete, From: p2.No, To: p2.No, Text: "doch Text"},
		{Op: ChangeInsert, From: p2.No, Text: "noch mehr"},
		{Op: "merge", From: 1},
	}}
	e := refused(t, m, other, Create{BodyID: "ma", Kind: KindAmendment, Content: bad}, CodeInvalid)
	got := strings.Join(fieldErrors(e), "\n")
	for _, want := range []string{
		"changes[0].from: Die Zeile " + strconv.Itoa(len(ls)+1) + " gibt es im geänderten Antrag nicht",
		"changes[1].to: Eine Änderung bleibt in einem Beschlusspunkt",
		"changes[2].text: Eine Streichung hat keinen neuen Text.",
		"changes[3].from: Die 4. Änderung betrifft dieselben Zeilen wie die 3.",
		"changes[4].op: Die 5. Änderung ersetzt, fügt ein oder streicht",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	noBase := Content{Title: "Änderung", Amends: "Vorlage V12/2020", Changes: []Change{{Op: ChangeDelete, From: 1, To: 1}}}
	e = refused(t, m, other, Create{BodyID: "ma", Kind: KindAmendment, Content: noBase}, CodeInvalid)
	if got := fieldErrors(e); len(got) != 1 || !strings.HasPrefix(got[0], "amends: Der Antrag, dessen Zeilen geändert werden sollen, ist nicht bekannt") {
		t.Fatalf("changes without the amended text: %v", got)
	}
	// A motion that is no amendment changes no lines.
	do(t, m, anna, Create{BodyID: "ma", Kind: KindMotion, Content: Content{Title: "Kein Änderungsantrag", ResolutionPoints: []string{"Punkt"},
		AmendedPoints: examplePoints, Changes: []Change{{Op: ChangeDelete, From: 1, To: 1}}}})
	e = refused(t, m, anna, Submit{}, CodeInvalid)
	if got := fieldErrors(e); len(got) != 1 || !strings.HasPrefix(got[0], "changes: Nur ein Änderungsantrag ändert Zeilen") {
		t.Fatalf("a motion with changes: %v", got)
	}
}

// TestAmendmentsAreVotedBeforeTheirMotion: a result on the motion is
// refused while the caller names open amendments; a postponement is not.
func TestAmendmentsAreVotedBeforeTheirMotion(t *testing.T) {
	m := atCouncil(t)
	open := []string{"Ä1/2020 „Weniger Sachmittel“"}
	e := refused(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultAdopted}, OpenAmendments: open}, CodeIllegalTransition)
	if !strings.Contains(e.Message, "Über die Änderungsanträge wird vor dem Antrag abgestimmt; bitte erfassen Sie zuerst das Ergebnis von Ä1/2020 „Weniger Sachmittel“.") {
		t.Fatalf("refusal: %s", e.Message)
	}
	do(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultPostponed}, OpenAmendments: open})
}

// TestTheResolutionTextMergesAdoptedAmendmentsInTheirOrder: only adopted
// amendments count, in the order they were decided.
func TestTheResolutionTextMergesAdoptedAmendmentsInTheirOrder(t *testing.T) {
	ls := NumberLines(examplePoints, "")
	sum := lineWith(t, ls, "225.000")
	motion := &Motion{Content: Content{ResolutionPoints: examplePoints}}
	mk := func(ref string, r Result, day int, text string) Motion {
		a := Motion{Kind: KindAmendment, Reference: ref, Content: Content{Title: ref, Changes: []Change{{Op: ChangeReplace, From: sum.No, To: sum.No, Text: text}}}}
		a.Outcome = &Outcome{Result: r, DecidedAt: t0.AddDate(0, 0, day)}
		return a
	}
	got := motion.ResolutionText([]Motion{
		mk("Ä3", ResultAdopted, 3, "drei"),
		mk("Ä1", ResultRejected, 1, "eins"),
		mk("Ä2", ResultAdopted, 2, "zwei"),
	})
	if !strings.HasSuffix(got.Points[0], " zwei") || len(got.Applied) != 1 || got.Applied[0] != "Ä2 „Ä2“" ||
		len(got.Conflicts) != 1 || got.Conflicts[0].Amendment != "Ä3 „Ä3“" {
		t.Fatalf("resolution text: %+v", got)
	}
}

// TestTheOfficeEntersTheAdministrationsRecommendation: a change the
// administration proposes (Änderungsempfehlung) is an amendment the council
// office enters for the department; the administration moves nothing else.
func TestTheOfficeEntersTheAdministrationsRecommendation(t *testing.T) {
	ls := NumberLines(examplePoints, "")
	sum := lineWith(t, ls, "225.000")
	paper := Paper{SubmittedBy: "Dezernat I", ReceivedAt: t0.Add(-time.Hour), Channel: "email"}
	rec := Content{Title: "Änderungsempfehlung zu A762/2019", Amends: "A762/2019", AmendedPoints: examplePoints,
		Changes: []Change{{Op: ChangeReplace, From: sum.No, To: sum.No, Text: "Sachmittel in Höhe von 180.000 Euro bereitgestellt."}}}
	m := &Motion{ID: "e1"}
	e := refusedNow(t, m, clerk, EnterSubmission{BodyID: "ma", Kind: KindMotion, Content: sample, Originator: OriginatorAdministration, Organization: "dez1", Paper: paper}, CodeInvalid)
	if got := fieldErrors(e); len(got) != 1 || !strings.HasPrefix(got[0], "kind: Die Verwaltung stellt keine eigenen Anträge") {
		t.Fatalf("a motion of the administration: %v", got)
	}
	now(t, m, clerk, EnterSubmission{BodyID: "ma", Kind: KindAmendment, Content: rec, Originator: OriginatorAdministration, Organization: "dez1", Paper: paper})
	if m.Status != StatusSubmitted || m.Faction != "dez1" || m.Originator.Kind.Label() != "Verwaltung" || len(m.Changes) != 1 {
		t.Fatalf("recommendation: %+v", m)
	}
}

// TestAmendmentsDecidedInOneMeetingMergeInTheOrderEntered: several
// amendments adopted in one session share its start; they are merged in
// the order their results were entered, and references compare as numbers
// (A9 before A10), never as strings.
func TestAmendmentsDecidedInOneMeetingMergeInTheOrderEntered(t *testing.T) {
	ls := NumberLines(examplePoints, "")
	sum := lineWith(t, ls, "225.000")
	session := t0.AddDate(0, 1, 0)
	mk := func(seq int, entered time.Duration, text string) Motion {
		a := Motion{Kind: KindAmendment, Reference: "A" + strconv.Itoa(seq) + "/2020", ReferenceYear: 2020, ReferenceSeq: seq,
			Content: Content{Title: text, Changes: []Change{{Op: ChangeReplace, From: sum.No, To: sum.No, Text: text}}},
			Consultations: []Consultation{{ID: "c1", Decisive: true, Status: ConsultationDone,
				Record: &ResultRecord{Result: ResultAdopted, RecordedAt: session.Add(entered)}}}}
		a.Outcome = &Outcome{Result: ResultAdopted, ConsultationID: "c1", DecidedAt: session}
		return a
	}
	m := &Motion{Content: Content{ResolutionPoints: examplePoints}}
	// A10 was entered first.
	got := m.ResolutionText([]Motion{mk(9, 2*time.Minute, "neun"), mk(10, time.Minute, "zehn")})
	if !strings.HasSuffix(got.Points[0], " zehn") || got.Conflicts[0].Amendment != "A9/2020 „neun“" {
		t.Fatalf("entered order: %+v", got)
	}
	// Entered in the same second: by reference number.
	got = m.ResolutionText([]Motion{mk(10, time.Minute, "zehn"), mk(9, time.Minute, "neun")})
	if !strings.HasSuffix(got.Points[0], " neun") || got.Conflicts[0].Amendment != "A10/2020 „zehn“" || got.Conflicts[0].Lines() != "Zeile "+strconv.Itoa(sum.No) {
		t.Fatalf("reference order: %+v", got)
	}
}

// TestStaleOrStruckChangesAreShownSafely: a change that no longer fits the
// text (its lines now cross two points) is neither shown nor merged; a
// point struck whole keeps its place.
func TestStaleOrStruckChangesAreShownSafely(t *testing.T) {
	short := []string{"Eins.", "Zwei.", "Drei."}
	stale := []Change{{Op: ChangeReplace, From: 1, To: 2, Text: "x"}}
	if v := ViewChanges(short, stale); len(v) != 0 {
		t.Fatalf("a change across two points is shown: %+v", v)
	}
	got := Merge(short, []AmendmentText{{Label: "alt", Changes: stale}, {Label: "neu", Changes: []Change{{Op: ChangeDelete, From: 2, To: 2}}}})
	if strings.Join(got.Points, "|") != "Eins.|"+StruckPoint+"|Drei." {
		t.Fatalf("merged: %q", got.Points)
	}
	paras := []string{"Erster Absatz.\n\nZweiter Absatz.\n\nDritter Absatz."}
	ls := NumberLines(paras, "")
	got = Merge(paras, []AmendmentText{{Label: "Ä", Changes: []Change{{Op: ChangeDelete, From: ls[1].No, To: ls[1].No}}}})
	if got.Points[0] != "Erster Absatz.\n\nDritter Absatz." {
		t.Fatalf("a struck paragraph: %q", got.Points[0])
	}
	if FormatPositions(SumPositions(0.1, 0.2, 0.33, 0.25)) != "0,88" || FormatPositions(2) != "2" || FormatPositions(-0.5) != "-0,5" {
		t.Fatal("positions are summed and written in hundredths")
	}
}
