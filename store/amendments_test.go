package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// TestWithAmendmentsCreate: an amendment's create gets the resolution
// points of the motion it amends from the read model, whatever the client
// sent; none when that motion takes no amendments (a draft, decided) or
// the caller cannot see it, and the domain then refuses the changes.
func TestWithAmendmentsCreate(t *testing.T) {
	s := newStore(t, "ma")
	spdStaff := motion.Actor{Subject: "spd-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	cduStaff := motion.Actor{Subject: "cdu-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "cdu", Bodies: []string{"ma"}}

	pub := draft("pub", "ma", "spd", "Bänke am Neckarufer", t0)
	pub.ResolutionPoints = []string{"Die Verwaltung stellt zehn Bänke auf.", "Die Kosten trägt der Ergebnishaushalt."}
	project(t, s, pub)
	project(t, s, submit(pub, t0.Add(time.Hour)))
	project(t, s, draft("drf", "ma", "spd", "Noch ein Entwurf", t0))
	dec := draft("dec", "ma", "spd", "Schon entschieden", t0)
	project(t, s, dec)
	dec = submit(dec, t0.Add(time.Hour))
	dec.Status = motion.StatusDecided
	dec.Outcome = &motion.Outcome{Result: motion.ResultAdopted, DecidedAt: t0.Add(24 * time.Hour)}
	project(t, s, dec)

	create := func(amends string) motion.Create {
		return motion.Create{BodyID: "ma", Kind: motion.KindAmendment, Content: motion.Content{Title: "Mehr Bänke", Amends: amends,
			Changes:       []motion.Change{{Op: motion.ChangeReplace, From: 1, To: 1, Text: "Zwanzig Bänke."}},
			AmendedPoints: []string{"Vom Client erfunden."}}}
	}
	for _, tc := range []struct {
		name   string
		amends string
		viewer motion.Actor
		want   []string
	}{
		{"a submitted motion: its points, not the client's", "pub", cduStaff, pub.ResolutionPoints},
		{"a draft, even to its own faction", "drf", spdStaff, nil},
		{"a draft the caller cannot see", "drf", cduStaff, nil},
		{"a decided motion", "dec", cduStaff, nil},
		{"an unknown motion", "nirgends", cduStaff, nil},
	} {
		cmd, err := s.WithAmendments(ctx(t), "", create(tc.amends), tc.viewer)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := cmd.(motion.Create).AmendedPoints; !slices.Equal(got, tc.want) {
			t.Errorf("%s: amended points %q, want %q", tc.name, got, tc.want)
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
