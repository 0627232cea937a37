package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// MotionQuorum is how many signatures a motion of councillors of kind needs
// in body bodyID, by the body's rules (motion.DeadlineRules.Quorum: one for
// an inquiry, else a share of the council, one sixth by default, § 34 Abs.
// 1 Satz 4 GemO BW). The members are counted from the directory: the
// persons with a membership in an organization of kind council of the body
// that has begun and not ended (Berlin calendar day). A body whose
// directory lists no council members has quorum 0, which the domain
// refuses with a message that no quorum is known.
func (s *Store) MotionQuorum(ctx context.Context, bodyID string, kind motion.Kind) (int, error) {
	rules, err := s.DeadlineRules(ctx, bodyID)
	if err != nil {
		return 0, err
	}
	if kind == motion.KindInquiry {
		return rules.Quorum(kind, 0), nil
	}
	n, err := s.councilMemberCount(ctx, bodyID, time.Now())
	if err != nil {
		return 0, err
	}
	return rules.Quorum(kind, n), nil
}

// currentCouncilMembership is the condition that membership ms, of person
// p in organization o, makes p a current member of the council of body $1
// on the Berlin calendar day $2.
const currentCouncilMembership = `
	o.body_id = $1 AND o.kind = 'council' AND NOT o.deleted
	AND NOT ms.deleted AND NOT p.deleted
	AND (ms.start_date IS NULL OR ms.start_date <= $2::date)
	AND (ms.end_date IS NULL OR ms.end_date >= $2::date)`

// councilMemberCount counts the distinct current members of the body's
// council (or councils, should the directory list more than one) at at.
func (s *Store) councilMemberCount(ctx context.Context, bodyID string, at time.Time) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, `
		SELECT count(DISTINCT p.id)
		FROM memberships ms
		JOIN persons p ON p.id = ms.person_id
		JOIN organizations o ON o.id = ms.organization_id
		WHERE `+currentCouncilMembership, bodyID, berlinDay(at)).Scan(&n)
	return n, mapErr(err)
}

// CouncilMember returns person personID if it is a current member of the
// council of body bodyID, else ErrNotFound: only such persons sign a motion
// of councillors.
func (s *Store) CouncilMember(ctx context.Context, bodyID, personID string) (Person, error) {
	rows, _ := s.Pool.Query(ctx, `
		SELECT DISTINCT p.id, p.body_id, p.name, p.given_name, p.family_name, p.created, p.modified
		FROM memberships ms
		JOIN persons p ON p.id = ms.person_id
		JOIN organizations o ON o.id = ms.organization_id
		WHERE p.id = $3 AND `+currentCouncilMembership, bodyID, berlinDay(time.Now()), personID)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
	return p, mapErr(err)
}

// berlinDay is the calendar day of t in Berlin, as the date memberships
// begin and end on.
func berlinDay(t time.Time) string { return t.In(motion.Berlin).Format("2006-01-02") }

// PersonAddress is the name and e-mail address the directory has for
// person id of body bodyID (email "" when it knows none), for reminders and
// notices to a councillor in person; ErrNotFound when the body has no such
// person (any longer).
func (s *Store) PersonAddress(ctx context.Context, bodyID, id string) (name, email string, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT name, email FROM persons WHERE id = $1 AND body_id = $2 AND NOT deleted`, id, bodyID).Scan(&name, &email)
	return name, email, mapErr(err)
}
