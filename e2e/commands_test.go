package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// draftContent is a complete, submittable motion.
func draftContent(title string) map[string]any {
	return map[string]any{
		"title":             title,
		"resolution_points": []string{"Die Verwaltung wird beauftragt, ein Konzept vorzulegen."},
		"justification":     "Weil es nötig ist.",
	}
}

// TestIdempotencyAndConcurrency: a retried command applies once, two commands
// on the same version give one 200 and one 412, and a command without
// If-Match is refused with 428 and changes nothing.
func TestIdempotencyAndConcurrency(t *testing.T) {
	h := newHarness(t, api.Config{})

	// A retried create addresses the same motion.
	m := h.create(h.SPD, motion.KindMotion, draftContent("Sitzbänke am Neckarufer"), "Idempotency-Key", "create-bench-1")
	again := h.create(h.SPD, motion.KindMotion, draftContent("Sitzbänke am Neckarufer"), "Idempotency-Key", "create-bench-1")
	if again.ID != m.ID || again.Version != 1 {
		t.Fatalf("retried create: %s v%d, first %s", again.ID, again.Version, m.ID)
	}

	// The same edit sent twice with one Idempotency-Key changes the motion once.
	edit := draftContent("Sitzbänke am Neckarufer und im Luisenpark")
	for i := range 2 {
		r := h.mustStatus(h.command(h.SPD, m.ID, motion.CmdEdit, 1, edit, "Idempotency-Key", "edit-bench-1"), 200)
		if r.Header.Get("ETag") != `"2"` {
			t.Fatalf("attempt %d: ETag %q, want \"2\"", i+1, r.Header.Get("ETag"))
		}
	}
	if got := h.get(h.SPD, m.ID); got.Version != 2 || got.Title != edit["title"] {
		t.Fatalf("after a retried edit: version %d, title %q", got.Version, got.Title)
	}
	if evs := h.history(h.SPD, m.ID); len(evs) != 2 || evs[1].Command != motion.CmdEdit {
		t.Fatalf("history after a retried edit: %+v", evs)
	}

	// The same key with other content is refused (422) and changes nothing:
	// answering it with the first result would drop the new content unseen.
	h.mustStatus(h.command(h.SPD, m.ID, motion.CmdEdit, 2, draftContent("Eine ganz andere Fassung"), "Idempotency-Key", "edit-bench-1"),
		http.StatusUnprocessableEntity)
	h.mustStatus(h.call("POST", "/v1/motions", h.SPD, map[string]any{"body_id": bodyID, "kind": motion.KindMotion,
		"title": "Ein anderer Antrag", "resolution_points": []string{"Etwas anderes."}},
		"Idempotency-Key", "create-bench-1"), http.StatusUnprocessableEntity)
	if got := h.get(h.SPD, m.ID); got.Version != 2 || got.Title != edit["title"] {
		t.Fatalf("after reusing keys with other content: version %d, title %q", got.Version, got.Title)
	}

	// Two different commands on the same version: exactly one wins.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range 2 {
		wg.Go(func() {
			c := draftContent(fmt.Sprintf("Konkurrierende Fassung %d", i))
			statuses[i] = h.command(h.SPD, m.ID, motion.CmdEdit, 2, c).Status
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{http.StatusOK, http.StatusPreconditionFailed}) {
		t.Fatalf("concurrent commands on version 2 answered %v, want one 200 and one 412", statuses)
	}
	if got := h.get(h.SPD, m.ID); got.Version != 3 || len(h.history(h.SPD, m.ID)) != 3 {
		t.Fatalf("after the race: version %d", got.Version)
	}

	// A stale version is 412; no version at all is 428. Neither changes anything.
	h.mustStatus(h.command(h.SPD, m.ID, motion.CmdSubmit, 2, nil), http.StatusPreconditionFailed)
	h.mustStatus(h.call("POST", "/v1/motions/"+m.ID+"/submit", h.SPD, nil), http.StatusPreconditionRequired)
	if got := h.get(h.SPD, m.ID); got.Version != 3 || got.Status != motion.StatusDraft || len(h.history(h.SPD, m.ID)) != 3 {
		t.Fatalf("refused commands changed the motion: version %d status %s", got.Version, got.Status)
	}
}

// TestConcurrentRegistrations: 50 motions registered at once get the
// reference numbers 1 to 50 of the year in their body, each once — also when
// every first attempt of the step that assigns them fails after the number
// was taken, as a crashing worker's would.
func TestConcurrentRegistrations(t *testing.T) {
	h := newHarnessWith(t, api.Config{}, harnessOptions{failAfterAssign: true})
	const n = 50
	ids := make([]string, n)
	parallel(t, n, 10, func(i int) {
		m := h.create(h.SPD, motion.KindMotion, draftContent(fmt.Sprintf("Antrag Nummer %d", i+1)))
		h.mustStatus(h.command(h.SPD, m.ID, motion.CmdSubmit, 1, nil), 200)
		ids[i] = m.ID
	})

	start := time.Now()
	results := make([]motionView, n)
	parallel(t, n, n, func(i int) {
		r := h.mustStatus(h.command(h.Office, ids[i], motion.CmdRegister, 2, nil), 200)
		h.decode(r, &results[i])
	})
	t.Logf("%d concurrent registrations took %v", n, time.Since(start))

	year := results[0].RegisteredAt.In(berlin).Year()
	seqs := make([]int, 0, n)
	refs := map[string]bool{}
	for _, m := range results {
		if m.Status != motion.StatusRegistered || m.ReferenceYear != year || m.Reference != fmt.Sprintf("A%d/%d", m.ReferenceSeq, year) {
			t.Errorf("motion %s: status %s, reference %q (seq %d, year %d)", m.ID, m.Status, m.Reference, m.ReferenceSeq, m.ReferenceYear)
		}
		refs[m.Reference] = true
		seqs = append(seqs, m.ReferenceSeq)
	}
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("reference numbers %v, want 1..%d without gaps or repeats", seqs, n)
		}
	}
	if len(refs) != n {
		t.Fatalf("%d distinct references for %d motions", len(refs), n)
	}
	// The read model agrees.
	items, _ := h.list(h.Office, "status=registered&limit=200")
	if len(items) != n {
		t.Fatalf("the list shows %d registered motions, want %d", len(items), n)
	}
	for _, m := range items {
		if !refs[m.Reference] {
			t.Errorf("listed motion %s has reference %q", m.ID, m.Reference)
		}
	}
}

