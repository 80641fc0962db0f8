package crm

import (
	"context"
	"fmt"
)

// CreateContact validates and stores a new contact made by actor. Errors:
// invalid, conflict (e-mail or phone of another contact; ExistingID names
// it), internal.
func (s *Service) CreateContact(ctx context.Context, actor User, c Contact) (Contact, error) {
	if err := c.Normalize(s.cfg.PhoneRegion); err != nil {
		return Contact{}, err
	}
	now := s.now()
	c.ID = NewID(now)
	c.CreatedBy, c.UpdatedBy = actor.ID, actor.ID
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
	if err := s.store.CreateContact(ctx, c); err != nil {
		return Contact{}, err
	}
	return c, nil
}

// GetContact returns one contact. Errors: invalid (id), not_found, internal.
func (s *Service) GetContact(ctx context.Context, id string) (Contact, error) {
	if err := CheckID("id", id); err != nil {
		return Contact{}, err
	}
	return s.store.GetContact(ctx, id)
}

// UpdateContact applies change to the contact if ifMatch (0: any) is its
// current version. Errors: invalid, not_found, precondition_failed,
// conflict, internal.
func (s *Service) UpdateContact(ctx context.Context, id string, ifMatch int, change func(*Contact) error) (Contact, error) {
	return modify(ctx, "contact", id, ifMatch, s.store.GetContact,
		func(c *Contact) *int { return &c.Version }, change,
		func(old Contact, next *Contact) error {
			next.ID, next.CreatedAt, next.CreatedBy = old.ID, old.CreatedAt, old.CreatedBy
			next.UpdatedAt, next.UpdatedBy = s.now(), ActorFrom(ctx).ID
			return next.Normalize(s.cfg.PhoneRegion)
		}, s.store.UpdateContact)
}

// DeleteContact deletes a contact if ifMatch (0: any) is current. Errors:
// invalid, not_found, precondition_failed, internal.
func (s *Service) DeleteContact(ctx context.Context, id string, ifMatch int) error {
	c, err := s.GetContact(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("contact", ifMatch, c.Version); err != nil {
		return err
	}
	n, err := s.store.CountOpportunitiesOf(ctx, c.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		return Conflict(fmt.Sprintf("the contact has %d opportunities; delete them first", n))
	}
	return s.store.DeleteContact(ctx, c)
}

// ListContacts lists contacts matching f. Errors: invalid, internal.
func (s *Service) ListContacts(ctx context.Context, f ContactFilter, o ListOptions) (Page[Contact], error) {
	if err := f.Normalize(s.cfg.PhoneRegion); err != nil {
		return Page[Contact]{}, err
	}
	if err := o.Normalize(); err != nil {
		return Page[Contact]{}, err
	}
	return s.store.ListContacts(ctx, f, o)
}
