package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
)

// The two screens the pages are made for: a phone held upright and a laptop.
var (
	phoneScreen   = screen{"Telefon", 390, 844}
	desktopScreen = screen{"Desktop", 1366, 900}
)

type screen struct {
	Name          string
	Width, Height int64
}

// The administration's staff (a department's) and the directory's
// administrator, next to webSPD and webOffice: with them every role has a
// person who logs in through the browser.
var (
	webDept  = webUser{Subject: "dez1-web", Name: "Dieter Dezernat", Groups: []string{"role:administration", "department:" + department, "body:" + bodyID}}
	webAdmin = webUser{Subject: "admin-web", Name: "Ada Admin", Groups: []string{"role:admin", "body:" + bodyID}}
)

// shown is a page to check: its path and what it must say, which proves it
// is the page meant (the motion, the state, the form, the error).
type shown struct {
	path string
	says []string
}

// at is the page at path that says each of says.
func at(path string, says ...string) shown { return shown{path, says} }

// TestPagesFitThePhone opens every page of motions, lists, the worklist,
// the editor, the print view, statistics, the directory, the watch
// confirmation and the error pages, as the public and as each role (faction
// staff, council office, a department of the administration, the
// administrator), on a phone (390×844) and on a desktop (1366×900), and
// asserts that no element reaches beyond the viewport's width and that
// axe-core finds no violation at either size. The motions stand at every
// status a motion passes (draft, submitted, registered, routed, scheduled,
// decided, in implementation, settled by other resolutions, an open
// inquiry), with long titles, the example's points, per-faction votes, an
// attachment with its checksum and an overdue deadline; the council
// office's and the department's pages are checked with every folded action
// opened too.
func TestPagesFitThePhone(t *testing.T) {
	ex := readExample(t)
	w := newWebHarness(t)
	b := w.b
	now := time.Now().In(berlin)

	// Two meetings that have taken place (their results are entered after
	// the fact, with the council office's reason) and one ahead.
	ha := w.meeting("ha-handy", committee, "Hauptausschuss (Haushaltsberatungen und Stellenplanberatungen)", now.AddDate(0, 0, -14))
	grPast := w.meeting("gr-frueher", council, "Gemeinderat (Sitzung vor drei Wochen)", now.AddDate(0, 0, -21))
	gr := w.meeting("gr-handy", council, "Gemeinderat (Haushaltssitzung)", now.AddDate(0, 0, 28))
	backfill := "Nacherfassung: die Sitzung wurde nachträglich erfasst."
	vote := map[string]any{"yes": 30, "no": 14, "abstain": 4, "absent": 2, "by_faction": []map[string]any{
		{"organization_id": factionSPD, "yes": 12, "no": 0, "abstain": 0},
		{"organization_id": factionCDU, "yes": 18, "no": 14, "abstain": 4},
	}}
	// submitted, registered and routed give the faction's motions their
	// first steps; decided takes one to the council's adopting vote.
	submitted := func(title string) motionView {
		m := w.create(w.SPD, motion.KindMotion, draftContent(title))
		return w.run(w.SPD, m.ID, motion.CmdSubmit, nil)
	}
	registered := func(title string) motionView {
		return w.run(w.Office, submitted(title).ID, motion.CmdRegister, nil)
	}
	routed := func(title string) motionView {
		return w.run(w.Office, registered(title).ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
			{"organization_id": council, "decisive": true}}})
	}
	decide := func(m motionView) motionView {
		w.run(w.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": grPast, "override": backfill})
		return w.run(w.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "adopted", "vote": vote})
	}

	// Another faction's registered motion, whose placement on an agenda is
	// overdue …
	other := w.create(w.CDU, motion.KindMotion, map[string]any{
		"title":             "Digitalstrategie für die Stadtverwaltung",
		"resolution_points": []string{"Die Verwaltung legt bis Mitte 2020 eine Digitalstrategie vor."},
	})
	w.run(w.CDU, other.ID, motion.CmdSubmit, nil)
	w.run(w.Office, other.ID, motion.CmdRegister, nil)
	w.run(w.Office, other.ID, motion.CmdSetDeadline, map[string]any{"key": string(motion.DeadlineAgendaPlacement),
		"due": now.AddDate(0, 0, -3), "reason": "Die Fraktion hat die Behandlung in der nächsten Sitzung verlangt."})

	// … the example with a long title and an attachment, recommended by the
	// committee with a per-faction vote and scheduled into the council's
	// meeting (whose page then shows the result form) …
	title := ex.Title + " – Breitbandinfrastrukturausbaubeschleunigungsprogramm für Schulgebäude"
	m := w.create(w.SPD, motion.KindBudgetMotion, map[string]any{
		"title":             title,
		"resolution_points": ex.ResolutionPoints,
		"justification":     ex.Justification,
		"tags":              ex.Tags,
		"budget_cycle":      "Haushalt 2020/2021",
		"signatories":       []string{"Ralf Eisenhauer", "Dr. Boris Weirauch"},
		"attachments": []map[string]any{{"name": ex.Attachment, "content_type": "application/pdf", "size": 183204,
			"url":    "https://www.spd-fraktion-mannheim.example/dokumente/" + url.PathEscape(ex.Attachment),
			"sha256": strings.Repeat("9f86d081884c7d65", 4)}},
	})
	w.run(w.SPD, m.ID, motion.CmdSubmit, nil)
	m = w.run(w.Office, m.ID, motion.CmdRegister, nil)
	m = w.run(w.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": committee}, {"organization_id": council, "decisive": true},
	}})
	haStep, grStep := m.Consultations[0].ID, m.Consultations[1].ID
	w.run(w.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": haStep, "meeting_id": ha, "override": backfill})
	w.run(w.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": haStep, "result": "recommend_approval", "vote": vote})
	w.run(w.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": grStep, "meeting_id": gr})

	// … the faction's motions at every other status …
	sub := submitted("Trinkbrunnen in allen Stadtteilen und an den Haltestellen des öffentlichen Nahverkehrs")
	route := routed("Radschnellweg zwischen Innenstadt, Neckarstadt und Käfertal")
	adopted := decide(routed("Sitzbänke und Schattenplätze am Rheinufer"))
	impl := routed("Schulwegsicherheit an allen Grundschulen")
	w.run(w.Dept, impl.ID, motion.CmdRecordStatement, map[string]any{"text": "Die Verwaltung unterstützt den Antrag.\n\nDie Kosten trägt der Haushalt 2027."})
	decide(impl)
	w.run(w.Office, impl.ID, motion.CmdStartImplementation, nil)
	impl = w.run(w.Dept, impl.ID, motion.CmdReportImplementation, map[string]any{"text": "An zwölf von achtzehn Grundschulen sind die Schulwege gesichert."})
	settled := w.run(w.Office, registered("Kostenloses WLAN in allen Bürgerdiensten").ID, motion.CmdRecordOutcome, map[string]any{
		"result": "settled_by_other_resolutions", "originator_agreed": true, "note": "Mit dem Haushaltsbeschluss erledigt.",
		"links": []map[string]any{
			{"motion_id": adopted.ID, "reference": adopted.Reference, "title": adopted.Title},
			{"title": "Beschluss über den Haushaltsplan der Stadt Mannheim für die Jahre 2026 und 2027",
				"url": "https://www.mannheim.example/gemeinderat/beschluesse/2026/haushaltsplan-2026-2027-mit-wirtschaftsplaenen"},
		}})
	inq := w.create(w.SPD, motion.KindInquiry, map[string]any{
		"title":                "Auslastung der Kindertagesstätten in den Innenstadtquadraten",
		"resolution_points":    []string{"Wie viele Plätze sind belegt?", "Wie lang ist die Warteliste?"},
		"addressed_department": department,
	})
	w.run(w.SPD, inq.ID, motion.CmdSubmit, nil)
	w.run(w.Office, inq.ID, motion.CmdRegister, nil)

	// … and a draft of the faction's.
	draft := w.create(w.SPD, motion.KindMotion, map[string]any{
		"title":             "Sanierungsfahrplan für die Grundschulgebäude der Innenstadt",
		"resolution_points": []string{ex.ResolutionPoints[0]},
	})

	p := func(mv motionView) string { return "/antraege/" + mv.ID }
	mp, dp := p(m), p(draft)
	motions := []shown{
		at(mp, title), at(p(other), other.Title), at(p(sub), sub.Title), at(p(route), route.Title), at(p(adopted), adopted.Title),
		at(p(impl), impl.Title), at(p(settled), settled.Title), at(p(inq), inq.Title),
	}
	// The budget cycle the budget motion belongs to, with its list.
	var cycle struct {
		ID string `json:"id"`
	}
	w.decode(w.mustStatus(w.call("POST", "/v1/bodies/"+bodyID+"/budget-cycles", w.Office, map[string]any{
		"name": m.BudgetCycle, "years": []int{2020, 2021}}), 201), &cycle)
	lists := []shown{
		at("/antraege", "Alle Anträge"),
		at("/antraege?q=Digitalisierung", "Suche nach „Digitalisierung“"),
		at("/antraege?status=in_consultation&kind=budget_motion&fraktion="+factionSPD, title),
		at("/antraege?ergebnis=adopted", "Beschlossene Anträge", adopted.Title),
		at("/antraege?schlagwort="+url.QueryEscape(ex.Tags[0]), title),
		at("/antraege?q=Zeppelinlandeplatz"),
		at("/antraege?von=2030-01-31&bis=2030-01-01"),
		at("/antraege?status=unbekannt&ergebnis=unbekannt&von=gestern"),
		at("/statistik", "Statistik"),
		at("/gremien", "Körperschaften und Gremien"),
		at("/beschlusskontrolle", "Beschlusskontrolle"),
		at("/haushalt", "Haushaltsberatungen", m.BudgetCycle),
		at("/haushalt/"+cycle.ID, "Haushaltsantragsliste", title),
	}
	// A logged-in person's lists differ from the public's only in the
	// header and the drafts they see.
	ownLists := []shown{lists[0], at("/statistik", "Statistik"), at("/gremien", "Körperschaften und Gremien"), at("/beschlusskontrolle", "Beschlusskontrolle")}
	notFound := "Die Seite gibt es nicht"
	errPages := []shown{at("/gibt-es-nicht", notFound), at("/antraege/gibt-es-nicht", notFound)}
	prints := []shown{at(mp+"/druck", title), at(p(adopted)+"/druck", adopted.Title)}

	// The public: the lists, every public motion, the print view, the
	// watch confirmation (its link with a token that is unknown or expired,
	// the answer to confirming it, the link without a token) and the 404
	// page.
	watch := notify.WatchConfirmationPath + "?token=unbekannt-oder-abgelaufen"
	w.fitsEverywhere("öffentlich", joined([]shown{at("/", "Zuletzt geändert")}, lists, motions, prints, errPages,
		[]shown{at(notify.WatchConfirmationPath, notFound), at(dp, notFound), at(watch, "Adresse bestätigen")})...)
	b.click(`#bestaetigen button[type=submit]`)
	b.must("Link ungültig")
	w.fitsHere("Bestätigung mit unbekanntem Link (öffentlich)")

	// The cards are still a table to screen readers.
	b.setScreen(phoneScreen)
	b.open("/antraege")
	for css, want := range map[string]string{
		"table.liste": "table", "table.liste thead th": "columnheader", "table.liste tbody tr": "row", "table.liste tbody td": "cell",
	} {
		if got := b.axRole(css); got != want {
			t.Errorf("on the phone, %s is a %q to screen readers, want %q", css, got, want)
		}
	}

	// The faction's staff: the worklist, its draft (page, editor, print
	// view), a new motion, every motion with the faction's actions, and the
	// refusal to edit a registered motion.
	w.login(webSPD)
	w.fitsEverywhere("Fraktion", joined([]shown{at("/", "Meine Arbeitsliste"), at("/antraege?fraktion="+factionSPD, draft.Title),
		at(dp, draft.Title, "Einreichen"), at(dp+"/bearbeiten", "Entwurf bearbeiten"), at(dp+"/druck", "Entwurf"), at("/antraege/neu", "Neuer Antrag"),
		at(p(other)+"/bearbeiten", "Nicht bearbeitbar"), at("/benachrichtigungen", "Benachrichtigungen", "Einem Schlagwort folgen")},
		ownLists, motions, prints)...)
	b.open("/")
	w.logout()

	// The council office: its worklist with the overdue deadline, every
	// motion with its next step and the folded actions, and the refusal of
	// a new motion.
	w.login(webOffice)
	w.fitsEverywhere("Ratsbüro", joined([]shown{at("/", "Meine Arbeitsliste", "überfällig"), at("/antraege/neu", "Keine Berechtigung"),
		at("/antraege/erfassen", "Eingang erfassen"),
		at("/gremien", "Gremium, Fraktion oder Dezernat anlegen"), lists[0], at("/statistik", "Statistik"),
		at("/benachrichtigungen", "Benachrichtigungen")}, motions)...)
	b.open("/")
	w.logout()

	// The administration's department: the motions that wait for its
	// statement, answer or report.
	w.login(webDept)
	w.fitsEverywhere("Verwaltung", joined([]shown{at("/", "Meine Arbeitsliste", inq.Title), at(p(inq), "Nächster Schritt"),
		at(p(impl), impl.Title), at(p(route), route.Title), at(mp, title), at("/benachrichtigungen", "Benachrichtigungen")}, ownLists)...)
	w.logout()

	// The administrator: the directory with the forms for bodies and
	// organizations.
	w.login(webAdmin)
	w.fitsEverywhere("Administration", at("/", "Meine Arbeitsliste"), at("/gremien", "Körperschaft einrichten"), at("/antraege", "Alle Anträge"),
		at("/statistik", "Statistik"), at(mp, title))
	b.setScreen(desktopScreen)
}

// TestMeetingPagesFitThePhone opens every page of meetings on a phone and on
// a desktop, as the public and as each role that sees it, and asserts what
// TestPagesFitThePhone does: the meeting list (with a cancelled meeting and
// the office's form for a new one), a meeting that took place with results
// entered after the fact, a planned one, a convened one with the result
// form of a scheduled motion and a motion to schedule, one in session (an
// item called, one decided with a per-faction vote, the result forms, the
// Sammelabstimmung) and a held one with its minutes, each meeting's session
// mode for the council office (planned, before opening, in session, held)
// and its live view.
func TestMeetingPagesFitThePhone(t *testing.T) {
	w := newWebHarness(t)
	h := w.harness
	ctx := context.Background()
	now := time.Now().In(berlin)

	// Five members of the committee and of the council.
	members := []string{"Anna Albrecht", "Bernd Bauer", "Carla Conrad-Schmidt-Hohenberger", "Dieter Dorn", "Eva Ernst"}
	for i, name := range members {
		pid := fmt.Sprintf("p%d", i+1)
		if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO persons (id, body_id, name, email) VALUES ($1, $2, $3, '')`, pid, bodyID, name); err != nil {
			t.Fatal(err)
		}
		for _, org := range []string{committee, council} {
			if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO memberships (id, body_id, person_id, organization_id) VALUES ($1, $2, $3, $4)`,
				"m"+pid+"-"+org, bodyID, pid, org); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Two committee meetings begin in a few seconds: their invitations go
	// out now, their sessions open once the rest is prepared.
	start := time.Now().Add(20 * time.Second).Truncate(time.Second)
	long := "Haushaltssatzung 2027 mit den Wirtschaftsplänen der Eigenbetriebe und dem Breitbandinfrastrukturausbaubeschleunigungsprogramm"
	paper := func(title string) map[string]any {
		return map[string]any{"kind": "paper", "public": true, "title": title, "reference": "V 12/2027"}
	}
	live := h.meeting("ha-laufend", committee, "Hauptausschuss (Sitzung mit Live-Übertragung)", start)
	held := h.meeting("ha-gehalten", committee, "Hauptausschuss (Haushaltsklausur)", start)
	for _, id := range []string{live, held} {
		h.meetingCmd(id, meeting.CmdAddItem, paper(long))
		h.meetingCmd(id, meeting.CmdAddItem, paper("Bericht des Oberbürgermeisters zur Lage der Stadt"))
		h.meetingCmd(id, meeting.CmdAddItem, map[string]any{"kind": "free", "public": false, "title": "Grundstücksangelegenheit Quadrat Q 7"})
		h.meetingCmd(id, meeting.CmdPublishInvitation, nil)
	}

	// A committee meeting that took place, with a motion's result entered
	// after the fact; the council's meeting ahead, convened, with the
	// motion scheduled and another one waiting; a planned committee
	// meeting; a cancelled one.
	past := h.meeting("ha-frueher", committee, "Hauptausschuss (Haushaltsberatungen und Stellenplanberatungen)", now.AddDate(0, 0, -14))
	gr := h.meeting("gr-handy", council, "Gemeinderat (Haushaltssitzung)", now.AddDate(0, 0, 28))
	plan := h.meeting("ha-plan", committee, "Hauptausschuss (Vorberatung des Haushalts)", now.AddDate(0, 0, 21))
	off := h.meeting("gr-abgesagt", council, "Gemeinderat (Sondersitzung)", now.AddDate(0, 0, 35))
	h.meetingCmd(off, meeting.CmdCancel, map[string]any{"reason": "Die Tagesordnung ist in der Haushaltssitzung behandelt worden."})
	h.meetingCmd(plan, meeting.CmdAddItem, paper(long))
	h.meetingCmd(gr, meeting.CmdAddItem, paper(long))
	h.meetingCmd(gr, meeting.CmdPublishInvitation, nil)

	title := "Digitalisierung im Quadrat – Breitbandinfrastrukturausbaubeschleunigungsprogramm für Schulgebäude"
	content := draftContent(title)
	content["budget_cycle"] = "Haushalt 2026/2027"
	m := h.create(h.SPD, motion.KindBudgetMotion, content)
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	h.run(h.Office, m.ID, motion.CmdRegister, nil)
	h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": committee}, {"organization_id": council, "decisive": true}}})
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": past,
		"override": "Nacherfassung: die Sitzung des Hauptausschusses wurde nachträglich erfasst."})
	h.run(h.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": "c1", "result": "recommend_approval",
		"vote": map[string]any{"yes": 30, "no": 14, "abstain": 4, "by_faction": []map[string]any{
			{"organization_id": factionSPD, "yes": 12, "no": 0, "abstain": 0},
			{"organization_id": factionCDU, "yes": 18, "no": 14, "abstain": 4},
		}}})
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": "c2", "meeting_id": gr})
	waiting := h.create(h.CDU, motion.KindMotion, draftContent("Radschnellweg zwischen Innenstadt, Neckarstadt und Käfertal"))
	h.run(h.CDU, waiting.ID, motion.CmdSubmit, nil)
	h.run(h.Office, waiting.ID, motion.CmdRegister, nil)
	h.run(h.Office, waiting.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{{"organization_id": council, "decisive": true}}})

	// The sessions: the one is running (TOP 2 called, TOP 1 adopted with
	// a per-faction vote), the other held and closed.
	for time.Now().Before(start) {
		time.Sleep(200 * time.Millisecond)
	}
	tally := map[string]any{"yes": 3, "no": 1, "abstain": 0, "absent": 1, "by_faction": []map[string]any{
		{"organization_id": factionSPD, "yes": 2, "no": 0, "abstain": 0},
		{"organization_id": factionCDU, "yes": 1, "no": 1, "abstain": 0},
	}}
	v := h.meetingCmd(live, meeting.CmdOpenSession, map[string]any{"present": members[:4]})
	h.meetingCmd(live, meeting.CmdRecordResults, map[string]any{"item_ids": []string{v.Agenda[0].ID}, "result": "adopted", "vote": tally,
		"resolution_text": "Der Hauptausschuss empfiehlt dem Gemeinderat, die Haushaltssatzung zu beschließen."})
	h.meetingCmd(live, meeting.CmdCallItem, map[string]any{"item_id": v.Agenda[1].ID})
	v = h.meetingCmd(held, meeting.CmdOpenSession, map[string]any{"present": members})
	var ids []string
	for _, it := range v.Agenda {
		ids = append(ids, it.ID)
	}
	h.meetingCmd(held, meeting.CmdRecordResults, map[string]any{"item_ids": ids[:2], "result": "adopted", "vote": tally})
	h.meetingCmd(held, meeting.CmdRecordResults, map[string]any{"item_ids": ids[2:], "result": "noted"})
	h.meetingCmd(held, meeting.CmdCloseSession, nil)

	s := func(id string) string { return "/sitzungen/" + id }
	lists := []shown{at("/sitzungen", "Sitzungen"), at("/sitzungen?ab="+fmtDate(now.AddDate(0, 0, -30)), "abgesagt"),
		at("/sitzungen?gremium="+committee, "Hauptausschuss")}
	meetings := []shown{at(s(past), title), at(s(gr), title, long), at(s(plan), "Vorberatung des Haushalts"), at(s(off), "abgesagt"),
		at(s(live), "Ergebnis"), at(s(held), "Ergebnis")}
	lives := []shown{at(s(live)+"/live", "Live aus der Sitzung", long), at(s(held)+"/live", "Live aus der Sitzung"), at(s(gr)+"/live", "Live aus der Sitzung")}

	w.fitsEverywhere("öffentlich", joined(lists, meetings, lives)...)

	w.login(webSPD)
	w.fitsEverywhere("Fraktion", joined(lists, meetings, []shown{at(s(gr)+"/sitzung", "Keine Berechtigung")})...)
	w.logout()

	// The council office: the form for a new meeting, the meetings' forms
	// (results, scheduling, moving or cancelling), and the session mode
	// planned, before the opening, in the session and after it.
	w.login(webOffice)
	w.fitsEverywhere("Ratsbüro", joined(lists, meetings, lives[:1], []shown{
		at("/sitzungen", "Sitzung anlegen"),
		at(s(gr), "Ergebnis und Abstimmung erfassen", "Anträge einplanen", "Sitzung verwalten"),
		at(s(plan)+"/sitzung", "Einladung", "Tagesordnungspunkt aufnehmen"),
		at(s(gr)+"/sitzung", "Sitzung eröffnen", "Anwesende Mitglieder"),
		at(s(live)+"/sitzung", "Sammelabstimmung", "Ergebnis zu TOP"),
		at(s(held)+"/sitzung", "Niederschrift"),
	})...)
	w.logout()

	w.login(webDept)
	w.fitsEverywhere("Verwaltung", joined(lists, meetings)...)
	w.logout()
	w.b.setScreen(desktopScreen)
}

