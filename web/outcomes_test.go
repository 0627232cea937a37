package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// petersen is faction staff whose display name already names the faction,
// as the identity provider of the development stack sends it.
var petersen = motion.Actor{Issuer: "https://idp.test", Subject: "petersen", Name: "Sabine Petersen (SPD-Fraktion)",
	Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}

func init() { testUsers["petersen"] = petersen }

// createDraftWith makes a draft through the editor with extra fields.
func (e *env) createDraftWith(user string, fields url.Values) string {
	e.t.Helper()
	form := e.get(user, "/antraege/neu")
	v := url.Values{"key": {hidden(e.t, form.Body, "/antraege/neu", "key")}, "draft": {hidden(e.t, form.Body, "/antraege/neu", "draft")},
		"body_id": {"ma"}, "kind": {"motion"}, "op": {"save"}}
	for k, vs := range fields {
		v[k] = vs
	}
	p := e.post(user, "/antraege/neu", v)
	must(e.t, p, 200, "Der Entwurf wurde angelegt.")
	m := motionURL.FindStringSubmatch(p.URL)
	if m == nil {
		e.t.Fatalf("not redirected to the motion: %s", p.URL)
	}
	return m[1]
}

// councilMeeting creates a meeting of the council and returns its id.
func (e *env) councilMeeting() string {
	e.t.Helper()
	// A session of last month, entered after the fact: results can be recorded.
	day := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	must(e.t, e.post("office", "/sitzungen", url.Values{"body_id": {"ma"}, "organization_id": {"gr"}, "name": {"Sitzung des Gemeinderats"},
		"date": {day}, "start": {"16:00"}}), 200, "Die Sitzung wurde angelegt.")
	ms, _, err := e.st.Meetings(e.t.Context(), store.MeetingFilter{})
	if err != nil || len(ms) == 0 {
		e.t.Fatalf("meetings %v %v", ms, err)
	}
	return ms[len(ms)-1].ID
}

// scheduled takes a draft through submission and registration to a
// consultation (c1) in the council's meeting.
func (e *env) scheduled(user, id, meeting string) {
	e.t.Helper()
	must(e.t, e.act(user, id, "submit", nil), 200, "Der Antrag wurde eingereicht.")
	must(e.t, e.act("office", id, "register", nil), 200, "Der Antrag wurde registriert.")
	must(e.t, e.act("office", id, "set_route", url.Values{"steps": {"gr"}, "decisive": {"0"}}), 200, "Die Beratungsfolge wurde festgelegt.")
	must(e.t, e.act("office", id, "schedule", url.Values{"consultation_id": {"c1"}, "meeting_id": {meeting},
		"override": {"Nacherfassung der Sitzung"}}), 200, "Die Beratung wurde eingeplant.")
}

// decide records the council's result.
func (e *env) decide(id string, result motion.Result) {
	e.t.Helper()
	yes, no := "20", "10"
	if result == motion.ResultRejected { // a tally that fits the result
		yes, no = no, yes
	}
	must(e.t, e.act("office", id, "record_result", url.Values{"consultation_id": {"c1"}, "result": {string(result)},
		"vote.yes": {yes}, "vote.no": {no}, "vote.abstain": {"0"}}), 200, "Das Beratungsergebnis wurde erfasst.")
}

var tagHref = regexp.MustCompile(`<a href="(/antraege\?schlagwort=[^"]*)">`)

func TestKeywordWithUmlautLeadsToItsMotions(t *testing.T) {
	e := newEnv(t)
	const tag = "Mobilität und Digitalisierung"
	id := e.createDraftWith("spd", url.Values{"title": {"Mobilitätsstationen im Quartier"}, "resolution_points": {"Stationen bauen."},
		"tags": {tag + "\nVerkehr"}})
	must(t, e.act("spd", id, "submit", nil), 200)

	p := e.get("", "/antraege/"+id)
	must(t, p, 200, tag)
	m := tagHref.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no keyword link on the motion's page")
	}
	link := html.UnescapeString(m[1])
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Query().Get("schlagwort"); got != tag {
		t.Fatalf("the keyword link %s decodes to %q, want %q", m[1], got, tag)
	}
	list := e.get("", link)
	must(t, list, 200, "Anträge mit Schlagwort „"+tag+"“", "Mobilitätsstationen im Quartier", `href="/antraege/`+id+`"`)
}

