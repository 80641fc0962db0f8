package dynamo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

var opportunities = entity[crm.Opportunity, opportunityItem]{
	kind: kindOpportunity, label: "opportunity", toItem: opportunityToItem, fromItem: opportunityFromItem,
	id: func(v crm.Opportunity) string { return v.ID }, version: func(v crm.Opportunity) int { return v.Version },
}

var quotes = entity[crm.Quote, quoteItem]{
	kind: kindQuote, label: "quote", toItem: quoteToItem, fromItem: quoteFromItem,
	id: func(v crm.Quote) string { return v.ID }, version: func(v crm.Quote) int { return v.Version },
}

func parties(k crm.PartyKind) entity[crm.Party, partyItem] {
	return entity[crm.Party, partyItem]{
		kind: partyKind(k), label: string(k), toItem: partyToItem, fromItem: partyFromItem,
		id: func(v crm.Party) string { return v.ID }, version: func(v crm.Party) int { return v.Version },
	}
}

// writeOps adds one Write's actions with the entity's own operations.
func writeOps[T, I any](t *tx, s *Store, e entity[T, I], w crm.Write[T]) {
	switch {
	case w.Delete:
		e.deleteOps(t, s, w.Old)
	case e.version(w.Old) == 0:
		e.createOps(t, s, w.New)
	default:
		e.updateOps(t, s, w.Old, w.New)
	}
}

// Commit implements crm.PipelineStore: every write of the batch, the state
// counts as one Update of their item, then the checks that what the
// written entities refer to exists, in one TransactWriteItems.
func (s *Store) Commit(ctx context.Context, b crm.Batch) error {
	t := s.tx()
	for _, w := range b.Opportunities {
		writeOps(t, s, opportunities, w)
	}
	for _, w := range b.Quotes {
		writeOps(t, s, quotes, w)
	}
	for _, w := range b.Parties {
		p := w.New
		if w.Delete {
			p = w.Old
		}
		writeOps(t, s, parties(p.Kind), w)
	}
	for _, w := range b.Contacts {
		writeOps(t, s, contacts, w)
	}
	for _, w := range b.Notes {
		writeOps(t, s, notes, w)
	}
	for _, w := range b.Files {
		writeOps(t, s, files, w)
	}
	for _, m := range b.Merges {
		s.mergeOps(t, m)
	}
	for _, l := range b.Leads {
		s.leadOps(t, l)
	}
	for _, c := range b.Counters {
		s.counterOps(t, c)
	}
	s.countOps(t, b.StateCounts)
	s.refChecks(t, b)
	if len(t.ops) > 100 {
		return crm.InvalidField("ids", fmt.Sprintf("the change needs %d writes; at most 100 fit in one transaction", len(t.ops)))
	}
	return s.retryHeld(ctx, b, t.run(ctx))
}

// refChecks adds the checks that what the written entities refer to exists
// (none when the batch trusts its references: crm.Batch.TrustRefs), and
// the interest links of the contacts written. Checks come after the
// writes: a check on an item the batch writes is left out, the write's own
// condition standing for it.
func (s *Store) refChecks(t *tx, b crm.Batch) {
	check := !b.TrustRefs
	// The opportunities' checks first: when an opportunity and its contact
	// name the same interest, the error names the opportunity's field.
	for _, w := range b.Opportunities {
		if check && !w.Delete {
			opportunityRefs(t, w.Old, w.New)
		}
	}
	for _, w := range b.Quotes {
		if check && !w.Delete {
			quoteRefs(t, w.Old, w.New)
		}
	}
	for _, w := range b.Notes {
		if check && !w.Delete {
			if f := refCheck(kindInterest, "interest", "interestId", w.Old.InterestID, w.New.InterestID); f != nil {
				f(t)
			}
		}
	}
	for _, w := range b.Contacts {
		switch {
		case w.Delete:
			for _, iid := range w.Old.InterestIDs {
				t.del(linkKey(iid, w.Old.ID), "", nil, nil)
			}
			moveWords(t, w.Old, crm.Contact{})
		default:
			s.contactRefs(t, w.Old, w.New, check)
		}
	}
	for _, w := range b.Parties {
		if check && !w.Delete {
			if f := refCheck(kindAgent, "agent", "agentId", w.Old.AgentID, w.New.AgentID); f != nil {
				f(t)
			}
		}
	}
}

// opportunityRefs checks that what an opportunity newly refers to exists.
// Its state is checked by the tab counters' update (countOps).
func opportunityRefs(t *tx, old, next crm.Opportunity) {
	for _, r := range []struct{ kind, label, field, old, next string }{
		{kindContact, "contact", "contactId", old.ContactID, next.ContactID},
		{kindAgent, "agent", "agentId", old.AgentID, next.AgentID},
		{kindUser, "user", "assigneeId", old.AssigneeID, next.AssigneeID},
		{kindInterest, "interest", "interestId", old.InterestID, next.InterestID},
	} {
		if f := refCheck(r.kind, r.label, r.field, r.old, r.next); f != nil {
			f(t)
		}
	}
}

