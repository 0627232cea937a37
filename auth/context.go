package auth

import (
	"context"

	"github.com/motionflow/motionflow/motion"
)

type actorKey struct{}

// WithActor returns a context carrying the verified caller, for handlers that
// authenticate by session cookie rather than by bearer token.
func WithActor(ctx context.Context, a motion.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the caller stored by WithActor; the zero Actor (the
// anonymous public) when there is none.
func ActorFrom(ctx context.Context) motion.Actor {
	a, _ := ctx.Value(actorKey{}).(motion.Actor)
	return a
}
