package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// world is a body with motions in every state the deadline endpoints care
// about, and their deadlines projected directly into the read model.
type world struct {
	*env
	now time.Time
	// spdDraft and cduDraft are private drafts aimed at meeting gr-next.
	spdDraft, cduDraft string
	// submitted is an SPD motion waiting for registration; registered one
	// registered already.
	submitted, registered string
	// inquiry is a registered CDU inquiry to department dez1.
	inquiry string
	// deadlines by motion id.
	deadlines map[string][]motion.Deadline
}

// motionAs creates a draft as token and returns its id.
func (e *env) motionAs(token, kind, title string, extra map[string]any) string {
	e.t.Helper()
	body := map[string]any{"body_id": "mannheim", "kind": kind, "title": title, "resolution_points": []string{"Die Verwaltung wird beauftragt."}}
	for k, v := range extra {
		body[k] = v
	}
	r := e.do("POST", "/v1/motions", token, body)
	expect(e.t, r, http.StatusCreated)
	return r.json(e.t)["id"].(string)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := newEnv(t, api.Config{BaseURL: "https://rat.example"})
	ctx := context.Background()
	if _, err := e.store.CreateOrganization(ctx, store.Organization{ID: "dez1", BodyID: "mannheim", Kind: store.OrgDepartment, Name: "Dezernat I"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	w := &world{env: e, now: now, deadlines: map[string][]motion.Deadline{}}
	// Meetings: one ahead, one far in the past, one two years ahead, one cancelled.
	for _, m := range []map[string]any{
		{"id": "gr-next", "organization_id": "gr", "name": "Sitzung des Gemeinderats", "location": "Ratssaal, Rathaus E 5",
			"start": now.AddDate(0, 0, 30).Format(time.RFC3339), "end": now.AddDate(0, 0, 30).Add(3 * time.Hour).Format(time.RFC3339)},
		{"id": "gr-old", "organization_id": "gr", "name": "Alte Sitzung", "start": now.AddDate(0, -6, 0).Format(time.RFC3339)},
		{"id": "gr-far", "organization_id": "gr", "name": "Ferne Sitzung", "start": now.AddDate(2, 0, 0).Format(time.RFC3339)},
		{"id": "ha-next", "organization_id": "ha", "name": "Sitzung des Hauptausschusses", "start": now.AddDate(0, 0, 10).Format(time.RFC3339)},
	} {
		expect(t, e.do("POST", "/v1/bodies/mannheim/meetings", "office", m), http.StatusCreated)
	}
	expect(t, e.do("PATCH", "/v1/meetings/ha-next", "office", map[string]any{"cancelled": true}), http.StatusOK)

	w.spdDraft = e.motionAs("spd", "motion", "Geheimer SPD-Entwurf", map[string]any{"target_meeting": "gr-next"})
	w.cduDraft = e.motionAs("cdu", "motion", "Geheimer CDU-Entwurf", map[string]any{"target_meeting": "gr-next"})
	w.submitted = e.motionAs("spd", "motion", "Mehr Radwege", nil)
	e.run("spd", w.submitted, motion.CmdSubmit, nil, http.StatusOK)
	w.registered = e.motionAs("spd", "motion", "Schulhöfe öffnen", nil)
	e.run("spd", w.registered, motion.CmdSubmit, nil, http.StatusOK)
	e.run("office", w.registered, motion.CmdRegister, nil, http.StatusOK)
	w.inquiry = e.motionAs("cdu", "inquiry", "Wie viele Bänke hat die Stadt?", map[string]any{"addressed_department": "dez1"})
	e.run("cdu", w.inquiry, motion.CmdSubmit, nil, http.StatusOK)
	e.run("office", w.inquiry, motion.CmdRegister, nil, http.StatusOK)

	day := 24 * time.Hour
	w.seed(w.spdDraft, "spd", motion.Deadline{Key: "submission_cutoff:gr-next", Kind: motion.DeadlineSubmissionCutoff,
		Due: now.Add(16 * day), MeetingID: "gr-next", Rule: "submission_cutoff", RuleVersion: 1, Audiences: []string{"faction:spd"}})
	w.seed(w.cduDraft, "cdu", motion.Deadline{Key: "submission_cutoff:gr-next", Kind: motion.DeadlineSubmissionCutoff,
		Due: now.Add(16 * day), MeetingID: "gr-next", Rule: "submission_cutoff", RuleVersion: 1, Audiences: []string{"faction:cdu"}})
	w.seed(w.submitted, "spd",
		motion.Deadline{Key: "agenda_placement", Kind: motion.DeadlineAgendaPlacement, Due: now.Add(-2 * day), MeetingID: "gr-next",
			Rule: "agenda_placement", RuleVersion: 1, Audiences: []string{"council_office"}, Informed: []string{"faction:spd"}},
		motion.Deadline{Key: "stale_motion", Kind: motion.DeadlineStale, Due: now.Add(80 * day), Rule: "manual",
			Reason: "Sommerpause", Audiences: []string{"council_office", "faction:spd"}})
	w.seed(w.registered, "spd",
		motion.Deadline{Key: "stale_motion", Kind: motion.DeadlineStale, Due: now.Add(-5 * day), Rule: "stale_motion", RuleVersion: 1,
			Audiences: []string{"council_office", "faction:spd"}})
	w.seed(w.inquiry, "cdu",
		motion.Deadline{Key: "inquiry_answer", Kind: motion.DeadlineInquiryAnswer, Due: now.Add(5 * day), Rule: "inquiry_answer", RuleVersion: 1,
			Audiences: []string{"department:dez1"}, Informed: []string{"faction:cdu"}})
	return w
}

func (w *world) seed(id, faction string, ds ...motion.Deadline) {
	w.t.Helper()
	if err := w.store.ProjectDeadlines(context.Background(), id, "mannheim", faction, ds); err != nil {
		w.t.Fatal(err)
	}
	w.deadlines[id] = ds
}

type deadlineJSON struct {
	Key         string   `json:"key"`
	Kind        string   `json:"kind"`
	Label       string   `json:"label"`
	Due         string   `json:"due"`
	Overdue     bool     `json:"overdue"`
	Rule        string   `json:"rule"`
	RuleVersion int      `json:"rule_version"`
	Reason      string   `json:"reason"`
	MeetingID   string   `json:"meeting_id"`
	Audiences   []string `json:"audiences"`
	Informed    []string `json:"informed"`
	Motion      *struct {
		ID     string `json:"id"`
		Href   string `json:"href"`
		Title  string `json:"title"`
		Status string `json:"status"`
	} `json:"motion"`
}

type deadlinePage struct {
	Items []deadlineJSON `json:"items"`
	Next  string         `json:"next"`
}

func decode[T any](t *testing.T, r resp) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode: %v\n%s", err, r.body)
	}
	return v
}

