package crm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// IntakeEmail turns an inbound message into a team (or private) note by
// author, in one transaction with the message's record: on the contact or
// opportunity a reply token named, else on the contact holding
// ContactEmail, else on a contact created for it (source "E-mail", the
// way a lead creates one; a contact with that e-mail is never duplicated).
// The original message goes on the contact, the attachments on the note's
// parent, all complete. A message seen before (same MessageID) returns the
// first record and duplicate true, and writes nothing. Errors: forbidden
// (author is not an active user), invalid (no message ID, no text, a bad
// contact e-mail or file), not_found (the parent), internal.
func (s *Service) IntakeEmail(ctx context.Context, author User, in InboundEmail) (LeadRecord, bool, error) {
	if !author.Active || author.ID == "" {
		return LeadRecord{}, false, Forbidden("only an active user may write notes by e-mail")
	}
	if in.MessageID == "" {
		return LeadRecord{}, false, InvalidField("messageId", "is required")
	}
	key := EmailKey(in.MessageID)
	for attempt := 0; ; attempt++ {
		rec, dup, err := s.intakeEmail(ctx, author, in, key)
		if err == nil {
			return rec, dup, nil
		}
		if errors.Is(err, ErrDuplicateLead) {
			rec, err := s.store.GetLeadRecord(ctx, key) // the same message, at the same moment
			return rec, err == nil, err
		}
		if c := ErrorCode(err); (c == CodeConflict || c == CodePreconditionFailed) && attempt < retries {
			continue // a contact with this e-mail appeared meanwhile: decide again
		}
		return LeadRecord{}, false, err
	}
}

func (s *Service) intakeEmail(ctx context.Context, author User, in InboundEmail, key string) (LeadRecord, bool, error) {
	now := s.now()
	rec := LeadRecord{ID: NewID(now), SourceID: EmailSourceID, Format: FormatEmail, ExternalID: truncate(in.MessageID, 500),
		ReceivedAt: now, Extra: map[string]string{RejectFrom: truncate(in.From, 320), RejectSubject: truncate(in.Subject, 500)}}
	email := ""
	if in.ParentKind == "" {
		e, ok := NormalizeEmail(in.ContactEmail)
		if !ok || e == "" {
			return LeadRecord{}, false, InvalidField("contactEmail", "is not a valid e-mail address")
		}
		email = e
	}
	look, err := s.store.LookupLead(ctx, key, email, nil)
	if err != nil {
		return LeadRecord{}, false, err
	}
	if look.Existing != nil {
		return *look.Existing, true, nil
	}
	b := Batch{}
	kind, parentID, contactID := in.ParentKind, in.ParentID, ""
	switch {
	case kind != "":
		if contactID, err = s.noteContact(ctx, kind, parentID); err != nil {
			return LeadRecord{}, false, err
		}
		rec.Outcome = OutcomeNoted
		if kind == ParentOpportunity {
			rec.OpportunityID = parentID
		}
	case look.EmailOwner != "":
		kind, parentID, contactID = ParentContact, look.EmailOwner, look.EmailOwner
		rec.Outcome = OutcomeNoted
	default:
		c, err := s.emailContact(ctx, author, email, in.ContactName, &rec, now)
		if err != nil {
			return LeadRecord{}, false, err
		}
		b.Contacts = []Write[Contact]{{New: c}}
		kind, parentID, contactID = ParentContact, c.ID, c.ID
		rec.Outcome = OutcomeCreated
	}
	if rec.Outcome == OutcomeCreated {
		rec.ContactID = contactID
	} else {
		rec.Extra[NotedContact] = contactID
	}
	n := Note{Text: truncate(in.Text, MaxNoteLen), Visibility: VisibilityTeam}
	if in.Private {
		n.Visibility = VisibilityPrivate
	}
	if err := n.Normalize(); err != nil {
		return LeadRecord{}, false, err
	}
	n.ID, n.ParentKind, n.ParentID, n.ContactID = NewID(now), kind, parentID, contactID
	n.CreatedBy, n.UpdatedBy, n.CreatedAt, n.UpdatedAt, n.Version = author.ID, author.ID, now, now, 1
	b.Notes = []Write[Note]{{New: n}}
	fileKind, fileParent := kind, parentID
	if kind != ParentContact && kind != ParentOpportunity {
		fileKind, fileParent = ParentContact, contactID
	}
	add := func(f File, k ParentKind, parent string) error {
		if err := CheckID("files.id", f.ID); err != nil {
			return err
		}
		if err := f.Normalize(); err != nil {
			return err
		}
		f.ParentKind, f.ParentID, f.ContactID, f.Status, f.UploadedBy = k, parent, contactID, FileComplete, author.ID
		f.CreatedAt, f.UpdatedAt, f.Version = now, now, 1
		b.Files = append(b.Files, Write[File]{New: f})
		return nil
	}
	if in.Original != nil && contactID != "" {
		if err := add(*in.Original, ParentContact, contactID); err != nil {
			return LeadRecord{}, false, err
		}
	}
	for _, f := range in.Attachments {
		if err := add(f, fileKind, fileParent); err != nil {
			return LeadRecord{}, false, err
		}
	}
	if len(b.Files) > MaxEmailFiles {
		return LeadRecord{}, false, InvalidField("files", fmt.Sprintf("an e-mail adds at most %d files", MaxEmailFiles))
	}
	b.Leads = []KeyedLead{{Key: key, Record: rec}}
	if err := s.store.Commit(ctx, b); err != nil {
		return LeadRecord{}, false, err
	}
	return rec, false, nil
}