// parallel runs f(0..n-1) with at most width at a time.
func parallel(t *testing.T, n, width int, f func(i int)) {
	t.Helper()
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// TestDraftsStayWithTheirFaction: faction A's draft does not exist for
// faction B, the council office or the public — not in reads, history,
// lists, search or commands — and is all there for faction A.
func TestDraftsStayWithTheirFaction(t *testing.T) {
	h := newHarness(t, api.Config{})
	draft := h.create(h.SPD, motion.KindMotion, draftContent("Vertraulicher Entwurf zur Wasserstoffstrategie"))
	public := h.create(h.CDU, motion.KindMotion, draftContent("Öffentlicher Antrag zur Wasserstoffstrategie"))
	h.run(h.CDU, public.ID, motion.CmdSubmit, nil)

	for _, u := range []user{h.CDU, h.Office, h.Dept, h.Admin, h.Anon} {
		who := u.Subject
		if who == "" {
			who = "anonymous"
		}
		for _, path := range []string{"/v1/motions/" + draft.ID, "/v1/motions/" + draft.ID + "?consistent=true", "/v1/motions/" + draft.ID + "/history"} {
			r := h.call("GET", path, u, nil)
			if r.Status != http.StatusNotFound {
				t.Errorf("%s: GET %s answered %d, want 404", who, path, r.Status)
			}
			if strings.Contains(string(r.Body), "Vertraulich") {
				t.Errorf("%s: GET %s leaks the title", who, path)
			}
		}
		for _, q := range []string{"", "q=Wasserstoffstrategie", "q=Vertraulicher", "faction=" + factionSPD, "status=draft"} {
			items, _ := h.list(u, q)
			if slices.ContainsFunc(items, func(m motionView) bool { return m.ID == draft.ID }) {
				t.Errorf("%s: list %q shows the draft", who, q)
			}
		}
		// The public motion is there for everybody, so the search itself works.
		items, _ := h.list(u, "q=Wasserstoffstrategie")
		if !slices.ContainsFunc(items, func(m motionView) bool { return m.ID == public.ID }) {
			t.Errorf("%s: search misses the public motion", who)
		}
		if u.token != "" {
			if r := h.command(u, draft.ID, motion.CmdSubmit, 1, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s: submit on the foreign draft answered %d, want 404", who, r.Status)
			}
		}
	}

	// The owning faction sees it everywhere.
	if m := h.get(h.SPD, draft.ID); m.Title != "Vertraulicher Entwurf zur Wasserstoffstrategie" {
		t.Fatalf("own draft: %+v", m)
	}
	if evs := h.history(h.SPD, draft.ID); len(evs) != 1 {
		t.Fatalf("own history: %+v", evs)
	}
	for _, q := range []string{"", "q=Wasserstoffstrategie", "q=Vertraulicher", "faction=" + factionSPD, "status=draft"} {
		items, _ := h.list(h.SPD, q)
		if !slices.ContainsFunc(items, func(m motionView) bool { return m.ID == draft.ID }) {
			t.Errorf("own list %q misses the draft", q)
		}
	}
	if got := h.get(h.SPD, draft.ID); got.Version != 1 {
		t.Fatalf("refused commands changed the draft: version %d", got.Version)
	}
}

// TestRolesAreRefused runs every command, as every role that the transition
// table does not name for it, on a motion in a status where the command is
// allowed (a role that may run it there shows it in allowed_actions). Each is
// refused with 403 — or 404 where the motion is a draft that the role may not
// even see — and the anonymous public gets 401. Nothing changes.
func TestRolesAreRefused(t *testing.T) {
	h := newHarness(t, api.Config{})
	// A meeting that has been held, so that its result can be recorded.
	gr := h.meeting("gr-1", council, "Gemeinderat", time.Date(2026, 3, 10, 16, 0, 0, 0, berlin))

	// One motion per status the table starts from.
	fixtures := map[motion.Status]motionView{}
	newMotion := func(title string, kind motion.Kind) string {
		c := draftContent(title)
		if kind == motion.KindInquiry {
			c["resolution_points"] = []string{"Wie viele Bänke gibt es?"}
		}
		return h.create(h.SPD, kind, c).ID
	}
	steps := func(id string, cmds ...motion.CommandName) motionView {
		var m motionView
		for _, c := range cmds {
			u := h.Office
			switch c {
			case motion.CmdSubmit:
				u = h.SPD
			case motion.CmdRecordAnswer:
				u = h.Dept
			}
			m = h.run(u, id, c, bodies(c, gr))
		}
		return m
	}
	fixtures[motion.StatusDraft] = h.get(h.SPD, newMotion("Entwurf", motion.KindMotion))
	fixtures[motion.StatusSubmitted] = steps(newMotion("Eingereicht", motion.KindMotion), motion.CmdSubmit)
	fixtures[motion.StatusRegistered] = steps(newMotion("Registriert", motion.KindMotion), motion.CmdSubmit, motion.CmdRegister)
	fixtures[motion.StatusInConsultation] = steps(newMotion("In Beratung", motion.KindMotion),
		motion.CmdSubmit, motion.CmdRegister, motion.CmdSetRoute)
	fixtures[motion.StatusDecided] = steps(newMotion("Entschieden", motion.KindMotion),
		motion.CmdSubmit, motion.CmdRegister, motion.CmdSetRoute, motion.CmdSchedule, motion.CmdRecordResult)
	fixtures[motion.StatusImplementation] = steps(newMotion("In Umsetzung", motion.KindMotion),
		motion.CmdSubmit, motion.CmdRegister, motion.CmdSetRoute, motion.CmdSchedule, motion.CmdRecordResult, motion.CmdStartImplementation)
	fixtures[motion.StatusAnswered] = steps(newMotion("Anfrage", motion.KindInquiry), motion.CmdSubmit, motion.CmdRegister, motion.CmdRecordAnswer)
	inquiry := steps(newMotion("Offene Anfrage", motion.KindInquiry), motion.CmdSubmit, motion.CmdRegister)

	users := map[motion.Role]user{
		motion.RoleFactionStaff: h.SPD, motion.RoleCouncilOffice: h.Office,
		motion.RoleAdministration: h.Dept, motion.RoleAdmin: h.Admin,
		motion.RoleCouncillor: h.user("rat-erika", "Erika Rätin", motion.RoleCouncillor, "person:p-erika"),
	}
	checked := 0
	for _, name := range motion.Commands {
		if motion.Creating(name) {
			continue
		}
		rule := motion.Table[name]
		m, ok := fixtureFor(rule, fixtures, inquiry)
		if !ok {
			t.Fatalf("%s: no fixture in %v", name, rule.From)
		}
		// Positive control: a role that may run it sees it allowed on this
		// motion. Signing and answering an invitation need a named signer
		// or an invited faction, which TestEveryoneTheCodeAllowsMovesAMotion
		// walks through.
		allowedBy := users[rule.Roles[0]]
		if rule.Scope != motion.ScopeSigner && rule.Scope != motion.ScopeInvited {
			if got := h.get(allowedBy, m.ID); !slices.Contains(got.AllowedActions, name) {
				t.Fatalf("%s: not allowed for %s on the %s motion (allowed: %v)", name, rule.Roles[0], m.Status, got.AllowedActions)
			}
		}
		for _, role := range motion.Roles {
			if slices.Contains(rule.Roles, role) {
				continue
			}
			u := users[role]
			want := http.StatusForbidden
			if m.Status == motion.StatusDraft && role != motion.RoleFactionStaff {
				want = http.StatusNotFound // the SPD's draft does not exist for the role
			}
			r := h.command(u, m.ID, name, m.Version, bodies(name, gr))
			if r.Status != want {
				t.Errorf("%s as %s on a %s motion: %s, want %d", name, role, m.Status, r, want)
			}
			checked++
		}
		if r := h.command(h.Anon, m.ID, name, m.Version, bodies(name, gr)); r.Status != http.StatusUnauthorized {
			t.Errorf("%s anonymously: %s, want 401", name, r)
		}
	}
	t.Logf("%d refusals checked", checked)
	for status, m := range fixtures {
		if got := h.get(h.SPD, m.ID); got.Version != m.Version {
			t.Errorf("the %s motion changed: version %d, was %d", status, got.Version, m.Version)
		}
	}
}

// fixtureFor picks the motion a command is tried on: the first status the
// rule allows for which there is a motion of a fitting kind, preferring a
// public one (every role can see it, so a refusal is about the role).
func fixtureFor(rule motion.Rule, fixtures map[motion.Status]motionView, inquiry motionView) (motionView, bool) {
	if slices.Equal(rule.Kinds, []motion.Kind{motion.KindInquiry}) {
		return inquiry, slices.Contains(rule.From, inquiry.Status)
	}
	for _, draftToo := range []bool{false, true} {
		for _, st := range rule.From {
			if st == motion.StatusDraft && !draftToo {
				continue
			}
			if m, ok := fixtures[st]; ok && (len(rule.Kinds) == 0 || slices.Contains(rule.Kinds, m.Kind)) {
				return m, true
			}
		}
	}
	return motionView{}, false
}

// bodies gives each command a valid request body: a refusal must come from
// the role, not from the content.
func bodies(c motion.CommandName, meeting string) any {
	yes := true
	switch c {
	case motion.CmdEdit:
		return draftContent("Geänderter Entwurf")
	case motion.CmdInviteCosponsor:
		return map[string]any{"faction": factionCDU}
	case motion.CmdDeclareInadmissible, motion.CmdLapse:
		return map[string]any{"reason": "Nicht zuständig."}
	case motion.CmdSetRoute:
		return map[string]any{"steps": []map[string]any{{"organization_id": council, "decisive": true}}}
	case motion.CmdSchedule:
		// The meeting may lie on a day that has passed (its result is
		// recorded after it began): the council office enters it after the
		// fact, with its reason.
		return map[string]any{"consultation_id": "c1", "meeting_id": meeting, "override": "Nacherfassung der Sitzung."}
	case motion.CmdRecordResult:
		return map[string]any{"consultation_id": "c1", "result": "adopted", "vote": map[string]any{"yes": 30, "no": 10, "abstain": 2}}
	case motion.CmdCorrectResult:
		return map[string]any{"consultation_id": "c1", "result": "rejected", "reason": "Zählfehler.", "vote": map[string]any{"yes": 10, "no": 30, "abstain": 2}}
	case motion.CmdRecordOutcome:
		return map[string]any{"result": "settled_by_administration", "originator_agreed": yes}
	case motion.CmdRecordStatement, motion.CmdRecordAnswer, motion.CmdReportImplementation:
		return map[string]any{"text": "Die Verwaltung nimmt wie folgt Stellung."}
	case motion.CmdClose:
		return map[string]any{"note": "Erledigt."}
	case motion.CmdWithdraw:
		return map[string]any{"reason": "Hat sich erledigt."}
	case motion.CmdSetDeadline:
		return map[string]any{"key": "agenda_placement", "due": "2026-06-30T18:00:00+02:00", "reason": "Sondersitzung."}
	case motion.CmdSetDepartments:
		return map[string]any{"lead": department}
	case motion.CmdDeclineCosponsorship:
		return map[string]any{"reason": "Wir stellen einen eigenen Antrag."}
	}
	return nil
}
