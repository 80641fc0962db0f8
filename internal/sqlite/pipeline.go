package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var opportunities = newEntity(entity[crm.Opportunity, opportunityRow]{
	table: "opportunities", label: "opportunity", change: "opportunity", toRow: opportunityToRow, fromRow: opportunityFromRow,
	id: func(v crm.Opportunity) string { return v.ID }, version: func(v crm.Opportunity) int { return v.Version },
	cols: []string{"activity", "state_id", "contact_id", "agent_id", "assignee_id", "interest_id", "source_id"},
	vals: func(o crm.Opportunity) []any {
		return []any{activityKey(o.UpdatedAt, o.ID), o.StateID, o.ContactID, o.AgentID, o.AssigneeID, o.InterestID, o.SourceID}
	},
})

// activityKey orders opportunities by last change, unique by ID.
func activityKey(t time.Time, id string) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + id
}

var quotes = newEntity(entity[crm.Quote, quoteRow]{
	table: "quotes", label: "quote", change: "quote", toRow: quoteToRow, fromRow: quoteFromRow,
	id: func(v crm.Quote) string { return v.ID }, version: func(v crm.Quote) int { return v.Version }, vals: noCols[crm.Quote],
})

func partyEntity(table string, k crm.PartyKind) entity[crm.Party, partyRow] {
	return newEntity(entity[crm.Party, partyRow]{
		table: table, label: string(k), toRow: partyToRow, fromRow: partyFromRow,
		id: func(v crm.Party) string { return v.ID }, version: func(v crm.Party) int { return v.Version }, vals: noCols[crm.Party],
	})
}

var (
	clients   = partyEntity("clients", crm.PartyClient)
	suppliers = partyEntity("suppliers", crm.PartySupplier)
)

// parties is the entity of clients or suppliers.
func parties(k crm.PartyKind) entity[crm.Party, partyRow] {
	if k == crm.PartySupplier {
		return suppliers
	}
	return clients
}

// writeAll applies a batch's writes of one entity.
func writeAll[T, R any](t *wtx, e entity[T, R], ws []crm.Write[T]) error {
	for _, w := range ws {
		if err := e.write(t, w); err != nil {
			return err
		}
	}
	return nil
}

// Commit implements crm.PipelineStore: every write of the batch, the
// counters and state counts, then the checks that what the written entities
// newly refer to exists, in one transaction, in the DynamoDB adapter's
// order, so that the first failure is the same error. Errors:
// precondition_failed (a version moved, or a merge's contact has its own
// e-mail or phone by now), not_found, conflict (a unique value taken; a
// counter moved, naming "counter"; a lead delivered before, naming
// "lead"), invalid (a reference to nothing, naming the field),
// unavailable, internal.
func (s *Store) Commit(ctx context.Context, b crm.Batch) error {
	return s.write(ctx, func(t *wtx) error {
		return inOrder(
			func() error { return writeAll(t, opportunities, b.Opportunities) },
			func() error { return writeAll(t, quotes, b.Quotes) },
			func() error {
				return eachOf(b.Parties, func(w crm.Write[crm.Party]) error {
					p := w.New
					if w.Delete {
						p = w.Old
					}
					return parties(p.Kind).write(t, w)
				})
			},
			func() error { return writeAll(t, contacts, b.Contacts) },
			func() error { return writeAll(t, notes, b.Notes) },
			func() error { return writeAll(t, files, b.Files) },
			func() error { return eachOf(b.Merges, func(m crm.ContactMerge) error { return merge(t, m) }) },
			func() error { return eachOf(b.Leads, func(l crm.KeyedLead) error { return insertLead(t, l) }) },
			func() error { return eachOf(b.Counters, func(c crm.CounterStep) error { return stepCounter(t, c) }) },
			func() error { return addStateCounts(t, b.StateCounts) },
			// The checks come after the writes. The opportunities' first:
			// when an opportunity and its contact name the same interest,
			// the error names the opportunity's field.
			func() error { return eachWritten(b.Opportunities, opportunityRefs(t)) },
			func() error { return eachWritten(b.Quotes, quoteRefs(t)) },
			func() error {
				return eachWritten(b.Notes, func(old, next crm.Note) error {
					return interests.refCheck(t, "interestId", old.InterestID, next.InterestID)
				})
			},
			func() error {
				return eachOf(b.Contacts, func(w crm.Write[crm.Contact]) error {
					if w.Delete {
						return unlinkInterests(t, w.Old.ID, w.Old.InterestIDs)
					}
					return contactRefs(t, w.Old, w.New)
				})
			},
			func() error {
				return eachWritten(b.Parties, func(old, next crm.Party) error {
					return agents.refCheck(t, "agentId", old.AgentID, next.AgentID)
				})
			},
		)
	})
}

