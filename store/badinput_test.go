package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// TestTextPostgreSQLCannotHoldIsInvalid: a NUL, bytes that are not UTF-8 or
// a value too long for its column, wherever it reaches PostgreSQL, is
// ErrInvalid (a 4xx at the edge), never an unexpected error (a 500).
func TestTextPostgreSQLCannotHoldIsInvalid(t *testing.T) {
	s := newStore(t, "mannheim")
	c := ctx(t)
	for _, bad := range []string{"a\x00b", "a\xffb"} {
		reads := map[string]func() error{
			"Motion":          func() error { _, err := s.Motion(c, bad); return err },
			"History":         func() error { _, err := s.History(c, bad); return err },
			"Body":            func() error { _, err := s.Body(c, bad); return err },
			"Organization":    func() error { _, err := s.Organization(c, bad); return err },
			"Meeting":         func() error { _, err := s.Meeting(c, bad); return err },
			"Agenda":          func() error { _, err := s.Agenda(c, bad); return err },
			"Attachment":      func() error { _, err := s.Attachment(c, bad); return err },
			"OParlPaper":      func() error { _, err := s.OParlPaper(c, bad); return err },
			"OParlBody":       func() error { _, err := s.OParlBody(c, bad); return err },
			"Motions(Query)":  func() error { _, _, err := s.Motions(c, store.MotionFilter{Query: bad}); return err },
			"Motions(Tag)":    func() error { _, _, err := s.Motions(c, store.MotionFilter{Tag: bad}); return err },
			"Motions(Bodies)": func() error { _, _, err := s.Motions(c, store.MotionFilter{BodyIDs: []string{bad}}); return err },
			"MotionByReference": func() error {
				_, err := s.MotionByReference(c, "mannheim", bad)
				return err
			},
		}
		for name, read := range reads {
			err := read()
			if err == nil || errors.Is(err, store.ErrNotFound) {
				// Some reads check the value before asking the database.
				continue
			}
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s(%q): %v, want ErrInvalid", name, bad, err)
			}
		}
	}

	// Writes: a motion whose text PostgreSQL cannot hold is refused as
	// invalid input, and nothing of it is written.
	m := draft("0193a1b2-0000-7000-8000-000000000001", "mannheim", "spd", "Bänke", t0)
	for i, title := range []string{"B\x00nke", "B\xe4nke"} {
		m.Content.Title = title
		err := s.Project(c, m, eventFor(m, motion.CmdCreate))
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Project with title %d: %v, want ErrInvalid", i, err)
		}
	}
	if _, err := s.Motion(c, m.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused projection left a row: %v", err)
	}

	// A NUL in an id reaches PostgreSQL (names are refused before it, by
	// motion.CheckLine), which refuses it: invalid input, not a 500.
	_, err := s.CreateOrganization(context.Background(), store.Organization{
		ID: "o-\x00" + strings.Repeat("x", 10), BodyID: "mannheim", Kind: store.OrgCommittee, Name: "Ausschuss"})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("organization id with NUL: %v", err)
	}
}
