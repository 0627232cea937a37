package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/motionflow/motionflow/workflows"
	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// searchAttributes are registered in the namespace; a variable so that a
// test can start on an older set.
var searchAttributes = workflows.SearchAttributes

const (
	loopback = "127.0.0.1"
	// Namespace is the namespace the embedded server creates at start-up.
	Namespace   = "default"
	clusterName = "active"
)

// TemporalOptions configure StartTemporal.
type TemporalOptions struct {
	// DBFile is the SQLite file that keeps the server's state across
	// restarts; it and its directory are created when missing. "" keeps
	// everything in memory (ephemeral).
	DBFile string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free one.
	Port int
	// UIPort is the web UI's port on 127.0.0.1; 0 picks a free one, -1
	// starts no UI.
	UIPort int
	// Logger receives the server's warnings and errors (it is chatty below
	// that); nil discards them.
	Logger *slog.Logger
}

// Temporal is a running embedded Temporal server.
type Temporal struct {
	// HostPort is the frontend's gRPC address, for client.Options.HostPort.
	HostPort string
	// Namespace is the namespace to use ("default").
	Namespace string
	// UIURL is the web UI's address, "" when there is no UI.
	UIURL string

	server   temporal.Server
	quiet    *atomic.Bool // set on Stop: the shutdown's connection warnings are noise
	ui       *uiserver.Server
	uiDone   chan struct{}
	stopOnce sync.Once
}

// StartTemporal starts a single-process Temporal server on 127.0.0.1 the way
// the Temporal CLI's dev server does: SQLite persistence, one history shard,
// static membership, the namespace "default" with the custom search
// attributes of workflows.SearchAttributes registered, and the web UI. It
// returns when the frontend answers and the search attributes are in place
// (also on an existing DBFile created before an attribute was added).
//
// A frontend port that is taken is an error naming the port, not the
// server's own reaction (it reports the listener's failure, which the
// embedded server only logs, and then dereferences the missing listener).
// The internal ports it picks itself can be taken by another process
// between picking and binding (a parallel test's connection); then it picks
// new ones, up to startAttempts times.
//
// ctx bounds the start-up only; stop the server with Stop.
func StartTemporal(ctx context.Context, o TemporalOptions) (*Temporal, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if o.Port != 0 {
		if err := portFree("frontend", o.Port); err != nil {
			return nil, err
		}
	}
	sqlConf, err := sqliteConfig(o.DBFile)
	if err != nil {
		return nil, err
	}
	var t *Temporal
	for attempt := 1; ; attempt++ {
		port := o.Port
		if port == 0 {
			if port, err = pickPort(); err != nil {
				return nil, err
			}
		}
		t, err = startServer(port, sqlConf, logger)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EADDRINUSE) || attempt == startAttempts {
			return nil, err
		}
		logger.Warn("a port picked for Temporal was taken before the server bound it; picking new ones", "attempt", attempt, "error", err)
	}

	if err := t.awaitReady(ctx, logger); err != nil {
		t.Stop()
		return nil, err
	}
	if o.UIPort >= 0 {
		if err := t.startUI(ctx, o.UIPort, logger); err != nil {
			t.Stop()
			return nil, err
		}
	}
	return t, nil
}

// startAttempts bounds how often StartTemporal picks new ports after one it
// picked was taken before the server could bind it.
const startAttempts = 3

// pickPort picks the free ports StartTemporal uses; a variable so that a test
// can hand out a taken one.
var pickPort = freePort

// startServer builds and starts the server with its frontend on port and the
// other services on ports it picks. The server reports a failed listener
// through the logger's Fatal, which only logs here (slogLogger), and then
// goes on with the missing listener: the frontend panics on it while it is
// built, the other services would once started. startServer returns the
// failure as an error instead, wrapping the listener's error
// (syscall.EADDRINUSE for a taken port), and does not start a server that
// reported one. A failed build may leave listeners of the other services
// open in this process.
func startServer(port int, sqlConf *config.SQL, logger *slog.Logger) (t *Temporal, err error) {
	conf, err := serverConfig(port, sqlConf)
	if err != nil {
		return nil, err
	}
	quiet := new(atomic.Bool)
	fatal := new(firstFatal)
	srvLogger := slogLogger{log: logger, min: slog.LevelWarn, quiet: quiet, fatal: fatal}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("devstack: temporal authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, srvLogger)
	if err != nil {
		return nil, fmt.Errorf("devstack: temporal claim mapper: %w", err)
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, svc := range []primitives.ServiceName{primitives.FrontendService, primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		hosts[svc] = static.SingleLocalHost(net.JoinHostPort(loopback, strconv.Itoa(conf.Services[string(svc)].RPC.GRPCPort)))
	}
	dynConf := dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// The one history shard polls its queues at most 20 times a second
		// by default; whatever waits for a transfer task (a workflow task
		// after an activity, a new run) then waits up to 50 ms and shares
		// those 20 polls (docs/BENCHMARKS.md). A single-node server has the
		// CPU to spare.
		dynamicconfig.TransferProcessorMaxPollRPS.Key():   200,
		dynamicconfig.TimerProcessorMaxPollRPS.Key():      200,
		dynamicconfig.VisibilityProcessorMaxPollRPS.Key(): 200,
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fatal.cause(fmt.Errorf("devstack: temporal server panicked while starting: %v", r))
		}
	}()
	server, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(srvLogger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynConf),
	)
	if err != nil {
		return nil, fatal.cause(fmt.Errorf("devstack: new temporal server: %w", err))
	}
	// A service whose listener failed would serve a nil listener once
	// started, in a goroutine of its own, where no recover reaches.
	if err := fatal.get(); err != nil {
		return nil, fmt.Errorf("devstack: temporal: %w", err)
	}
	if err := server.Start(); err != nil {
		return nil, fatal.cause(fmt.Errorf("devstack: start temporal server: %w", err))
	}
	hostPort := net.JoinHostPort(loopback, strconv.Itoa(port))
	return &Temporal{HostPort: hostPort, Namespace: Namespace, server: server, quiet: quiet}, nil
}

