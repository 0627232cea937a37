package web

import (
	"net/http"
	"slices"
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

// stepRule says which motions wait for a step only a role can take; it is
// the API's worklist rule (GET /v1/me/worklist).
type stepRule struct {
	role     motion.Role
	statuses []motion.Status
	kinds    []motion.Kind
	cmds     []motion.CommandName
	when     func(m *motion.Motion) bool
	reason   func(m *motion.Motion, a motion.Actor) string
}

func fixed(s string) func(*motion.Motion, motion.Actor) string {
	return func(*motion.Motion, motion.Actor) string { return s }
}

var stepRules = []stepRule{
	{role: motion.RoleCouncilOffice, statuses: []motion.Status{motion.StatusSubmitted},
		cmds: []motion.CommandName{motion.CmdRegister}, reason: fixed("Eingereicht – wartet auf Registrierung")},
	{role: motion.RoleCouncilOffice, statuses: []motion.Status{motion.StatusRegistered},
		cmds: []motion.CommandName{motion.CmdSetRoute}, reason: fixed("Registriert – Beratungsfolge festlegen")},
	{role: motion.RoleCouncilOffice, statuses: []motion.Status{motion.StatusInConsultation},
		cmds: []motion.CommandName{motion.CmdSchedule}, reason: fixed("In Beratung – eine Beratung hat noch keinen Sitzungstermin"),
		when: func(m *motion.Motion) bool {
			return slices.ContainsFunc(m.Consultations, func(c motion.Consultation) bool { return c.Status == motion.ConsultationPlanned })
		}},
	{role: motion.RoleCouncilOffice, statuses: []motion.Status{motion.StatusDecided},
		cmds:   []motion.CommandName{motion.CmdStartImplementation, motion.CmdClose},
		reason: fixed("Entschieden – Umsetzung einleiten oder Vorgang abschließen")},
	{role: motion.RoleCouncilOffice, statuses: []motion.Status{motion.StatusAnswered},
		cmds: []motion.CommandName{motion.CmdClose}, reason: fixed("Beantwortet – Vorgang abschließen")},
	{role: motion.RoleFactionStaff, statuses: []motion.Status{motion.StatusDraft},
		cmds: []motion.CommandName{motion.CmdSubmit, motion.CmdEdit},
		reason: func(m *motion.Motion, a motion.Actor) string {
			if m.Faction != a.Faction {
				return "Entwurf, zu dem Ihre Fraktion als Mitantragstellerin eingeladen ist"
			}
			return "Entwurf – noch nicht eingereicht"
		}},
	{role: motion.RoleAdministration, statuses: []motion.Status{motion.StatusRegistered}, kinds: []motion.Kind{motion.KindInquiry},
		cmds: []motion.CommandName{motion.CmdRecordAnswer}, reason: fixed("Anfrage – Antwort der Verwaltung ausstehend")},
	{role: motion.RoleAdministration, statuses: []motion.Status{motion.StatusImplementation},
		cmds: []motion.CommandName{motion.CmdReportImplementation}, reason: fixed("In Umsetzung – Bericht zur Umsetzung ausstehend"),
		when: func(m *motion.Motion) bool { return len(m.Reports) == 0 }},
}

// worklistLimit bounds each section of the worklist.
const worklistLimit = 50

// audiencesOf are the reminder audiences the caller belongs to.
func audiencesOf(a motion.Actor) []string {
	var out []string
	if a.Has(motion.RoleCouncilOffice) {
		out = append(out, motion.AudienceCouncilOffice)
	}
	if a.Has(motion.RoleFactionStaff) && a.Faction != "" {
		out = append(out, motion.FactionAudience(a.Faction))
	}
	if a.Has(motion.RoleAdministration) {
		if a.Department != "" {
			out = append(out, motion.DepartmentAudience(a.Department))
		}
		out = append(out, motion.AudienceAdministration)
	}
	return out
}

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
	if aud := audiencesOf(a); len(aud) > 0 {
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
		var rules []stepRule
		f := store.MotionFilter{Viewer: a, BodyIDs: nonNilSlice(a.Bodies), Limit: store.MaxLimit}
		for _, r := range stepRules {
			if r.role == role {
				rules = append(rules, r)
				f.Statuses = append(f.Statuses, r.statuses...)
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

// stepOf applies the first matching rule to m.
func stepOf(m *motion.Motion, a motion.Actor, rules []stepRule) (stepEntry, bool) {
	allowed := motion.Allowed(m, a)
	for _, r := range rules {
		if !slices.Contains(r.statuses, m.Status) || (len(r.kinds) > 0 && !slices.Contains(r.kinds, m.Kind)) {
			continue
		}
		if r.when != nil && !r.when(m) {
			continue
		}
		var cmds []motion.CommandName
		for _, c := range r.cmds {
			if slices.Contains(allowed, c) {
				cmds = append(cmds, c)
			}
		}
		if len(cmds) == 0 {
			continue
		}
		return stepEntry{M: *m, Reason: r.reason(m, a), Actions: cmds}, true
	}
	return stepEntry{}, false
}
