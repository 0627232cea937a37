package motion

import (
	"slices"
	"testing"
)

// fieldErrors lists a refusal's field errors as "field: message".
func fieldErrors(e *Error) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+": "+f.Message)
	}
	return out
}

// atCouncil brings a motion to its decisive consultation c2 in the council.
func atCouncil(t *testing.T) *Motion {
	t.Helper()
	m := inConsultation(t)
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval}})
	do(t, m, clerk, Schedule{ConsultationID: "c2", MeetingID: "gr-1"})
	return m
}

// TestResultMustFitItsTally: under the majority rule of § 37 Abs. 6 GemO BW
// a result that states a decision must fit its tally (abstentions do not
// count, a tie is a rejection); the refusal names the result.
func TestResultMustFitItsTally(t *testing.T) {
	const (
		notCarried  = "result: Ein Beschluss braucht mehr Ja- als Nein-Stimmen; bei Stimmengleichheit ist der Antrag abgelehnt."
		carried     = "result: Mit mehr Ja- als Nein-Stimmen ist der Antrag angenommen, nicht abgelehnt."
		notRecommed = "result: Eine Empfehlung zur Zustimmung braucht mehr Ja- als Nein-Stimmen; bei Stimmengleichheit ist die Zustimmung nicht empfohlen."
		recommended = "result: Mit mehr Ja- als Nein-Stimmen ist die Zustimmung empfohlen, nicht die Ablehnung."
	)
	for _, tc := range []struct {
		name     string
		decisive bool
		in       ResultInput
		want     string // "" accepted
	}{
		{"adopted with 10 yes and 20 no", true, ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 10, No: 20}}, notCarried},
		{"adopted amended on a tie", true, ResultInput{Result: ResultAdoptedAmended, Vote: &Vote{Yes: 15, No: 15}}, notCarried},
		{"adopted on a tie", true, ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 15, No: 15, Abstain: 3}}, notCarried},
		{"rejected on a tie", true, ResultInput{Result: ResultRejected, Vote: &Vote{Yes: 15, No: 15}}, ""},
		{"rejected with more yes", true, ResultInput{Result: ResultRejected, Vote: &Vote{Yes: 20, No: 10}}, carried},
		{"adopted, abstentions do not count", true, ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 3, No: 2, Abstain: 40}}, ""},
		{"adopted unanimously without numbers", true, ResultInput{Result: ResultAdopted, Vote: &Vote{Unanimous: true}}, ""},
		{"noted whatever the tally", true, ResultInput{Result: ResultNoted, Vote: &Vote{Yes: 1, No: 20}}, ""},
		{"approval recommended with more no", false, ResultInput{Result: ResultRecommendApproval, Vote: &Vote{Yes: 4, No: 7}}, notRecommed},
		{"amended approval recommended on a tie", false, ResultInput{Result: ResultRecommendAmended, Vote: &Vote{Yes: 5, No: 5}}, notRecommed},
		{"rejection recommended with more yes", false, ResultInput{Result: ResultRecommendRejection, Vote: &Vote{Yes: 7, No: 4}}, recommended},
		{"rejection recommended on a tie", false, ResultInput{Result: ResultRecommendRejection, Vote: &Vote{Yes: 5, No: 5}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, id := inConsultation(t), "c1"
			if tc.decisive {
				m, id = atCouncil(t), "c2"
			}
			cmd := RecordResult{ConsultationID: id, ResultInput: tc.in}
			if tc.want == "" {
				do(t, m, clerk, cmd)
				return
			}
			e := refused(t, m, clerk, cmd, CodeInvalid)
			if got := fieldErrors(e); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("refused with %q, want %q", got, tc.want)
			}
		})
	}

	// A correction must fit its tally too.
	m := atCouncil(t)
	do(t, m, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultRejected, Vote: &Vote{Yes: 15, No: 15}}})
	e := refused(t, m, clerk, CorrectResult{ConsultationID: "c2", Reason: "Zählfehler",
		ResultInput: ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 15, No: 15}}}, CodeInvalid)
	if got := fieldErrors(e); !slices.Equal(got, []string{notCarried}) {
		t.Errorf("correction refused with %q, want %q", got, notCarried)
	}
	do(t, m, clerk, CorrectResult{ConsultationID: "c2", Reason: "Zählfehler",
		ResultInput: ResultInput{Result: ResultAdopted, Vote: &Vote{Yes: 16, No: 14}}})
}

