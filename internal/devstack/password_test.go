package devstack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/motion"
)

// TestIssuerPasswordGrant gets tokens the way an operator's script gets them
// from Keycloak (the README's production walk-through): the password grant
// at the token endpoint, with the client id "motionflow" that serve expects
// by default; serve's verifier accepts them through discovery.
func TestIssuerPasswordGrant(t *testing.T) {
	iss, err := StartIssuerFor(t.Context(), "127.0.0.1:0", "motionflow", DemoUsers("mannheim"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	v, err := auth.NewVerifier(t.Context(), auth.Config{IssuerURL: iss.URL, Audience: "motionflow"})
	if err != nil {
		t.Fatal(err)
	}
	grant := func(client, user, password string) (int, map[string]any) {
		res, err := http.PostForm(iss.URL+"/token", url.Values{"grant_type": {"password"}, "client_id": {client},
			"scope": {"openid"}, "username": {user}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, body
	}
	code, body := grant("motionflow", "ratsbuero", "ratsbuero")
	if code != http.StatusOK || body["token_type"] != "Bearer" {
		t.Fatalf("password grant: %d %v", code, body)
	}
	tok, _ := body["access_token"].(string)
	a, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !a.Has(motion.RoleCouncilOffice) || a.Name != "Rita Albers (Ratsbüro)" {
		t.Errorf("actor: %+v", a)
	}
	if code, body := grant("motionflow", "ratsbuero", "falsch"); code != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("wrong password: %d %v", code, body)
	}
	if code, body := grant("other", "ratsbuero", "ratsbuero"); code != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("wrong client: %d %v", code, body)
	}
}