func TestOutcomeBadgesAndFilter(t *testing.T) {
	e := newEnv(t)
	gr := e.councilMeeting()
	adopted := e.createDraftWith("spd", url.Values{"title": {"Mehr Bänke am Neckar"}, "resolution_points": {"Bänke aufstellen."}})
	rejected := e.createDraftWith("cdu", url.Values{"title": {"Parkhaus am Rathaus"}, "resolution_points": {"Parkhaus bauen."}})
	open := e.createDraftWith("spd", url.Values{"title": {"Trinkbrunnen in der Innenstadt"}, "resolution_points": {"Brunnen bauen."}})
	e.scheduled("spd", adopted, gr)
	e.scheduled("cdu", rejected, gr)
	must(t, e.act("spd", open, "submit", nil), 200)
	e.decide(adopted, motion.ResultAdopted)
	e.decide(rejected, motion.ResultRejected)

	// The list shows each outcome with its own badge and label.
	all := e.get("", "/antraege")
	must(t, all, 200, "Alle Anträge", `class="ergebnismarke ergebnis-adopted">Beschlossen`, `class="ergebnismarke ergebnis-rejected">Abgelehnt`,
		`<option value="rejected">Abgelehnt</option>`)
	// The meeting's page too.
	must(t, e.get("", "/sitzungen/"+gr), 200, `ergebnis-adopted">Beschlossen`, `ergebnis-rejected">Abgelehnt`)

	// Filtered by outcome: only those, and the heading says so.
	only := e.get("", "/antraege?ergebnis=rejected")
	must(t, only, 200, "Abgelehnte Anträge", "Parkhaus am Rathaus", `<option value="rejected" selected>`)
	for _, other := range []string{"Mehr Bänke am Neckar", "Trinkbrunnen in der Innenstadt", "Alle Anträge"} {
		if strings.Contains(only.Body, other) {
			t.Errorf("the list of rejected motions shows %q", other)
		}
	}
	only = e.get("", "/antraege?ergebnis=adopted")
	must(t, only, 200, "Beschlossene Anträge", "Mehr Bänke am Neckar")
	if strings.Contains(only.Body, "Parkhaus am Rathaus") {
		t.Error("the list of adopted motions shows a rejected one")
	}
	must(t, e.get("", "/antraege?ergebnis=vielleicht"), 400, "Dieses Ergebnis gibt es nicht.", `aria-invalid="true"`)
}

