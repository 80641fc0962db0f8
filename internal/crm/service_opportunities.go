package crm

import (
	"context"
	"slices"
	"strconv"
)

// retries is how many times a use case that reads, decides and writes
// starts over when a concurrent change moved a version under it.
const retries = 3

// stateByID finds a state in a list.
func stateByID(states []State, id string) (State, bool) {
	i := slices.IndexFunc(states, func(s State) bool { return s.ID == id })
	if i < 0 {
		return State{}, false
	}
	return states[i], true
}

// defaultState is the state marked default.
func defaultState(states []State) (State, error) {
	for _, s := range states {
		if s.Default {
			return s, nil
		}
	}
	return State{}, Conflict("no pipeline state is the default; an admin must mark one")
}

// withInterest returns the write that adds interestID to the contact, when
// it is set and the contact does not have it yet ("setting an interest
// links it to the contact").
func (s *Service) withInterest(ctx context.Context, c Contact, interestID string) []Write[Contact] {
	if interestID == "" || slices.Contains(c.InterestIDs, interestID) || len(c.InterestIDs) >= MaxInterests {
		return nil
	}
	next := c
	next.InterestIDs = append(slices.Clone(c.InterestIDs), interestID)
	next.UpdatedAt, next.UpdatedBy, next.Version = s.now(), ActorFrom(ctx).ID, c.Version+1
	return []Write[Contact]{{Old: c, New: next}}
}

// CreateOpportunity opens an opportunity on a contact: in the default state
// unless stateId is given, with the contact's agent (else the actor's)
// unless agentId is given, the contact's source for attribution, and the
// next number. Errors: invalid (fields, or references to nothing),
// conflict (no default state), internal.
func (s *Service) CreateOpportunity(ctx context.Context, actor User, o Opportunity) (Opportunity, error) {
	if err := o.Normalize(); err != nil {
		return Opportunity{}, err
	}
	c, err := s.store.GetContact(ctx, o.ContactID)
	if ErrorCode(err) == CodeNotFound {
		return Opportunity{}, InvalidField("contactId", "no contact has this ID")
	}
	if err != nil {
		return Opportunity{}, err
	}
	states, err := s.pipelineStates(ctx)
	if err != nil {
		return Opportunity{}, err
	}
	st, err := defaultState(states)
	if o.StateID != "" {
		var ok bool
		if st, ok = stateByID(states, o.StateID); !ok {
			return Opportunity{}, InvalidField("stateId", "no state has this ID")
		}
	} else if err != nil {
		return Opportunity{}, err
	}
	if o.AgentID == "" {
		o.AgentID = c.AgentID
	}
	if o.AgentID == "" {
		o.AgentID = actor.AgentID
	}
	if st.Outcome != OutcomeLost && o.LostReason != "" {
		return Opportunity{}, InvalidField("lostReason", "only a lost opportunity has a lost reason")
	}
	in := o
	return again(func() (Opportunity, error) {
		o := in
		b := Batch{}
		n, err := s.takeNumber(ctx, &b, opportunityCounter)
		if err != nil {
			return Opportunity{}, err
		}
		now := s.now()
		o.ID, o.Number, o.SourceID, o.CreatedBy, o.UpdatedBy = NewID(now), n, c.SourceID, actor.ID, actor.ID
		o.Quotes, o.AmountCents = nil, 0
		o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
		reason := o.LostReason
		o.ApplyState(st, now)
		o.LostReason = reason
		b.Opportunities = []Write[Opportunity]{{New: o}}
		b.Contacts = s.withInterest(ctx, c, o.InterestID)
		b.StateCounts = map[string]int64{st.ID: 1}
		return o, s.store.Commit(ctx, b)
	})
}

// GetOpportunity returns one opportunity. Errors: invalid, not_found, internal.
func (s *Service) GetOpportunity(ctx context.Context, id string) (Opportunity, error) {
	if err := CheckID("id", id); err != nil {
		return Opportunity{}, err
	}
	return s.store.GetOpportunity(ctx, id)
}

// UpdateOpportunity applies change to an opportunity if ifMatch (0: any) is
// its current version. A state change sets or clears closedAt; a closed
// opportunity's main fields are locked (conflict naming them) until it moves
// back to an open state; a lost reason belongs to lost states only; setting
// an interest links it to the contact. Errors: invalid, not_found,
// precondition_failed, conflict, internal.
func (s *Service) UpdateOpportunity(ctx context.Context, id string, ifMatch int, change func(*Opportunity) error) (Opportunity, error) {
	if err := CheckID("id", id); err != nil {
		return Opportunity{}, err
	}
	old, err := s.store.GetOpportunity(ctx, id)
	if err != nil {
		return Opportunity{}, err
	}
	if err := checkVersion("opportunity", ifMatch, old.Version); err != nil {
		return Opportunity{}, err
	}
	next := old
	next.Quotes = slices.Clone(old.Quotes)
	if err := change(&next); err != nil {
		return Opportunity{}, err
	}
	if err := next.Normalize(); err != nil {
		return Opportunity{}, err
	}
	states, err := s.pipelineStates(ctx)
	if err != nil {
		return Opportunity{}, err
	}
	oldSt, _ := stateByID(states, old.StateID)
	newSt, ok := stateByID(states, next.StateID)
	if !ok {
		return Opportunity{}, InvalidField("stateId", "no state has this ID")
	}
	now := s.now()
	if next, err = movePipeline(old, next, oldSt, newSt, now); err != nil {
		return Opportunity{}, err
	}
	next.ID, next.Number, next.CreatedAt, next.CreatedBy, next.SourceID = old.ID, old.Number, old.CreatedAt, old.CreatedBy, old.SourceID
	next.AmountCents, next.UpdatedAt, next.UpdatedBy, next.Version = old.AmountCents, now, ActorFrom(ctx).ID, old.Version+1
	b := Batch{Opportunities: []Write[Opportunity]{{Old: old, New: next}}}
	if next.StateID != old.StateID {
		b.StateCounts = map[string]int64{old.StateID: -1, next.StateID: 1}
	}
	if next.InterestID != "" && (next.InterestID != old.InterestID || next.ContactID != old.ContactID) {
		c, err := s.store.GetContact(ctx, next.ContactID)
		if ErrorCode(err) == CodeNotFound {
			return Opportunity{}, InvalidField("contactId", "no contact has this ID")
		}
		if err != nil {
			return Opportunity{}, err
		}
		b.Contacts = s.withInterest(ctx, c, next.InterestID)
	}
	return next, s.store.Commit(ctx, b)
}