// Stop stops the web UI, then the server. It is safe to call more than
// once. Afterwards StartTemporal may run again on the same DBFile.
func (t *Temporal) Stop() {
	t.stopOnce.Do(func() {
		t.quiet.Store(true)
		if t.ui != nil {
			t.ui.Stop()
			<-t.uiDone
		}
		_ = t.server.Stop() // nothing useful to do with an error while shutting down
	})
}

// sqliteConfig builds the SQLite store like the CLI's dev server: an
// in-memory database with a random name, or a file whose schema is set up
// when the file is new. The namespace is created (with the search
// attributes) when missing.
func sqliteConfig(dbFile string) (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName}
	if dbFile == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = "devstack-" + strconv.FormatUint(rand.Uint64(), 36)
	} else {
		abs, err := filepath.Abs(dbFile)
		if err != nil {
			return nil, fmt.Errorf("devstack: temporal db file: %w", err)
		}
		conf.ConnectAttributes = map[string]string{"mode": "rwc"}
		conf.DatabaseName = abs
		if _, err := os.Stat(abs); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
				return nil, fmt.Errorf("devstack: temporal db dir: %w", err)
			}
			if err := sqliteschema.SetupSchema(conf); err != nil {
				return nil, fmt.Errorf("devstack: temporal schema in %s: %w", abs, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("devstack: temporal db file: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, Namespace, false, searchAttributes)
	if err != nil {
		return nil, fmt.Errorf("devstack: namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("devstack: create namespace: %w", err)
	}
	return conf, nil
}

func serverConfig(frontendPort int, sqlConf *config.SQL) (*config.Config, error) {
	var ports [4]int // frontend HTTP, history, matching, worker
	for i := range ports {
		p, err := pickPort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = loopback
	conf.Persistence.DefaultStore = "sqlite-default"
	conf.Persistence.VisibilityStore = "sqlite-default"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite-default": {SQL: sqlConf}}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             net.JoinHostPort(loopback, strconv.Itoa(frontendPort)),
				HTTPAddress:            net.JoinHostPort(loopback, strconv.Itoa(ports[0])),
				ClusterID:              uuid.NewString(),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	service := func(grpc, http int) config.Service {
		var s config.Service
		s.RPC.GRPCPort = grpc
		s.RPC.HTTPPort = http
		s.RPC.BindOnIP = loopback
		return s
	}
	conf.Services = map[string]config.Service{
		"frontend": service(frontendPort, ports[0]),
		"history":  service(ports[1], 0),
		"matching": service(ports[2], 0),
		"worker":   service(ports[3], 0),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = net.JoinHostPort(loopback, strconv.Itoa(frontendPort))
	return &conf, nil
}

// awaitReady waits for the frontend and registers any search attribute the
// namespace lacks (a DBFile from before an attribute was added).
func (t *Temporal) awaitReady(ctx context.Context, logger *slog.Logger) error {
	ctx, cancel := withDefaultTimeout(ctx, time.Minute)
	defer cancel()
	var c client.Client
	for {
		var err error
		c, err = client.DialContext(ctx, client.Options{
			HostPort:  t.HostPort,
			Namespace: t.Namespace,
			Logger:    sdklog.NewStructuredLogger(slog.New(levelHandler{logger.Handler(), slog.LevelWarn, nil})),
		})
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: temporal frontend %s not ready: %w", t.HostPort, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	defer c.Close()

	ops := c.OperatorService()
	added := false
	for {
		resp, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: t.Namespace})
		if err == nil {
			missing := map[string]enumspb.IndexedValueType{}
			for name, typ := range searchAttributes {
				if got, ok := resp.GetCustomAttributes()[name]; !ok {
					missing[name] = typ
				} else if got != typ {
					return fmt.Errorf("devstack: search attribute %s has type %s, want %s: start on a new Temporal DBFile", name, got, typ)
				}
			}
			if len(missing) == 0 {
				return nil
			}
			if !added {
				if _, err := ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
					Namespace: t.Namespace, SearchAttributes: missing,
				}); err != nil {
					return fmt.Errorf("devstack: add search attributes: %w", err)
				}
				added = true
				continue
			}
			err = fmt.Errorf("search attributes still missing: %v", slices.Sorted(maps.Keys(missing)))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: search attributes: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (t *Temporal) startUI(ctx context.Context, port int, logger *slog.Logger) error {
	if port == 0 {
		p, err := pickPort()
		if err != nil {
			return err
		}
		port = p
	}
	// The UI server exits the process (echo's Logger.Fatal) when it cannot
	// bind, so make sure it can.
	if err := portFree("UI", port); err != nil {
		return err
	}

	t.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                loopback,
		Port:                port,
		TemporalGRPCAddress: t.HostPort,
		EnableUI:            true,
		DefaultNamespace:    t.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
	}))
	t.uiDone = make(chan struct{})
	go func() {
		defer close(t.uiDone)
		if err := t.ui.Start(); err != nil {
			logger.Error("temporal UI stopped", "error", err)
		}
	}()
	t.UIURL = "http://" + net.JoinHostPort(loopback, strconv.Itoa(port))

	ctx, cancel := withDefaultTimeout(ctx, 30*time.Second)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.UIURL+"/healthz", nil)
		if resp, err := hc.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: temporal UI at %s not ready: %w", t.UIURL, ctx.Err())
		case <-t.uiDone:
			return fmt.Errorf("devstack: temporal UI at %s did not start", t.UIURL)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, fmt.Errorf("devstack: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// portFree tells whether port on 127.0.0.1 can be bound now, for an error
// that names the port (what: which of the server's ports) before a server
// that reacts worse to a taken one is started on it.
func portFree(what string, port int) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(loopback, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("devstack: temporal %s port %d: %w", what, port, err)
	}
	return ln.Close()
}

// slogLogger adapts slog to the Temporal server's logger, dropping records
// below min, and all records once quiet is set. It keeps the first Fatal in
// fatal (may be nil) for startServer.
type slogLogger struct {
	log   *slog.Logger
	min   slog.Level
	quiet *atomic.Bool
	fatal *firstFatal
}

var (
	_ tlog.Logger      = slogLogger{}
	_ tlog.SLogWrapper = slogLogger{}
)

func (s slogLogger) Debug(msg string, tags ...tag.Tag) { s.emit(slog.LevelDebug, msg, tags) }
func (s slogLogger) Info(msg string, tags ...tag.Tag)  { s.emit(slog.LevelInfo, msg, tags) }
func (s slogLogger) Warn(msg string, tags ...tag.Tag)  { s.emit(slog.LevelWarn, msg, tags) }
func (s slogLogger) Error(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }

// DPanic, Panic and Fatal only log: the embedded server must not take the
// process down. Fatal is also kept, so that a failed start-up can say why.
func (s slogLogger) DPanic(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }
func (s slogLogger) Panic(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }
func (s slogLogger) Fatal(msg string, tags ...tag.Tag) {
	if s.fatal != nil {
		s.fatal.keep(msg, tags)
	}
	s.emit(slog.LevelError, msg, tags)
}

// firstFatal keeps the first Fatal the server logged, as an error wrapping
// the error among its tags (the listener's, for a taken port).
type firstFatal struct {
	mu  sync.Mutex
	err error
}

func (f *firstFatal) keep(msg string, tags []tag.Tag) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return
	}
	f.err = errors.New(msg)
	for _, t := range tags {
		// tag.Error's Value is the error's text; its zap field holds the
		// error itself.
		if zt, ok := t.(tag.ZapTag); ok {
			if e, ok := zt.Field().Interface.(error); ok {
				f.err = fmt.Errorf("%s: %w", msg, e)
				break
			}
		}
	}
}

