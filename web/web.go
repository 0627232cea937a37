// Package web is motionflow's web application for faction staff, the council
// office and the public: server-rendered HTML pages in German, built with
// html/template from templates and CSS embedded in the binary (no build step,
// a little progressive-enhancement JavaScript).
//
// Guarantees:
//   - The pages never decide a transition themselves. Every action is a POST
//     form that carries the motion's version (If-Match) and an idempotency key
//     and runs through the motion's workflow (Motions), which decides
//     atomically; a double-clicked button applies once. Nothing changes on GET.
//   - A refused action re-renders its form with everything the user typed and
//     the domain's German messages (motion.Error) next to the inputs they
//     concern, the same messages the HTTP API answers with.
//   - Only the actions motion.Allowed grants the caller are offered.
//   - Visibility is the domain's: what the caller may not see (another
//     faction's draft, its attachments) is "nicht gefunden" (404), exactly
//     like something that does not exist.
//   - Attachments are PDF or office documents (checked by their content, not
//     their name), at most Config.MaxUploadBytes each, stored with their
//     SHA-256 and served as downloads with nosniff and a sandboxing CSP.
//   - Cross-origin POSTs are refused (http.CrossOriginProtection), and every
//     page is sent with a strict Content-Security-Policy.
//
// The caller comes from the request context (auth.ActorFrom), where the
// session middleware (package auth/session) puts it; anonymous visitors see
// what is public. Dates and numbers are written the German way in the
// configured time zone (Europe/Berlin).
package web

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// Store is the part of the read model the pages use; *store.Store is one.
type Store interface {
	UpsertBody(ctx context.Context, b store.Body) (store.Body, error)
	Body(ctx context.Context, id string) (store.Body, error)
	Bodies(ctx context.Context, ids []string) ([]store.Body, error)

	CreateOrganization(ctx context.Context, o store.Organization) (store.Organization, error)
	Organization(ctx context.Context, id string) (store.Organization, error)
	Organizations(ctx context.Context, bodyID string, kind store.OrgKind) ([]store.Organization, error)

	CreateMeeting(ctx context.Context, m store.Meeting) (store.Meeting, error)
	UpdateMeeting(ctx context.Context, m store.Meeting) (store.Meeting, error)
	Meeting(ctx context.Context, id string) (store.Meeting, error)
	Meetings(ctx context.Context, f store.MeetingFilter) ([]store.Meeting, string, error)
	Agenda(ctx context.Context, meetingID string) ([]store.AgendaItem, error)
	MeetingDependents(ctx context.Context, m store.Meeting) ([]string, error)
	CheckReferences(ctx context.Context, m *motion.Motion, cmd motion.Command, viewer motion.Actor, version int64) error
	WithMeetingStart(ctx context.Context, m *motion.Motion, cmd motion.Command) (motion.Command, error)
	meetingProcessStore
	CheckGremium(ctx context.Context, bodyID, orgID, field string) error

	Motion(ctx context.Context, id string) (motion.Motion, error)
	Motions(ctx context.Context, f store.MotionFilter) ([]motion.Motion, string, error)
	Search(ctx context.Context, f store.MotionFilter) ([]store.Hit, string, error)
	MotionByReference(ctx context.Context, bodyID, reference string) (motion.Motion, error)
	History(ctx context.Context, motionID string) ([]motion.Event, error)

	Deadlines(ctx context.Context, f store.DeadlineFilter) ([]store.MotionDeadline, string, error)

	AddAttachment(ctx context.Context, a store.Attachment, data []byte) (store.Attachment, error)
	Attachment(ctx context.Context, id string) (store.Attachment, error)
	AttachmentContent(ctx context.Context, id string) (store.Attachment, []byte, error)

	ConfirmWatchAddress(ctx context.Context, token string) (subject, email string, err error)
	noticeStore
	noteStore
	amendmentStore

	Statistics(ctx context.Context, f store.StatisticsFilter) (store.Statistics, error)
	DisplayNames(ctx context.Context, bodyID string, orgIDs []string) (body string, orgs map[string]string, err error)
}

var _ Store = (*store.Store)(nil)

// Deps are the services the pages use.
type Deps struct {
	Motions workflows.Motions
	Store   Store
	// LoginURL is where "Anmelden" leads, returning to next afterwards
	// ((*session.Manager).LoginURL). Nil: "/login?next=<next>".
	LoginURL func(next string) string
	// Logger receives unexpected errors; nil discards them.
	Logger *slog.Logger
}

// Config tunes the pages. The zero value is usable.
type Config struct {
	// BaseURL is the public base URL ("https://rat.example"); attachment
	// links stored in motions start with it. Empty: taken from each request.
	BaseURL string
	// TimeZone is where dates are shown (default Europe/Berlin).
	TimeZone string
	// MaxUploadBytes limits one attachment (default 10 MiB).
	MaxUploadBytes int64
	// SiteName is shown in the header (default "motionflow – Anträge und Sitzungen").
	SiteName string
	// LogoutPath is the form action of "Abmelden" (default "/logout").
	LogoutPath string
}

