package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// CreateQuote generates a quote from an opportunity, linked both ways: with
// the given lines, or one line pre-filled from the opportunity's interest
// and approximate amount. Its number is sequential per year (2026-0001) in
// the company time zone. The opportunity's amount follows. Errors: invalid,
// not_found, conflict (too many quotes), precondition_failed, internal.
func (s *Service) CreateQuote(ctx context.Context, actor User, oppID string, q Quote) (Quote, error) {
	if err := CheckID("id", oppID); err != nil {
		return Quote{}, err
	}
	o, err := s.store.GetOpportunity(ctx, oppID)
	if err != nil {
		return Quote{}, err
	}
	if len(o.Quotes) >= MaxQuotesPerOpportunity {
		return Quote{}, Conflict(fmt.Sprintf("an opportunity holds at most %d quotes", MaxQuotesPerOpportunity))
	}
	if len(q.Lines) == 0 {
		name := ""
		if o.InterestID != "" {
			if in, err := s.store.GetInterest(ctx, o.InterestID); err == nil {
				name = in.Name
			}
		}
		q.Lines = PrefillLines(o, name)
	}
	if q.Status == QuoteAccepted {
		return Quote{}, InvalidField("status", "a quote is accepted with POST /v1/quotes/{id}/accept")
	}
	if err := q.Normalize(); err != nil {
		return Quote{}, err
	}
	in := q
	return again(func() (Quote, error) {
		q := in
		b := Batch{}
		now := s.now()
		year := now.In(s.cfg.TimeZone).Year()
		n, err := s.takeNumber(ctx, &b, fmt.Sprintf("quote-%d", year))
		if err != nil {
			return Quote{}, err
		}
		q.ID, q.Number, q.OpportunityID, q.ContactID = NewID(now), fmt.Sprintf("%d-%04d", year, n), o.ID, o.ContactID
		q.Currency, q.CreatedBy, q.CreatedAt, q.UpdatedAt, q.Version = o.Currency, actor.ID, now, now, 1
		next := o
		next.Quotes = append(slices.Clone(o.Quotes), q.Ref())
		next.DeriveAmount()
		next.UpdatedAt, next.UpdatedBy, next.Version = now, actor.ID, o.Version+1
		b.Quotes, b.Opportunities = []Write[Quote]{{New: q}}, []Write[Opportunity]{{Old: o, New: next}}
		return q, s.store.Commit(ctx, b)
	})
}

// GetQuote returns one quote. Errors: invalid, not_found, internal.
func (s *Service) GetQuote(ctx context.Context, id string) (Quote, error) {
	if err := CheckID("id", id); err != nil {
		return Quote{}, err
	}
	return s.store.GetQuote(ctx, id)
}

// ListQuotes returns an opportunity's quotes, oldest first. Errors: invalid,
// not_found, internal.
func (s *Service) ListQuotes(ctx context.Context, oppID string) ([]Quote, error) {
	o, err := s.GetOpportunity(ctx, oppID)
	if err != nil {
		return nil, err
	}
	return s.store.GetQuotes(ctx, o.QuoteIDs())
}

// UpdateQuote applies change to a quote's lines, status or validity if
// ifMatch (0: any) is current; the opportunity's amount follows. Setting
// the status to accepted accepts it as AcceptQuote does. An accepted quote
// is final. Errors: invalid, not_found, conflict, precondition_failed,
// internal.
func (s *Service) UpdateQuote(ctx context.Context, actor User, id string, ifMatch int, change func(*Quote) error) (Quote, error) {
	old, err := s.GetQuote(ctx, id)
	if err != nil {
		return Quote{}, err
	}
	if err := checkVersion("quote", ifMatch, old.Version); err != nil {
		return Quote{}, err
	}
	if old.Status == QuoteAccepted {
		return Quote{}, Conflict("an accepted quote cannot change")
	}
	next := old
	next.Lines = slices.Clone(old.Lines)
	if err := change(&next); err != nil {
		return Quote{}, err
	}
	if next.Status == QuoteAccepted {
		next.Status = old.Status
		if err := next.Normalize(); err != nil {
			return Quote{}, err
		}
		if !slices.Equal(next.Lines, old.Lines) || next.ValidUntil != old.ValidUntil {
			return Quote{}, InvalidField("status", "accept a quote on its own, without other changes")
		}
		q, _, err := s.AcceptQuote(ctx, actor, id)
		return q, err
	}
	if err := next.Normalize(); err != nil {
		return Quote{}, err
	}
	o, err := s.store.GetOpportunity(ctx, old.OpportunityID)
	if err != nil {
		return Quote{}, err
	}
	now := s.now()
	next.ID, next.Number, next.OpportunityID, next.ContactID, next.Currency = old.ID, old.Number, old.OpportunityID, old.ContactID, old.Currency
	next.CreatedBy, next.CreatedAt, next.UpdatedAt, next.Version = old.CreatedBy, old.CreatedAt, now, old.Version+1
	b := Batch{Quotes: []Write[Quote]{{Old: old, New: next}}}
	if nextOpp := withQuoteRef(o, next.Ref()); nextOpp.AmountCents != o.AmountCents || !slices.Equal(nextOpp.Quotes, o.Quotes) {
		nextOpp.UpdatedAt, nextOpp.UpdatedBy, nextOpp.Version = now, ActorFrom(ctx).ID, o.Version+1
		b.Opportunities = []Write[Opportunity]{{Old: o, New: nextOpp}}
	}
	return next, s.store.Commit(ctx, b)
}

