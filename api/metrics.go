package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Metric names of the HTTP API.
const (
	MetricRequests    = "motionflow_http_requests_total"
	MetricDuration    = "motionflow_http_request_duration_seconds"
	MetricTransitions = "motionflow_transitions_total"
)

// RouteOther is the route label of requests that no API operation served
// (unknown paths, the docs page): a fixed value keeps the label set small.
const RouteOther = "other"

// route is what the operation that serves a request tells the metrics
// middleware and the logs: its path pattern, the command it sends, the
// workflow it addresses.
type route struct {
	pattern    string
	command    motion.CommandName
	workflowID string
}

type routeKey struct{}

// httpMetrics are the collectors of Metrics.
type httpMetrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	transitions *prometheus.CounterVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRequests,
			Help: "HTTP requests by method, route (the operation's path pattern) and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricDuration,
			Help:    "Time to answer an HTTP request, by method and route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"method", "route"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricTransitions,
			Help: "Commands sent to motions, by command and result (ok, stale_version, illegal_transition, forbidden, invalid, not_found, …).",
		}, []string{"command", "result"}),
	}
	m.requests = register(reg, m.requests)
	m.duration = register(reg, m.duration)
	m.transitions = register(reg, m.transitions)
	return m
}

// register registers c, or returns the collector already registered under
// its name (a second Metrics on the same registry shares the counters).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

// Metrics returns middleware that counts every request by method, route and
// status, times it, and counts every command sent to a motion by command and
// result. It registers its collectors on reg. Wrap it around the handler of
// New; New's labelRoute middleware tells it which operation served a request.
func Metrics(reg prometheus.Registerer) func(http.Handler) http.Handler {
	m := newHTTPMetrics(reg)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rt := &route{}
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			pattern := rt.pattern
			if pattern == "" {
				pattern = RouteOther
			}
			m.requests.WithLabelValues(r.Method, pattern, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(r.Method, pattern).Observe(time.Since(start).Seconds())
			if rt.command != "" {
				m.transitions.WithLabelValues(string(rt.command), TransitionResult(status)).Inc()
			}
		})
	}
}

// labelRoute is huma middleware that records the operation serving the
// request for Metrics and the logs, and names the request's trace span after
// the operation ("POST /v1/motions/{id}/submit").
func labelRoute(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil {
		next(ctx)
		return
	}
	if rt, ok := ctx.Context().Value(routeKey{}).(*route); ok {
		rt.pattern = op.Path
		rt.command = commandOf(op)
		if strings.HasPrefix(op.Path, "/v1/motions/{id}") {
			if id := ctx.Param("id"); id != "" {
				rt.workflowID = workflows.WorkflowID(id)
			}
		}
	}
	if span := trace.SpanFromContext(ctx.Context()); span.IsRecording() {
		span.SetName(op.Method + " " + op.Path)
		span.SetAttributes(attribute.String("http.route", op.Path))
		if id := ctx.Param("id"); id != "" && strings.HasPrefix(op.Path, "/v1/motions/{id}") {
			span.SetAttributes(attribute.String("motionflow.workflow_id", workflows.WorkflowID(id)))
		}
	}
	next(ctx)
}

// commandOf is the command an operation sends, "" for other operations.
func commandOf(op *huma.Operation) motion.CommandName {
	if op.OperationID == "create-motion" {
		return motion.CmdCreate
	}
	rest, ok := strings.CutPrefix(op.OperationID, "motion-")
	if !ok {
		return ""
	}
	name := motion.CommandName(strings.ReplaceAll(rest, "-", "_"))
	if _, ok := motion.Table[name]; !ok {
		return ""
	}
	return name
}

// TransitionResult is the result label of a command answered with status.
func TransitionResult(status int) string {
	switch {
	case status < 300:
		return "ok"
	case status == http.StatusUnauthorized:
		return "unauthenticated"
	case status == http.StatusForbidden:
		return "forbidden"
	case status == http.StatusNotFound:
		return "not_found"
	case status == http.StatusConflict:
		return "illegal_transition"
	case status == http.StatusPreconditionFailed:
		return "stale_version"
	case status == http.StatusPreconditionRequired:
		return "version_required"
	case status == http.StatusUnprocessableEntity, status == http.StatusBadRequest, status == http.StatusRequestEntityTooLarge:
		return "invalid"
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status >= 500:
		return "error"
	}
	return "other"
}

// WorkflowID is the Temporal workflow id of the motion the request being
// served addresses ("motion/<id>"), "" for other requests or outside
// Metrics. The JSON logs carry it.
func WorkflowID(ctx context.Context) string {
	if rt, ok := ctx.Value(routeKey{}).(*route); ok {
		return rt.workflowID
	}
	return ""
}
