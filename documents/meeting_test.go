package documents

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// at is a time on the council's calendar in 2027.
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2027, month, day, hour, minute, 0, 0, motion.Berlin)
}

func ptr[T any](v T) *T { return &v }

// council is a held meeting of the Gemeinderat with thirteen items: motions,
// a paper, a report, a main item with a sub-item, an urgent item, a
// postponed item, one postponed from an earlier meeting, a Sammelabstimmung
// over three papers and two non-public items.
func council() meeting.Meeting {
	recorded := ptr(at(time.October, 12, 17, 0))
	enBloc := func(id, number, title string) meeting.Item {
		return meeting.Item{ID: id, Number: number, Kind: meeting.ItemPaper, Title: title, Public: true,
			Reference: "V" + number + "/2027", Status: meeting.ItemDecided, Result: motion.ResultAdopted,
			Vote: &motion.Vote{Yes: 38, No: 0, Abstain: 3}, EnBloc: "eb-1", RecordedAt: recorded}
	}
	return meeting.Meeting{
		ID: "gr-2027-10", BodyID: "mannheim", OrganizationID: "gr", Name: "12. Sitzung des Gemeinderats",
		Location: "Ratssaal, Stadthaus N 1", Start: time.Date(2027, 10, 12, 14, 0, 0, 0, time.UTC), // 16:00 in Berlin
		Version: 40, Status: meeting.StatusHeld, NextItem: 14,
		Members: []string{"Dr. Jürgen Weiß", "Anna Schäfer", "Özlem Yılmaz-Groß", "Peter Müller", "Lena Vogt", "Tobias Krüger", "Marie Haß"},
		Present: []string{"Dr. Jürgen Weiß", "Anna Schäfer", "Peter Müller", "Lena Vogt", "Marie Haß"},
		MinutesNotes: "Die Sitzung wurde von 18:10 bis 18:25 Uhr unterbrochen.\n\n" +
			"Stadträtin Vogt nahm an TOP 9 wegen Befangenheit nicht teil.",
		InvitationPublishedAt: ptr(at(time.September, 28, 9, 0)),
		SessionOpenedAt:       ptr(at(time.October, 12, 16, 3)),
		SessionClosedAt:       ptr(at(time.October, 12, 19, 47)),
		UpdatedAt:             at(time.October, 13, 8, 15),
		Agenda: []meeting.Item{
			{ID: "t1", Number: "1", Kind: meeting.ItemMotion, Title: "Digitalisierung im Quadrat", Public: true,
				MotionID: "m1", ConsultationID: "c1", Reference: "A762/2027", Status: meeting.ItemDecided,
				Result: motion.ResultAdopted, RecordedAt: recorded,
				Vote: &motion.Vote{Yes: 30, No: 10, Abstain: 2, Absent: ptr(6), ByFaction: []motion.FactionVote{
					{OrganizationID: "spd", Yes: 12, No: 0, Abstain: 1},
					{OrganizationID: "cdu", Yes: 0, No: 10, Abstain: 1},
				}},
				ResolutionText: "Für das Projekt „digitale Metropole“ werden 225.000 € bereitgestellt – zunächst für ein Jahr."},
			{ID: "t2", Number: "2", Kind: meeting.ItemPaper, Title: "Bebauungsplan „Östliche Straße“ – Satzungsbeschluss",
				Public: true, Reference: "V123/2027", Status: meeting.ItemDecided, Result: motion.ResultAdopted,
				Vote:           &motion.Vote{Yes: 40, No: 0, Abstain: 1, Unanimous: true},
				ResolutionText: "Der Bebauungsplan „Östliche Straße“ wird als Satzung beschlossen."},
			{ID: "t3", Number: "3", Kind: meeting.ItemMotion, Title: "Sichere Radwege für Käfertal", Public: true,
				MotionID: "m3", ConsultationID: "c3", Reference: "A801/2027", Status: meeting.ItemDecided,
				Result: motion.ResultAdoptedAmended, Vote: &motion.Vote{Yes: 25, No: 17, Abstain: 0},
				ResolutionText: "Die Verwaltung legt bis Ende 2028 ein Radwegekonzept vor.\n\nDie Mittel werden im Haushalt 2029 eingeplant."},
			{ID: "t4", Number: "3.1", Kind: meeting.ItemMotion, Title: "Änderungsantrag: Fahrradstraßen statt Schutzstreifen",
				Public: true, Sub: true, MotionID: "m4", ConsultationID: "c4", Reference: "A802/2027",
				Status: meeting.ItemDecided, Result: motion.ResultRejected,
				Vote: &motion.Vote{Yes: 1, No: 3, Abstain: 1, Named: []motion.NamedVote{
					{Name: "Dr. Jürgen Weiß", Vote: "no"}, {Name: "Anna Schäfer", Vote: "yes"},
					{Name: "Peter Müller", Vote: "no"}, {Name: "Lena Vogt", Vote: "abstain"}, {Name: "Marie Haß", Vote: "no"},
				}}},
			{ID: "t5", Number: "4", Kind: meeting.ItemReport, Title: "Bericht des Oberbürgermeisters zur Haushaltslage",
				Public: true, Status: meeting.ItemDecided, Result: motion.ResultNoted},
			{ID: "t6", Number: "5", Kind: meeting.ItemMotion, Title: "Grünflächen an der Augustaanlage", Public: true,
				MotionID: "m6", ConsultationID: "c6", Reference: "A777/2027", Status: meeting.ItemPostponed,
				Result: motion.ResultPostponed, PostponedTo: "gr-2027-11", Note: "Auf Wunsch der antragstellenden Fraktion."},
			enBloc("t7", "6", "Jahresabschluss der Stadtwerke"),
			enBloc("t8", "7", "Satzung über die Erhebung von Hundesteuer"),
			enBloc("t9", "8", "Wahl der Schöffinnen und Schöffen"),
			{ID: "t10", Number: "9", Kind: meeting.ItemMotion, Title: "Hochwasserhilfe für Neckarau", Public: true,
				MotionID: "m10", ConsultationID: "c10", Urgent: true,
				UrgentReason: "Das Hochwasser vom 8. Oktober duldet keinen Aufschub.", Status: meeting.ItemDecided,
				Result: motion.ResultReferred, ReferredTo: "aut", Vote: &motion.Vote{Unanimous: true}},
			{ID: "t11", Number: "10", Kind: meeting.ItemFree, Title: "Fragen der Einwohnerinnen und Einwohner", Public: true,
				PostponedFrom: "gr-2027-09", Status: meeting.ItemWithdrawn, Result: motion.ResultWithdrawn},
			{ID: "t12", Number: "N1", Kind: meeting.ItemPaper, Title: "Grundstücksankauf Müllerstraße 12", Public: false,
				Reference: "V130/2027", Status: meeting.ItemDecided, Result: motion.ResultAdopted,
				Vote:           &motion.Vote{Yes: 35, No: 5, Abstain: 0},
				ResolutionText: "Der Ankauf des Grundstücks Müllerstraße 12 zum Preis von 1,2 Mio. € wird beschlossen."},
			{ID: "t13", Number: "N2", Kind: meeting.ItemFree, Title: "Personalangelegenheit Amtsleitung Bürgerdienste",
				Public: false, Status: meeting.ItemDecided, Result: motion.ResultNoted, Note: "Vertraulich zu behandeln."},
		},
	}
}

