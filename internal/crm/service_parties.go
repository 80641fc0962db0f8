package crm

import (
	"context"
	"fmt"
)

// partyCode formats a party's sequential code.
func partyCode(k PartyKind, n int64) string { return fmt.Sprintf("%s%05d", k.CodePrefix(), n) }

// newParty fills a new party's ID, code and dates, taking the code's
// number in b.
func (s *Service) newParty(ctx context.Context, p *Party, b *Batch) error {
	n, err := s.takeNumber(ctx, b, string(p.Kind))
	if err != nil {
		return err
	}
	now := s.now()
	p.ID, p.Code, p.CreatedAt, p.UpdatedAt, p.Version = NewID(now), partyCode(p.Kind, n), now, now, 1
	return nil
}

// CreateParty creates a client or supplier and its main contact in one
// transaction. Errors: invalid, conflict (the e-mail or phone belongs to a
// contact already: convert that contact instead; ExistingID names it),
// internal.
func (s *Service) CreateParty(ctx context.Context, actor User, p Party) (Party, error) {
	if !p.Kind.Valid() {
		return Party{}, InvalidField("kind", "must be client or supplier")
	}
	if err := p.Normalize(s.cfg.PhoneRegion); err != nil {
		return Party{}, err
	}
	if mc := p.MainContact(); mc.Normalize(s.cfg.PhoneRegion) != nil {
		return Party{}, mc.Normalize(s.cfg.PhoneRegion)
	}
	in := p
	return again(func() (Party, error) {
		p := in
		b := Batch{}
		if err := s.newParty(ctx, &p, &b); err != nil {
			return Party{}, err
		}
		c := p.MainContact()
		if err := c.Normalize(s.cfg.PhoneRegion); err != nil {
			return Party{}, err
		}
		c.ID, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version = NewID(p.CreatedAt), actor.ID, p.CreatedAt, p.CreatedAt, 1
		p.MainContactID = c.ID
		b.Parties, b.Contacts = []Write[Party]{{New: p}}, []Write[Contact]{{New: c}}
		return p, s.store.Commit(ctx, b)
	})
}

// GetParty returns a client or supplier. Errors: invalid, not_found, internal.
func (s *Service) GetParty(ctx context.Context, k PartyKind, id string) (Party, error) {
	if err := CheckID("id", id); err != nil {
		return Party{}, err
	}
	return s.store.GetParty(ctx, k, id)
}

// UpdateParty applies change to a client or supplier. Its main contact is
// a record of its own and does not follow. Errors: invalid, not_found,
// precondition_failed, internal.
func (s *Service) UpdateParty(ctx context.Context, k PartyKind, id string, ifMatch int, change func(*Party) error) (Party, error) {
	return modify(ctx, string(k), id, ifMatch,
		func(ctx context.Context, id string) (Party, error) { return s.store.GetParty(ctx, k, id) },
		func(v *Party) *int { return &v.Version }, change,
		func(old Party, next *Party) error {
			next.Kind, next.ID, next.Code, next.MainContactID, next.CreatedAt = old.Kind, old.ID, old.Code, old.MainContactID, old.CreatedAt
			next.UpdatedAt = s.now()
			return next.Normalize(s.cfg.PhoneRegion)
		},
		func(ctx context.Context, old, next Party) error {
			return s.store.Commit(ctx, Batch{Parties: []Write[Party]{{Old: old, New: next}}})
		})
}

// ListParties lists clients or suppliers, newest first. Errors: invalid, internal.
func (s *Service) ListParties(ctx context.Context, k PartyKind, o ListOptions) (Page[Party], error) {
	if err := o.Normalize(); err != nil {
		return Page[Party]{}, err
	}
	return s.store.ListParties(ctx, k, o)
}

// Convert turns a contact into a client or supplier: the party gets the
// contact's data and the contact links to it, in one transaction. It is
// idempotent: a contact already converted returns its party and created
// false, even when two conversions race. Errors: invalid, not_found,
// internal.
func (s *Service) Convert(ctx context.Context, contactID string, k PartyKind) (Party, bool, error) {
	if err := CheckID("id", contactID); err != nil {
		return Party{}, false, err
	}
	if !k.Valid() {
		return Party{}, false, InvalidField("to", "must be client or supplier")
	}
	for attempt := 0; ; attempt++ {
		c, err := s.store.GetContact(ctx, contactID)
		if err != nil {
			return Party{}, false, err
		}
		if id := linkedParty(c, k); id != "" {
			p, err := s.store.GetParty(ctx, k, id)
			return p, false, err
		}
		b := Batch{}
		p, next, err := s.convertWrites(ctx, c, k, &b)
		if err != nil {
			return Party{}, false, err
		}
		b.Parties, b.Contacts = []Write[Party]{{New: p}}, []Write[Contact]{{Old: c, New: next}}
		err = s.store.Commit(ctx, b)
		if (ErrorCode(err) == CodePreconditionFailed || counterRace(err)) && attempt < numberRetries {
			continue // the contact changed (maybe converted), or the code was taken: look again
		}
		return p, err == nil, err
	}
}

func linkedParty(c Contact, k PartyKind) string {
	if k == PartySupplier {
		return c.SupplierID
	}
	return c.ClientID
}

// convertWrites builds the new party from a contact and the contact linked
// to it.
func (s *Service) convertWrites(ctx context.Context, c Contact, k PartyKind, b *Batch) (Party, Contact, error) {
	p := PartyFromContact(c, k)
	if err := p.Normalize(s.cfg.PhoneRegion); err != nil {
		return Party{}, Contact{}, err
	}
	if err := s.newParty(ctx, &p, b); err != nil {
		return Party{}, Contact{}, err
	}
	next := c
	if k == PartySupplier {
		next.SupplierID = p.ID
	} else {
		next.ClientID = p.ID
	}
	next.UpdatedAt, next.UpdatedBy, next.Version = p.CreatedAt, ActorFrom(ctx).ID, c.Version+1
	return p, next, nil
}
