package session_test

import (
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/auth/session"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// env is an app using a Manager against a test provider and a real database.
type env struct {
	t     *testing.T
	p     *authtest.Provider
	st    *store.Store
	m     *session.Manager
	app   *httptest.Server
	clock *clock
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func setup(t *testing.T, opts authtest.ProviderOptions, mod func(*session.Config)) *env {
	t.Helper()
	e := &env{t: t, p: authtest.NewProvider(t, opts), st: storetest.New(t), clock: &clock{now: time.Now()}}
	var handler http.Handler = http.NotFoundHandler()
	e.app = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.app.Close)
	redirect := e.app.URL + "/auth/callback"
	e.p.AllowRedirect(redirect)

	cfg := session.Config{
		IssuerURL: e.p.URL(), ClientID: e.p.ClientID, ClientSecret: e.p.ClientSecret,
		RedirectURL: redirect,
	}
	if mod != nil {
		mod(&cfg)
	}
	m, err := session.New(t.Context(), cfg, e.st)
	if err != nil {
		t.Fatalf("session.New: %v", err)
	}
	session.SetClock(m, e.clock.Now)
	e.m = m

	mux := http.NewServeMux()
	m.Routes(mux)
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(auth.ActorFrom(r.Context()))
	})
	mux.HandleFunc("POST /action", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "done by "+auth.ActorFrom(r.Context()).Subject)
	})
	handler = session.Protect(m.Middleware(mux))
	return e
}

// browser is a minimal browser: it keeps the app's cookies (the Secure ones
// too, like Chromium on http://127.0.0.1) and does not follow redirects.
type browser struct {
	e       *env
	hc      *http.Client
	cookies map[string]string
}

