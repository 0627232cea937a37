//go:build bench

package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/auth/session"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/web"
)

// The session scenario: a council meeting with 150 agenda items in session,
// 48 members, all present; five of the items are motions (each a real
// motion routed to the council), the others papers and reports of the
// administration.
const (
	sessionItems   = 150
	sessionMotions = 5
	sessionMembers = 48
	// sessionLead is how far in the future a meeting starts: its agenda
	// must be filled and its invitation published before then.
	sessionLead = 40 * time.Second
)

// webSite is the web application as production serves it: the login routes
// of auth/session, the pages under "/", behind the session middleware and
// the cross-origin protection; and the council office logged in through the
// real OpenID Connect login.
type webSite struct {
	url    string
	office *http.Client
}

var (
	webOnce sync.Once
	webMain *webSite
)

// site starts the web application next to the shared environment's API and
// logs the council office in (once per process).
func (e *env) site(b *testing.B) *webSite {
	b.Helper()
	webOnce.Do(func() {
		tb := longTB{cleanups: &cleanups}
		prov := authtest.NewProvider(tb, authtest.ProviderOptions{})
		srv := httptest.NewUnstartedServer(nil)
		base := "http://" + srv.Listener.Addr().String()
		prov.AllowRedirect(base + "/auth/callback")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		mgr, err := session.New(ctx, session.Config{IssuerURL: prov.URL(), ClientID: prov.ClientID,
			ClientSecret: prov.ClientSecret, RedirectURL: base + "/auth/callback"}, e.st)
		if err != nil {
			panic(err)
		}
		pages := web.New(web.Config{}, web.Deps{Motions: e.motions, Store: e.st, LoginURL: mgr.LoginURL,
			Logger: slog.New(slog.DiscardHandler)})
		mux := http.NewServeMux()
		mgr.Routes(mux)
		mux.Handle("/", pages)
		srv.Config.Handler = session.Protect(mgr.Middleware(mux))
		srv.Start()
		cleanups.add(srv.Close)

		jar, err := cookiejar.New(nil)
		if err != nil {
			panic(err)
		}
		c := &http.Client{Jar: localJar{jar}, Transport: &http.Transport{MaxIdleConnsPerHost: 16},
			// The benchmark follows the answer's redirect itself, to time both parts.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		prov.QueueLogin(authtest.Login{Claims: authtest.Claims{Subject: "ratsbuero-web", Name: "Rita Ratsbüro",
			Groups: []string{"role:council_office", "body:" + bodyID}}})
		// The login's redirects: /login → the provider → /auth/callback → /.
		next := base + "/login?next=/"
		for range 5 {
			res, err := c.Get(next)
			if err != nil {
				panic(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			loc := res.Header.Get("Location")
			if loc == "" {
				if !bytes.Contains(page, []byte("Abmelden")) {
					panic(fmt.Sprintf("login of the council office ended at %s with %d, not logged in", next, res.StatusCode))
				}
				break
			}
			u, err := res.Request.URL.Parse(loc)
			if err != nil {
				panic(err)
			}
			next = u.String()
		}
		webMain = &webSite{url: base, office: c}
	})
	return webMain
}

// localJar keeps the session's cookies (Secure, __Host-) for the test
// server on http://127.0.0.1, as a browser does for a local address.
type localJar struct{ *cookiejar.Jar }

func secure(u *url.URL) *url.URL {
	s := *u
	s.Scheme = "https"
	return &s
}

func (j localJar) SetCookies(u *url.URL, cs []*http.Cookie) { j.Jar.SetCookies(secure(u), cs) }
func (j localJar) Cookies(u *url.URL) []*http.Cookie        { return j.Jar.Cookies(secure(u)) }

// sessionMeeting is a meeting in session with the state of its session page
// as the browser last received it.
type sessionMeeting struct {
	id      string
	version string // the forms' hidden version
	key     string // the forms' hidden idempotency key
	items   []meeting.Item
	next    int // index of the next open item
}

// sessionTurn is one item whose result a benchmark iteration records.
type sessionTurn struct {
	m  *sessionMeeting
	it meeting.Item
}

var (
	sessionMu    sync.Mutex
	sessionPool  []*sessionMeeting
	sessionSeq   int
	membersOnce  sync.Once
	sessionNames []string
)

// sessionTurns returns n open items, in agenda order, of meetings in
// session, making new meetings when the open ones have too few left.
func (e *env) sessionTurns(b *testing.B, n int) []sessionTurn {
	b.Helper()
	sessionMu.Lock()
	defer sessionMu.Unlock()
	left := 0
	for _, m := range sessionPool {
		left += len(m.items) - m.next
	}
	if left < n {
		k := (n - left + sessionItems - 1) / sessionItems
		fmt.Fprintf(benchLog, "session: preparing %d meeting(s) with %d items each\n", k, sessionItems)
		ms, err := e.newSessionMeetings(k)
		if err != nil {
			b.Fatal(err)
		}
		sessionPool = append(sessionPool, ms...)
	}
	var out []sessionTurn
	for _, m := range sessionPool {
		for m.next < len(m.items) && len(out) < n {
			out = append(out, sessionTurn{m: m, it: m.items[m.next]})
			m.next++
		}
	}
	return out
}

