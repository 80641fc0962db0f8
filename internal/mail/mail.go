// Package mail holds the adapters that deliver notification e-mails: SES
// (Amazon SES v2, or any endpoint that speaks its API, such as the
// aws-ses-v2-local emulator) and Outbox (one .eml file per message, for the
// local runtime).
package mail

import (
	"context"
	"net/mail"
	"regexp"
	"strings"

	"github.com/embudo/embudo/internal/crm"
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
type checked struct {
	to      mail.Address // recipient with its display name
	subject string
	text    string
	html    string
	key     string // "" unless it is safe as an SES tag value and a file name part
	replyTo string // "" for none
}

// keyPattern is what a notification key may look like to be used as an SES
// tag value or in a file name.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// check validates e. Errors: invalid, naming each bad field.
func check(e Email) (checked, error) {
	fields := map[string]string{}
	to := strings.TrimSpace(e.To)
	if to == "" {
		fields["to"] = "is required"
	} else if a, err := mail.ParseAddress(to); err != nil || a.Name != "" || a.Address != to || !strings.Contains(a.Address, "@") {
		fields["to"] = "is not a valid e-mail address"
	}
	subject := oneLine(e.Subject)
	if subject == "" {
		fields["subject"] = "is required"
	}
	if strings.TrimSpace(e.Text) == "" && strings.TrimSpace(e.HTML) == "" {
		fields["body"] = "needs a text or an HTML part"
	}
	replyTo := strings.TrimSpace(e.ReplyTo)
	if a, err := mail.ParseAddress(replyTo); replyTo != "" && (err != nil || a.Name != "" || a.Address != replyTo) {
		fields["replyTo"] = "is not a valid e-mail address"
	}
	if len(fields) > 0 {
		return checked{}, crm.Invalid(fields)
	}
	c := checked{
		to:      mail.Address{Name: oneLine(e.ToName), Address: to},
		subject: subject,
		text:    e.Text,
		html:    e.HTML,
		replyTo: replyTo,
	}
	if keyPattern.MatchString(e.Key) {
		c.key = e.Key
	}
	return c, nil
}

// oneLine collapses runs of white space, line breaks included, into one
// space, so a header value cannot be split.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// formatAddress writes a for a header or an SES address field: the bare
// address when there is no name, otherwise the name (RFC 2047-encoded when
// it is not ASCII) followed by the address in angle brackets.
func formatAddress(a mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.String()
}

// parseFrom parses a configured sender, "no-reply@example.com" or
// "Embudo <no-reply@example.com>".
func parseFrom(from string) (mail.Address, bool) {
	a, err := mail.ParseAddress(strings.TrimSpace(from))
	if err != nil || !strings.Contains(a.Address, "@") {
		return mail.Address{}, false
	}
	return *a, true
}
