package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/motionflow/motionflow/motion"
)

// NamesReferences reports whether cmd names organizations, meetings,
// factions or other motions, which CheckReferences looks up in the
// directory; for any other command it has nothing to check.
func NamesReferences(cmd motion.Command) bool {
	switch cmd.(type) {
	case motion.Create, motion.Edit, motion.Submit, motion.SetRoute, motion.Schedule,
		motion.RecordResult, motion.CorrectResult, motion.RecordOutcome, motion.InviteCosponsor,
		motion.EnterSubmission, motion.SetDepartments, motion.Register:
		return true
	}
	return false
}

// CheckReferences refuses a command that names what is not there in the
// motion's body: a route step or a referral to an organization that is no
// Gremium of the body, a meeting that is not the body's, is cancelled or
// belongs to another Gremium than the consultation, a co-sponsor or a row of
// a per-faction vote that is no faction of the body, a named vote for a
// person who is not the body's, an addressed department (created, edited or
// submitted) that is no department of the body, a lead or involved
// department (set at registration or later) that is no department of the
// body, a link to a motion that viewer cannot see, the faction or committee
// a paper submission was entered for that is no such organization of the
// body, a signer of a motion of councillors who is no current member of
// the body's council, or a budget cycle a budget motion names (created,
// edited or entered) that is no cycle of a body that has any. A councillor
// who creates a motion of councillors but is no current member of the
// council is refused with CodeForbidden. The
// domain cannot know the directory, so the API and the web pages ask here
// before they send the command. The refusal is a *motion.Error (CodeInvalid)
// with one German field error per bad name, the fields spelt as the domain
// spells them ("steps[1].organization_id", "meeting_id", "links[0].motion_id");
// like every refusal it does not repeat the value sent: the field names it.
//
// It speaks only when the domain would let viewer run cmd on m at version now
// (motion.Permit), so that every other refusal (not found, forbidden, stale
// version, wrong status) still comes from the workflow with its own status.
// A blank meeting, faction or route step is left to the domain's validation,
// which says it is missing; an empty referral or link motion names none. A name
// that cannot be looked up at all (ErrInvalid) is not there either. Other
// errors are the database's.
func (s *Store) CheckReferences(ctx context.Context, m *motion.Motion, cmd motion.Command, viewer motion.Actor, version int64) error {
	if !NamesReferences(cmd) {
		return nil
	}
	if _, err := motion.Permit(m, cmd.Name(), viewer, version); err != nil {
		return nil
	}
	var c refChecks
	switch cmd := cmd.(type) {
	case motion.Create:
		if err := s.checkDepartment(ctx, &c, cmd.BodyID, cmd.AddressedDepartment, "addressed_department"); err != nil {
			return err
		}
		if err := s.checkBudgetCycle(ctx, &c, cmd.BodyID, cmd.Kind, cmd.BudgetCycle); err != nil {
			return err
		}
		if viewer.InPerson() {
			if _, err := s.CouncilMember(ctx, cmd.BodyID, viewer.Person); absent(err) {
				return &motion.Error{Code: motion.CodeForbidden, Message: "Sie sind nicht als Mitglied des Gemeinderats dieser Körperschaft verzeichnet; bitte wenden Sie sich an das Ratsbüro."}
			} else if err != nil {
				return err
			}
			if err := s.checkSigners(ctx, &c, cmd.BodyID, cmd.Signers); err != nil {
				return err
			}
		}
	case motion.EnterSubmission:
		if err := s.checkDepartment(ctx, &c, cmd.BodyID, cmd.AddressedDepartment, "addressed_department"); err != nil {
			return err
		}
		if err := s.checkBudgetCycle(ctx, &c, cmd.BodyID, cmd.Kind, cmd.BudgetCycle); err != nil {
			return err
		}
		if err := s.checkOriginator(ctx, &c, cmd); err != nil {
			return err
		}
	case motion.Edit:
		if err := s.checkDepartment(ctx, &c, m.BodyID, cmd.AddressedDepartment, "addressed_department"); err != nil {
			return err
		}
		if err := s.checkBudgetCycle(ctx, &c, m.BodyID, m.Kind, cmd.BudgetCycle); err != nil {
			return err
		}
	case motion.Submit:
		// A draft stored before the check, or whose department was
		// removed since, is not submitted to nobody.
		if err := s.checkDepartment(ctx, &c, m.BodyID, m.AddressedDepartment, "addressed_department"); err != nil {
			return err
		}
	case motion.SetDepartments:
		if err := s.checkDepartments(ctx, &c, m.BodyID, cmd.Lead, "lead", cmd.Involved, "involved"); err != nil {
			return err
		}
	case motion.Register:
		if err := s.checkDepartments(ctx, &c, m.BodyID, cmd.LeadDepartment, "lead_department", cmd.InvolvedDepartments, "involved_departments"); err != nil {
			return err
		}
	case motion.SetRoute:
		for i, st := range cmd.Steps {
			if blank(st.OrganizationID) {
				continue
			}
			if err := s.checkGremium(ctx, &c, m.BodyID, st.OrganizationID, fmt.Sprintf("steps[%d].organization_id", i)); err != nil {
				return err
			}
		}
	case motion.Schedule:
		if err := s.checkMeeting(ctx, &c, m, cmd); err != nil {
			return err
		}
	case motion.RecordResult:
		if err := s.checkResult(ctx, &c, m, viewer, cmd.ResultInput); err != nil {
			return err
		}
	case motion.CorrectResult:
		if err := s.checkResult(ctx, &c, m, viewer, cmd.ResultInput); err != nil {
			return err
		}
	case motion.RecordOutcome:
		if err := s.checkLinks(ctx, &c, viewer, cmd.Links); err != nil {
			return err
		}
	case motion.InviteCosponsor:
		if blank(cmd.Faction) {
			break
		}
		o, err := s.Organization(ctx, cmd.Faction)
		switch {
		case absent(err) || (err == nil && (o.BodyID != m.BodyID || o.Kind != OrgFaction)):
			c.add("faction", "Diese Fraktion gibt es in dieser Körperschaft nicht.")
		case err != nil:
			return err
		}
	}
	return c.err()
}

