package export

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// names answers DisplayNames only: a store that knows no amendments.
type names struct{}

func (names) DisplayNames(context.Context, string, []string) (string, map[string]string, error) {
	return "Stadt Mannheim – Gemeinderat", map[string]string{"cdu": "CDU-Fraktion"}, nil
}

// amendmentsSource knows one motion and the amendments filed to it.
type amendmentsSource struct {
	names
	motions    map[string]motion.Motion
	amendments []motion.Motion
}

func (s amendmentsSource) AmendmentsOf(context.Context, string, motion.Actor) ([]motion.Motion, error) {
	return s.amendments, nil
}

func (s amendmentsSource) AmendedMotion(_ context.Context, _, amends string) (motion.Motion, error) {
	if m, ok := s.motions[amends]; ok {
		return m, nil
	}
	return motion.Motion{}, store.ErrNotFound
}

// An amendment's document names the motion it amends only when that is
// public, and its tag follows that motion's version; the filed amendments
// alone are printed; a store without amendments still gives a document.
func TestLoadMotionDocument(t *testing.T) {
	ctx := t.Context()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	target := motion.Motion{ID: "mot", BodyID: "ma", Version: 3, Kind: motion.KindMotion, Status: motion.StatusSubmitted,
		Reference: "A1/2026", SubmittedAt: &at, CreatedAt: at, Content: motion.Content{Title: "Bänke am Neckarufer",
			ResolutionPoints: []string{"Die Verwaltung stellt zehn Bänke auf."}}}
	am := motion.Motion{ID: "am", BodyID: "ma", Version: 2, Kind: motion.KindAmendment, Status: motion.StatusSubmitted,
		Faction: "cdu", SubmittedAt: &at, CreatedAt: at, Content: motion.Content{Title: "Mehr Bänke", Amends: "mot",
			AmendedPoints: target.ResolutionPoints,
			Changes:       []motion.Change{{Op: motion.ChangeReplace, From: 1, To: 1, Text: "Die Verwaltung stellt zwanzig Bänke auf."}}}}
	draft := am
	draft.ID, draft.SubmittedAt, draft.Status = "entwurf", nil, motion.StatusDraft
	viewer := motion.Actor{Subject: "cdu-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "cdu", Bodies: []string{"ma"}}

	src := amendmentsSource{motions: map[string]motion.Motion{"mot": target}, amendments: []motion.Motion{am, draft}}
	d, err := LoadMotionDocument(ctx, src, target, viewer)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Amendments) != 1 || d.Amendments[0].ID != "am" {
		t.Errorf("the motion's document prints %v, want the filed amendment alone", docIDs(d.Amendments))
	}

	d, err = LoadMotionDocument(ctx, src, am, viewer)
	if err != nil {
		t.Fatal(err)
	}
	if d.Amended == nil || d.Amended.ID != "mot" {
		t.Fatalf("the amended motion: %v", d.Amended)
	}
	pdf, err := d.PDF(ctx)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("PDF: %v", err)
	}
	newer := target
	newer.Version++
	src.motions["mot"] = newer
	if d2, err := LoadMotionDocument(ctx, src, am, viewer); err != nil || d2.Tag == d.Tag {
		t.Errorf("the amended motion changed, the tag stayed %s (%v)", d.Tag, err)
	}

	// A draft target is not named (the document may be cached publicly).
	hidden := target
	hidden.SubmittedAt, hidden.Status = nil, motion.StatusDraft
	hidden.Faction = "cdu"
	src.motions["mot"] = hidden
	if d, err := LoadMotionDocument(ctx, src, am, viewer); err != nil || d.Amended != nil {
		t.Errorf("a draft target is named: %v %v", d, err)
	}
	// An unknown target.
	delete(src.motions, "mot")
	if d, err := LoadMotionDocument(ctx, src, am, viewer); err != nil || d.Amended != nil {
		t.Errorf("an unknown target: %v %v", d, err)
	}
	if _, err := d.PDF(ctx); err != nil {
		t.Error(err)
	}
}

func docIDs(ms []motion.Motion) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
