package dynamo

import (
	"context"

	"github.com/embudo/embudo/internal/crm"
)

var states = entity[crm.State, stateItem]{
	kind: kindState, label: "state", toItem: stateToItem, fromItem: stateFromItem,
	id: func(v crm.State) string { return v.ID }, version: func(v crm.State) int { return v.Version },
}

// ListStates implements crm.StateStore with one Query on GSI1.
func (s *Store) ListStates(ctx context.Context) ([]crm.State, error) {
	p, err := page(ctx, s, query{index: gsi1, pk: kindState, forward: true}, kindState,
		crm.ListOptions{Limit: 1000}, nil, states.decode, nil)
	return p.Items, err
}

// WriteStates implements crm.StateStore in one TransactWriteItems (after
// one Query of the tab counts when a state is deleted: every shard must
// still hold what was read, whose sum must be 0).
func (s *Store) WriteStates(ctx context.Context, writes []crm.StateWrite) error {
	t := s.tx()
	var added, removed []string
	for _, w := range writes {
		switch {
		case w.Delete:
			removed = append(removed, w.Old.ID)
		case w.Old.Version == 0:
			added = append(added, w.New.ID)
		}
	}
	for _, w := range writes {
		switch {
		case w.Delete:
			t.del(entityKey(kindState, w.Old.ID), "version = :v", versionValue(w.Old.Version),
				s.failNotFoundOrStale(kindState, "state", w.Old.ID))
		case w.Old.Version == 0:
			t.putNew(marshal(stateToItem(w.New)), failExists("state"))
		default:
			t.putVersion(marshal(stateToItem(w.New)), w.Old.Version, s.failNotFoundOrStale(kindState, "state", w.New.ID))
		}
	}
	var now []map[string]int64
	if len(removed) > 0 {
		var err error
		if now, err = s.tabShardCounts(ctx); err != nil {
			return err
		}
	}
	if err := s.stateCounterOps(t, added, removed, now); err != nil {
		return err
	}
	return t.run(ctx)
}