// withQuoteRef returns o with the reference to ref's quote replaced, and
// its amount derived again.
func withQuoteRef(o Opportunity, ref QuoteRef) Opportunity {
	next := o
	next.Quotes = slices.Clone(o.Quotes)
	if i := slices.IndexFunc(next.Quotes, func(r QuoteRef) bool { return r.ID == ref.ID }); i >= 0 {
		next.Quotes[i] = ref
	} else {
		next.Quotes = append(next.Quotes, ref)
	}
	next.DeriveAmount()
	return next
}

// wonState is the state an accepted quote moves its opportunity to: the one
// it is in if that is won, else the first won state in order.
func wonState(states []State, current string) (State, error) {
	if st, ok := stateByID(states, current); ok && st.Outcome == OutcomeWon {
		return st, nil
	}
	for _, st := range states {
		if st.Outcome == OutcomeWon {
			return st, nil
		}
	}
	return State{}, Conflict("no pipeline state has outcome won; an admin must add one")
}

// AcceptQuote marks a quote accepted, moves its opportunity to the won
// state (closedAt set, amount = this quote) and converts the contact into
// a client if it is not one, all in one transaction. Accepting an accepted
// quote changes nothing and reports changed false, also when two accepts
// race. An opportunity has one accepted quote at most, and a won one
// accepts none: accepting another quote of it is refused, also when two
// accepts of two quotes race (the opportunity's version guards the
// transaction; the loser reads again and is refused). Errors: invalid,
// not_found, conflict (no won state; another quote of the opportunity is
// accepted, ExistingID naming it; the opportunity was won by moving it,
// and must be reopened first), internal.
func (s *Service) AcceptQuote(ctx context.Context, actor User, id string) (Quote, bool, error) {
	if err := CheckID("id", id); err != nil {
		return Quote{}, false, err
	}
	for attempt := 0; ; attempt++ {
		q, err := s.store.GetQuote(ctx, id)
		if err != nil || q.Status == QuoteAccepted {
			return q, false, err
		}
		b, next, err := s.acceptBatch(ctx, q)
		if errors.Is(err, errAcceptedMeanwhile) {
			continue // a concurrent accept of this very quote won: read it again
		}
		if err != nil {
			return Quote{}, false, err
		}
		err = s.store.Commit(ctx, b)
		if (ErrorCode(err) == CodePreconditionFailed || counterRace(err)) && attempt < numberRetries {
			continue // something moved meanwhile (maybe another accept): look again
		}
		return next, err == nil, err
	}
}

// errAcceptedMeanwhile: the quote being accepted was accepted by a
// concurrent request between the reads of the quote and its opportunity.
var errAcceptedMeanwhile = errors.New("the quote was accepted meanwhile")

func (s *Service) acceptBatch(ctx context.Context, q Quote) (Batch, Quote, error) {
	o, err := s.store.GetOpportunity(ctx, q.OpportunityID)
	if err != nil {
		return Batch{}, Quote{}, err
	}
	if id := o.AcceptedQuote(); id == q.ID {
		return Batch{}, Quote{}, errAcceptedMeanwhile
	} else if id != "" {
		number := id
		if a, err := s.store.GetQuote(ctx, id); err == nil {
			number = a.Number
		}
		return Batch{}, Quote{}, &Error{Code: CodeConflict, ExistingID: id,
			Message: fmt.Sprintf("opportunity %d has accepted quote %s already; an opportunity accepts one quote", o.Number, number)}
	}
	if o.Won() {
		return Batch{}, Quote{}, Conflict(fmt.Sprintf("opportunity %d is won already; move it to an open state to accept a quote", o.Number))
	}
	states, err := s.pipelineStates(ctx)
	if err != nil {
		return Batch{}, Quote{}, err
	}
	won, err := wonState(states, o.StateID)
	if err != nil {
		return Batch{}, Quote{}, err
	}
	now := s.now()
	next := q
	next.Status, next.UpdatedAt, next.Version = QuoteAccepted, now, q.Version+1
	nextOpp := withQuoteRef(o, next.Ref())
	nextOpp.ApplyState(won, now)
	nextOpp.UpdatedAt, nextOpp.UpdatedBy, nextOpp.Version = now, ActorFrom(ctx).ID, o.Version+1
	b := Batch{Quotes: []Write[Quote]{{Old: q, New: next}}, Opportunities: []Write[Opportunity]{{Old: o, New: nextOpp}}}
	if o.StateID != won.ID {
		b.StateCounts = map[string]int64{o.StateID: -1, won.ID: 1}
	}
	c, err := s.store.GetContact(ctx, o.ContactID)
	if err != nil {
		return Batch{}, Quote{}, err
	}
	if c.ClientID == "" {
		p, nextC, err := s.convertWrites(ctx, c, PartyClient, &b)
		if err != nil {
			return Batch{}, Quote{}, err
		}
		b.Parties = []Write[Party]{{New: p}}
		b.Contacts = []Write[Contact]{{Old: c, New: nextC}}
	}
	return b, next, nil
}
