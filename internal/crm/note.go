package crm

import (
	"context"
	"strings"
	"time"
)

// Visibility says who may read a note.
type Visibility string

// The visibilities of a note.
const (
	VisibilityPrivate Visibility = "private" // only its author, anywhere: lists, timeline, e-mails
	VisibilityTeam    Visibility = "team"    // every user
)

// ParentKind is what a note or file is attached to.
type ParentKind string

// The kinds of parent.
const (
	ParentContact     ParentKind = "contact"
	ParentOpportunity ParentKind = "opportunity"
	ParentClient      ParentKind = "client"
	ParentSupplier    ParentKind = "supplier"
	ParentQuote       ParentKind = "quote"
)

// Note is a free-text record on a contact, opportunity, client, supplier or
// quote, optionally with a reminder (aviso).
type Note struct {
	ID         string
	ParentKind ParentKind
	ParentID   string
	ContactID  string // the contact it concerns (the parent, or the parent's contact), for the timeline
	Text       string
	InterestID string
	Visibility Visibility
	AvisoAt    *time.Time // when to remind; nil for none
	RemindAll  bool       // remind every active user instead of the author (team notes only)
	NotifiedAt *time.Time // when the reminder for AvisoAt went out; cleared when AvisoAt changes
	CreatedBy  string
	UpdatedBy  string // who made the last change ("" for the system)
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// MaxNoteLen bounds a note's text.
const MaxNoteLen = 20000

// VisibleTo reports whether user u may read the note.
func (n Note) VisibleTo(u User) bool {
	return n.Visibility != VisibilityPrivate || n.CreatedBy == u.ID
}

// Pending reports whether the note has a reminder that has not gone out.
func (n Note) Pending() bool { return n.AvisoAt != nil && n.NotifiedAt == nil }

// Normalize validates the note; CodeInvalid names each bad field.
func (n *Note) Normalize() error {
	f := fieldErrors{}
	requireText(f, "text", &n.Text, MaxNoteLen)
	checkRef(f, "interestId", &n.InterestID)
	switch n.Visibility {
	case "":
		n.Visibility = VisibilityTeam
	case VisibilityPrivate, VisibilityTeam:
	default:
		f.add("visibility", "must be private or team")
	}
	if n.RemindAll && n.Visibility == VisibilityPrivate {
		f.add("remindAll", "only a team note can remind everyone: a private note reaches only its author")
	}
	if n.AvisoAt != nil {
		t := n.AvisoAt.UTC().Truncate(time.Second)
		n.AvisoAt = &t
	}
	return f.err()
}

// ParseAviso reads a reminder time: RFC 3339, or a date alone
// (2026-12-01), which means 09:00 in the company time zone. Errors: invalid.
func ParseAviso(s string, tz *time.Location) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, tz); err == nil {
		t := time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, tz).UTC()
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, InvalidField("avisoAt", "must be a date (2026-12-01, meaning 09:00) or a time (2026-12-01T16:30:00+01:00)")
	}
	t = t.UTC()
	return &t, nil
}

// Scheduler arms the reminder of a note at its aviso time and disarms it
// (internal/remind decides when; its adapters make it fire). Errors:
// invalid (the note ID cannot name a schedule), internal.
type Scheduler interface {
	Arm(ctx context.Context, noteID string, at time.Time) error
	Disarm(ctx context.Context, noteID string) error
}