// quoteRefs checks that the interests a quote's lines newly name exist.
func quoteRefs(t *tx, old, next crm.Quote) {
	had := map[string]bool{}
	for _, l := range old.Lines {
		had[l.InterestID] = true
	}
	for i, l := range next.Lines {
		if l.InterestID != "" && !had[l.InterestID] {
			had[l.InterestID] = true
			t.check(entityKey(kindInterest, l.InterestID), "attribute_exists(PK)",
				failMissingRef(fmt.Sprintf("lines[%d].interestId", i), "interest"))
		}
	}
}

// PeekNumber implements crm.PipelineStore with one GetItem.
func (s *Store) PeekNumber(ctx context.Context, counter string) (int64, error) {
	m, found, err := s.getRaw(ctx, key(kindCounter, counter))
	if err != nil || !found {
		return 0, err
	}
	return counterValue(m)
}

// counterValue reads a counter item's value (0 if it has none). Errors:
// internal.
func counterValue(m map[string]types.AttributeValue) (int64, error) {
	n, ok := m["n"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, crm.Internal(err)
	}
	return v, nil
}

// counterOps advances a counter by one, guarded by the value read.
func (s *Store) counterOps(t *tx, c crm.CounterStep) {
	cond := "#n = :from"
	if c.From == 0 {
		cond = "attribute_not_exists(#n) OR #n = :from"
	}
	k := key(kindCounter, c.Name)
	t.touch(k)
	t.ops = append(t.ops, op{
		item: types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.table), Key: k,
			UpdateExpression:          aws.String("SET #n = :to, #t = :t"),
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeNames:  map[string]string{"#n": "n", "#t": attrType},
			ExpressionAttributeValues: map[string]types.AttributeValue{":from": num(strconv.FormatInt(c.From, 10)), ":to": num(strconv.FormatInt(c.From+1, 10)), ":t": str(kindCounter)},
		}},
		onFail: func(context.Context) error {
			return crm.ConcurrentWrite()
		},
	})
}

// GetOpportunity implements crm.PipelineStore with one GetItem.
func (s *Store) GetOpportunity(ctx context.Context, id string) (crm.Opportunity, error) {
	return opportunities.get(ctx, s, id)
}

// GetOpportunities implements crm.PipelineStore with BatchGetItem.
func (s *Store) GetOpportunities(ctx context.Context, ids []string) (map[string]crm.Opportunity, error) {
	items, err := s.batchGet(ctx, kindOpportunity, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]crm.Opportunity{}
	for _, m := range items {
		o, err := opportunities.decode(m)
		if err != nil {
			return nil, err
		}
		out[o.ID] = o
	}
	return out, nil
}

// ListOpportunities implements crm.PipelineStore: one Query on the index of
// the most selective filter (state, contact, assignee, agent, interest,
// source) or on every opportunity, most recently changed first; the rest of
// the filter applies to what it reads.
func (s *Store) ListOpportunities(ctx context.Context, f crm.OpportunityFilter, o crm.ListOptions) (crm.Page[crm.Opportunity], error) {
	q, path := query{index: gsi1, pk: kindOpportunity}, "all"
	switch {
	case f.ContactID != "":
		q, path = query{index: gsi4, pk: kindOpportunity + "#CONTACT#" + f.ContactID}, "contact"
	case f.AssigneeID != "":
		q, path = query{index: gsi5, pk: kindOpportunity + "#ASSIGNEE#" + f.AssigneeID}, "assignee"
	case f.StateID != "":
		q, path = query{index: gsi2, pk: kindOpportunity + "#STATE#" + f.StateID}, "state"
	case f.AgentID != "":
		q, path = query{index: gsi3, pk: kindOpportunity + "#AGENT#" + f.AgentID}, "agent"
	case f.InterestID != "":
		q, path = query{index: gsi6, pk: kindOpportunity + "#INTEREST#" + f.InterestID}, "interest"
	case f.SourceID != "":
		q, path = query{index: gsi7, pk: kindOpportunity + "#SOURCE#" + f.SourceID}, "source"
	}
	// The index's partition is the filter on its own field: only the rest
	// of the filter needs applying (reading index pages of 100 or more).
	rest := f
	switch path {
	case "contact":
		rest.ContactID = ""
	case "assignee":
		rest.AssigneeID = ""
	case "state":
		rest.StateID = ""
	case "agent":
		rest.AgentID = ""
	case "interest":
		rest.InterestID = ""
	case "source":
		rest.SourceID = ""
	}
	var accept func(crm.Opportunity) bool
	if rest != (crm.OpportunityFilter{}) {
		accept = f.Matches
	}
	var resolve func(context.Context, []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error)
	if indexOf(q.index).projection == types.ProjectionTypeKeysOnly {
		resolve = func(ctx context.Context, found []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
			return s.resolveMatching(ctx, found, f)
		}
	}
	return page(ctx, s, q, "opportunity-"+path, o, resolve, opportunities.decode, accept)
}