// DefaultMaxUploadBytes is the attachment limit when Config.MaxUploadBytes is 0.
const DefaultMaxUploadBytes = 10 << 20

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// server holds what the handlers share.
type server struct {
	cfg     Config
	motions workflows.Motions
	store   Store
	login   func(string) string
	log     *slog.Logger
	loc     *time.Location
	pages   map[string]*pageTemplate
}

// New builds the web application's handler. Mount it at "/" next to the API
// (/v1, /docs, /openapi.json, /healthz), inside the session middleware.
func New(cfg Config, deps Deps) http.Handler {
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = motion.Berlin.String()
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "motionflow – Anträge und Sitzungen"
	}
	if cfg.LogoutPath == "" {
		cfg.LogoutPath = "/logout"
	}
	loc, err := motion.LoadLocation(cfg.TimeZone)
	if err != nil {
		panic(fmt.Sprintf("web: time zone %q: %v", cfg.TimeZone, err))
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	login := deps.LoginURL
	if login == nil {
		login = defaultLoginURL
	}
	s := &server{cfg: cfg, motions: withAmendments(deps.Motions, deps.Store), store: deps.Store, login: login, log: log, loc: loc}
	s.pages = s.parseTemplates()

	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", cacheStatic(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.Handle("GET /favicon.ico", cacheStatic(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "favicon.ico")
	})))

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /antraege", s.listMotions)
	mux.HandleFunc("GET /antraege/neu", s.newMotion)
	mux.HandleFunc("POST /antraege/neu", s.createMotion)
	mux.HandleFunc("GET "+submissionPath, s.newSubmission)
	mux.HandleFunc("POST "+submissionPath, s.enterSubmission)
	mux.HandleFunc("GET /antraege/{id}", s.showMotion)
	mux.HandleFunc("GET /antraege/{id}/bearbeiten", s.editMotion)
	mux.HandleFunc("POST /antraege/{id}/bearbeiten", s.saveMotion)
	mux.HandleFunc("GET /antraege/{id}/druck", s.printMotion)
	mux.HandleFunc("GET /antraege/{id}/aendern", s.showAmendForm)
	mux.HandleFunc("POST /antraege/{id}/aendern", s.createAmendment)
	mux.HandleFunc("GET /antraege/{id}/pdf", s.motionPDF)
	mux.HandleFunc("POST /antraege/{id}/aktionen/{cmd}", s.action)
	mux.HandleFunc("POST /antraege/{id}/notizen", s.addNote)
	mux.HandleFunc("POST /antraege/{id}/notizen/{note}", s.moderateNote)
	mux.HandleFunc("GET /anhaenge/{id}", s.attachment)
	mux.HandleFunc("GET /sitzungen", s.listMeetings)
	mux.HandleFunc("POST /sitzungen", s.createMeeting)
	mux.HandleFunc("GET /sitzungen/{id}", s.showMeeting)
	mux.HandleFunc("POST /sitzungen/{id}", s.updateMeeting)
	mux.HandleFunc("GET /sitzungen/{id}/sitzung", s.showSession)
	mux.HandleFunc("POST /sitzungen/{id}/sitzung", s.sessionAction)
	mux.HandleFunc("GET /sitzungen/{id}/live", s.showLive)
	mux.HandleFunc("GET /sitzungen/{id}/live/events", s.liveEvents)
	mux.HandleFunc("GET /statistik", s.statistics)
	mux.HandleFunc("GET /beschlusskontrolle", s.implementationReport)
	mux.HandleFunc("GET "+budgetPath, s.budgetCycles)
	mux.HandleFunc("POST "+budgetPath, s.createBudgetCycle)
	mux.HandleFunc("GET "+budgetPath+"/{id}", s.budgetList)
	mux.HandleFunc("GET "+noticesPath, s.showNotices)
	mux.HandleFunc("POST "+noticesRead, s.markNoticesRead)
	mux.HandleFunc("POST "+noticesFollow, s.follow)
	mux.HandleFunc("GET /gremien", s.listOrganizations)
	mux.HandleFunc("POST /gremien", s.createOrganization)
	mux.HandleFunc("POST /gremien/koerperschaft", s.saveBody)
	mux.HandleFunc("GET "+notify.WatchConfirmationPath, s.confirmWatchForm)
	mux.HandleFunc("POST "+notify.WatchConfirmationPath, s.confirmWatch)
	mux.HandleFunc("/", s.notFound)

	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = problem.Guard(h, s.problemPage)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	return h
}

func defaultLoginURL(next string) string { return "/login?next=" + urlQueryEscape(next) }

// securityHeaders sets the headers every page carries: a strict CSP (no
// inline script or style, nothing from elsewhere), no framing, nosniff. The
// CSP leaves form-action open: "Abmelden" posts to /logout, which redirects
// to the identity provider's end-session endpoint (RP-initiated logout), and
// Chromium applies form-action to that redirect.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics answers a panic with the German error page and logs it.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "web: panic", slog.String("path", r.URL.Path),
				slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
			s.errorPage(w, r, http.StatusInternalServerError, "Interner Fehler", "Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es erneut.")
		}()
		next.ServeHTTP(w, r)
	})
}