// inOrder runs steps until one fails.
func inOrder(steps ...func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// eachOf calls f for each item until one fails.
func eachOf[T any](items []T, f func(T) error) error {
	for _, v := range items {
		if err := f(v); err != nil {
			return err
		}
	}
	return nil
}

// eachWritten calls f with the old and new value of each write that is not
// a deletion.
func eachWritten[T any](ws []crm.Write[T], f func(old, next T) error) error {
	return eachOf(ws, func(w crm.Write[T]) error {
		if w.Delete {
			return nil
		}
		return f(w.Old, w.New)
	})
}

// opportunityRefs checks that what an opportunity newly refers to exists.
// Its state is checked by the state counts (addStateCounts).
func opportunityRefs(t *wtx) func(old, next crm.Opportunity) error {
	return func(old, next crm.Opportunity) error {
		return inOrder(
			func() error { return contacts.refCheck(t, "contactId", old.ContactID, next.ContactID) },
			func() error { return agents.refCheck(t, "agentId", old.AgentID, next.AgentID) },
			func() error { return users.refCheck(t, "assigneeId", old.AssigneeID, next.AssigneeID) },
			func() error { return interests.refCheck(t, "interestId", old.InterestID, next.InterestID) },
		)
	}
}

// quoteRefs checks that the interests a quote's lines newly name exist.
func quoteRefs(t *wtx) func(old, next crm.Quote) error {
	return func(old, next crm.Quote) error {
		had := map[string]bool{}
		for _, l := range old.Lines {
			had[l.InterestID] = true
		}
		for i, l := range next.Lines {
			if l.InterestID == "" || had[l.InterestID] {
				continue
			}
			had[l.InterestID] = true
			if err := interests.refCheck(t, fmt.Sprintf("lines[%d].interestId", i), "", l.InterestID); err != nil {
				return err
			}
		}
		return nil
	}
}

// addStateCounts applies changes of the per-state opportunity counts. A
// state's count exists exactly while the state does, so a state gaining
// opportunities must have one. Errors: invalid (stateId).
func addStateCounts(t *wtx, deltas map[string]int64) error {
	var ids []string
	for id, d := range deltas {
		if d != 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if deltas[id] < 0 {
			continue
		}
		if ok, err := t.found("SELECT 1 FROM state_counts WHERE state_id = ?", id); err != nil {
			return err
		} else if !ok {
			return errMissingRef("stateId", "state")
		}
	}
	for _, id := range ids {
		if err := t.exec(`INSERT INTO state_counts (state_id, n) VALUES (?, ?)
			ON CONFLICT (state_id) DO UPDATE SET n = n + excluded.n`, id, deltas[id]); err != nil {
			return err
		}
	}
	return nil
}

// stepCounter advances a counter by one if it still holds the value read.
// Errors: conflict naming "counter".
func stepCounter(t *wtx, c crm.CounterStep) error {
	var n int64
	err := t.row("SELECT n FROM counters WHERE name = ?", c.Name).Scan(&n)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if c.From != 0 {
			return crm.ConcurrentWrite()
		}
	case err != nil:
		return err
	case n != c.From:
		return crm.ConcurrentWrite()
	}
	return t.exec("INSERT INTO counters (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = excluded.n", c.Name, c.From+1)
}

// StateCounts implements crm.PipelineStore: every state's count. Errors:
// unavailable, internal.
func (s *Store) StateCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.reads.QueryContext(ctx, "SELECT state_id, n FROM state_counts")
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, s.fail(err)
		}
		out[id] = n
	}
	return out, s.fail(rows.Err())
}

