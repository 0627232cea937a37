//go:build !nodev

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/session"
	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// runDev runs the whole system in one process on 127.0.0.1: PostgreSQL (as
// found), the embedded Temporal server and its UI, the development OpenID
// provider, the worker and the API.
func runDev(ctx context.Context, log *slog.Logger, args []string) error {
	var c config
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	c.bind(fs, true, false, false, false)
	dataDir := fs.String("data", ".motionflow", "directory for the Temporal SQLite file (and an embedded PostgreSQL)")
	ephemeral := fs.Bool("ephemeral", false, "keep Temporal in memory and use a throw-away database")
	temporalPort := fs.Int("temporal-port", 7233, "embedded Temporal frontend port on 127.0.0.1 (0: a free one, shown at start)")
	uiPort := fs.Int("ui-port", 8233, "Temporal web UI port on 127.0.0.1 (-1: no UI)")
	issuerAddr := fs.String("issuer-addr", "127.0.0.1:8081", "address of the development OpenID provider (loopback only)")
	smtpAddr := fs.String("smtp-addr", "127.0.0.1:1025", "address of the local SMTP sink that receives reminder e-mails (loopback only)")
	idpOnly := fs.Bool("idp-only", false, "run only the development OpenID provider on -issuer-addr, as the identity provider of a separate serve (see idp.go)")
	idpClient := fs.String("idp-client-id", "motionflow", "with -idp-only: the client id, i.e. the tokens' audience (serve's OIDC_AUDIENCE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *idpOnly {
		return runIdP(ctx, *issuerAddr, *idpClient)
	}
	if err := loopbackOnly(c.addr, *issuerAddr, *smtpAddr); err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return err
	}
	quiet := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	dbURL, stopDB, err := devstack.DatabaseURL(ctx, filepath.Join(*dataDir, "postgres"), log)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer stopDB()
	if *ephemeral {
		var drop func()
		if dbURL, drop, err = throwAwayDatabase(ctx, dbURL); err != nil {
			return err
		}
		defer drop()
	}
	if err := store.EnsureDatabase(ctx, dbURL); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if err := store.Migrate(ctx, dbURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := seed(ctx, st, time.Now()); err != nil {
		return err
	}

	topts := devstack.TemporalOptions{Port: *temporalPort, UIPort: *uiPort, Logger: quiet}
	if !*ephemeral {
		topts.DBFile = filepath.Join(*dataDir, "temporal.db")
	}
	tmp, err := devstack.StartTemporal(ctx, topts)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("embedded Temporal: %w (is another Temporal or motionflow dev running? use -temporal-port and -ui-port)", err)
	}
	if err != nil {
		return fmt.Errorf("embedded Temporal: %w", err)
	}
	defer tmp.Stop()

	users := devstack.DemoUsers(devBody)
	iss, err := devstack.StartIssuer(ctx, *issuerAddr, users, 8*time.Hour)
	if err != nil {
		return fmt.Errorf("development OpenID provider: %w", err)
	}
	defer iss.Close()

	tc, err := dialTemporal(ctx, quiet, tmp.HostPort, tmp.Namespace)
	if err != nil {
		return err
	}
	defer tc.Close()
	sink, err := smtpsink.Start(*smtpAddr)
	if err != nil {
		return fmt.Errorf("SMTP sink on %s: %w (use -smtp-addr)", *smtpAddr, err)
	}
	defer sink.Close()
	c.baseURL = "http://" + c.addr // links in reminders; the same address the API listens on
	c.smtp = notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(), From: "motionflow dev <motionflow@mannheim.example>", TLS: notify.TLSNone}
	c.allowPrivateWebhooks = true // dev's receivers run on this machine
	acts, err := c.activities(log)
	if err != nil {
		return err
	}
	acts.Store = st
	w := newWorker(tc, acts, activities.NewAttempts(nil)) // dev serves no metrics: the log only
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer w.Stop()
	if err := workflows.EnsureDigestSchedule(ctx, tc); err != nil {
		return fmt.Errorf("daily digest: %w", err)
	}

	verifier, err := auth.NewVerifier(ctx, auth.Config{IssuerURL: iss.URL, Audience: iss.ClientID})
	if err != nil {
		return fmt.Errorf("verifier: %w", err)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another motionflow running? use -addr)", c.addr, err)
	}
	base := "http://" + ln.Addr().String()
	c.baseURL = base
	web := site{cfg: c, st: st, tc: tc, verifier: verifier, log: log,
		login: &session.Config{IssuerURL: iss.URL, ClientID: iss.ClientID, ClientSecret: iss.ClientSecret,
			RedirectURL: base + "/auth/callback", Claims: auth.Config{IssuerURL: iss.URL, Audience: iss.ClientID}},
		extra: map[string]http.Handler{
			"/dev/token": iss.TokenHandler(),
			"/dev/mail":  http.StripPrefix("/dev/mail", sink),
			"/dev/mail/": http.StripPrefix("/dev/mail", sink),
		}}
	h, err := web.handler(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	// The example of the meeting process, set up once in the background;
	// stopped and awaited before the worker and the store go.
	defer startDemo(ctx, log, st, tc, iss.URL, users, *ephemeral)()
	printBanner(ln.Addr().String(), tmp, iss, users, dbURL, sink.Addr())
	return serveListener(ctx, log, ln, h, c.shutdownTimeout)
}

