package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

func TestEnsureDatabaseMigrateAndReady(t *testing.T) {
	t.Parallel()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = storetest.DefaultURL
	}
	admin, err := pgx.Connect(ctx(t), base)
	if err != nil {
		t.Fatalf("cannot reach PostgreSQL at %s: %v (start it with pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)", base, err)
	}
	t.Cleanup(func() { _ = admin.Close(context.Background()) })
	name := fmt.Sprintf("motionflow_test_ensure_%d", rand.Uint64())
	_, _ = admin.Exec(ctx(t), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	t.Cleanup(func() { // runs before the connection is closed: cleanups are last in, first out
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})

	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		t.Fatalf("TEST_DATABASE_URL must be a URL for this test: %q", base)
	}
	u.Path = "/" + name
	// With a pool size, as docs/OPERATIONS.md sets it: migrate, serve and
	// worker take the same DATABASE_URL.
	q := u.Query()
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	dsn := u.String()

	// Starting against an empty server: the database is created once.
	for range 2 {
		if err := store.EnsureDatabase(ctx(t), dsn); err != nil {
			t.Fatalf("EnsureDatabase: %v", err)
		}
	}
	s, err := store.Open(ctx(t), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ready(ctx(t)); err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Errorf("Ready before migrating = %v, want an error that says to migrate", err)
	}

	// Several instances migrate at start-up at once.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = store.Migrate(ctx(t), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate %d: %v", i, err)
		}
	}
	if err := store.Migrate(ctx(t), dsn); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
	if err := s.Ready(ctx(t)); err != nil {
		t.Errorf("Ready after migrating: %v", err)
	}
	if _, err := s.UpsertBody(ctx(t), store.Body{ID: "ma", Name: "Stadt Mannheim"}); err != nil {
		t.Errorf("schema not usable after migrating: %v", err)
	}

	// An older binary (a rollback, or an old instance restarting during a
	// rolling update) finds a newer schema: it leaves it as it is, rather
	// than undo the newer binary's steps under its feet.
	if _, err := s.Pool.Exec(ctx(t), "UPDATE schema_version SET version = version + 2"); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx(t), dsn); err != nil {
		t.Errorf("Migrate of a newer schema: %v", err)
	}
	var version int
	if err := s.Pool.QueryRow(ctx(t), "SELECT version FROM schema_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != store.SchemaVersion()+2 {
		t.Errorf("schema version after Migrate of a newer schema = %d, want %d as it was", version, store.SchemaVersion()+2)
	}
	if err := s.Ready(ctx(t)); err != nil {
		t.Errorf("Ready with a newer schema: %v", err)
	}
}
