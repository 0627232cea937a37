package devstack

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/oauth2"
)

// DemoUser is a user of the development issuer. Its subject ("sub") is
// Username; Groups use the auth package's group format.
type DemoUser struct {
	Username string
	Name     string
	Email    string
	Groups   []string
}

// DemoUsers returns one user per role for the body bodyID:
//
//	spd         faction_staff, faction <body>-spd
//	cdu         faction_staff, faction <body>-cdu
//	ratsbuero   council_office
//	verwaltung  administration, department <body>-dez1
//	admin       admin
//	keller      councillor, person <body>-p-keller (Miriam Keller, SPD)
//	schubert    councillor, person <body>-p-schubert (Lena Schubert, Grüne)
//
// each with "body:<body>". The councillors are persons of the development
// seed (cmd/motionflow seeds "<body>-p-<name>" with memberships in the
// council and a faction), so they can sign each other's motions and are
// counted for the quorum; their addresses are the seeded ones.
func DemoUsers(bodyID string) []DemoUser {
	body := "body:" + bodyID
	return []DemoUser{
		{Username: "spd", Name: "Sabine Petersen (SPD-Fraktion)", Email: "spd@example.org",
			Groups: []string{"role:faction_staff", "faction:" + bodyID + "-spd", body}},
		{Username: "cdu", Name: "Christian Ulrich (CDU-Fraktion)", Email: "cdu@example.org",
			Groups: []string{"role:faction_staff", "faction:" + bodyID + "-cdu", body}},
		{Username: "ratsbuero", Name: "Rita Albers (Ratsbüro)", Email: "ratsbuero@example.org",
			Groups: []string{"role:council_office", body}},
		{Username: "verwaltung", Name: "Volker Wendt (Dezernat I)", Email: "verwaltung@example.org",
			Groups: []string{"role:administration", "department:" + bodyID + "-dez1", body}},
		{Username: "admin", Name: "Anna Admin (Betrieb)", Email: "admin@example.org",
			Groups: []string{"role:admin", body}},
		{Username: "keller", Name: "Miriam Keller", Email: "miriam.keller@gemeinderat.mannheim.example",
			Groups: []string{"role:councillor", "person:" + bodyID + "-p-keller", body}},
		{Username: "schubert", Name: "Lena Schubert", Email: "lena.schubert@gemeinderat.mannheim.example",
			Groups: []string{"role:councillor", "person:" + bodyID + "-p-schubert", body}},
	}
}

// DevClientID is the client id of the development issuer's only client.
const DevClientID = "motionflow-dev"

// Issuer is the development OpenID provider: github.com/oauth2-proxy/mockoidc
// (discovery, JWKS, authorization code flow with PKCE, RS256-signed ID
// tokens) with the demo users, on a loopback address only.
//
// A browser that arrives at the authorization endpoint without a
// login_hint naming a demo user gets a page to pick one; with a login_hint
// the code is issued at once. ID tokens carry "name" and
// "preferred_username" (scope profile), "email" (scope email) and "groups"
// (always).
type Issuer struct {
	// URL is the issuer ("iss"), for auth.Config.IssuerURL.
	URL string
	// ClientID is the registered client and the ID tokens' audience.
	ClientID string
	// ClientSecret authenticates the client at the token endpoint.
	ClientSecret string

	m     *mockoidc.MockOIDC
	users map[string]DemoUser
	order []string
	ttl   time.Duration
	// mu serializes every request to the provider: mockoidc's session
	// store is an unguarded map, and a queued user must be popped by the
	// request that queued it.
	mu sync.Mutex
}

// StartIssuer starts the development issuer on addr, which must be a
// loopback address ("127.0.0.1:0" picks a free port). ID tokens live for
// tokenTTL (0 means 8 hours). The signing key is generated at start, so
// tokens do not survive a restart.
func StartIssuer(ctx context.Context, addr string, users []DemoUser, tokenTTL time.Duration) (*Issuer, error) {
	return StartIssuerFor(ctx, addr, DevClientID, users, tokenTTL)
}