// listedMotions are the motion ids of a deadline list.
func listedMotions(p deadlinePage) map[string]int {
	out := map[string]int{}
	for _, d := range p.Items {
		out[d.Motion.ID]++
	}
	return out
}

func TestMotionDeadlines(t *testing.T) {
	w := newWorld(t)
	// A draft's deadlines are its faction's: 404 for everybody else.
	for _, tok := range []string{"", "cdu", "office", "other"} {
		expect(t, w.do("GET", "/v1/motions/"+w.spdDraft+"/deadlines", tok, nil), http.StatusNotFound)
	}
	r := w.do("GET", "/v1/motions/"+w.spdDraft+"/deadlines", "spd", nil)
	expect(t, r, http.StatusOK)
	p := decode[deadlinePage](t, r)
	if len(p.Items) != 1 || p.Items[0].Kind != "submission_cutoff" || p.Items[0].Label != "Antragsschluss für die Sitzung" ||
		p.Items[0].Rule != "submission_cutoff" || p.Items[0].RuleVersion != 1 || p.Items[0].MeetingID != "gr-next" || p.Items[0].Motion != nil {
		t.Errorf("draft deadlines %+v", p.Items)
	}

	// A public motion's deadlines, earliest first, in the body's time zone.
	r = w.do("GET", "/v1/motions/"+w.submitted+"/deadlines", "", nil)
	expect(t, r, http.StatusOK)
	p = decode[deadlinePage](t, r)
	if len(p.Items) != 2 {
		t.Fatalf("deadlines %s", r.body)
	}
	first, second := p.Items[0], p.Items[1]
	if first.Kind != "agenda_placement" || !first.Overdue || second.Overdue || first.Label != motion.DeadlineAgendaPlacement.Label() {
		t.Errorf("order or overdue: %+v", p.Items)
	}
	due, err := time.Parse(time.RFC3339, first.Due)
	if err != nil || !due.Equal(w.now.Add(-48*time.Hour)) {
		t.Errorf("due %q (%v), want %v", first.Due, err, w.now.Add(-48*time.Hour))
	}
	if !regexp.MustCompile(`\+0[12]:00$`).MatchString(first.Due) {
		t.Errorf("due %q is not in Europe/Berlin", first.Due)
	}
	if !slices.Equal(first.Audiences, []string{"council_office"}) || !slices.Equal(first.Informed, []string{"faction:spd"}) {
		t.Errorf("audiences %v informed %v", first.Audiences, first.Informed)
	}
	if second.Rule != "manual" || second.RuleVersion != 0 || second.Reason != "Sommerpause" || second.Informed == nil {
		t.Errorf("manual deadline %+v", second)
	}
	expect(t, w.do("GET", "/v1/motions/nope/deadlines", "", nil), http.StatusNotFound)
}

