// Package devstack runs what `motionflow dev` and the end-to-end tests need
// besides motionflow itself, all bound to 127.0.0.1:
//
//   - StartTemporal: an embedded Temporal server (SQLite, in memory or in a
//     file) with the namespace "default", motionflow's search attributes
//     and the Temporal web UI;
//   - StartIssuer: a development OpenID provider (mockoidc) with demo users
//     for every role, and Issuer.Token / Issuer.TokenHandler to get their
//     ID tokens without a browser;
//   - DatabaseURL: the PostgreSQL to use ($DATABASE_URL, the local server,
//     or an embedded one).
//
// Only cmd/ and end-to-end tests may import it: it links the Temporal server
// (~1,800 packages, ~150 MB of binary). Nothing here is meant for
// production: the issuer signs a token for anybody who asks from loopback.
//
// A typical development start:
//
//	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{DBFile: ".motionflow/temporal.db", Port: 7233, UIPort: 8233, Logger: log})
//	defer tmp.Stop()
//	iss, err := devstack.StartIssuer(ctx, "127.0.0.1:0", devstack.DemoUsers("mannheim"), 8*time.Hour)
//	defer iss.Close()
//	v, err := auth.NewVerifier(ctx, auth.Config{IssuerURL: iss.URL, Audience: iss.ClientID})
//	dbURL, stopDB, err := devstack.DatabaseURL(ctx, ".motionflow", log)
//	defer stopDB()
//	mux.Handle("GET /dev/token", iss.TokenHandler())
package devstack
