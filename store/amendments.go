package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/motionflow/motionflow/motion"
)

// AmendmentsOf returns the amendments of the motion with id (those whose
// "amends" names it by id or reference), in the order they were submitted;
// drafts only to their sponsors (viewer), like every list.
func (s *Store) AmendmentsOf(ctx context.Context, id string, viewer motion.Actor) ([]motion.Motion, error) {
	all, err := s.amendmentsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(m motion.Motion) bool { return !m.VisibleTo(viewer) }), nil
}

// amendmentsOf returns every amendment of the motion with id, whoever may
// see it, in the order they were submitted (drafts last).
func (s *Store) amendmentsOf(ctx context.Context, id string) ([]motion.Motion, error) {
	rows, err := s.Pool.Query(ctx, `SELECT data FROM motions WHERE amends_motion = $1
		ORDER BY submitted_at NULLS LAST, id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: amendments of %s: %w", id, mapErr(err))
	}
	defer rows.Close()
	var out []motion.Motion
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("store: amendments of %s: %w", id, mapErr(err))
		}
		var m motion.Motion
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("store: decode amendment of %s: %w", id, err)
		}
		out = append(out, m)
	}
	return out, mapErr(rows.Err())
}

// AmendedMotion returns the motion of the body an amendment names in its
// "amends", by id or by reference, or ErrNotFound (also for a paper of the
// administration that is no motion). It does not check visibility.
func (s *Store) AmendedMotion(ctx context.Context, bodyID, amends string) (motion.Motion, error) {
	a := strings.TrimSpace(amends)
	if a == "" {
		return motion.Motion{}, ErrNotFound
	}
	if m, err := s.Motion(ctx, a); err == nil && m.BodyID == bodyID {
		return m, nil
	} else if err != nil && !absent(err) {
		return motion.Motion{}, err
	}
	return s.MotionByReference(ctx, bodyID, a)
}

// openAmendmentStatuses are the statuses of an amendment that is submitted
// and not yet decided, withdrawn or otherwise ended.
var openAmendmentStatuses = []motion.Status{motion.StatusSubmitted, motion.StatusRegistered, motion.StatusInConsultation}

// OpenAmendments names (motion.Label) the amendments of m that the
// organization of its consultation consultationID has yet to vote on:
// submitted, not decided, withdrawn or ended, with a consultation in that
// organization that is not closed. Amendments are voted before their
// motion, so the domain refuses the motion's result while one is open
// (motion.RecordResult.OpenAmendments). An unknown consultation has none.
func (s *Store) OpenAmendments(ctx context.Context, m *motion.Motion, consultationID string) ([]string, error) {
	k := m.Consultation(consultationID)
	if k == nil {
		return nil, nil
	}
	all, err := s.amendmentsOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range all {
		a := &all[i]
		if a.Kind != motion.KindAmendment || !slices.Contains(openAmendmentStatuses, a.Status) {
			continue
		}
		if slices.ContainsFunc(a.Consultations, func(c motion.Consultation) bool {
			return c.OrganizationID == k.OrganizationID && !c.Status.Closed()
		}) {
			out = append(out, a.Label())
		}
	}
	return out, nil
}

// amendablePoints are the resolution points an amendment of body that
// names amends refers to: those of the motion it names, if the viewer may
// see that motion and it takes amendments (motion.Motion.Amendable: public,
// so its lines are final, and not yet decided); none for anything else (a
// draft, a paper of the administration, an unknown motion), and the domain
// then refuses changes with its own message.
func (s *Store) amendablePoints(ctx context.Context, self, bodyID, amends string, viewer motion.Actor) ([]string, error) {
	t, err := s.AmendedMotion(ctx, bodyID, amends)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.ID == self || !t.Amendable() || !t.VisibleTo(viewer) {
		return nil, nil
	}
	return slices.Clone(t.ResolutionPoints), nil
}

// WithAmendments fills in what a command needs of the read model about
// amendments, never of the request: an amendment's create, submission entry
// or edit gets the resolution points of the motion its "amends" names
// (motion.Content.AmendedPoints, what its changes are checked against); a
// result to record gets the amendments still open in that organization
// (motion.RecordResult.OpenAmendments). motionID is the motion the command
// is sent to (empty for a creating command); viewer is the caller. Other
// commands are returned as they are.
func (s *Store) WithAmendments(ctx context.Context, motionID string, cmd motion.Command, viewer motion.Actor) (motion.Command, error) {
	var err error
	switch c := cmd.(type) {
	case motion.Create:
		c.AmendedPoints = nil
		if c.Kind == motion.KindAmendment {
			c.AmendedPoints, err = s.amendablePoints(ctx, motionID, c.BodyID, c.Amends, viewer)
		}
		return c, err
	case motion.EnterSubmission:
		c.AmendedPoints = nil
		if c.Kind == motion.KindAmendment {
			c.AmendedPoints, err = s.amendablePoints(ctx, motionID, c.BodyID, c.Amends, viewer)
		}
		return c, err
	case motion.Edit:
		c.AmendedPoints = nil
		if strings.TrimSpace(c.Amends) == "" {
			// Nothing amended: no need to read the draft.
			return c, nil
		}
		m, err := s.Motion(ctx, motionID)
		if absent(err) {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		if m.Kind == motion.KindAmendment {
			c.AmendedPoints, err = s.amendablePoints(ctx, motionID, m.BodyID, c.Amends, viewer)
		}
		return c, err
	case motion.RecordResult:
		c.OpenAmendments = nil
		m, err := s.Motion(ctx, motionID)
		if absent(err) {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		c.OpenAmendments, err = s.OpenAmendments(ctx, &m, c.ConsultationID)
		return c, err
	}
	return cmd, nil
}