// TestVoteNamesNobodyTwice: a named vote lists each person once (by person
// id, else by name), and a per-faction tally each faction once.
func TestVoteNamesNobodyTwice(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Vote
		want []string
	}{
		{"a person id twice", Vote{Yes: 2, Named: []NamedVote{
			{PersonID: "p1", Name: "Erika Muster", Vote: "yes"}, {PersonID: "p1", Name: "E. Muster", Vote: "yes"}}},
			[]string{"vote.named[1].person_id: Die 2. namentliche Stimme nennt eine Person, die schon abgestimmt hat."}},
		{"a name twice", Vote{Yes: 2, No: 1, Named: []NamedVote{
			{Name: "Erika Muster", Vote: "yes"}, {Name: "Max Mann", Vote: "no"}, {Name: "erika  muster", Vote: "yes"}}},
			[]string{"vote.named[2].name: Die 3. namentliche Stimme nennt eine Person, die schon abgestimmt hat."}},
		{"a faction twice", Vote{Yes: 3, ByFaction: []FactionVote{{OrganizationID: "spd", Yes: 1}, {OrganizationID: "spd", Yes: 2}}},
			[]string{"vote.by_faction[1].organization_id: Die Fraktion in Zeile 2 der Fraktionsstimmen ist schon genannt."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := inConsultation(t)
			v := tc.v
			e := refused(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval, Vote: &v}}, CodeInvalid)
			if got := fieldErrors(e); !slices.Equal(got, tc.want) {
				t.Errorf("refused with %q, want %q", got, tc.want)
			}
		})
	}
	// Namesakes with their own person ids are two people.
	m := inConsultation(t)
	do(t, m, clerk, RecordResult{ConsultationID: "c1", ResultInput: ResultInput{Result: ResultRecommendApproval, Vote: &Vote{Yes: 2,
		Named: []NamedVote{{PersonID: "p1", Name: "Max Mann", Vote: "yes"}, {PersonID: "p2", Name: "Max Mann", Vote: "yes"}}}}})
}

// TestOutcomeWithoutMeetingCanBeCorrected: an outcome the council office
// recorded directly belongs to no consultation; a correction names it as
// OutcomeConsultation, stays a final outcome and carries no vote.
func TestOutcomeWithoutMeetingCanBeCorrected(t *testing.T) {
	m := inConsultation(t)
	refused(t, m, clerk, CorrectResult{ConsultationID: OutcomeConsultation, Reason: "x", ResultInput: ResultInput{Result: ResultRejected}}, CodeInvalid)
	do(t, m, clerk, RecordOutcome{Result: ResultAdopted, Note: "im Umlaufverfahren"})
	do(t, m, clerk, StartImplementation{})
	for _, tc := range []struct {
		in   ResultInput
		want []string
	}{
		{ResultInput{Result: ResultPostponed}, []string{"result: Dieses Ergebnis schließt einen Antrag nicht ab."}},
		{ResultInput{Result: ResultRejected, Vote: &Vote{Yes: 1, No: 2}}, []string{"vote: Ein ohne Beratung festgestelltes Ergebnis hat keine Abstimmung."}},
		{ResultInput{Result: ResultSettledByOtherResolutions}, []string{
			"links: Das Ergebnis „erledigt durch andere Beschlüsse“ nennt mindestens einen erledigenden Beschluss; bitte geben Sie sein Aktenzeichen oder seine Adresse an.",
			"originator_agreed: Bitte geben Sie an, ob die Antragsteller der Erledigung durch andere Beschlüsse zugestimmt haben (Ja oder Nein)."}},
	} {
		e := refused(t, m, clerk, CorrectResult{ConsultationID: OutcomeConsultation, Reason: "x", ResultInput: tc.in}, CodeInvalid)
		if got := fieldErrors(e); !slices.Equal(got, tc.want) {
			t.Errorf("%s: refused with %q, want %q", tc.in.Result, got, tc.want)
		}
	}
	ev := do(t, m, clerk, CorrectResult{ConsultationID: OutcomeConsultation, Reason: "Falsch übertragen",
		ResultInput: ResultInput{Result: ResultRejected, Note: "abgelehnt"}})
	if m.Outcome.Result != ResultRejected || m.Outcome.Note != "abgelehnt" || m.Outcome.ConsultationID != "" || ev.Reason != "Falsch übertragen" {
		t.Fatalf("after correction: outcome %+v, event %+v", m.Outcome, ev)
	}
	if ev.Summary != "Korrektur des Ergebnisses: Beschlossen → Abgelehnt" {
		t.Errorf("summary %q", ev.Summary)
	}

	// An outcome of a consultation is corrected through its consultation.
	d := atCouncil(t)
	do(t, d, clerk, RecordResult{ConsultationID: "c2", ResultInput: ResultInput{Result: ResultAdopted}})
	e := refused(t, d, clerk, CorrectResult{ConsultationID: OutcomeConsultation, Reason: "x", ResultInput: ResultInput{Result: ResultRejected}}, CodeInvalid)
	if got := fieldErrors(e); !slices.Equal(got, []string{"consultation_id: Der Antrag hat kein ohne Beratung festgestelltes Ergebnis."}) {
		t.Errorf("refused with %q", got)
	}
}
