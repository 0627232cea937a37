package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file holds the writes of the OParl importer (package importer): it
// records which local row each OParl object became (oparl_sources), writes a
// row only when the imported object differs from it, and marks rows whose
// object the source deleted. The OParl endpoint's reads are in oparl.go.

// OParlKind is the kind of local row an OParl object is imported into.
type OParlKind string

// The kinds of imported rows.
const (
	OParlKindBody            OParlKind = "body"
	OParlKindOrganization    OParlKind = "organization"
	OParlKindPerson          OParlKind = "person"
	OParlKindMembership      OParlKind = "membership"
	OParlKindLegislativeTerm OParlKind = "legislative_term"
	OParlKindMeeting         OParlKind = "meeting"
)

// table is the table rows of the kind live in.
func (k OParlKind) table() (string, bool) {
	switch k {
	case OParlKindBody:
		return "bodies", true
	case OParlKindOrganization:
		return "organizations", true
	case OParlKindPerson:
		return "persons", true
	case OParlKindMembership:
		return "memberships", true
	case OParlKindLegislativeTerm:
		return "legislative_terms", true
	case OParlKindMeeting:
		return "meetings", true
	case OParlKindPaper:
		return "papers", true
	case OParlKindConsultation:
		return "paper_consultations", true
	case OParlKindAgendaItem:
		return "agenda_items", true
	case OParlKindFile:
		return "paper_files", true
	}
	return "", false
}

// ImportResult says what an import write did.
type ImportResult string

// The results of an import write.
const (
	ImportCreated   ImportResult = "created"
	ImportUpdated   ImportResult = "updated"
	ImportUnchanged ImportResult = "unchanged"
)

// ResolveOParlID returns the local id of the row imported from the OParl
// object oparlID. The first import of an object takes the first of the
// candidates that no other row of the kind uses (imported or not) and
// records the choice, so that every later import finds the same row. It is
// ErrInvalid if every candidate is taken.
func (s *Store) ResolveOParlID(ctx context.Context, kind OParlKind, oparlID, bodyID string, candidates ...string) (string, error) {
	table, ok := kind.table()
	if !ok {
		return "", invalidf("unknown import kind %q", kind)
	}
	if strings.TrimSpace(oparlID) == "" {
		return "", invalidf("OParl id is required")
	}
	var local string
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT local_id FROM oparl_sources WHERE oparl_id = $1`, oparlID).Scan(&local)
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		for _, c := range candidates {
			if c == "" {
				continue
			}
			var taken bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM oparl_sources WHERE kind = $1 AND local_id = $2)
				OR EXISTS (SELECT 1 FROM `+table+` WHERE id = $2)`, string(kind), c).Scan(&taken); err != nil {
				return err
			}
			if taken {
				continue
			}
			local = c
			_, err := tx.Exec(ctx, `INSERT INTO oparl_sources (oparl_id, kind, local_id, body_id) VALUES ($1, $2, $3, $4)`,
				oparlID, string(kind), c, bodyID)
			return err
		}
		return invalidf("no free local id for %s %s (tried %v)", kind, oparlID, candidates)
	})
	return local, mapErr(err)
}

// OParlImported returns the kind and local id of the row imported from the
// OParl object oparlID, or ErrNotFound if it was never imported.
func (s *Store) OParlImported(ctx context.Context, oparlID string) (OParlKind, string, error) {
	var kind, local string
	err := s.Pool.QueryRow(ctx, `SELECT kind, local_id FROM oparl_sources WHERE oparl_id = $1`, oparlID).Scan(&kind, &local)
	return OParlKind(kind), local, mapErr(err)
}

// importRow runs an upsert that returns (xmax = 0) for an inserted row and no
// row when nothing changed.
func (s *Store) importRow(ctx context.Context, sql string, args ...any) (ImportResult, error) {
	var inserted bool
	err := s.Pool.QueryRow(ctx, sql, args...).Scan(&inserted)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ImportUnchanged, nil
	case err != nil:
		return "", mapErr(err)
	case inserted:
		return ImportCreated, nil
	}
	return ImportUpdated, nil
}