var councilNames = Names{Body: "Stadt Mannheim", Organizations: map[string]string{
	"gr": "Gemeinderat", "spd": "SPD-Fraktion", "cdu": "CDU-Fraktion", "aut": "Ausschuss für Umwelt und Technik",
}}

// text renders with render and returns the PDF's text (white space folded)
// and its pages.
func text(t *testing.T, render func(meeting.Meeting, string, Names) ([]byte, error), m meeting.Meeting) (string, []string) {
	t.Helper()
	b, err := render(m, "Gemeinderat", councilNames)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(20, len(b))])
	}
	pages := pdftotext(t, b)
	return squash(strings.Join(pages, "\n")), pages
}

// contains reports every want that flat lacks.
func contains(t *testing.T, what, flat string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(flat, want) {
			t.Errorf("the %s lacks %q:\n%s", what, want, flat)
		}
	}
}

// inOrder checks that wants appear in flat in this order.
func inOrder(t *testing.T, what, flat string, wants ...string) {
	t.Helper()
	last := -1
	for _, want := range wants {
		i := strings.Index(flat, want)
		if i <= last {
			t.Errorf("in the %s, %q does not follow what comes before it:\n%s", what, want, flat)
			return
		}
		last = i
	}
}

// footers checks that every page says "Seite i von n".
func footers(t *testing.T, what string, pages []string) {
	t.Helper()
	for i, p := range pages {
		want := regexp.MustCompile(`Seite ` + strconv.Itoa(i+1) + ` von ` + strconv.Itoa(len(pages)) + `\b`)
		if !want.MatchString(p) {
			t.Errorf("page %d of the %s has no footer %q:\n%s", i+1, what, want, p)
		}
	}
}

