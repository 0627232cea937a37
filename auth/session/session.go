package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/store"
	"golang.org/x/oauth2"
)

// Cookie names. The __Host- prefix makes browsers insist on Secure, Path=/
// and no Domain, so no other host (not even a sibling subdomain) can set or
// overwrite them.
const (
	// CookieName is the session cookie: the session id.
	CookieName = "__Host-motionflow"
	// LoginCookieName is the pre-login cookie: binds a login in progress to
	// the browser that started it; dropped when the login completes.
	LoginCookieName = "__Host-motionflow-login"
)

// Defaults of Config.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

// LoginTimeout is how long a login in progress (state, nonce, PKCE verifier
// and the pre-login cookie) stays valid.
const LoginTimeout = 10 * time.Minute

// Config configures a Manager.
type Config struct {
	// IssuerURL is the OpenID provider, exactly as in its discovery document.
	IssuerURL string
	// ClientID and ClientSecret are the client registered at the provider;
	// ID tokens must name ClientID in "aud". An empty secret makes a public
	// client (PKCE only).
	ClientID, ClientSecret string
	// RedirectURL is the callback registered at the provider, exactly, e.g.
	// http://127.0.0.1:8080/auth/callback. Routes serves the callback at its
	// path.
	RedirectURL string
	// Claims maps the ID token's claims to the actor (groups claim, prefix,
	// name claim, accepted algorithms). Its IssuerURL and Audience are
	// filled from IssuerURL and ClientID when empty and must equal them
	// otherwise.
	Claims auth.Config
	// IdleTimeout ends a session after this long without a request; default
	// 30 minutes.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after login; default 12 hours.
	AbsoluteTimeout time.Duration
	// PostLogoutRedirectURL is where the browser lands after logout: a local
	// path or an absolute http(s) URL; default "/". When the provider offers
	// RP-initiated logout it is sent as post_logout_redirect_uri (a local path
	// made absolute against RedirectURL), so it must be registered there.
	PostLogoutRedirectURL string
}

// Manager runs the browser login and looks up sessions. It is safe for
// concurrent use.
type Manager struct {
	cfg          Config
	st           *store.Store
	client       *http.Client
	oauth        oauth2.Config
	verifier     *oidc.IDTokenVerifier
	claims       auth.Config
	callbackPath string
	endSession   string // the provider's end_session_endpoint, "" if none
	postLogout   string // PostLogoutRedirectURL, absolute, for the provider
	touchEvery   time.Duration
	now          func() time.Time
	lastPurge    atomic.Int64
	log          *slog.Logger
}

