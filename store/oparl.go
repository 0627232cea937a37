package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// This file holds the queries of the OParl 1.1 endpoint (package oparl);
// the writes of the OParl importer (package importer) are in imports.go.
//
// Every OParl list is ordered by id and paged by keyset (id > the last id of
// the previous page) on a (body_id, id) index, so that a page costs the same
// at any depth and stays stable while objects are added. (A time filter is
// checked on the rows in key order: its cost grows with how many rows it
// skips, not with the depth of the page.) Lists include soft-deleted objects, which
// OParl clients need in order to learn of deletions; embedded lists leave
// them out. An object's Modified is the latest change of the object or of
// anything embedded in it (a person's memberships, a meeting's agenda and
// location, a body's legislative terms, an organization's membership list).

// OParlFilter selects one page of an OParl list. The time bounds are
// inclusive and combine with AND.
type OParlFilter struct {
	// BodyID restricts to one body's objects ("" for the list of bodies).
	BodyID                       string
	CreatedSince, CreatedUntil   *time.Time
	ModifiedSince, ModifiedUntil *time.Time
	// Limit is the page size: DefaultLimit when <= 0, at most MaxLimit.
	Limit int
	// After is the cursor returned with the previous page.
	After string
}

// OParlBody is a body with its soft-deletion flag and its embedded
// legislative terms (deleted ones left out).
type OParlBody struct {
	Body
	Deleted          bool
	LegislativeTerms []OParlLegislativeTerm
}

// OParlLegislativeTerm is a Wahlperiode of a body; Start and End are dates.
type OParlLegislativeTerm struct {
	ID       string
	BodyID   string
	Name     string
	Start    *time.Time
	End      *time.Time
	Created  time.Time
	Modified time.Time
	Deleted  bool
}

// OParlLocation is a place where meetings happen. Meetings name their place
// by text; each distinct text of a body is one location.
type OParlLocation struct {
	ID            string
	BodyID        string
	Description   string
	StreetAddress string
	Room          string
	PostalCode    string
	SubLocality   string
	Locality      string
	Created       time.Time
	Modified      time.Time
	Deleted       bool
}

// OParlOrganization is an organization with the ids of its (undeleted)
// memberships.
type OParlOrganization struct {
	Organization
	Deleted       bool
	MembershipIDs []string
}

// OParlPerson is a person with its embedded (undeleted) memberships.
type OParlPerson struct {
	Person
	Deleted     bool
	Memberships []OParlMembership
}

// OParlMembership is a membership with its body and deletion flag.
type OParlMembership struct {
	Membership
	BodyID  string
	Deleted bool
}

// OParlMeeting is a meeting with its location, its agenda (the agenda
// items of the public motions scheduled in it or dealt with in it) and its
// public documents.
type OParlMeeting struct {
	Meeting
	Deleted     bool
	Place       *OParlLocation
	AgendaItems []OParlAgendaItem
	// Invitation and Minutes are the generated documents of the meeting
	// (table meeting_files), each only once it is public
	// (meeting.Meeting.DocumentPublic); nil before.
	Invitation *OParlMeetingFile
	Minutes    *OParlMeetingFile
}

// The kinds of a meeting's document (meeting_files.kind, the argument of
// meeting.Meeting.DocumentPublic).
const (
	MeetingFileInvitation = "invitation"
	MeetingFileMinutes    = "minutes"
)

// OParlMeetingFile is a generated document of a meeting, without its bytes:
// Size is their length and SHA512 their SHA-512 in hex (OParl's
// sha512Checksum; the stored SHA-256 has no OParl field).
type OParlMeetingFile struct {
	MeetingID   string
	Kind        string
	Name        string
	ContentType string
	Size        int64
	SHA512      string
	Created     time.Time
	Modified    time.Time
}

// OParlAgendaItem is one public motion's consultation on a meeting's agenda.
// Order is its position on the agenda, fixed when it first appeared.
type OParlAgendaItem struct {
	ID             string
	MeetingID      string
	MotionID       string
	ConsultationID string
	BodyID         string
	Order          int
	// Name is the motion's title, Reference its reference number.
	Name      string
	Reference string
	// Result is the result recorded in this meeting, "" while none is.
	Result motion.Result
	Note   string
	// ResolutionText is what the meeting resolved on the item, from the
	// meeting's state; "" when the meeting recorded none (or the item is
	// not public there). Result is then the meeting's result too.
	ResolutionText string
	// NonPublic: the meeting deals with the item in its non-public part.
	NonPublic bool
	// Vote is the vote on the item as it is published: the meeting's when
	// it recorded one, else the one the motion's result in this meeting
	// carries; nil when none was recorded and always for an item of the
	// non-public part (publishedVote).
	Vote *motion.Vote
	// History is set for an item of an imported meeting (history.go).
	History *HistoryAgendaItem
	// Created and Modified are workflow times of the motion's projection;
	// Modified is also the meeting's last projection when the meeting is run
	// as a process, since its results change the item, and the
	// consultation's last change when its result was recorded in this
	// meeting, since a corrected vote changes the item.
	Created  time.Time
	Modified time.Time
	Deleted  bool
}

// OParlConsultation is one step of a public motion's route.
type OParlConsultation struct {
	ID       string
	MotionID string
	BodyID   string
	// MeetingID is the meeting it is scheduled in or was dealt with in;
	// AgendaItemID the agenda item that makes there ("" for both while the
	// consultation is only planned).
	MeetingID    string
	AgendaItemID string
	Consultation motion.Consultation
	// Vote is the vote of the consultation's result as it is published: nil
	// without one, and when its meeting dealt with the motion in the
	// non-public part (publishedVote).
	Vote *motion.Vote
	// History is set for a consultation of an imported paper (history.go).
	History  *HistoryConsultation
	Created  time.Time
	Modified time.Time
	Deleted  bool
}