// CheckGremium refuses (a *motion.Error naming field) an organization id
// that is not a council, committee or district council of body bodyID: the
// organization of a new meeting, a consultation or a referral.
func (s *Store) CheckGremium(ctx context.Context, bodyID, orgID, field string) error {
	var c refChecks
	if blank(orgID) {
		c.add(field, "Das Gremium fehlt.")
		return c.err()
	}
	if err := s.checkGremium(ctx, &c, bodyID, orgID, field); err != nil {
		return err
	}
	return c.err()
}

// refChecks collects the field errors of CheckReferences.
type refChecks []motion.FieldError

func (c *refChecks) add(field, msg string) {
	*c = append(*c, motion.FieldError{Field: field, Message: msg})
}

func (c refChecks) err() error {
	if len(c) == 0 {
		return nil
	}
	return &motion.Error{Code: motion.CodeInvalid, Message: "Die Angaben sind unvollständig oder ungültig.", Fields: c}
}

// checkBudgetCycle refuses the budget cycle a budget motion names (by id or
// name) when it is no cycle of the body, so that the motion does not
// silently miss the cycle's list. A body without any cycle keeps free text;
// a blank name is the domain's to refuse.
func (s *Store) checkBudgetCycle(ctx context.Context, c *refChecks, bodyID string, kind motion.Kind, name string) error {
	if kind != motion.KindBudgetMotion || blank(name) {
		return nil
	}
	_, err := s.BudgetCycleFor(ctx, bodyID, name)
	if err == nil {
		return nil
	}
	if !absent(err) {
		return err
	}
	cycles, err := s.BudgetCycles(ctx, bodyID)
	if err != nil {
		return err
	}
	if len(cycles) > 0 {
		c.add("budget_cycle", "Diese Haushaltsberatung gibt es in dieser Körperschaft nicht; bitte wählen Sie eine der vom Ratsbüro angelegten Haushaltsberatungen.")
	}
	return nil
}

