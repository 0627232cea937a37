package e2e

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"
)

// newTracedHarness is newHarness with the production instrumentation, as
// cmd/motionflow wires it: otelhttp around api.Metrics around the API, and
// the Temporal OpenTelemetry interceptor on the client (and so on the
// worker), all recording into tp and reg.
func newTracedHarness(t *testing.T, tp trace.TracerProvider, reg *prometheus.Registry) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	st := storetest.New(t)
	tracing, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: tp.Tracer("go.temporal.io/sdk")})
	if err != nil {
		t.Fatal(err)
	}
	ts := temporaltest.NewServer(temporaltest.WithT(t), temporaltest.WithBaseClientOptions(client.Options{
		Logger:       tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
		Interceptors: []interceptor.ClientInterceptor{tracing},
	}))
	tc := ts.GetDefaultClient()
	if _, err := tc.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ts.GetDefaultNamespace(), SearchAttributes: workflows.SearchAttributes,
	}); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	ts.NewWorker(workflows.TaskQueue, func(r worker.Registry) {
		workflows.Register(r, workflows.Options{})
		acts := &activities.Activities{Store: st}
		acts.Register(r)
		activities.NewMetrics(reg).Instrument(r, acts)
	})
	iss := authtest.NewIssuer(t)
	verifier, err := auth.NewVerifier(ctx, iss.Config())
	if err != nil {
		t.Fatal(err)
	}
	handler, _ := api.New(api.Config{RequestTimeout: time.Minute}, api.Deps{
		Motions: &workflows.Client{Temporal: tc}, Auth: verifier, Store: st,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	instrumented := otelhttp.NewHandler(api.Metrics(reg)(handler), "http",
		otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(propagation.TraceContext{}))
	srv := httptest.NewServer(instrumented)
	t.Cleanup(srv.Close)

	h := &harness{t: t, URL: srv.URL, Store: st, Issuer: iss, Temporal: tc, http: srv.Client()}
	h.SPD = h.user("spd-staff", "Sabine Beispiel (SPD)", motion.RoleFactionStaff, "faction:"+factionSPD)
	h.Office = h.user("ratsbuero", "Rita Ratsbüro", motion.RoleCouncilOffice)
	h.Admin = h.user("admin", "Ada Admin", motion.RoleAdmin)
	h.mustStatus(h.call("PUT", "/v1/bodies/"+bodyID, h.Admin, map[string]any{"name": "Stadt Mannheim"}), 200)
	h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/organizations", h.Office,
		map[string]any{"id": factionSPD, "kind": "faction", "name": "SPD-Gemeinderatsfraktion Mannheim"}), 201)
	return h
}

// TestTraceOfATransition follows one command through the system: the
// client's trace context enters the API, the Temporal client carries it in
// the update's header to the workflow's update handler, and the workflow
// carries it to the Project activity, so that one trace shows the HTTP
// request, the update and the activity. The metrics count the request and
// the transition.
func TestTraceOfATransition(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	reg := prometheus.NewRegistry()
	h := newTracedHarness(t, tp, reg)

	m := h.create(h.SPD, motion.KindMotion, map[string]any{
		"title": "Mehr Bänke am Rheinufer", "resolution_points": []string{"Die Verwaltung stellt zehn Bänke auf."},
	})
	// The caller's own trace: the API continues it.
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	h.mustStatus(h.command(h.SPD, m.ID, motion.CmdSubmit, m.Version, nil,
		"traceparent", "00-"+traceID+"-00f067aa0ba902b7-01"), 200)

	want := []string{"POST /v1/motions/{id}/submit", "UpdateWorkflow:submit", "HandleUpdate:submit", "StartActivity:Project", "RunActivity:Project"}
	var trail []sdktrace.ReadOnlySpan
	deadline := time.Now().Add(10 * time.Second)
	for {
		trail = nil
		for _, s := range spans.GetSpans().Snapshots() {
			if s.SpanContext().TraceID().String() == traceID {
				trail = append(trail, s)
			}
		}
		if hasAll(trail, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !hasAll(trail, want) {
		t.Fatalf("trace %s has spans %v, want at least %v", traceID, names(trail), want)
	}

	// The activity's span descends from the update handler's, which
	// descends from the client's update call, which descends from the
	// HTTP request's span.
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range trail {
		byID[s.SpanContext().SpanID()] = s
	}
	var chain []string
	for s := find(trail, "RunActivity:Project"); s != nil; s = byID[s.Parent().SpanID()] {
		chain = append(chain, s.Name())
	}
	for i, w := range []string{"RunActivity:Project", "StartActivity:Project", "HandleUpdate:submit", "UpdateWorkflow:submit", "POST /v1/motions/{id}/submit"} {
		if !contains(chain[i:], w) {
			t.Fatalf("the activity's ancestry %v lacks %s in order", chain, w)
		}
	}
	server := find(trail, "POST /v1/motions/{id}/submit")
	if server.SpanKind() != trace.SpanKindServer || server.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("the HTTP span is %v with parent %v, want a server span continuing the caller's", server.SpanKind(), server.Parent().SpanID())
	}
	for _, s := range trail {
		if strings.HasPrefix(s.Name(), "RunActivity:") || strings.HasPrefix(s.Name(), "HandleUpdate:") {
			if wid := attr(s, "temporalWorkflowID"); wid != workflows.WorkflowID(m.ID) {
				t.Errorf("%s names workflow %q, want %q", s.Name(), wid, workflows.WorkflowID(m.ID))
			}
		}
	}

	// The same request in the metrics; a stale If-Match counts as such.
	h.mustStatus(h.command(h.SPD, m.ID, motion.CmdWithdraw, m.Version, nil), 412)
	for _, c := range []struct {
		metric string
		labels []string
		want   float64
	}{
		{api.MetricTransitions, []string{"create", "ok"}, 1},
		{api.MetricTransitions, []string{"submit", "ok"}, 1},
		{api.MetricTransitions, []string{"withdraw", "stale_version"}, 1},
		{api.MetricRequests, []string{"POST", "/v1/motions/{id}/submit", "200"}, 1},
		{api.MetricRequests, []string{"POST", "/v1/motions/{id}/withdraw", "412"}, 1},
	} {
		if got := counterValue(t, reg, c.metric, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.metric, c.labels, got, c.want)
		}
	}
	if n := seriesCount(t, reg, api.MetricDuration); n == 0 {
		t.Errorf("no %s series", api.MetricDuration)
	}
	if n := seriesCount(t, reg, activities.MetricReminders); n != 2 {
		t.Errorf("%s has %d series, want sent and skipped", activities.MetricReminders, n)
	}
}

func hasAll(spans []sdktrace.ReadOnlySpan, want []string) bool {
	for _, w := range want {
		if find(spans, w) == nil {
			return false
		}
	}
	return true
}

func find(spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	for _, s := range spans {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, a := range s.Attributes() {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}

// seriesCount is the number of series of a metric in reg.
func seriesCount(t *testing.T, reg *prometheus.Registry, name string) int {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}

// counterValue reads one series of a counter from reg (0 when absent).
func counterValue(t *testing.T, reg *prometheus.Registry, name string, labels []string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var values []string
			for _, l := range m.GetLabel() {
				values = append(values, l.GetValue())
			}
			// Labels come sorted by name: command<result, method<route<status.
			if strings.Join(values, "\x00") == strings.Join(labels, "\x00") {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
