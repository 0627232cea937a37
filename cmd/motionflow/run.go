package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/motionflow/motionflow/documents"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/session"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

func runMigrate(ctx context.Context, log *slog.Logger, args []string) error {
	var c config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	c.bind(fs, false, true, false, false)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.databaseURL == "" {
		return errors.New("no database: set DATABASE_URL or -database-url")
	}
	if err := store.Migrate(ctx, c.databaseURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	log.Info("migrations applied")
	return nil
}

func runServe(ctx context.Context, log *slog.Logger, args []string) error {
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.bind(fs, true, true, true, true)
	c.bindSMTP(fs) // the confirmation mails of watch addresses
	ops := bindOps(fs, "motionflow-serve")
	fs.StringVar(&c.baseURL, "base-url", env("MOTIONFLOW_BASE_URL", ""), "public URL of the API, for feed URLs and links (MOTIONFLOW_BASE_URL; default: from the request; needed for confirmation mails)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.databaseURL == "" || c.oidc.IssuerURL == "" {
		return errors.New("serve needs DATABASE_URL and OIDC_ISSUER (see -h)")
	}
	c.oidc.Algorithms = c.algorithms()
	if _, err := c.mailer(); err != nil {
		return err
	}
	if c.smtp.Host == "" {
		log.Warn("no SMTP_HOST: watches by e-mail of other addresses than the user's verified one stay unconfirmed")
	}
	tel, err := ops.start(ctx, log)
	if err != nil {
		return err
	}
	defer tel.shutdown()
	documents.StartExtractor() // the first PDF upload need not wait for the engine
	st, err := store.Open(ctx, c.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer st.Close()
	tc, err := tel.dialTemporal(ctx, log, c.temporalAddress, c.temporalNamespace)
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := startupChecks(ctx, log, tc, c.temporalNamespace, st); err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(ctx, c.oidc)
	if err != nil {
		return fmt.Errorf("OIDC issuer %s: %w", c.oidc.IssuerURL, err)
	}
	web := site{cfg: c, st: st, tc: tc, verifier: verifier, log: log}
	if redirect := env("OIDC_REDIRECT_URL", ""); redirect != "" || c.baseURL != "" {
		if redirect == "" {
			redirect = c.baseURL + "/auth/callback"
		}
		web.login = &session.Config{
			IssuerURL: c.oidc.IssuerURL, ClientID: c.oidc.Audience, ClientSecret: os.Getenv("OIDC_CLIENT_SECRET"),
			RedirectURL: redirect, Claims: c.oidc,
			IdleTimeout:           envDuration("SESSION_IDLE_TIMEOUT", session.DefaultIdleTimeout),
			AbsoluteTimeout:       envDuration("SESSION_ABSOLUTE_TIMEOUT", session.DefaultAbsoluteTimeout),
			PostLogoutRedirectURL: env("OIDC_POST_LOGOUT_URL", ""),
		}
	} else {
		log.Warn("no MOTIONFLOW_BASE_URL or OIDC_REDIRECT_URL: the web pages are read-only (no browser login)")
	}
	h, err := web.handler(ctx)
	if err != nil {
		return err
	}
	h = tel.instrumentHTTP(h)
	tel.setReady()
	return listenAndServe(ctx, log, c.addr, h, c.shutdownTimeout)
}

func runWorker(ctx context.Context, log *slog.Logger, args []string) error {
	var c config
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	c.bind(fs, false, true, true, false)
	c.bindNotify(fs)
	ops := bindOps(fs, "motionflow-worker")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.databaseURL == "" {
		return errors.New("worker needs DATABASE_URL (see -h)")
	}
	acts, err := c.activities(log)
	if err != nil {
		return err
	}
	tel, err := ops.start(ctx, log)
	if err != nil {
		return err
	}
	defer tel.shutdown()
	st, err := store.Open(ctx, c.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer st.Close()
	tc, err := tel.dialTemporal(ctx, log, c.temporalAddress, c.temporalNamespace)
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := startupChecks(ctx, log, tc, c.temporalNamespace, st); err != nil {
		return err
	}
	acts.Store = st
	w := newWorker(tc, acts, tel.attempts())
	tel.instrumentActivities(w, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	if err := workflows.EnsureDigestSchedule(ctx, tc); err != nil {
		return fmt.Errorf("daily digest: %w", err)
	}
	log.Info("worker started", "task_queue", workflows.TaskQueue, "temporal", c.temporalAddress)
	tel.setReady()
	<-ctx.Done()
	w.Stop() // waits for running activities up to the worker's stop timeout
	return nil
}

// dialTemporal connects to Temporal with an slog logger at Info, so the SDK's
// debug lines stay out of the logs.
func dialTemporal(ctx context.Context, log *slog.Logger, hostPort, namespace string) (client.Client, error) {
	tc, err := client.DialContext(ctx, client.Options{
		HostPort:  hostPort,
		Namespace: namespace,
		Logger:    tlog.NewStructuredLogger(log.With("component", "temporal-sdk")),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w", hostPort, err)
	}
	return tc, nil
}

// newWorker is the worker that runs motion workflows and their activities;
// attempts sees every activity attempt, so that one failing again and again
// is logged and counted instead of being retried silently.
func newWorker(tc client.Client, acts *activities.Activities, attempts *activities.Attempts) worker.Worker {
	w := worker.New(tc, workflows.TaskQueue, worker.Options{
		WorkerStopTimeout: 30 * time.Second,
		Interceptors:      []interceptor.WorkerInterceptor{attempts.Interceptor()},
	})
	workflows.Register(w, workflows.Options{})
	workflows.RegisterDigest(w)
	acts.Register(w)
	return w
}

// activities configures reminder delivery; the store is set by the caller.
func (c *config) activities(log *slog.Logger) (*activities.Activities, error) {
	acts := &activities.Activities{BaseURL: c.baseURL, Webhooks: &notify.Webhook{AllowPrivate: c.allowPrivateWebhooks}}
	m, err := c.mailer()
	if err != nil {
		return nil, err
	}
	if m == nil {
		log.Warn("no SMTP_HOST: reminder e-mails are not sent (webhooks and the worklist still work)")
		return acts, nil
	}
	acts.Mailer = m
	return acts, nil
}

func apiHandler(c config, st *store.Store, tc client.Client, verifier *auth.Verifier, log *slog.Logger) http.Handler {
	deps := api.Deps{Motions: &workflows.Client{Temporal: tc}, Auth: verifier, Store: st, Logger: log}
	if m, err := c.mailer(); err == nil && m != nil { // checked at start-up
		deps.Mailer = m
	}
	h, _ := api.New(api.Config{
		MaxBodyBytes:         c.maxBodyBytes,
		RequestTimeout:       c.requestTimeout,
		BaseURL:              c.baseURL,
		AllowPrivateWebhooks: c.allowPrivateWebhooks,
		Ready: func(ctx context.Context) error {
			if err := st.Ready(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
				return fmt.Errorf("temporal: %w", err)
			}
			return nil
		},
	}, deps)
	return h
}

// listenAndServe serves h until ctx ends, then drains in-flight requests.
func listenAndServe(ctx context.Context, log *slog.Logger, addr string, h http.Handler, grace time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return serveListener(ctx, log, ln, h, grace)
}

func serveListener(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("HTTP API listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	return srv.Shutdown(sctx)
}
