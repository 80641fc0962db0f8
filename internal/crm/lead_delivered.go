package crm

import "context"

// LeadDelivered returns the record of the lead src's webhook already stored
// for a delivery of format with externalID (Meta's leadgen_id, Google's
// lead_id, a webhook-id or Idempotency-Key), and true; false when there is
// none or externalID is empty. It reads the key IntakeLead stores the lead
// under, in one GetItem: the Meta webhook asks it before it fetches a lead
// from the Graph API, so that a notification delivered again costs no Graph
// call for the leads already stored. Errors: internal, unavailable.
func (s *Service) LeadDelivered(ctx context.Context, src Source, format LeadFormat, externalID string) (LeadRecord, bool, error) {
	key := leadKey(src, Lead{Format: format, ExternalID: externalID})
	if key == "" {
		return LeadRecord{}, false, nil
	}
	rec, err := s.store.GetLeadRecord(ctx, key)
	switch ErrorCode(err) {
	case "":
		return rec, true, nil
	case CodeNotFound:
		return LeadRecord{}, false, nil
	}
	return LeadRecord{}, false, err
}
