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
			next.UpdatedAt, next.UpdatedBy, next.UpdatedVia = s.now(), ActorFrom(ctx).ID, ""
			return next.Normalize(s.cfg.PhoneRegion)
		}, s.store.UpdateContact)
}

// DeleteContact deletes a contact if ifMatch (0: any) is current. The main
// contact of a client or supplier stays while it is main: a party never
// names a contact that is gone (the deletion is guarded by the version
// read, so a conversion racing with it makes it fail). Errors: invalid,
// not_found, precondition_failed, conflict (it has opportunities, or it is
// a party's main contact: ExistingID names the party), internal.
func (s *Service) DeleteContact(ctx context.Context, id string, ifMatch int) error {
	c, err := s.GetContact(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("contact", ifMatch, c.Version); err != nil {
		return err
	}
	if err := s.checkNotMain(ctx, c); err != nil {
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

// checkNotMain refuses to let go of the main contact of the client or
// supplier c is linked to. Errors: conflict (ExistingID names the party),
// internal.
func (s *Service) checkNotMain(ctx context.Context, c Contact) error {
	for _, l := range []struct {
		kind PartyKind
		id   string
	}{{PartyClient, c.ClientID}, {PartySupplier, c.SupplierID}} {
		if l.id == "" {
			continue
		}
		p, err := s.store.GetParty(ctx, l.kind, l.id)
		if ErrorCode(err) == CodeNotFound {
			continue
		}
		if err != nil {
			return err
		}
		if p.MainContactID == c.ID {
			return &Error{Code: CodeConflict, ExistingID: p.ID,
				Message: fmt.Sprintf("the contact is the main contact of %s %s (%s); it cannot be deleted while it is", p.Kind, p.Code, p.Name)}
		}
	}
	return nil
}
