package e2e

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chromedp/chromedp"
	"github.com/motionflow/motionflow/motion"
)

// TestWhatUsersSeeOutcomesKeywordsAndErrors drives the pages in Chromium as
// the public, the council office and the faction's staff use them, and
// asserts what they read:
//
//   - outcomes: adopted, rejected and settled by other resolutions carry
//     badges of their own (label, class and colour) in the list and on the
//     meeting's page, a withdrawn motion its own status; the list's outcome
//     filter, chosen in the search form, shows exactly the matching motions
//     under a heading that says what is filtered;
//   - a keyword with an umlaut leads from the motion's page to the list of
//     its motions (escaped once) and back;
//   - every refusal is one complete German sentence at the input it
//     concerns, tied to it (aria-describedby, aria-invalid), listed in the
//     form's summary with a link to that input, without English or technical
//     fragments, and the form keeps what was typed: the consent question of
//     „erledigt durch andere Beschlüsse“ (no preset answer), an impossible
//     date range in the search, an empty title and an empty resolution point
//     in the editor, the editing conflict, an action on a page that another
//     user changed meanwhile, and submitting a draft without resolution
//     points (the message leads to the editor's field);
//   - /favicon.ico is served, and the print view of a draft says "Entwurf"
//     with its date and status.
//
// axe-core runs on every page, the error states included.
func TestWhatUsersSeeOutcomesKeywordsAndErrors(t *testing.T) {
	w := newWebHarness(t)
	b := w.b

	// The data set, over the API: one council meeting that has taken place
	// (its results can be recorded; scheduling into it needs the reason for
	// entering it after the fact) …
	gr := w.meeting("gr-ergebnisse", council, "Sitzung des Gemeinderats", time.Now().In(berlin).AddDate(0, 0, -14))
	decided := func(u user, title string, tags []string, result motion.Result, yes, no int) motionView {
		t.Helper()
		m := w.create(u, motion.KindMotion, map[string]any{"title": title, "tags": tags,
			"resolution_points": []string{"Die Verwaltung wird beauftragt, ein Konzept vorzulegen."}})
		w.run(u, m.ID, motion.CmdSubmit, nil)
		w.run(w.Office, m.ID, motion.CmdRegister, nil)
		w.run(w.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": council, "decisive": true}}})
		m = w.run(w.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": gr,
			"override": "Nacherfassung: die Sitzung wurde nachträglich erfasst."})
		if result != "" {
			m = w.run(w.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": result,
				"vote": map[string]any{"yes": yes, "no": no, "abstain": 0}})
		}
		return m
	}
	// … an adopted and a rejected motion, one the council settles by
	// another resolution on the meeting's page below, and the motion whose
	// resolution settles it …
	adopted := decided(w.SPD, "Mehr Bänke am Neckarufer", nil, motion.ResultAdopted, 30, 14)
	rejected := decided(w.CDU, "Parkhaus am Rathaus", []string{"Verkehr"}, motion.ResultRejected, 14, 30)
	settled := decided(w.SPD, "Mobilitätsstationen im Quartier", []string{"Mobilität", "Verkehr"}, "", 0, 0)
	other := w.create(w.CDU, motion.KindMotion, draftContent("Mobilitätskonzept für die Innenstadt"))
	w.run(w.CDU, other.ID, motion.CmdSubmit, nil)
	other = w.run(w.Office, other.ID, motion.CmdRegister, nil)
	// … a motion its faction withdrew, and two drafts of the SPD: one
	// without resolution points, one to be edited by two people at once.
	withdrawn := w.create(w.SPD, motion.KindMotion, draftContent("Trinkbrunnen in den Quadraten"))
	w.run(w.SPD, withdrawn.ID, motion.CmdSubmit, nil)
	w.run(w.SPD, withdrawn.ID, motion.CmdWithdraw, map[string]any{"reason": "Die Stadt stellt die Brunnen bereits auf."})
	empty := w.create(w.SPD, motion.KindMotion, map[string]any{"title": "Schulwegsicherung ohne Beschlusspunkte"})
	shared := w.create(w.SPD, motion.KindMotion, draftContent("Sanierungsfahrplan für die Grundschulen"))

	// 1. The council office settles a motion by another resolution on the
	//    meeting's page. The consent question has no preset answer; without
	//    one, the result is refused with one sentence at the question.
	w.login(webOffice)
	b.open("/sitzungen/" + gr)
	form := `form[action="/antraege/` + settled.ID + `/aktionen/record_result"] `
	if got := b.eval(`String(document.querySelectorAll('` + form + `input[name=originator_agreed]:checked').length)`); got != "0" {
		t.Fatalf("the consent question has %s answer(s) checked before the user chose", got)
	}
	if strings.Contains(b.text(), "Keine Angabe") {
		t.Error("the consent question still offers „Keine Angabe“")
	}
	b.fill(form+`select[name=result]`, string(motion.ResultSettledByOtherResolutions))
	b.fill(form+`input[name="link.reference"]`, other.Reference)
	b.click(form + `button[type=submit]`)
	consent := "Bitte geben Sie an, ob die Antragsteller der Erledigung durch andere Beschlüsse zugestimmt haben (Ja oder Nein)."
	w.refusal(form, "Die Angaben sind unvollständig oder ungültig.", map[string]string{
		form + `fieldset:has(> .check input[name=originator_agreed])`: consent,
	}, "Zustimmung der Antragsteller: "+consent)
	if got := b.eval(`document.querySelector('` + form + `input[name="link.reference"]').value`); got != other.Reference {
		t.Fatalf("the refused form lost the settling resolution: %q", got)
	}
	b.checkA11y("Sitzung (Zustimmung fehlt)")
	b.clickHere(form + `input[name=originator_agreed][value=ja]`)
	b.click(form + `button[type=submit]`)
	b.must("Das Beratungsergebnis wurde erfasst.")
	w.logout()

	// 2. The public: each outcome has a badge of its own, in the list …
	want := map[string]listRow{
		adopted.ID:   {Status: "Entschieden", Badge: "Beschlossen", BadgeClass: "ergebnis-adopted"},
		rejected.ID:  {Status: "Entschieden", Badge: "Abgelehnt", BadgeClass: "ergebnis-rejected"},
		settled.ID:   {Status: "Entschieden", Badge: "Erledigt durch andere Beschlüsse", BadgeClass: "ergebnis-settled_by_other_resolutions"},
		withdrawn.ID: {Status: "Zurückgezogen", StatusClass: "status-withdrawn"},
		other.ID:     {Status: "Registriert"},
	}
	b.open("/antraege")
	if got := b.eval(`document.getElementById("h-treffer").textContent`); got != "Alle Anträge" {
		t.Fatalf("the unfiltered list is headed %q", got)
	}
	w.badges("the list", b.eval(listRowsJS), want)
	b.checkA11y("Anträge (alle)")
	// … and on the meeting's page.
	b.open("/sitzungen/" + gr)
	w.badges("the meeting's page", b.eval(meetingRowsJS), map[string]listRow{
		adopted.ID: want[adopted.ID], rejected.ID: want[rejected.ID], settled.ID: want[settled.ID],
	})

	// The outcome filter, chosen in the search form: exactly the motions
	// with that outcome, under a heading that says so.
	for _, c := range []struct {
		result  motion.Result
		heading string
		only    string
	}{
		{motion.ResultRejected, "Abgelehnte Anträge", rejected.ID},
		{motion.ResultSettledByOtherResolutions, "Durch andere Beschlüsse erledigte Anträge", settled.ID},
		{motion.ResultAdopted, "Beschlossene Anträge", adopted.ID},
	} {
		b.open("/antraege")
		b.fill(`form.suche select[name=ergebnis]`, string(c.result))
		b.click(`form.suche button[type=submit]`)
		if got := b.eval(`new URLSearchParams(location.search).get("ergebnis")`); got != string(c.result) {
			t.Fatalf("the outcome filter sent ergebnis=%q, want %q", got, c.result)
		}
		if got := b.eval(`document.getElementById("h-treffer").textContent`); got != c.heading {
			t.Errorf("the list filtered by %s is headed %q, want %q", c.result, got, c.heading)
		}
		if got := w.listed(); !slices.Equal(got, []string{c.only}) {
			t.Errorf("the list filtered by %s shows %v, want only %s", c.result, got, c.only)
		}
		if got := b.eval(`document.querySelector("form.suche select[name=ergebnis]").value`); got != string(c.result) {
			t.Errorf("after filtering, the outcome filter shows %q", got)
		}
	}
	b.checkA11y("Anträge (nach Ergebnis gefiltert)")

	// 3. A keyword with an umlaut: from the motion's page to the list of its
	//    motions and back to the motion.
	b.open("/antraege/" + settled.ID)
	tag := `ul.schlagworte a[href^="/antraege?schlagwort=Mobilit"]`
	if got := b.eval(`document.querySelector('` + tag + `').textContent`); got != "Mobilität" {
		t.Fatalf("the keyword link reads %q", got)
	}
	href := b.eval(`document.querySelector('` + tag + `').getAttribute("href")`)
	if !strings.EqualFold(href, "/antraege?schlagwort=Mobilit%C3%A4t") {
		t.Fatalf("the keyword link is %s, want the keyword escaped once (/antraege?schlagwort=Mobilit%%C3%%A4t)", href)
	}
	b.click(tag)
	if got := b.eval(`location.pathname + " " + new URLSearchParams(location.search).get("schlagwort")`); got != "/antraege Mobilität" {
		t.Fatalf("the keyword link led to %q", got)
	}
	if got := b.eval(`document.getElementById("h-treffer").textContent`); got != "Anträge mit Schlagwort „Mobilität“" {
		t.Errorf("the list of the keyword is headed %q", got)
	}
	if got := w.listed(); !slices.Equal(got, []string{settled.ID}) {
		t.Errorf("the list of the keyword „Mobilität“ shows %v, want only %s", got, settled.ID)
	}
	if got := b.eval(`document.querySelector("form.suche input[name=schlagwort]").value`); got != "Mobilität" {
		t.Errorf("the search form shows the keyword as %q", got)
	}
	b.checkA11y("Anträge (Schlagwort)")
	b.click(`table.liste a[href="/antraege/` + settled.ID + `"]`)
	if b.path() != "/antraege/"+settled.ID || b.eval(`document.querySelector("h1").textContent`) != "Mobilitätsstationen im Quartier" {
		t.Fatalf("back from the list at %s", b.path())
	}

	// 4. An impossible date range in the search: a hint at the "bis" field,
	//    no empty list.
	b.open("/antraege")
	b.fill(`form.suche input[name=von]`, "2026-03-10")
	b.fill(`form.suche input[name=bis]`, "2026-03-01")
	b.click(`form.suche button[type=submit]`)
	rangeHint := "Das Ende des Zeitraums (01.03.2026) liegt vor seinem Anfang (10.03.2026). Bitte wählen Sie ein Datum ab dem 10.03.2026."
	w.refusal(`form.suche `, "Die Angaben sind unvollständig oder ungültig.", map[string]string{
		`form.suche input[name=bis]`: rangeHint,
	}, "Eingereicht bis: "+rangeHint)
	if strings.Contains(b.text(), "Keine Anträge gefunden.") {
		t.Error("an impossible date range answers an empty list")
	}
	if got := b.eval(`document.querySelector("form.suche input[name=von]").value + " " + document.querySelector("form.suche input[name=bis]").value`); got != "2026-03-10 2026-03-01" {
		t.Errorf("the refused search lost its dates: %q", got)
	}
	b.checkA11y("Anträge (Zeitraum unmöglich)")

	// 5. The browser finds the site's icon where it looks first.
	if got := b.evalAwait(`fetch("/favicon.ico").then(async r => r.status + " " + r.headers.get("Content-Type") + " " + (await r.arrayBuffer()).byteLength)`); !regexp.MustCompile(`^200 image/\S+ [1-9]\d*$`).MatchString(got) {
		t.Errorf("/favicon.ico answers %q", got)
	}

	// 6. The faction's staff: an empty title and an empty second point in
	//    the editor are refused at their inputs; nothing typed is lost.
	w.login(webSPD)
	b.open("/antraege/neu")
	b.clickHere(`button[data-hinzufuegen]`)
	b.clickHere(`button[data-hinzufuegen]`)
	b.fill(`ol[data-punkte] li:nth-child(1) textarea`, "Erster Punkt")
	b.fill(`ol[data-punkte] li:nth-child(3) textarea`, "Dritter Punkt")
	b.fill(`textarea[name=justification]`, "Weil die Schulwege sicherer werden müssen.")
	b.click(`.knoepfe button[value=save]`)
	editor := `form.editor `
	w.refusal(editor, "Die Angaben sind unvollständig oder ungültig.", map[string]string{
		editor + `input[name=title]`:                        "Der Titel fehlt.",
		editor + `ol[data-punkte] li:nth-child(2) textarea`: "Der 2. Beschlusspunkt ist leer.",
	}, "Titel: Der Titel fehlt.", "Beschlusspunkte 2: Der 2. Beschlusspunkt ist leer.")
	if got := b.eval(`[...document.querySelectorAll("textarea[name=resolution_points]")].map(e => e.value).join("|") + "|" + document.querySelector("textarea[name=justification]").value`); got != "Erster Punkt||Dritter Punkt|Weil die Schulwege sicherer werden müssen." {
		t.Errorf("the refused editor lost what was typed: %q", got)
	}
	b.checkA11y("Editor (Titel und Punkt fehlen)")

	// 7. Submitting the draft without resolution points: the message leads
	//    to the editor's resolution points.
	b.open("/antraege/" + empty.ID)
	submit := `form[action$="/aktionen/submit"] `
	b.click(submit + `button[type=submit]`)
	points := "Der Antrag braucht mindestens einen Beschlusspunkt."
	w.refusal(submit, "Die Angaben sind unvollständig oder ungültig.", nil, "Beschlusspunkte: "+points+" (im Entwurf bearbeiten)")
	if got := b.eval(`document.querySelector('` + submit + `.fehlerliste li a').getAttribute("href")`); got != "/antraege/"+empty.ID+"/bearbeiten#editor-resolution-points" {
		t.Fatalf("the message about the missing points links to %q, want the editor's resolution points", got)
	}
	b.checkA11y("Antrag (Einreichen ohne Beschlusspunkte)")
	b.click(submit + `.fehlerliste li a`)
	if got := b.eval(`location.pathname + location.hash + " " + (document.querySelector(":target") || {tagName: "nichts"}).tagName.toLowerCase() + " " + document.querySelector(":target legend").textContent`); got != "/antraege/"+empty.ID+"/bearbeiten#editor-resolution-points fieldset Der Gemeinderat möge beschließen: (Beschlusspunkte)" {
		t.Fatalf("the message's link leads to %q, want the editor's resolution points", got)
	}

	// 8. The print view of a draft says that it is one, with its date and status.
	b.open("/antraege/" + empty.ID + "/druck")
	stand := w.get(w.SPD, empty.ID).UpdatedAt.In(berlin).Format("02.01.2006, 15:04 Uhr")
	if got, want := b.eval(`document.querySelector(".entwurf-marke").textContent`), "Entwurf – noch nicht eingereicht, Stand "+stand; got != want {
		t.Errorf("the draft's print view says %q, want %q", got, want)
	}
	b.must("Status: Entwurf")
	if got := b.eval(`document.title`); !strings.HasPrefix(got, "Entwurf: Schulwegsicherung ohne Beschlusspunkte") {
		t.Errorf("the draft's print view is titled %q", got)
	}
	b.checkA11y("Druckansicht (Entwurf)")

	// 9. Two people edit the same draft: the second save is refused with a
	//    sentence that says what happened and both versions to choose from.
	b.open("/antraege/" + shared.ID + "/bearbeiten")
	colleague := draftContent("Sanierungsfahrplan für die Grundschulen (Fassung der Kollegin)")
	w.run(w.SPD, shared.ID, motion.CmdEdit, colleague)
	b.fill(editor+`input[name=title]`, "Sanierungsfahrplan für die Grundschulen (meine Fassung)")
	b.click(`.knoepfe button[value=save]`)
	w.refusal(editor, "Der Antrag wurde inzwischen geändert, nachdem Sie ihn geöffnet hatten. Ihre Änderungen sind noch nicht gespeichert.", nil,
		"Zwei Fassungen: Bitte vergleichen Sie unten beide Fassungen und entscheiden Sie, welche gelten soll.")
	if got := b.eval(`document.querySelector('` + editor + `.fehlerliste li a').getAttribute("href") + " " + document.getElementById("editor-konflikt").textContent`); got != "#editor-konflikt Zwei Fassungen – bitte entscheiden" {
		t.Errorf("the conflict's message leads to %q", got)
	}
	if got := b.eval(`document.querySelector(".konflikt p").textContent`); !regexp.MustCompile(`^Sabine Beispiel \(SPD\) hat den Entwurf am \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr gespeichert \(Version 2\), nachdem Sie ihn geöffnet hatten \(Version 1\)\.\s+Ihre Änderungen sind noch nicht gespeichert, und nichts wird überschrieben, bis Sie sich entscheiden\.$`).MatchString(got) {
		t.Errorf("the conflict is explained as %q", got)
	}
	if got := b.eval(`document.querySelector('` + editor + `input[name=title]').value + " | " + document.querySelector(".konflikt").innerText`); !strings.HasPrefix(got, "Sanierungsfahrplan für die Grundschulen (meine Fassung) | ") ||
		!strings.Contains(got, "(Fassung der Kollegin)") {
		t.Errorf("the conflict does not show both versions: %q", got)
	}
	b.checkA11y("Editor (Bearbeitungskonflikt)")

	// 10. An action on a page another user changed meanwhile: a sentence, no
	//     version numbers; sent again, it applies.
	b.open("/antraege/" + shared.ID)
	w.run(w.SPD, shared.ID, motion.CmdEdit, draftContent("Sanierungsfahrplan für die Grundschulen"))
	b.click(submit + `button[type=submit]`)
	w.refusal(submit, "Der Antrag wurde inzwischen an anderer Stelle geändert. Die Seite zeigt jetzt den aktuellen Stand; bitte prüfen Sie ihn und senden Sie das Formular erneut.", nil)
	b.checkA11y("Antrag (inzwischen geändert)")
	b.click(submit + `button[type=submit]`)
	b.must("Der Antrag wurde eingereicht.")
}

