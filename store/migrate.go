package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is where tern records the schema version.
const versionTable = "public.schema_version"

// migrations returns the embedded migrations as tern expects them: the
// numbered .sql files at the root of the file system.
func migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// connConfig reads databaseURL for a single connection as Open reads it for
// the pool: the pool's settings (pool_max_conns, …), which docs/OPERATIONS.md
// puts in the DATABASE_URL every command shares, are taken out rather than
// sent to PostgreSQL, which refuses them as unknown parameters.
func connConfig(databaseURL string) (*pgx.ConnConfig, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	return cfg.ConnConfig, nil
}

// EnsureDatabase creates the database named in databaseURL if it does not exist
// yet, connecting to the "postgres" database of the same server to do so. It
// lets `dev` and first deployments start against an empty server.
func EnsureDatabase(ctx context.Context, databaseURL string) error {
	cfg, err := connConfig(databaseURL)
	if err != nil {
		return err
	}
	name := cfg.Database
	if name == "" {
		return fmt.Errorf("%w: database URL names no database", ErrInvalid)
	}
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: connect to %s:%d/postgres: %w", cfg.Host, cfg.Port, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("store: look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "42P04" { // duplicate_database: created concurrently
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: create database %q: %w", name, err)
	}
	return nil
}

// Migrate brings the schema of databaseURL up to date with the migrations
// embedded in the binary. tern holds an advisory lock while it works, so
// several processes may call Migrate at once; applied steps are skipped, so
// calling it again is a no-op, as it is on a newer schema.
func Migrate(ctx context.Context, databaseURL string) error {
	cfg, err := connConfig(databaseURL)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: migrate: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := m.LoadMigrations(migrations()); err != nil {
		return fmt.Errorf("store: migrate: load: %w", err)
	}
	// A schema a newer binary made is left as it is: an older one (a
	// rollback, an old instance restarting during a rolling update) runs on
	// it, as Ready allows, instead of failing to start.
	have, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if int(have) >= len(m.Migrations) {
		return nil
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Ready reports whether the database answers and its schema has every
// migration this binary embeds; /readyz uses it so that traffic only reaches
// an instance that can serve it.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	want, err := migrate.FindMigrations(migrations())
	if err != nil {
		return fmt.Errorf("store: embedded migrations: %w", err)
	}
	var have int32
	if err := s.Pool.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&have); err != nil {
		return fmt.Errorf("store: schema version: %w (run migrate)", err)
	}
	if int(have) < len(want) {
		return fmt.Errorf("store: schema at version %d, this binary needs %d (run migrate)", have, len(want))
	}
	return nil
}