// resolveMatching reads the opportunities a keys-only index listed and
// leaves out (nil) those that no longer match f: the index is eventually
// consistent, the item read may have moved out of the partition since.
func (s *Store) resolveMatching(ctx context.Context, found []map[string]types.AttributeValue, f crm.OpportunityFilter) ([]map[string]types.AttributeValue, error) {
	items, err := s.resolveKeys(ctx, found)
	if err != nil {
		return nil, err
	}
	for i, m := range items {
		if m == nil {
			continue
		}
		o, err := opportunities.decode(m)
		if err != nil {
			return nil, err
		}
		if !f.Matches(o) {
			items[i] = nil
		}
	}
	return items, nil
}

// resolveKeys reads the items whose keys a keys-only index returned, in
// their order (nil for one deleted since), with BatchGetItem, eventually
// consistent as the index is.
func (s *Store) resolveKeys(ctx context.Context, found []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	byKey := map[string]map[string]types.AttributeValue{}
	var ks []map[string]types.AttributeValue
	for _, m := range found {
		k := map[string]types.AttributeValue{attrPK: m[attrPK], attrSK: m[attrSK]}
		if _, seen := byKey[itemKey(k)]; !seen {
			byKey[itemKey(k)] = nil
			ks = append(ks, k)
		}
	}
	for len(ks) > 0 {
		n := min(len(ks), 100)
		req := map[string]types.KeysAndAttributes{s.table: {Keys: ks[:n]}}
		ks = ks[n:]
		for len(req) > 0 {
			got, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, crm.Internal(err)
			}
			for _, m := range got.Responses[s.table] {
				byKey[itemKey(m)] = m
			}
			req = got.UnprocessedKeys
		}
	}
	out := make([]map[string]types.AttributeValue, len(found))
	for i, m := range found {
		out[i] = byKey[itemKey(m)]
	}
	return out, nil
}

// GetParty implements crm.PipelineStore with one GetItem.
func (s *Store) GetParty(ctx context.Context, k crm.PartyKind, id string) (crm.Party, error) {
	return parties(k).get(ctx, s, id)
}

// ListParties implements crm.PipelineStore with one Query on GSI1.
func (s *Store) ListParties(ctx context.Context, k crm.PartyKind, o crm.ListOptions) (crm.Page[crm.Party], error) {
	e := parties(k)
	return page(ctx, s, query{index: gsi1, pk: e.kind}, e.kind, o, nil, e.decode, nil)
}

// GetQuote implements crm.PipelineStore with one GetItem.
func (s *Store) GetQuote(ctx context.Context, id string) (crm.Quote, error) {
	return quotes.get(ctx, s, id)
}

// GetQuotes implements crm.PipelineStore with BatchGetItem.
func (s *Store) GetQuotes(ctx context.Context, ids []string) ([]crm.Quote, error) {
	items, err := s.batchGet(ctx, kindQuote, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]crm.Quote{}
	for _, m := range items {
		q, err := quotes.decode(m)
		if err != nil {
			return nil, err
		}
		byID[q.ID] = q
	}
	out := make([]crm.Quote, 0, len(ids))
	for _, id := range ids {
		if q, ok := byID[id]; ok {
			out = append(out, q)
		}
	}
	return out, nil
}

// batchGet reads the entities of one kind with the given IDs.
func (s *Store) batchGet(ctx context.Context, kind string, ids []string) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	seen := map[string]bool{}
	var ks []map[string]types.AttributeValue
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			ks = append(ks, entityKey(kind, id))
		}
	}
	for len(ks) > 0 {
		n := min(len(ks), 100)
		req := map[string]types.KeysAndAttributes{s.table: {Keys: ks[:n], ConsistentRead: aws.Bool(true)}}
		ks = ks[n:]
		for len(req) > 0 {
			got, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, crm.Internal(err)
			}
			out = append(out, got.Responses[s.table]...)
			req = got.UnprocessedKeys
		}
	}
	return out, nil
}

// CountOpportunitiesOf implements crm.PipelineStore with a counting Query
// on the contact index.
func (s *Store) CountOpportunitiesOf(ctx context.Context, contactID string) (int, error) {
	return s.count(ctx, query{index: gsi4, pk: kindOpportunity + "#CONTACT#" + contactID})
}
