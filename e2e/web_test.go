package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// TestWebPagesCarryTheExample carries the real example from the
// faction's first draft to "Erledigt durch andere Beschlüsse" entirely
// through the web pages in headless Chromium: the SPD's staff writes,
// completes (with the PDF) and submits it; the council office creates the
// meetings, registers it, sets the route, schedules it (into the committee's
// past session only with its reason for entering that session after the
// fact, Nacherfassung) and records the committee's and the council's results
// with their votes on the meetings' pages, each once its meeting has begun. Every page passes axe-core (WCAG 2.0/2.1 A and AA). With
// MOTIONFLOW_SCREENSHOTS=1 the main pages are saved to docs/screenshots, on a
// desktop and on a phone (screenshots).
func TestWebPagesCarryTheExample(t *testing.T) {
	ex := readExample(t)
	w := newWebHarness(t)
	b := w.b

	// The motion that will settle ours: another faction's, registered (over the API).
	other := w.create(w.CDU, motion.KindMotion, map[string]any{
		"title":             "Digitalstrategie für die Stadtverwaltung",
		"resolution_points": []string{"Die Verwaltung legt bis Mitte 2020 eine Digitalstrategie vor."},
	})
	w.run(w.CDU, other.ID, motion.CmdSubmit, nil)
	other = w.run(w.Office, other.ID, motion.CmdRegister, nil)

	// The public's start page.
	w.visit("/", "Startseite (öffentlich)", "Anträge und Sitzungen des Gemeinderats", "Digitalstrategie für die Stadtverwaltung")
	b.screenshots("startseite")

	// 1. The faction starts a draft. A first try without a title is refused
	//    with the domain's message; what was typed stays.
	w.login(webSPD)
	w.visit("/", "Arbeitsliste (Fraktion)", "Meine Arbeitsliste")
	b.click(`nav a[href="/antraege/neu"]`)
	b.must("Neuer Antrag")
	b.checkA11y("Editor (neu)")
	b.fill(`select[name=kind]`, "budget_motion")
	b.fill(`textarea[name=resolution_points]`, ex.ResolutionPoints[0])
	b.fill(`input[name=budget_cycle]`, "Haushalt 2020/2021")
	b.click(`.knoepfe button[value=save]`)
	b.must("Die Angaben sind unvollständig oder ungültig.", "Titel: Der Titel fehlt.")
	if got := b.eval(`document.querySelector("input[name=budget_cycle]").value + "|" + document.querySelector("textarea[name=resolution_points]").value`); got != "Haushalt 2020/2021|"+ex.ResolutionPoints[0] {
		t.Fatalf("the refused form lost what was typed: %q", got)
	}
	if got := b.eval(`document.querySelector("input[name=title]").getAttribute("aria-describedby")`); got == "" {
		t.Fatal("the title's message is not tied to its input")
	}
	b.checkA11y("Editor (abgelehnt)")
	b.fill(`input[name=title]`, ex.Title)
	b.click(`.knoepfe button[value=save]`)
	b.must("Der Entwurf wurde angelegt.", ex.Title, "Entwurf", "Haushaltsantrag")
	id := motionIDFrom(t, b.path())

	// 2. … and completes it: three points, the Begründung, tags, signatories, the PDF.
	b.click(`header a[href$="/bearbeiten"]`)
	b.clickHere(`button[data-hinzufuegen]`)
	b.clickHere(`button[data-hinzufuegen]`)
	b.fill(`ol[data-punkte] li:nth-child(2) textarea`, ex.ResolutionPoints[1])
	b.fill(`ol[data-punkte] li:nth-child(3) textarea`, ex.ResolutionPoints[2])
	b.fill(`textarea[name=justification]`, ex.Justification)
	b.fill(`textarea[name=tags]`, strings.Join(ex.Tags, "\n"))
	b.fill(`textarea[name=signatories]`, "Ralf Eisenhauer\nDr. Boris Weirauch")
	pdf := examplePDF(ex.Title)
	pdfPath := filepath.Join(t.TempDir(), ex.Attachment)
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	b.upload(`input[type=file][name=upload]`, pdfPath)
	b.checkA11y("Editor (bearbeiten)")
	b.screenshots("editor")
	b.click(`.knoepfe button[value=save]`)
	b.must("Der Entwurf wurde gespeichert.", ex.ResolutionPoints[2][:40], "Begründung", ex.Attachment, "PDF",
		"Ralf Eisenhauer, Dr. Boris Weirauch", "Haushalt 2020/2021")
	// The resolution points are a numbered list, in order (the numbers come
	// from the list, so no text on the page may stand in for them); each
	// line carries its line number, which is not part of the point's text.
	var items []string
	if err := json.Unmarshal([]byte(b.eval(`JSON.stringify([...document.querySelectorAll("ol.punkte > li")].map(li => { const c = li.cloneNode(true); c.querySelectorAll(".ln").forEach(n => n.remove()); return c.textContent.replace(/\s+/g, " ").trim() }))`)), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != len(ex.ResolutionPoints) {
		t.Fatalf("the motion page lists %d numbered resolution points, want %d: %q", len(items), len(ex.ResolutionPoints), items)
	}
	for i, p := range ex.ResolutionPoints {
		if words := strings.Fields(p); !strings.HasPrefix(items[i], strings.Join(words[:min(4, len(words))], " ")) {
			t.Fatalf("numbered resolution point %d reads %q, want %q", i+1, items[i], p)
		}
	}
	b.checkA11y("Antrag (Entwurf)")

	// 3. Submitted: from now on it is public.
	b.click(`form[action$="/aktionen/submit"] button[type=submit]`)
	b.must("Der Antrag wurde eingereicht.", "Eingereicht")
	w.logout()

	// 4. The council office: its worklist, the meetings, the registration.
	w.login(webOffice)
	w.visit("/", "Arbeitsliste (Ratsbüro)", "Eingereicht – wartet auf Registrierung", ex.Title)
	// The committee met two weeks ago; the council's meeting began this
	// very minute (today, so it still takes items, and begun, so its result
	// can be recorded).
	// It must still be today when its result is recorded: a run that gets
	// here in the last minutes before midnight waits for the new day.
	if now := time.Now().In(berlin); now.Hour() == 23 && now.Minute() >= 50 {
		y, m, d := now.Date()
		time.Sleep(time.Until(time.Date(y, m, d+1, 0, 0, 1, 0, berlin)))
	}
	now := time.Now().In(berlin)
	haDay, grDay := now.AddDate(0, 0, -14), now
	w.visit("/sitzungen", "Sitzungen", "Sitzung anlegen")
	ha := w.createMeeting(committee, "Hauptausschuss (Haushaltsberatungen)", haDay, "16:00")
	gr := w.createMeeting(council, "Gemeinderat (Haushaltssitzung)", grDay, grDay.Format("15:04"))
	w.visit("/sitzungen?ab="+fmtDate(haDay), "Sitzungen (mit Terminen)", "Hauptausschuss (Haushaltsberatungen)", haDay.Format("02.01.2006"), "16:00 Uhr")
	w.visit("/gremien", "Gremien", "Hauptausschuss", "SPD-Gemeinderatsfraktion Mannheim")

	b.open("/antraege/" + id)
	b.click(`form[action$="/aktionen/register"] button[type=submit]`)
	b.must("Der Antrag wurde registriert.", "Registriert")
	// The office's page now offers the next step first and open, the
	// route; the rest is folded under its name, the destructive steps last
	// and confirmed by a required checkbox. The page came back to the actions.
	if got := b.eval(`location.hash + " " + String(document.querySelector(location.hash) !== null)`); got != "#aktion-register true" {
		t.Fatalf("after registering, the page returns to %q, want the actions (#aktion-register)", got)
	}
	if got := b.eval(`document.querySelector(".aktionen .aktion").textContent.trim().split("\n")[0]`); got != "Nächster Schritt: Beratungsfolge festlegen" {
		t.Fatalf("the first action reads %q, want the next step „Beratungsfolge festlegen“", got)
	}
	if got := b.eval(`String(document.querySelector('form[action$="/aktionen/set_route"]').checkVisibility())`); got != "true" {
		t.Fatal("the route form, the next step, is not open")
	}
	folded := b.eval(`JSON.stringify([...document.querySelectorAll(".aktionen details.aktion")].map(d => d.querySelector("summary").textContent.trim() + (d.open ? " (offen)" : "")))`)
	for _, want := range []string{`"Frist von Hand setzen"`, `"Für unzulässig erklären"`, `"Als nicht behandelt beenden"`} {
		if !strings.Contains(folded, want) {
			t.Fatalf("folded actions %s: %s missing or open", folded, want)
		}
	}
	inadmissible := `form[action$="/aktionen/declare_inadmissible"]`
	if got := b.eval(`(() => { const f = document.querySelector('` + inadmissible + `'); const c = f.querySelector('input[type=checkbox][name=bestaetigt]');
		return [f.closest("details").classList.contains("gefahr"), f.checkVisibility(), c.required, document.querySelector('label[for="' + c.id + '"]').textContent].join("|") })()`); got != "true|false|true|Ich bestätige, dass der Antrag für unzulässig erklärt wird. Das lässt sich nicht rückgängig machen." {
		t.Fatalf("declaring it inadmissible (folded, red, hidden, required confirmation, its sentence): %q", got)
	}
	b.checkA11y("Antrag (Ratsbüro, registriert)")
	b.screenshots("antrag-ratsbuero")
	ref := regexp.MustCompile(`A\d+/\d{4}`).FindString(b.text())
	if ref == "" || ref == other.Reference {
		t.Fatalf("reference %q (other motion %q)", ref, other.Reference)
	}

	// 5. The route: the Hauptausschuss recommends, the Gemeinderat decides.
	//    The form asks for the advising gremia first and the deciding one
	//    last, as its legend says; there is no other place for it.
	if got := b.eval(`document.querySelector('form[action$="/aktionen/set_route"] legend').textContent`); got != "Gremien in der Reihenfolge der Beratung: zuerst die vorberatenden, zuletzt das beschließende" {
		t.Fatalf("route legend %q", got)
	}
	if got := b.eval(`String(document.querySelectorAll('form[action$="/aktionen/set_route"] input[type=radio]').length)`); got != "0" {
		t.Fatalf("the route form offers %s radio buttons to choose the deciding gremium, want none: it is the last", got)
	}
	b.fill(`form[action$="/aktionen/set_route"] tbody tr:nth-child(1) select`, committee)
	b.fill(`form[action$="/aktionen/set_route"] tbody tr.beschluss select`, council)
	b.click(`form[action$="/aktionen/set_route"] button[type=submit]`)
	b.must("Die Beratungsfolge wurde festgelegt.", "In Beratung", "Hauptausschuss", "Gemeinderat", "beschließt")
	// Back at the step just taken; next comes scheduling the committee's consultation.
	if got := b.eval(`location.hash`); got != "#aktion-set-route" {
		t.Fatalf("after setting the route, the page returns to %q", got)
	}
	if got := b.eval(`document.querySelector(".aktionen .aktion.naechster h3").textContent`); got != "Nächster Schritt: Beratung im Gremium „Hauptausschuss“ einplanen" {
		t.Fatalf("next step after the route: %q", got)
	}

	// 6. Scheduled into the committee's meeting, which has taken place: the
	//    form offers it among the earlier sessions, refuses it without a
	//    reason (said at the meeting) and takes it with one (Nacherfassung).
	schedule := `form[action$="/aktionen/schedule"]:has(input[name=consultation_id][value=c1]) `
	if got := b.eval(`String(document.querySelector('` + schedule + `optgroup[label="Frühere Sitzungen (Nacherfassung)"] option[value="` + ha + `"]') !== null)`); got != "true" {
		t.Fatal("the schedule form does not offer the committee's past meeting among the earlier sessions")
	}
	b.fill(schedule+`select[name=meeting_id]`, ha)
	b.click(schedule + `button[type=submit]`)
	b.must("Die Sitzung hat bereits stattgefunden")
	if got := b.eval(`document.querySelector('` + schedule + `select[name=meeting_id]').getAttribute("aria-invalid")`); got != "true" {
		t.Fatalf("the refused meeting is not marked invalid: %q", got)
	}
	b.checkA11y("Antrag (Einplanung abgelehnt)")
	reason := "Nacherfassung: Die Sitzung des Hauptausschusses wurde nachträglich erfasst."
	b.fill(schedule+`select[name=meeting_id]`, ha)
	b.fill(schedule+`textarea[name=override]`, reason)
	b.click(schedule + `button[type=submit]`)
	b.must("Die Beratung wurde eingeplant.", "eingeplant", reason)

	// 7. … which recommends approval by vote, recorded on the meeting's page.
	w.visit("/sitzungen/"+ha, "Sitzung (Hauptausschuss)", "Tagesordnung", ex.Title, "Ergebnis und Abstimmung erfassen")
	b.fill(`form[action$="/aktionen/record_result"] select[name=result]`, "recommend_approval")
	b.fill(`form[action$="/aktionen/record_result"] input[name="vote.yes"]`, "9")
	b.fill(`form[action$="/aktionen/record_result"] input[name="vote.no"]`, "5")
	b.fill(`form[action$="/aktionen/record_result"] input[name="vote.abstain"]`, "1")
	b.click(`form[action$="/aktionen/record_result"] button[type=submit]`)
	b.must("Das Beratungsergebnis wurde erfasst.", "Ergebnis: Zustimmung empfohlen")
	if b.path() != "/sitzungen/"+ha {
		t.Fatalf("after recording on the meeting's page: %s", b.path())
	}

	// 8. The council's meeting schedules it from its own page …
	w.visit("/sitzungen/"+gr, "Sitzung (Gemeinderat, einplanen)", "Anträge einplanen", ex.Title)
	b.click(`form[action$="/aktionen/schedule"] button[type=submit]`)
	b.must("Die Beratung wurde eingeplant.", "Ergebnis und Abstimmung erfassen")

	// 9. … and settles it by other resolutions. Without the settling
	//    resolution the domain refuses, and the tally stays as typed.
	form := `form[action$="/aktionen/record_result"] `
	b.fill(form+`select[name=result]`, "settled_by_other_resolutions")
	for name, v := range map[string]string{
		"vote.yes": "30", "vote.no": "14", "vote.abstain": "4", "vote.absent": "0",
		"fv.yes." + factionSPD: "12", "fv.no." + factionSPD: "0", "fv.abstain." + factionSPD: "0",
		"fv.yes." + factionCDU: "18", "fv.no." + factionCDU: "14", "fv.abstain." + factionCDU: "4",
	} {
		b.fill(form+`input[name="`+name+`"]`, v)
	}
	b.click(form + `button[type=submit]`)
	b.must("Die Angaben sind unvollständig oder ungültig.",
		"„erledigt durch andere Beschlüsse“ nennt mindestens einen erledigenden Beschluss",
		"Bitte geben Sie an, ob die Antragsteller der Erledigung durch andere Beschlüsse zugestimmt haben")
	if got := b.eval(`document.querySelector('input[name="vote.yes"]').value + "/" + document.querySelector('input[name="fv.no.` + factionCDU + `"]').value`); got != "30/14" {
		t.Fatalf("the refused form lost the tally: %s", got)
	}
	if got := b.eval(`document.querySelector("fieldset[aria-invalid=true] legend").textContent`); got != "Erledigende Beschlüsse" {
		t.Fatalf("the links' fieldset is not marked invalid: %q", got)
	}
	b.checkA11y("Sitzung (Ergebnis abgelehnt)")
	b.fill(form+`input[name="link.reference"]`, other.Reference)
	b.clickHere(form + `input[name=originator_agreed][value=ja]`)
	b.fill(form+`textarea[name=note]`, "Erledigt durch die Beschlüsse zum Haushalt 2020/2021.")
	b.click(form + `button[type=submit]`)
	b.must("Das Beratungsergebnis wurde erfasst.", "Ergebnis: Erledigt durch andere Beschlüsse", "Entschieden")
	b.checkA11y("Sitzung (Gemeinderat, beraten)")
	b.screenshots("sitzung")

	// The motion's page tells the whole story.
	w.visit("/antraege/"+id, "Antrag (entschieden)", "Erledigt durch andere Beschlüsse.", "Zustimmung der Antragsteller",
		other.Reference+" – "+other.Title, "Zustimmung empfohlen", "Stimmen je Fraktion", "SPD-Gemeinderatsfraktion Mannheim",
		"Verlauf", "Registriert als "+ref)
	b.screenshots("antrag")
	w.visit("/", "Arbeitsliste (Ratsbüro, danach)", "Entschieden – Umsetzung einleiten oder Vorgang abschließen")
	b.screenshots("arbeitsliste")
	w.logout()

	// The public finds it, reads it as the faction published it, and downloads the PDF.
	b.open("/antraege")
	b.fill(`input[name=q]`, "Digitalisierung Metropole")
	b.fill(`select[name=status]`, "decided")
	b.click(`form.suche button[type=submit]`)
	b.must("Suche nach „Digitalisierung Metropole“: Anträge im Status „Entschieden“", ex.Title, ref)
	b.checkA11y("Anträge (Suche)")
	b.screenshots("antraege")
	w.visit("/antraege/"+id+"/druck", "Druckansicht", "Antrag", "Der Gemeinderat möge beschließen:",
		"1.) "+ex.ResolutionPoints[0][:30], "3.) "+ex.ResolutionPoints[2][:30], "Begründung:", "Dokument", ex.Attachment,
		"Ergebnis", ex.Result, "#Haushalt2020", "SPD-Gemeinderatsfraktion Mannheim")
	b.screenshots("druckansicht")
	w.visit("/sitzungen/"+ha, "Sitzung (öffentlich)", "Zustimmung empfohlen")

	w.visit("/antraege/"+id, "Antrag (öffentlich)", ex.Attachment, "Erledigt durch andere Beschlüsse.")
	if strings.Contains(b.text(), "Rita Ratsbüro") {
		t.Error("the public sees who acted")
	}
	href := b.eval(`document.querySelector(".anlagen a").getAttribute("href")`)
	res, err := http.Get(w.WebURL + href)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("attachment: %d %v", res.StatusCode, res.Header)
	}

	// Behind the pages: the motion is exactly the published one.
	m := w.get(w.SPD, id)
	sum := sha256.Sum256(pdf)
	if m.Status != motion.StatusDecided || m.Outcome == nil || m.Outcome.Result != motion.ResultSettledByOtherResolutions ||
		m.Outcome.OriginatorAgreed == nil || !*m.Outcome.OriginatorAgreed || len(m.Outcome.Links) != 1 ||
		m.Outcome.Links[0].MotionID != other.ID || m.Reference != ref || m.Kind != motion.KindBudgetMotion {
		t.Fatalf("motion after the pages: status %s, outcome %+v", m.Status, m.Outcome)
	}
	if len(m.ResolutionPoints) != 3 || m.ResolutionPoints[1] != ex.ResolutionPoints[1] || m.Justification != ex.Justification ||
		len(m.Tags) != len(ex.Tags) || len(m.Attachments) != 1 || m.Attachments[0].SHA256 != hex.EncodeToString(sum[:]) ||
		m.Attachments[0].Name != ex.Attachment {
		t.Fatalf("content after the pages: %+v", m.Content)
	}
	if v := m.Consultations[1].Record.Vote; v == nil || v.Yes != 30 || v.No != 14 || v.Abstain != 4 || len(v.ByFaction) != 2 {
		t.Fatalf("council vote: %+v", v)
	}
	if m.OutcomeLabel+"." != ex.Result {
		t.Errorf("outcome %q, the faction published %q", m.OutcomeLabel, ex.Result)
	}
}

