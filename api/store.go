package api

import (
	"context"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// Store is the part of the read model the API uses; *store.Store is one.
type Store interface {
	UpsertBody(ctx context.Context, b store.Body) (store.Body, error)
	Body(ctx context.Context, id string) (store.Body, error)
	Bodies(ctx context.Context, ids []string) ([]store.Body, error)

	CreateOrganization(ctx context.Context, o store.Organization) (store.Organization, error)
	UpdateOrganization(ctx context.Context, o store.Organization) (store.Organization, error)
	Organization(ctx context.Context, id string) (store.Organization, error)
	Organizations(ctx context.Context, bodyID string, kind store.OrgKind) ([]store.Organization, error)

	CreatePerson(ctx context.Context, p store.Person) (store.Person, error)
	Person(ctx context.Context, id string) (store.Person, error)
	AddMembership(ctx context.Context, m store.Membership) (store.Membership, error)
	Members(ctx context.Context, organizationID string) ([]store.Member, error)

	CreateMeeting(ctx context.Context, m store.Meeting) (store.Meeting, error)
	UpdateMeeting(ctx context.Context, m store.Meeting) (store.Meeting, error)
	Meeting(ctx context.Context, id string) (store.Meeting, error)
	Meetings(ctx context.Context, f store.MeetingFilter) ([]store.Meeting, string, error)
	Agenda(ctx context.Context, meetingID string) ([]store.AgendaItem, error)

	Motion(ctx context.Context, id string) (motion.Motion, error)
	Motions(ctx context.Context, f store.MotionFilter) ([]motion.Motion, string, error)
	History(ctx context.Context, motionID string) ([]motion.Event, error)
}

var _ Store = (*store.Store)(nil)