// StartIssuerFor is StartIssuer with the client id clientID, which is also
// the ID tokens' audience: `motionflow dev -idp-only` registers "motionflow",
// the default OIDC_AUDIENCE of serve, as Keycloak's realm in deploy/ does.
func StartIssuerFor(ctx context.Context, addr, clientID string, users []DemoUser, tokenTTL time.Duration) (*Issuer, error) {
	if clientID == "" {
		return nil, errors.New("devstack: the development issuer needs a client id")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("devstack: issuer address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("devstack: the development issuer listens on loopback IPs only, not %q", host)
	}
	if len(users) == 0 {
		return nil, errors.New("devstack: the development issuer needs demo users")
	}
	if tokenTTL <= 0 {
		tokenTTL = 8 * time.Hour
	}
	i := &Issuer{users: map[string]DemoUser{}, ttl: tokenTTL}
	for _, u := range users {
		if u.Username == "" {
			return nil, errors.New("devstack: demo user without username")
		}
		if _, dup := i.users[u.Username]; dup {
			return nil, fmt.Errorf("devstack: demo user %q twice", u.Username)
		}
		i.users[u.Username] = u
		i.order = append(i.order, u.Username)
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devstack: issuer key: %w", err)
	}
	m, err := mockoidc.NewServer(key)
	if err != nil {
		return nil, fmt.Errorf("devstack: issuer: %w", err)
	}
	m.ClientID = clientID
	m.AccessTTL = tokenTTL
	m.RefreshTTL = tokenTTL
	m.CodeChallengeMethodsSupported = []string{mockoidc.CodeChallengeMethodS256}
	if err := m.AddMiddleware(i.middleware); err != nil {
		return nil, fmt.Errorf("devstack: issuer: %w", err)
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("devstack: issuer listen: %w", err)
	}
	if err := m.Start(ln, nil); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("devstack: issuer start: %w", err)
	}
	i.m = m
	i.URL = m.Issuer()
	i.ClientID = m.ClientID
	i.ClientSecret = m.ClientSecret
	return i, nil
}

// Close stops the issuer.
func (i *Issuer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = i.m.Server.Shutdown(ctx)
}

// Token returns a fresh ID token (aud = ClientID) for the demo user
// username. It runs the authorization code flow with PKCE (S256) against
// the provider over HTTP, as a client would: GET the authorization endpoint
// without following the redirect, then exchange the code at the token
// endpoint.
func (i *Issuer) Token(ctx context.Context, username string) (string, error) {
	if _, ok := i.users[username]; !ok {
		return "", fmt.Errorf("devstack: unknown demo user %q", username)
	}
	conf := oauth2.Config{
		ClientID:     i.ClientID,
		ClientSecret: i.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   i.m.AuthorizationEndpoint(),
			TokenURL:  i.m.TokenEndpoint(),
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: "http://127.0.0.1/devstack/callback",
		Scopes:      []string{oidc.ScopeOpenID, "profile", "email", "groups"},
	}
	verifier := oauth2.GenerateVerifier()
	state, nonce := rand.Text(), rand.Text()
	authURL := conf.AuthCodeURL(state,
		oauth2.S256ChallengeOption(verifier),
		oidc.Nonce(nonce),
		oauth2.SetAuthURLParam("login_hint", username))

	hc := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("devstack: authorize: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("devstack: authorize: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", fmt.Errorf("devstack: authorize redirect: %w", err)
	}
	if got := loc.Query().Get("state"); got != state {
		return "", fmt.Errorf("devstack: authorize redirect: state %q, want %q", got, state)
	}
	code := loc.Query().Get("code")
	if code == "" {
		return "", fmt.Errorf("devstack: authorize redirect without code: %s", loc)
	}

	tok, err := conf.Exchange(oidc.ClientContext(ctx, &http.Client{Timeout: 10 * time.Second}), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("devstack: token exchange: %w", err)
	}
	idToken, _ := tok.Extra("id_token").(string)
	if idToken == "" {
		return "", errors.New("devstack: token response without id_token")
	}
	if err := checkIDToken(idToken, username, nonce); err != nil {
		return "", err
	}
	return idToken, nil
}

