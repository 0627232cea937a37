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

// TestOpenAmendments: a motion's result waits for the amendments that the
// same gremium has yet to vote on: submitted, with an open consultation
// there; not a draft, not one decided, not one in another gremium.
func TestOpenAmendments(t *testing.T) {
	s := newStore(t, "ma")
	m := submit(draft("mot", "ma", "spd", "Bänke am Neckarufer", t0), t0.Add(time.Hour))
	m.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: "gr", Decisive: true, Status: motion.ConsultationScheduled}}
	project(t, s, draft("mot", "ma", "spd", "Bänke am Neckarufer", t0))
	project(t, s, m)
	amendment := func(id, org string, st motion.Status, k motion.ConsultationStatus) {
		a := draft(id, "ma", "cdu", "Änderung "+id, t0)
		a.Kind, a.Amends = motion.KindAmendment, "mot"
		project(t, s, a)
		if st == motion.StatusDraft {
			return
		}
		a = submit(a, t0.Add(2*time.Hour))
		a.Status = st
		a.Reference = "A-" + id
		a.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: org, Decisive: true, Status: k}}
		project(t, s, a)
	}
	amendment("open", "gr", motion.StatusInConsultation, motion.ConsultationScheduled)
	amendment("elsewhere", "ha", motion.StatusInConsultation, motion.ConsultationScheduled)
	amendment("done", "gr", motion.StatusDecided, motion.ConsultationDone)
	amendment("draft", "gr", motion.StatusDraft, "")
	got, err := s.OpenAmendments(ctx(t), &m, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A-open „Änderung open“"}; !slices.Equal(got, want) {
		t.Errorf("open amendments %q, want %q", got, want)
	}
	// Filled into a result by WithAmendments, whatever the request said.
	cmd, err := s.WithAmendments(ctx(t), "mot", motion.RecordResult{ConsultationID: "c1", OpenAmendments: []string{"erfunden"}}, motion.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if rr := cmd.(motion.RecordResult); !slices.Equal(rr.OpenAmendments, got) {
		t.Errorf("WithAmendments: %q", rr.OpenAmendments)
	}
}
