package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// TestSessionModeThroughThePagesWithLiveView runs a council meeting through
// the council office's session mode in the browser, while a second,
// anonymous browser shows the public live view in the hall: the office puts
// three motions and a paper on the agenda and publishes the invitation on
// the session page, opens the session with the members present, records one
// result with a tally, two in one Sammelabstimmung, the paper as noted, and
// closes the session. After every step the live view shows the new state
// without being reloaded (it follows the meeting's event stream), and both
// pages pass axe-core.
func TestSessionModeThroughThePagesWithLiveView(t *testing.T) {
	w := newWebHarness(t)
	h := w.harness
	ctx := context.Background()

	// Five councillors of the Gemeinderat.
	members := []string{"Anna Albrecht", "Bernd Bauer", "Carla Conrad", "Dieter Dorn", "Eva Ernst"}
	for i, name := range members {
		pid := fmt.Sprintf("p%d", i+1)
		if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO persons (id, body_id, name, email) VALUES ($1, $2, $3, '')`,
			pid, bodyID, name); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO memberships (id, body_id, person_id, organization_id) VALUES ($1, $2, $3, $4)`,
			"m"+pid, bodyID, pid, council); err != nil {
			t.Fatal(err)
		}
	}

	// Three motions of the SPD, registered and routed to the council, which decides.
	titles := []string{"Mehr Bänke am Rheinufer", "Trinkbrunnen in den Quadraten", "Radweg über die Kurpfalzbrücke"}
	var motions []motionView
	for _, title := range titles {
		m := h.create(h.SPD, motion.KindMotion, draftContent(title))
		h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
		h.run(h.Office, m.ID, motion.CmdRegister, nil)
		motions = append(motions, h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
			{"organization_id": council, "decisive": true}}}))
	}

	// The council office prepares the meeting on the session page: the
	// invitation must go out before the meeting begins, so the start leaves
	// room for five forms on a busy machine (they take a few seconds).
	w.login(webOffice)
	start := time.Now().Add(25 * time.Second).Truncate(time.Second)
	id := h.meeting("gr-live", council, "Sitzung des Gemeinderats mit Live-Übertragung", start)
	office := w.b
	office.open("/sitzungen/" + id + "/sitzung")
	office.must("Sitzungsleitung", "Die Tagesordnung ist noch leer.", "Tagesordnungspunkt aufnehmen")
	for _, m := range motions {
		office.fill(`#f-add_item select[name=kind]`, "motion")
		office.fill(`#f-add_item input[name=motion_id]`, m.ID)
		office.fill(`#f-add_item input[name=consultation_id]`, "c1")
		office.click(`#f-add_item button[type=submit]`)
		office.must("Der Tagesordnungspunkt wurde aufgenommen.", m.Title)
	}
	office.fill(`#f-add_item select[name=kind]`, "paper")
	office.fill(`#f-add_item input[name=title]`, "Haushaltssatzung 2027")
	office.click(`#f-add_item button[type=submit]`)
	office.must("Der Tagesordnungspunkt wurde aufgenommen.", "TOP 4: Haushaltssatzung 2027")
	office.click(`section[aria-labelledby=h-einladung] button[type=submit]`)
	office.must("Die Einladung mit Tagesordnung wurde veröffentlicht.", "einberufen")
	if left := time.Until(start); left > 0 {
		t.Logf("agenda and invitation done %s before the start", left.Round(time.Second))
	}

	// The agenda as the workflow keeps it: which item is which.
	agenda := h.process(id, h.Office).Agenda
	if len(agenda) != 4 {
		t.Fatalf("agenda has %d items, want 4: %+v", len(agenda), agenda)
	}
	item := map[string]meeting.Item{} // motion id or "paper" → item
	for _, it := range agenda {
		switch {
		case it.Kind == meeting.ItemMotion:
			item[it.MotionID] = it
		case it.Kind == meeting.ItemPaper:
			item["paper"] = it
		}
		if !it.Public {
			t.Fatalf("item %s is not public; the form's default is public", it.Number)
		}
	}
	first, second, third, paper := item[motions[0].ID], item[motions[1].ID], item[motions[2].ID], item["paper"]
	if first.ID == "" || second.ID == "" || third.ID == "" || paper.ID == "" {
		t.Fatalf("agenda lacks an item: %+v", agenda)
	}

	// The hall's screen: an anonymous browser on the live view, which stays
	// on this one page until the end.
	live := newBrowser(t, w.WebURL)
	live.open("/sitzungen/" + id + "/live")
	live.must("Live aus der Sitzung", "Sitzung des Gemeinderats mit Live-Übertragung", "einberufen",
		"Zurzeit ist kein öffentlicher Tagesordnungspunkt aufgerufen.", "TOP 1: "+first.Title+" – offen")
	live.checkA11y("Live-Ansicht vor der Sitzung")
	live.eval(`(window.__stay = 1, "gesetzt")`)

	// The session begins once the start has passed.
	for time.Now().Before(start) {
		time.Sleep(200 * time.Millisecond)
	}
	office.open("/sitzungen/" + id + "/sitzung")
	office.must("Sitzung eröffnen", "Anwesende Mitglieder", "Anna Albrecht", "Eva Ernst")
	office.checkA11y("Sitzungsleitung vor der Eröffnung")
	if got := office.eval(`String(document.querySelectorAll('#f-open_session input[name=present]:checked').length)`); got != "5" {
		t.Fatalf("%s members are checked as present before the session, want all 5", got)
	}
	// Eva Ernst is absent.
	office.clickHere(`#f-open_session input[name=present][value="Eva Ernst"]`)
	office.click(`#f-open_session button[type=submit]`)
	office.must("Die Sitzung wurde eröffnet.", "Sitzung läuft", "beschlussfähig: 4 von 5")
	office.checkA11y("Sitzungsleitung in der Sitzung")
	live.waitLine("the live status after the opening", `[data-live-status]`, "Sitzung läuft")

	// TOP 1 is called; the hall sees it.
	office.click(`#top-` + first.ID + ` form.inline-form button[type=submit]`)
	office.must("Der Tagesordnungspunkt wurde aufgerufen.")
	live.waitLine("the called item on the live view", `[data-live-current]`, "TOP "+first.Number+": "+first.Title)

	// TOP 1 is adopted with 3 votes to 1.
	f1 := `#f-record_results-` + first.ID
	office.fill(f1+` select[name=result]`, string(motion.ResultAdopted))
	office.fill(f1+` input[name="vote.yes"]`, "3")
	office.fill(f1+` input[name="vote.no"]`, "1")
	office.fill(f1+` input[name="vote.abstain"]`, "0")
	office.fill(f1+` textarea[name=resolution_text]`, "Der Gemeinderat beschließt den Antrag wie beantragt.")
	office.click(f1 + ` button[type=submit]`)
	office.must("Das Ergebnis wurde erfasst.", "Ergebnis: Beschlossen")
	live.waitLine("the first result on the live view", liveItem(first.ID),
		"TOP "+first.Number+": "+first.Title+" – behandelt – Ergebnis: Beschlossen (3 Ja, 1 Nein, 0 Enthaltungen)")
	live.waitLine("no item called after its result", `[data-live-current]`, "Zurzeit ist kein öffentlicher Tagesordnungspunkt aufgerufen.")

	// TOP 2 and 3 are rejected in one Sammelabstimmung.
	office.clickHere(`input[form=f-sammel][name=item_ids][value="` + second.ID + `"]`)
	office.clickHere(`input[form=f-sammel][name=item_ids][value="` + third.ID + `"]`)
	office.fill(`#f-sammel select[name=result]`, string(motion.ResultRejected))
	office.fill(`#f-sammel input[name="vote.yes"]`, "1")
	office.fill(`#f-sammel input[name="vote.no"]`, "3")
	office.fill(`#f-sammel input[name="vote.abstain"]`, "0")
	office.click(`#f-sammel button[type=submit]`)
	office.must("Das Ergebnis wurde erfasst.")
	for _, it := range []meeting.Item{second, third} {
		live.waitLine("a result of the Sammelabstimmung on the live view", liveItem(it.ID),
			"TOP "+it.Number+": "+it.Title+" – behandelt – Ergebnis: Abgelehnt (1 Ja, 3 Nein, 0 Enthaltungen)")
	}
	if got := live.eval(`document.querySelector('` + liveItem(paper.ID) + `').textContent`); got != "TOP "+paper.Number+": Haushaltssatzung 2027 – offen" {
		t.Fatalf("the paper on the live view says %q before its result", got)
	}

	// The council takes note of the paper.
	f4 := `#f-record_results-` + paper.ID
	office.fill(f4+` select[name=result]`, string(motion.ResultNoted))
	office.click(f4 + ` button[type=submit]`)
	office.must("Das Ergebnis wurde erfasst.", "Ergebnis: Zur Kenntnis genommen")
	live.waitLine("the paper's result on the live view", liveItem(paper.ID),
		"TOP "+paper.Number+": Haushaltssatzung 2027 – behandelt – Ergebnis: Zur Kenntnis genommen")

	// Every item is dealt with: the office closes the session.
	office.click(`section[aria-labelledby=h-schliessen] button[type=submit]`)
	office.must("Die Sitzung wurde geschlossen.", "beendet")
	live.waitLine("the live status after the close", `[data-live-status]`, "beendet")

	// The hall's screen was never reloaded, and the live view with every
	// result passes axe-core.
	if got := live.eval(`String(window.__stay)`); got != "1" {
		t.Fatalf("the live view was reloaded (marker %q); it should follow the event stream", got)
	}
	live.must("TOP "+first.Number+": "+first.Title+" – behandelt – Ergebnis: Beschlossen",
		"TOP "+third.Number+": "+third.Title+" – behandelt – Ergebnis: Abgelehnt")
	live.checkA11y("Live-Ansicht nach der Sitzung")

	// The results reached the motions: the council decided each of them.
	for _, m := range motions {
		waitFor(t, 60*time.Second, "the motion decided by the session's result", func() bool {
			return h.get(h.Office, m.ID).Status == motion.StatusDecided
		})
	}
}

// liveItem is the selector of an agenda item's line on the live view.
func liveItem(itemID string) string { return `[data-item="` + itemID + `"]` }

// waitLine waits until the element's text is want, as the live view's
// script writes it from the event stream; it does not reload the page.
func (b *browser) waitLine(what, css, want string) {
	b.t.Helper()
	js := `(function () { var e = document.querySelector('` + css + `'); return e ? e.textContent : "(kein Element)"; })()`
	deadline := time.Now().Add(90 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		got = strings.TrimSpace(b.eval(js))
		if got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("%s: %s says %q, want %q\npage:\n%s", what, css, got, want, b.textQuiet())
}