// checkIDToken makes sure the token is for the user and flow asked for. The
// signature is the verifier's business; this guards the queue discipline.
func checkIDToken(raw, username, nonce string) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return errors.New("devstack: malformed id_token")
	}
	payload, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		return fmt.Errorf("devstack: id_token payload: %w", err)
	}
	var c struct {
		Sub   string `json:"sub"`
		Nonce string `json:"nonce"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return fmt.Errorf("devstack: id_token payload: %w", err)
	}
	if c.Sub != username || c.Nonce != nonce {
		return fmt.Errorf("devstack: id_token for %q (nonce %q), want %q", c.Sub, c.Nonce, username)
	}
	return nil
}

// TokenHandler serves GET ?user=<username> with that demo user's ID token
// as text/plain, for curl:
//
//	curl -H "Authorization: Bearer $(curl -s 'http://127.0.0.1:8080/dev/token?user=spd')" ...
//
// Unknown users get 404; requests from non-loopback addresses get 403.
func (i *Issuer) TokenHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromLoopback(r) {
			http.Error(w, "the development token endpoint answers loopback requests only", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		user := r.URL.Query().Get("user")
		if _, ok := i.users[user]; !ok {
			http.Error(w, fmt.Sprintf("unknown demo user %q; demo users: %s", user, strings.Join(i.order, ", ")), http.StatusNotFound)
			return
		}
		tok, err := i.Token(r.Context(), user)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, tok+"\n")
	})
}

// middleware wraps every mockoidc endpoint: loopback callers only, one
// request at a time, and on the authorization endpoint the choice of the
// demo user (login_hint) or a page to choose one.
func (i *Issuer) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromLoopback(r) {
			http.Error(w, "the development issuer answers loopback requests only", http.StatusForbidden)
			return
		}
		if r.URL.Path == mockoidc.TokenEndpoint && r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if r.PostForm.Get("grant_type") == "password" {
				i.passwordGrant(w, r)
				return
			}
		}
		if r.URL.Path != mockoidc.AuthorizationEndpoint {
			i.mu.Lock()
			defer i.mu.Unlock()
			next.ServeHTTP(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		u, ok := i.users[r.Form.Get("login_hint")]
		if !ok {
			i.chooser(w, r)
			return
		}
		i.mu.Lock()
		defer i.mu.Unlock()
		i.m.QueueUser(&demoUser{u})
		next.ServeHTTP(w, r)
		// If mockoidc rejected the request before popping the user, do not
		// leave it for the next one.
		i.m.UserQueue.Lock()
		i.m.UserQueue.Queue = nil
		i.m.UserQueue.Unlock()
	})
}

// passwordGrant answers the OAuth 2.0 resource owner password grant
// (RFC 6749 4.3) at the token endpoint, which mockoidc lacks, the way
// Keycloak's realm in deploy/keycloak does for its demo users: the password
// of a demo user is its user name, the client is public (client_id without
// secret). The answer carries the user's ID token as access_token and
// id_token (it is what serve verifies: aud is the client id, groups are
// in it), obtained through the provider's own code flow (Token).
func (i *Issuer) passwordGrant(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if id, _, ok := r.BasicAuth(); ok && r.PostForm.Get("client_id") == "" {
		r.PostForm.Set("client_id", id)
	}
	if r.PostForm.Get("client_id") != i.ClientID {
		fail(http.StatusUnauthorized, "invalid_client", "unknown client_id; this provider's client is "+i.ClientID)
		return
	}
	user := r.PostForm.Get("username")
	if _, ok := i.users[user]; !ok || r.PostForm.Get("password") != user {
		fail(http.StatusBadRequest, "invalid_grant", "unknown demo user or wrong password (a demo user's password is its user name)")
		return
	}
	tok, err := i.Token(r.Context(), user)
	if err != nil {
		fail(http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "id_token": tok, "token_type": "Bearer",
		"expires_in": int(i.ttl / time.Second), "scope": "openid profile email groups"})
}

var chooserPage = template.Must(template.New("chooser").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>motionflow – Demo-Anmeldung</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
a{display:block;padding:.8rem 1rem;margin:.5rem 0;border:1px solid #999;border-radius:.4rem;text-decoration:none;color:inherit}
a:hover{background:#eef}small{color:#555}</style></head>
<body><h1>Demo-Anmeldung</h1><p>Entwicklungs-Identitätsanbieter von motionflow. Als wer möchten Sie sich anmelden?</p>
{{range .}}<a href="{{.Href}}"><strong>{{.Name}}</strong> <small>({{.Username}})</small><br><small>{{.Groups}}</small></a>
{{end}}</body></html>
`))

func (i *Issuer) chooser(w http.ResponseWriter, r *http.Request) {
	type entry struct{ Href, Name, Username, Groups string }
	var entries []entry
	for _, name := range i.order {
		u := i.users[name]
		q := url.Values{}
		for k, vs := range r.Form {
			q[k] = vs
		}
		q.Set("login_hint", u.Username)
		entries = append(entries, entry{
			Href:     mockoidc.AuthorizationEndpoint + "?" + q.Encode(),
			Name:     u.Name,
			Username: u.Username,
			Groups:   strings.Join(u.Groups, ", "),
		})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = chooserPage.Execute(w, entries)
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// demoUser is a mockoidc.User with the claims motionflow reads; mockoidc's
// own MockUser has no "name".
type demoUser struct{ DemoUser }

var _ mockoidc.User = (*demoUser)(nil)

func (u *demoUser) ID() string { return u.Username }

type demoClaims struct {
	*mockoidc.IDTokenClaims
	Name              string   `json:"name,omitempty"`
	PreferredUsername string   `json:"preferred_username,omitempty"`
	Email             string   `json:"email,omitempty"`
	EmailVerified     bool     `json:"email_verified,omitempty"`
	Groups            []string `json:"groups"`
}

func (u *demoUser) scoped(scopes []string) demoClaims {
	c := demoClaims{Groups: append([]string{}, u.Groups...)}
	for _, s := range scopes {
		switch s {
		case "profile":
			c.Name, c.PreferredUsername = u.Name, u.Username
		case "email":
			c.Email, c.EmailVerified = u.Email, u.Email != ""
		}
	}
	return c
}

func (u *demoUser) Userinfo(scopes []string) ([]byte, error) {
	c := u.scoped(scopes)
	return json.Marshal(struct {
		Sub string `json:"sub"`
		demoClaims
	}{u.Username, c})
}

func (u *demoUser) Claims(scopes []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	c := u.scoped(scopes)
	c.IDTokenClaims = base
	return &c, nil
}