func TestDeadlineListVisibility(t *testing.T) {
	w := newWorld(t)
	for tok, want := range map[string][]string{
		"":       {w.submitted, w.registered, w.inquiry},
		"office": {w.submitted, w.registered, w.inquiry},
		"spd":    {w.spdDraft, w.submitted, w.registered, w.inquiry},
		"cdu":    {w.cduDraft, w.submitted, w.registered, w.inquiry},
		"other":  {},
	} {
		r := w.do("GET", "/v1/deadlines", tok, nil)
		expect(t, r, http.StatusOK)
		got := listedMotions(decode[deadlinePage](t, r))
		for _, id := range want {
			if got[id] == 0 {
				t.Errorf("%q does not see the deadlines of %s", tok, id)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%q sees deadlines of %v, want %v", tok, got, want)
		}
		if tok != "spd" && strings.Contains(string(r.body), w.spdDraft) {
			t.Errorf("%q sees the SPD draft", tok)
		}
	}
	// Filters: faction, kind, due range, body.
	r := w.do("GET", "/v1/deadlines?faction=cdu", "spd", nil)
	if got := listedMotions(decode[deadlinePage](t, r)); len(got) != 1 || got[w.inquiry] != 1 {
		t.Errorf("faction=cdu for spd: %v", got)
	}
	r = w.do("GET", "/v1/deadlines?kind=stale_motion", "", nil)
	if p := decode[deadlinePage](t, r); len(p.Items) != 2 || p.Items[0].Motion.ID != w.registered {
		t.Errorf("kind=stale_motion: %s", r.body)
	}
	from, to := w.now.Format(time.RFC3339), w.now.AddDate(0, 0, 20).Format(time.RFC3339)
	r = w.do("GET", "/v1/deadlines?from="+from+"&to="+to, "spd", nil)
	if got := listedMotions(decode[deadlinePage](t, r)); len(got) != 2 || got[w.spdDraft] != 1 || got[w.inquiry] != 1 {
		t.Errorf("due range: %v", got)
	}
	r = w.do("GET", "/v1/deadlines?body=heidelberg", "", nil)
	if p := decode[deadlinePage](t, r); len(p.Items) != 0 {
		t.Errorf("body=heidelberg: %s", r.body)
	}

	// Keyset paging yields every deadline once, in due order.
	var all []deadlineJSON
	path := "/v1/deadlines?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		r := w.do("GET", path, "spd", nil)
		expect(t, r, http.StatusOK)
		all = append(all, decode[deadlinePage](t, r).Items...)
		path = ""
		if m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(r.header.Get("Link")); m != nil {
			path = m[1]
		}
	}
	if len(all) != 5 {
		t.Errorf("paged through %d deadlines, want 5", len(all))
	}
	for i := 1; i < len(all); i++ {
		prev, _ := time.Parse(time.RFC3339, all[i-1].Due)
		cur, _ := time.Parse(time.RFC3339, all[i].Due)
		if cur.Before(prev) {
			t.Errorf("not in due order: %s after %s", all[i].Due, all[i-1].Due)
		}
	}
	expect(t, w.do("GET", "/v1/deadlines?cursor=garbage", "spd", nil), http.StatusBadRequest)
}

type worklistJSON struct {
	Items []struct {
		Type     string        `json:"type"`
		Reason   string        `json:"reason"`
		Overdue  bool          `json:"overdue"`
		Actions  []string      `json:"actions"`
		Deadline *deadlineJSON `json:"deadline"`
		Motion   struct {
			ID   string `json:"id"`
			Href string `json:"href"`
		} `json:"motion"`
	} `json:"items"`
	Audiences []string `json:"audiences"`
	Truncated bool     `json:"truncated"`
}

