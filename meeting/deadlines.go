package meeting

import (
	"sort"

	"github.com/motionflow/motionflow/motion"
)

// Deadlines computes the open deadlines of the meeting's own process under
// the body's rules, earliest first. Each goes to the council office, is keyed
// "<kind>:<meeting id>" and disappears as soon as what it asks for has
// happened (or can no longer happen):
//
//   - invitation_due (motion.DeadlineInvitationDue): while the meeting is
//     planned, the invitation with the agenda is due InvitationDue before
//     the start; it is gone once the invitation is published or the meeting
//     cancelled, and no reminder goes out from the start on. The papers of
//     the administration (items of kind paper) go out with the invitation,
//     so putting them on the agenda in time is part of this deadline and has
//     none of its own: the meeting knows of a paper only its agenda item.
//   - decisions_published (motion.DeadlineDecisionsPublished): once the
//     session is closed and its public part decided anything, the decisions
//     are due DecisionsPublished after the start (§ 41b GemO BW); gone once
//     the minutes are published.
//   - minutes_due (motion.DeadlineMinutesDue): once the session is closed,
//     the minutes are due MinutesDueMonths calendar months after the start
//     (§ 38 GemO BW); gone once they are approved.
//
// A rule of zero (rules stored before these deadlines existed) turns its
// deadline off. Deadlines is pure: the workflow calls it after every
// transition.
func Deadlines(m Meeting, r motion.DeadlineRules) []motion.Deadline {
	if m.Start.IsZero() || !m.status().Watched() {
		return nil
	}
	var out []motion.Deadline
	add := func(kind motion.DeadlineKind, d motion.Deadline) {
		d.Key, d.Kind, d.MeetingID = string(kind)+":"+m.ID, kind, m.ID
		d.Rule, d.RuleVersion = string(kind), r.Version
		d.Audiences = []string{motion.AudienceCouncilOffice}
		out = append(out, d)
	}
	start := m.Start
	switch m.status() {
	case StatusPlanned:
		if r.InvitationDue > 0 {
			add(motion.DeadlineInvitationDue, motion.Deadline{Due: r.After(start, -r.InvitationDue), Expires: &start})
		}
	case StatusHeld, StatusMinutesApproved:
		if r.DecisionsPublished > 0 && m.MinutesPublishedAt == nil && m.publicDecisions() {
			add(motion.DeadlineDecisionsPublished, motion.Deadline{Due: r.After(start, r.DecisionsPublished)})
		}
		if r.MinutesDueMonths > 0 && m.MinutesApprovedAt == nil && m.status() == StatusHeld {
			add(motion.DeadlineMinutesDue, motion.Deadline{Due: r.AfterMonths(start, r.MinutesDueMonths)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// Watched reports whether a meeting in status s can have deadlines of its
// own (see Deadlines): planned, held, or with approved minutes not yet
// published. The workflow loads the body's rules only then.
func (s Status) Watched() bool {
	switch s {
	case StatusPlanned, "", StatusHeld, StatusMinutesApproved:
		return true
	}
	return false
}

// publicDecisions reports whether the public part decided an item: only
// then is there anything to publish under § 41b GemO BW.
func (m Meeting) publicDecisions() bool {
	for _, it := range m.Agenda {
		if it.Public && it.Status == ItemDecided {
			return true
		}
	}
	return false
}
