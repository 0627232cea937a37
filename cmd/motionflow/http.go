package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/session"
	"github.com/motionflow/motionflow/feeds"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/web"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/client"
)

// site is everything served on one address.
type site struct {
	cfg      config
	st       *store.Store
	tc       client.Client
	verifier *auth.Verifier
	log      *slog.Logger
	// login configures browser sessions; nil serves the pages read-only
	// (anonymous), without /login.
	login *session.Config
	// extra routes (dev: /dev/token, /dev/mail).
	extra map[string]http.Handler
}

// handler assembles the API (/v1, /docs, /openapi.json, /healthz, /readyz,
// iCalendar feeds), OParl (/oparl/), Atom feeds, browser login and the web
// pages (/), behind cross-origin protection for state-changing requests, the
// check of path and query values (guard) and rate limits per user and per
// address (429 with Retry-After).
func (s site) handler(ctx context.Context) (http.Handler, error) {
	apiH := apiHandler(s.cfg, s.st, s.tc, s.verifier, s.log)
	mux := http.NewServeMux()
	for _, p := range []string{"/v1/", "/docs", "/docs/", "/openapi.json", "/openapi.yaml", "/healthz", "/readyz", "/feeds/"} {
		mux.Handle(p, apiH)
	}
	mux.Handle(oparl.Prefix, oparl.New(oparl.Config{BaseURL: s.cfg.baseURL, MotionLink: s.motionLink()}, s.st))
	mux.Handle(feeds.Prefix, feeds.Handler(feeds.Config{BaseURL: s.cfg.baseURL, MotionLink: s.motionLink()}, s.st))
	for p, h := range s.extra {
		mux.Handle(p, h)
	}
	deps := web.Deps{Motions: &workflows.Client{Temporal: s.tc}, Store: s.st, Logger: s.log}
	var wrap func(http.Handler) http.Handler = func(h http.Handler) http.Handler { return h }
	if s.login != nil {
		m, err := session.New(ctx, *s.login, s.st)
		if err != nil {
			return nil, fmt.Errorf("browser login: %w", err)
		}
		m.Routes(mux)
		deps.LoginURL = m.LoginURL
		wrap = m.Middleware
	}
	pages := web.New(web.Config{BaseURL: s.cfg.baseURL}, deps)
	mux.Handle("/", pages)
	limits, err := s.cfg.rateLimit()
	if err != nil {
		return nil, err
	}
	limits.UserCookie = session.CookieName
	return api.RateLimit(limits)(guard(mux, pages)(session.Protect(wrap(mux)))), nil
}

// guard refuses a request with NUL or other control characters, invalid
// UTF-8 or overlong values in its path or query (problem.Check) before
// anything of the site reads it, the session middleware included. The web
// pages (the mux's "/") answer it with their error page, every other route
// (API, OParl, feeds, login) with problem+json. The API, OParl, the feeds and
// the pages check again on their own, for when they are served without this.
func guard(mux *http.ServeMux, pages http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return problem.Guard(next, func(w http.ResponseWriter, r *http.Request, p *problem.Problem) {
			if _, pattern := mux.Handler(r); pattern == "/" {
				pages.ServeHTTP(w, r)
				return
			}
			problem.Write(w, p)
		})
	}
}

// motionLink is where feeds and OParl link a motion: its web page.
func (s site) motionLink() string {
	if s.cfg.baseURL == "" {
		return ""
	}
	return s.cfg.baseURL + "/antraege/{id}"
}