func TestWorklist(t *testing.T) {
	w := newWorld(t)
	expect(t, w.do("GET", "/v1/me/worklist", "", nil), http.StatusUnauthorized)

	// The council office: its overdue deadlines first, then by due, then the
	// motions waiting for it.
	r := w.do("GET", "/v1/me/worklist", "office", nil)
	expect(t, r, http.StatusOK)
	wl := decode[worklistJSON](t, r)
	var kinds []string
	for _, it := range wl.Items {
		kinds = append(kinds, it.Type+":"+it.Motion.ID)
	}
	want := []string{
		"deadline:" + w.registered, // stale, 5 days overdue
		"deadline:" + w.submitted,  // agenda placement, 2 days overdue
		"deadline:" + w.submitted,  // stale, in 80 days
		"step:" + w.submitted,      // waiting for registration
		"step:" + w.registered,     // waiting for its route
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("office worklist\n got %v\nwant %v\n%s", kinds, want, r.body)
	}
	if !wl.Items[0].Overdue || !wl.Items[1].Overdue || wl.Items[2].Overdue {
		t.Errorf("overdue flags: %s", r.body)
	}
	if !strings.HasPrefix(wl.Items[0].Reason, "Frist überschritten: Antrag ohne Fortgang") || !strings.HasPrefix(wl.Items[2].Reason, "Frist: ") {
		t.Errorf("reasons %q / %q", wl.Items[0].Reason, wl.Items[2].Reason)
	}
	if it := wl.Items[3]; !strings.Contains(it.Reason, "Registrierung") || !slices.Equal(it.Actions, []string{"register"}) ||
		it.Motion.Href != "/v1/motions/"+w.submitted {
		t.Errorf("registration step %+v", it)
	}
	if it := wl.Items[4]; !slices.Equal(it.Actions, []string{"set_route"}) {
		t.Errorf("route step %+v", it)
	}
	if !slices.Equal(wl.Audiences, []string{"council_office"}) {
		t.Errorf("audiences %v", wl.Audiences)
	}

	// SPD staff: faction:spd deadlines (never the CDU draft's), its draft to submit.
	r = w.do("GET", "/v1/me/worklist", "spd", nil)
	expect(t, r, http.StatusOK)
	wl = decode[worklistJSON](t, r)
	if strings.Contains(string(r.body), w.cduDraft) || strings.Contains(string(r.body), w.inquiry) {
		t.Errorf("spd worklist shows CDU motions: %s", r.body)
	}
	var steps, deadlines []string
	for _, it := range wl.Items {
		if it.Type == "step" {
			steps = append(steps, it.Motion.ID)
			if it.Reason != "Entwurf – noch nicht eingereicht" || !slices.Contains(it.Actions, "submit") {
				t.Errorf("draft step %+v", it)
			}
		} else {
			deadlines = append(deadlines, it.Motion.ID+":"+it.Deadline.Key)
		}
	}
	// The agenda placement only informs the faction: it is not on its worklist.
	if !slices.Equal(deadlines, []string{w.registered + ":stale_motion", w.spdDraft + ":submission_cutoff:gr-next", w.submitted + ":stale_motion"}) {
		t.Errorf("spd deadlines %v", deadlines)
	}
	if !slices.Equal(steps, []string{w.spdDraft}) {
		t.Errorf("spd steps %v", steps)
	}

	// CDU staff never sees the SPD draft.
	r = w.do("GET", "/v1/me/worklist", "cdu", nil)
	if strings.Contains(string(r.body), w.spdDraft) {
		t.Errorf("cdu worklist shows the SPD draft: %s", r.body)
	}

	// The administration's department: the inquiry's answer, by deadline and as a step.
	r = w.do("GET", "/v1/me/worklist", "verw", nil)
	expect(t, r, http.StatusOK)
	wl = decode[worklistJSON](t, r)
	if len(wl.Items) != 2 || wl.Items[0].Type != "deadline" || wl.Items[0].Deadline.Kind != "inquiry_answer" ||
		wl.Items[1].Type != "step" || !slices.Equal(wl.Items[1].Actions, []string{"record_answer"}) ||
		wl.Items[1].Reason != "Anfrage – Antwort der Verwaltung ausstehend" {
		t.Errorf("administration worklist %s", r.body)
	}
	if !slices.Equal(wl.Audiences, []string{"department:dez1", "administration"}) {
		t.Errorf("administration audiences %v", wl.Audiences)
	}

	// limit bounds each part and says so.
	r = w.do("GET", "/v1/me/worklist?limit=1", "office", nil)
	if wl = decode[worklistJSON](t, r); len(wl.Items) != 2 || !wl.Truncated {
		t.Errorf("limit=1: %s", r.body)
	}
}

func TestWatch(t *testing.T) {
	w := newWorld(t)
	path := "/v1/motions/" + w.submitted + "/watch"
	body := map[string]any{"email": "carl@cdu.example", "channels": []string{"email", "inapp"}, "digest": true}
	expect(t, w.do("PUT", path, "", body), http.StatusUnauthorized)
	// Another faction's draft does not exist for the caller.
	expect(t, w.do("PUT", "/v1/motions/"+w.spdDraft+"/watch", "cdu", body), http.StatusNotFound)
	expect(t, w.do("DELETE", "/v1/motions/"+w.spdDraft+"/watch", "cdu", nil), http.StatusNotFound)
	r := w.do("PUT", path, "cdu", map[string]any{"channels": []string{"email"}})
	expect(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), `"location":"body.email"`) {
		t.Errorf("e-mail channel without address: %s", r.body)
	}
	expect(t, w.do("PUT", path, "cdu", map[string]any{"channels": []string{"sms"}}), http.StatusUnprocessableEntity)

	r = w.do("PUT", path, "cdu", body)
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["motion_id"] != w.submitted || got["digest"] != true || len(got["channels"].([]any)) != 2 {
		t.Errorf("watch %v", got)
	}
	// Changing it keeps one watch.
	expect(t, w.do("PUT", path, "cdu", map[string]any{"channels": []string{"inapp"}}), http.StatusOK)
	r = w.do("GET", "/v1/me/watches", "cdu", nil)
	expect(t, r, http.StatusOK)
	ws := decode[struct {
		Items []struct {
			MotionID string   `json:"motion_id"`
			Channels []string `json:"channels"`
			Digest   bool     `json:"digest"`
			Motion   struct {
				Title string `json:"title"`
			} `json:"motion"`
		} `json:"items"`
	}](t, r)
	if len(ws.Items) != 1 || ws.Items[0].MotionID != w.submitted || !slices.Equal(ws.Items[0].Channels, []string{"inapp"}) ||
		ws.Items[0].Digest || ws.Items[0].Motion.Title != "Mehr Radwege" {
		t.Errorf("watches %s", r.body)
	}
	if r := w.do("GET", "/v1/me/watches", "spd", nil); len(r.json(t)["items"].([]any)) != 0 {
		t.Errorf("spd sees cdu's watches: %s", r.body)
	}
	// The watched motion's deadlines are on the watcher's worklist.
	r = w.do("GET", "/v1/me/worklist", "cdu", nil)
	wl := decode[worklistJSON](t, r)
	watched := 0
	for _, it := range wl.Items {
		if it.Type == "watched" && it.Motion.ID == w.submitted {
			watched++
			if !strings.HasPrefix(it.Reason, "Beobachteter Antrag – ") {
				t.Errorf("watched reason %q", it.Reason)
			}
		}
	}
	if watched != 2 {
		t.Errorf("%d watched deadlines on the worklist, want 2: %s", watched, r.body)
	}

	expect(t, w.do("DELETE", path, "cdu", nil), http.StatusNoContent)
	expect(t, w.do("DELETE", path, "cdu", nil), http.StatusNotFound)
	if r := w.do("GET", "/v1/me/watches", "cdu", nil); len(r.json(t)["items"].([]any)) != 0 {
		t.Errorf("watch not ended: %s", r.body)
	}
}

