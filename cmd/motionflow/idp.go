//go:build !nodev

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/motionflow/motionflow/internal/devstack"
)

// runIdP runs only the development OpenID provider (`motionflow dev
// -idp-only`): the identity provider for a `serve` started on its own, e.g.
// to try the production walk-through of the README without Keycloak. serve
// gets nothing from it but what any provider offers — discovery, JWKS and
// signed tokens (code flow with PKCE, and the password grant with the demo
// users' passwords, which are their user names) — and has no dev endpoint.
// It listens on loopback only and runs until interrupted.
func runIdP(ctx context.Context, addr, clientID string) error {
	if err := loopbackOnly(addr); err != nil {
		return err
	}
	users := devstack.DemoUsers(devBody)
	iss, err := devstack.StartIssuerFor(ctx, addr, clientID, users, 8*time.Hour)
	if err != nil {
		return fmt.Errorf("development OpenID provider: %w", err)
	}
	defer iss.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "\nmotionflow development OpenID provider is running (nothing else)\n\n")
	fmt.Fprintf(&b, "  Issuer          %s   (serve: OIDC_ISSUER)\n", iss.URL)
	fmt.Fprintf(&b, "  Token endpoint  %s/token\n", iss.URL)
	fmt.Fprintf(&b, "  Client id       %s   (serve: OIDC_AUDIENCE; public client, no secret)\n\n", iss.ClientID)
	fmt.Fprintf(&b, "Demo users (body %q; password = user name):\n", devBody)
	for _, u := range users {
		fmt.Fprintf(&b, "  %-11s %-26s %s\n", u.Username, u.Name, strings.Join(u.Groups, " "))
	}
	fmt.Fprintf(&b, "\nA token: curl -s %s/token -d grant_type=password -d client_id=%s -d username=spd -d password=spd | jq -r .access_token\n\n",
		iss.URL, iss.ClientID)
	fmt.Fprint(os.Stdout, b.String())
	<-ctx.Done()
	return nil
}