// listRow is what a list shows of one motion: its status and outcome badge.
type listRow struct {
	Status, StatusClass, Badge, BadgeClass, Background string
}

// listRowsJS reads the motion list's rows by motion id.
const listRowsJS = `JSON.stringify(Object.fromEntries([...document.querySelectorAll("table.liste tbody tr")].map(tr => {
	const s = tr.querySelector(".status"), e = tr.querySelector(".ergebnismarke");
	return [tr.querySelector('a[href^="/antraege/"]').getAttribute("href").slice(10), {
		Status: s.textContent.trim(), StatusClass: s.className,
		Badge: e ? e.firstChild.textContent.trim() : "", BadgeClass: e ? e.className : "",
		Background: e ? getComputedStyle(e).backgroundColor : ""}];
})))`

// meetingRowsJS reads the motions on a meeting's agenda by motion id.
const meetingRowsJS = `JSON.stringify(Object.fromEntries([...document.querySelectorAll("section[aria-labelledby=h-to] li.top")].map(li => {
	const s = li.querySelector(".meta .status"), e = li.querySelector(".meta .ergebnismarke");
	return [li.querySelector('h3 a[href^="/antraege/"]').getAttribute("href").slice(10), {
		Status: s.textContent.trim(), StatusClass: s.className,
		Badge: e ? e.firstChild.textContent.trim() : "", BadgeClass: e ? e.className : "",
		Background: e ? getComputedStyle(e).backgroundColor : ""}];
})))`

