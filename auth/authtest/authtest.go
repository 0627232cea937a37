// Package authtest is an OpenID issuer for tests: an httptest.Server that
// serves a discovery document and a JWKS and signs real RS256 JWTs with
// go-jose, so that tests exercise auth.Verifier exactly as production does.
//
//	iss := authtest.NewIssuer(t)
//	v, err := auth.NewVerifier(ctx, iss.Config())
//	tok := iss.Token(t, authtest.Claims{Subject: "u1", Groups: []string{"role:council_office", "body:mannheim"}})
//	actor, err := v.Verify(ctx, tok)
//
// It has no authorization endpoint; for a full authorization-code provider
// use internal/devstack's Issuer.
package authtest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/motionflow/motionflow/auth"
)

// DefaultAudience is the audience of tokens whose Claims.Audience is empty,
// and the Audience of Config.
const DefaultAudience = "motionflow-test"

// KeyID is the "kid" of the issuer's signing key (and of foreign tokens,
// so that they fail on the signature, not on an unknown key id).
const KeyID = "authtest-1"

// Issuer is a running test issuer. It is closed when the test ends.
type Issuer struct {
	srv     *httptest.Server
	key     *rsa.PrivateKey
	foreign *rsa.PrivateKey
}

// Claims describe a token to sign.
type Claims struct {
	// Subject is "sub"; empty leaves the claim out.
	Subject string
	// Name is "name"; empty leaves the claim out.
	Name string
	// Groups is the "groups" claim; nil leaves the claim out.
	Groups []string
	// Audience is "aud"; empty means DefaultAudience.
	Audience string
	// Expiry is the token's lifetime from now: zero means one hour, a
	// negative value gives a token that has already expired.
	Expiry time.Duration
	// Issuer overrides "iss"; empty means URL().
	Issuer string
	// Extra claims are added last and override the ones above; a nil value
	// removes the claim (e.g. "exp").
	Extra map[string]any
}

// NewIssuer starts an issuer with a fresh 2048-bit RSA key.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("authtest: generate key: %v", err)
	}
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("authtest: generate key: %v", err)
	}
	i := &Issuer{key: key, foreign: foreign}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.discovery)
	mux.HandleFunc("GET /jwks", i.jwks)
	i.srv = httptest.NewServer(mux)
	t.Cleanup(i.srv.Close)
	return i
}

// URL is the issuer URL ("iss"), without a trailing slash.
func (i *Issuer) URL() string { return i.srv.URL }

// Config is an auth.Config that trusts this issuer with DefaultAudience.
func (i *Issuer) Config() auth.Config {
	return auth.Config{IssuerURL: i.URL(), Audience: DefaultAudience}
}

// Token returns a JWT for c signed with the issuer's published key.
func (i *Issuer) Token(t testing.TB, c Claims) string {
	t.Helper()
	return i.sign(t, i.key, c)
}

// ForeignToken returns a JWT for c that looks like the issuer's (same iss,
// same kid) but is signed with a key the issuer does not publish.
func (i *Issuer) ForeignToken(t testing.TB, c Claims) string {
	t.Helper()
	return i.sign(t, i.foreign, c)
}

// PublicKey is the public half of the signing key, for tests that forge
// tokens with other algorithms (e.g. HS256 keyed with the public key).
func (i *Issuer) PublicKey() *rsa.PublicKey { return &i.key.PublicKey }

// ClaimsMap is the JSON payload Token would sign for c, for tests that
// forge tokens themselves.
func (i *Issuer) ClaimsMap(c Claims) map[string]any {
	now := time.Now()
	if c.Expiry == 0 {
		c.Expiry = time.Hour
	}
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	if c.Issuer == "" {
		c.Issuer = i.URL()
	}
	m := map[string]any{
		"iss": c.Issuer,
		"aud": c.Audience,
		"iat": now.Unix(),
		"exp": now.Add(c.Expiry).Unix(),
	}
	if c.Subject != "" {
		m["sub"] = c.Subject
	}
	if c.Name != "" {
		m["name"] = c.Name
	}
	if c.Groups != nil {
		m["groups"] = c.Groups
	}
	for k, v := range c.Extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func (i *Issuer) sign(t testing.TB, key *rsa.PrivateKey, c Claims) string {
	t.Helper()
	payload, err := json.Marshal(i.ClaimsMap(c))
	if err != nil {
		t.Fatalf("authtest: claims: %v", err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		t.Fatalf("authtest: signer: %v", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatalf("authtest: sign: %v", err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatalf("authtest: serialize: %v", err)
	}
	return s
}

func (i *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                i.URL(),
		"jwks_uri":                              i.URL() + "/jwks",
		"authorization_endpoint":                i.URL() + "/authorize",
		"token_endpoint":                        i.URL() + "/token",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (i *Issuer) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &i.key.PublicKey, KeyID: KeyID, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
