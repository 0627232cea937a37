package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// t0 is the workflow clock's start in these tests: the day the real
// "Digitalisierung im Quadrat" motion was filed.
var t0 = time.Date(2019, 12, 12, 9, 0, 0, 0, time.UTC)

func ctx(t *testing.T) context.Context { return t.Context() }

// newStore returns a store on a fresh database with the bodies given.
func newStore(t *testing.T, bodies ...string) *store.Store {
	t.Helper()
	s := storetest.New(t)
	for _, b := range bodies {
		if _, err := s.UpsertBody(ctx(t), store.Body{ID: b, Name: "Stadt " + b}); err != nil {
			t.Fatalf("UpsertBody(%s): %v", b, err)
		}
	}
	return s
}

// draft is a new motion of faction in body, as the workflow has it after create.
func draft(id, body, faction, title string, at time.Time) motion.Motion {
	return motion.Motion{
		ID: id, BodyID: body, Version: 1, Kind: motion.KindMotion, Status: motion.StatusDraft,
		Content: motion.Content{
			Title:            title,
			ResolutionPoints: []string{"Die Verwaltung wird beauftragt, zu berichten."},
		},
		Faction: faction, CreatedAt: at, UpdatedAt: at,
	}
}

// submit returns m after a submit at time at.
func submit(m motion.Motion, at time.Time) motion.Motion {
	m = *m.Clone()
	m.Version++
	m.Status = motion.StatusSubmitted
	m.SubmittedAt = &at
	m.UpdatedAt = at
	return m
}

// eventFor is the event that produced m's current version.
func eventFor(m motion.Motion, cmd motion.CommandName) motion.Event {
	data, _ := json.Marshal(map[string]string{"command": string(cmd)})
	return motion.Event{
		MotionID: m.ID, Version: m.Version, Command: cmd, At: m.UpdatedAt,
		Actor:  motion.ActorRef{Issuer: "https://idp.example", Subject: "u-" + m.Faction, Name: "Erika Muster", Role: motion.RoleFactionStaff},
		Status: m.Status, RequestID: fmt.Sprintf("req-%s-%d", m.ID, m.Version),
		Summary: string(cmd) + " " + m.Title, Data: data,
	}
}

// project writes m with its event or fails the test.
func project(t *testing.T, s *store.Store, m motion.Motion) {
	t.Helper()
	cmd := motion.CmdEdit
	if m.Version == 1 {
		cmd = motion.CmdCreate
	}
	if err := s.Project(ctx(t), m, eventFor(m, cmd)); err != nil {
		t.Fatalf("Project(%s v%d): %v", m.ID, m.Version, err)
	}
}

// ids lists the motions' ids in the order given.
func ids(ms []motion.Motion) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// list runs Motions and fails the test on error.
func list(t *testing.T, s *store.Store, f store.MotionFilter) []motion.Motion {
	t.Helper()
	items, _, err := s.Motions(ctx(t), f)
	if err != nil {
		t.Fatalf("Motions(%+v): %v", f, err)
	}
	return items
}

// all pages through Motions and returns every id in order; it fails if a
// page repeats an id.
func all(t *testing.T, s *store.Store, f store.MotionFilter) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("pagination does not end")
		}
		items, next, err := s.Motions(ctx(t), f)
		if err != nil {
			t.Fatalf("Motions page %d: %v", page, err)
		}
		if f.Limit > 0 && len(items) > f.Limit {
			t.Fatalf("page %d has %d items, limit %d", page, len(items), f.Limit)
		}
		for _, m := range items {
			if seen[m.ID] {
				t.Fatalf("page %d repeats %s", page, m.ID)
			}
			seen[m.ID] = true
			out = append(out, m.ID)
		}
		if next == "" {
			return out
		}
		f.After = next
	}
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

// mustJSON renders v as JSON with jsonb's normalisation undone, so that a
// snapshot or event read back compares equal to what was written when it
// means the same.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(generic)
	return string(b)
}
