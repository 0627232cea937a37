package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/motionflow/motionflow/store"
)

func TestAssignReferenceIsGaplessUniqueAndIdempotent(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	if _, err := s.UpsertBody(ctx(t), store.Body{ID: "hd", Name: "Stadt Heidelberg", ReferencePrefix: "DS"}); err != nil {
		t.Fatal(err)
	}

	const n = 50
	type result struct {
		ref string
		seq int
		err error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			ref, seq, err := s.AssignReference(ctx(t), "ma", fmt.Sprintf("m%d", i), 2019)
			results[i] = result{ref, seq, err}
		})
	}
	close(start)
	wg.Wait()

	bySeq := map[int]string{}
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("motion m%d: %v", i, r.err)
		}
		if want := fmt.Sprintf("A%d/2019", r.seq); r.ref != want {
			t.Errorf("motion m%d: reference %q, want %q", i, r.ref, want)
		}
		if other, dup := bySeq[r.seq]; dup {
			t.Errorf("number %d given to %s and m%d", r.seq, other, i)
		}
		bySeq[r.seq] = fmt.Sprintf("m%d", i)
	}
	for seq := 1; seq <= n; seq++ {
		if _, ok := bySeq[seq]; !ok {
			t.Errorf("number %d was skipped", seq)
		}
	}

	// A retried activity gets the motion's number back, also when retries race.
	want := results[7]
	var retries sync.WaitGroup
	for range 10 {
		retries.Go(func() {
			ref, seq, err := s.AssignReference(ctx(t), "ma", "m7", 2019)
			if err != nil || ref != want.ref || seq != want.seq {
				t.Errorf("retry for m7 = %q %d %v, want %q %d", ref, seq, err, want.ref, want.seq)
			}
		})
	}
	retries.Wait()
	// A retry that crosses New Year keeps the first reference.
	if ref, _, err := s.AssignReference(ctx(t), "ma", "m7", 2020); err != nil || ref != want.ref {
		t.Errorf("retry for m7 in 2020 = %q %v, want %q", ref, err, want.ref)
	}
	// ... and none of the retries burnt a number: the next motion gets 51.
	if ref, seq, err := s.AssignReference(ctx(t), "ma", "m-next", 2019); err != nil || seq != n+1 || ref != "A51/2019" {
		t.Errorf("next motion = %q %d %v, want A51/2019", ref, seq, err)
	}

	// Racing first attempts for one new motion (an activity retried while
	// its first attempt still runs) agree on one number and burn no other.
	refs := make([]string, 10)
	var race sync.WaitGroup
	for i := range refs {
		race.Go(func() {
			ref, _, err := s.AssignReference(ctx(t), "ma", "m-raced", 2019)
			if err != nil {
				t.Errorf("raced assignment: %v", err)
			}
			refs[i] = ref
		})
	}
	race.Wait()
	for _, ref := range refs {
		if ref != "A52/2019" {
			t.Errorf("raced assignments = %q, want all A52/2019", refs)
			break
		}
	}

	// A new year starts again at 1; other bodies count on their own, with their prefix.
	if ref, seq, err := s.AssignReference(ctx(t), "ma", "m-2020", 2020); err != nil || seq != 1 || ref != "A1/2020" {
		t.Errorf("first motion of 2020 = %q %d %v, want A1/2020", ref, seq, err)
	}
	if ref, seq, err := s.AssignReference(ctx(t), "hd", "hd-1", 2019); err != nil || seq != 1 || ref != "DS1/2019" {
		t.Errorf("first motion in Heidelberg = %q %d %v, want DS1/2019", ref, seq, err)
	}
	if ref, _, err := s.AssignReference(ctx(t), "ma", "m-next2", 2019); err != nil || ref != "A53/2019" {
		t.Errorf("Mannheim after Heidelberg = %q %v, want A53/2019", ref, err)
	}

	// An unknown body is an error that burns nothing.
	if _, _, err := s.AssignReference(ctx(t), "nowhere", "x", 2019); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown body: err = %v, want ErrNotFound", err)
	}
	if _, _, err := s.AssignReference(ctx(t), "ma", "", 2019); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no motion id: err = %v, want ErrInvalid", err)
	}
}
