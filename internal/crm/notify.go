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
	// ReplyTo is the address a reply goes to ("" for none): the inbound
	// address with the signed token of the record and the recipient, so
	// that a reply becomes a note on that record.
	ReplyTo string
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