type response struct {
	status     int
	location   string
	body       string
	setCookies []*http.Cookie
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range r.setCookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (e *env) browser() *browser {
	return &browser{e: e, cookies: map[string]string{}, hc: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) do(method, target string, hdr http.Header) response {
	b.e.t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if !u.IsAbs() {
		u, _ = url.Parse(b.e.app.URL + target)
	}
	req, err := http.NewRequestWithContext(b.e.t.Context(), method, u.String(), nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	app, _ := url.Parse(b.e.app.URL)
	if u.Host == app.Host {
		for name, value := range b.cookies {
			req.AddCookie(&http.Cookie{Name: name, Value: value})
		}
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body), setCookies: resp.Cookies()}
	if u.Host == app.Host {
		for _, c := range out.setCookies {
			if c.MaxAge < 0 || c.Value == "" {
				delete(b.cookies, c.Name)
			} else {
				b.cookies[c.Name] = c.Value
			}
		}
	}
	return out
}

func (b *browser) get(target string) response { return b.do(http.MethodGet, target, nil) }

// startLogin asks the app for a login and returns the authorization URL it
// sends the browser to.
func (b *browser) startLogin(next string) string {
	b.e.t.Helper()
	r := b.get("/login?next=" + url.QueryEscape(next))
	if r.status != http.StatusFound || !strings.HasPrefix(r.location, b.e.p.AuthorizationEndpoint()+"?") {
		b.e.t.Fatalf("GET /login: %d %q, want a redirect to the authorization endpoint", r.status, r.location)
	}
	return r.location
}

// authorize visits the provider and returns the callback URL it redirects to.
func (b *browser) authorize(authURL string, l authtest.Login) string {
	b.e.t.Helper()
	b.e.p.QueueLogin(l)
	r := b.get(authURL)
	if r.status != http.StatusFound || !strings.HasPrefix(r.location, b.e.app.URL+"/auth/callback?") {
		b.e.t.Fatalf("authorize: %d %q %s", r.status, r.location, r.body)
	}
	return r.location
}

// login runs the whole flow and returns the callback's response.
func (b *browser) login(next string, l authtest.Login) response {
	b.e.t.Helper()
	return b.get(b.authorize(b.startLogin(next), l))
}

func (b *browser) whoami() motion.Actor {
	b.e.t.Helper()
	r := b.get("/whoami")
	if r.status != http.StatusOK {
		b.e.t.Fatalf("GET /whoami: %d %s", r.status, r.body)
	}
	var a motion.Actor
	if err := json.Unmarshal([]byte(r.body), &a); err != nil {
		b.e.t.Fatalf("whoami: %v", err)
	}
	return a
}

var spd = authtest.Login{Claims: authtest.Claims{
	Subject: "spd", Name: "Sabine Petersen",
	Groups: []string{"role:faction_staff", "faction:mannheim-spd", "body:mannheim"},
}}

var ratsbuero = authtest.Login{Claims: authtest.Claims{
	Subject: "ratsbuero", Name: "Rita Albers", Groups: []string{"role:council_office", "body:mannheim"},
}}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	if a := b.whoami(); !a.Anonymous() {
		t.Fatalf("before login: %+v", a)
	}

	authURL := b.startLogin("/motions?status=draft")
	az, _ := url.Parse(authURL)
	q := az.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": e.p.ClientID, "redirect_uri": e.app.URL + "/auth/callback",
		"code_challenge_method": "S256",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("authorization request %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 43 {
			t.Errorf("authorization request %s = %q: want at least 256 bits", k, q.Get(k))
		}
	}
	if q.Get("state") == q.Get("nonce") {
		t.Error("state and nonce are the same")
	}
	if got := q.Get("scope"); got != "openid profile email groups" {
		t.Errorf("scope %q", got)
	}
	pre := b.cookies[session.LoginCookieName]
	if pre == "" {
		t.Fatal("no pre-login cookie after GET /login")
	}

	r := b.get(b.authorize(authURL, spd))
	if r.status != http.StatusSeeOther || r.location != "/motions?status=draft" {
		t.Fatalf("callback: %d %q %s", r.status, r.location, r.body)
	}
	c := r.cookie(session.CookieName)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" ||
		!strings.HasPrefix(c.Name, "__Host-") {
		t.Errorf("session cookie attributes: %s", c.String())
	}
	if c.Value == pre {
		t.Error("the session id is the pre-login cookie")
	}
	if lc := r.cookie(session.LoginCookieName); lc == nil || lc.MaxAge >= 0 {
		t.Errorf("pre-login cookie not dropped at login: %v", lc)
	}

	want := motion.Actor{Issuer: e.p.URL(), Subject: "spd", Name: "Sabine Petersen",
		Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "mannheim-spd", Bodies: []string{"mannheim"}}
	if got := b.whoami(); !reflect.DeepEqual(got, want) {
		t.Errorf("actor\ngot  %+v\nwant %+v", got, want)
	}

	// The database knows the session by the hash of its id only.
	var n int
	h := sha256.Sum256([]byte(c.Value))
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions WHERE id_hash = $1 AND subject = 'spd'
		AND issuer = $2 AND name = 'Sabine Petersen' AND actor->>'faction' = 'mannheim-spd' AND id_token <> ''
		AND expires = created + interval '12 hours'`, h[:], e.p.URL()).Scan(&n); err != nil || n != 1 {
		t.Errorf("session row by hash: %d, %v", n, err)
	}
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions WHERE id_hash = $1`, []byte(c.Value)).Scan(&n); err != nil || n != 0 {
		t.Errorf("raw session id stored: %d, %v", n, err)
	}
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM login_states`).Scan(&n); err != nil || n != 0 {
		t.Errorf("login states left after login: %d, %v", n, err)
	}
}

// A replayed callback (same state, same browser, even with the pre-login
// cookie it had) is refused, and so is the replay from another browser.
func TestReplayedStateRefused(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	callback := b.authorize(b.startLogin("/"), spd)
	pre := b.cookies[session.LoginCookieName]
	if r := b.get(callback); r.status != http.StatusSeeOther {
		t.Fatalf("first callback: %d %s", r.status, r.body)
	}
	first := b.cookies[session.CookieName]

	b.cookies[session.LoginCookieName] = pre
	r := b.get(callback)
	if r.status != http.StatusBadRequest {
		t.Fatalf("replayed callback: %d %q, want 400", r.status, r.location)
	}
	if r.cookie(session.CookieName) != nil {
		t.Error("replayed callback set a session cookie")
	}
	if !strings.Contains(r.body, "bereits verwendet") || !strings.Contains(r.body, `lang="de"`) {
		t.Errorf("error page: %s", r.body)
	}
	if b.cookies[session.CookieName] != first {
		t.Error("replay changed the session")
	}

	attacker := e.browser()
	attacker.cookies[session.LoginCookieName] = pre
	if r := attacker.get(callback); r.status != http.StatusBadRequest || r.cookie(session.CookieName) != nil {
		t.Errorf("replay from another browser: %d", r.status)
	}
}

func TestUnknownStateRefused(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	callback := b.authorize(b.startLogin("/"), spd)
	cb, _ := url.Parse(callback)

	// A state this server never issued.
	forged := *cb
	q := forged.Query()
	q.Set("state", "Zm9yZ2VkLXN0YXRlLXRoYXQtbm9ib2R5LWlzc3VlZC0xMjM0NTY")
	forged.RawQuery = q.Encode()
	if r := b.get(forged.String()); r.status != http.StatusBadRequest || r.cookie(session.CookieName) != nil {
		t.Errorf("unknown state: %d", r.status)
	}
	// No state at all.
	q.Del("state")
	forged.RawQuery = q.Encode()
	if r := b.get(forged.String()); r.status != http.StatusBadRequest {
		t.Errorf("no state: %d", r.status)
	}

	// A real state from another browser (login CSRF: the attacker's own
	// login, planted in the victim's browser) is unknown to the victim's
	// browser, and does not burn the attacker's state either.
	victim := e.browser()
	victim.get("/login?next=/") // the victim has a pre-login cookie of its own
	if r := victim.get(callback); r.status != http.StatusBadRequest || r.cookie(session.CookieName) != nil {
		t.Errorf("foreign state: %d", r.status)
	}
	// Without any pre-login cookie.
	if r := e.browser().get(callback); r.status != http.StatusBadRequest {
		t.Errorf("no pre-login cookie: %d", r.status)
	}
	// The rightful browser still completes its login.
	if r := b.get(callback); r.status != http.StatusSeeOther {
		t.Errorf("own callback after the attempts: %d %s", r.status, r.body)
	}
}

// Tokens the app must refuse: the flow is otherwise complete and correct.
func TestBadIDTokensRefused(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	tests := []struct {
		name  string
		login authtest.Login
	}{
		{"wrong nonce", authtest.Login{Claims: spd.Claims, Nonce: "a-nonce-of-another-login"}},
		{"no nonce", authtest.Login{Claims: with(spd.Claims, func(c *authtest.Claims) { c.Extra = map[string]any{"nonce": nil} })}},
		{"another audience", authtest.Login{Claims: with(spd.Claims, func(c *authtest.Claims) { c.Audience = "another-client" })}},
		{"expired", authtest.Login{Claims: with(spd.Claims, func(c *authtest.Claims) { c.Expiry = -time.Minute })}},
		{"another issuer", authtest.Login{Claims: with(spd.Claims, func(c *authtest.Claims) { c.Issuer = "https://evil.example" })}},
		{"no subject", authtest.Login{Claims: with(spd.Claims, func(c *authtest.Claims) { c.Subject = "" })}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			r := b.login("/", tt.login)
			if r.status != http.StatusBadRequest {
				t.Fatalf("callback: %d %q, want 400", r.status, r.location)
			}
			if r.cookie(session.CookieName) != nil || b.cookies[session.CookieName] != "" {
				t.Error("a session cookie was set")
			}
			if a := b.whoami(); !a.Anonymous() {
				t.Errorf("actor after refused login: %+v", a)
			}
		})
	}
	var n int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("sessions after refused logins: %d, %v", n, err)
	}
}

func with(c authtest.Claims, mod func(*authtest.Claims)) authtest.Claims {
	mod(&c)
	return c
}

// The provider's error answer (the user cancelled) consumes the state and
// creates no session.
func TestProviderErrorRefused(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	az, _ := url.Parse(b.startLogin("/"))
	q := url.Values{"error": {"access_denied"}, "state": {az.Query().Get("state")}}
	if r := b.get("/auth/callback?" + q.Encode()); r.status != http.StatusBadRequest || r.cookie(session.CookieName) != nil {
		t.Errorf("provider error: %d", r.status)
	}
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil) // idle 30m
	b := e.browser()
	b.login("/", spd)

	e.clock.Advance(29 * time.Minute)
	if b.whoami().Subject != "spd" {
		t.Fatal("session ended before the idle timeout")
	}
	e.clock.Advance(29 * time.Minute) // 58 minutes after login, 29 after the last request
	if b.whoami().Subject != "spd" {
		t.Fatal("a request did not refresh the idle timeout")
	}
	e.clock.Advance(30*time.Minute + time.Second)
	r := b.get("/whoami")
	if !strings.Contains(r.body, "{}") {
		t.Errorf("after the idle timeout: %s", r.body)
	}
	if c := r.cookie(session.CookieName); c == nil || c.MaxAge >= 0 {
		t.Errorf("dead session cookie not cleared: %v", c)
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, func(c *session.Config) {
		c.IdleTimeout = time.Hour
		c.AbsoluteTimeout = 3 * time.Hour
	})
	b := e.browser()
	b.login("/", ratsbuero)
	id := b.cookies[session.CookieName]
	for range 5 { // active every 35 minutes: never idle
		e.clock.Advance(35 * time.Minute)
		if b.whoami().Subject != "ratsbuero" {
			t.Fatal("session ended early")
		}
	}
	e.clock.Advance(6 * time.Minute) // 3h01m after login
	b.cookies[session.CookieName] = id
	if a := b.whoami(); !a.Anonymous() {
		t.Errorf("session alive after the absolute timeout: %+v", a)
	}
}

// Every login makes a new session id; the previous one stops working, and an
// id planted before login (session fixation) is never adopted.
func TestSessionRotatesAtLogin(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	const planted = "cGxhbnRlZC1ieS1hbi1hdHRhY2tlci0xMjM0NTY3ODkwYQ"
	b.cookies[session.CookieName] = planted[:43]
	b.login("/", spd)
	first := b.cookies[session.CookieName]
	if first == planted[:43] || first == "" {
		t.Fatalf("session id after login: %q", first)
	}
	b.login("/", ratsbuero)
	second := b.cookies[session.CookieName]
	if second == first || second == "" {
		t.Fatalf("session id not rotated: %q", second)
	}
	if a := b.whoami(); a.Subject != "ratsbuero" {
		t.Errorf("after second login: %+v", a)
	}
	old := e.browser()
	old.cookies[session.CookieName] = first
	if a := old.whoami(); !a.Anonymous() {
		t.Errorf("the previous session id still authenticates: %+v", a)
	}
	var n int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 1 {
		t.Errorf("sessions: %d, %v; want 1", n, err)
	}
}

func TestLogoutWithEndSession(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	b.login("/", spd)
	id := b.cookies[session.CookieName]
	var idToken string
	h := sha256.Sum256([]byte(id))
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT id_token FROM sessions WHERE id_hash = $1`, h[:]).Scan(&idToken); err != nil {
		t.Fatal(err)
	}

	// GET does not log out.
	if r := b.get("/logout"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /logout: %d", r.status)
	}
	if b.whoami().Subject != "spd" {
		t.Fatal("GET /logout ended the session")
	}

	r := b.do(http.MethodPost, "/logout", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {e.app.URL}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST /logout: %d %s", r.status, r.body)
	}
	loc, _ := url.Parse(r.location)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != e.p.EndSessionEndpoint() {
		t.Errorf("logout redirects to %q, want the end-session endpoint", r.location)
	}
	if got := loc.Query().Get("id_token_hint"); got != idToken {
		t.Errorf("id_token_hint %q", got)
	}
	if got := loc.Query().Get("post_logout_redirect_uri"); got != e.app.URL+"/" {
		t.Errorf("post_logout_redirect_uri %q", got)
	}
	if got := loc.Query().Get("client_id"); got != e.p.ClientID {
		t.Errorf("client_id %q", got)
	}
	if c := r.cookie(session.CookieName); c == nil || c.MaxAge >= 0 || !c.Secure || c.Path != "/" {
		t.Errorf("session cookie not cleared: %v", c)
	}
	// The provider sends the browser back.
	if back := b.get(r.location); back.status != http.StatusFound || back.location != e.app.URL+"/" {
		t.Errorf("end session: %d %q", back.status, back.location)
	}
	if len(e.p.EndSessions()) != 1 {
		t.Errorf("end-session requests: %v", e.p.EndSessions())
	}

	// The old cookie no longer authenticates: the server session is gone.
	b.cookies[session.CookieName] = id
	if a := b.whoami(); !a.Anonymous() {
		t.Errorf("old cookie after logout: %+v", a)
	}
	var n int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("sessions after logout: %d, %v", n, err)
	}
}