// ImportBody creates or updates an imported body and un-deletes it. created
// is the source's creation time (zero: now); modified is always now when
// the row changes, so that OParl clients of this system see the change.
// Nothing is written when nothing changed.
func (s *Store) ImportBody(ctx context.Context, b Body) (ImportResult, error) {
	if b.ID == "" || strings.TrimSpace(b.Name) == "" {
		return "", invalidf("body id and name are required")
	}
	return s.importRow(ctx, `
		INSERT INTO bodies AS t (id, name, short_name, created, modified)
		VALUES ($1, $2, $3, coalesce($4, now()), now())
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, short_name = excluded.short_name,
			modified = now(), deleted = false
		WHERE (t.name, t.short_name, t.deleted) IS DISTINCT FROM (excluded.name, excluded.short_name, false)
		RETURNING (xmax = 0)`, b.ID, b.Name, b.ShortName, timeOrNil(b.Created))
}

// ImportOrganization creates or updates an imported organization (see ImportBody).
func (s *Store) ImportOrganization(ctx context.Context, o Organization) (ImportResult, error) {
	if err := o.validate(); err != nil {
		return "", err
	}
	if o.ID == "" {
		return "", invalidf("organization id is required")
	}
	return s.importRow(ctx, `
		INSERT INTO organizations AS t (id, body_id, kind, name, short_name, created, modified)
		VALUES ($1, $2, $3, $4, $5, coalesce($6, now()), now())
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, short_name = excluded.short_name,
			modified = now(), deleted = false
		WHERE (t.kind, t.name, t.short_name, t.deleted) IS DISTINCT FROM (excluded.kind, excluded.name, excluded.short_name, false)
		RETURNING (xmax = 0)`, o.ID, o.BodyID, string(o.Kind), o.Name, o.ShortName, timeOrNil(o.Created))
}

// ImportPerson creates or updates an imported person (see ImportBody).
func (s *Store) ImportPerson(ctx context.Context, p Person) (ImportResult, error) {
	if strings.TrimSpace(p.Name) == "" {
		p.Name = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	}
	if p.ID == "" || p.BodyID == "" || p.Name == "" {
		return "", invalidf("person id, body and name are required")
	}
	return s.importRow(ctx, `
		INSERT INTO persons AS t (id, body_id, name, given_name, family_name, created, modified)
		VALUES ($1, $2, $3, $4, $5, coalesce($6, now()), now())
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, given_name = excluded.given_name,
			family_name = excluded.family_name, modified = now(), deleted = false
		WHERE (t.name, t.given_name, t.family_name, t.deleted) IS DISTINCT FROM
			(excluded.name, excluded.given_name, excluded.family_name, false)
		RETURNING (xmax = 0)`, p.ID, p.BodyID, p.Name, p.GivenName, p.FamilyName, timeOrNil(p.Created))
}

// ImportMembership creates or updates an imported membership (see
// ImportBody). Its person and organization must exist in the same body
// (ErrInvalid otherwise).
func (s *Store) ImportMembership(ctx context.Context, m Membership) (ImportResult, error) {
	if m.ID == "" || m.PersonID == "" || m.OrganizationID == "" {
		return "", invalidf("membership id, person and organization are required")
	}
	if m.Start != nil && m.End != nil && m.End.Before(*m.Start) {
		return "", invalidf("membership ends before it starts")
	}
	res, err := s.importRow(ctx, `
		INSERT INTO memberships AS t (id, body_id, person_id, organization_id, role, start_date, end_date, created, modified)
		SELECT $1, p.body_id, p.id, $3, $4, $5, $6, coalesce($7, now()), now() FROM persons p WHERE p.id = $2
		ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id, organization_id = excluded.organization_id,
			role = excluded.role, start_date = excluded.start_date, end_date = excluded.end_date,
			modified = now(), deleted = false
		WHERE (t.person_id, t.organization_id, t.role, t.start_date, t.end_date, t.deleted) IS DISTINCT FROM
			(excluded.person_id, excluded.organization_id, excluded.role, excluded.start_date, excluded.end_date, false)
		RETURNING (xmax = 0)`, m.ID, m.PersonID, m.OrganizationID, m.Role, m.Start, m.End, timeOrNil(m.Created))
	if res == ImportUnchanged {
		// No row: either nothing changed or the person does not exist.
		if _, err := s.Person(ctx, m.PersonID); errors.Is(err, ErrNotFound) {
			return "", invalidf("person %q does not exist", m.PersonID)
		}
	}
	return res, err
}