// PeekNumber implements crm.PipelineStore. Errors: unavailable, internal.
func (s *Store) PeekNumber(ctx context.Context, counter string) (int64, error) {
	var n int64
	err := s.reads.QueryRowContext(ctx, "SELECT n FROM counters WHERE name = ?", counter).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, s.fail(err)
}

// GetOpportunity implements crm.PipelineStore. Errors: not_found,
// unavailable, internal.
func (s *Store) GetOpportunity(ctx context.Context, id string) (crm.Opportunity, error) {
	return opportunities.get(ctx, s, s.reads, id)
}

// GetOpportunities implements crm.PipelineStore. Errors: unavailable,
// internal.
func (s *Store) GetOpportunities(ctx context.Context, ids []string) (map[string]crm.Opportunity, error) {
	return getMany(ctx, s, opportunities, ids)
}

// ListOpportunities implements crm.PipelineStore: the index of the most
// selective filter (contact, assignee, state, agent, interest, source) or
// of every opportunity, most recently changed first; the rest of the
// filter applies to the rows read. Errors: invalid (cursor), unavailable,
// internal.
func (s *Store) ListOpportunities(ctx context.Context, f crm.OpportunityFilter, o crm.ListOptions) (crm.Page[crm.Opportunity], error) {
	var accept func(crm.Opportunity) bool
	if f != (crm.OpportunityFilter{}) {
		accept = f.Matches
	}
	return page(ctx, s, opportunityListing(f), o, opportunities.decode, accept)
}

// opportunityListing is the access path of the filter's most selective
// field.
func opportunityListing(f crm.OpportunityFilter) listing {
	for _, p := range []struct{ name, col, value string }{
		{"contact", "contact_id", f.ContactID}, {"assignee", "assignee_id", f.AssigneeID},
		{"state", "state_id", f.StateID}, {"agent", "agent_id", f.AgentID},
		{"interest", "interest_id", f.InterestID}, {"source", "source_id", f.SourceID},
	} {
		if p.value != "" {
			return listing{path: "opportunities-" + p.name + ":" + p.value, from: "opportunities INDEXED BY opportunities_by_" + p.name,
				key: "activity", where: p.col + " = ?", args: []any{p.value}}
		}
	}
	return listing{path: "opportunities", from: "opportunities INDEXED BY opportunities_by_activity", key: "activity"}
}

// CountOpportunitiesOf implements crm.PipelineStore with a count on the
// contact index. Errors: unavailable, internal.
func (s *Store) CountOpportunitiesOf(ctx context.Context, contactID string) (int, error) {
	return s.count(ctx, "opportunities", "contact_id = ?", contactID)
}

// GetParty implements crm.PipelineStore. Errors: not_found ("client not
// found", "supplier not found"), unavailable, internal.
func (s *Store) GetParty(ctx context.Context, k crm.PartyKind, id string) (crm.Party, error) {
	return parties(k).get(ctx, s, s.reads, id)
}

// ListParties implements crm.PipelineStore, newest first. Errors: invalid
// (cursor), unavailable, internal.
func (s *Store) ListParties(ctx context.Context, k crm.PartyKind, o crm.ListOptions) (crm.Page[crm.Party], error) {
	e := parties(k)
	return page(ctx, s, e.listing(false), o, e.decode, nil)
}

// GetQuote implements crm.PipelineStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetQuote(ctx context.Context, id string) (crm.Quote, error) {
	return quotes.get(ctx, s, s.reads, id)
}

// GetQuotes implements crm.PipelineStore: the quotes in the order of ids,
// without the missing ones. Errors: unavailable, internal.
func (s *Store) GetQuotes(ctx context.Context, ids []string) ([]crm.Quote, error) {
	byID, err := getMany(ctx, s, quotes, ids)
	if err != nil {
		return nil, err
	}
	out := make([]crm.Quote, 0, len(ids))
	for _, id := range ids {
		if q, ok := byID[id]; ok {
			out = append(out, q)
		}
	}
	return out, nil
}
