package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
)

type ctxKey int

const (
	keyActor ctxKey = iota
	keyRequest
)

// request is what the outer middleware learns about a request and the inner
// layers add to, for the access log.
type request struct {
	id      string
	subject string
	url     *url.URL
	// host and tls are where the request was sent, for absolute URLs when
	// Config.BaseURL is not set.
	host string
	tls  bool
}

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

// requestID takes a sane X-Request-Id from the client or makes one, and
// echoes it in the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !saneID(id) {
			id = uuid.Must(uuid.NewV7()).String()
		}
		w.Header().Set(RequestIDHeader, id)
		ctx := context.WithValue(r.Context(), keyRequest, &request{id: id, url: r.URL, host: r.Host, tls: r.TLS != nil})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// saneID accepts 1 to 200 printable ASCII characters.
func saneID(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestOf returns the request record, never nil.
func requestOf(ctx context.Context) *request {
	if r, ok := ctx.Value(keyRequest).(*request); ok {
		return r
	}
	return &request{}
}

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string { return requestOf(ctx).id }

// Caller returns the caller the authentication middleware put into ctx: the
// zero Actor (anonymous) if none.
func Caller(ctx context.Context) motion.Actor {
	a, _ := ctx.Value(keyActor).(motion.Actor)
	return a
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog writes one JSON line per request.
func (s *server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		rec := requestOf(r.Context())
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "http request",
			slog.String("request_id", rec.id),
			slog.String("method", r.Method),
			slog.String("path", logPath(r.URL.Path)),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("subject", rec.subject),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// logPath is the path as the access log shows it: a feed's token is a secret
// and is left out.
func logPath(p string) string {
	if strings.HasPrefix(p, feedPathPrefix) {
		return feedPathPrefix + "…"
	}
	return p
}

// recoverPanics turns a panic into a 500 problem and logs the stack.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", slog.String("request_id", RequestID(r.Context())),
				slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
			if sw.status == 0 {
				problem.Write(w, problem.New(http.StatusInternalServerError, problem.DetailInternal))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// timeout bounds the request's context.
func (s *server) timeout(next http.Handler) http.Handler {
	if s.cfg.RequestTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// limitBody refuses a declared oversized body at once and caps any body at
// the limit (huma answers 413 for an operation's body beyond it).
func (s *server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.MaxBodyBytes {
			problem.Write(w, problem.New(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("Der Inhalt der Anfrage ist zu groß (höchstens %d Bytes).", s.cfg.MaxBodyBytes)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// notUTF8 refuses a JSON body that is not valid UTF-8. Its text is the
// German sentence a caller reads, so it is a type of its own rather than an
// errors.New (Go's error-string style is for wrapped, lower-case messages).
type notUTF8 struct{}

func (notUTF8) Error() string { return "Der Inhalt der Anfrage ist kein gültiges UTF-8." }

var errNotUTF8 error = notUTF8{}

// securityHeaders marks every answer nosniff and keeps what a caller with
// credentials reads out of shared and browser caches: a request with an
// Authorization header or a cookie (the web pages' session) is answered with
// Cache-Control: no-store unless the operation says otherwise. Anonymous
// reads keep their caching.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate turns a bearer token into the caller. Without an
// Authorization header the caller is anonymous; a bad token is 401 even where
// none is needed, so that a client notices its expired token. Operations that
// declare a mandatory security requirement refuse anonymous callers.
func (s *server) authenticate(ctx huma.Context, next func(huma.Context)) {
	var actor motion.Actor
	if tokenIgnored(ctx.Operation()) {
		next(huma.WithValue(ctx, keyActor, actor))
		return
	}
	if h := ctx.Header("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.unauthorized(ctx, `Bearer realm="motionflow", error="invalid_request"`, "Erwartet wird „Authorization: Bearer <Token>“.")
			return
		}
		a, err := s.auth.Verify(ctx.Context(), token)
		if err != nil || a.Anonymous() {
			s.log.InfoContext(ctx.Context(), "token refused", slog.String("request_id", RequestID(ctx.Context())), slog.Any("error", err))
			s.unauthorized(ctx, `Bearer realm="motionflow", error="invalid_token"`, "Das Token ist ungültig oder abgelaufen.")
			return
		}
		actor = a
		requestOf(ctx.Context()).subject = a.Subject
	}
	if actor.Anonymous() && tokenRequired(ctx.Operation()) {
		s.unauthorized(ctx, `Bearer realm="motionflow"`, "Bitte melden Sie sich an.")
		return
	}
	next(huma.WithValue(ctx, keyActor, actor))
}

func (s *server) unauthorized(ctx huma.Context, challenge, detail string) {
	ctx.SetHeader("WWW-Authenticate", challenge)
	_ = huma.WriteErr(s.api, ctx, http.StatusUnauthorized, detail)
}

// tokenRequired reports whether op declares security without an anonymous
// alternative (an empty requirement).
func tokenRequired(op *huma.Operation) bool {
	if op == nil || len(op.Security) == 0 {
		return false
	}
	for _, req := range op.Security {
		if len(req) == 0 {
			return false
		}
	}
	return true
}

// tokenIgnored reports whether op declares noToken: it serves anonymous
// callers only and does not look at an Authorization header, which some
// calendar clients send on their own.
func tokenIgnored(op *huma.Operation) bool {
	return op != nil && len(op.Security) == 1 && len(op.Security[0]) == 0
}

// notFound answers what no route matches with a problem: 405 with Allow when
// the path exists for other methods, else 404. It is the mux's "/" route.
func notFoundHandler(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, pattern := mux.Handler(r2); pattern != "" && pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			problem.Write(w, problem.New(http.StatusMethodNotAllowed, "Methode nicht erlaubt.").WithHeader("Allow", strings.Join(allow, ", ")))
			return
		}
		problem.Write(w, problem.New(http.StatusNotFound, problem.DetailNotFound))
	})
}