func TestInvitationListsTheAgenda(t *testing.T) {
	m := council()
	flat, pages := text(t, InvitationPDF, m)
	contains(t, "invitation", flat,
		"Stadt Mannheim", "Einladung", "vom 28.09.2027",
		"Einladung zur öffentlichen Sitzung des Gemeinderat mit nichtöffentlichem Teil",
		"12. Sitzung des Gemeinderats",
		"Datum Dienstag, 12. Oktober 2027", "Beginn 16:00 Uhr", "Ort Ratssaal, Stadthaus N 1",
		"Tagesordnung", "Öffentlicher Teil", "Nichtöffentlicher Teil",
		"Antrag A762/2027", "Vorlage der Verwaltung V123/2027", "Bericht", "Sonstiges – aus einer früheren Sitzung vertagt",
		"Hochwasserhilfe für Neckarau (dringlich)",
		"Dringlichkeit: Das Hochwasser vom 8. Oktober duldet keinen Aufschub.",
	)
	// The members' invitation names every item, the non-public ones too.
	for _, it := range m.Agenda {
		contains(t, "invitation", flat, it.Number+" "+it.Title)
	}
	inOrder(t, "invitation", flat, "Öffentlicher Teil", "1 Digitalisierung", "3 Sichere Radwege",
		"3.1 Änderungsantrag", "10 Fragen", "Nichtöffentlicher Teil", "N1 Grundstücksankauf", "N2 Personal")
	footers(t, "invitation", pages)
	for _, no := range []string{"Entwurf", "ENTWURF", "Ergebnis", "Beschluss", "30 Ja-Stimmen"} {
		if strings.Contains(flat, no) {
			t.Errorf("the published invitation says %q:\n%s", no, flat)
		}
	}
}

func TestInvitationOfAPublicAgendaAndDrafts(t *testing.T) {
	m := council()
	m.Agenda = m.PublicItems()
	m.InvitationPublishedAt, m.Status = nil, meeting.StatusPlanned
	flat, pages := text(t, InvitationPDF, m)
	contains(t, "draft invitation", flat, "Einladung zur öffentlichen Sitzung des Gemeinderat",
		"ENTWURF – nicht veröffentlicht", "Entwurf, nicht veröffentlicht", "(Entwurf)")
	for _, no := range []string{"nichtöffentlich", "Nichtöffentlicher Teil"} {
		if strings.Contains(flat, no) {
			t.Errorf("an agenda without non-public items mentions %q:\n%s", no, flat)
		}
	}
	footers(t, "draft invitation", pages)

	m = council()
	m.Status, m.CancelReason = meeting.StatusCancelled, "Der Ratssaal ist wegen eines Wasserschadens gesperrt."
	flat, _ = text(t, InvitationPDF, m)
	contains(t, "cancelled invitation", flat, "Die Sitzung ist abgesagt.",
		"Grund Der Ratssaal ist wegen eines Wasserschadens gesperrt.")
}