// joined joins groups of pages.
func joined(groups ...[]shown) []shown {
	var out []shown
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// fitsEverywhere opens each page once, checks that it says what it must,
// and checks it on the phone and on the desktop (fitsHere).
func (w *webHarness) fitsEverywhere(who string, pages ...shown) {
	w.t.Helper()
	for _, p := range pages {
		w.b.setScreen(phoneScreen)
		w.b.open(p.path)
		w.b.must(p.says...)
		w.fitsHere(p.path + " (" + who + ")")
	}
}

// fitsHere checks the page the browser shows on the phone and on the
// desktop: nothing reaches beyond the screen's edge, axe-core finds no
// violation. A page with folded parts (the actions of a motion) is checked
// again with every part unfolded, as a user who opens them sees it.
func (w *webHarness) fitsHere(name string) {
	w.t.Helper()
	check := func(name string) {
		for _, s := range []screen{phoneScreen, desktopScreen} {
			w.b.setScreen(s)
			n := name + ", " + s.Name
			w.b.fits(n)
			w.b.checkA11y(n)
		}
	}
	check(name)
	if w.b.eval(`String(document.querySelectorAll("details:not([open])").length)`) != "0" {
		w.b.eval(`(document.querySelectorAll("details").forEach(d => { d.open = true }), "aufgeklappt")`)
		check(name + ", alles aufgeklappt")
	}
}

// axRole is the accessibility role of the first element matching css.
func (b *browser) axRole(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(css)))
	if err != nil || len(nodes) == 0 {
		b.t.Fatalf("find %s: %v", css, err)
	}
	fetch := false
	res, err := chromedp.Run(ctx, chromedp.Action[accessibility.GetPartialAXTreeResult](func(ctx context.Context, t *chromedp.Target) (accessibility.GetPartialAXTreeResult, error) {
		return cdp.Call(ctx, t, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{BackendNodeID: nodes[0].BackendNodeID, FetchRelatives: &fetch})
	}))
	if err != nil || len(res.Nodes) == 0 || res.Nodes[0].Role == nil {
		b.t.Fatalf("accessibility of %s: %v", css, err)
	}
	return strings.Trim(string(res.Nodes[0].Role.Value), `"`)
}

