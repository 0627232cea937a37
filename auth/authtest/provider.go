package authtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Provider is an Issuer that also runs the authorization code flow, for
// tests of a browser login (relying party) against real, signed ID tokens:
//
//	p := authtest.NewProvider(t, authtest.ProviderOptions{})
//	p.AllowRedirect("http://127.0.0.1:1234/auth/callback")
//	p.QueueLogin(authtest.Login{Claims: authtest.Claims{Subject: "spd", Groups: []string{"role:faction_staff", "faction:spd"}}})
//	// the browser follows the app's redirect to p's authorization endpoint ...
//
// The authorization endpoint (/authorize) accepts only response_type=code,
// the ClientID, a redirect_uri registered with AllowRedirect (compared
// exactly), a scope with "openid", a state and a PKCE S256 code challenge;
// it answers each request with the next queued Login, at once (there is no
// login page). The token endpoint (/token) authenticates the client
// (client_secret_basic or client_secret_post), accepts each code once, with
// the same redirect_uri and the matching code_verifier, and returns an ID
// token for the Login's Claims, signed with the issuer's key, carrying the
// nonce of the authorization request. The Login can change any of that to
// test that the relying party refuses it: another nonce, audience, issuer or
// an expired token. The end-session endpoint (/end_session, RP-initiated
// logout) records the request and redirects to post_logout_redirect_uri.
type Provider struct {
	*Issuer
	// ClientID is the only client, and the default audience (DefaultAudience).
	ClientID string
	// ClientSecret authenticates the client at the token endpoint.
	ClientSecret string

	opts ProviderOptions

	mu          sync.Mutex
	redirects   []string
	queue       []Login
	grants      map[string]grant
	authorizeQs []url.Values
	endSessions []url.Values
}

// ProviderOptions change what a Provider offers.
type ProviderOptions struct {
	// NoEndSession leaves end_session_endpoint out of the discovery
	// document, for tests of a provider without RP-initiated logout.
	NoEndSession bool
}

// Login is how the provider answers one authorization request.
type Login struct {
	// Claims of the ID token; Audience empty means ClientID, Expiry zero
	// one hour (negative: already expired), Issuer empty the provider's URL.
	Claims Claims
	// Nonce, when set, is put into the ID token instead of the nonce of the
	// authorization request. Claims.Extra["nonce"] wins over both (a nil
	// value leaves the nonce out).
	Nonce string
}

type grant struct {
	login       Login
	nonce       string
	challenge   string
	redirectURI string
	expires     time.Time
}

// NewProvider starts a Provider with a fresh signing key; it is closed when
// the test ends.
func NewProvider(t testing.TB, opts ProviderOptions) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("authtest: generate key: %v", err)
	}
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("authtest: generate key: %v", err)
	}
	p := &Provider{
		Issuer:       &Issuer{key: key, foreign: foreign},
		ClientID:     DefaultAudience,
		ClientSecret: rand.Text(),
		opts:         opts,
		grants:       map[string]grant{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("/end_session", p.endSession)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// AllowRedirect registers an exact redirect URI of the client.
func (p *Provider) AllowRedirect(redirectURI string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirects = append(p.redirects, redirectURI)
}

// QueueLogin queues the answer to the next authorization request. An
// authorization request with nothing queued gets 400.
func (p *Provider) QueueLogin(l Login) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, l)
}

// AuthorizationEndpoint is the URL of the authorization endpoint.
func (p *Provider) AuthorizationEndpoint() string { return p.URL() + "/authorize" }

// EndSessionEndpoint is the URL of the end-session endpoint (also when the
// discovery document does not offer it).
func (p *Provider) EndSessionEndpoint() string { return p.URL() + "/end_session" }

// Authorizations returns the query parameters of every authorization
// request received so far, oldest first.
func (p *Provider) Authorizations() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.authorizeQs)
}

// EndSessions returns the parameters of every end-session request received
// so far, oldest first.
func (p *Provider) EndSessions() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.endSessions)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	doc := map[string]any{
		"issuer":                                p.URL(),
		"jwks_uri":                              p.URL() + "/jwks",
		"authorization_endpoint":                p.AuthorizationEndpoint(),
		"token_endpoint":                        p.URL() + "/token",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "profile", "email", "groups"},
	}
	if !p.opts.NoEndSession {
		doc["end_session_endpoint"] = p.EndSessionEndpoint()
	}
	writeJSON(w, doc)
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.authorizeQs = append(p.authorizeQs, q)

	// Errors about the client or the redirect URI must not redirect.
	if q.Get("client_id") != p.ClientID {
		http.Error(w, "authtest: unknown client_id", http.StatusBadRequest)
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !slices.Contains(p.redirects, redirectURI) {
		http.Error(w, fmt.Sprintf("authtest: redirect_uri %q is not registered", redirectURI), http.StatusBadRequest)
		return
	}
	fail := func(code, desc string) {
		u, _ := url.Parse(redirectURI)
		v := u.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "scope must contain openid")
		return
	case q.Get("state") == "":
		fail("invalid_request", "state is required")
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		fail("invalid_request", "PKCE with S256 is required")
		return
	}
	if len(p.queue) == 0 {
		http.Error(w, "authtest: no login queued (call QueueLogin)", http.StatusBadRequest)
		return
	}
	login := p.queue[0]
	p.queue = p.queue[1:]

	code := rand.Text()
	p.grants[code] = grant{
		login:       login,
		nonce:       q.Get("nonce"),
		challenge:   q.Get("code_challenge"),
		redirectURI: redirectURI,
		expires:     time.Now().Add(time.Minute),
	}
	u, _ := url.Parse(redirectURI)
	v := u.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 2.3.1: form-urlencoded before base64.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}

	p.mu.Lock()
	code := r.PostForm.Get("code")
	g, ok := p.grants[code]
	delete(p.grants, code) // single use, even when the rest fails
	p.mu.Unlock()
	switch {
	case !ok || time.Now().After(g.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
		return
	case s256(r.PostForm.Get("code_verifier")) != g.challenge:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code challenge")
		return
	}

	c := g.login.Claims
	extra := maps.Clone(c.Extra)
	if extra == nil {
		extra = map[string]any{}
	}
	if _, set := extra["nonce"]; !set {
		nonce := g.nonce
		if g.login.Nonce != "" {
			nonce = g.login.Nonce
		}
		if nonce != "" {
			extra["nonce"] = nonce
		}
	}
	c.Extra = extra
	if c.Audience == "" {
		c.Audience = p.ClientID
	}
	idToken, err := signClaims(p.key, p.ClaimsMap(c))
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, map[string]any{
		"access_token": rand.Text(),
		"token_type":   "Bearer",
		"expires_in":   3600,
		"id_token":     idToken,
	})
}

func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.endSessions = append(p.endSessions, r.Form)
	p.mu.Unlock()
	if u := r.Form.Get("post_logout_redirect_uri"); u != "" {
		http.Redirect(w, r, u, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("logged out\n"))
}

func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// signClaims is Issuer.sign for use in handlers, where there is no test to fail.
func signClaims(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
