// Package session is motionflow's browser login: OpenID Connect
// authorization code flow with PKCE, and server-side sessions in PostgreSQL
// behind a cookie.
//
// Guarantees:
//
//   - A session exists only after a complete authorization code flow: the
//     callback must carry a state that this server issued to this browser
//     (bound to the pre-login cookie "__Host-motionflow-login"), unused and
//     younger than ten minutes; the code is exchanged with the PKCE (S256)
//     verifier and the exact RedirectURL; the ID token is verified with
//     go-oidc (signature by a key in the issuer's JWKS with RS256 or ES256 or
//     the algorithms of Config.Claims, "iss" equal to IssuerURL, "aud"
//     containing ClientID, not expired, a subject) and its nonce must equal
//     the one issued with the state. Anything else answers 400 and creates
//     no session. A state is consumed by its first use, even if the login
//     then fails.
//   - The session cookie "__Host-motionflow" is Secure, HttpOnly,
//     SameSite=Lax, Path=/, without Domain, and holds 256 random bits; the
//     database stores only its SHA-256 hash. Every login makes a new session
//     id (the browser's previous session is deleted and its pre-login cookie
//     dropped), so an id planted before login is worthless after it.
//   - A session ends after Config.IdleTimeout without a request (last-seen is
//     refreshed at most once a minute, so it may end up to a minute early),
//     after Config.AbsoluteTimeout in any case, and at logout. An ended,
//     unknown or malformed session cookie makes the request anonymous (the
//     cookie is cleared); it is never an error.
//   - Logout is POST only and cross-origin protected; it deletes the
//     server-side session before the browser is sent on, so the old cookie
//     no longer authenticates even if the browser keeps it.
//   - Redirect targets after login ("next") are local paths only; anything
//     else lands on "/".
//   - Nothing changes state on GET except the login flow itself (GET /login
//     records a login in progress; the callback creates the session).
//
// The actor of a session is the one mapped from the ID token at login
// (auth.ActorFromClaims with Config.Claims); changes of groups at the
// identity provider take effect at the next login.
//
// # Wiring
//
//	m, err := session.New(ctx, session.Config{
//		IssuerURL: iss, ClientID: id, ClientSecret: secret,
//		RedirectURL: "http://127.0.0.1:8080/auth/callback",
//	}, st)
//	mux := http.NewServeMux()
//	m.Routes(mux)          // GET /login, GET /auth/callback, POST /logout
//	// ... pages and API on mux; auth.ActorFrom(r.Context()) is the caller
//	srv := &http.Server{Handler: session.Protect(m.Middleware(mux))}
//
// Browsers send Secure cookies to http://127.0.0.1 and http://localhost
// (secure contexts), so the development setup works over plain HTTP; any
// other host must be served over HTTPS.
package session
