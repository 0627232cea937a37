package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/api"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// opsConfig is what serve and worker need beyond config to run in
// production: how to reach a Temporal cluster with TLS or an API key, and
// where to expose metrics. The Temporal variables are the ones the temporal
// CLI reads, so that one Secret serves both.
type opsConfig struct {
	service     string
	metricsAddr string
	temporalTLS temporalTLS
	// apiKey is TEMPORAL_API_KEY (Temporal Cloud); never a flag, it would
	// show in the process list.
	apiKey string
}

// temporalTLS configures the connection to an mTLS Temporal cluster or to
// Temporal Cloud.
type temporalTLS struct {
	enabled    bool
	certPath   string
	keyPath    string
	caPath     string
	serverName string
	insecure   bool
}

// bindOps declares the operations flags of serve or worker on fs; service
// names the process in traces (OTEL_SERVICE_NAME overrides it).
func bindOps(fs *flag.FlagSet, service string) *opsConfig {
	o := bindTemporal(fs, service)
	fs.StringVar(&o.metricsAddr, "metrics-addr", env("MOTIONFLOW_METRICS_ADDR", ""),
		"listen address of /metrics, /healthz and /readyz for Prometheus and probes, e.g. :9090; empty: none (MOTIONFLOW_METRICS_ADDR)")
	return o
}

// bindTemporal declares only the flags of the connection to Temporal (TLS,
// API key): for commands that serve no metrics, such as readmodel.
func bindTemporal(fs *flag.FlagSet, service string) *opsConfig {
	o := &opsConfig{service: service, apiKey: os.Getenv("TEMPORAL_API_KEY")}
	fs.BoolVar(&o.temporalTLS.enabled, "temporal-tls", envBool("TEMPORAL_TLS"),
		"connect to Temporal with TLS (implied by a client certificate or an API key) (TEMPORAL_TLS)")
	fs.StringVar(&o.temporalTLS.certPath, "temporal-tls-cert", env("TEMPORAL_TLS_CLIENT_CERT_PATH", ""),
		"PEM client certificate for mTLS, re-read on every connection so that a rotated certificate is used (TEMPORAL_TLS_CLIENT_CERT_PATH)")
	fs.StringVar(&o.temporalTLS.keyPath, "temporal-tls-key", env("TEMPORAL_TLS_CLIENT_KEY_PATH", ""),
		"PEM private key of the client certificate (TEMPORAL_TLS_CLIENT_KEY_PATH)")
	fs.StringVar(&o.temporalTLS.caPath, "temporal-tls-ca", env("TEMPORAL_TLS_SERVER_CA_CERT_PATH", ""),
		"PEM CA certificate(s) that sign the Temporal frontend's certificate; empty: the system roots (TEMPORAL_TLS_SERVER_CA_CERT_PATH)")
	fs.StringVar(&o.temporalTLS.serverName, "temporal-tls-server-name", env("TEMPORAL_TLS_SERVER_NAME", ""),
		"server name to verify in the frontend's certificate; empty: the host of TEMPORAL_ADDRESS (TEMPORAL_TLS_SERVER_NAME)")
	fs.BoolVar(&o.temporalTLS.insecure, "temporal-tls-disable-host-verification", envBool("TEMPORAL_TLS_DISABLE_HOST_VERIFICATION"),
		"do not verify the frontend's certificate: for tests only (TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)")
	return o
}

func envBool(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}

// telemetry is a process's metrics registry, tracer and meter providers,
// and the optional listener that serves /metrics.
type telemetry struct {
	o *opsConfig
	// Registry holds motionflow's metrics, the Go runtime's and the Temporal SDK's.
	Registry *prometheus.Registry
	Tracer   trace.TracerProvider
	meters   *sdkmetric.MeterProvider
	tracer   *sdktrace.TracerProvider
	ready    atomic.Bool
	stop     func()
}

// start sets up metrics and tracing and, when -metrics-addr is set, serves
// /metrics, /healthz and /readyz there until ctx ends. Traces are exported
// with OTLP/gRPC when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; otherwise spans only carry
// trace ids into the logs. Call shutdown when the process ends.
func (o *opsConfig) start(ctx context.Context, log *slog.Logger) (*telemetry, error) {
	t := &telemetry{o: o, Registry: prometheus.NewRegistry()}
	t.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	exp, err := otelprom.New(otelprom.WithRegisterer(t.Registry), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	t.meters = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))

	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the service name.
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", o.service)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		exporter, err := otlptracegrpc.New(ctx) // configured by the OTEL_EXPORTER_OTLP_* variables
		if err != nil {
			return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exporter))
		log.Info("exporting traces with OTLP")
	}
	t.tracer = sdktrace.NewTracerProvider(opts...)
	t.Tracer = t.tracer
	otel.SetTracerProvider(t.tracer)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))

	t.stop = func() {}
	if o.metricsAddr != "" {
		ln, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			return nil, fmt.Errorf("metrics listener on %s: %w (set MOTIONFLOW_METRICS_ADDR)", o.metricsAddr, err)
		}
		srv := &http.Server{Handler: t.opsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		t.stop = func() { _ = srv.Close() }
		log.Info("metrics listening", "addr", ln.Addr().String())
	}
	return t, nil
}

