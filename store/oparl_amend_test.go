package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// TestOParlAmendments: a public amendment is a paper under the motion it
// amends (superordinated), and the motion lists its public amendments
// (subordinated); a draft amendment stays out of both.
func TestOParlAmendments(t *testing.T) {
	s := newStore(t, "ma")
	m := submit(draft("mot", "ma", "spd", "Bänke am Neckarufer", t0), t0.Add(time.Hour))
	project(t, s, draft("mot", "ma", "spd", "Bänke am Neckarufer", t0))
	project(t, s, m)
	amendment := func(id string, at time.Time, submitted bool) {
		a := draft(id, "ma", "cdu", "Mehr Bänke "+id, at)
		a.Kind, a.Amends = motion.KindAmendment, "mot"
		a.Changes = []motion.Change{{Op: motion.ChangeReplace, From: 1, To: 1, Text: "Anders."}}
		project(t, s, a)
		if submitted {
			project(t, s, submit(a, at.Add(time.Hour)))
		}
	}
	amendment("am2", t0.Add(3*time.Hour), true)
	amendment("am1", t0.Add(2*time.Hour), true)
	amendment("am3", t0.Add(4*time.Hour), false) // a draft

	p, err := s.OParlPaper(ctx(t), "mot")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"am1", "am2"}; !slices.Equal(p.SubordinatedIDs, want) {
		t.Errorf("subordinated %v, want %v", p.SubordinatedIDs, want)
	}
	a, err := s.OParlPaper(ctx(t), "am1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.SuperordinatedIDs, []string{"mot"}) || len(a.SubordinatedIDs) != 0 {
		t.Errorf("amendment: superordinated %v, subordinated %v", a.SuperordinatedIDs, a.SubordinatedIDs)
	}
	// The list completes every paper of the page the same way.
	ps, _, err := s.OParlPapers(ctx(t), store.OParlFilter{BodyID: "ma", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ps {
		if x.Motion.ID == "mot" && !slices.Equal(x.SubordinatedIDs, []string{"am1", "am2"}) {
			t.Errorf("listed motion: subordinated %v", x.SubordinatedIDs)
		}
	}
}
