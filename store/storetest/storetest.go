// Package storetest gives tests a fresh, migrated PostgreSQL database of their
// own, so that tests of the store, the API and end to end run in parallel
// without seeing each other's rows.
//
// It uses the server named by TEST_DATABASE_URL (any database on it; the test
// databases are created next to it), else the local development server
// postgres://postgres@127.0.0.1:5432/postgres. A test that cannot reach the
// server fails with a message saying how to start it: it never skips, so a
// missing database cannot pass for green.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/store"
)

// DefaultURL is the server used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// New creates a fresh migrated database (see NewDatabase) and returns a Store
// open on it; both are closed and dropped when the test ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	dsn := NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open test database: %v", err)
	}
	// Cleanups run last-in first-out: the pool closes before the database is dropped.
	t.Cleanup(s.Close)
	return s
}

// NewDatabase creates a database named motionflow_test_<random> on the test
// server, migrates it, and returns its URL, for tests that hand a database URL
// to the code under test (the binary, the dev stack). The database is dropped,
// with any connections still open to it, when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: cannot reach PostgreSQL at %s: %v\n"+
			"These tests need a real PostgreSQL server. Start the local one with\n"+
			"  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"+
			"or point TEST_DATABASE_URL at a server where the user may create databases.",
			redact(base), err)
	}
	defer admin.Close(context.Background())

	name := "motionflow_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("storetest: create database %s on %s: %v", name, redact(base), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})

	dsn, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if err := store.Migrate(ctx, dsn); err != nil {
		t.Fatalf("storetest: migrate %s: %v", name, err)
	}
	return dsn
}

// withDatabase returns the connection string base with its database replaced
// by name; base may be a URL or a keyword/value string.
func withDatabase(base, name string) (string, error) {
	if strings.Contains(base, "://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	// In a keyword/value string the last setting of a key wins.
	return base + " dbname=" + name, nil
}

// redact hides a password in a URL for error messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return "the configured server"
}

func randomSuffix() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
