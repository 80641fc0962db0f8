package sqlite

import (
	"context"

	"github.com/embudo/embudo/internal/crm"
)

var states = newEntity(entity[crm.State, stateRow]{
	table: "states", label: "state", toRow: stateToRow, fromRow: stateFromRow,
	id: func(v crm.State) string { return v.ID }, version: func(v crm.State) int { return v.Version }, vals: noCols[crm.State],
})

// ListStates implements crm.StateStore: every state, by ID. Errors:
// unavailable, internal.
func (s *Store) ListStates(ctx context.Context) ([]crm.State, error) {
	p, err := states.list(ctx, s, crm.ListOptions{Limit: internalLimit})
	return p.Items, err
}

// WriteStates implements crm.StateStore in one transaction: each write
// guarded by its version, a new state's count created, a deleted state's
// count removed if it is zero. Errors: precondition_failed, not_found,
// conflict (a new state's ID exists; a deleted state holds opportunities),
// unavailable, internal.
func (s *Store) WriteStates(ctx context.Context, writes []crm.StateWrite) error {
	return s.write(ctx, func(t *wtx) error {
		for _, w := range writes {
			if err := states.write(t, crm.Write[crm.State](w)); err != nil {
				return err
			}
		}
		for _, w := range writes {
			if !w.Delete {
				continue
			}
			if ok, err := t.found("SELECT 1 FROM state_counts WHERE state_id = ? AND n != 0", w.Old.ID); err != nil {
				return err
			} else if ok {
				return crm.Conflict("the state holds opportunities; move them to another state first")
			}
			if err := t.exec("DELETE FROM state_counts WHERE state_id = ?", w.Old.ID); err != nil {
				return err
			}
		}
		for _, w := range writes {
			if !w.Delete && w.Old.Version == 0 {
				if err := t.exec("INSERT OR IGNORE INTO state_counts (state_id, n) VALUES (?, 0)", w.New.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