// get returns the first Fatal, nil when there was none.
func (f *firstFatal) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// cause returns err with the first Fatal in front of it, the failure that
// led to err; err alone when nothing fatal was logged.
func (f *firstFatal) cause(err error) error {
	first := f.get()
	if first == nil {
		return err
	}
	return fmt.Errorf("devstack: temporal: %w (then: %w)", first, err)
}

// SLog gives server components that want a *slog.Logger the same
// filtered destination.
func (s slogLogger) SLog() *slog.Logger {
	return slog.New(levelHandler{s.log.Handler(), s.min, s.quiet})
}

func (s slogLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	if level < s.min || s.quiet.Load() || !s.log.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]slog.Attr, len(tags))
	for i, t := range tags {
		attrs[i] = slog.Any(t.Key(), t.Value())
	}
	s.log.LogAttrs(context.Background(), level, msg, append(attrs, slog.String("component", "temporal"))...)
}

// levelHandler drops records below min, and all records once quiet is set
// (quiet may be nil).
type levelHandler struct {
	slog.Handler
	min   slog.Level
	quiet *atomic.Bool
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && (h.quiet == nil || !h.quiet.Load()) && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return levelHandler{h.Handler.WithAttrs(as), h.min, h.quiet}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{h.Handler.WithGroup(name), h.min, h.quiet}
}