// OParlPaper is a public motion as OParl shows it: created when it was
// submitted, modified whenever the motion changed. The id lists hold only
// public motions and undeleted persons.
type OParlPaper struct {
	Motion motion.Motion
	// History is set instead of Motion for a paper imported from another
	// system (history.go).
	History  *HistoryPaper
	Created  time.Time
	Modified time.Time
	// Consultations are the motion's route, in order, deleted steps left out.
	Consultations []OParlConsultation
	// RelatedIDs are the public motions that settled it (links of its
	// results and outcome); SuperordinatedIDs the public motion an
	// amendment amends; SubordinatedIDs the public amendments of this
	// motion, in the order they were submitted.
	RelatedIDs        []string
	SuperordinatedIDs []string
	SubordinatedIDs   []string
	// OriginatorPersonIDs are the persons of the body whose names are the
	// motion's signatories, in the signatories' order.
	OriginatorPersonIDs []string
}

// OParlFile is an attachment of a public motion that has an address. ID is
// "<motion id>/<position>", the position counting every attachment from 1.
type OParlFile struct {
	ID         string
	MotionID   string
	BodyID     string
	Position   int
	Attachment motion.Attachment
	// History is set instead of Attachment for a file of an imported paper
	// (history.go).
	History *HistoryFile
	// Created and Modified are the motion's submission: attachments cannot
	// change after it.
	Created  time.Time
	Modified time.Time
}

// oparlQuery describes one OParl list: what to select from where, and the
// expressions of its key, body, creation and modification time.
type oparlQuery struct {
	columns  string
	from     string
	id       string
	body     string
	created  string
	modified string
	where    []string
}

type oparlCursor struct {
	ID string `json:"i"`
}

// oparlList runs q as one keyset page under f.
func oparlList[T any](ctx context.Context, s *Store, q oparlQuery, f OParlFilter, scan pgx.RowToFunc[T], key func(T) string) ([]T, string, error) {
	var a args
	where := append([]string{"true"}, q.where...)
	if f.BodyID != "" {
		where = append(where, q.body+" = "+a.add(f.BodyID))
	}
	for _, b := range []struct {
		t    *time.Time
		expr string
		op   string
	}{
		{f.CreatedSince, q.created, ">="}, {f.CreatedUntil, q.created, "<="},
		{f.ModifiedSince, q.modified, ">="}, {f.ModifiedUntil, q.modified, "<="},
	} {
		if b.t != nil {
			where = append(where, fmt.Sprintf("(%s) %s %s", b.expr, b.op, a.add(*b.t)))
		}
	}
	if f.After != "" {
		var c oparlCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		where = append(where, q.id+" > "+a.add(c.ID))
	}
	n := limit(f.Limit)
	sql := `SELECT ` + q.columns + ` FROM ` + q.from + `
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY ` + q.id + `
		LIMIT ` + a.add(n+1)
	rows, _ := s.Pool.Query(ctx, sql, a...)
	items, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, "", mapErr(err)
	}
	var next string
	if len(items) > n {
		items = items[:n]
		next = encodeCursor(oparlCursor{ID: key(items[n-1])})
	}
	return items, next, nil
}

// oparlGet returns the one row of q with the id, or ErrNotFound.
func oparlGet[T any](ctx context.Context, s *Store, q oparlQuery, id string, scan pgx.RowToFunc[T]) (T, error) {
	where := append([]string{q.id + " = $1"}, q.where...)
	rows, _ := s.Pool.Query(ctx, `SELECT `+q.columns+` FROM `+q.from+` WHERE `+strings.Join(where, " AND "), id)
	out, err := pgx.CollectExactlyOneRow(rows, scan)
	return out, mapErr(err)
}

// ---- bodies and legislative terms ----

var oparlBodyQuery = oparlQuery{
	columns: `b.id, b.name, b.short_name, b.reference_prefix, b.created,
		greatest(b.modified, (SELECT max(t.modified) FROM legislative_terms t WHERE t.body_id = b.id)), b.deleted`,
	from:     "bodies b",
	id:       "b.id",
	body:     "b.id",
	created:  "b.created",
	modified: "greatest(b.modified, (SELECT max(t.modified) FROM legislative_terms t WHERE t.body_id = b.id))",
}

func scanOParlBody(r pgx.CollectableRow) (OParlBody, error) {
	var b OParlBody
	err := r.Scan(&b.ID, &b.Name, &b.ShortName, &b.ReferencePrefix, &b.Created, &b.Modified, &b.Deleted)
	return b, err
}

// OParlBodies lists the bodies, one page at a time.
func (s *Store) OParlBodies(ctx context.Context, f OParlFilter) ([]OParlBody, string, error) {
	f.BodyID = ""
	items, next, err := oparlList(ctx, s, oparlBodyQuery, f, scanOParlBody, func(b OParlBody) string { return b.ID })
	if err != nil {
		return nil, "", err
	}
	return items, next, s.addLegislativeTerms(ctx, items)
}

// OParlBody returns the body with id (deleted or not), or ErrNotFound.
func (s *Store) OParlBody(ctx context.Context, id string) (OParlBody, error) {
	b, err := oparlGet(ctx, s, oparlBodyQuery, id, scanOParlBody)
	if err != nil {
		return OParlBody{}, err
	}
	items := []OParlBody{b}
	err = s.addLegislativeTerms(ctx, items)
	return items[0], err
}

func (s *Store) addLegislativeTerms(ctx context.Context, bodies []OParlBody) error {
	if len(bodies) == 0 {
		return nil
	}
	ids := make([]string, len(bodies))
	for i, b := range bodies {
		ids[i] = b.ID
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+oparlTermColumns+` FROM legislative_terms t
		WHERE t.body_id = ANY($1) AND NOT t.deleted
		ORDER BY t.start_date NULLS FIRST, t.id`, ids)
	terms, err := pgx.CollectRows(rows, scanOParlLegislativeTerm)
	if err != nil {
		return mapErr(err)
	}
	for i := range bodies {
		bodies[i].LegislativeTerms = []OParlLegislativeTerm{}
		for _, t := range terms {
			if t.BodyID == bodies[i].ID {
				bodies[i].LegislativeTerms = append(bodies[i].LegislativeTerms, t)
			}
		}
	}
	return nil
}

