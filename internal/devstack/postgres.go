package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	localPostgresAddr = "127.0.0.1:5432"
	devDatabase       = "motionflow"
)

// DatabaseURL picks the PostgreSQL for development, in this order:
//
//  1. $DATABASE_URL, as it is;
//  2. the local server on 127.0.0.1:5432 (user postgres, trust auth), in
//     the database "motionflow", which is created if missing;
//  3. an embedded PostgreSQL (fergusstrange/embedded-postgres) with its data
//     under dataDir/postgres, on a free port. It uses the binaries of a local
//     installation (/usr/lib/postgresql/<version>) when there is one and
//     downloads them otherwise. PostgreSQL refuses to run as root, so as
//     root this step fails with an error that says so.
//
// stop shuts the embedded server down; it does nothing in the other cases
// and is never nil when err is nil.
func DatabaseURL(ctx context.Context, dataDir string, log *slog.Logger) (url string, stop func(), err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if u := os.Getenv("DATABASE_URL"); u != "" {
		log.Info("postgres: using DATABASE_URL")
		return u, func() {}, nil
	}
	return databaseURL(ctx, dataDir, log, localPostgresAddr, devDatabase)
}

func databaseURL(ctx context.Context, dataDir string, log *slog.Logger, localAddr, dbName string) (string, func(), error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if reachable(ctx, localAddr) {
		admin := fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable&connect_timeout=5", localAddr)
		if err := ensureDatabase(ctx, admin, dbName); err != nil {
			return "", nil, fmt.Errorf("devstack: PostgreSQL at %s: %w", localAddr, err)
		}
		u := fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", localAddr, dbName)
		log.Info("postgres: using the local server", "addr", localAddr, "database", dbName)
		return u, func() {}, nil
	}
	if os.Geteuid() == 0 {
		return "", nil, fmt.Errorf("devstack: no PostgreSQL at %s and DATABASE_URL is not set, and the embedded PostgreSQL "+
			"cannot run as root (initdb and postgres refuse to). Start the local server "+
			"(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), set DATABASE_URL, "+
			"or run motionflow as an ordinary user", localAddr)
	}
	return startEmbedded(ctx, dataDir, log, dbName)
}

func reachable(ctx context.Context, addr string) bool {
	d := net.Dialer{Timeout: 2 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// ensureDatabase creates the database dbName through the admin connection
// unless it exists.
func ensureDatabase(ctx context.Context, adminURL, dbName string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbName).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{dbName}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created meanwhile
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", dbName, err)
	}
	return nil
}

func startEmbedded(ctx context.Context, dataDir string, log *slog.Logger, dbName string) (string, func(), error) {
	if dataDir == "" {
		return "", nil, errors.New("devstack: embedded PostgreSQL needs a data directory")
	}
	base, err := filepath.Abs(filepath.Join(dataDir, "postgres"))
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", nil, fmt.Errorf("devstack: embedded PostgreSQL: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(base, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", nil, fmt.Errorf("devstack: embedded PostgreSQL log: %w", err)
	}
	const user, password = "postgres", "postgres"
	cfg := embeddedpostgres.DefaultConfig().
		Port(uint32(port)).
		Database(dbName).
		Username(user).
		Password(password).
		DataPath(filepath.Join(base, "data")).
		// The runtime directory is wiped on every start: keep it apart from the data.
		RuntimePath(filepath.Join(base, "runtime")).
		StartParameters(map[string]string{"listen_addresses": loopback, "unix_socket_directories": ""}).
		StartTimeout(time.Minute).
		Logger(logFile)
	if bin, version := localBinaries(); bin != "" {
		cfg = cfg.BinariesPath(bin).Version(version)
		log.Info("postgres: starting embedded server with local binaries", "binaries", bin, "data", base)
	} else {
		log.Info("postgres: starting embedded server (binaries are downloaded on first use)", "data", base)
	}
	pg := embeddedpostgres.NewDatabase(cfg)
	if err := pg.Start(); err != nil {
		_ = logFile.Close()
		return "", nil, fmt.Errorf("devstack: embedded PostgreSQL (log: %s): %w", logFile.Name(), err)
	}
	stop := func() {
		if err := pg.Stop(); err != nil {
			log.Warn("postgres: stopping embedded server", "error", err)
		}
		_ = logFile.Close()
	}
	if err := ctx.Err(); err != nil {
		stop()
		return "", nil, err
	}
	u := fmt.Sprintf("postgres://%s:%s@%s/%s?sslmode=disable", user, password, net.JoinHostPort(loopback, strconv.Itoa(port)), dbName)
	return u, stop, nil
}

// localBinaries finds the newest PostgreSQL installed the Debian way.
func localBinaries() (dir string, version embeddedpostgres.PostgresVersion) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	best := -1
	for _, m := range matches {
		root := filepath.Dir(filepath.Dir(m))
		v, err := strconv.Atoi(filepath.Base(root))
		if err != nil || v <= best {
			continue
		}
		best, dir = v, root
	}
	if dir == "" {
		return "", ""
	}
	// embedded-postgres reuses a data directory when its PG_VERSION is a
	// prefix of the configured version.
	known := []embeddedpostgres.PostgresVersion{
		embeddedpostgres.V18, embeddedpostgres.V17, embeddedpostgres.V16, embeddedpostgres.V15,
		embeddedpostgres.V14, embeddedpostgres.V13, embeddedpostgres.V12,
	}
	want := strconv.Itoa(best) + "."
	if i := slices.IndexFunc(known, func(v embeddedpostgres.PostgresVersion) bool { return strings.HasPrefix(string(v), want) }); i >= 0 {
		return dir, known[i]
	}
	return dir, embeddedpostgres.PostgresVersion(want + "0.0")
}
