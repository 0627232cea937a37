// Package api is motionflow's HTTP interface: huma operations on net/http's
// ServeMux, the middleware around them, and the mapping of domain refusals to
// RFC 9457 problem details.
//
// Guarantees:
//   - Every error, including 404 for unknown paths' operations, 413, 401 and a
//     recovered panic, is an application/problem+json body; validation and
//     domain refusals name the offending field as "body.<field>".
//   - Reads work anonymously and show only public records; what a caller may
//     not see is answered 404, never 403, in single reads, history and lists.
//   - Commands need a bearer token and If-Match: "<version>". The API never
//     decides a transition itself: the motion's workflow validates the command
//     against the version atomically, so two concurrent commands with the same
//     If-Match give one 200 and one 412.
//   - A command carrying an Idempotency-Key applies at most once; a create with
//     one always addresses the same motion (its id is derived from the caller
//     and the key).
//   - /openapi.json (OpenAPI 3.1) documents every operation with its errors,
//     and /docs renders it with assets served from the binary: no CDN.
//
// The API talks to Temporal only through the Motions interface (implemented by
// *workflows.Client) and reads everything else from the PostgreSQL read model
// (Store, implemented by *store.Store).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
)

// Motions runs commands on motions and reads a motion's current state; it is
// what *workflows.Client offers. Refusals are *motion.Error values.
type Motions interface {
	Create(ctx context.Context, motionID string, cmd motion.Create, meta workflows.Meta) (motion.Motion, error)
	Send(ctx context.Context, motionID string, cmd motion.Command, meta workflows.Meta) (motion.Motion, error)
	State(ctx context.Context, motionID string) (motion.Motion, error)
	// CalendarChanged tells motions that a meeting they depend on changed.
	CalendarChanged(ctx context.Context, motionIDs ...string) error
}

// Auth verifies a bearer token and names the caller; *auth.Verifier is one.
type Auth interface {
	Verify(ctx context.Context, rawToken string) (motion.Actor, error)
}

// Deps are the services the API uses.
type Deps struct {
	Motions Motions
	Auth    Auth
	Store   Store
	// Logger receives the access log and unexpected errors; nil discards them.
	Logger *slog.Logger
}

// Config tunes the HTTP layer. The zero value is usable.
type Config struct {
	// MaxBodyBytes limits a request body; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int64
	// RequestTimeout bounds the handling of one request (0: no limit).
	RequestTimeout time.Duration
	// Ready reports whether the dependencies (database, Temporal) are
	// reachable; /readyz answers 503 while it returns an error. Nil: always ready.
	Ready func(ctx context.Context) error
	// Version is the API version shown in the OpenAPI document.
	Version string
	// BaseURL is the API's public base URL ("https://rat.example"): feed URLs
	// and the links in feeds start with it. Empty: taken from each request's
	// Host (http unless the connection is TLS), which is wrong behind a
	// TLS-terminating proxy, so set it in production.
	BaseURL string
	// MotionLink is where links to a motion in feeds point: a template with
	// "{id}" ("https://rat.example/antraege/{id}"), as for the reminder
	// e-mails. Empty: <BaseURL>/v1/motions/<id>.
	MotionLink string
}

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 1 << 20

// Title is the OpenAPI document's title.
const Title = "motionflow API"

// securityScheme is the name of the bearer token scheme in the OpenAPI document.
const securityScheme = "bearer"

var (
	// requireToken marks an operation that needs a bearer token.
	requireToken = []map[string][]string{{securityScheme: {}}}
	// optionalToken marks a read that works anonymously and shows more to a
	// caller with a token.
	optionalToken = []map[string][]string{{}, {securityScheme: {}}}
	// noToken marks an operation that ignores any token: what it serves is
	// selected by a secret in its URL (the iCalendar feeds).
	noToken = []map[string][]string{{}}
)

// server holds what the handlers share.
type server struct {
	cfg     Config
	motions Motions
	auth    Auth
	store   Store
	log     *slog.Logger
	api     huma.API
	// commands records the commands that have an endpoint.
	commands map[motion.CommandName]bool
}

// New builds the HTTP handler with all operations and middleware, and returns
// the huma API too (for tests and for adding operations).
func New(cfg Config, deps Deps) (http.Handler, huma.API) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Version == "" {
		cfg.Version = "1.0.0"
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{cfg: cfg, motions: deps.Motions, auth: deps.Auth, store: deps.Store, log: log,
		commands: map[motion.CommandName]bool{}}

	mux := http.NewServeMux()
	hc := huma.DefaultConfig(Title, cfg.Version)
	hc.Info.Description = "Council motions (Anträge) from the faction's draft to the outcome. " +
		"Errors are RFC 9457 problem details. Commands need a bearer token and `If-Match: \"<version>\"`; " +
		"an `Idempotency-Key` makes a retry safe."
	hc.DocsPath = ""    // our own offline page, see docs.go
	hc.SchemasPath = "" // schemas are in the document's components
	hc.CreateHooks = nil
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		securityScheme: {Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "An OpenID Connect access or ID token of the configured issuer."},
	}
	hc.OnAddOperation = append(hc.OnAddOperation, func(_ *huma.OpenAPI, op *huma.Operation) {
		// huma refuses a body of exactly MaxBodyBytes; allow up to the limit.
		op.MaxBodyBytes = cfg.MaxBodyBytes + 1
	})
	a := humago.New(mux, hc)
	s.api = a
	a.UseMiddleware(s.authenticate)
	a.UseMiddleware(labelRoute)

	s.registerHealth(a)
	s.registerBodies(a)
	s.registerOrganizations(a)
	s.registerMeetings(a)
	s.registerMotions(a)
	s.registerCommands(a)
	s.registerDeadlines(a)
	s.registerWorklist(a)
	s.registerWatches(a)
	s.registerFeeds(a)
	s.registerTargets(a)
	registerDocs(mux)
	mux.Handle("/", notFoundHandler(mux))

	var h http.Handler = mux
	h = s.limitBody(h)
	h = s.timeout(h)
	h = s.recoverPanics(h)
	h = s.accessLog(h)
	h = requestID(h)
	return h, a
}