const oparlTermColumns = `t.id, t.body_id, t.name, t.start_date, t.end_date, t.created, t.modified, t.deleted`

var oparlLegislativeTermQuery = oparlQuery{
	columns: oparlTermColumns, from: "legislative_terms t", id: "t.id", body: "t.body_id",
	created: "t.created", modified: "t.modified",
}

func scanOParlLegislativeTerm(r pgx.CollectableRow) (OParlLegislativeTerm, error) {
	var t OParlLegislativeTerm
	err := r.Scan(&t.ID, &t.BodyID, &t.Name, &t.Start, &t.End, &t.Created, &t.Modified, &t.Deleted)
	return t, err
}

// OParlLegislativeTerms lists a body's legislative terms.
func (s *Store) OParlLegislativeTerms(ctx context.Context, f OParlFilter) ([]OParlLegislativeTerm, string, error) {
	return oparlList(ctx, s, oparlLegislativeTermQuery, f, scanOParlLegislativeTerm, func(t OParlLegislativeTerm) string { return t.ID })
}

// OParlLegislativeTerm returns the legislative term with id, or ErrNotFound.
func (s *Store) OParlLegislativeTerm(ctx context.Context, id string) (OParlLegislativeTerm, error) {
	return oparlGet(ctx, s, oparlLegislativeTermQuery, id, scanOParlLegislativeTerm)
}

// ---- locations ----

const oparlLocationColumns = `l.id, l.body_id, l.description, l.street_address, l.room, l.postal_code,
	l.sub_locality, l.locality, l.created, l.modified, l.deleted`

var oparlLocationQuery = oparlQuery{
	columns: oparlLocationColumns, from: "locations l", id: "l.id", body: "l.body_id",
	created: "l.created", modified: "l.modified",
}

func scanOParlLocation(r pgx.CollectableRow) (OParlLocation, error) {
	var l OParlLocation
	err := r.Scan(&l.ID, &l.BodyID, &l.Description, &l.StreetAddress, &l.Room, &l.PostalCode,
		&l.SubLocality, &l.Locality, &l.Created, &l.Modified, &l.Deleted)
	return l, err
}

// OParlLocations lists a body's locations.
func (s *Store) OParlLocations(ctx context.Context, f OParlFilter) ([]OParlLocation, string, error) {
	return oparlList(ctx, s, oparlLocationQuery, f, scanOParlLocation, func(l OParlLocation) string { return l.ID })
}

// OParlLocation returns the location with id, or ErrNotFound.
func (s *Store) OParlLocation(ctx context.Context, id string) (OParlLocation, error) {
	return oparlGet(ctx, s, oparlLocationQuery, id, scanOParlLocation)
}

// ---- organizations, persons, memberships ----

var oparlOrganizationQuery = oparlQuery{
	columns: `o.id, o.body_id, o.kind, o.name, o.short_name, o.created,
		greatest(o.modified, (SELECT max(ms.modified) FROM memberships ms WHERE ms.organization_id = o.id)), o.deleted`,
	from:     "organizations o",
	id:       "o.id",
	body:     "o.body_id",
	created:  "o.created",
	modified: "greatest(o.modified, (SELECT max(ms.modified) FROM memberships ms WHERE ms.organization_id = o.id))",
}

func scanOParlOrganization(r pgx.CollectableRow) (OParlOrganization, error) {
	var o OParlOrganization
	err := r.Scan(&o.ID, &o.BodyID, &o.Kind, &o.Name, &o.ShortName, &o.Created, &o.Modified, &o.Deleted)
	return o, err
}

// OParlOrganizations lists a body's organizations: gremia, factions and
// departments.
func (s *Store) OParlOrganizations(ctx context.Context, f OParlFilter) ([]OParlOrganization, string, error) {
	items, next, err := oparlList(ctx, s, oparlOrganizationQuery, f, scanOParlOrganization, func(o OParlOrganization) string { return o.ID })
	if err != nil {
		return nil, "", err
	}
	return items, next, s.addMembershipIDs(ctx, items)
}

// OParlOrganization returns the organization with id, or ErrNotFound.
func (s *Store) OParlOrganization(ctx context.Context, id string) (OParlOrganization, error) {
	o, err := oparlGet(ctx, s, oparlOrganizationQuery, id, scanOParlOrganization)
	if err != nil {
		return OParlOrganization{}, err
	}
	items := []OParlOrganization{o}
	err = s.addMembershipIDs(ctx, items)
	return items[0], err
}

func (s *Store) addMembershipIDs(ctx context.Context, orgs []OParlOrganization) error {
	if len(orgs) == 0 {
		return nil
	}
	ids := make([]string, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	rows, _ := s.Pool.Query(ctx, `SELECT organization_id, id FROM memberships
		WHERE organization_id = ANY($1) AND NOT deleted ORDER BY organization_id, id`, ids)
	type pair struct{ org, id string }
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pair, error) {
		var p pair
		err := r.Scan(&p.org, &p.id)
		return p, err
	})
	if err != nil {
		return mapErr(err)
	}
	for i := range orgs {
		for _, p := range got {
			if p.org == orgs[i].ID {
				orgs[i].MembershipIDs = append(orgs[i].MembershipIDs, p.id)
			}
		}
	}
	return nil
}

var oparlPersonQuery = oparlQuery{
	columns: `p.id, p.body_id, p.name, p.given_name, p.family_name, p.created,
		greatest(p.modified, (SELECT max(ms.modified) FROM memberships ms WHERE ms.person_id = p.id)), p.deleted`,
	from:     "persons p",
	id:       "p.id",
	body:     "p.body_id",
	created:  "p.created",
	modified: "greatest(p.modified, (SELECT max(ms.modified) FROM memberships ms WHERE ms.person_id = p.id))",
}

