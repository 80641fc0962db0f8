package crm

import (
	"context"
	"time"
)

// Email is one notification e-mail to one recipient.
type Email struct {
	To      string
	ToName  string
	Subject string
	Text    string
	HTML    string
	Key     string // the notification key, for tags and logs
	// About names the record the e-mail is about and the user it goes to,
	// so that a reply can become a note on that record (zero for none).
	About EmailAbout
	// ReplyTo is the address a reply goes to ("" for none): the inbound
	// address with the signed token of About, set by the inbound package's
	// mailer wrapper.
	ReplyTo string
}

// EmailAbout is the record a notification is about (a contact or an
// opportunity) and the user it is sent to.
type EmailAbout struct {
	Kind   ParentKind
	ID     string
	UserID string
}

// Mailer sends e-mail. Errors: invalid (the address was refused: do not
// retry), internal (retry).
type Mailer interface {
	Send(ctx context.Context, e Email) error
}

// Scheduler arms the reminder of a note at its aviso time and disarms it.
// Errors: invalid (the note ID cannot name a schedule), internal.
type Scheduler interface {
	Arm(ctx context.Context, noteID string, at time.Time) error
	Disarm(ctx context.Context, noteID string) error
}
