package crm

import "context"

// ContactLeads lists the lead records of a contact, newest first: each
// lead that created it or was merged into it, with what it posted (Data,
// Message, Extra), when, from which source and format. A merge writes only
// what the contact lacked; the record keeps the rest. Errors: invalid (id,
// limit, cursor), not_found (no such contact), internal.
func (s *Service) ContactLeads(ctx context.Context, contactID string, o ListOptions) (Page[LeadRecord], error) {
	if err := o.Normalize(); err != nil {
		return Page[LeadRecord]{}, err
	}
	if _, err := s.GetContact(ctx, contactID); err != nil {
		return Page[LeadRecord]{}, err
	}
	return s.store.ListContactLeads(ctx, contactID, o)
}
