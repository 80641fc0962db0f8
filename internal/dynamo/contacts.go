package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// Unique scopes of contacts: a normalised e-mail or phone belongs to one
// contact at most.
const (
	scopeEmail = "email"
	scopePhone = "phone"
)

var contacts = entity[crm.Contact, contactItem]{
	kind: kindContact, label: "contact", toItem: contactToItem, fromItem: contactFromItem,
	id: func(v crm.Contact) string { return v.ID }, version: func(v crm.Contact) int { return v.Version },
	unique: func(c crm.Contact) []claim {
		var out []claim
		if c.Email != "" {
			out = append(out, claim{scopeEmail, c.Email, "email"})
		}
		for _, p := range c.Phones() {
			f := "phone"
			if p != c.Phone {
				f = "mobile"
			}
			out = append(out, claim{scopePhone, p, f})
		}
		return out
	},
}

// CreateContact implements crm.ContactStore: its interest links and word
// items, each put on its own just before (tx.putBefore), then the contact,
// its e-mail and phone claims and checks that its source, agent and
// interests exist in one TransactWriteItems.
func (s *Store) CreateContact(ctx context.Context, c crm.Contact) error {
	return contacts.create(ctx, s, c, func(t *tx) { s.contactRefs(t, crm.Contact{}, c, true) })
}

// GetContact implements crm.ContactStore with one GetItem.
func (s *Store) GetContact(ctx context.Context, id string) (crm.Contact, error) {
	return contacts.get(ctx, s, id)
}

// UpdateContact implements crm.ContactStore in one TransactWriteItems.
func (s *Store) UpdateContact(ctx context.Context, old, next crm.Contact) error {
	return contacts.update(ctx, s, old, next, func(t *tx) { s.contactRefs(t, old, next, true) })
}

// DeleteContact implements crm.ContactStore in one TransactWriteItems.
func (s *Store) DeleteContact(ctx context.Context, c crm.Contact) error {
	return contacts.delete(ctx, s, c, func(t *tx) {
		for _, iid := range c.InterestIDs {
			t.del(linkKey(iid, c.ID), "", nil, nil)
		}
		moveWords(t, c, crm.Contact{})
	})
}

// contactRefs adds to t the checks that the references next adds exist
// (unless check is false), and moves the interest links from old's
// interests to next's (a new contact's written just before the
// transaction: tx.putBefore).
func (s *Store) contactRefs(t *tx, old, next crm.Contact, check bool) {
	exists := "attribute_exists(PK)"
	if !check {
		exists = ""
	}
	if exists != "" && next.SourceID != "" && next.SourceID != old.SourceID {
		t.check(entityKey(kindSource, next.SourceID), exists, failMissingRef("sourceId", "source"))
	}
	if exists != "" && next.AgentID != "" && next.AgentID != old.AgentID {
		t.check(entityKey(kindAgent, next.AgentID), exists, failMissingRef("agentId", "agent"))
	}
	for _, iid := range old.InterestIDs {
		if !contains(next.InterestIDs, iid) {
			t.del(linkKey(iid, old.ID), "", nil, nil)
		}
	}
	for _, iid := range next.InterestIDs {
		if contains(old.InterestIDs, iid) {
			continue
		}
		if exists != "" {
			t.check(entityKey(kindInterest, iid), exists, failMissingRef("interestIds", "interest"))
		}
		if old.ID == "" {
			t.putBefore(interestLink(iid, next.ID)) // a new contact's: nothing else writes it
			continue
		}
		t.put(interestLink(iid, next.ID), "", nil, nil)
	}
	moveWords(t, old, next) // and the word items of the name search
}

// ListContacts implements crm.ContactStore. It picks the most selective
// access path the filter allows (one GetItem pair for e-mail or phone, the
// interest's link items, the word items of the name search, the agent or
// source index, else every contact newest first) and applies the rest of
// the filter to what that path reads. No Scan.
func (s *Store) ListContacts(ctx context.Context, f crm.ContactFilter, o crm.ListOptions) (crm.Page[crm.Contact], error) {
	switch {
	case f.Email != "":
		return s.contactByClaim(ctx, scopeEmail, f.Email, f)
	case f.Phone != "":
		return s.contactByClaim(ctx, scopePhone, f.Phone, f)
	case f.InterestID != "":
		q := query{pk: kindInterest + "#" + f.InterestID, prefix: kindContact + "#"}
		return page(ctx, s, q, "interest", o, s.resolveLinks, contacts.decode, f.Matches)
	case f.SearchTerm() != "":
		return s.listByWords(ctx, f, o)
	case f.AgentID != "":
		q := query{index: gsi2, pk: kindContact + "#AGENT#" + f.AgentID}
		return page(ctx, s, q, "agent", o, nil, contacts.decode, f.Matches)
	case f.SourceID != "":
		q := query{index: gsi3, pk: kindContact + "#SOURCE#" + f.SourceID}
		return page(ctx, s, q, "source", o, nil, contacts.decode, f.Matches)
	}
	var accept func(crm.Contact) bool
	if f.Kind != crm.KindAny {
		accept = f.Matches
	}
	return page(ctx, s, query{index: gsi1, pk: kindContact}, "all", o, nil, contacts.decode, accept)
}

// contactByClaim finds the contact owning a unique e-mail or phone.
func (s *Store) contactByClaim(ctx context.Context, scope, value string, f crm.ContactFilter) (crm.Page[crm.Contact], error) {
	var res crm.Page[crm.Contact]
	m, found, err := s.getRaw(ctx, uniqueKey(scope, value))
	if err != nil || !found {
		return res, err
	}
	u, err := unmarshal[uniqueItem](m)
	if err != nil {
		return res, err
	}
	c, err := contacts.get(ctx, s, u.Owner)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	if f.Matches(c) {
		res.Items = append(res.Items, c)
	}
	return res, nil
}

// resolveLinks turns interest link items into their contacts with one
// BatchGetItem (nil where a contact is gone).
func (s *Store) resolveLinks(ctx context.Context, links []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	out := make([]map[string]types.AttributeValue, len(links))
	ids := make([]string, len(links))
	for i, l := range links {
		li, err := unmarshal[linkItem](l)
		if err != nil {
			return nil, err
		}
		ids[i] = li.ContactID
	}
	items, err := s.batchGet(ctx, kindContact, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]map[string]types.AttributeValue, len(items))
	for _, item := range items {
		if id, ok := item["id"].(*types.AttributeValueMemberS); ok {
			byID[id.Value] = item
		}
	}
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}