func TestLogoutWithoutEndSession(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{NoEndSession: true}, func(c *session.Config) {
		c.PostLogoutRedirectURL = "/abgemeldet"
	})
	b := e.browser()
	b.login("/", spd)
	id := b.cookies[session.CookieName]
	r := b.do(http.MethodPost, "/logout", nil) // a non-browser client: no Origin, no Sec-Fetch-Site
	if r.status != http.StatusSeeOther || r.location != "/abgemeldet" {
		t.Fatalf("POST /logout: %d %q", r.status, r.location)
	}
	b.cookies[session.CookieName] = id
	if a := b.whoami(); !a.Anonymous() {
		t.Errorf("old cookie after logout: %+v", a)
	}
	// Logging out without a session just lands.
	if r := e.browser().do(http.MethodPost, "/logout", nil); r.status != http.StatusSeeOther || r.location != "/abgemeldet" {
		t.Errorf("anonymous logout: %d %q", r.status, r.location)
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	b.login("/", spd)

	for name, hdr := range map[string]http.Header{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": {"cross-site"}},
		"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site": {"same-site"}},
		"Origin mismatch":           {"Origin": {"https://evil.example"}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/action", "/logout"} {
				r := b.do(http.MethodPost, path, hdr)
				if r.status != http.StatusForbidden {
					t.Errorf("POST %s: %d %s, want 403", path, r.status, r.body)
				}
			}
			if b.whoami().Subject != "spd" {
				t.Error("a refused cross-site logout ended the session")
			}
		})
	}
	// Same-origin passes.
	r := b.do(http.MethodPost, "/action", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {e.app.URL}})
	if r.status != http.StatusOK || r.body != "done by spd" {
		t.Errorf("same-origin POST: %d %s", r.status, r.body)
	}
}

