package auth_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/motion"
)

func newVerifier(t *testing.T, iss *authtest.Issuer, mod func(*auth.Config)) *auth.Verifier {
	t.Helper()
	cfg := iss.Config()
	if mod != nil {
		mod(&cfg)
	}
	v, err := auth.NewVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func TestVerifyValidToken(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newVerifier(t, iss, nil)
	tok := iss.Token(t, authtest.Claims{
		Subject: "erika",
		Name:    "Erika Muster",
		Groups:  []string{"role:faction_staff", "faction:mannheim-spd", "body:mannheim", "staff"},
	})
	got, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := motion.Actor{
		Issuer: iss.URL(), Subject: "erika", Name: "Erika Muster",
		Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "mannheim-spd", Bodies: []string{"mannheim"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestVerifyNoGroups(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newVerifier(t, iss, nil)
	got, err := v.Verify(t.Context(), iss.Token(t, authtest.Claims{Subject: "bob"}))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(got.Roles) != 0 || got.Faction != "" || len(got.Bodies) != 0 || got.Name != "bob" || got.Anonymous() {
		t.Errorf("want an authenticated actor without roles, got %+v", got)
	}
}

func TestVerifyPrefix(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newVerifier(t, iss, func(c *auth.Config) { c.Prefix = "motionflow:" })
	got, err := v.Verify(t.Context(), iss.Token(t, authtest.Claims{
		Subject: "o",
		Groups:  []string{"motionflow:role:council_office", "role:admin", "motionflow:body:mannheim"},
	}))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !reflect.DeepEqual(got.Roles, []motion.Role{motion.RoleCouncilOffice}) || !reflect.DeepEqual(got.Bodies, []string{"mannheim"}) {
		t.Errorf("got %+v", got)
	}
}

func TestVerifyRejects(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newVerifier(t, iss, nil)
	valid := authtest.Claims{Subject: "mallory", Groups: []string{"role:admin", "body:mannheim"}}
	with := func(mod func(*authtest.Claims)) authtest.Claims {
		c := valid
		mod(&c)
		return c
	}

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not.a.jwt"},
		{"expired", iss.Token(t, with(func(c *authtest.Claims) { c.Expiry = -time.Minute }))},
		{"wrong audience", iss.Token(t, with(func(c *authtest.Claims) { c.Audience = "another-client" }))},
		{"wrong issuer", iss.Token(t, with(func(c *authtest.Claims) { c.Issuer = "https://evil.example" }))},
		{"issuer with trailing slash", iss.Token(t, with(func(c *authtest.Claims) { c.Issuer = iss.URL() + "/" }))},
		{"wrong signing key", iss.ForeignToken(t, valid)},
		{"no subject", iss.Token(t, with(func(c *authtest.Claims) { c.Subject = "" }))},
		{"no expiry", iss.Token(t, with(func(c *authtest.Claims) { c.Extra = map[string]any{"exp": nil} }))},
		{"HS256 keyed with the public key", hs256(t, iss, valid)},
		{"alg none", algNone(t, iss, valid)},
		{"tampered payload", tamper(t, iss.Token(t, valid))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := v.Verify(t.Context(), tt.token)
			if err == nil {
				t.Fatalf("accepted: %+v", a)
			}
			t.Log(err)
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("error %v does not wrap ErrInvalidToken", err)
			}
			if !reflect.DeepEqual(a, motion.Actor{}) {
				t.Errorf("actor on error: %+v", a)
			}
		})
	}
}

func TestNewVerifierErrors(t *testing.T) {
	iss := authtest.NewIssuer(t)
	tests := []struct {
		name string
		cfg  auth.Config
	}{
		{"no issuer", auth.Config{Audience: "a"}},
		{"no audience", auth.Config{IssuerURL: iss.URL()}},
		{"issuer differs from discovery", auth.Config{IssuerURL: iss.URL() + "/", Audience: "a"}},
		{"unreachable issuer", auth.Config{IssuerURL: "http://127.0.0.1:1", Audience: "a"}},
		{"HMAC algorithm", auth.Config{IssuerURL: iss.URL(), Audience: "a", Algorithms: []string{"HS256"}}},
		{"none algorithm", auth.Config{IssuerURL: iss.URL(), Audience: "a", Algorithms: []string{"none"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := auth.NewVerifier(t.Context(), tt.cfg); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

// A verifier limited to ES256 refuses the issuer's RS256 tokens.
func TestVerifyAlgorithmNotAllowed(t *testing.T) {
	iss := authtest.NewIssuer(t)
	v := newVerifier(t, iss, func(c *auth.Config) { c.Algorithms = []string{"ES256"} })
	if _, err := v.Verify(context.Background(), iss.Token(t, authtest.Claims{Subject: "x"})); err == nil {
		t.Fatal("RS256 token accepted by an ES256-only verifier")
	}
}

// hs256 forges the classic algorithm-confusion token: HMAC keyed with the
// issuer's public key, with the issuer's kid.
func hs256(t *testing.T, iss *authtest.Issuer, c authtest.Claims) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(iss.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: der},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", authtest.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(iss.ClaimsMap(c))
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func algNone(t *testing.T, iss *authtest.Issuer, c authtest.Claims) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(iss.ClaimsMap(c))
	return enc([]byte(`{"alg":"none","typ":"JWT","kid":"`+authtest.KeyID+`"}`)) + "." + enc(payload) + "."
}

// tamper swaps the payload of a valid token for one granting more.
func tamper(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["groups"] = []string{"role:admin", "role:council_office", "body:mannheim", "body:stuttgart"}
	raw, _ = json.Marshal(m)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}