// badges checks the rows a page shows against want: each motion's status
// and outcome label, class and colour; the outcomes' colours differ.
func (w *webHarness) badges(where, rowsJSON string, want map[string]listRow) {
	w.t.Helper()
	var rows map[string]listRow
	if err := json.Unmarshal([]byte(rowsJSON), &rows); err != nil {
		w.t.Fatalf("%s: %v", where, err)
	}
	colours := map[string]string{}
	for id, wr := range want {
		got, ok := rows[id]
		if !ok {
			w.t.Errorf("%s does not show the motion %s (%s)", where, id, wr.Badge)
			continue
		}
		if got.Status != wr.Status || got.Badge != wr.Badge || !hasClass(got.BadgeClass, wr.BadgeClass) || !hasClass(got.StatusClass, wr.StatusClass) {
			w.t.Errorf("%s shows motion %s as %+v, want %+v", where, id, got, wr)
		}
		if wr.Badge == "" {
			continue
		}
		if !hasClass(got.BadgeClass, "ergebnismarke") {
			w.t.Errorf("%s: the outcome %q is no badge: %q", where, wr.Badge, got.BadgeClass)
		}
		if prev, ok := colours[got.Background]; ok {
			w.t.Errorf("%s: the outcomes %q and %q look alike (%s)", where, prev, wr.Badge, got.Background)
		}
		colours[got.Background] = wr.Badge
	}
}

