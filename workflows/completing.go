package workflows

import (
	"context"

	"github.com/motionflow/motionflow/motion"
)

// Completer fills in what a command needs of the read model and must never
// take from the request (store.Store.WithAmendments: an amendment's amended
// text, the amendments a result waits for). motionID is the motion the
// command goes to; actor is the caller.
type Completer func(ctx context.Context, motionID string, cmd motion.Command, actor motion.Actor) (motion.Command, error)

// Completing wraps ms so that every command, creating or not, passes
// through complete before it reaches a workflow; a Motions that also runs
// meetings still does (Meetings). The API, the web pages and the meeting's
// Tell activity send commands through it, so no path skips the read
// model's part.
func Completing(ms Motions, complete Completer) Motions {
	if ms == nil || complete == nil {
		return ms
	}
	c := &completing{Motions: ms, complete: complete}
	if mt, ok := ms.(Meetings); ok {
		return completingMeetings{completing: c, Meetings: mt}
	}
	return c
}

type completing struct {
	Motions
	complete Completer
}

// completingMeetings is completing for a Motions that runs meetings too.
type completingMeetings struct {
	*completing
	Meetings
}

// Create completes a creating command, then starts the motion.
func (c *completing) Create(ctx context.Context, id string, cmd motion.Command, meta Meta) (motion.Motion, error) {
	cmd, err := c.complete(ctx, id, cmd, meta.Actor)
	if err != nil {
		return motion.Motion{}, err
	}
	return c.Motions.Create(ctx, id, cmd, meta)
}

// Send completes a command, then sends it to the motion.
func (c *completing) Send(ctx context.Context, id string, cmd motion.Command, meta Meta) (motion.Motion, error) {
	cmd, err := c.complete(ctx, id, cmd, meta.Actor)
	if err != nil {
		return motion.Motion{}, err
	}
	return c.Motions.Send(ctx, id, cmd, meta)
}