// createMeeting creates a meeting on the meetings page and returns its id.
func (w *webHarness) createMeeting(org, name string, day time.Time, start string) string {
	w.t.Helper()
	b := w.b
	b.open("/sitzungen")
	b.fill(`#neue-sitzung select[name=organization_id]`, org)
	b.fill(`#neue-sitzung input[name=name]`, name)
	b.fill(`#neue-sitzung input[name=location]`, "Ratssaal, Rathaus E 5")
	b.fill(`#neue-sitzung input[name=date]`, fmtDate(day))
	b.fill(`#neue-sitzung input[name=start]`, start)
	b.click(`#neue-sitzung button[type=submit]`)
	b.must("Die Sitzung wurde angelegt.", name, start+" Uhr")
	return strings.TrimPrefix(b.path(), "/sitzungen/")
}

var motionPathID = regexp.MustCompile(`^/antraege/([0-9a-f-]{36})$`)

func motionIDFrom(t *testing.T, path string) string {
	t.Helper()
	m := motionPathID.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("not on a motion's page: %s", path)
	}
	return m[1]
}

// examplePDF is a small, well-formed PDF with the motion's title.
func examplePDF(title string) []byte {
	content := "BT /F1 18 Tf 72 720 Td (Antrag: " + strings.NewReplacer("(", "", ")", "", "\\", "").Replace(asciiOnly(title)) + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length " + strconv.Itoa(len(content)) + " >>\nstream\n" + content + "\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		b.WriteString(strconv.Itoa(i+1) + " 0 obj\n" + o + "\nendobj\n")
	}
	xref := b.Len()
	b.WriteString("xref\n0 " + strconv.Itoa(len(objs)+1) + "\n0000000000 65535 f \n")
	for _, off := range offsets {
		s := strconv.Itoa(off)
		b.WriteString(strings.Repeat("0", 10-len(s)) + s + " 00000 n \n")
	}
	b.WriteString("trailer\n<< /Size " + strconv.Itoa(len(objs)+1) + " /Root 1 0 R >>\nstartxref\n" + strconv.Itoa(xref) + "\n%%EOF\n")
	return []byte(b.String())
}

func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 {
			return r
		}
		return '?'
	}, s)
}

// screenshots saves the page as docs/screenshots/<name>.png (1280 pixels
// wide) and as <name>-handy.png on a phone (phoneScreen, 390×844, as in
// TestPagesFitThePhone) when MOTIONFLOW_SCREENSHOTS=1; the browser returns
// to its desktop size.
func (b *browser) screenshots(name string) {
	b.t.Helper()
	if !b.shots {
		return
	}
	b.screenshot(name)
	b.setScreen(phoneScreen)
	b.screenshot(name + "-handy")
	b.setScreen(screen{"Desktop", 1280, 900})
}