// feedOf creates a feed with POST path as token and returns its id and path.
func (w *world) feedOf(path, token string) (id, feedPath string) {
	w.t.Helper()
	r := w.do("POST", path, token, nil)
	expect(w.t, r, http.StatusCreated)
	got := r.json(w.t)
	feedPath = got["path"].(string)
	tok := got["token"].(string)
	if len(tok) < 40 || feedPath != "/feeds/"+tok+".ics" || got["url"] != "https://rat.example"+feedPath {
		w.t.Fatalf("created feed %v", got)
	}
	return got["id"].(string), feedPath
}

// calendar fetches and parses a feed.
func (w *world) calendar(path string) (*ics.Calendar, resp) {
	w.t.Helper()
	r := w.do("GET", path, "", nil)
	expect(w.t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		w.t.Errorf("Content-Type %q", ct)
	}
	if cc := r.header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
		w.t.Errorf("Cache-Control %q", cc)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(r.body))
	if err != nil {
		w.t.Fatalf("feed does not parse: %v\n%s", err, r.body)
	}
	return cal, r
}

func calProp(cal *ics.Calendar, p ics.Property) string {
	for _, cp := range cal.CalendarProperties {
		if cp.IANAToken == string(p) {
			return cp.Value
		}
	}
	return ""
}

func eventsByUID(cal *ics.Calendar) map[string]*ics.VEvent {
	out := map[string]*ics.VEvent{}
	for _, ev := range cal.Events() {
		out[ev.Id()] = ev
	}
	return out
}