func TestListHeadingDateRangeAndFavicon(t *testing.T) {
	e := newEnv(t)
	must(t, e.get("", "/antraege"), 200, `<h2 id="h-treffer">Alle Anträge</h2>`)
	must(t, e.get("", "/antraege?q=Neckar"), 200, `<h2 id="h-treffer">Suche nach „Neckar“</h2>`)
	must(t, e.get("", "/antraege?schlagwort=Mobilit%C3%A4t"), 200, `<h2 id="h-treffer">Anträge mit Schlagwort „Mobilität“</h2>`)
	must(t, e.get("", "/antraege?q=Neckar&ergebnis=rejected&kind=inquiry"), 200,
		`<h2 id="h-treffer">Suche nach „Neckar“: Abgelehnte Anträge der Art „Anfrage“</h2>`)
	must(t, e.get("", "/antraege?von=2026-03-01&bis=2026-03-31"), 200, "Anträge eingereicht vom 01.03.2026 bis 31.03.2026")

	// From after to: a hint at the field, no empty list.
	bad := e.get("", "/antraege?von=2026-03-10&bis=2026-03-01")
	must(t, bad, 400, "Das Ende des Zeitraums (01.03.2026) liegt vor seinem Anfang (10.03.2026).",
		`id="f-search-bis-fehler"`, `aria-describedby="f-search-bis-fehler"`, `href="#f-search-bis"`)
	if strings.Contains(bad.Body, "Keine Anträge gefunden.") {
		t.Error("an impossible range still answers an empty list")
	}
	// The same day for both is a range of one day.
	must(t, e.get("", "/antraege?von=2026-03-10&bis=2026-03-10"), 200)

	ico := e.get("", "/favicon.ico")
	must(t, ico, 200)
	if ct := ico.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/") || !strings.HasPrefix(ico.Body, "\x00\x00\x01\x00") {
		t.Fatalf("/favicon.ico: %s, %q", ct, ico.Body[:min(8, len(ico.Body))])
	}
	must(t, e.get("", "/"), 200, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`)
	must(t, e.get("", "/static/favicon.svg"), 200, "<svg")
}

var tags = regexp.MustCompile(`(?s)<[^>]*>`)

// visibleText is the page's main content as text, without markup.
func visibleText(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	return html.UnescapeString(tags.ReplaceAllString(body, " "))
}

func TestPublicPagesShowNoInternalValues(t *testing.T) {
	e := newEnv(t)
	gr := e.councilMeeting()
	id := e.createDraftWith("petersen", url.Values{"title": {"Digitalisierung im Quadrat"}, "resolution_points": {"Punkt eins."}})
	edit := e.get("petersen", "/antraege/"+id+"/bearbeiten")
	action := "/antraege/" + id + "/bearbeiten"
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	must(t, e.multipart("petersen", action, url.Values{"version": {hidden(t, edit.Body, action, "version")}, "key": {hidden(t, edit.Body, action, "key")},
		"title": {"Digitalisierung im Quadrat"}, "resolution_points": {"Punkt eins."}, "op": {"save"}},
		map[string][]byte{"antrag.pdf": pdf}), 200, "antrag.pdf")
	e.scheduled("petersen", id, gr)

	check := func(what string) {
		t.Helper()
		p := e.get("", "/antraege/"+id)
		must(t, p, 200, "Beratung im Gremium „Gemeinderat“ eingeplant: Sitzung „Sitzung des Gemeinderats“ (")
		text := visibleText(p.Body)
		if regexp.MustCompile(`\bc\d+\b`).MatchString(text) {
			t.Errorf("%s: the public page names a consultation by its id", what)
		}
		for _, internal := range []string{"Version ", "SHA-256", "(Fraktion)", ", Fraktion, Fraktion"} {
			if strings.Contains(text, internal) {
				t.Errorf("%s: the public page shows %q", what, internal)
			}
		}
	}
	check("scheduled")
	e.decide(id, motion.ResultAdopted)
	check("decided")

	// The faction's own view names its member once with her faction, no
	// role appended to a name that already says it.
	own := e.get("petersen", "/antraege/"+id)
	must(t, own, 200, "Sabine Petersen (SPD-Fraktion)")
	for _, doubled := range []string{"(SPD-Fraktion) (Fraktion)", "(SPD-Fraktion), Fraktion"} {
		if strings.Contains(own.Body, doubled) {
			t.Errorf("the faction's page doubles the role: %q", doubled)
		}
	}
	// The council office still has the version and the checksum.
	must(t, e.get("office", "/antraege/"+id), 200, "(Version ", "SHA-256: ")
}

func TestPrintViewOfADraftSaysSo(t *testing.T) {
	e := newEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "Punkt eins.")
	p := e.get("spd", "/antraege/"+id+"/druck")
	today := time.Now().In(time.FixedZone("", 0)).Format("2006")
	must(t, p, 200, "<title>Entwurf: Digitalisierung im Quadrat", `class="entwurf-marke"`, "<strong>Entwurf</strong> – noch nicht eingereicht, Stand ",
		"Status: Entwurf", ", Stand ", today)
	must(t, e.act("spd", id, "submit", nil), 200)
	p = e.get("", "/antraege/"+id+"/druck")
	must(t, p, 200, "Status: Eingereicht", "<title>Antrag: Digitalisierung im Quadrat")
	if strings.Contains(p.Body, "entwurf-marke") {
		t.Error("a submitted motion is printed as a draft")
	}
}

func TestConsentNeedsAnExplicitChoiceAndSubmitErrorLeadsToTheEditor(t *testing.T) {
	e := newEnv(t)
	gr := e.councilMeeting()
	other := e.createDraftWith("cdu", url.Values{"title": {"Digitalstrategie"}, "resolution_points": {"Strategie vorlegen."}})
	must(t, e.act("cdu", other, "submit", nil), 200)
	id := e.createDraftWith("spd", url.Values{"title": {"Digitalisierung im Quadrat"}, "resolution_points": {"Punkt eins."}})
	e.scheduled("spd", id, gr)

	// Nothing is chosen for the consent question before the user chooses.
	page := e.get("office", "/antraege/"+id)
	must(t, page, 200, "Haben die Antragsteller der Erledigung zugestimmt?", "(Pflichtangabe bei „Erledigt durch andere Beschlüsse“)",
		"Trifft nicht zu")
	if regexp.MustCompile(`name="originator_agreed" value="[^"]*" checked`).MatchString(page.Body) {
		t.Error("the consent question has a preselected answer")
	}
	if strings.Contains(page.Body, "Keine Angabe") {
		t.Error("the consent question still offers „Keine Angabe“")
	}
	// Without an answer, or with "does not apply", erledigt is refused with
	// one sentence at the question.
	sentence := "Bitte geben Sie an, ob die Antragsteller der Erledigung durch andere Beschlüsse zugestimmt haben (Ja oder Nein)."
	for _, agreed := range [][]string{nil, {"entfaellt"}} {
		v := url.Values{"consultation_id": {"c1"}, "result": {"settled_by_other_resolutions"}, "link.reference": {"A1/2026"}}
		if agreed != nil {
			v["originator_agreed"] = agreed
		}
		res := e.act("office", id, "record_result", v)
		must(t, res, 422, `<span class="vh">Fehler: </span>`+sentence, "Zustimmung der Antragsteller: "+sentence)
		if !regexp.MustCompile(`id="[^"]*originator-agreed-fehler"><span class="vh">Fehler: </span>` + regexp.QuoteMeta(sentence)).MatchString(res.Body) {
			t.Errorf("answer %v: the sentence is not at the consent question", agreed)
		}
		if agreed != nil && !strings.Contains(res.Body, `value="entfaellt" checked`) {
			t.Error("the refused form lost the choice")
		}
	}

	// Submitting a draft without resolution points: the message links to
	// the editor's resolution points, not to the submit box.
	empty := e.createDraftWith("spd", url.Values{"title": {"Noch ohne Punkte"}})
	res := e.act("spd", empty, "submit", nil)
	must(t, res, 422, "Der Antrag braucht mindestens einen Beschlusspunkt.",
		`<a href="/antraege/`+empty+`/bearbeiten#editor-resolution-points">Beschlusspunkte: Der Antrag braucht mindestens einen Beschlusspunkt. (im Entwurf bearbeiten)</a>`)
	must(t, e.get("spd", "/antraege/"+empty+"/bearbeiten"), 200, `id="editor-resolution-points"`)
}
