package stream

import (
	"context"

	"github.com/embudo/embudo/internal/crm"
)

// names resolves the names a change's timeline entries show, each read
// once per change: users (who did it), sources (the webhook of a lead's
// changes) and agents (who a contact was assigned to). A name that is
// gone reads as "" (its ID stays in the entry).
type names struct {
	h     *Handler
	ctx   context.Context
	known map[string]string // kind + ID → name
}

func (h *Handler) names(ctx context.Context) *names {
	return &names{h: h, ctx: ctx, known: map[string]string{}}
}

// of returns the name of the kind ("user", "source", "agent") with id.
// Errors: internal (the store failed; the change is retried).
func (n *names) of(kind, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if v, ok := n.known[kind+id]; ok {
		return v, nil
	}
	var name string
	var err error
	switch kind {
	case "user":
		var u crm.User
		u, err = n.h.store.GetUser(n.ctx, id)
		name = u.Name
	case "source":
		var s crm.Source
		s, err = n.h.store.GetSource(n.ctx, id)
		name = s.Name
	case "agent":
		var a crm.Agent
		a, err = n.h.store.GetAgent(n.ctx, id)
		name = a.Name
	}
	if crm.ErrorCode(err) == crm.CodeNotFound {
		err = nil
	}
	if err != nil {
		return "", err
	}
	n.known[kind+id] = name
	return name, nil
}

// actors fills each entry's ActorName: the user's name, or, for an entry
// of no user that a lead made, the name of the source in via (entry index
// → source ID).
func (n *names) actors(items []crm.TimelineItem, via map[int]string) error {
	for i := range items {
		kind, id := "user", items[i].Actor
		if id == "" {
			kind, id = "source", via[i]
		}
		name, err := n.of(kind, id)
		if err != nil {
			return err
		}
		items[i].ActorName = name
	}
	return nil
}
