package crm

import "context"

// namedContact returns the contact an import row names by its id (the
// zero Contact when it names none, or one that does not exist here: the
// row is then matched by e-mail or phone). Errors: conflict (the row's
// e-mail or phone is another contact's; ExistingID names it), internal.
func (s *Service) namedContact(ctx context.Context, l Lead, look LeadLookup) (Contact, error) {
	if l.ContactID == "" {
		return Contact{}, nil
	}
	c, err := s.store.GetContact(ctx, l.ContactID)
	if ErrorCode(err) == CodeNotFound {
		return Contact{}, nil
	}
	if err != nil {
		return Contact{}, err
	}
	for field, owner := range map[string]string{"email": look.EmailOwner, "phone": look.PhoneOwner} {
		if owner != "" && owner != c.ID {
			return Contact{}, &Error{Code: CodeConflict, Message: "the row's " + field + " belongs to another contact",
				Fields: map[string]string{field: "belongs to another contact than the row's id"}, ExistingID: owner}
		}
	}
	return c, nil
}

// importUnchanged reports whether an import row's merge m would change
// nothing of its contact (read unless the row named it, as named): then
// the row writes nothing, so that importing an export of the same data
// bumps no version and writes no record. It drops from m the e-mail and
// phone the contact has its own of. Errors: internal (the contact cannot
// be read; a contact gone since the lookup counts as changed).
func (s *Service) importUnchanged(ctx context.Context, named Contact, m *ContactMerge) (bool, error) {
	old := named
	if old.ID != m.ContactID {
		var err error
		if old, err = s.store.GetContact(ctx, m.ContactID); ErrorCode(err) == CodeNotFound {
			return false, nil // gone meanwhile: the merge fails and intake decides again
		} else if err != nil {
			return false, err
		}
	}
	m.AddEmail = m.AddEmail && old.Email == ""
	m.AddPhone = m.AddPhone && old.Phone == ""
	return !m.changes(old), nil
}
