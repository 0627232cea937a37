package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// homePage is the worklist of a signed-in caller, or the start page of the
// public.
type homePage struct {
	Deadlines []deadlineEntry
	Steps     []stepEntry
	Recent    []motion.Motion
	Meetings  []store.Meeting
	Truncated bool
}

// deadlineEntry is a deadline on the worklist.
type deadlineEntry struct {
	D       store.MotionDeadline
	Overdue bool
}

// stepEntry is a motion waiting for a step of the caller's role.
type stepEntry struct {
	M       motion.Motion
	Reason  string
	Actions []motion.CommandName
}

// worklistLimit bounds each section of the worklist.
const worklistLimit = 50

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	var p homePage
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var bodyIDs []string
	for _, b := range bodies {
		bodyIDs = append(bodyIDs, b.ID)
	}
	orgs, err := s.orgs(ctx, bodyIDs...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := time.Now()
	if a.Anonymous() {
		p.Recent, _, err = s.store.Motions(ctx, store.MotionFilter{Viewer: a, Limit: 10})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		from := now.Add(-12 * time.Hour)
		p.Meetings, _, err = s.store.Meetings(ctx, store.MeetingFilter{BodyIDs: bodyIDs, From: &from, Limit: 5})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "home", page{Title: "Start", Nav: "start", Orgs: names(orgs), Data: p})
		return
	}

	// Deadlines of the caller's audiences: overdue first, then by due time.
	if aud := a.Audiences(); len(aud) > 0 {
		ds, next, err := s.store.Deadlines(ctx, store.DeadlineFilter{Viewer: a, BodyIDs: nonNilSlice(a.Bodies), Audiences: aud, Limit: worklistLimit})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Truncated = next != ""
		for _, d := range ds {
			p.Deadlines = append(p.Deadlines, deadlineEntry{D: d, Overdue: d.Due.Before(now)})
		}
		sort.SliceStable(p.Deadlines, func(i, j int) bool { return p.Deadlines[i].Overdue && !p.Deadlines[j].Overdue })
	}

	// Motions waiting for a step of the caller's role, longest waiting first.
	seen := map[string]bool{}
	for _, role := range motion.Roles {
		if !a.Has(role) {
			continue
		}
		var rules []motion.WaitingStep
		f := store.MotionFilter{Viewer: a, BodyIDs: nonNilSlice(a.Bodies), Limit: store.MaxLimit}
		for _, r := range motion.WaitingSteps {
			if r.Role == role {
				rules = append(rules, r)
				f.Statuses = append(f.Statuses, r.Statuses...)
			}
		}
		if len(rules) == 0 {
			continue
		}
		if role == motion.RoleFactionStaff {
			if a.Faction == "" {
				continue
			}
			f.Faction = a.Faction
		}
		ms, next, err := s.store.Motions(ctx, f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Truncated = p.Truncated || next != ""
		for i := range ms {
			m := &ms[i]
			if seen[m.ID] || !m.VisibleTo(a) {
				continue
			}
			if e, ok := stepOf(m, a, rules); ok {
				seen[m.ID] = true
				p.Steps = append(p.Steps, e)
			}
		}
	}
	sort.SliceStable(p.Steps, func(i, j int) bool { return p.Steps[i].M.UpdatedAt.Before(p.Steps[j].M.UpdatedAt) })
	if len(p.Steps) > worklistLimit {
		p.Steps, p.Truncated = p.Steps[:worklistLimit], true
	}
	from := now.Add(-12 * time.Hour)
	p.Meetings, _, err = s.store.Meetings(ctx, store.MeetingFilter{BodyIDs: bodyIDs, From: &from, Limit: 5})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", page{Title: "Meine Arbeitsliste", Nav: "start", Orgs: names(orgs), Data: p})
}

// stepOf applies the first matching waiting step to m.
func stepOf(m *motion.Motion, a motion.Actor, steps []motion.WaitingStep) (stepEntry, bool) {
	reason, cmds, ok := motion.Waiting(m, a, steps)
	if !ok {
		return stepEntry{}, false
	}
	return stepEntry{M: *m, Reason: reason, Actions: cmds}, true
}