func TestNextIsLocalOnly(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	if r := b.login("https://evil.example", spd); r.status != http.StatusSeeOther || r.location != "/" {
		t.Errorf("next=https://evil.example lands on %d %q, want /", r.status, r.location)
	}

	for _, next := range []string{
		"https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "http:/evil.example",
		"javascript:alert(1)", "evil.example", "", "/\t/evil.example", "/\r\nSet-Cookie:x", "/login?next=/",
		"/logout", "/auth/callback?code=x", " /motions",
	} {
		if got := e.m.LoginURL(next); got != "/login?next=%2F" {
			t.Errorf("LoginURL(%q) = %q, want /login?next=%%2F", next, got)
		}
	}
	for next, want := range map[string]string{
		"/motions":                       "/login?next=%2Fmotions",
		"/motions/A762-2019?tab=history": "/login?next=%2Fmotions%2FA762-2019%3Ftab%3Dhistory",
		"/":                              "/login?next=%2F",
	} {
		if got := e.m.LoginURL(next); got != want {
			t.Errorf("LoginURL(%q) = %q, want %q", next, got, want)
		}
	}
	// And the flow honours a local next exactly.
	if r := b.login("/motions/A762-2019?tab=history", ratsbuero); r.location != "/motions/A762-2019?tab=history" {
		t.Errorf("local next: %q", r.location)
	}
}