// hasClass reports whether the class attribute classes names class c (any
// classes if c is "").
func hasClass(classes, c string) bool { return c == "" || slices.Contains(strings.Fields(classes), c) }

// listed is the motion ids the list shows, in order.
func (w *webHarness) listed() []string {
	w.t.Helper()
	var ids []string
	if err := json.Unmarshal([]byte(w.b.eval(`JSON.stringify([...document.querySelectorAll("table.liste tbody tr a[href^='/antraege/']")].map(a => a.getAttribute("href").slice(10)))`)), &ids); err != nil {
		w.t.Fatal(err)
	}
	return ids
}

// fieldMessageJS reads the message tied to an input: whether the input is
// marked invalid, the text of the element its aria-describedby names as the
// error ("…-fehler"), and whether that message stands at the input (next to
// it, or inside the fieldset it concerns) and is visible.
const fieldMessageJS = `((css) => {
	const el = document.querySelector(css);
	if (!el) return JSON.stringify({Missing: true});
	const id = (el.getAttribute("aria-describedby") || "").split(/\s+/).find(id => id.endsWith("-fehler"));
	const msg = id ? document.getElementById(id) : null;
	return JSON.stringify({ID: el.id, Invalid: el.getAttribute("aria-invalid") || "", Text: msg ? msg.textContent : "",
		Placed: !!msg && (el.contains(msg) || msg.parentElement === el.parentElement), Visible: !!msg && msg.checkVisibility()});
})`