// emailContact is the new contact of an e-mail about an unknown address.
func (s *Service) emailContact(ctx context.Context, author User, email, name string, rec *LeadRecord, now time.Time) (Contact, error) {
	if err := s.ensureEmailSource(ctx); err != nil {
		return Contact{}, err
	}
	c := Contact{Name: firstNonEmpty(truncate(name, MaxNameLen), email), Email: email, SourceID: EmailSourceID,
		CreatedBy: author.ID, UpdatedBy: author.ID}
	if err := normalizeLeadContact(&c, s.cfg.PhoneRegion, rec); err != nil {
		return Contact{}, err
	}
	c.ID, c.CreatedAt, c.UpdatedAt, c.Version = NewID(now), now, now, 1
	return c, nil
}

// ensureEmailSource creates the "E-mail" source once (named "E-mail
// (inbound)" when an admin's source has the name). Errors: conflict (both
// names taken), internal.
func (s *Service) ensureEmailSource(ctx context.Context) error {
	_, err := s.store.GetSource(ctx, EmailSourceID)
	if ErrorCode(err) != CodeNotFound {
		return err
	}
	now := s.now()
	src := Source{ID: EmailSourceID, Name: EmailSourceName, Observations: "Contacts created from e-mail sent to the inbound address.",
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = s.store.CreateSource(ctx, src)
	if ErrorCode(err) == CodeConflict {
		if _, gerr := s.store.GetSource(ctx, EmailSourceID); gerr == nil {
			return nil // created at the same moment by another message
		}
		src.Name = EmailSourceName + " (inbound)" // an admin's source has the name
		err = s.store.CreateSource(ctx, src)
		if ErrorCode(err) == CodeConflict {
			if _, gerr := s.store.GetSource(ctx, EmailSourceID); gerr == nil {
				return nil
			}
		}
	}
	return err
}

// RejectEmail keeps a refused message aside: a record with the reason and
// what identifies the message (the Reject* keys of extra), for an admin to
// see in RejectedEmails. A message recorded before (same messageID) is
// recorded once: duplicate true. Errors: invalid (no message ID or reason),
// internal.
func (s *Service) RejectEmail(ctx context.Context, messageID string, extra map[string]string) (LeadRecord, bool, error) {
	if messageID == "" || extra[RejectReason] == "" {
		return LeadRecord{}, false, InvalidField("reason", "a rejection needs a message ID and a reason")
	}
	now := s.now()
	kept := make(map[string]string, len(extra))
	for k, v := range extra {
		kept[k] = truncate(v, 1000)
	}
	rec := LeadRecord{ID: NewID(now), SourceID: EmailSourceID, Format: FormatEmail, ExternalID: truncate(messageID, 500),
		Outcome: OutcomeRejected, Extra: kept, ReceivedAt: now}
	key := EmailKey(messageID)
	err := s.store.Commit(ctx, Batch{Leads: []KeyedLead{{Key: key, Record: rec}}})
	if errors.Is(err, ErrDuplicateLead) {
		rec, err := s.store.GetLeadRecord(ctx, key)
		return rec, err == nil, err
	}
	if err != nil {
		return LeadRecord{}, false, err
	}
	return rec, false, nil
}

// RejectedEmails lists the refused inbound messages, newest first, with
// their reasons (LeadRecord.Extra). Errors: forbidden (actor is not an
// admin), invalid (limit, cursor), internal.
func (s *Service) RejectedEmails(ctx context.Context, actor User, o ListOptions) (Page[LeadRecord], error) {
	if !actor.IsAdmin() {
		return Page[LeadRecord]{}, Forbidden("only an admin may see rejected e-mail")
	}
	if err := o.Normalize(); err != nil {
		return Page[LeadRecord]{}, err
	}
	return s.store.ListRejectedEmails(ctx, o)
}

// EmailRawURL returns a short-lived URL to download a rejected message as
// it was received (its record's RejectRaw key). Errors: invalid (no key),
// internal (no file storage, or it failed).
func (s *Service) EmailRawURL(ctx context.Context, key string) (string, time.Time, error) {
	if key == "" {
		return "", time.Time{}, InvalidField("raw", "the message was not kept")
	}
	b, err := s.blobs()
	if err != nil {
		return "", time.Time{}, err
	}
	return b.DownloadURL(ctx, key, "message.eml", "message/rfc822")
}

// EmailRecord reads the record of a message received before, by its
// Message-ID: what became of it (a note, or rejected and why). Errors:
// not_found (never received), internal.
func (s *Service) EmailRecord(ctx context.Context, messageID string) (LeadRecord, error) {
	return s.store.GetLeadRecord(ctx, EmailKey(messageID))
}

// EmailOwner returns the ID of the contact holding an e-mail address, ""
// when none does. Errors: internal.
func (s *Service) EmailOwner(ctx context.Context, email string) (string, error) {
	look, err := s.store.LookupLead(ctx, "", email, nil)
	return look.EmailOwner, err
}
