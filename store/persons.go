package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Person is a councillor or other member of an organization (OParl Person).
// Named votes and memberships refer to it.
type Person struct {
	ID         string
	BodyID     string
	Name       string
	GivenName  string
	FamilyName string
	Created    time.Time
	Modified   time.Time
}

// Membership says that a person belongs to an organization in a role
// ("Vorsitzende", "Mitglied") for a period; an open End means "still".
type Membership struct {
	ID             string
	PersonID       string
	OrganizationID string
	Role           string
	Start          *time.Time
	End            *time.Time
	Created        time.Time
	Modified       time.Time
}

// Member is a person with the membership that makes it a member of an organization.
type Member struct {
	Person     Person
	Membership Membership
}

const personColumns = `id, body_id, name, given_name, family_name, created, modified`

// CreatePerson stores a new person. An empty ID is generated; an existing ID
// gives ErrConflict, an unknown body ErrInvalid. An empty Name is made from
// GivenName and FamilyName.
func (s *Store) CreatePerson(ctx context.Context, p Person) (Person, error) {
	if strings.TrimSpace(p.Name) == "" {
		p.Name = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	}
	if p.Name == "" {
		return Person{}, invalidf("person name is required")
	}
	if strings.TrimSpace(p.BodyID) == "" {
		return Person{}, invalidf("person body is required")
	}
	rows, _ := s.db().Query(ctx, `
		INSERT INTO persons (id, body_id, name, given_name, family_name, created, modified)
		VALUES (coalesce(nullif($1, ''), gen_random_uuid()::text), $2, $3, $4, $5, coalesce($6, now()), coalesce($7, now()))
		RETURNING `+personColumns,
		p.ID, p.BodyID, p.Name, p.GivenName, p.FamilyName, timeOrNil(p.Created), timeOrNil(p.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
	return out, mapErr(err)
}

// Person returns the person with id, or ErrNotFound.
func (s *Store) Person(ctx context.Context, id string) (Person, error) {
	rows, _ := s.db().Query(ctx, `SELECT `+personColumns+` FROM persons WHERE id = $1`, id)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
	return p, mapErr(err)
}

const membershipColumns = `id, person_id, organization_id, role, start_date AS start, end_date AS "end", created, modified`

// AddMembership makes a person a member of an organization. Both must exist
// and belong to the same body (ErrInvalid otherwise). An empty ID is generated.
func (s *Store) AddMembership(ctx context.Context, m Membership) (Membership, error) {
	if m.PersonID == "" || m.OrganizationID == "" {
		return Membership{}, invalidf("membership needs a person and an organization")
	}
	if m.Start != nil && m.End != nil && m.End.Before(*m.Start) {
		return Membership{}, invalidf("membership ends before it starts")
	}
	rows, _ := s.db().Query(ctx, `
		INSERT INTO memberships (id, body_id, person_id, organization_id, role, start_date, end_date, created, modified)
		SELECT coalesce(nullif($1, ''), gen_random_uuid()::text), p.body_id, p.id, $3, $4, $5, $6, coalesce($7, now()), coalesce($8, now())
		FROM persons p WHERE p.id = $2
		RETURNING `+membershipColumns,
		m.ID, m.PersonID, m.OrganizationID, m.Role, m.Start, m.End, timeOrNil(m.Created), timeOrNil(m.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Membership])
	if errors.Is(err, pgx.ErrNoRows) {
		return Membership{}, invalidf("person %q does not exist", m.PersonID)
	}
	return out, mapErr(err)
}

// Members lists the members of an organization (current and former) with
// their memberships, ordered by family name, given name and start.
func (s *Store) Members(ctx context.Context, organizationID string) ([]Member, error) {
	rows, _ := s.db().Query(ctx, `
		SELECT p.id, p.body_id, p.name, p.given_name, p.family_name, p.created, p.modified,
		       m.id, m.person_id, m.organization_id, m.role, m.start_date, m.end_date, m.created, m.modified
		FROM memberships m JOIN persons p ON p.id = m.person_id
		WHERE m.organization_id = $1 AND NOT m.deleted AND NOT p.deleted
		ORDER BY p.family_name, p.given_name, p.name, m.start_date NULLS FIRST, m.id`, organizationID)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Member, error) {
		var x Member
		p, m := &x.Person, &x.Membership
		err := row.Scan(&p.ID, &p.BodyID, &p.Name, &p.GivenName, &p.FamilyName, &p.Created, &p.Modified,
			&m.ID, &m.PersonID, &m.OrganizationID, &m.Role, &m.Start, &m.End, &m.Created, &m.Modified)
		return x, err
	})
	return out, mapErr(err)
}

// UpdatePerson changes the name, given name and family name of the person
// with p.ID; its body and creation time stay. ErrNotFound if it does not
// exist. An empty Name is made from GivenName and FamilyName.
func (s *Store) UpdatePerson(ctx context.Context, p Person) (Person, error) {
	if strings.TrimSpace(p.Name) == "" {
		p.Name = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	}
	if p.ID == "" || p.Name == "" {
		return Person{}, invalidf("person id and name are required")
	}
	rows, _ := s.db().Query(ctx, `
		UPDATE persons SET name = $2, given_name = $3, family_name = $4, modified = coalesce($5, now())
		WHERE id = $1
		RETURNING `+personColumns,
		p.ID, p.Name, p.GivenName, p.FamilyName, timeOrNil(p.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
	return out, mapErr(err)
}

// PersonEmail returns the e-mail address of the person with id ("" when
// none is set): invitations to the meetings of its organizations go there.
func (s *Store) PersonEmail(ctx context.Context, id string) (string, error) {
	var email string
	err := s.db().QueryRow(ctx, `SELECT email FROM persons WHERE id = $1`, id).Scan(&email)
	return email, mapErr(err)
}

// SetPersonEmail sets the e-mail address of the person with id ("" removes
// it). ErrNotFound if the person does not exist.
func (s *Store) SetPersonEmail(ctx context.Context, id, email string) error {
	var got string
	err := s.db().QueryRow(ctx, `UPDATE persons SET email = $2, modified = now() WHERE id = $1 RETURNING id`, id, email).Scan(&got)
	return mapErr(err)
}

// Membership returns the membership with id, or ErrNotFound.
func (s *Store) Membership(ctx context.Context, id string) (Membership, error) {
	rows, _ := s.db().Query(ctx, `SELECT `+membershipColumns+` FROM memberships WHERE id = $1`, id)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Membership])
	return m, mapErr(err)
}

// UpdateMembership changes the organization, role and period of the
// membership with m.ID; its person and creation time stay. ErrNotFound if it
// does not exist; an organization of another body is ErrInvalid.
func (s *Store) UpdateMembership(ctx context.Context, m Membership) (Membership, error) {
	if m.ID == "" || m.OrganizationID == "" {
		return Membership{}, invalidf("membership id and organization are required")
	}
	if m.Start != nil && m.End != nil && m.End.Before(*m.Start) {
		return Membership{}, invalidf("membership ends before it starts")
	}
	rows, _ := s.db().Query(ctx, `
		UPDATE memberships SET organization_id = $2, role = $3, start_date = $4, end_date = $5, modified = coalesce($6, now())
		WHERE id = $1
		RETURNING `+membershipColumns,
		m.ID, m.OrganizationID, m.Role, m.Start, m.End, timeOrNil(m.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Membership])
	return out, mapErr(err)
}
