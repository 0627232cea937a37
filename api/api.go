// Package api is motionflow's HTTP interface: huma operations on net/http's
// ServeMux, the middleware around them, and the mapping of domain refusals to
// RFC 9457 problem details.
//
// Guarantees:
//   - Every error, including 404 for unknown paths' operations, 413, 401 and a
//     recovered panic, is an application/problem+json body (package problem)
//     in German, huma's own validation included; validation and domain
//     refusals name the offending field as "body.<field>" and never send the
//     rejected value back.
//   - NUL, control characters, invalid UTF-8 and overlong values in the path
//     (404) or query (400), and a body that is not UTF-8 (422), are refused
//     before any handler: bad input never reaches PostgreSQL as a 500.
//   - Answers are nosniff; what a caller with credentials (a token or a
//     cookie) reads is Cache-Control: no-store.
//   - Reads work anonymously and show only public records; what a caller may
//     not see is answered 404, never 403, in single reads, history and lists.
//   - Commands need a bearer token and If-Match: "<version>" ("*" and lists
//     of entity tags as RFC 9110 defines them; a weak tag never matches). The API never
//     decides a transition itself: the motion's workflow validates the command
//     against the version atomically, so two concurrent commands with the same
//     If-Match give one 200 and one 412.
//   - A command carrying an Idempotency-Key applies at most once; a create with
//     one always addresses the same motion (its id is derived from the caller
//     and the key).
//   - /openapi.json (OpenAPI 3.1) documents every operation with its errors,
//     and /docs renders it with assets served from the binary: no CDN.
//
// The API talks to Temporal only through the workflows.Motions interface
// (implemented by *workflows.Client) and reads everything else from the PostgreSQL read model
// (Store, implemented by *store.Store).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/workflows"
)

// Auth verifies a bearer token and names the caller; *auth.Verifier is one.
type Auth interface {
	Verify(ctx context.Context, rawToken string) (motion.Actor, error)
}

// Deps are the services the API uses.
type Deps struct {
	Motions workflows.Motions
	Auth    Auth
	Store   Store
	// Mailer sends the confirmation mail of a watch's e-mail address (see
	// watch-motion); nil sends none, and such addresses stay unconfirmed.
	Mailer Mailer
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
	// AllowPrivateWebhooks accepts webhook targets on loopback, private and
	// link-local addresses (tests, receivers inside the cluster). Off: such
	// targets are refused (see notify.CheckWebhookTarget).
	AllowPrivateWebhooks bool
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
	motions workflows.Motions
	auth    Auth
	store   Store
	mailer  Mailer
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
	s := &server{cfg: cfg, motions: withAmendments(deps.Motions, deps.Store), auth: deps.Auth, store: deps.Store, mailer: deps.Mailer, log: log,
		commands: map[motion.CommandName]bool{}}

	mux := http.NewServeMux()
	hc := huma.DefaultConfig(Title, cfg.Version)
	// A JSON body must be UTF-8 (RFC 8259, 8.1): encoding/json would replace
	// bad bytes by U+FFFD, and a command would store something else than was
	// sent. Checked where huma parses the body, which it reads itself (a
	// middleware reading it first made the server cancel requests that
	// waited for an update; make faults).
	for name, f := range hc.Formats {
		if strings.Contains(name, "json") {
			unmarshal := f.Unmarshal
			f.Unmarshal = func(data []byte, v any) error {
				if !utf8.Valid(data) {
					return errNotUTF8
				}
				return unmarshal(data, v)
			}
			hc.Formats[name] = f
		}
	}
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
	s.registerAmendments(a)
	s.registerDocuments(a)
	s.registerCommands(a)
	s.registerDeadlines(a)
	s.registerWorklist(a)
	s.registerWatches(a)
	s.registerFeeds(a)
	s.registerTargets(a)
	s.registerStatistics(a)
	s.registerExports(a)
	s.registerNotices(a)
	s.registerNotes(a)
	s.registerBudget(a)
	s.registerPapers(a)
	registerDocs(mux)
	mux.Handle("/", notFoundHandler(mux))

	var h http.Handler = mux
	h = s.limitBody(h)
	h = s.timeout(h)
	h = s.recoverPanics(h)
	h = problem.Guard(h, nil)
	h = securityHeaders(h)
	h = s.accessLog(h)
	h = requestID(h)
	return h, a
}
