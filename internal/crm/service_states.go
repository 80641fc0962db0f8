package crm

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// ListStates returns the pipeline states in order. Errors: internal.
func (s *Service) ListStates(ctx context.Context) ([]State, error) {
	states, err := s.store.ListStates(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(states, func(a, b State) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
	})
	return states, nil
}

// GetState returns one state. Errors: invalid, not_found, internal.
func (s *Service) GetState(ctx context.Context, id string) (State, error) {
	if err := CheckID("id", id); err != nil {
		return State{}, err
	}
	states, err := s.store.ListStates(ctx)
	if err != nil {
		return State{}, err
	}
	for _, st := range states {
		if st.ID == id {
			return st, nil
		}
	}
	return State{}, NotFound("state")
}

// CreateState adds a pipeline state. Making it the default takes the flag
// from the previous default in the same transaction. Errors: invalid,
// precondition_failed (a concurrent change), internal.
func (s *Service) CreateState(ctx context.Context, st State) (State, error) {
	if err := st.Normalize(); err != nil {
		return State{}, err
	}
	states, err := s.store.ListStates(ctx)
	if err != nil {
		return State{}, err
	}
	now := s.now()
	st.ID, st.CreatedAt, st.UpdatedAt, st.Version = NewID(now), now, now, 1
	writes := []StateWrite{{New: st}}
	if st.Default {
		writes = append(writes, s.dropDefault(states, "")...)
	}
	defer s.forgetStates()
	return st, s.store.WriteStates(ctx, writes)
}

// UpdateState applies change to a state, keeping exactly one default: a
// state made default takes the flag from the old one, and the default state
// cannot give it up except to another. Errors: invalid, not_found,
// precondition_failed, conflict, internal.
func (s *Service) UpdateState(ctx context.Context, id string, ifMatch int, change func(*State) error) (State, error) {
	if err := CheckID("id", id); err != nil {
		return State{}, err
	}
	states, err := s.store.ListStates(ctx)
	if err != nil {
		return State{}, err
	}
	i := slices.IndexFunc(states, func(x State) bool { return x.ID == id })
	if i < 0 {
		return State{}, NotFound("state")
	}
	old := states[i]
	if err := checkVersion("state", ifMatch, old.Version); err != nil {
		return State{}, err
	}
	next := old
	if err := change(&next); err != nil {
		return State{}, err
	}
	next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, s.now(), old.Version+1
	if err := next.Normalize(); err != nil {
		return State{}, err
	}
	if old.Default && !next.Default {
		return State{}, Conflict("a state becomes the default by setting default on it; the default cannot be unset directly")
	}
	if next.Outcome != old.Outcome {
		counts, err := s.store.StateCounts(ctx)
		if err != nil {
			return State{}, err
		}
		if n := counts[id]; n > 0 {
			return State{}, Conflict(fmt.Sprintf("the state holds %d opportunities; its outcome can change only while it is empty", n))
		}
	}
	writes := []StateWrite{{Old: old, New: next}}
	if next.Default && !old.Default {
		writes = append(writes, s.dropDefault(states, id)...)
	}
	defer s.forgetStates()
	return next, s.store.WriteStates(ctx, writes)
}

// DeleteState deletes a state that is not the default. Errors: invalid,
// not_found, precondition_failed, conflict, internal.
func (s *Service) DeleteState(ctx context.Context, id string, ifMatch int) error {
	st, err := s.GetState(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("state", ifMatch, st.Version); err != nil {
		return err
	}
	if st.Default {
		return Conflict("the default state cannot be deleted; make another state the default first")
	}
	counts, err := s.store.StateCounts(ctx)
	if err != nil {
		return err
	}
	if n := counts[st.ID]; n > 0 {
		return Conflict(fmt.Sprintf("the state holds %d opportunities; move them to another state first", n))
	}
	defer s.forgetStates()
	return s.store.WriteStates(ctx, []StateWrite{{Old: st, Delete: true}})
}

// dropDefault returns the writes that clear the default flag of every state
// but except.
func (s *Service) dropDefault(states []State, except string) []StateWrite {
	var out []StateWrite
	for _, st := range states {
		if st.Default && st.ID != except {
			next := st
			next.Default, next.UpdatedAt, next.Version = false, s.now(), st.Version+1
			out = append(out, StateWrite{Old: st, New: next})
		}
	}
	return out
}