// summaryJS reads a form's error summary: each entry's text, link, and the
// id of the element on this page the link leads to ("" if none).
const summaryJS = `((css) => JSON.stringify({
	Title: (document.querySelector(css + ".fehlerliste .fehlertitel") || {textContent: ""}).textContent,
	Items: [...document.querySelectorAll(css + ".fehlerliste li")].map(li => {
		const a = li.querySelector("a");
		const target = a && a.getAttribute("href").startsWith("#") ? document.getElementById(a.getAttribute("href").slice(1)) : null;
		return {Text: li.textContent, Href: a ? a.getAttribute("href") : "", Target: target ? target.id : ""};
	}),
	Shown: [...document.querySelectorAll(".fehlerliste, .feldfehler")].map(e => e.innerText)
}))`

// refusal checks a refused form as the user reads it: the summary of the
// form (inside formCSS) says title and exactly the entries items, each a
// link to the input it concerns on this page or to the editor; each input
// in fields is marked invalid and has its message, one complete German
// sentence, standing at it. No shown error anywhere on the page is English
// or a technical fragment.
func (w *webHarness) refusal(formCSS, title string, fields map[string]string, items ...string) {
	w.t.Helper()
	t, b := w.t, w.b
	var sum struct {
		Title string
		Items []struct{ Text, Href, Target string }
		Shown []string
	}
	if err := json.Unmarshal([]byte(b.eval(summaryJS+"("+jsString(formCSS)+")")), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Title != title {
		t.Errorf("the refused form (%s) says %q, want %q\npage:\n%s", b.path(), sum.Title, title, b.textQuiet())
	}
	germanSentence(t, "the refusal's title", sum.Title)
	var texts []string
	for _, it := range sum.Items {
		texts = append(texts, it.Text)
		if it.Href == "" || strings.HasPrefix(it.Href, "#") && it.Target == "" {
			t.Errorf("the summary entry %q links to %q, which is not on the page", it.Text, it.Href)
		}
	}
	if !slices.Equal(texts, items) {
		t.Errorf("the refused form's summary lists %q, want %q", texts, items)
	}
	for css, want := range fields {
		var got struct {
			Missing         bool
			ID, Invalid     string
			Text            string
			Placed, Visible bool
		}
		if err := json.Unmarshal([]byte(b.eval(fieldMessageJS+"("+jsString(css)+")")), &got); err != nil {
			t.Fatal(err)
		}
		if got.Missing {
			t.Fatalf("no input %s on the refused page", css)
		}
		if got.Invalid != "true" || got.Text != "Fehler: "+want || !got.Placed || !got.Visible {
			t.Errorf("the input %s (#%s) shows %+v, want its message %q next to it, tied to it and marked invalid", css, got.ID, got, want)
		}
		germanSentence(t, "the message at "+css, want)
		linked := false
		for _, it := range sum.Items {
			linked = linked || it.Target == got.ID
		}
		if !linked {
			t.Errorf("no entry of the summary leads to the input %s (#%s)", css, got.ID)
		}
	}
	for _, s := range sum.Shown {
		if m := technical.FindString(s); m != "" {
			t.Errorf("a shown error says %q: %q", m, s)
		}
	}
}

// technical matches English words and the technical fragments the pages
// used to show ("(Version 2, erwartet 1)", "Titel: fehlt").
var technical = regexp.MustCompile(`(?i)\b(expected|required|invalid|missing|must|should|field|value|string|error|unknown|not found|schema|erwartet)\b|\(Version \d+, |: fehlt\b`)

// germanSentence fails unless msg is a complete sentence: it begins with a
// capital letter and ends with a full stop, and says nothing technical.
func germanSentence(t *testing.T, where, msg string) {
	t.Helper()
	first, _ := utf8.DecodeRuneInString(msg)
	if !unicode.IsUpper(first) || !strings.HasSuffix(msg, ".") || technical.MatchString(msg) {
		t.Errorf("%s is no complete German sentence: %q", where, msg)
	}
}

// jsString writes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// evalAwait is the value of a JavaScript expression that gives a promise of
// a string.
func (b *browser) evalAwait(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: %s: %v", js, err)
	}
	return s
}