// members puts the council's 48 members into the directory (once).
func (e *env) members() {
	membersOnce.Do(func() {
		ctx := context.Background()
		for i := range sessionMembers {
			name := fmt.Sprintf("Ratsmitglied %02d", i+1)
			pid := fmt.Sprintf("bench-p%02d", i+1)
			if _, err := e.st.Pool.Exec(ctx, `INSERT INTO persons (id, body_id, name, email) VALUES ($1, $2, $3, '')`,
				pid, bodyID, name); err != nil {
				panic(err)
			}
			if _, err := e.st.Pool.Exec(ctx, `INSERT INTO memberships (id, body_id, person_id, organization_id) VALUES ($1, $2, $3, $4)`,
				"m-"+pid, bodyID, pid, council); err != nil {
				panic(err)
			}
			sessionNames = append(sessionNames, name)
		}
	})
}

// newSessionMeetings makes k council meetings in session at once: each
// with its agenda of 150 items (five motions routed to the council), the
// invitation published before the start, and, once the meeting has begun,
// the session opened with every member present. All of it goes through the
// API as the council office; only the measured step uses the page.
func (e *env) newSessionMeetings(k int) ([]*sessionMeeting, error) {
	e.members()
	start := time.Now().Add(sessionLead).Truncate(time.Second)
	ms := make([]*sessionMeeting, k)
	errs := make([]error, k)
	var wg sync.WaitGroup
	for j := range k {
		sessionSeq++
		id := fmt.Sprintf("bench-gr-%d-%d", sessionSeq, nanos())
		wg.Go(func() { ms[j], errs[j] = e.fillMeeting(id, start) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	time.Sleep(time.Until(start))
	for _, m := range ms {
		var v struct{ meeting.Meeting }
		if err := e.meetingCmd(m.id, meeting.CmdOpenSession, map[string]any{"present": sessionNames}, &v); err != nil {
			return nil, err
		}
		if !v.Quorate() || len(v.Present) != sessionMembers {
			return nil, fmt.Errorf("session %s opened with %d of %d present", m.id, len(v.Present), len(v.Members))
		}
		m.items = v.Agenda
	}
	return ms, nil
}

// fillMeeting creates the meeting, its motions and its agenda, and
// publishes the invitation.
func (e *env) fillMeeting(id string, start time.Time) (*sessionMeeting, error) {
	var motions []string
	for i := range sessionMotions {
		mid, err := e.routedMotion(fmt.Sprintf("Antrag %d zur Sitzung %s", i+1, id))
		if err != nil {
			return nil, err
		}
		motions = append(motions, mid)
	}
	if _, err := e.call("POST", "/v1/bodies/"+bodyID+"/meetings", e.office, map[string]any{
		"id": id, "organization_id": council, "name": "Sitzung des Gemeinderats " + id,
		"location": "Ratssaal, Rathaus E 5", "start": start,
	}, nil); err != nil {
		return nil, err
	}
	every := sessionItems / sessionMotions
	for p := range sessionItems {
		var item map[string]any
		switch {
		case p%every == every/2:
			item = map[string]any{"kind": "motion", "public": true, "motion_id": motions[p/every], "consultation_id": "c1"}
		case p%25 == 24:
			item = map[string]any{"kind": "free", "public": false, "title": fmt.Sprintf("Grundstücksangelegenheit Nr. %d", p+1)}
		case p%3 == 2:
			item = map[string]any{"kind": "report", "public": true, "title": fmt.Sprintf("Bericht der Verwaltung zu Punkt %d", p+1)}
		default:
			item = map[string]any{"kind": "paper", "public": true, "title": fmt.Sprintf("Vorlage zur Sanierung des Schulgebäudes Nr. %d", p+1),
				"reference": fmt.Sprintf("V %d/2026", p+1)}
		}
		if err := e.meetingCmd(id, meeting.CmdAddItem, item, nil); err != nil {
			return nil, err
		}
	}
	if err := e.meetingCmd(id, meeting.CmdPublishInvitation, nil, nil); err != nil {
		return nil, fmt.Errorf("%w (the agenda took longer than %s to fill; raise sessionLead)", err, sessionLead)
	}
	return &sessionMeeting{id: id}, nil
}

// routedMotion is a motion submitted, registered and routed to the council
// for decision; its consultation there is "c1".
func (e *env) routedMotion(title string) (string, error) {
	id, err := e.draft(title)
	if err != nil {
		return "", err
	}
	v, err := e.command(e.spd, id, motion.CmdSubmit, 1, nil)
	if err == nil {
		v, err = e.command(e.office, id, motion.CmdRegister, v, nil)
	}
	if err == nil {
		_, err = e.command(e.office, id, motion.CmdSetRoute, v, map[string]any{
			"steps": []map[string]any{{"organization_id": council, "decisive": true}}})
	}
	return id, err
}

// meetingCmd runs a meeting command through the API as the council office.
func (e *env) meetingCmd(id string, name meeting.CommandName, body, out any) error {
	_, err := e.call("POST", strings.Replace(api.MeetingCommandPath(name), "{id}", id, 1), e.office, body, out, "If-Match", "*")
	return err
}

var (
	formVersion = regexp.MustCompile(`name="version" value="(\d+)"`)
	formKey     = regexp.MustCompile(`name="key" value="([^"]+)"`)
)

// load reads the session page as the browser shows it and keeps its forms'
// version and key.
func (w *webSite) load(m *sessionMeeting, path string) ([]byte, error) {
	res, err := w.office.Get(w.url + path)
	if err != nil {
		return nil, err
	}
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	v, k := formVersion.FindSubmatch(page), formKey.FindSubmatch(page)
	if v == nil || k == nil {
		return nil, fmt.Errorf("GET %s: the session page has no form with version and key", path)
	}
	m.version, m.key = string(v[1]), string(k[1])
	return page, nil
}

// record posts the result form of one item as the browser sends it and
// follows the redirect to the session page, which then shows the result.
// It returns the time until the 303 and the page's size.
func (w *webSite) record(t sessionTurn) (time.Duration, int, error) {
	m, it := t.m, t.it
	f := url.Values{"op": {"record_results"}, "version": {m.version}, "key": {m.key}, "target": {it.ID},
		"item_ids": {it.ID}, "result": {"noted"}, "vote.yes": {""}, "vote.no": {""}, "vote.abstain": {""},
		"resolution_text": {""}, "postpone_to": {""}, "referred_to": {""}}
	if it.Kind == meeting.ItemMotion {
		f.Set("result", "adopted")
		f.Set("vote.yes", "40")
		f.Set("vote.no", "5")
		f.Set("vote.abstain", "3")
		f.Set("resolution_text", "Der Gemeinderat beschließt den Antrag wie beantragt.")
	} else if it.Kind == meeting.ItemPaper {
		f.Set("result", "adopted")
		f.Set("vote.yes", strconv.Itoa(sessionMembers))
		f.Set("vote.no", "0")
		f.Set("vote.abstain", "0")
	}
	t0 := time.Now()
	path := "/sitzungen/" + url.PathEscape(m.id) + "/sitzung"
	req, err := http.NewRequest("POST", w.url+path, strings.NewReader(f.Encode()))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", w.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := w.office.Do(req)
	if err != nil {
		return 0, 0, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	post := time.Since(t0)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, path+"?ok=record_results") {
		return post, 0, fmt.Errorf("TOP %s: %d, Location %q:\n%.2000s", it.Number, res.StatusCode, loc, body)
	}
	loc, _, _ = strings.Cut(loc, "#")
	page, err := w.load(m, loc)
	if err != nil {
		return post, 0, err
	}
	if !bytes.Contains(page, []byte("Das Ergebnis wurde erfasst.")) {
		return post, len(page), fmt.Errorf("TOP %s: the session page does not confirm the result", it.Number)
	}
	return post, len(page), nil
}

// BenchmarkSessionResult (issue 12): the council office records one agenda
// item's result in session mode with 150 items on the agenda, as the browser
// does it: POST of the item's form on the session page (session cookie,
// cross-origin check, read model, the meeting workflow's update with its
// validator, the ProjectMeeting local activity) → 303 → GET of the session
// page at the next open item, rendered with all 150 items. One item per
// iteration, one client; against one bare update at a time, in alternating
// rounds. p50/p99 are of the whole round trip; post-… of the POST until the
// 303 alone, get-… of the page that follows.
func BenchmarkSessionResult(b *testing.B) {
	e := shared(b)
	w := e.site(b)
	turns := e.sessionTurns(b, b.N)
	for _, t := range turns {
		if t.m.key == "" {
			if _, err := w.load(t.m, "/sitzungen/"+url.PathEscape(t.m.id)+"/sitzung"); err != nil {
				b.Fatal(err)
			}
		}
	}
	ws := e.noopPool("session", 1)
	for i := range 10 {
		if err := e.bareUpdate(ws[0], i); err != nil {
			b.Fatal(err)
		}
	}
	posts, gets := make([]time.Duration, b.N), make([]time.Duration, b.N)
	var size int
	b.ResetTimer()
	s, bare, err := paired(b.N, 1, 10,
		func(_, i int) error { return e.bareUpdate(ws[0], i) },
		func(_, i int) error {
			t0 := time.Now()
			var err error
			posts[i], size, err = w.record(turns[i])
			gets[i] = time.Since(t0) - posts[i]
			return err
		})
	if err != nil {
		b.Fatal(err)
	}
	report(b, s, bare)
	p := stats{lat: posts}
	b.ReportMetric(ms(p.pct(50)), "post-p50-ms")
	b.ReportMetric(ms(p.pct(99)), "post-p99-ms")
	g := stats{lat: gets}
	b.ReportMetric(ms(g.pct(50)), "get-p50-ms")
	b.ReportMetric(ms(g.pct(99)), "get-p99-ms")
	b.ReportMetric(float64(size)/1024, "page-KiB")
}
