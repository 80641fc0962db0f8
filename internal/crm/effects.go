package crm

import (
	"context"
	"time"
)

// TimelineKind is what a timeline entry records.
type TimelineKind string

// The kinds of timeline entries.
const (
	TimelineCreated     TimelineKind = "created"     // the contact was created
	TimelineLead        TimelineKind = "lead"        // a lead arrived for it (new or merged)
	TimelineAssigned    TimelineKind = "assigned"    // its agent changed
	TimelineConverted   TimelineKind = "converted"   // it became a client or supplier
	TimelineOpportunity TimelineKind = "opportunity" // an opportunity was opened
	TimelineState       TimelineKind = "state"       // an opportunity changed state
	TimelineNote        TimelineKind = "note"        // a note was added
	TimelineFile        TimelineKind = "file"        // a file was added
	TimelineQuote       TimelineKind = "quote"       // a quote was generated
)

// TimelineItem is one entry of a contact's history, written from the
// change stream.
type TimelineItem struct {
	ContactID string
	At        time.Time // when the change was made, not when it was handled: the same on every delivery
	EventID   string    // the stream record it came from (its key: written once)
	Kind      TimelineKind
	Summary   string // a short, language-neutral detail: a state name, a file name, a quote number, a note's start
	RefKind   string // what it is about: contact, opportunity, note, file, quote, client, supplier, lead
	RefID     string
	Actor     string // who did it ("" for a form or the system)
	// ActorName names who did it when the entry was written: the user's
	// name, or, when a lead did it (Actor ""), the source whose webhook
	// brought it; "" for the system.
	ActorName string
	PrivateTo string // set for a private note: only this user sees the entry
	Removed   bool   // ApplyOnce deletes the entry (a deleted note)
}

// VisibleTo reports whether u may see the entry.
func (t TimelineItem) VisibleTo(u User) bool { return t.PrivateTo == "" || t.PrivateTo == u.ID }

// StatDelta changes one per-source, per-month counter of the source report.
type StatDelta struct {
	SourceID string // "" for contacts and leads without a source
	Month    string // YYYY-MM in the company time zone
	Field    string // leads, contacts, opportunities, won, lost, wonAmountCents
	Delta    int64
}

// SourceMonth is one source's counters for one month.
type SourceMonth struct {
	SourceID       string
	Month          string
	Leads          int64
	Contacts       int64
	Opportunities  int64
	Won            int64
	Lost           int64
	WonAmountCents int64
}

// EffectStore keeps what the change stream writes, each once.
type EffectStore interface {
	// ApplyOnce writes timeline items and stat deltas once under key, so
	// that a record delivered again applies nothing (applied false). The
	// caller passes the same items for the same key each time (their At is
	// the change's), so a store may mark the record by its first entry
	// instead of a marker of its own. Errors: internal.
	ApplyOnce(ctx context.Context, key string, items []TimelineItem, stats []StatDelta) (applied bool, err error)
	// ClaimOnce records key (an e-mail about to be sent); false if it was
	// recorded before. Errors: internal.
	ClaimOnce(ctx context.Context, key string) (bool, error)
	// Release forgets key (the e-mail could not be sent; a retry may send
	// it). Errors: internal.
	Release(ctx context.Context, key string) error
	// Timeline lists a contact's history, newest first, those accept likes.
	// Errors: invalid (cursor), internal.
	Timeline(ctx context.Context, contactID string, o ListOptions, accept func(TimelineItem) bool) (Page[TimelineItem], error)
	// Stats returns the counters of the months from..to (YYYY-MM,
	// inclusive), every source, in one Query. Errors: internal.
	Stats(ctx context.Context, from, to string) ([]SourceMonth, error)
}
