package sqlite

import (
	"context"
	"encoding/json"

	"github.com/embudo/embudo/internal/crm"
)

// contactLeadsListing is the access path of a contact's lead records: the
// index leads_by_contact, newest first.
func contactLeadsListing(contactID string) listing {
	return listing{path: "leads:" + contactID, from: "leads", key: "id", where: "contact_id = ?", args: []any{contactID}}
}

// ListContactLeads implements crm.LeadStore. Errors: invalid (cursor),
// unavailable, internal.
func (s *Store) ListContactLeads(ctx context.Context, contactID string, o crm.ListOptions) (crm.Page[crm.LeadRecord], error) {
	return page(ctx, s, contactLeadsListing(contactID), o, func(doc []byte) (crm.LeadRecord, error) {
		var r leadRow
		if err := json.Unmarshal(doc, &r); err != nil {
			return crm.LeadRecord{}, crm.Internal(err)
		}
		return leadFromRow(r), nil
	}, nil)
}
