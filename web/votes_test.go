package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var spaces = regexp.MustCompile(`\s+`)

// TestPublicSeesVotes: the public reads the vote of a recorded result on
// the motion's page and on the meeting's page: the tally (absent members
// too), each faction's share by the faction's name, and the named votes.
func TestPublicSeesVotes(t *testing.T) {
	e := newEnv(t)
	gr := e.councilMeeting()
	id := e.createDraftWith("spd", url.Values{"title": {"Mehr Bänke am Neckar"}, "resolution_points": {"Bänke aufstellen."}})
	e.scheduled("spd", id, gr)
	must(t, e.act("office", id, "record_result", url.Values{"consultation_id": {"c1"}, "result": {"adopted"},
		"vote.yes": {"2"}, "vote.no": {"1"}, "vote.abstain": {"1"}, "vote.absent": {"1"},
		"fv.yes.spd": {"2"}, "fv.no.spd": {"0"}, "fv.abstain.spd": {"0"},
		"fv.yes.cdu": {"0"}, "fv.no.cdu": {"1"}, "fv.abstain.cdu": {"1"},
		"vote.named": {"Eva Muster: ja\nOtto Beispiel: ja\nCarla Contra: nein\nEmil Enthalter: Enthaltung\nFrida Fern: abwesend"}}),
		200, "Das Beratungsergebnis wurde erfasst.")

	for _, path := range []string{"/antraege/" + id, "/sitzungen/" + gr} {
		p := e.get("", path)
		p.Body = spaces.ReplaceAllString(p.Body, " ")
		must(t, p, 200,
			"<div><dt>Ja</dt><dd>2</dd></div>", "<div><dt>Nein</dt><dd>1</dd></div>",
			"<div><dt>Enthaltungen</dt><dd>1</dd></div>", "<div><dt>Abwesend</dt><dd>1</dd></div>",
			"<caption>Stimmen je Fraktion</caption>",
			`<tr><th scope="row">SPD-Gemeinderatsfraktion</th><td data-label="Ja">2</td><td data-label="Nein">0</td><td data-label="Enthaltung">0</td></tr>`,
			`<tr><th scope="row">CDU-Gemeinderatsfraktion</th><td data-label="Ja">0</td><td data-label="Nein">1</td><td data-label="Enthaltung">1</td></tr>`,
			"<caption>Namentliche Abstimmung</caption>",
			`<tr><th scope="row">Eva Muster</th><td data-label="Stimme">Ja</td></tr>`,
			`<tr><th scope="row">Carla Contra</th><td data-label="Stimme">Nein</td></tr>`,
			`<tr><th scope="row">Emil Enthalter</th><td data-label="Stimme">Enthaltung</td></tr>`,
			`<tr><th scope="row">Frida Fern</th><td data-label="Stimme">abwesend</td></tr>`)
		if strings.Count(p.Body, "<caption>Namentliche Abstimmung</caption>") != 1 {
			t.Errorf("%s shows the named vote %d times", path, strings.Count(p.Body, "<caption>Namentliche Abstimmung</caption>"))
		}
	}
}
