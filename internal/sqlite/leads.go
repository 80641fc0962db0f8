package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/embudo/embudo/internal/crm"
)

// LookupLead implements crm.LeadStore, reading in one snapshot the record
// under key (if key is set) and the contacts holding the e-mail and the
// first of the phones that one holds. Errors: unavailable, internal.
func (s *Store) LookupLead(ctx context.Context, key, email string, phones []string) (crm.LeadLookup, error) {
	var out crm.LeadLookup
	err := s.readTx(ctx, func(q querier) error {
		if key != "" {
			rec, err := leadByKey(ctx, q, key)
			switch {
			case err == nil:
				out.Existing = &rec
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		if email != "" {
			owner, err := claimOwner(ctx, q, scopeEmail, email)
			if err != nil {
				return err
			}
			out.EmailOwner = owner
		}
		for _, p := range phones {
			owner, err := claimOwner(ctx, q, scopePhone, p)
			if err != nil {
				return err
			}
			if owner != "" {
				out.PhoneOwner = owner
				break
			}
		}
		return nil
	})
	return out, err
}

// GetLeadRecord implements crm.LeadStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetLeadRecord(ctx context.Context, key string) (crm.LeadRecord, error) {
	rec, err := leadByKey(ctx, s.reads, key)
	if errors.Is(err, sql.ErrNoRows) {
		return crm.LeadRecord{}, crm.NotFound("lead")
	}
	return rec, s.fail(err)
}

func leadByKey(ctx context.Context, q querier, key string) (crm.LeadRecord, error) {
	var doc []byte
	if err := q.QueryRowContext(ctx, "SELECT doc FROM leads WHERE key = ?", key).Scan(&doc); err != nil {
		return crm.LeadRecord{}, err
	}
	var r leadRow
	if err := json.Unmarshal(doc, &r); err != nil {
		return crm.LeadRecord{}, crm.Internal(err)
	}
	return leadFromRow(r), nil
}

// insertLead stores a new lead record under its key. Errors: conflict
// naming "lead" (the delivery was stored before).
func insertLead(t *wtx, l crm.KeyedLead) error {
	if ok, err := t.found("SELECT 1 FROM leads WHERE key = ?", l.Key); err != nil {
		return err
	} else if ok {
		return errDuplicateLead()
	}
	doc, err := loadLead(t, l)
	if err != nil {
		return err
	}
	return t.outbox("lead", "", doc)
}

// loadLead writes a lead record's row, returning its document.
func loadLead(t *wtx, l crm.KeyedLead) (string, error) {
	b, err := json.Marshal(leadToRow(l.Record))
	if err != nil {
		return "", err
	}
	var contact any // NULL: listed under no contact
	if l.Record.ContactID != "" {
		contact = l.Record.ContactID
	}
	return string(b), t.exec("INSERT INTO leads (key, id, contact_id, doc) VALUES (?, ?, ?, ?)", l.Key, l.Record.ID, contact, string(b))
}

// merge enriches a stored contact with a lead's data (crm.ContactMerge's
// Apply): each field of Fill that is set is written only where the contact
// has none, interests are added (with their links), marketing consent is
// only turned on, and the e-mail and phone are added and claimed when
// asked, on condition that the contact has none; UpdatedBy and UpdatedVia
// say who merged. Errors: precondition_failed (the contact is gone, or has
// an e-mail or phone of its own by now), conflict (the e-mail or phone is
// another contact's).
func merge(t *wtx, m crm.ContactMerge) error {
	_, doc, found, err := contacts.stored(t, m.ContactID)
	if err != nil {
		return err
	}
	if !found {
		return crm.Stale("contact")
	}
	old, err := contacts.decode([]byte(doc))
	if err != nil {
		return err
	}
	if (m.AddEmail && old.Email != "") || (m.AddPhone && old.Phone != "") {
		return crm.Stale("contact") // it has its own by now: the caller merges without ours
	}
	next := m.Apply(old)
	next.Version, next.UpdatedAt = old.Version+1, m.UpdatedAt.UTC()
	if err := contacts.update(t, old, next); err != nil {
		return err
	}
	for _, iid := range m.InterestIDs {
		if err := linkInterest(t, m.ContactID, iid); err != nil {
			return err
		}
	}
	return nil
}

// rejectedEmails is the access path of refused inbound e-mail: the partial
// index leads_rejected_emails (its condition written out, so that the
// planner uses it), newest first.
var rejectedEmails = listing{path: "rejected", from: "leads INDEXED BY leads_rejected_emails", key: "id",
	where: "json_extract(doc, '$.format') = 'email' AND json_extract(doc, '$.outcome') = 'rejected'"}

// ListRejectedEmails implements crm.LeadStore. Errors: invalid (cursor),
// unavailable, internal.
func (s *Store) ListRejectedEmails(ctx context.Context, o crm.ListOptions) (crm.Page[crm.LeadRecord], error) {
	return page(ctx, s, rejectedEmails, o, func(doc []byte) (crm.LeadRecord, error) {
		var r leadRow
		if err := json.Unmarshal(doc, &r); err != nil {
			return crm.LeadRecord{}, crm.Internal(err)
		}
		return leadFromRow(r), nil
	}, nil)
}