func printBanner(addr string, tmp *devstack.Temporal, iss *devstack.Issuer, users []devstack.DemoUser, dbURL, smtpAddr string) {
	base := "http://" + addr
	var b strings.Builder
	fmt.Fprintf(&b, "\nmotionflow dev is running\n\n")
	fmt.Fprintf(&b, "  Web app        %s/   (log in as a demo user)\n", base)
	fmt.Fprintf(&b, "  API            %s/v1/motions\n", base)
	fmt.Fprintf(&b, "  API docs       %s/docs   (OpenAPI: %s/openapi.json)\n", base, base)
	if tmp.UIURL != "" {
		fmt.Fprintf(&b, "  Temporal UI    %s\n", tmp.UIURL)
	}
	fmt.Fprintf(&b, "  Temporal       %s (namespace %s)\n", tmp.HostPort, tmp.Namespace)
	fmt.Fprintf(&b, "  OpenID issuer  %s\n", iss.URL)
	fmt.Fprintf(&b, "  PostgreSQL     %s\n", redact(dbURL))
	fmt.Fprintf(&b, "  Reminder mail  %s/dev/mail   (SMTP sink on %s)\n\n", base, smtpAddr)
	fmt.Fprintf(&b, "Demo users (body %q):\n", devBody)
	for _, u := range users {
		fmt.Fprintf(&b, "  %-11s %-26s %s\n", u.Username, u.Name, strings.Join(u.Groups, " "))
	}
	fmt.Fprintf(&b, "\nGet a token:  TOKEN=$(curl -s '%s/dev/token?user=spd')\n", base)
	fmt.Fprintf(&b, "Use it:       curl -H \"Authorization: Bearer $TOKEN\" %s/v1/motions\n\n", base)
	fmt.Fprint(os.Stdout, b.String())
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

// loopbackOnly refuses to expose the development stack beyond this machine.
func loopbackOnly(addrs ...string) error {
	for _, a := range addrs {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return fmt.Errorf("address %q: %w", a, err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("dev binds to loopback only; %q is not a loopback address", a)
		}
	}
	return nil
}

// throwAwayDatabase makes a fresh database next to the one in dbURL and drops
// it again when the returned function runs.
func throwAwayDatabase(ctx context.Context, dbURL string) (string, func(), error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("motionflow_ephemeral_%d", os.Getpid())
	u.Path = "/" + name
	drop := func() {
		admin := *u
		admin.Path = "/postgres"
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(cctx, admin.String())
		if err != nil {
			return
		}
		defer conn.Close(cctx)
		_, _ = conn.Exec(cctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}
