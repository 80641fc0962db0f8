// Package mail holds the adapters that deliver notification e-mails: SES
// (Amazon SES v2, or any endpoint that speaks its API, such as the
// aws-ses-v2-local emulator) and Outbox (one .eml file per message, for the
// local runtime).
package mail

import (
	"context"
	"net/mail"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/mail/envelope"
)

// Email is one message to one recipient.
type Email = crm.Email

// Mailer sends one e-mail. Errors: invalid (the message or its address
// cannot be sent; retrying will not help), internal (a dependency failed;
// retry later).
type Mailer interface {
	Send(ctx context.Context, e Email) error
}

var (
	_ Mailer = (*SES)(nil)
	_ Mailer = (*Outbox)(nil)
)

// checked is an Email that passed check, ready for an adapter.
type checked = envelope.Checked

// check validates e (envelope.Check). Errors: invalid, naming each bad
// field.
func check(e Email) (checked, error) { return envelope.Check(e) }

// formatAddress writes a for a header or an SES address field
// (envelope.FormatAddress).
func formatAddress(a mail.Address) string { return envelope.FormatAddress(a) }

// parseFrom parses a configured sender (envelope.ParseFrom).
func parseFrom(from string) (mail.Address, bool) { return envelope.ParseFrom(from) }