func scanOParlPerson(r pgx.CollectableRow) (OParlPerson, error) {
	var p OParlPerson
	err := r.Scan(&p.ID, &p.BodyID, &p.Name, &p.GivenName, &p.FamilyName, &p.Created, &p.Modified, &p.Deleted)
	return p, err
}

// OParlPersons lists a body's persons with their memberships.
func (s *Store) OParlPersons(ctx context.Context, f OParlFilter) ([]OParlPerson, string, error) {
	items, next, err := oparlList(ctx, s, oparlPersonQuery, f, scanOParlPerson, func(p OParlPerson) string { return p.ID })
	if err != nil {
		return nil, "", err
	}
	return items, next, s.addMemberships(ctx, items)
}

// OParlPerson returns the person with id, or ErrNotFound.
func (s *Store) OParlPerson(ctx context.Context, id string) (OParlPerson, error) {
	p, err := oparlGet(ctx, s, oparlPersonQuery, id, scanOParlPerson)
	if err != nil {
		return OParlPerson{}, err
	}
	items := []OParlPerson{p}
	err = s.addMemberships(ctx, items)
	return items[0], err
}

func (s *Store) addMemberships(ctx context.Context, persons []OParlPerson) error {
	if len(persons) == 0 {
		return nil
	}
	ids := make([]string, len(persons))
	for i, p := range persons {
		ids[i] = p.ID
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+oparlMembershipColumns+` FROM memberships ms
		WHERE ms.person_id = ANY($1) AND NOT ms.deleted
		ORDER BY ms.person_id, ms.start_date NULLS FIRST, ms.id`, ids)
	ms, err := pgx.CollectRows(rows, scanOParlMembership)
	if err != nil {
		return mapErr(err)
	}
	for i := range persons {
		for _, m := range ms {
			if m.PersonID == persons[i].ID {
				persons[i].Memberships = append(persons[i].Memberships, m)
			}
		}
	}
	return nil
}

const oparlMembershipColumns = `ms.id, ms.body_id, ms.person_id, ms.organization_id, ms.role, ms.start_date, ms.end_date,
	ms.created, ms.modified, ms.deleted`

var oparlMembershipQuery = oparlQuery{
	columns: oparlMembershipColumns, from: "memberships ms", id: "ms.id", body: "ms.body_id",
	created: "ms.created", modified: "ms.modified",
}

func scanOParlMembership(r pgx.CollectableRow) (OParlMembership, error) {
	var m OParlMembership
	err := r.Scan(&m.ID, &m.BodyID, &m.PersonID, &m.OrganizationID, &m.Role, &m.Start, &m.End,
		&m.Created, &m.Modified, &m.Deleted)
	return m, err
}

// OParlMemberships lists a body's memberships.
func (s *Store) OParlMemberships(ctx context.Context, f OParlFilter) ([]OParlMembership, string, error) {
	return oparlList(ctx, s, oparlMembershipQuery, f, scanOParlMembership, func(m OParlMembership) string { return m.ID })
}

// OParlMembership returns the membership with id, or ErrNotFound.
func (s *Store) OParlMembership(ctx context.Context, id string) (OParlMembership, error) {
	return oparlGet(ctx, s, oparlMembershipQuery, id, scanOParlMembership)
}

// ---- meetings and agenda items ----

// oparlMeetingModified is a meeting's last change: its own, its agenda
// items' (oparlAgendaItemModified without the meeting's part), its
// location's and its documents'.
const oparlMeetingModified = `greatest(mt.modified,
	(SELECT max(greatest(a.modified, k.modified)) FROM oparl_agenda_items a
		LEFT JOIN oparl_consultations k ON k.id = a.motion_id || '/' || a.consultation_id
			AND k.data -> 'record' ->> 'meeting_id' = a.meeting_id
		WHERE a.meeting_id = mt.id),
	(SELECT l.modified FROM locations l WHERE l.id = oparl_location_id(mt.body_id, mt.location)),
	(SELECT max(f.modified) FROM meeting_files f WHERE f.meeting_id = mt.id))`

var oparlMeetingQuery = oparlQuery{
	columns: `mt.id, mt.body_id, coalesce(mt.organization_id, ''), mt.name, mt.location, mt.starts_at, mt.ends_at,
		mt.cancelled, mt.created, ` + oparlMeetingModified + `, mt.deleted`,
	from:     "meetings mt",
	id:       "mt.id",
	body:     "mt.body_id",
	created:  "mt.created",
	modified: oparlMeetingModified,
}

func scanOParlMeeting(r pgx.CollectableRow) (OParlMeeting, error) {
	var m OParlMeeting
	err := r.Scan(&m.ID, &m.BodyID, &m.OrganizationID, &m.Name, &m.Location, &m.Start, &m.End,
		&m.Cancelled, &m.Created, &m.Modified, &m.Deleted)
	return m, err
}

// OParlMeetings lists a body's meetings with their locations and agendas.
func (s *Store) OParlMeetings(ctx context.Context, f OParlFilter) ([]OParlMeeting, string, error) {
	items, next, err := oparlList(ctx, s, oparlMeetingQuery, f, scanOParlMeeting, func(m OParlMeeting) string { return m.ID })
	if err != nil {
		return nil, "", err
	}
	return items, next, s.addAgendas(ctx, items)
}

// OParlMeeting returns the meeting with id, or ErrNotFound.
func (s *Store) OParlMeeting(ctx context.Context, id string) (OParlMeeting, error) {
	m, err := oparlGet(ctx, s, oparlMeetingQuery, id, scanOParlMeeting)
	if err != nil {
		return OParlMeeting{}, err
	}
	items := []OParlMeeting{m}
	err = s.addAgendas(ctx, items)
	return items[0], err
}

