package api

import (
	"context"
	"time"

	"github.com/motionflow/motionflow/meeting"
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
	MeetingDependents(ctx context.Context, m store.Meeting) ([]string, error)
	MeetingState(ctx context.Context, id string) (meeting.Meeting, error)
	MeetingMembers(ctx context.Context, organizationID string, at time.Time) (names, emails []string, err error)
	MeetingFileOf(ctx context.Context, meetingID, kind string) (store.MeetingFile, error)
	CompleteAgendaItem(ctx context.Context, m meeting.Meeting, c meeting.AddItem) (meeting.AddItem, error)
	DisplayNames(ctx context.Context, bodyID string, orgIDs []string) (body string, orgs map[string]string, err error)
	CheckReferences(ctx context.Context, m *motion.Motion, cmd motion.Command, viewer motion.Actor, version int64) error
	WithMeetingStart(ctx context.Context, m *motion.Motion, cmd motion.Command) (motion.Command, error)
	CheckGremium(ctx context.Context, bodyID, orgID, field string) error
	MotionQuorum(ctx context.Context, bodyID string, kind motion.Kind) (int, error)

	Motion(ctx context.Context, id string) (motion.Motion, error)
	Motions(ctx context.Context, f store.MotionFilter) ([]motion.Motion, string, error)
	Search(ctx context.Context, f store.MotionFilter) ([]store.Hit, string, error)
	History(ctx context.Context, motionID string) ([]motion.Event, error)

	DeadlineRules(ctx context.Context, bodyID string) (motion.DeadlineRules, error)
	SetDeadlineRules(ctx context.Context, bodyID string, r motion.DeadlineRules) (motion.DeadlineRules, error)
	Deadlines(ctx context.Context, f store.DeadlineFilter) ([]store.MotionDeadline, string, error)

	AddNotificationTarget(ctx context.Context, t store.NotificationTarget) (store.NotificationTarget, error)
	NotificationTargets(ctx context.Context, bodyID string, audiences []string) ([]store.NotificationTarget, error)
	DeleteNotificationTarget(ctx context.Context, bodyID, id string) error

	Watch(ctx context.Context, w store.Watch) (store.Watch, error)
	RequestWatchConfirmation(ctx context.Context, subject, email string, ttl, resendAfter time.Duration) (string, error)
	Unwatch(ctx context.Context, motionID, subject string) error
	WatchedBy(ctx context.Context, subject string) ([]store.Watch, error)

	CreateFeedToken(ctx context.Context, t store.FeedTokenInfo) (string, store.FeedTokenInfo, error)
	FeedToken(ctx context.Context, raw string) (store.FeedTokenInfo, error)
	FeedTokens(ctx context.Context, kind store.FeedKind, owner string) ([]store.FeedTokenInfo, error)
	RevokeFeedToken(ctx context.Context, id string) error

	Statistics(ctx context.Context, f store.StatisticsFilter) (store.Statistics, error)

	NoticeStore
	NoteStore
	AmendmentStore
	PaperStore
}

var _ Store = (*store.Store)(nil)
