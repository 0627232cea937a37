package store_test

import (
	"crypto/sha256"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

func TestSessions(t *testing.T) {
	s := storetest.New(t)
	now := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC)
	actor := motion.Actor{Issuer: "https://id.example", Subject: "spd", Name: "Sabine",
		Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "mannheim-spd", Bodies: []string{"mannheim"}}
	want := store.Session{Subject: "spd", Issuer: "https://id.example", Name: "Sabine", Actor: actor,
		IDToken: "a.b.c", Created: now, LastSeen: now, Expires: now.Add(12 * time.Hour)}
	const id = "session-id-1"
	if err := s.CreateSession(ctx(t), id, want); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if err := s.CreateSession(ctx(t), id, want); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second CreateSession with the same id: %v, want ErrConflict", err)
	}
	for _, bad := range []store.Session{
		{Issuer: "i", Created: now, Expires: now.Add(time.Hour)},
		{Subject: "s", Created: now, Expires: now.Add(time.Hour)},
		{Subject: "s", Issuer: "i", Created: now, Expires: now},
	} {
		if err := s.CreateSession(ctx(t), "other", bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("CreateSession(%+v): %v, want ErrInvalid", bad, err)
		}
	}

	// Only the hash is stored.
	var n int
	h := sha256.Sum256([]byte(id))
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FROM sessions WHERE id_hash = $1`, h[:]).Scan(&n); err != nil || n != 1 {
		t.Fatalf("row by hash: %d, %v", n, err)
	}
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FROM sessions WHERE id_hash = $1 OR position($2 in actor::text) > 0 OR id_token = $2`,
		[]byte(id), id).Scan(&n); err != nil || n != 0 {
		t.Fatalf("raw id stored: %d, %v", n, err)
	}

	live := func(at, idleSince time.Time) (store.Session, error) {
		return s.LiveSession(ctx(t), id, at, idleSince)
	}
	got, err := live(now.Add(time.Minute), now.Add(-29*time.Minute))
	if err != nil {
		t.Fatalf("LiveSession: %v", err)
	}
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if _, err := s.LiveSession(ctx(t), "unknown", now, now.Add(-time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	// Idle: last seen at or before idleSince.
	if _, err := live(now.Add(30*time.Minute), now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("idle session: %v", err)
	}
	// Touch moves last_seen forward, never back.
	if err := s.TouchSession(ctx(t), id, now.Add(20*time.Minute)); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if err := s.TouchSession(ctx(t), id, now.Add(10*time.Minute)); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	got, err = live(now.Add(30*time.Minute), now)
	if err != nil {
		t.Fatalf("touched session: %v", err)
	}
	if !got.LastSeen.Equal(now.Add(20 * time.Minute)) {
		t.Errorf("last seen %v", got.LastSeen)
	}
	if err := s.TouchSession(ctx(t), "unknown", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("touch unknown: %v", err)
	}
	// Absolute: past expires.
	if _, err := live(now.Add(12*time.Hour), now.Add(11*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}

	// Purge removes only dead sessions.
	if err := s.CreateSession(ctx(t), "old", store.Session{Subject: "x", Issuer: "i", Actor: motion.Actor{Subject: "x"},
		Created: now.Add(-13 * time.Hour), Expires: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeSessions(ctx(t), now.Add(time.Hour), now.Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("PurgeSessions: %d, %v; want 1", n, err)
	}

	del, err := s.DeleteSession(ctx(t), id)
	if err != nil || del.IDToken != "a.b.c" {
		t.Fatalf("DeleteSession: %+v, %v", del, err)
	}
	if _, err := s.DeleteSession(ctx(t), id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteSession: %v", err)
	}
	if _, err := live(now, now.Add(-time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session still live: %v", err)
	}
}

func TestLoginStates(t *testing.T) {
	s := storetest.New(t)
	now := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC)
	ls := store.LoginState{State: "st-1", Binding: "browser-a", Nonce: "n", Verifier: "v", Next: "/motions",
		Created: now, Expires: now.Add(10 * time.Minute)}
	if err := s.CreateLoginState(ctx(t), ls); err != nil {
		t.Fatalf("CreateLoginState: %v", err)
	}
	if err := s.CreateLoginState(ctx(t), ls); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same state twice: %v", err)
	}
	if err := s.CreateLoginState(ctx(t), store.LoginState{State: "x", Binding: "b", Nonce: "n",
		Created: now, Expires: now.Add(time.Minute)}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no verifier: %v", err)
	}
	var n int
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FROM login_states WHERE state_hash = $1 OR binding_hash = $1`,
		[]byte("st-1")).Scan(&n); err != nil || n != 0 {
		t.Fatalf("raw state stored: %d, %v", n, err)
	}

	// Another browser cannot take it, and does not burn it.
	if _, err := s.TakeLoginState(ctx(t), "st-1", "browser-b", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("foreign binding: %v", err)
	}
	got, err := s.TakeLoginState(ctx(t), "st-1", "browser-a", now.Add(time.Minute))
	if err != nil {
		t.Fatalf("TakeLoginState: %v", err)
	}
	got.Created, got.Expires = got.Created.UTC(), got.Expires.UTC()
	if !reflect.DeepEqual(got, ls) {
		t.Errorf("got  %+v\nwant %+v", got, ls)
	}
	// Single use.
	if _, err := s.TakeLoginState(ctx(t), "st-1", "browser-a", now.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second take: %v", err)
	}

	// Expired: refused (and gone).
	ls.State = "st-2"
	if err := s.CreateLoginState(ctx(t), ls); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeLoginState(ctx(t), "st-2", "browser-a", now.Add(10*time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired take: %v", err)
	}

	// At most MaxLoginStatesPerBinding per browser; the oldest go.
	for i := range store.MaxLoginStatesPerBinding + 2 {
		l := ls
		l.State = "many-" + string(rune('a'+i))
		l.Created = now.Add(time.Duration(i) * time.Second)
		if err := s.CreateLoginState(ctx(t), l); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FROM login_states`).Scan(&n); err != nil || n != store.MaxLoginStatesPerBinding {
		t.Errorf("login states: %d, %v; want %d", n, err, store.MaxLoginStatesPerBinding)
	}
	if _, err := s.TakeLoginState(ctx(t), "many-a", "browser-a", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("oldest state kept: %v", err)
	}

	// Purge removes expired ones; DeleteLoginStates the binding's.
	other := ls
	other.State, other.Binding = "other", "browser-c"
	if err := s.CreateLoginState(ctx(t), other); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLoginStates(ctx(t), "browser-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Pool.QueryRow(ctx(t), `SELECT count(*) FROM login_states`).Scan(&n); err != nil || n != 1 {
		t.Errorf("after DeleteLoginStates: %d, %v", n, err)
	}
	if n, err := s.PurgeSessions(ctx(t), now.Add(time.Hour), now); err != nil || n != 1 {
		t.Errorf("PurgeSessions: %d, %v", n, err)
	}
}

// normalize makes times comparable (the database keeps microseconds in UTC).
func normalize(s store.Session) store.Session {
	s.Created, s.LastSeen, s.Expires = s.Created.UTC(), s.LastSeen.UTC(), s.Expires.UTC()
	return s
}