// oparlMeetingFileQuery selects the documents of meetings with what decides
// whether they are public: the meeting's status, the time its invitation was
// published and its cancellation.
const oparlMeetingFileQuery = `SELECT f.meeting_id, f.kind, f.name, f.content_type, length(f.content)::bigint,
		encode(sha512(f.content), 'hex'), f.created, f.modified,
		mt.status, mt.invitation_published_at, mt.cancelled
	FROM meeting_files f JOIN meetings mt ON mt.id = f.meeting_id
	WHERE NOT mt.deleted`

// scanOParlMeetingFile reads a row of oparlMeetingFileQuery and reports
// whether the document is public.
func scanOParlMeetingFile(r pgx.CollectableRow) (publicFile, error) {
	var (
		f         OParlMeetingFile
		status    string
		published *time.Time
		cancelled bool
	)
	if err := r.Scan(&f.MeetingID, &f.Kind, &f.Name, &f.ContentType, &f.Size, &f.SHA512, &f.Created, &f.Modified,
		&status, &published, &cancelled); err != nil {
		return publicFile{}, err
	}
	// The rule is the meeting's own; a cancelled row is a cancelled meeting
	// even where the directory cancelled it (as MeetingState reads it).
	m := meeting.Meeting{Status: meeting.Status(status), InvitationPublishedAt: published}
	if cancelled {
		m.Status = meeting.StatusCancelled
	}
	return publicFile{f, m.DocumentPublic(f.Kind)}, nil
}

type publicFile struct {
	OParlMeetingFile
	public bool
}

// OParlMeetingFile returns the document of the kind ("invitation",
// "minutes") of the meeting, or ErrNotFound while it does not exist or is
// not public.
func (s *Store) OParlMeetingFile(ctx context.Context, meetingID, kind string) (OParlMeetingFile, error) {
	rows, _ := s.Pool.Query(ctx, oparlMeetingFileQuery+` AND f.meeting_id = $1 AND f.kind = $2`, meetingID, kind)
	f, err := pgx.CollectExactlyOneRow(rows, scanOParlMeetingFile)
	if err != nil {
		return OParlMeetingFile{}, mapErr(err)
	}
	if !f.public {
		return OParlMeetingFile{}, ErrNotFound
	}
	return f.OParlMeetingFile, nil
}

func (s *Store) addAgendas(ctx context.Context, meetings []OParlMeeting) error {
	if len(meetings) == 0 {
		return nil
	}
	ids := make([]string, len(meetings))
	for i, m := range meetings {
		ids[i] = m.ID
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+oparlAgendaItemColumns+` FROM `+oparlAgendaItemFrom+`
		WHERE a.meeting_id = ANY($1) AND NOT a.deleted ORDER BY a.meeting_id, a.ord`, ids)
	items, err := pgx.CollectRows(rows, scanOParlAgendaItem)
	if err != nil {
		return mapErr(err)
	}
	rows, _ = s.Pool.Query(ctx, `SELECT `+oparlLocationColumns+` FROM meetings mt
		JOIN locations l ON l.id = oparl_location_id(mt.body_id, mt.location)
		WHERE mt.id = ANY($1) AND mt.location <> '' AND NOT l.deleted`, ids)
	locs, err := pgx.CollectRows(rows, scanOParlLocation)
	if err != nil {
		return mapErr(err)
	}
	rows, _ = s.Pool.Query(ctx, oparlMeetingFileQuery+` AND f.meeting_id = ANY($1)`, ids)
	files, err := pgx.CollectRows(rows, scanOParlMeetingFile)
	if err != nil {
		return mapErr(err)
	}
	for i := range meetings {
		m := &meetings[i]
		for _, f := range files {
			if f.MeetingID != m.ID || !f.public || m.Deleted {
				continue
			}
			switch f.Kind {
			case MeetingFileInvitation:
				m.Invitation = &f.OParlMeetingFile
			case MeetingFileMinutes:
				m.Minutes = &f.OParlMeetingFile
			}
		}
		for _, it := range items {
			if it.MeetingID == m.ID {
				m.AgendaItems = append(m.AgendaItems, it)
			}
		}
		for _, l := range locs {
			if l.BodyID == m.BodyID && l.Description == m.Location {
				m.Place = &l
			}
		}
	}
	return s.addHistoryAgendas(ctx, meetings)
}

// oparlAgendaItemModified is an agenda item's last change: its row's (the
// motion's projection); the consultation's when its result was recorded in
// the item's meeting (the row keeps the result, not its vote, so a corrected
// vote moves only the consultation); and, when the meeting is run as a
// process (it has a state), the meeting's last projection, which records
// results, votes and resolution texts without touching the row. (greatest
// ignores the NULL of a consultation without a result in the meeting.)
const oparlAgendaItemModified = `CASE WHEN mt.state IS NULL THEN greatest(a.modified, k.modified)
	ELSE greatest(a.modified, k.modified, mt.modified) END`

// oparlMeetingItems selects, as a JSON array (null without any), the items
// of the agenda of the meeting mt (its state, when run as a process) that
// deal with one consultation of a motion.
func oparlMeetingItems(motionID, consultationID string) string {
	return `(SELECT jsonb_agg(i) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(mt.state -> 'agenda') = 'array'
			THEN mt.state -> 'agenda' ELSE '[]'::jsonb END) i
		WHERE i ->> 'motion_id' = ` + motionID + ` AND i ->> 'consultation_id' = ` + consultationID + `)`
}

// oparlAgendaItemColumns select an agenda item with the meeting's agenda
// items of the same consultation and the vote of the result the motion
// recorded in the meeting (JSON, null without it).
var oparlAgendaItemColumns = `a.id, a.meeting_id, a.motion_id, a.consultation_id, a.body_id, a.ord, a.content,
	a.created, ` + oparlAgendaItemModified + `, a.deleted, ` + oparlMeetingItems("a.motion_id", "a.consultation_id") + `,
	k.data -> 'record' -> 'vote'`