// opsHandler serves /metrics, and /healthz and /readyz for probes of a
// process without an API (the worker): ready once setReady was called.
func (t *telemetry) opsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(t.Registry, promhttp.HandlerOpts{Registry: t.Registry}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !t.ready.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	return mux
}

// setReady makes the ops listener's /readyz answer 200.
func (t *telemetry) setReady() { t.ready.Store(true) }

// shutdown flushes the traces and stops the metrics listener.
func (t *telemetry) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = t.tracer.Shutdown(ctx)
	_ = t.meters.Shutdown(ctx)
	t.stop()
}

// dialTemporal connects to Temporal like the package-level dialTemporal,
// with TLS or an API key as configured, the OpenTelemetry tracing
// interceptor (which workers created from the client use too) and the SDK's
// metrics in the registry.
func (t *telemetry) dialTemporal(ctx context.Context, log *slog.Logger, hostPort, namespace string) (client.Client, error) {
	tracing, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: t.Tracer.Tracer("go.temporal.io/sdk")})
	if err != nil {
		return nil, fmt.Errorf("temporal tracing: %w", err)
	}
	opts := client.Options{
		HostPort:       hostPort,
		Namespace:      namespace,
		Logger:         tlog.NewStructuredLogger(log.With("component", "temporal-sdk")),
		Interceptors:   []interceptor.ClientInterceptor{tracing},
		MetricsHandler: temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{Meter: t.meters.Meter("temporal-sdk-go")}),
	}
	cfg, err := t.o.temporalTLS.config(hostPort, t.o.apiKey != "")
	if err != nil {
		return nil, err
	}
	opts.ConnectionOptions.TLS = cfg
	if t.o.apiKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(t.o.apiKey)
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w (check TEMPORAL_ADDRESS and the TEMPORAL_TLS_* / TEMPORAL_API_KEY settings)", hostPort, err)
	}
	return tc, nil
}

// config builds the TLS configuration, or nil for a plain connection.
func (c temporalTLS) config(hostPort string, apiKey bool) (*tls.Config, error) {
	if !c.enabled && !apiKey && c.certPath == "" && c.caPath == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.serverName, InsecureSkipVerify: c.insecure} //nolint:gosec // opt-in for tests
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(hostPort); err == nil {
			cfg.ServerName = host
		}
	}
	if c.caPath != "" {
		pem, err := os.ReadFile(c.caPath)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_SERVER_CA_CERT_PATH: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_SERVER_CA_CERT_PATH: no PEM certificate in %s", c.caPath)
		}
		cfg.RootCAs = pool
	}
	if (c.certPath == "") != (c.keyPath == "") {
		return nil, errors.New("TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together")
	}
	if c.certPath != "" {
		// Load once now, so that a wrong path fails at start, then on every
		// handshake, so that a rotated certificate (cert-manager) is used.
		if _, err := tls.LoadX509KeyPair(c.certPath, c.keyPath); err != nil {
			return nil, fmt.Errorf("temporal client certificate: %w", err)
		}
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			cert, err := tls.LoadX509KeyPair(c.certPath, c.keyPath)
			return &cert, err
		}
	}
	return cfg, nil
}

// instrumentHTTP wraps the API handler: a server span per request (whose
// context the Temporal client carries into the workflow and its
// activities), then request and transition metrics.
func (t *telemetry) instrumentHTTP(h http.Handler) http.Handler {
	h = api.Metrics(t.Registry)(h)
	return otelhttp.NewHandler(h, "http", otelhttp.WithTracerProvider(t.Tracer),
		otelhttp.WithPropagators(otel.GetTextMapPropagator()))
}

// instrumentActivities counts reminders and digests: call it after the
// activities are registered on w, before w starts.
func (t *telemetry) instrumentActivities(w worker.Registry, acts *activities.Activities) {
	activities.NewMetrics(t.Registry).Instrument(w, acts)
}

// attempts watches every activity attempt of the worker: failures are logged
// with the motion and counted in the registry (activities.Attempts).
func (t *telemetry) attempts() *activities.Attempts {
	return activities.NewAttempts(t.Registry)
}

// newLogger is the process's JSON logger: every record logged with a
// request's context carries its request id, the workflow id of the motion it
// addresses and the trace and span ids.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// contextHandler adds ids from the context to each record.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := api.RequestID(ctx); id != "" && !hasAttr(r, "request_id") {
			r.AddAttrs(slog.String("request_id", id))
		}
		if id := api.WorkflowID(ctx); id != "" {
			r.AddAttrs(slog.String("workflow_id", id))
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

func hasAttr(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}