func TestMalformedCookieIsAnonymous(t *testing.T) {
	t.Parallel()
	e := setup(t, authtest.ProviderOptions{}, nil)
	b := e.browser()
	for _, v := range []string{"x", strings.Repeat("A", 43), "'; DROP TABLE sessions; --"} {
		b.cookies[session.CookieName] = v
		if a := b.whoami(); !a.Anonymous() {
			t.Errorf("cookie %q: %+v", v, a)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	p := authtest.NewProvider(t, authtest.ProviderOptions{})
	st := storetest.New(t)
	good := session.Config{IssuerURL: p.URL(), ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		RedirectURL: "http://127.0.0.1:8080/auth/callback"}
	tests := map[string]func(*session.Config){
		"no issuer":                 func(c *session.Config) { c.IssuerURL = "" },
		"no client":                 func(c *session.Config) { c.ClientID = "" },
		"relative redirect":         func(c *session.Config) { c.RedirectURL = "/auth/callback" },
		"redirect with query":       func(c *session.Config) { c.RedirectURL += "?x=1" },
		"issuer trailing slash":     func(c *session.Config) { c.IssuerURL += "/" },
		"claims for another client": func(c *session.Config) { c.Claims.Audience = "other" },
		"HMAC":                      func(c *session.Config) { c.Claims.Algorithms = []string{"HS256"} },
		"negative idle":             func(c *session.Config) { c.IdleTimeout = -time.Minute },
		"post-logout elsewhere":     func(c *session.Config) { c.PostLogoutRedirectURL = "//evil.example" },
	}
	for name, mod := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := good
			mod(&cfg)
			if _, err := session.New(t.Context(), cfg, st); err == nil {
				t.Error("want an error")
			}
		})
	}
	if _, err := session.New(t.Context(), good, nil); err == nil {
		t.Error("no store: want an error")
	}
	if _, err := session.New(t.Context(), good, st); err != nil {
		t.Errorf("good config: %v", err)
	}
}
