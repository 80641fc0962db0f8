package crm

import (
	"context"
	"time"
)

// noteContact finds the contact a note on (k, id) concerns, checking that
// the parent exists. Errors: invalid (kind), not_found (parent), internal.
func (s *Service) noteContact(ctx context.Context, k ParentKind, id string) (string, error) {
	if err := CheckID("id", id); err != nil {
		return "", err
	}
	switch k {
	case ParentContact:
		c, err := s.store.GetContact(ctx, id)
		return c.ID, err
	case ParentOpportunity:
		o, err := s.store.GetOpportunity(ctx, id)
		return o.ContactID, err
	case ParentClient, ParentSupplier:
		p, err := s.store.GetParty(ctx, PartyKind(k), id)
		return p.MainContactID, err
	case ParentQuote:
		q, err := s.store.GetQuote(ctx, id)
		return q.ContactID, err
	}
	return "", InvalidField("parent", "notes go on contacts, opportunities, clients, suppliers and quotes")
}

// CreateNote adds a note by actor on a parent. Its interest is linked to the
// contact it concerns. Errors: invalid, not_found (parent), internal.
func (s *Service) CreateNote(ctx context.Context, actor User, k ParentKind, parentID string, n Note) (Note, error) {
	if err := n.Normalize(); err != nil {
		return Note{}, err
	}
	contactID, err := s.noteContact(ctx, k, parentID)
	if err != nil {
		return Note{}, err
	}
	now := s.now()
	n.ID, n.ParentKind, n.ParentID, n.ContactID = NewID(now), k, parentID, contactID
	n.NotifiedAt, n.CreatedBy, n.UpdatedBy, n.CreatedAt, n.UpdatedAt, n.Version = nil, actor.ID, actor.ID, now, now, 1
	b := Batch{Notes: []Write[Note]{{New: n}}}
	if n.InterestID != "" && contactID != "" {
		c, err := s.store.GetContact(ctx, contactID)
		if err != nil {
			return Note{}, err
		}
		b.Contacts = s.withInterest(ctx, c, n.InterestID)
	}
	return n, s.store.Commit(ctx, b)
}

// GetNote returns a note actor may read; another user's private note is
// not_found, as if it did not exist. Errors: invalid, not_found, internal.
func (s *Service) GetNote(ctx context.Context, actor User, id string) (Note, error) {
	if err := CheckID("id", id); err != nil {
		return Note{}, err
	}
	n, err := s.store.GetNote(ctx, id)
	if err != nil {
		return Note{}, err
	}
	if !n.VisibleTo(actor) {
		return Note{}, NotFound("note")
	}
	return n, nil
}

// UpdateNote applies change to a note its author (or an admin, for a team
// note: the actor is read again for it, never a cached role) may change. A
// new avisoAt re-arms the reminder (notifiedAt clears).
// Errors: invalid, not_found, forbidden, precondition_failed, internal.
func (s *Service) UpdateNote(ctx context.Context, actor User, id string, ifMatch int, change func(*Note) error) (Note, error) {
	old, err := s.GetNote(ctx, actor, id)
	if err != nil {
		return Note{}, err
	}
	if old.CreatedBy != actor.ID {
		if ok, err := s.adminNow(ctx, actor); err != nil {
			return Note{}, err
		} else if !ok {
			return Note{}, Forbidden("only the note's author or an admin may change it")
		}
	}
	if err := checkVersion("note", ifMatch, old.Version); err != nil {
		return Note{}, err
	}
	next := old
	if err := change(&next); err != nil {
		return Note{}, err
	}
	if err := next.Normalize(); err != nil {
		return Note{}, err
	}
	if !sameTime(old.AvisoAt, next.AvisoAt) {
		next.NotifiedAt = nil
	}
	next.ID, next.ParentKind, next.ParentID, next.ContactID, next.CreatedBy, next.CreatedAt = old.ID, old.ParentKind, old.ParentID, old.ContactID, old.CreatedBy, old.CreatedAt
	next.UpdatedAt, next.UpdatedBy, next.Version = s.now(), actor.ID, old.Version+1
	b := Batch{Notes: []Write[Note]{{Old: old, New: next}}}
	if next.InterestID != "" && next.InterestID != old.InterestID && next.ContactID != "" {
		c, err := s.store.GetContact(ctx, next.ContactID)
		if err != nil {
			return Note{}, err
		}
		b.Contacts = s.withInterest(ctx, c, next.InterestID)
	}
	return next, s.store.Commit(ctx, b)
}