// oparlAgendaItemFrom joins each agenda item to its meeting and to the
// consultation when its result was recorded in that meeting.
const oparlAgendaItemFrom = `oparl_agenda_items a LEFT JOIN meetings mt ON mt.id = a.meeting_id
	LEFT JOIN oparl_consultations k ON k.id = a.motion_id || '/' || a.consultation_id
		AND k.data -> 'record' ->> 'meeting_id' = a.meeting_id`

var oparlAgendaItemQuery = oparlQuery{
	columns: oparlAgendaItemColumns, from: oparlAgendaItemFrom, id: "a.id", body: "a.body_id",
	created: "a.created", modified: oparlAgendaItemModified,
}

func scanOParlAgendaItem(r pgx.CollectableRow) (OParlAgendaItem, error) {
	var a OParlAgendaItem
	var content, items, vote []byte
	if err := r.Scan(&a.ID, &a.MeetingID, &a.MotionID, &a.ConsultationID, &a.BodyID, &a.Order, &content,
		&a.Created, &a.Modified, &a.Deleted, &items, &vote); err != nil {
		return a, err
	}
	var c struct {
		Name      string        `json:"name"`
		Reference string        `json:"reference"`
		Result    motion.Result `json:"result"`
		Note      string        `json:"note"`
	}
	if err := json.Unmarshal(content, &c); err != nil {
		return a, fmt.Errorf("store: decode agenda item %s: %w", a.ID, err)
	}
	a.Name, a.Reference, a.Result, a.Note = c.Name, c.Reference, c.Result, c.Note
	it, err := meetingItem(items, a.MotionID, a.ConsultationID)
	if err != nil {
		return a, fmt.Errorf("store: decode meeting items of agenda item %s: %w", a.ID, err)
	}
	if it != nil && it.Public {
		// What the meeting resolved on the item, dealt with in public.
		if it.Result != "" {
			a.Result = it.Result
		}
		a.ResolutionText = it.ResolutionText
	} else if it != nil {
		a.NonPublic = true
	}
	if a.Vote, err = publishedVote(vote, it); err != nil {
		return a, fmt.Errorf("store: decode vote of agenda item %s: %w", a.ID, err)
	}
	return a, nil
}

// meetingItem decodes the meeting's agenda items of a motion's consultation
// (oparlMeetingItems) and returns the one that was not postponed, nil
// without one (no such item, or a meeting not run as a process).
func meetingItem(items []byte, motionID, consultationID string) (*meeting.Item, error) {
	if len(items) == 0 {
		return nil, nil
	}
	var m meeting.Meeting
	if err := json.Unmarshal(items, &m.Agenda); err != nil {
		return nil, err
	}
	return m.ItemFor(motionID, consultationID), nil
}

