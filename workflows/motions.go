package workflows

import (
	"context"
	"log/slog"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// Motions runs commands on motions and reads a motion's current state; it is
// what *Client offers, and what the API and the web pages talk to Temporal
// through (tests give them a fake). Refusals are *motion.Error values.
type Motions interface {
	// Create starts a motion with a creating command (motion.Creating).
	Create(ctx context.Context, motionID string, cmd motion.Command, meta Meta) (motion.Motion, error)
	Send(ctx context.Context, motionID string, cmd motion.Command, meta Meta) (motion.Motion, error)
	State(ctx context.Context, motionID string) (motion.Motion, error)
	// CalendarChanged tells motions that a meeting they depend on changed.
	CalendarChanged(ctx context.Context, motionIDs ...string) error
}

var _ Motions = (*Client)(nil)

// Rearm tells the motions that dependents lists (store.MeetingDependents for
// a meeting) that the calendar their deadlines depend on changed, so that
// they compute them again (signal calendar_changed). The change itself is
// saved already and every motion re-arms at its next transition at the
// latest, so a failure to list or to signal them does not fail the caller's
// request: it is logged at ERROR with attrs (what changed, e.g. "meeting",
// id) and otherwise dropped.
func Rearm(ctx context.Context, ms Motions, log *slog.Logger, dependents func(context.Context) ([]string, error), attrs ...any) {
	ids, err := dependents(ctx)
	if err != nil {
		log.ErrorContext(ctx, "calendar change: dependent motions", append(attrs, "error", err)...)
		return
	}
	if len(ids) == 0 {
		return
	}
	if err := ms.CalendarChanged(ctx, ids...); err != nil {
		log.ErrorContext(ctx, "calendar change: signal motions", append(attrs, "error", err)...)
	}
}

// Meetings runs commands on meetings; *Client offers it. The API and the web
// pages find it on their Motions when it is a *Client (tests of other
// surfaces give a fake Motions without meetings).
type Meetings interface {
	SendMeeting(ctx context.Context, current meeting.Meeting, cmd meeting.Command, meta Meta) (meeting.Meeting, error)
	// MeetingChanged passes the directory's entry of a meeting (created,
	// moved, renamed) to its workflow, starting it if need be.
	MeetingChanged(ctx context.Context, current meeting.Meeting) error
}

// DirectoryChanged tells a meeting's workflow (starting it for a new
// meeting) what the directory now says of it, if ms runs meetings. Like
// Rearm it never fails the caller's request: the directory is saved, and a
// failure is logged at ERROR.
func DirectoryChanged(ctx context.Context, ms Motions, log *slog.Logger, state func(context.Context) (meeting.Meeting, error)) {
	mc, ok := ms.(Meetings)
	if !ok {
		return
	}
	current, err := state(ctx)
	if err == nil {
		err = mc.MeetingChanged(ctx, current)
	}
	if err != nil {
		log.ErrorContext(ctx, "meeting changed: tell its workflow", "meeting", current.ID, "error", err)
	}
}

var _ Meetings = (*Client)(nil)