func TestMinutesRecordTheResults(t *testing.T) {
	m := council()
	flat, pages := text(t, MinutesPDF, m)
	contains(t, "minutes", flat,
		"Niederschrift", "Ergebnisprotokoll", "Niederschrift über die Sitzung des Gemeinderat",
		"Datum Dienstag, 12. Oktober 2027", "Beginn 16:03 Uhr", "Ende 19:47 Uhr",
		"Anwesend 5 von 7 Mitgliedern", "Dr. Jürgen Weiß, Anna Schäfer, Peter Müller, Lena Vogt, Marie Haß",
		"Abwesend Özlem Y?lmaz-Groß, Tobias Krüger", // ı is not in cp1252
		"Beschlussfähig ja",
		// TOP 1: result, tally, factions by name, resolution text.
		"1 Digitalisierung im Quadrat", "Ergebnis: Beschlossen",
		"Abstimmung: 30 Ja-Stimmen, 10 Nein-Stimmen, 2 Enthaltungen, 6 abwesend",
		"SPD-Fraktion: 12 Ja, 0 Nein, 1 Enthaltung", "CDU-Fraktion: 0 Ja, 10 Nein, 1 Enthaltung",
		"Beschluss: Für das Projekt „digitale Metropole“ werden 225.000 € bereitgestellt – zunächst für ein Jahr.",
		"Abstimmung: einstimmig: 40 Ja-Stimmen, 0 Nein-Stimmen, 1 Enthaltung",
		"Der Bebauungsplan „Östliche Straße“ wird als Satzung beschlossen.",
		"Ergebnis: Geändert beschlossen", "Die Verwaltung legt bis Ende 2028 ein Radwegekonzept vor.",
		"Die Mittel werden im Haushalt 2029 eingeplant.",
		"3.1 Änderungsantrag: Fahrradstraßen statt Schutzstreifen", "Ergebnis: Abgelehnt",
		"Namentliche Abstimmung: Dr. Jürgen Weiß: Nein; Anna Schäfer: Ja; Peter Müller: Nein; Lena Vogt: Enthaltung; Marie Haß: Nein",
		"Ergebnis: Zur Kenntnis genommen",
		"5 Grünflächen an der Augustaanlage", "Ergebnis: Vertagt", "Vertagt: auf eine spätere Sitzung.",
		"Bemerkung: Auf Wunsch der antragstellenden Fraktion.",
		"Sammelabstimmung: gemeinsam abgestimmt mit TOP 7 und TOP 8",
		"Sammelabstimmung: gemeinsam abgestimmt mit TOP 6 und TOP 8",
		"Sammelabstimmung: gemeinsam abgestimmt mit TOP 6 und TOP 7",
		"Abstimmung: 38 Ja-Stimmen, 0 Nein-Stimmen, 3 Enthaltungen",
		"Hochwasserhilfe für Neckarau (dringlich)", "Ergebnis: Verwiesen", "Abstimmung: einstimmig",
		"Verwiesen an: Ausschuss für Umwelt und Technik",
		"Ergebnis: Zurückgezogen",
		"Nichtöffentlicher Teil", "N1 Grundstücksankauf Müllerstraße 12",
		"Der Ankauf des Grundstücks Müllerstraße 12 zum Preis von 1,2 Mio. € wird beschlossen.",
		"Abstimmung: 35 Ja-Stimmen, 5 Nein-Stimmen, 0 Enthaltungen",
		"Anmerkungen der Geschäftsstelle", "Die Sitzung wurde von 18:10 bis 18:25 Uhr unterbrochen.",
		"Stadträtin Vogt nahm an TOP 9 wegen Befangenheit nicht teil.",
		"ENTWURF – nicht genehmigt", "Entwurf, nicht genehmigt", "Entwurf: Die Niederschrift ist noch nicht genehmigt.",
	)
	inOrder(t, "minutes", flat, "Digitalisierung im Quadrat", "Ergebnis: Beschlossen", "Bebauungsplan",
		"Anmerkungen der Geschäftsstelle", "Entwurf: Die Niederschrift")
	footers(t, "minutes", pages)
	if len(pages) < 2 {
		t.Errorf("thirteen items with their results fit on %d page", len(pages))
	}

	m.Status, m.MinutesApprovedAt = meeting.StatusMinutesApproved, ptr(at(time.October, 26, 18, 30))
	flat, _ = text(t, MinutesPDF, m)
	contains(t, "approved minutes", flat, "genehmigt am 26.10.2027", "Die Niederschrift wurde am 26.10.2027 genehmigt.")
	if strings.Contains(flat, "Entwurf") || strings.Contains(flat, "ENTWURF") {
		t.Errorf("approved minutes are marked as a draft:\n%s", flat)
	}
}