// New discovers the provider at cfg.IssuerURL and returns a Manager keeping
// its sessions in st. If ctx carries an HTTP client (oidc.ClientContext) it
// is used for discovery, key fetches and the code exchange; otherwise one
// with a 10-second timeout.
func New(ctx context.Context, cfg Config, st *store.Store) (*Manager, error) {
	if st == nil {
		return nil, errors.New("session: a store is required")
	}
	if cfg.IssuerURL == "" || cfg.ClientID == "" {
		return nil, errors.New("session: IssuerURL and ClientID are required")
	}
	redirect, err := url.Parse(cfg.RedirectURL)
	if err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Host == "" ||
		!strings.HasPrefix(redirect.Path, "/") || redirect.RawQuery != "" || redirect.Fragment != "" {
		return nil, fmt.Errorf("session: RedirectURL %q must be an absolute http(s) URL with a path and no query", cfg.RedirectURL)
	}

	claims := cfg.Claims
	if claims.IssuerURL == "" {
		claims.IssuerURL = cfg.IssuerURL
	}
	if claims.Audience == "" {
		claims.Audience = cfg.ClientID
	}
	if claims.IssuerURL != cfg.IssuerURL || claims.Audience != cfg.ClientID {
		return nil, errors.New("session: Claims.IssuerURL and Claims.Audience must be empty or equal IssuerURL and ClientID")
	}

	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if cfg.IdleTimeout < 0 || cfg.AbsoluteTimeout < 0 {
		return nil, errors.New("session: timeouts must not be negative")
	}

	if cfg.PostLogoutRedirectURL == "" {
		cfg.PostLogoutRedirectURL = "/"
	}
	postLogout, err := url.Parse(cfg.PostLogoutRedirectURL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("session: PostLogoutRedirectURL: %w", err)
	case postLogout.IsAbs() && (postLogout.Scheme == "http" || postLogout.Scheme == "https") && postLogout.Host != "":
	case !postLogout.IsAbs() && postLogout.Host == "" && isLocalPath(cfg.PostLogoutRedirectURL):
		postLogout = redirect.ResolveReference(postLogout)
	default:
		return nil, fmt.Errorf("session: PostLogoutRedirectURL %q must be a local path or an absolute http(s) URL", cfg.PostLogoutRedirectURL)
	}

	client, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok || client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
		ctx = oidc.ClientContext(ctx, client)
	}
	v, err := auth.NewVerifier(ctx, claims)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	provider := v.Provider()
	var meta struct {
		EndSession           string   `json:"end_session_endpoint"`
		Scopes               []string `json:"scopes_supported"`
		AuthMethods          []string `json:"token_endpoint_auth_methods_supported"`
		CodeChallengeMethods []string `json:"code_challenge_methods_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		return nil, fmt.Errorf("session: discovery document: %w", err)
	}
	if len(meta.CodeChallengeMethods) > 0 && !slices.Contains(meta.CodeChallengeMethods, "S256") {
		return nil, fmt.Errorf("session: the provider does not support PKCE with S256 (it offers %v)", meta.CodeChallengeMethods)
	}

	m := &Manager{
		cfg:          cfg,
		st:           st,
		client:       client,
		claims:       v.Config(),
		callbackPath: redirect.Path,
		postLogout:   postLogout.String(),
		touchEvery:   min(time.Minute, cfg.IdleTimeout/10),
		now:          time.Now,
		log:          slog.Default().With("component", "session"),
	}
	if u, err := url.Parse(meta.EndSession); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		m.endSession = meta.EndSession
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = authStyle(meta.AuthMethods, cfg.ClientSecret)
	m.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     endpoint,
		RedirectURL:  cfg.RedirectURL,
		Scopes:       scopes(meta.Scopes),
	}
	m.verifier = provider.Verifier(&oidc.Config{
		ClientID:             cfg.ClientID,
		SupportedSigningAlgs: m.claims.Algorithms,
		Now:                  func() time.Time { return m.now() },
	})
	return m, nil
}

// scopes asks for openid and, of profile, email and groups, those the
// provider lists (all of them when it lists none): some providers refuse an
// authorization request with a scope they do not know.
func scopes(supported []string) []string {
	out := []string{oidc.ScopeOpenID}
	for _, s := range []string{"profile", "email", "groups"} {
		if len(supported) == 0 || slices.Contains(supported, s) {
			out = append(out, s)
		}
	}
	return out
}

// authStyle picks how the client authenticates at the token endpoint:
// client_secret_post when offered (some providers announce basic but read
// only the form), else client_secret_basic (the default of RFC 8414).
func authStyle(methods []string, secret string) oauth2.AuthStyle {
	if secret == "" || slices.Contains(methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// Routes registers the login flow on mux:
//
//	GET  /login?next=/path   starts a login (and ?login_hint=, passed on to the provider)
//	GET  <RedirectURL path>  the provider's callback (/auth/callback)
//	POST /logout             ends the session (cross-origin protected)
func (m *Manager) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", m.login)
	mux.HandleFunc("GET "+m.callbackPath, m.callback)
	mux.Handle("POST /logout", Protect(http.HandlerFunc(m.logout)))
}

// LoginURL is the local URL that starts a login and lands on next
// afterwards ("/" when next is not a local path).
func (m *Manager) LoginURL(next string) string {
	return "/login?next=" + url.QueryEscape(m.localPath(next))
}

// Protect refuses cross-origin state-changing requests (any method but GET,
// HEAD, OPTIONS) with 403, by Go's http.CrossOriginProtection: the
// Sec-Fetch-Site header, or else Origin compared with Host. Requests without
// either (non-browser clients) pass.
func Protect(h http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "Anfrage abgelehnt: Sie kam von einer fremden Website.", http.StatusForbidden)
	}))
	return p.Handler(h)
}

// Middleware puts the actor of the request's session into its context
// (auth.WithActor). A request without a live session passes on anonymous
// (auth.ActorFrom gives the zero Actor); a dead or malformed session cookie
// is cleared. It refreshes the session's last-seen time (at most once a
// minute). Only a failing database stops the request (503).
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := m.live(r.Context(), c.Value)
		switch {
		case errors.Is(err, store.ErrNotFound):
			m.clearCookie(w, CookieName)
			next.ServeHTTP(w, r)
		case err != nil:
			m.log.ErrorContext(r.Context(), "session lookup failed", "err", err)
			http.Error(w, "Die Sitzung konnte nicht geprüft werden. Bitte versuchen Sie es gleich noch einmal.", http.StatusServiceUnavailable)
		default:
			next.ServeHTTP(w, r.WithContext(auth.WithActor(r.Context(), sess.Actor)))
		}
	})
}

// live returns the session with id if it is alive, refreshing its last-seen
// time when that is older than touchEvery.
func (m *Manager) live(ctx context.Context, id string) (store.Session, error) {
	if !validID(id) {
		return store.Session{}, store.ErrNotFound
	}
	now := m.now()
	sess, err := m.st.LiveSession(ctx, id, now, now.Add(-m.cfg.IdleTimeout))
	if err != nil {
		return store.Session{}, err
	}
	if now.Sub(sess.LastSeen) >= m.touchEvery {
		if err := m.st.TouchSession(ctx, id, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			m.log.WarnContext(ctx, "session touch failed", "err", err)
		}
	}
	return sess, nil
}

func (m *Manager) login(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	ctx := r.Context()
	now := m.now()
	m.purge(ctx, now)

	binding := ""
	if c, err := r.Cookie(LoginCookieName); err == nil && validID(c.Value) {
		binding = c.Value // several logins in progress in one browser (tabs) share it
	} else {
		binding = newID()
	}
	state, nonce, verifier := newID(), newID(), oauth2.GenerateVerifier()
	err := m.st.CreateLoginState(ctx, store.LoginState{
		State: state, Binding: binding, Nonce: nonce, Verifier: verifier,
		Next: m.localPath(r.URL.Query().Get("next")), Created: now, Expires: now.Add(LoginTimeout),
	})
	if err != nil {
		m.fail(w, r, http.StatusServiceUnavailable, msgUnavailable, "store login state", err)
		return
	}
	http.SetCookie(w, m.cookie(LoginCookieName, binding, int(LoginTimeout/time.Second)))

	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if hint := r.URL.Query().Get("login_hint"); hint != "" && len(hint) <= 256 {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	http.Redirect(w, r, m.oauth.AuthCodeURL(state, opts...), http.StatusFound)
}

func (m *Manager) callback(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	ctx := r.Context()
	now := m.now()
	q := r.URL.Query()

	c, err := r.Cookie(LoginCookieName)
	if err != nil || !validID(c.Value) {
		m.fail(w, r, http.StatusBadRequest, msgNoLoginCookie, "callback without pre-login cookie", nil)
		return
	}
	binding := c.Value
	ls, err := m.st.TakeLoginState(ctx, q.Get("state"), binding, now)
	if errors.Is(err, store.ErrNotFound) {
		m.fail(w, r, http.StatusBadRequest, msgBadState, "unknown, used, expired or foreign state", nil)
		return
	}
	if err != nil {
		m.fail(w, r, http.StatusServiceUnavailable, msgUnavailable, "take login state", err)
		return
	}
	if e := q.Get("error"); e != "" {
		m.fail(w, r, http.StatusBadRequest, msgRefused, "provider refused: "+e+": "+q.Get("error_description"), nil)
		return
	}
	code := q.Get("code")
	if code == "" {
		m.fail(w, r, http.StatusBadRequest, msgFailed, "callback without code", nil)
		return
	}

	tok, err := m.oauth.Exchange(oidc.ClientContext(ctx, m.client), code, oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			m.fail(w, r, http.StatusBadRequest, msgFailed, "code exchange refused", err)
		} else {
			m.fail(w, r, http.StatusBadGateway, msgProvider, "code exchange", err)
		}
		return
	}
	rawIDToken, _ := tok.Extra("id_token").(string)
	if rawIDToken == "" {
		m.fail(w, r, http.StatusBadGateway, msgProvider, "token response without id_token", nil)
		return
	}
	idToken, err := m.verifier.Verify(oidc.ClientContext(ctx, m.client), rawIDToken)
	if err != nil {
		m.fail(w, r, http.StatusBadRequest, msgFailed, "ID token refused", err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(ls.Nonce)) != 1 {
		m.fail(w, r, http.StatusBadRequest, msgFailed, "ID token nonce does not match", nil)
		return
	}
	if idToken.Subject == "" {
		m.fail(w, r, http.StatusBadRequest, msgFailed, "ID token without subject", nil)
		return
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		m.fail(w, r, http.StatusBadRequest, msgFailed, "ID token claims", err)
		return
	}
	actor := auth.ActorFromClaims(idToken.Issuer, idToken.Subject, claims, m.claims)

	id := newID()
	err = m.st.CreateSession(ctx, id, store.Session{
		Subject: idToken.Subject, Issuer: idToken.Issuer, Name: actor.Name, Actor: actor,
		IDToken: rawIDToken, Created: now, LastSeen: now, Expires: now.Add(m.cfg.AbsoluteTimeout),
	})
	if err != nil {
		m.fail(w, r, http.StatusServiceUnavailable, msgUnavailable, "create session", err)
		return
	}
	// Rotation: whatever session this browser had before is over.
	if old, err := r.Cookie(CookieName); err == nil && validID(old.Value) {
		if _, err := m.st.DeleteSession(ctx, old.Value); err != nil && !errors.Is(err, store.ErrNotFound) {
			m.log.WarnContext(ctx, "delete previous session", "err", err)
		}
	}
	if err := m.st.DeleteLoginStates(ctx, binding); err != nil {
		m.log.WarnContext(ctx, "delete login states", "err", err)
	}
	http.SetCookie(w, m.cookie(CookieName, id, 0))
	m.clearCookie(w, LoginCookieName)
	m.log.InfoContext(ctx, "login", "issuer", idToken.Issuer, "subject", idToken.Subject, "roles", actor.Roles)
	http.Redirect(w, r, ls.Next, http.StatusSeeOther)
}

func (m *Manager) logout(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	ctx := r.Context()
	var idToken string
	if c, err := r.Cookie(CookieName); err == nil && validID(c.Value) {
		sess, err := m.st.DeleteSession(ctx, c.Value)
		switch {
		case err == nil:
			idToken = sess.IDToken
			m.log.InfoContext(ctx, "logout", "issuer", sess.Issuer, "subject", sess.Subject)
		case errors.Is(err, store.ErrNotFound):
		default:
			m.fail(w, r, http.StatusServiceUnavailable, msgUnavailable, "delete session", err)
			return
		}
	}
	m.clearCookie(w, CookieName)
	m.clearCookie(w, LoginCookieName)

	target := m.cfg.PostLogoutRedirectURL
	if m.endSession != "" && idToken != "" {
		u, _ := url.Parse(m.endSession) // checked in New
		v := u.Query()
		v.Set("id_token_hint", idToken)
		v.Set("post_logout_redirect_uri", m.postLogout)
		v.Set("client_id", m.cfg.ClientID)
		u.RawQuery = v.Encode()
		target = u.String()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// purge deletes dead sessions and logins, at most once a minute.
func (m *Manager) purge(ctx context.Context, now time.Time) {
	last := m.lastPurge.Load()
	if now.UnixNano()-last < int64(time.Minute) || !m.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	if _, err := m.st.PurgeSessions(ctx, now, now.Add(-m.cfg.IdleTimeout)); err != nil {
		m.log.WarnContext(ctx, "purge sessions", "err", err)
	}
}

func (m *Manager) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}

func (m *Manager) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, m.cookie(name, "", -1))
}

// localPath returns next if it is a path on this site that is safe to
// redirect to after login, else "/". It refuses absolute and
// scheme-relative URLs ("//host", "/\host"), backslashes, control
// characters, and the login routes themselves (a login must not lead into
// another one).
func (m *Manager) localPath(next string) string {
	if !isLocalPath(next) {
		return "/"
	}
	u, _ := url.Parse(next) // isLocalPath parsed it
	if p := strings.TrimSuffix(u.Path, "/"); p == "/login" || p == "/logout" || p == strings.TrimSuffix(m.callbackPath, "/") {
		return "/"
	}
	return next
}

func isLocalPath(s string) bool {
	if s == "" || len(s) > 2048 || s[0] != '/' {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '\\' {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == "" && strings.HasPrefix(u.Path, "/")
}

// newID returns 256 random bits, URL-safe base64 without padding (43 characters).
func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID reports whether s looks like an id from newID, so that garbage
// cookies cost no database round trip.
func validID(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}
