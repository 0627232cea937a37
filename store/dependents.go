package store

import (
	"context"
	"slices"

	"github.com/motionflow/motionflow/motion"
)

// MeetingDependents lists the motions whose deadlines depend on the meeting,
// so that they can re-arm when it moves or is cancelled: the motions on its
// agenda and, for a council meeting (which counts for agenda placement),
// every open motion of the body. The ids are sorted and unique.
func (s *Store) MeetingDependents(ctx context.Context, m Meeting) ([]string, error) {
	ids := map[string]bool{}
	items, err := s.Agenda(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		ids[it.MotionID] = true
	}
	org, err := s.Organization(ctx, m.OrganizationID)
	if err != nil {
		return nil, err
	}
	if org.Kind == OrgCouncil {
		f := MotionFilter{BodyIDs: []string{m.BodyID}, Limit: MaxLimit,
			Statuses: []motion.Status{motion.StatusSubmitted, motion.StatusRegistered, motion.StatusInConsultation}}
		for {
			page, next, err := s.Motions(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, mo := range page {
				ids[mo.ID] = true
			}
			if next == "" {
				break
			}
			f.After = next
		}
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	slices.Sort(list)
	return list, nil
}
