package motion

import (
	"slices"
	"sort"
	"time"
)

// Deadlines computes the motion's open deadlines from its state and the
// calendar, earliest first. A deadline disappears as soon as what it asks for
// has happened (or can no longer happen): a decided or withdrawn motion has
// none left but the implementation report.
func Deadlines(m *Motion, cal Calendar) []Deadline {
	r := cal.Rules
	var out []Deadline
	add := func(d Deadline) {
		d.Rule, d.RuleVersion = string(d.Kind), r.Version
		out = append(out, d)
	}
	sponsors := []string{FactionAudience(m.Faction)}
	admin := AudienceAdministration
	if m.AddressedDepartment != "" {
		admin = DepartmentAudience(m.AddressedDepartment)
	}
	departments := []string{admin}
	if cal.Revision >= 2 {
		sponsors = m.SponsorAudiences()
		if ds := m.Departments(); len(ds) > 0 {
			admin, departments = DepartmentAudience(ds[0]), nil
			for _, d := range ds {
				departments = append(departments, DepartmentAudience(d))
			}
		}
	}
	with := func(first []string, more ...string) []string { return append(slices.Clone(first), more...) }
	votable := m.Kind != KindInquiry

	// Submission cut-off for the meeting a draft is aimed at.
	if m.Status == StatusDraft && m.TargetMeeting != "" && r.SubmissionCutoff > 0 {
		if mt, ok := cal.meeting(m.TargetMeeting); ok && !mt.Cancelled {
			add(Deadline{Key: string(DeadlineSubmissionCutoff) + ":" + mt.ID, Kind: DeadlineSubmissionCutoff,
				Due: r.after(mt.Start, -r.SubmissionCutoff), MeetingID: mt.ID, Audiences: with(sponsors), Expires: &mt.Start})
		}
	}

	open := m.Status == StatusSubmitted || m.Status == StatusRegistered || m.Status == StatusInConsultation
	// Agenda placement (§ 34 Abs. 1 GemO): by the N-th meeting after
	// submission of the organization that decides (the council, or a
	// committee with powers of decision), unless the motion is on that
	// organization's published agenda in time or it has dealt with it.
	if votable && open && m.SubmittedAt != nil && r.AgendaPlacementMeetings > 0 {
		if limit, ok := placementLimit(m, cal); ok && !m.placed(cal, limit) {
			add(Deadline{Key: string(DeadlineAgendaPlacement), Kind: DeadlineAgendaPlacement, Due: limit.Start,
				MeetingID: limit.ID, Audiences: []string{AudienceCouncilOffice}, Informed: with(sponsors)})
		}
	}

	// Papers to the councillors before each meeting the motion is scheduled in.
	if votable && m.Status == StatusInConsultation && r.PapersDue > 0 && len(m.Statements) == 0 {
		for _, c := range m.Consultations {
			if c.Status != ConsultationScheduled {
				continue
			}
			if mt, ok := cal.meeting(c.MeetingID); ok && !mt.Cancelled {
				add(Deadline{Key: string(DeadlinePapersDue) + ":" + mt.ID, Kind: DeadlinePapersDue,
					Due: r.after(mt.Start, -r.PapersDue), MeetingID: mt.ID,
					Audiences: []string{AudienceCouncilOffice, admin}, Expires: &mt.Start})
			}
		}
	}

	// A consultation whose meeting was cancelled is scheduled anew, at once:
	// it is due when the cancelled meeting would have begun. (A calendar of
	// revision 0 knew of cancellations, but no deadline followed from them.)
	if votable && m.Status == StatusInConsultation && cal.Revision >= 1 {
		for _, c := range m.Consultations {
			if c.Status != ConsultationScheduled {
				continue
			}
			key := string(DeadlineReschedule) + ":" + c.MeetingID
			if mt, ok := cal.meeting(c.MeetingID); ok && mt.Cancelled && !slices.ContainsFunc(out, func(d Deadline) bool { return d.Key == key }) {
				add(Deadline{Key: key, Kind: DeadlineReschedule, Due: mt.Start, MeetingID: mt.ID,
					Audiences: []string{AudienceCouncilOffice}, Informed: with(sponsors)})
			}
		}
	}

	// The administration answers an inquiry.
	if m.Kind == KindInquiry && (m.Status == StatusSubmitted || m.Status == StatusRegistered) && m.SubmittedAt != nil {
		period := r.InquiryAnswer
		if m.Fundamental {
			period = r.InquiryAnswerFundamental
		}
		if period > 0 {
			add(Deadline{Key: string(DeadlineInquiryAnswer), Kind: DeadlineInquiryAnswer,
				Due: r.after(*m.SubmittedAt, period), Audiences: []string{admin}, Informed: with(sponsors)})
		}
	}

	// The administration reports on implementing an adopted decision.
	adopted := m.Outcome != nil && m.Outcome.Result.Adopted()
	cycle := cal.Revision >= 2 && (r.ImplementationCycle > 0 || r.ImplementationCycleMonths > 0)
	if cycle && adopted && m.Status == StatusImplementation && m.DecidedAt != nil {
		// Beschlusskontrolle: a report every period until every point is
		// done or cannot be done; then the council office closes it.
		anchor := *m.DecidedAt
		if n := len(m.Reports); n > 0 {
			anchor = m.Reports[n-1].At
		}
		if m.ImplementationDone() {
			add(Deadline{Key: string(DeadlineImplementationClose), Kind: DeadlineImplementationClose,
				Due: r.after(anchor, r.closePeriod()), Audiences: []string{AudienceCouncilOffice}, Informed: with(sponsors)})
		} else {
			add(Deadline{Key: string(DeadlineImplementationReport), Kind: DeadlineImplementationReport,
				Due: r.nextReport(anchor), Audiences: with(departments, sponsors...)})
		}
	} else if adopted && (m.Status == StatusDecided || m.Status == StatusImplementation) && len(m.Reports) == 0 && m.DecidedAt != nil {
		due := m.DecidedAt.In(r.location()).AddDate(0, r.ImplementationReportMonths, 0)
		if r.ImplementationReport > 0 {
			due = r.after(*m.DecidedAt, r.ImplementationReport)
		}
		if r.ImplementationReport > 0 || r.ImplementationReportMonths > 0 {
			add(Deadline{Key: string(DeadlineImplementationReport), Kind: DeadlineImplementationReport, Due: due,
				Audiences: with(departments, sponsors...)})
		}
	}

	// A motion that does not move. During implementation the periodic
	// reports keep it moving (calendars of revision 2).
	if (open || (m.Status == StatusImplementation && cal.Revision < 2)) && r.Stale > 0 {
		add(Deadline{Key: string(DeadlineStale), Kind: DeadlineStale, Due: r.after(m.UpdatedAt, r.Stale),
			Audiences: with([]string{AudienceCouncilOffice}, sponsors...)})
	}

	// Deadlines set by hand replace the computed ones with the same key.
	for i, d := range out {
		for _, md := range m.ManualDeadlines {
			if md.Key == d.Key {
				d.Due, d.Rule, d.RuleVersion, d.Reason = md.Due, "manual", 0, md.Reason
				out[i] = d
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// placementLimit returns the meeting by which the motion must be on the
// agenda: the N-th meeting after submission, not cancelled, of the
// organization that decides it (the council's while it has no route or the
// calendar names no other). ok is false while there are not that many.
func placementLimit(m *Motion, cal Calendar) (MeetingDate, bool) {
	meetings := cal.CouncilMeetings
	if org := m.DecisiveOrganization(); cal.Revision >= 1 && org != "" && org == cal.DecisiveOrganization {
		meetings = cal.DecisiveMeetings
	}
	var next []MeetingDate
	for _, mt := range meetings {
		if !mt.Cancelled && mt.Start.After(*m.SubmittedAt) {
			next = append(next, mt)
		}
	}
	sort.Slice(next, func(i, j int) bool { return next[i].Start.Before(next[j].Start) })
	n := cal.Rules.AgendaPlacementMeetings
	if len(next) < n {
		return MeetingDate{}, false
	}
	return next[n-1], true
}

// placed reports whether the agenda placement deadline is met. Under a
// calendar of revision 1: the deciding organization has dealt with the
// motion (any result but a postponement, a referral too), or one of its
// consultations is scheduled, no later than limit, in a meeting whose
// agenda is published. Under a calendar of revision 0 (replaying a history
// recorded before) it is scheduledInCouncilBy, as it was then.
func (m *Motion) placed(cal Calendar, limit MeetingDate) bool {
	if cal.Revision < 1 {
		return m.scheduledInCouncilBy(cal, limit)
	}
	org := m.DecisiveOrganization()
	for _, c := range m.Consultations {
		if c.OrganizationID != org {
			continue
		}
		if c.Status == ConsultationDone {
			return true
		}
		if c.Status != ConsultationScheduled {
			continue
		}
		mt, ok := cal.meeting(c.MeetingID)
		if !ok && c.MeetingID == limit.ID {
			mt, ok = limit, true
		}
		if ok && mt.Published && !mt.Cancelled && !mt.Start.After(limit.Start) {
			return true
		}
	}
	return false
}

// scheduledInCouncilBy reports whether the decisive consultation is done or
// scheduled in a council meeting no later than limit: agenda placement as
// computed from calendars of revision 0.
func (m *Motion) scheduledInCouncilBy(cal Calendar, limit MeetingDate) bool {
	for _, c := range m.Consultations {
		if !c.Decisive {
			continue
		}
		if c.Status == ConsultationDone {
			return true
		}
		if c.Status != ConsultationScheduled {
			continue
		}
		if c.MeetingID == limit.ID {
			return true
		}
		if mt, ok := cal.meeting(c.MeetingID); ok && !mt.Cancelled && !mt.Start.After(limit.Start) {
			return true
		}
	}
	return false
}

// Reminders lists every reminder of a deadline under the rules: one per
// offset, then the escalations to the council office, in time order.
func Reminders(d Deadline, r DeadlineRules) []Reminder {
	due := d.Due.UTC().Format(time.RFC3339)
	var out []Reminder
	offsets := slices.Clone(r.Offsets)
	slices.Sort(offsets)
	live := func(at time.Time) bool { return d.Expires == nil || at.Before(*d.Expires) }
	for _, off := range offsets {
		if at := r.after(d.Due, off); live(at) {
			out = append(out, Reminder{
				Key: d.Key + "@" + due + "@" + off.String(), Deadline: d, Offset: off,
				At: at, Audiences: d.Audiences,
			})
		}
	}
	if r.Escalation > 0 && len(offsets) > 0 {
		last := offsets[len(offsets)-1]
		if last < 0 {
			last = 0
		}
		for k := 1; k <= r.EscalationMax; k++ {
			off := last + Duration(k)*r.Escalation
			if at := r.after(d.Due, off); live(at) {
				out = append(out, Reminder{
					Key: d.Key + "@" + due + "@" + off.String(), Deadline: d, Offset: off,
					At: at, Escalation: true, Audiences: []string{AudienceCouncilOffice},
				})
			}
		}
	}
	return out
}