// DeleteOpportunity deletes an opportunity and its quotes if ifMatch (0:
// any) is current. Errors: invalid, not_found, precondition_failed, internal.
func (s *Service) DeleteOpportunity(ctx context.Context, id string, ifMatch int) error {
	o, err := s.GetOpportunity(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("opportunity", ifMatch, o.Version); err != nil {
		return err
	}
	qs, err := s.store.GetQuotes(ctx, o.QuoteIDs())
	if err != nil {
		return err
	}
	b := Batch{Opportunities: []Write[Opportunity]{{Old: o, Delete: true}}, StateCounts: map[string]int64{o.StateID: -1}}
	for _, q := range qs {
		b.Quotes = append(b.Quotes, Write[Quote]{Old: q, Delete: true})
	}
	return s.store.Commit(ctx, b)
}

// ListOpportunities lists opportunities matching f, most recently changed
// first. Errors: invalid, internal.
func (s *Service) ListOpportunities(ctx context.Context, f OpportunityFilter, o ListOptions) (Page[Opportunity], error) {
	if err := f.Normalize(); err != nil {
		return Page[Opportunity]{}, err
	}
	if err := o.Normalize(); err != nil {
		return Page[Opportunity]{}, err
	}
	return s.store.ListOpportunities(ctx, f, o)
}

// Tabs returns the states shown as tabs, in order, with their counts, from
// the counters kept with every write (no opportunity is read). Errors: internal.
func (s *Service) Tabs(ctx context.Context) ([]Tab, error) {
	states, err := s.pipelineStates(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.StateCounts(ctx)
	if err != nil {
		return nil, err
	}
	var tabs []Tab
	for _, st := range states {
		if st.ShowTab {
			tabs = append(tabs, Tab{State: st, Count: counts[st.ID]})
		}
	}
	return tabs, nil
}

// BulkMove moves opportunities to one state, all or nothing, in one
// transaction. If any ID is malformed, repeated or unknown, nothing moves
// and the error names each ("ids[3]"). Opportunities already in the state
// are left as they are. It returns how many moved. Errors: invalid,
// precondition_failed (one changed meanwhile), internal.
func (s *Service) BulkMove(ctx context.Context, ids []string, stateID string) (int, error) {
	return s.MoveOpportunities(ctx, ids, stateID, "")
}

// MoveOpportunities is BulkMove with the lost reason the opportunities
// moved into a lost state get ("" for none): the web app's bulk move asks
// for it. A lost reason for a state that is not a lost outcome is refused.
// Errors: invalid (ids, stateId, lostReason), precondition_failed,
// internal.
func (s *Service) MoveOpportunities(ctx context.Context, ids []string, stateID, lostReason string) (int, error) {
	f := fieldErrors{}
	cleanText(f, "lostReason", &lostReason, 500)
	checkRef(f, "stateId", &stateID)
	if stateID == "" {
		f.add("stateId", "is required")
	}
	if len(ids) == 0 || len(ids) > MaxBulkMove {
		f.add("ids", "must hold 1 to "+strconv.Itoa(MaxBulkMove)+" opportunity IDs")
	}
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !ValidID(id):
			f.add("ids["+strconv.Itoa(i)+"]", "is not a valid ID")
		case seen[id]:
			f.add("ids["+strconv.Itoa(i)+"]", "is repeated")
		}
		seen[id] = true
	}
	if err := f.err(); err != nil {
		return 0, err
	}
	states, err := s.pipelineStates(ctx)
	if err != nil {
		return 0, err
	}
	st, ok := stateByID(states, stateID)
	if !ok {
		return 0, InvalidField("stateId", "no state has this ID")
	}
	if lostReason != "" && st.Outcome != OutcomeLost {
		return 0, InvalidField("lostReason", "only a lost opportunity has a lost reason")
	}
	found, err := s.store.GetOpportunities(ctx, ids)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if _, ok := found[id]; !ok {
			f.add("ids["+strconv.Itoa(i)+"]", "no opportunity has this ID")
		}
	}
	if err := f.err(); err != nil {
		return 0, err
	}
	now := s.now()
	b := Batch{StateCounts: map[string]int64{}}
	for _, id := range ids {
		old := found[id]
		if old.StateID == st.ID {
			continue
		}
		next := old
		next.ApplyState(st, now)
		if lostReason != "" {
			next.LostReason = lostReason
		}
		next.UpdatedAt, next.UpdatedBy, next.Version = now, ActorFrom(ctx).ID, old.Version+1
		b.Opportunities = append(b.Opportunities, Write[Opportunity]{Old: old, New: next})
		b.StateCounts[old.StateID]--
		b.StateCounts[st.ID]++
	}
	if len(b.Opportunities) == 0 {
		return 0, nil
	}
	return len(b.Opportunities), s.store.Commit(ctx, b)
}