// checkGremium refuses an organization that is not a Gremium of the body;
// "" names none (an optional referral).
func (s *Store) checkGremium(ctx context.Context, c *refChecks, bodyID, orgID, field string) error {
	if orgID == "" {
		return nil
	}
	o, err := s.Organization(ctx, orgID)
	switch {
	case absent(err) || (err == nil && o.BodyID != bodyID):
		c.add(field, "Dieses Gremium gibt es in dieser Körperschaft nicht.")
	case err != nil:
		return err
	case !o.Kind.Gremium():
		c.add(field, "Das ist kein Gremium; bitte wählen Sie den Gemeinderat, einen Ausschuss oder einen Bezirksbeirat.")
	}
	return nil
}

// checkMeeting refuses a meeting that is not in the motion's body, is
// cancelled, or belongs to another organization than the consultation.
func (s *Store) checkMeeting(ctx context.Context, c *refChecks, m *motion.Motion, cmd motion.Schedule) error {
	if blank(cmd.MeetingID) {
		return nil
	}
	mt, err := s.Meeting(ctx, cmd.MeetingID)
	switch {
	case absent(err) || (err == nil && mt.BodyID != m.BodyID):
		c.add("meeting_id", "Diese Sitzung gibt es in dieser Körperschaft nicht.")
	case err != nil:
		return err
	case mt.Cancelled:
		c.add("meeting_id", "Die Sitzung ist abgesagt.")
	default:
		if k := m.Consultation(cmd.ConsultationID); k != nil && mt.OrganizationID != "" && mt.OrganizationID != k.OrganizationID {
			c.add("meeting_id", fmt.Sprintf("Die Sitzung gehört nicht zum Gremium der Beratung %s (%s).", k.ID, k.OrganizationID))
		}
	}
	return nil
}

func (s *Store) checkResult(ctx context.Context, c *refChecks, m *motion.Motion, viewer motion.Actor, in motion.ResultInput) error {
	if err := s.checkGremium(ctx, c, m.BodyID, in.ReferredTo, "referred_to"); err != nil {
		return err
	}
	if err := s.checkVote(ctx, c, m.BodyID, in.Vote); err != nil {
		return err
	}
	return s.checkLinks(ctx, c, viewer, in.Links)
}

// checkVote refuses a row of a per-faction vote that names no faction of the
// body, and a named vote with a person id that is no person of the body (a
// named vote without one names its member by name only).
func (s *Store) checkVote(ctx context.Context, c *refChecks, bodyID string, v *motion.Vote) error {
	if v == nil {
		return nil
	}
	for i, fv := range v.ByFaction {
		if blank(fv.OrganizationID) {
			continue
		}
		o, err := s.Organization(ctx, fv.OrganizationID)
		switch {
		case absent(err) || (err == nil && (o.BodyID != bodyID || o.Kind != OrgFaction)):
			c.add(fmt.Sprintf("vote.by_faction[%d].organization_id", i), "Diese Fraktion gibt es in dieser Körperschaft nicht.")
		case err != nil:
			return err
		}
	}
	for i, nv := range v.Named {
		if blank(nv.PersonID) {
			continue
		}
		p, err := s.Person(ctx, nv.PersonID)
		switch {
		case absent(err) || (err == nil && p.BodyID != bodyID):
			c.add(fmt.Sprintf("vote.named[%d].person_id", i), "Diese Person gibt es in dieser Körperschaft nicht.")
		case err != nil:
			return err
		}
	}
	return nil
}