func TestFeeds(t *testing.T) {
	w := newWorld(t)
	expect(t, w.do("POST", "/v1/me/feeds", "", nil), http.StatusUnauthorized)
	userID, userPath := w.feedOf("/v1/me/feeds", "spd")

	cal, r := w.calendar(userPath)
	// RFC 5545 framing: CRLF line ends, lines of at most 75 octets.
	for _, l := range strings.SplitAfter(string(r.body), "\r\n") {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\r\n") || strings.Contains(strings.TrimSuffix(l, "\r\n"), "\n") {
			t.Fatalf("line without CRLF: %q", l)
		}
		if len(l)-2 > 75 {
			t.Errorf("line longer than 75 octets: %q", l)
		}
	}
	for p, want := range map[ics.Property]string{
		ics.PropertyVersion: "2.0", ics.PropertyCalscale: "GREGORIAN", ics.PropertyMethod: "PUBLISH",
		ics.PropertyXWRCalName: "Sitzungen und Fristen – Stadt Mannheim",
	} {
		if got := calProp(cal, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if !strings.Contains(calProp(cal, ics.PropertyProductId), "motionflow") {
		t.Errorf("PRODID %q", calProp(cal, ics.PropertyProductId))
	}
	evs := eventsByUID(cal)
	// Meetings: the next one and the cancelled one, not those outside the window.
	mt := evs["meeting.gr-next@motionflow"]
	if mt == nil {
		t.Fatalf("no meeting event; events %v", keys(evs))
	}
	if got := mt.GetProperty(ics.ComponentPropertyDtStart).Value; got != w.now.AddDate(0, 0, 30).Format("20060102T150405Z") {
		t.Errorf("meeting DTSTART %s", got)
	}
	if got := mt.GetProperty(ics.ComponentPropertyDtEnd).Value; got != w.now.AddDate(0, 0, 30).Add(3*time.Hour).Format("20060102T150405Z") {
		t.Errorf("meeting DTEND %s", got)
	}
	if got := mt.GetProperty(ics.ComponentPropertyLocation).Value; got != "Ratssaal, Rathaus E 5" {
		t.Errorf("LOCATION %q", got)
	}
	if got := mt.GetProperty(ics.ComponentPropertySummary).Value; got != "Sitzung des Gemeinderats" {
		t.Errorf("meeting SUMMARY %q", got)
	}
	if ts := mt.GetProperty(ics.ComponentPropertyDtstamp).Value; !strings.HasSuffix(ts, "Z") {
		t.Errorf("DTSTAMP %q not UTC", ts)
	}
	if c := evs["meeting.ha-next@motionflow"]; c == nil || c.GetProperty(ics.ComponentPropertyStatus).Value != "CANCELLED" {
		t.Errorf("cancelled meeting missing or not marked")
	}
	if evs["meeting.gr-old@motionflow"] != nil || evs["meeting.gr-far@motionflow"] != nil {
		t.Error("meetings outside the window are in the feed")
	}
	// Deadlines: the SPD staff's audience (reminded or informed), its own draft, never the CDU draft.
	wantDeadlines := map[string]time.Time{
		"submission_cutoff:gr-next." + w.spdDraft + "@motionflow": w.now.Add(16 * 24 * time.Hour),
		"agenda_placement." + w.submitted + "@motionflow":         w.now.Add(-2 * 24 * time.Hour),
		"stale_motion." + w.submitted + "@motionflow":             w.now.Add(80 * 24 * time.Hour),
		"stale_motion." + w.registered + "@motionflow":            w.now.Add(-5 * 24 * time.Hour),
	}
	n := 0
	for uid, ev := range evs {
		if strings.HasPrefix(uid, "meeting.") {
			continue
		}
		n++
		due, ok := wantDeadlines[uid]
		if !ok {
			t.Errorf("unexpected deadline event %s", uid)
			continue
		}
		if got := ev.GetProperty(ics.ComponentPropertyDtStart).Value; got != due.Format("20060102T150405Z") {
			t.Errorf("%s DTSTART %s, want %s", uid, got, due.UTC().Format("20060102T150405Z"))
		}
		if ev.GetProperty(ics.ComponentPropertyDtEnd) == nil {
			t.Errorf("%s without DTEND", uid)
		}
		if !strings.HasPrefix(ev.GetProperty(ics.ComponentPropertySummary).Value, "Frist: ") {
			t.Errorf("%s SUMMARY %q", uid, ev.GetProperty(ics.ComponentPropertySummary).Value)
		}
	}
	if n != len(wantDeadlines) {
		t.Errorf("%d deadline events, want %d: %v", n, len(wantDeadlines), keys(evs))
	}
	reg := evs["stale_motion."+w.registered+"@motionflow"]
	if s := reg.GetProperty(ics.ComponentPropertySummary).Value; s != "Frist: Antrag ohne Fortgang – A1/2026 Schulhöfe öffnen" {
		t.Errorf("SUMMARY %q", s)
	}
	if d := reg.GetProperty(ics.ComponentPropertyDescription).Value; !strings.Contains(d, "https://rat.example/v1/motions/"+w.registered) {
		t.Errorf("DESCRIPTION without link: %q", d)
	}
	if strings.Contains(string(r.body), w.cduDraft) || strings.Contains(string(r.body), "CDU-Entwurf") {
		t.Error("the SPD user's feed shows the CDU draft")
	}
	// The token is a secret: not in the access log; a stray Authorization header is ignored.
	if strings.Contains(w.logs.String(), strings.TrimSuffix(strings.TrimPrefix(userPath, "/feeds/"), ".ics")) {
		t.Error("the feed token is in the access log")
	}
	expect(t, w.do("GET", userPath, "forged", nil), http.StatusOK)

	// A faction feed: only that faction's staff; the faction's motions, drafts included.
	expect(t, w.do("POST", "/v1/organizations/spd/feeds", "cdu", nil), http.StatusForbidden)
	expect(t, w.do("POST", "/v1/organizations/gr/feeds", "spd", nil), http.StatusForbidden)
	expect(t, w.do("POST", "/v1/organizations/spd/feeds", "other", nil), http.StatusNotFound)
	cduID, cduPath := w.feedOf("/v1/organizations/cdu/feeds", "cdu")
	cal, r = w.calendar(cduPath)
	evs = eventsByUID(cal)
	if evs["submission_cutoff:gr-next."+w.cduDraft+"@motionflow"] == nil || evs["inquiry_answer."+w.inquiry+"@motionflow"] == nil ||
		evs["meeting.gr-next@motionflow"] == nil {
		t.Errorf("faction feed lacks events: %v", keys(evs))
	}
	if strings.Contains(string(r.body), w.spdDraft) || strings.Contains(string(r.body), w.submitted) {
		t.Error("the CDU feed shows SPD motions")
	}
	if got := calProp(cal, ics.PropertyXWRCalName); got != "Sitzungen und Fristen – CDU-Fraktion (Stadt Mannheim)" {
		t.Errorf("faction X-WR-CALNAME %q", got)
	}

	// Lists show the caller's feeds without tokens.
	r = w.do("GET", "/v1/me/feeds", "spd", nil)
	expect(t, r, http.StatusOK)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != userID {
		t.Errorf("spd feeds %s", r.body)
	}
	if strings.Contains(string(r.body), "token") || strings.Contains(string(r.body), "/feeds/") {
		t.Errorf("list shows the secret: %s", r.body)
	}
	r = w.do("GET", "/v1/me/feeds", "cdu", nil)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["kind"] != "faction" {
		t.Errorf("cdu feeds %s", r.body)
	}

	// Revoking: only the owner; then the feed is gone.
	expect(t, w.do("DELETE", "/v1/feeds/"+userID, "cdu", nil), http.StatusNotFound)
	expect(t, w.do("DELETE", "/v1/feeds/"+userID, "office", nil), http.StatusNotFound)
	expect(t, w.do("DELETE", "/v1/feeds/"+userID, "", nil), http.StatusUnauthorized)
	w.calendar(userPath)
	expect(t, w.do("DELETE", "/v1/feeds/"+userID, "spd", nil), http.StatusNoContent)
	expect(t, w.do("GET", userPath, "", nil), http.StatusNotFound)
	expect(t, w.do("DELETE", "/v1/feeds/"+userID, "spd", nil), http.StatusNoContent)
	r = w.do("GET", "/v1/me/feeds", "spd", nil)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["revoked_at"] == nil {
		t.Errorf("revoked feed not marked: %s", r.body)
	}
	w.calendar(cduPath)
	expect(t, w.do("DELETE", "/v1/feeds/"+cduID, "cdu", nil), http.StatusNoContent)
	expect(t, w.do("GET", cduPath, "", nil), http.StatusNotFound)

	// Unknown tokens and paths.
	expect(t, w.do("GET", "/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", "", nil), http.StatusNotFound)
	expect(t, w.do("GET", strings.TrimSuffix(cduPath, ".ics"), "", nil), http.StatusNotFound)
	expect(t, w.do("GET", "/feeds/.ics", "", nil), http.StatusNotFound)
}

func TestUserFeedBody(t *testing.T) {
	w := newWorld(t)
	expect(t, w.do("POST", "/v1/me/feeds", "spd", map[string]any{"body_id": "heidelberg"}), http.StatusUnprocessableEntity)
	r := w.do("POST", "/v1/me/feeds", "spd", map[string]any{"body_id": "mannheim"})
	expect(t, r, http.StatusCreated)
	if got := r.json(t); got["body_id"] != "mannheim" || got["kind"] != "user" {
		t.Errorf("feed %v", got)
	}
	// The administration's feed shows what its department is reminded of.
	_, path := w.feedOf("/v1/me/feeds", "verw")
	cal, _ := w.calendar(path)
	evs := eventsByUID(cal)
	if evs["inquiry_answer."+w.inquiry+"@motionflow"] == nil || len(evs) != 3 { // the inquiry and two meetings
		t.Errorf("administration feed %v", keys(evs))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (f *fakeMotions) takeCalendar() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calendar
	f.calendar = nil
	slices.Sort(out)
	return out
}

func TestDeadlineRules(t *testing.T) {
	w := newWorld(t)
	r := w.do("GET", "/v1/bodies/mannheim/deadline-rules", "", nil)
	expect(t, r, http.StatusOK)
	got := r.json(t)
	if got["version"] != float64(1) || got["submission_cutoff"] != "14d" || got["agenda_placement_meetings"] != float64(2) ||
		got["time_zone"] != "Europe/Berlin" {
		t.Errorf("default rules %v", got)
	}
	expect(t, w.do("GET", "/v1/bodies/mannheim/deadline-rules", "other", nil), http.StatusNotFound)

	rules := map[string]any{}
	for k, v := range got {
		if k != "version" && k != "$schema" {
			rules[k] = v
		}
	}
	rules["papers_due"] = "10d"
	expect(t, w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "", rules), http.StatusUnauthorized)
	expect(t, w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "office", rules), http.StatusForbidden)
	expect(t, w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "spd", rules), http.StatusForbidden)
	expect(t, w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "other", rules), http.StatusNotFound)

	for field, bad := range map[string]any{
		"agenda_placement_meetings": 0,           // refused by the store
		"stale":                     "0s",        // refused by the store
		"offsets":                   []string{},  // refused by the store
		"papers_due":                "zwei Tage", // not a duration
		"time_zone":                 "Mars/Olympus",
	} {
		bad := withField(rules, field, bad)
		r := w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "admin", bad)
		expect(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.body), `"location":"body.`+field) {
			t.Errorf("%s: problem does not name the field: %s", field, r.body)
		}
	}
	if r := w.do("GET", "/v1/bodies/mannheim/deadline-rules", "", nil); r.json(t)["version"] != float64(1) {
		t.Errorf("refused rules were stored: %s", r.body)
	}

	w.motions.takeCalendar()
	r = w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "admin", rules)
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["version"] != float64(2) || got["papers_due"] != "10d" {
		t.Errorf("stored rules %v", got)
	}
	// Every motion that can have deadlines re-arms: the open ones and the drafts aimed at a meeting.
	want := []string{w.spdDraft, w.cduDraft, w.submitted, w.registered, w.inquiry}
	slices.Sort(want)
	if got := w.motions.takeCalendar(); !slices.Equal(got, want) {
		t.Errorf("told %v, want %v", got, want)
	}
	r = w.do("GET", "/v1/bodies/mannheim/deadline-rules", "spd", nil)
	if got := r.json(t); got["version"] != float64(2) || got["papers_due"] != "10d" {
		t.Errorf("read back %v", got)
	}
	r = w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "admin", withField(rules, "offsets", []string{"-2d", "0s"}))
	if got := r.json(t); got["version"] != float64(3) || !slices.Equal(toStrings(got["offsets"]), []string{"-2d", "0s"}) {
		t.Errorf("third version %v", got)
	}
}

