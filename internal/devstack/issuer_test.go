package devstack

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/motion"
)

func startIssuer(t *testing.T, ttl time.Duration) (*Issuer, *auth.Verifier) {
	t.Helper()
	iss, err := StartIssuer(t.Context(), "127.0.0.1:0", DemoUsers("mannheim"), ttl)
	if err != nil {
		t.Fatalf("StartIssuer: %v", err)
	}
	t.Cleanup(iss.Close)
	v, err := auth.NewVerifier(t.Context(), auth.Config{IssuerURL: iss.URL, Audience: iss.ClientID})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return iss, v
}

func TestIssuerDemoUsers(t *testing.T) {
	iss, v := startIssuer(t, 0)
	want := map[string]motion.Actor{
		"spd":        {Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "mannheim-spd"},
		"cdu":        {Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "mannheim-cdu"},
		"ratsbuero":  {Roles: []motion.Role{motion.RoleCouncilOffice}},
		"verwaltung": {Roles: []motion.Role{motion.RoleAdministration}, Department: "mannheim-dez1"},
		"admin":      {Roles: []motion.Role{motion.RoleAdmin}},
		"keller":     {Roles: []motion.Role{motion.RoleCouncillor}, Person: "mannheim-p-keller"},
		"schubert":   {Roles: []motion.Role{motion.RoleCouncillor}, Person: "mannheim-p-schubert"},
	}
	users := DemoUsers("mannheim")
	if len(users) != len(want) {
		t.Fatalf("%d demo users, want %d", len(users), len(want))
	}
	for _, u := range users {
		t.Run(u.Username, func(t *testing.T) {
			tok, err := iss.Token(t.Context(), u.Username)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			got, err := v.Verify(t.Context(), tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			w := want[u.Username]
			// The dev provider vouches for its users' addresses (email_verified),
			// so a watch by e-mail needs no confirmation mail in dev.
			w.Issuer, w.Subject, w.Name, w.Bodies, w.Email = iss.URL, u.Username, u.Name, []string{"mannheim"}, u.Email
			if !reflect.DeepEqual(got, w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			claims := payload(t, tok)
			if claims["aud"] != iss.ClientID && !reflect.DeepEqual(claims["aud"], []any{iss.ClientID}) {
				t.Errorf("aud %v", claims["aud"])
			}
			if ttl := claims["exp"].(float64) - claims["iat"].(float64); ttl != (8 * time.Hour).Seconds() {
				t.Errorf("token lifetime %vs, want 8h", ttl)
			}
			if claims["email"] != u.Email {
				t.Errorf("email %v", claims["email"])
			}
		})
	}

	if _, err := iss.Token(t.Context(), "mallory"); err == nil {
		t.Error("token for an unknown user")
	}
}

func TestIssuerConcurrentTokens(t *testing.T) {
	iss, v := startIssuer(t, time.Minute)
	users := DemoUsers("mannheim")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for n := range 40 {
		u := users[n%len(users)].Username
		wg.Go(func() {
			tok, err := iss.Token(t.Context(), u)
			if err != nil {
				errs <- err
				return
			}
			a, err := v.Verify(t.Context(), tok)
			if err != nil {
				errs <- err
			} else if a.Subject != u {
				errs <- fmt.Errorf("asked for %s, got %s", u, a.Subject)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	claims := payload(t, mustToken(t, iss, "spd"))
	if ttl := claims["exp"].(float64) - claims["iat"].(float64); ttl != 60 {
		t.Errorf("token lifetime %vs, want 60s", ttl)
	}
}

func TestIssuerTokenHandler(t *testing.T) {
	iss, v := startIssuer(t, 0)
	srv := httptest.NewServer(iss.TokenHandler())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "?user=ratsbuero")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%s %s: %s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	a, err := v.Verify(t.Context(), strings.TrimSpace(string(body)))
	if err != nil || !a.Has(motion.RoleCouncilOffice) {
		t.Fatalf("actor %+v, %v", a, err)
	}

	resp, err = http.Get(srv.URL + "?user=mallory")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown user: %s", resp.Status)
	}

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/?user=spd", nil)
	req.RemoteAddr = "192.0.2.7:40000"
	iss.TokenHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("remote request: %d", rec.Code)
	}
}

// A browser without login_hint gets the page to choose a demo user, whose
// links lead to a code for that user.
func TestIssuerChooser(t *testing.T) {
	iss, _ := startIssuer(t, 0)
	authURL := strings.TrimSuffix(iss.URL, "/oidc") + "/oidc/authorize?client_id=" + iss.ClientID +
		"&response_type=code&scope=openid&state=s1&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb"
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "login_hint=verwaltung") {
		t.Fatalf("%s: %s", resp.Status, body)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Get(authURL + "&login_hint=verwaltung")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "code=") {
		t.Fatalf("%s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
}

func TestStartIssuerRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "localhost"} {
		if iss, err := StartIssuer(t.Context(), addr, DemoUsers("x"), 0); err == nil {
			iss.Close()
			t.Errorf("StartIssuer(%q) succeeded", addr)
		}
	}
}

func mustToken(t *testing.T, iss *Issuer, user string) string {
	t.Helper()
	tok, err := iss.Token(t.Context(), user)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func payload(t *testing.T, tok string) map[string]any {
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
	return m
}
