package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// ImplementationQuery selects the rows of the implementation report
// (Beschlusskontrolle) of one body. Empty strings filter nothing.
type ImplementationQuery struct {
	BodyID string
	// Organization is the deciding organization: the organization of the
	// consultation whose result is the motion's outcome, else the body's
	// council.
	Organization string
	// Faction restricts to motions the faction sponsors (originator or
	// co-sponsor).
	Faction string
	// Department restricts to motions this department answers for (lead,
	// addressed or involved).
	Department string
	// Now is when the traffic light is read (motion.Motion.Light).
	Now time.Time
	// IncludeClosed adds the closed motions whose implementation was
	// followed point by point.
	IncludeClosed bool
}

// ImplementationRow is one adopted motion in the implementation report.
type ImplementationRow struct {
	MotionID  string
	Reference string
	Title     string
	// Faction is the originating faction; Cosponsors the co-sponsoring ones.
	Faction    string
	Cosponsors []string
	// Organization is the deciding organization (see ImplementationQuery).
	Organization        string
	DecidedAt           *time.Time
	Status              motion.Status
	LeadDepartment      string
	InvolvedDepartments []string
	Light               motion.Light
	Points              []ImplementationPoint
	// NextReportDue is the next implementation report deadline, nil when
	// none is set.
	NextReportDue *time.Time
	// Reports counts the administration's implementation reports so far.
	Reports int
}

// ImplementationPoint is where one resolution point's implementation stands.
type ImplementationPoint struct {
	Point int
	// Text is the resolution point as adopted.
	Text       string
	State      motion.PointState
	TargetDate *time.Time
	// Reason says why the point is not feasible.
	Reason string
	// LastNote is the latest progress note with a text, LastNoteAt its time.
	LastNote   string
	LastNoteAt *time.Time
}

// ImplementationReport lists the public adopted motions of a body whose
// implementation is under way (and, with IncludeClosed, the closed ones that
// were followed point by point), ordered by reference (year, number) so that
// the report reads the same every time. What a row says (the light, the
// points) comes from the domain's methods on the motion, not from SQL.
func (s *Store) ImplementationReport(ctx context.Context, q ImplementationQuery) ([]ImplementationRow, error) {
	if q.BodyID == "" {
		return nil, invalidf("body id is required")
	}
	statuses := []string{string(motion.StatusImplementation)}
	if q.IncludeClosed {
		statuses = append(statuses, string(motion.StatusClosed))
	}
	var a args
	where := []string{
		"m.public",
		"m.body_id = " + a.add(q.BodyID),
		"m.status = ANY(" + a.add(statuses) + "::text[])",
	}
	if q.Faction != "" {
		p := a.add(q.Faction)
		where = append(where, fmt.Sprintf("(m.faction = %s OR m.cosponsors @> ARRAY[%s]::text[])", p, p))
	}
	rows, _ := s.Pool.Query(ctx, `
		SELECT m.data, d.due
		FROM motions m
		LEFT JOIN LATERAL (
			SELECT min(due) AS due FROM motion_deadlines
			WHERE motion_id = m.id AND kind = `+a.add(string(motion.DeadlineImplementationReport))+`
		) d ON true
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY (m.data->>'reference_year')::int NULLS LAST, (m.data->>'reference_seq')::int NULLS LAST, m.reference, m.id`, a...)
	type found struct {
		m   motion.Motion
		due *time.Time
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (found, error) {
		var data []byte
		var f found
		if err := r.Scan(&data, &f.due); err != nil {
			return f, err
		}
		if err := json.Unmarshal(data, &f.m); err != nil {
			return f, fmt.Errorf("store: decode motion: %w", err)
		}
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: implementation report: %w", mapErr(err))
	}
	council, err := s.councilOf(ctx, q.BodyID)
	if err != nil {
		return nil, err
	}
	out := []ImplementationRow{}
	for _, f := range got {
		m := f.m
		if m.Outcome == nil || !m.Outcome.Result.Adopted() {
			continue
		}
		if m.Status == motion.StatusClosed && len(m.Points) == 0 {
			continue
		}
		if q.Department != "" && !slices.Contains(m.Departments(), q.Department) {
			continue
		}
		org := decidingOrganization(&m, council)
		if q.Organization != "" && org != q.Organization {
			continue
		}
		out = append(out, implementationRow(&m, org, f.due, q.Now))
	}
	return out, nil
}

// councilOf is the id of the body's council (the first by name), "" when
// the directory has none.
func (s *Store) councilOf(ctx context.Context, bodyID string) (string, error) {
	var id string
	err := s.Pool.QueryRow(ctx, `
		SELECT id FROM organizations WHERE body_id = $1 AND kind = $2 AND NOT deleted
		ORDER BY name, id LIMIT 1`, bodyID, string(OrgCouncil)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: council of body %s: %w", bodyID, mapErr(err))
	}
	return id, nil
}

// decidingOrganization is the organization of the consultation whose
// result is the outcome, else council.
func decidingOrganization(m *motion.Motion, council string) string {
	if m.Outcome != nil && m.Outcome.ConsultationID != "" {
		if c := m.Consultation(m.Outcome.ConsultationID); c != nil && c.OrganizationID != "" {
			return c.OrganizationID
		}
	}
	return council
}

func implementationRow(m *motion.Motion, org string, due *time.Time, now time.Time) ImplementationRow {
	row := ImplementationRow{
		MotionID: m.ID, Reference: m.Reference, Title: m.Title, Faction: m.Faction,
		Cosponsors: slices.Clone(m.Cosponsors), Organization: org, DecidedAt: m.DecidedAt, Status: m.Status,
		LeadDepartment: m.LeadDepartment, InvolvedDepartments: slices.Clone(m.InvolvedDepartments),
		Light: m.Light(now), Points: ImplementationPoints(m), NextReportDue: due, Reports: len(m.Reports),
	}
	if row.DecidedAt == nil && m.Outcome != nil && !m.Outcome.DecidedAt.IsZero() {
		at := m.Outcome.DecidedAt
		row.DecidedAt = &at
	}
	return row
}

// ImplementationPoints is where each resolution point of m stands, with the
// point's text and its latest progress note that has a text; empty (not
// nil) before the implementation started.
func ImplementationPoints(m *motion.Motion) []ImplementationPoint {
	out := []ImplementationPoint{}
	for _, p := range m.Points {
		ip := ImplementationPoint{Point: p.Point, State: p.State, TargetDate: p.TargetDate, Reason: p.Reason}
		if p.Point >= 1 && p.Point <= len(m.ResolutionPoints) {
			ip.Text = m.ResolutionPoints[p.Point-1]
		}
		for i := len(p.Notes) - 1; i >= 0; i-- {
			if n := p.Notes[i]; strings.TrimSpace(n.Text) != "" {
				at := n.At
				ip.LastNote, ip.LastNoteAt = n.Text, &at
				break
			}
		}
		out = append(out, ip)
	}
	return out
}
