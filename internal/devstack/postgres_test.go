package devstack

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestDatabaseURLFromEnvironment(t *testing.T) {
	const u = "postgres://someone@db.example:5432/x?sslmode=require"
	t.Setenv("DATABASE_URL", u)
	got, stop, err := DatabaseURL(t.Context(), t.TempDir(), nil)
	if err != nil || got != u || stop == nil {
		t.Fatalf("got %q, %v", got, err)
	}
	stop()
}

func TestDatabaseURLLocalCreatesDatabase(t *testing.T) {
	ctx := t.Context()
	if !reachable(ctx, localPostgresAddr) {
		t.Fatalf("this test needs PostgreSQL on %s (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)", localPostgresAddr)
	}
	name := "devstack_test_" + strings.ToLower(rand.Text()[:10])
	adminURL := "postgres://postgres@" + localPostgresAddr + "/postgres?sslmode=disable"
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), adminURL)
		if err != nil {
			t.Logf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})

	for range 2 { // creates, then finds it
		u, stop, err := databaseURL(ctx, t.TempDir(), nil, localPostgresAddr, name)
		if err != nil {
			t.Fatalf("databaseURL: %v", err)
		}
		if !strings.Contains(u, "/"+name+"?") {
			t.Errorf("url %q", u)
		}
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatalf("connect %s: %v", u, err)
		}
		var db string
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || db != name {
			t.Errorf("current_database %q, %v", db, err)
		}
		conn.Close(ctx)
		stop()
	}
}

func TestDatabaseURLEmbedded(t *testing.T) {
	const nothing = "127.0.0.1:1" // no PostgreSQL there
	if os.Geteuid() == 0 {
		_, _, err := databaseURL(t.Context(), t.TempDir(), nil, nothing, "motionflow")
		if err == nil || !strings.Contains(err.Error(), "cannot run as root") {
			t.Fatalf("want the clear root error, got %v", err)
		}
		return
	}
	if dir, _ := localBinaries(); dir == "" {
		t.Skip("no local PostgreSQL binaries to run the embedded server with (it would download them)")
	}
	dataDir := t.TempDir()
	for range 2 { // init, then reuse the data directory
		u, stop, err := databaseURL(t.Context(), dataDir, nil, nothing, "motionflow")
		if err != nil {
			t.Fatalf("embedded: %v", err)
		}
		conn, err := pgx.Connect(t.Context(), u)
		if err != nil {
			stop()
			t.Fatalf("connect %s: %v", u, err)
		}
		conn.Close(t.Context())
		stop()
	}
}