// publishedVote is the vote OParl publishes for a consultation's result in a
// meeting: none when the meeting (it, nil unless run as a process) dealt
// with the item in its non-public part, whose votes stay confidential; else
// the meeting's vote on the item when it recorded one, else the vote of the
// motion's result (record, the JSON of a motion.Vote or null).
func publishedVote(record []byte, it *meeting.Item) (*motion.Vote, error) {
	if it != nil && !it.Public {
		return nil, nil
	}
	if it != nil && it.Vote != nil {
		return it.Vote, nil
	}
	if len(record) == 0 || string(record) == "null" {
		return nil, nil
	}
	var v motion.Vote
	if err := json.Unmarshal(record, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// oparlMotionAgendaItems lists the agenda items of a body's motions.
func (s *Store) oparlMotionAgendaItems(ctx context.Context, f OParlFilter) ([]OParlAgendaItem, string, error) {
	return oparlList(ctx, s, oparlAgendaItemQuery, f, scanOParlAgendaItem, func(a OParlAgendaItem) string { return a.ID })
}

// oparlMotionAgendaItem returns the agenda item with id ("<meeting>/<motion>/<consultation>"), or ErrNotFound.
func (s *Store) oparlMotionAgendaItem(ctx context.Context, id string) (OParlAgendaItem, error) {
	return oparlGet(ctx, s, oparlAgendaItemQuery, id, scanOParlAgendaItem)
}

// ---- consultations ----

// oparlConsultationColumns select a consultation with its meeting's agenda
// items of it (oparlMeetingItems), which say whether the meeting dealt with
// it in public.
var oparlConsultationColumns = `c.id, c.motion_id, c.body_id, c.meeting_id, c.data, c.created, c.modified, c.deleted,
	(SELECT ` + oparlMeetingItems("c.motion_id", "c.consultation_id") + ` FROM meetings mt WHERE mt.id = c.meeting_id)`

var oparlConsultationQuery = oparlQuery{
	columns: oparlConsultationColumns, from: "oparl_consultations c", id: "c.id", body: "c.body_id",
	created: "c.created", modified: "c.modified",
}

func scanOParlConsultation(r pgx.CollectableRow) (OParlConsultation, error) {
	var c OParlConsultation
	var data, items []byte
	if err := r.Scan(&c.ID, &c.MotionID, &c.BodyID, &c.MeetingID, &data, &c.Created, &c.Modified, &c.Deleted, &items); err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c.Consultation); err != nil {
		return c, fmt.Errorf("store: decode consultation %s: %w", c.ID, err)
	}
	if rec := c.Consultation.Record; rec != nil && rec.Vote != nil {
		it, err := meetingItem(items, c.MotionID, c.Consultation.ID)
		if err != nil {
			return c, fmt.Errorf("store: decode meeting items of consultation %s: %w", c.ID, err)
		}
		if it == nil || it.Public {
			c.Vote = rec.Vote
		}
	}
	if c.MeetingID != "" {
		c.AgendaItemID = c.MeetingID + "/" + c.MotionID + "/" + c.Consultation.ID
	}
	return c, nil
}

// oparlMotionConsultations lists the consultations of a body's public motions.
func (s *Store) oparlMotionConsultations(ctx context.Context, f OParlFilter) ([]OParlConsultation, string, error) {
	return oparlList(ctx, s, oparlConsultationQuery, f, scanOParlConsultation, func(c OParlConsultation) string { return c.ID })
}

// oparlMotionConsultation returns the consultation with id ("<motion>/<consultation>"), or ErrNotFound.
func (s *Store) oparlMotionConsultation(ctx context.Context, id string) (OParlConsultation, error) {
	return oparlGet(ctx, s, oparlConsultationQuery, id, scanOParlConsultation)
}

// ---- papers ----

var oparlPaperQuery = oparlQuery{
	columns:  `m.data, m.submitted_at, m.updated_at`,
	from:     "motions m",
	id:       "m.id",
	body:     "m.body_id",
	created:  "m.submitted_at",
	modified: "m.updated_at",
	where:    []string{"m.public"},
}

func scanOParlPaper(r pgx.CollectableRow) (OParlPaper, error) {
	var p OParlPaper
	var data []byte
	if err := r.Scan(&data, &p.Created, &p.Modified); err != nil {
		return p, err
	}
	if err := json.Unmarshal(data, &p.Motion); err != nil {
		return p, fmt.Errorf("store: decode motion: %w", err)
	}
	return p, nil
}

// oparlMotionPapers lists a body's public motions: never a draft, whoever
// asks (OParlPapers adds the imported papers, history.go).
func (s *Store) oparlMotionPapers(ctx context.Context, f OParlFilter) ([]OParlPaper, string, error) {
	items, next, err := oparlList(ctx, s, oparlPaperQuery, f, scanOParlPaper, func(p OParlPaper) string { return p.Motion.ID })
	if err != nil {
		return nil, "", err
	}
	return items, next, s.completePapers(ctx, items)
}

// oparlMotionPaper returns the public motion with id, or ErrNotFound (also
// for a draft).
func (s *Store) oparlMotionPaper(ctx context.Context, id string) (OParlPaper, error) {
	p, err := oparlGet(ctx, s, oparlPaperQuery, id, scanOParlPaper)
	if err != nil {
		return OParlPaper{}, err
	}
	items := []OParlPaper{p}
	err = s.completePapers(ctx, items)
	return items[0], err
}

// completePapers adds the consultations, related, superordinated and
// subordinated papers (an amendment and the motion it amends) and
// originating persons to a page of papers, with one query each.
func (s *Store) completePapers(ctx context.Context, papers []OParlPaper) error {
	if len(papers) == 0 {
		return nil
	}
	ids := make([]string, len(papers))
	var linked, refs, names []string
	for i, p := range papers {
		ids[i] = p.Motion.ID
		linked = append(linked, oparlPaperLinks(p.Motion)...)
		if a := strings.TrimSpace(p.Motion.Amends); a != "" {
			linked = append(linked, a)
			refs = append(refs, strings.ToUpper(a))
		}
		names = append(names, p.Motion.Signatories...)
	}

	rows, _ := s.Pool.Query(ctx, `SELECT `+oparlConsultationColumns+` FROM oparl_consultations c
		WHERE c.motion_id = ANY($1) AND NOT c.deleted ORDER BY c.motion_id, c.pos`, ids)
	cons, err := pgx.CollectRows(rows, scanOParlConsultation)
	if err != nil {
		return mapErr(err)
	}

	type target struct{ id, body, ref string }
	var targets []target
	if len(linked) > 0 {
		rows, _ = s.Pool.Query(ctx, `SELECT id, body_id, upper(reference) FROM motions
			WHERE public AND (id = ANY($1) OR (reference <> '' AND upper(reference) = ANY($2)))`, linked, nonNil(refs))
		targets, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (target, error) {
			var t target
			err := r.Scan(&t.id, &t.body, &t.ref)
			return t, err
		})
		if err != nil {
			return mapErr(err)
		}
	}

	// The public amendments of these papers (motions.amends_motion, resolved
	// at projection).
	type subordinate struct{ id, of string }
	rows, _ = s.Pool.Query(ctx, `SELECT id, amends_motion FROM motions
		WHERE public AND amends_motion = ANY($1) ORDER BY submitted_at, id`, ids)
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (subordinate, error) {
		var x subordinate
		err := r.Scan(&x.id, &x.of)
		return x, err
	})
	if err != nil {
		return mapErr(err)
	}

	var people []Person
	if len(names) > 0 {
		var family []string
		for _, n := range names {
			if f := strings.Fields(n); len(f) > 0 {
				family = append(family, strings.ToLower(f[len(f)-1]))
			}
		}
		rows, _ = s.Pool.Query(ctx, `SELECT id, body_id, name, given_name, family_name, created, modified FROM persons
			WHERE NOT deleted AND body_id = ANY($1) AND (lower(family_name) = ANY($2)
				OR lower(regexp_replace(name, '^.*\s', '')) = ANY($2))
			ORDER BY id`, oparlBodyIDs(papers), family)
		people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		if err != nil {
			return mapErr(err)
		}
	}

	for i := range papers {
		p := &papers[i]
		m := p.Motion
		for _, c := range cons {
			if c.MotionID == m.ID {
				p.Consultations = append(p.Consultations, c)
			}
		}
		for _, l := range oparlPaperLinks(m) {
			for _, t := range targets {
				if t.id == l && t.id != m.ID && !oparlContains(p.RelatedIDs, t.id) {
					p.RelatedIDs = append(p.RelatedIDs, t.id)
				}
			}
		}
		if a := strings.TrimSpace(m.Amends); a != "" {
			for _, t := range targets {
				if t.body == m.BodyID && (t.id == a || t.ref == strings.ToUpper(a)) && t.id != m.ID && !oparlContains(p.SuperordinatedIDs, t.id) {
					p.SuperordinatedIDs = append(p.SuperordinatedIDs, t.id)
				}
			}
		}
		for _, x := range subs {
			if x.of == m.ID && x.id != m.ID && !oparlContains(p.SubordinatedIDs, x.id) {
				p.SubordinatedIDs = append(p.SubordinatedIDs, x.id)
			}
		}
		for _, n := range m.Signatories {
			want := oparlNormalizeName(n)
			for _, person := range people {
				if person.BodyID != m.BodyID || oparlContains(p.OriginatorPersonIDs, person.ID) {
					continue
				}
				if oparlNormalizeName(person.Name) == want || oparlNormalizeName(person.GivenName+" "+person.FamilyName) == want {
					p.OriginatorPersonIDs = append(p.OriginatorPersonIDs, person.ID)
					break
				}
			}
		}
	}
	return nil
}