// ImportLegislativeTerm creates or updates an imported legislative term (see ImportBody).
func (s *Store) ImportLegislativeTerm(ctx context.Context, t OParlLegislativeTerm) (ImportResult, error) {
	if t.ID == "" || t.BodyID == "" {
		return "", invalidf("legislative term id and body are required")
	}
	if t.Start != nil && t.End != nil && t.End.Before(*t.Start) {
		return "", invalidf("legislative term ends before it starts")
	}
	return s.importRow(ctx, `
		INSERT INTO legislative_terms AS t (id, body_id, name, start_date, end_date, created, modified)
		VALUES ($1, $2, $3, $4::date, $5::date, coalesce($6, now()), now())
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, start_date = excluded.start_date,
			end_date = excluded.end_date, modified = now(), deleted = false
		WHERE (t.name, t.start_date, t.end_date, t.deleted) IS DISTINCT FROM
			(excluded.name, excluded.start_date, excluded.end_date, false)
		RETURNING (xmax = 0)`, t.ID, t.BodyID, t.Name, oparlDate(t.Start), oparlDate(t.End), timeOrNil(t.Created))
}

// oparlDate passes the calendar date of t (in t's own location) to PostgreSQL.
func oparlDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := t.Format(time.DateOnly)
	return &d
}

// ImportMeeting creates or updates an imported meeting (see ImportBody). An
// OrganizationID that is not an organization of the body is ErrInvalid.
func (s *Store) ImportMeeting(ctx context.Context, m Meeting) (ImportResult, error) {
	if err := m.validate(); err != nil {
		return "", err
	}
	if m.ID == "" {
		return "", invalidf("meeting id is required")
	}
	return s.importRow(ctx, `
		INSERT INTO meetings AS t (id, body_id, organization_id, name, location, starts_at, ends_at, cancelled, created, modified)
		VALUES ($1, $2, nullif($3, ''), $4, $5, $6, $7, $8, coalesce($9, now()), now())
		ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name,
			location = excluded.location, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
			cancelled = excluded.cancelled, modified = now(), deleted = false
		WHERE (t.organization_id, t.name, t.location, t.starts_at, t.ends_at, t.cancelled, t.deleted) IS DISTINCT FROM
			(excluded.organization_id, excluded.name, excluded.location, excluded.starts_at, excluded.ends_at, excluded.cancelled, false)
		RETURNING (xmax = 0)`, m.ID, m.BodyID, m.OrganizationID, m.Name, m.Location, m.Start, m.End, m.Cancelled, timeOrNil(m.Created))
}

// MarkOParlDeleted soft-deletes the local row of the kind: it stays, with
// deleted set and a new modified, so that OParl clients learn of it. It
// reports whether the row existed and was not deleted yet.
func (s *Store) MarkOParlDeleted(ctx context.Context, kind OParlKind, localID string) (bool, error) {
	table, ok := kind.table()
	if !ok {
		return false, invalidf("unknown import kind %q", kind)
	}
	tag, err := s.Pool.Exec(ctx, `UPDATE `+table+` SET deleted = true, modified = now() WHERE id = $1 AND NOT deleted`, localID)
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() == 1, nil
}