// setScreen sets the viewport's size; the page is laid out again.
func (b *browser) setScreen(s screen) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(s.Width, s.Height)); err != nil {
		b.t.Fatalf("viewport %s: %v", s.Name, err)
	}
	// Wait until the layout has the new width.
	for range 50 {
		if b.eval(`String(innerWidth)`) == strconv.FormatInt(s.Width, 10) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.t.Fatalf("viewport %s: the page is %s px wide", s.Name, b.eval(`String(innerWidth)`))
}

// overflowJS lists the elements and the visible texts whose box reaches
// beyond the right edge of the viewport (1 px tolerance), as CSS selectors.
const overflowJS = `(() => {
	const width = document.documentElement.clientWidth;
	const name = el => {
		let s = el.tagName.toLowerCase();
		if (el.id) return s + "#" + el.id;
		if (el.classList.length) s += "." + [...el.classList].join(".");
		const up = el.parentElement;
		if (up && up !== document.body) {
			const same = [...up.children].filter(c => c.tagName === el.tagName);
			if (same.length > 1) s += ":nth-of-type(" + (same.indexOf(el) + 1) + ")";
			return name(up) + " > " + s;
		}
		return s;
	};
	const out = [];
	for (const el of document.body.querySelectorAll("*")) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 && r.height === 0) continue;
		if (r.right > width + 1) out.push(name(el) + " (bis " + Math.round(r.right) + " px)");
	}
	// A text shows only up to the right edge of the nearest box that cuts
	// off what overflows it (overflow hidden or clip: the visually hidden
	// texts for screen readers); a box that scrolls hides nothing.
	const shownUpTo = el => {
		let right = Infinity;
		for (let a = el; a && a !== document.body; a = a.parentElement) {
			const o = getComputedStyle(a).overflowX;
			if (o === "hidden" || o === "clip") right = Math.min(right, a.getBoundingClientRect().right);
		}
		return right;
	};
	const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = texts.nextNode(); n; n = texts.nextNode()) {
		const range = document.createRange();
		range.selectNodeContents(n);
		const r = range.getBoundingClientRect();
		if (r.width > 0 && r.right > width + 1 && shownUpTo(n.parentElement) > width + 1) out.push(name(n.parentElement) + " > Text „" + n.textContent.trim().slice(0, 40) + "“ (bis " + Math.round(r.right) + " px)");
	}
	const broken = [...document.querySelectorAll(".aktenzeichen")].filter(el => el.getClientRects().length > 1).
		map(el => name(el) + " „" + el.textContent + "“");
	return JSON.stringify({width, scroll: document.documentElement.scrollWidth, out, broken});
})()`

// fits fails the test if any element of the page reaches beyond the
// viewport's width, the page scrolls sideways, or a reference number
// ("A1/2026") breaks across lines.
func (b *browser) fits(name string) {
	b.t.Helper()
	var r struct {
		Width, Scroll int
		Out, Broken   []string
	}
	if err := json.Unmarshal([]byte(b.eval(overflowJS)), &r); err != nil {
		b.t.Fatalf("overflow on %s: %v", name, err)
	}
	if len(r.Out) > 0 || r.Scroll > r.Width+1 {
		if len(r.Out) > 12 {
			r.Out = append(r.Out[:12], "…")
		}
		b.t.Errorf("%s: the page is %d px wide on a %d px screen; beyond its edge:\n  %s", name, r.Scroll, r.Width, strings.Join(r.Out, "\n  "))
	}
	if len(r.Broken) > 0 {
		b.t.Errorf("%s: reference numbers break across lines:\n  %s", name, strings.Join(r.Broken, "\n  "))
	}
}
