package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// OrgKind is what sort of organization (OParl Organization) a row is; it
// decides where it appears: gremia on routes and meetings, factions as
// originators of motions, departments as addressees of inquiries.
type OrgKind string

// The kinds of organization.
const (
	OrgCouncil         OrgKind = "council"          // Gemeinderat / Stadtrat, the plenary
	OrgCommittee       OrgKind = "committee"        // Ausschuss
	OrgDistrictCouncil OrgKind = "district_council" // Bezirksbeirat
	OrgFaction         OrgKind = "faction"          // Fraktion
	OrgDepartment      OrgKind = "department"       // Dezernat / Fachbereich of the administration
)

// OrgKinds lists every organization kind in a stable order.
var OrgKinds = []OrgKind{OrgCouncil, OrgCommittee, OrgDistrictCouncil, OrgFaction, OrgDepartment}

// Gremia are the organization kinds that hold meetings and consult motions:
// the council, committees and district councils.
var Gremia = []OrgKind{OrgCouncil, OrgCommittee, OrgDistrictCouncil}

// Gremium reports whether k is one of Gremia.
func (k OrgKind) Gremium() bool { return slices.Contains(Gremia, k) }

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Organization is a Gremium, a faction or a department of one body. Motions
// and consultations refer to it by ID.
type Organization struct {
	ID        string
	BodyID    string
	Kind      OrgKind
	Name      string
	ShortName string
	Created   time.Time
	Modified  time.Time
}

const organizationColumns = `id, body_id, kind, name, short_name, created, modified`

// CreateOrganization stores a new organization. An empty ID is generated (a
// random UUID); an existing ID gives ErrConflict, an unknown body or kind
// ErrInvalid. Zero Created/Modified mean "now".
func (s *Store) CreateOrganization(ctx context.Context, o Organization) (Organization, error) {
	if err := o.checkTexts(); err != nil {
		return Organization{}, err
	}
	if err := o.validate(); err != nil {
		return Organization{}, err
	}
	rows, _ := s.db().Query(ctx, `
		INSERT INTO organizations (id, body_id, kind, name, short_name, created, modified)
		VALUES (coalesce(nullif($1, ''), gen_random_uuid()::text), $2, $3, $4, $5, coalesce($6, now()), coalesce($7, now()))
		RETURNING `+organizationColumns,
		o.ID, o.BodyID, o.Kind, o.Name, o.ShortName, timeOrNil(o.Created), timeOrNil(o.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organization])
	return out, mapErr(err)
}

// UpdateOrganization changes the kind, name and short name of the organization
// with o.ID; its body and creation time stay. ErrNotFound if it does not
// exist. A zero Modified means "now".
func (s *Store) UpdateOrganization(ctx context.Context, o Organization) (Organization, error) {
	if o.ID == "" {
		return Organization{}, invalidf("organization id is required")
	}
	if !o.Kind.Valid() {
		return Organization{}, invalidf("unknown organization kind %q", o.Kind)
	}
	if strings.TrimSpace(o.Name) == "" {
		return Organization{}, invalidf("organization name is required")
	}
	if err := o.checkTexts(); err != nil {
		return Organization{}, err
	}
	rows, _ := s.db().Query(ctx, `
		UPDATE organizations SET kind = $2, name = $3, short_name = $4, modified = coalesce($5, now())
		WHERE id = $1
		RETURNING `+organizationColumns,
		o.ID, o.Kind, o.Name, o.ShortName, timeOrNil(o.Modified))
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organization])
	return out, mapErr(err)
}

// Organization returns the organization with id, or ErrNotFound.
func (s *Store) Organization(ctx context.Context, id string) (Organization, error) {
	rows, _ := s.db().Query(ctx, `SELECT `+organizationColumns+` FROM organizations WHERE id = $1`, id)
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organization])
	return o, mapErr(err)
}

// Organizations lists the organizations of a body ordered by kind and name,
// only those of kind when kind is not "" (e.g. the factions for a picker).
func (s *Store) Organizations(ctx context.Context, bodyID string, kind OrgKind) ([]Organization, error) {
	rows, _ := s.db().Query(ctx, `
		SELECT `+organizationColumns+` FROM organizations
		WHERE body_id = $1 AND ($2 = '' OR kind = $2) AND NOT deleted
		ORDER BY kind, name, id`, bodyID, string(kind))
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Organization])
	return out, mapErr(err)
}

// checkTexts refuses names a user typed that one-line formats cannot carry;
// imported organizations are not refused for them.
func (o Organization) checkTexts() error {
	if err := motion.CheckLine("name", "Der Name", o.Name, motion.MaxShort, false); err != nil {
		return err
	}
	return motion.CheckLine("short_name", "Die Kurzbezeichnung", o.ShortName, motion.MaxShort, false)
}

func (o Organization) validate() error {
	if strings.TrimSpace(o.BodyID) == "" {
		return invalidf("organization body is required")
	}
	if !o.Kind.Valid() {
		return invalidf("unknown organization kind %q", o.Kind)
	}
	if strings.TrimSpace(o.Name) == "" {
		return invalidf("organization name is required")
	}
	return nil
}