// checkDepartment refuses a department (addressed, lead or involved, named
// by field) that is no department of the body: the motion would belong to
// no department of the administration. "" names none.
func (s *Store) checkDepartment(ctx context.Context, c *refChecks, bodyID, orgID, field string) error {
	if blank(orgID) {
		return nil
	}
	o, err := s.Organization(ctx, orgID)
	switch {
	case absent(err) || (err == nil && (o.BodyID != bodyID || o.Kind != OrgDepartment)):
		c.add(field, "Dieses Dezernat oder diesen Fachbereich gibt es in dieser Körperschaft nicht.")
	case err != nil:
		return err
	}
	return nil
}

// checkDepartments checks the lead department (field lead) and each
// involved one (field involved[i]) of SetDepartments or Register.
func (s *Store) checkDepartments(ctx context.Context, c *refChecks, bodyID, lead, leadField string, involved []string, involvedField string) error {
	if err := s.checkDepartment(ctx, c, bodyID, lead, leadField); err != nil {
		return err
	}
	for i, d := range involved {
		if err := s.checkDepartment(ctx, c, bodyID, d, fmt.Sprintf("%s[%d]", involvedField, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkSigners refuses a signer (field signers[i].person_id) who is no
// current member of the body's council; a blank person is left to the
// domain, which says it is missing.
func (s *Store) checkSigners(ctx context.Context, c *refChecks, bodyID string, signers []motion.Signer) error {
	for i, sg := range signers {
		if blank(sg.PersonID) {
			continue
		}
		_, err := s.CouncilMember(ctx, bodyID, strings.TrimSpace(sg.PersonID))
		switch {
		case absent(err):
			c.add(fmt.Sprintf("signers[%d].person_id", i), "Diese Person ist kein Mitglied des Gemeinderats.")
		case err != nil:
			return err
		}
	}
	return nil
}

// checkOriginator refuses the organization of a paper submission that is
// not a faction (originator faction) or committee (originator committee) of
// the body, and signers of a submission of councillors who are no council
// members. A missing organization or an unknown originator is the
// domain's to refuse.
func (s *Store) checkOriginator(ctx context.Context, c *refChecks, cmd motion.EnterSubmission) error {
	switch cmd.Originator {
	case motion.OriginatorCouncillors:
		return s.checkSigners(ctx, c, cmd.BodyID, cmd.Signers)
	case motion.OriginatorFaction, motion.OriginatorCommittee, motion.OriginatorAdministration:
		if blank(cmd.Organization) {
			return nil
		}
		want, msg := OrgFaction, "Diese Fraktion gibt es in dieser Körperschaft nicht."
		switch cmd.Originator {
		case motion.OriginatorCommittee:
			want, msg = OrgCommittee, "Diesen Ausschuss gibt es in dieser Körperschaft nicht."
		case motion.OriginatorAdministration:
			want, msg = OrgDepartment, "Dieses Dezernat gibt es in dieser Körperschaft nicht."
		}
		o, err := s.Organization(ctx, strings.TrimSpace(cmd.Organization))
		switch {
		case absent(err) || (err == nil && (o.BodyID != cmd.BodyID || o.Kind != want)):
			c.add("organization", msg)
		case err != nil:
			return err
		}
	}
	return nil
}

// checkLinks refuses a link to a motion that viewer cannot see.
func (s *Store) checkLinks(ctx context.Context, c *refChecks, viewer motion.Actor, ls []motion.Link) error {
	for i, l := range ls {
		if l.MotionID == "" {
			continue
		}
		other, err := s.Motion(ctx, l.MotionID)
		switch {
		case absent(err) || (err == nil && !other.VisibleTo(viewer)):
			c.add(fmt.Sprintf("links[%d].motion_id", i), "Diesen Antrag gibt es nicht, oder Sie dürfen ihn nicht sehen.")
		case err != nil:
			return err
		}
	}
	return nil
}

// absent reports whether a lookup found nothing, or could not even look
// (a name the database refuses, such as one with a NUL byte).
func absent(err error) bool { return errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) }

func blank(id string) bool { return strings.TrimSpace(id) == "" }