// oparlPaperLinks are the motion ids the motion's results and outcome link to.
func oparlPaperLinks(m motion.Motion) []string {
	var out []string
	add := func(ls []motion.Link) {
		for _, l := range ls {
			if l.MotionID != "" && !oparlContains(out, l.MotionID) {
				out = append(out, l.MotionID)
			}
		}
	}
	for _, c := range m.Consultations {
		if c.Record != nil {
			add(c.Record.Links)
		}
	}
	if m.Outcome != nil {
		add(m.Outcome.Links)
	}
	return out
}

// oparlNormalizeName compares person names without case, academic titles and
// extra blanks: "Dr. Boris Weirauch" is "boris weirauch".
func oparlNormalizeName(s string) string {
	var out []string
	for _, f := range strings.Fields(strings.ToLower(s)) {
		switch strings.TrimSuffix(f, ".") {
		case "dr", "prof", "med", "jur", "phil", "rer", "nat", "ing", "dipl":
			continue
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

func oparlBodyIDs(papers []OParlPaper) []string {
	var out []string
	for _, p := range papers {
		if !oparlContains(out, p.Motion.BodyID) {
			out = append(out, p.Motion.BodyID)
		}
	}
	return out
}

func oparlContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ---- files ----

// oparlMotionFiles lists the attachments with an address of a body's public
// motions, ordered by motion and position.
func (s *Store) oparlMotionFiles(ctx context.Context, f OParlFilter) ([]OParlFile, string, error) {
	var a args
	where := []string{"m.public", "(m.data -> 'attachments') IS NOT NULL", "coalesce(x.value ->> 'url', '') <> ''"}
	if f.BodyID != "" {
		where = append(where, "m.body_id = "+a.add(f.BodyID))
	}
	for _, b := range []struct {
		t  *time.Time
		op string
	}{{f.CreatedSince, ">="}, {f.CreatedUntil, "<="}, {f.ModifiedSince, ">="}, {f.ModifiedUntil, "<="}} {
		// A file is created and last modified when its motion was submitted.
		if b.t != nil {
			where = append(where, "m.submitted_at "+b.op+" "+a.add(*b.t))
		}
	}
	if f.After != "" {
		var c oparlFileCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		p, q := a.add(c.MotionID), a.add(c.Position)
		where = append(where, fmt.Sprintf("m.id >= %s AND (m.id, x.ordinality) > (%s, %s::bigint)", p, p, q))
	}
	n := limit(f.Limit)
	rows, _ := s.Pool.Query(ctx, `SELECT m.id, m.body_id, x.ordinality, x.value, m.submitted_at
		FROM motions m CROSS JOIN LATERAL jsonb_array_elements(coalesce(m.data -> 'attachments', '[]'::jsonb)) WITH ORDINALITY AS x
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY m.id, x.ordinality
		LIMIT `+a.add(n+1), a...)
	items, err := pgx.CollectRows(rows, scanOParlFileRow)
	if err != nil {
		return nil, "", mapErr(err)
	}
	var next string
	if len(items) > n {
		items = items[:n]
		last := items[n-1]
		next = encodeCursor(oparlFileCursor{MotionID: last.MotionID, Position: last.Position})
	}
	return items, next, nil
}

type oparlFileCursor struct {
	MotionID string `json:"m"`
	Position int    `json:"p"`
}

func scanOParlFileRow(r pgx.CollectableRow) (OParlFile, error) {
	var f OParlFile
	var data []byte
	var pos int64
	if err := r.Scan(&f.MotionID, &f.BodyID, &pos, &data, &f.Created); err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f.Attachment); err != nil {
		return f, fmt.Errorf("store: decode attachment of %s: %w", f.MotionID, err)
	}
	f.Position = int(pos)
	f.Modified = f.Created
	f.ID = fmt.Sprintf("%s/%d", f.MotionID, pos)
	return f, nil
}

// OParlFile returns the attachment at position (from 1) of the public motion,
// or ErrNotFound (also when it has no address).
func (s *Store) OParlFile(ctx context.Context, motionID string, position int) (OParlFile, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT m.id, m.body_id, x.ordinality, x.value, m.submitted_at
		FROM motions m CROSS JOIN LATERAL jsonb_array_elements(coalesce(m.data -> 'attachments', '[]'::jsonb)) WITH ORDINALITY AS x
		WHERE m.id = $1 AND m.public AND x.ordinality = $2 AND coalesce(x.value ->> 'url', '') <> ''`, motionID, position)
	f, err := pgx.CollectExactlyOneRow(rows, scanOParlFileRow)
	return f, mapErr(err)
}

// PaperFiles returns the files of a paper, in order: the attachments of the
// motion that have an address, numbered like OParlFiles numbers them.
func PaperFiles(p OParlPaper) []OParlFile {
	var out []OParlFile
	for i, a := range p.Motion.Attachments {
		if a.URL == "" {
			continue
		}
		out = append(out, OParlFile{
			ID: fmt.Sprintf("%s/%d", p.Motion.ID, i+1), MotionID: p.Motion.ID, BodyID: p.Motion.BodyID,
			Position: i + 1, Attachment: a, Created: p.Created, Modified: p.Created,
		})
	}
	return out
}