// TestDeadlineRulesNameTheWrongField: a refusal of deadline rules names
// exactly the field that is wrong, with a German sentence, also where two
// fields share a rule (papers due and submission cut-off, the two answer
// periods, escalation and its count) — the domain says which, nobody guesses
// it from a message.
func TestDeadlineRulesNameTheWrongField(t *testing.T) {
	w := newWorld(t)
	rules := map[string]any{}
	for k, v := range w.do("GET", "/v1/bodies/mannheim/deadline-rules", "", nil).json(t) {
		if k != "version" && k != "$schema" {
			rules[k] = v
		}
	}
	for _, c := range []struct {
		field string
		value any
	}{
		{"papers_due", "-1d"},
		{"inquiry_answer_fundamental", "0s"},
		{"escalation_max", -1},
		{"implementation_report", "-1d"},
		{"stale", "4000d"},
		{"agenda_placement_meetings", 1000},
		{"time_zone", "Local"},
	} {
		r := w.do("PUT", "/v1/bodies/mannheim/deadline-rules", "admin", withField(rules, c.field, c.value))
		expect(t, r, http.StatusUnprocessableEntity)
		var p struct {
			Errors []struct {
				Location string `json:"location"`
				Message  string `json:"message"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != 1 || p.Errors[0].Location != "body."+c.field || !strings.HasSuffix(p.Errors[0].Message, ".") {
			t.Errorf("%s = %v: want one German sentence at body.%s, got %s", c.field, c.value, c.field, r.body)
		}
	}
	if r := w.do("GET", "/v1/bodies/mannheim/deadline-rules", "", nil); r.json(t)["version"] != float64(1) {
		t.Errorf("refused rules were stored: %s", r.body)
	}
}

// TestDeadlineKindsMirrorDomain keeps the enums of deadline kinds in step
// with the domain.
func TestDeadlineKindsMirrorDomain(t *testing.T) {
	var kinds []string
	for _, k := range motion.DeadlineKinds {
		kinds = append(kinds, string(k))
	}
	f, _ := reflect.TypeFor[api.DeadlineView]().FieldByName("Kind")
	if got := f.Tag.Get("enum"); got != strings.Join(kinds, ",") {
		t.Errorf("DeadlineView.Kind enum %q, domain %v", got, kinds)
	}
}

func withField(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestNotificationTargets(t *testing.T) {
	w := newWorld(t)
	path := "/v1/bodies/mannheim/notification-targets"
	email := map[string]any{"audience": "council_office", "channel": "email", "address": "Ratsbuero <ratsbuero@mannheim.example>"}
	hook := map[string]any{"audience": "faction:spd", "channel": "webhook", "address": "https://spd.example/hooks/motionflow"}
	expect(t, w.do("GET", path, "", nil), http.StatusUnauthorized)
	for _, tok := range []string{"office", "spd", "verw"} {
		expect(t, w.do("GET", path, tok, nil), http.StatusForbidden)
		expect(t, w.do("POST", path, tok, email), http.StatusForbidden)
	}
	expect(t, w.do("GET", path, "other", nil), http.StatusNotFound)

	r := w.do("POST", path, "admin", email)
	expect(t, r, http.StatusCreated)
	created := r.json(t)
	if created["address"] != "ratsbuero@mannheim.example" || created["secret"] != nil || r.header.Get("Location") != path+"/"+created["id"].(string) {
		t.Errorf("e-mail target %v (Location %q)", created, r.header.Get("Location"))
	}
	r = w.do("POST", path, "admin", hook)
	expect(t, r, http.StatusCreated)
	secret, _ := r.json(t)["secret"].(string)
	if len(secret) < 32 {
		t.Errorf("webhook secret %q", secret)
	}
	expect(t, w.do("POST", path, "admin", email), http.StatusConflict)
	for _, bad := range []map[string]any{
		withField(email, "audience", "faction:nope"),
		withField(email, "audience", "department:spd"),
		withField(email, "audience", "everybody"),
		withField(email, "address", "kein-mail"),
		withField(hook, "address", "ftp://spd.example/x"),
		withField(email, "channel", "sms"),
	} {
		expect(t, w.do("POST", path, "admin", bad), http.StatusUnprocessableEntity)
	}
	r = w.do("GET", path, "admin", nil)
	expect(t, r, http.StatusOK)
	if n := len(r.json(t)["items"].([]any)); n != 2 || strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), "secret") {
		t.Errorf("targets %s", r.body)
	}
	if n := len(w.do("GET", path+"?audience=faction:spd", "admin", nil).json(t)["items"].([]any)); n != 1 {
		t.Errorf("audience filter: %d", n)
	}
	id := created["id"].(string)
	expect(t, w.do("DELETE", path+"/"+id, "office", nil), http.StatusForbidden)
	expect(t, w.do("DELETE", path+"/"+id, "admin", nil), http.StatusNoContent)
	expect(t, w.do("DELETE", path+"/"+id, "admin", nil), http.StatusNotFound)
}
