package crm

import "context"

type actorKey struct{}

// WithActor returns ctx carrying the user who makes the request, so that
// what is written records who changed it (the notifications never go to
// the person who caused them).
func WithActor(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, actorKey{}, u)
}

// ActorFrom returns the user WithActor put in ctx, or the zero User for a
// change made by the system or a web form.
func ActorFrom(ctx context.Context) User {
	u, _ := ctx.Value(actorKey{}).(User)
	return u
}
