package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/motionflow/motionflow/motion"
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

// TestPagesFitThePhone opens every page the public, the faction's staff and
// the council office can see, on a phone (390×844) and on a desktop
// (1366×900), with a motion that went through the whole process (a long
// title, the example's points, a per-faction vote, one consultation with the
// result form still open), and asserts that no element reaches beyond the
// viewport's width and that axe-core finds no violation at either size.
func TestPagesFitThePhone(t *testing.T) {
	ex := readExample(t)
	w := newWebHarness(t)
	b := w.b

	// The data set, over the API: another faction's registered motion …
	other := w.create(w.CDU, motion.KindMotion, map[string]any{
		"title":             "Digitalstrategie für die Stadtverwaltung",
		"resolution_points": []string{"Die Verwaltung legt bis Mitte 2020 eine Digitalstrategie vor."},
	})
	w.run(w.CDU, other.ID, motion.CmdSubmit, nil)
	other = w.run(w.Office, other.ID, motion.CmdRegister, nil)

	// … two meetings: the committee's has taken place (its result can be
	// recorded only once the meeting began), the council's is ahead …
	now := time.Now().In(berlin)
	ha := w.meeting("ha-handy", committee, "Hauptausschuss (Haushaltsberatungen und Stellenplanberatungen)", now.AddDate(0, 0, -14))
	gr := w.meeting("gr-handy", council, "Gemeinderat (Haushaltssitzung)", now.AddDate(0, 0, 28))

	// … the example with a long title, submitted, registered, routed,
	// recommended by the committee with a per-faction vote (its session
	// entered after the fact, with the council office's reason) and scheduled
	// into the council's meeting (whose page then shows the result form) …
	title := ex.Title + " – Breitbandinfrastrukturausbaubeschleunigungsprogramm für Schulgebäude"
	m := w.create(w.SPD, motion.KindBudgetMotion, map[string]any{
		"title":             title,
		"resolution_points": ex.ResolutionPoints,
		"justification":     ex.Justification,
		"tags":              ex.Tags,
		"budget_cycle":      "Haushalt 2020/2021",
		"signatories":       []string{"Ralf Eisenhauer", "Dr. Boris Weirauch"},
	})
	w.run(w.SPD, m.ID, motion.CmdSubmit, nil)
	m = w.run(w.Office, m.ID, motion.CmdRegister, nil)
	m = w.run(w.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": committee}, {"organization_id": council, "decisive": true},
	}})
	haStep, grStep := m.Consultations[0].ID, m.Consultations[1].ID
	w.run(w.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": haStep, "meeting_id": ha,
		"override": "Nacherfassung: die Sitzung des Hauptausschusses wurde nachträglich erfasst."})
	w.run(w.Office, m.ID, motion.CmdRecordResult, map[string]any{
		"consultation_id": haStep, "result": "recommend_approval",
		"vote": map[string]any{"yes": 30, "no": 14, "abstain": 4, "absent": 0, "by_faction": []map[string]any{
			{"organization_id": factionSPD, "yes": 12, "no": 0, "abstain": 0},
			{"organization_id": factionCDU, "yes": 18, "no": 14, "abstain": 4},
		}},
	})
	w.run(w.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": grStep, "meeting_id": gr})

	// … and a draft of the faction's.
	draft := w.create(w.SPD, motion.KindMotion, map[string]any{
		"title":             "Sanierungsfahrplan für die Grundschulgebäude der Innenstadt",
		"resolution_points": []string{ex.ResolutionPoints[0]},
	})

	mp, op, dp := "/antraege/"+m.ID, "/antraege/"+other.ID, "/antraege/"+draft.ID
	public := []string{"/", "/antraege", "/antraege?q=Digitalisierung", mp, mp + "/druck", "/sitzungen", "/sitzungen/" + ha, "/sitzungen/" + gr, "/gremien", "/statistik"}

	w.fitsEverywhere("öffentlich", public...)

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
	w.login(webSPD)
	w.fitsEverywhere("Fraktion", append(public, dp, dp+"/bearbeiten", dp+"/druck", "/antraege/neu")...)
	w.logout()
	w.login(webOffice)
	w.fitsEverywhere("Ratsbüro", append(public, op)...)
	b.setScreen(desktopScreen)
}

// fitsEverywhere opens each path once and checks it on the phone and on the
// desktop.
func (w *webHarness) fitsEverywhere(who string, paths ...string) {
	w.t.Helper()
	for _, p := range paths {
		w.b.setScreen(phoneScreen)
		w.b.open(p)
		for _, s := range []screen{phoneScreen, desktopScreen} {
			w.b.setScreen(s)
			name := p + " (" + who + ", " + s.Name + ")"
			w.b.fits(name)
			w.b.checkA11y(name)
		}
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

// overflowJS lists the elements and texts whose box reaches beyond the
// right edge of the viewport (1 px tolerance), as CSS selectors.
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
	const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = texts.nextNode(); n; n = texts.nextNode()) {
		const range = document.createRange();
		range.selectNodeContents(n);
		const r = range.getBoundingClientRect();
		if (r.width > 0 && r.right > width + 1) out.push(name(n.parentElement) + " > Text „" + n.textContent.trim().slice(0, 40) + "“ (bis " + Math.round(r.right) + " px)");
	}
	return JSON.stringify({width, scroll: document.documentElement.scrollWidth, out});
})()`

// fits fails the test if any element of the page reaches beyond the
// viewport's width or the page scrolls sideways.
func (b *browser) fits(name string) {
	b.t.Helper()
	var r struct {
		Width, Scroll int
		Out           []string
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
}
