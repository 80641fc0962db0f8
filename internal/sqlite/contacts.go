package sqlite

import (
	"context"
	"slices"

	"github.com/embudo/embudo/internal/crm"
)

var contacts = newEntity(entity[crm.Contact, contactRow]{
	table: "contacts", label: "contact", change: "contact", toRow: contactToRow, fromRow: contactFromRow,
	id: func(v crm.Contact) string { return v.ID }, version: func(v crm.Contact) int { return v.Version },
	cols: []string{"agent_id", "source_id", "client_id", "supplier_id"},
	vals: func(c crm.Contact) []any {
		return []any{c.AgentID, c.SourceID, c.ClientID, c.SupplierID}
	},
	claims: contactClaims,
	derive: contactWords,
})

// contactClaims are a contact's e-mail and its distinct phones (a phone
// held as one contact's mobile is taken for every other's phone too).
func contactClaims(c crm.Contact) []claim {
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
}

// CreateContact implements crm.ContactStore: the contact, its e-mail and
// phone claims, the checks that its source, agent and interests exist, and
// its interest links, in one transaction. Errors: conflict (the e-mail or a
// phone is another contact's: ExistingID and Fields name it), invalid
// (sourceId, agentId or interestIds name nothing), unavailable, internal.
func (s *Store) CreateContact(ctx context.Context, c crm.Contact) error {
	return s.write(ctx, func(t *wtx) error {
		if err := contacts.create(t, c); err != nil {
			return err
		}
		return contactRefs(t, crm.Contact{}, c)
	})
}

// GetContact implements crm.ContactStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetContact(ctx context.Context, id string) (crm.Contact, error) {
	return contacts.get(ctx, s, s.reads, id)
}

// UpdateContact implements crm.ContactStore in one transaction. Errors:
// precondition_failed, not_found, conflict, invalid, unavailable, internal.
func (s *Store) UpdateContact(ctx context.Context, old, next crm.Contact) error {
	return s.write(ctx, func(t *wtx) error {
		if err := contacts.update(t, old, next); err != nil {
			return err
		}
		return contactRefs(t, old, next)
	})
}

// DeleteContact implements crm.ContactStore in one transaction: the
// contact, its claims and interest links. Errors: precondition_failed,
// not_found, unavailable, internal.
func (s *Store) DeleteContact(ctx context.Context, c crm.Contact) error {
	return s.write(ctx, func(t *wtx) error {
		if err := contacts.remove(t, c); err != nil {
			return err
		}
		return unlinkInterests(t, c.ID, c.InterestIDs)
	})
}

// contactRefs checks that the source, agent and interests next newly
// refers to exist, and moves the interest links from old's interests to
// next's. Errors: invalid (naming the field).
func contactRefs(t *wtx, old, next crm.Contact) error {
	if err := sources.refCheck(t, "sourceId", old.SourceID, next.SourceID); err != nil {
		return err
	}
	if err := agents.refCheck(t, "agentId", old.AgentID, next.AgentID); err != nil {
		return err
	}
	var gone []string
	for _, iid := range old.InterestIDs {
		if !slices.Contains(next.InterestIDs, iid) {
			gone = append(gone, iid)
		}
	}
	if err := unlinkInterests(t, old.ID, gone); err != nil {
		return err
	}
	for _, iid := range next.InterestIDs {
		if slices.Contains(old.InterestIDs, iid) {
			continue
		}
		if err := interests.refCheck(t, "interestIds", "", iid); err != nil {
			return err
		}
		if err := linkInterest(t, next.ID, iid); err != nil {
			return err
		}
	}
	return nil
}

func linkInterest(t *wtx, contactID, interestID string) error {
	return t.exec("INSERT OR IGNORE INTO contact_interests (interest_id, contact_id) VALUES (?, ?)", interestID, contactID)
}

func unlinkInterests(t *wtx, contactID string, interestIDs []string) error {
	for _, iid := range interestIDs {
		if err := t.exec("DELETE FROM contact_interests WHERE interest_id = ? AND contact_id = ?", iid, contactID); err != nil {
			return err
		}
	}
	return nil
}

// ListContacts implements crm.ContactStore. It reads the most selective
// access path the filter allows (the owner of the e-mail or phone, the
// interest's links, the name index, the agent or source index, else every
// contact of the kind, newest first) and applies the whole filter to what
// it reads. The name search reads the words of contact_words starting with
// its longest term. Errors: invalid (cursor), unavailable, internal.
func (s *Store) ListContacts(ctx context.Context, f crm.ContactFilter, o crm.ListOptions) (crm.Page[crm.Contact], error) {
	switch {
	case f.Email != "":
		return s.contactByClaim(ctx, scopeEmail, f.Email, f)
	case f.Phone != "":
		return s.contactByClaim(ctx, scopePhone, f.Phone, f)
	case f.InterestID == "" && f.SearchTerm() != "":
		return s.listByWords(ctx, f, o)
	}
	var accept func(crm.Contact) bool
	if f != (crm.ContactFilter{}) {
		accept = f.Matches
	}
	return page(ctx, s, contactListing(f), o, contacts.decode, accept)
}

// contactListing is the access path of a contact filter without e-mail
// or phone.
func contactListing(f crm.ContactFilter) listing {
	switch {
	case f.InterestID != "":
		return listing{path: "contacts-interest:" + f.InterestID, from: "contact_interests l JOIN contacts c ON c.id = l.contact_id",
			doc: "c.doc", key: "l.contact_id", where: "l.interest_id = ?", args: []any{f.InterestID}}
	case f.SearchTerm() != "":
		return wordListing(f.SearchTerm())
	case f.AgentID != "":
		return listing{path: "contacts-agent:" + f.AgentID, from: "contacts INDEXED BY contacts_by_agent", key: "id",
			where: "agent_id = ?", args: []any{f.AgentID}}
	case f.SourceID != "":
		return listing{path: "contacts-source:" + f.SourceID, from: "contacts INDEXED BY contacts_by_source", key: "id",
			where: "source_id = ?", args: []any{f.SourceID}}
	}
	// Every contact, or those of a kind through its partial index (a
	// cursor of one serves the others: they share the order).
	l := listing{path: "contacts", from: "contacts", key: "id"}
	switch f.Kind {
	case crm.KindClient:
		l.from, l.where = "contacts INDEXED BY contacts_clients", "client_id != ''"
	case crm.KindSupplier:
		l.from, l.where = "contacts INDEXED BY contacts_suppliers", "supplier_id != ''"
	case crm.KindNone:
		l.from, l.where = "contacts INDEXED BY contacts_neither", "client_id = '' AND supplier_id = ''"
	}
	return l
}

// prefixEnd is the least string greater than every string starting with
// prefix (prefix is not empty, and UTF-8 has no byte 0xff).
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	b[len(b)-1]++
	return string(b)
}

// contactByClaim finds the contact holding a unique e-mail or phone.
func (s *Store) contactByClaim(ctx context.Context, scope, value string, f crm.ContactFilter) (crm.Page[crm.Contact], error) {
	var res crm.Page[crm.Contact]
	owner, err := claimOwner(ctx, s.reads, scope, value)
	if err != nil || owner == "" {
		return res, s.fail(err)
	}
	c, err := contacts.get(ctx, s, s.reads, owner)
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