func TestPublicMinutesHideTheNonPublicPart(t *testing.T) {
	m := council()
	m.Status, m.MinutesApprovedAt, m.MinutesPublishedAt = meeting.StatusPublished,
		ptr(at(time.October, 26, 18, 30)), ptr(at(time.October, 27, 9, 0))
	full, _ := text(t, MinutesPDF, m)
	public, _ := text(t, MinutesPDF, m.PublicView())
	secrets := []string{"Grundstücksankauf", "Müllerstraße", "1,2 Mio.", "35 Ja-Stimmen", "V130/2027",
		"Personalangelegenheit", "Vertraulich"}
	contains(t, "full minutes", full, secrets...)
	for _, s := range secrets {
		if strings.Contains(public, s) {
			t.Errorf("the public minutes show %q of the non-public part:\n%s", s, public)
		}
	}
	contains(t, "public minutes", public, "Nichtöffentlicher Teil",
		"N1 Nichtöffentlicher Tagesordnungspunkt", "N2 Nichtöffentlicher Tagesordnungspunkt",
		"1 Digitalisierung im Quadrat", "Ergebnis: Beschlossen", "SPD-Fraktion: 12 Ja, 0 Nein, 1 Enthaltung",
		"Veröffentlicht am 27.10.2027.")
}

func TestMeetingPDFsAreDeterministic(t *testing.T) {
	for name, render := range map[string]func(meeting.Meeting, string, Names) ([]byte, error){
		"invitation": InvitationPDF, "minutes": MinutesPDF,
	} {
		a, err := render(council(), "Gemeinderat", councilNames)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // a clock in the output would show now
		b, err := render(council(), "Gemeinderat", councilNames)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("the same meeting renders to a different %s", name)
		}
		changed := council()
		changed.Agenda[0].Title += " (neu)"
		c, err := render(changed, "Gemeinderat", councilNames)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, c) {
			t.Errorf("a changed meeting renders to the same %s", name)
		}
		if _, err := render(meeting.Meeting{}, "", Names{}); err != nil {
			t.Errorf("the %s of the zero meeting: %v", name, err)
		}
	}
}

func TestMeetingTextOutsideCP1252(t *testing.T) {
	m := council()
	m.Agenda[0].Title = "Łódź 🚲 π\x00\x07 ok\xff"
	m.Agenda[0].ResolutionText = "Tab\tund\r\nZeilenumbruch " + strings.Repeat("Unteilbar", 60)
	for name, render := range map[string]func(meeting.Meeting, string, Names) ([]byte, error){
		"invitation": InvitationPDF, "minutes": MinutesPDF,
	} {
		flat, _ := text(t, render, m)
		contains(t, name, flat, "1 ?ód? ? ? ok?", "2 Bebauungsplan „Östliche Straße“ – Satzungsbeschluss")
		if name == "minutes" {
			contains(t, name, flat, "Tab und Zeilenumbruch", "UnteilbarUnteilbar")
		}
	}
}

func TestMeetingOrganizationIDs(t *testing.T) {
	got := strings.Join(MeetingOrganizationIDs(council()), " ")
	if got != "gr spd cdu aut" {
		t.Errorf("organizations named: %q", got)
	}
}