// DeleteNote deletes a note its author (or an admin, for a team note: read
// again, as in UpdateNote) may delete. Errors: invalid, not_found, forbidden, precondition_failed, internal.
func (s *Service) DeleteNote(ctx context.Context, actor User, id string, ifMatch int) error {
	n, err := s.GetNote(ctx, actor, id)
	if err != nil {
		return err
	}
	if n.CreatedBy != actor.ID {
		if ok, err := s.adminNow(ctx, actor); err != nil {
			return err
		} else if !ok {
			return Forbidden("only the note's author or an admin may delete it")
		}
	}
	if err := checkVersion("note", ifMatch, n.Version); err != nil {
		return err
	}
	return s.store.Commit(ctx, Batch{Notes: []Write[Note]{{Old: n, Delete: true}}})
}

// ListNotes lists the notes on a parent that actor may read, newest first.
// Errors: invalid, not_found (parent), internal.
func (s *Service) ListNotes(ctx context.Context, actor User, k ParentKind, parentID string, o ListOptions) (Page[Note], error) {
	if err := o.Normalize(); err != nil {
		return Page[Note]{}, err
	}
	if _, err := s.noteContact(ctx, k, parentID); err != nil {
		return Page[Note]{}, err
	}
	return s.store.ListNotes(ctx, k, parentID, o, func(n Note) bool { return n.VisibleTo(actor) })
}

// Reminders lists actor's pending reminders (its own notes' and the
// remind-everyone ones), soonest first: the "Avisos" tab. Errors: internal.
func (s *Service) Reminders(ctx context.Context, actor User) ([]Note, error) {
	mine, err := s.store.PendingReminders(ctx, actor.ID, time.Time{}, MaxLimit)
	if err != nil {
		return nil, err
	}
	all, err := s.store.PendingReminders(ctx, "ALL", time.Time{}, MaxLimit)
	if err != nil {
		return nil, err
	}
	out := append(mine, all...)
	sortByAviso(out)
	return out, nil
}

func sortByAviso(ns []Note) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j].AvisoAt.Before(*ns[j-1].AvisoAt); j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// TimeZone is the company time zone.
func (s *Service) TimeZone() *time.Location { return s.cfg.TimeZone }

// MarkNotified records that a note's reminder went out at, unless the
// note changed meanwhile (then its new aviso decides). Errors: internal.
func (s *Service) MarkNotified(ctx context.Context, n Note, at time.Time) error {
	next := n
	t := at.UTC()
	next.NotifiedAt, next.UpdatedAt, next.Version = &t, s.now(), n.Version+1
	err := s.store.Commit(ctx, Batch{Notes: []Write[Note]{{Old: n, New: next}}})
	if c := ErrorCode(err); c == CodePreconditionFailed || c == CodeNotFound {
		return nil
	}
	return err
}

// Timeline lists a contact's history that actor may see, newest first.
// Errors: invalid, not_found, internal.
func (s *Service) Timeline(ctx context.Context, actor User, contactID string, o ListOptions) (Page[TimelineItem], error) {
	if err := o.Normalize(); err != nil {
		return Page[TimelineItem]{}, err
	}
	if _, err := s.GetContact(ctx, contactID); err != nil {
		return Page[TimelineItem]{}, err
	}
	return s.store.Timeline(ctx, contactID, o, func(t TimelineItem) bool { return t.VisibleTo(actor) })
}
