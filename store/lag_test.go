package store_test

import (
	"errors"
	"testing"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// A reference number restored after the database lost it is kept, the
// counter goes on after it, and a number another motion got meanwhile is
// reported instead of being given twice.
func TestRestoreReference(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	for range 2 { // restoring again changes nothing
		if err := s.RestoreReference(ctx(t), "ma", "quadrat", 2019, 762, "A762/2019"); err != nil {
			t.Fatalf("RestoreReference: %v", err)
		}
	}
	ref, seq, err := s.AssignReference(ctx(t), "ma", "quadrat", 2019)
	if err != nil || ref != "A762/2019" || seq != 762 {
		t.Errorf("the restored motion's reference = %s %d, %v; want A762/2019", ref, seq, err)
	}
	ref, _, err = s.AssignReference(ctx(t), "ma", "next", 2019)
	if err != nil || ref != "A763/2019" {
		t.Errorf("the next motion got %s, %v; want A763/2019", ref, err)
	}
	// An older number restored later does not lower the counter.
	if err := s.RestoreReference(ctx(t), "ma", "older", 2019, 5, "A5/2019"); err != nil {
		t.Fatal(err)
	}
	if ref, _, _ := s.AssignReference(ctx(t), "ma", "after", 2019); ref != "A764/2019" {
		t.Errorf("after restoring an older number the next is %s, want A764/2019", ref)
	}

	if err := s.RestoreReference(ctx(t), "ma", "other", 2019, 763, "A763/2019"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a number another motion holds: %v, want ErrConflict", err)
	}
	if err := s.RestoreReference(ctx(t), "ma", "quadrat", 2019, 9, "A9/2019"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("another number for a motion that has one: %v, want ErrConflict", err)
	}
	if err := s.RestoreReference(ctx(t), "unbekannt", "x", 2019, 1, "A1/2019"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an unknown body: %v, want ErrInvalid", err)
	}
}

// ReadModelVersions answers in the order asked, with 0 for a motion the
// read model does not know.
func TestReadModelVersions(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	m := draft("a", "ma", "spd", "Bänke", t0)
	if err := s.Project(ctx(t), m, eventFor(m, motion.CmdCreate)); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadModelVersions(ctx(t), []string{"fehlt", "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ReadModelVersion{{MotionID: "fehlt"}, {MotionID: "a", Version: 1, Events: 1}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ReadModelVersions = %+v, want %+v", got, want)
	}
}
