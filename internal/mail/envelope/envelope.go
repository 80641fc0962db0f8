// Package envelope is what every e-mail adapter checks before sending (a
// message to one recipient, a configured sender) and the check that SES
// may send from the sender, apart from any SES client: internal/mail's
// adapters use it, and so does internal/mail/seshttp, which the API
// function links without the SDK's SES client. Standard library and crm
// only.
package envelope

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Checked is a crm.Email that passed Check, ready for an adapter.
type Checked struct {
	To      mail.Address // recipient with its display name
	Subject string
	Text    string
	HTML    string
	Key     string // "" unless it is safe as an SES tag value and a file name part
	ReplyTo string // "" for none
}

// keyPattern is what a notification key may look like to be used as an SES
// tag value or in a file name.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Check validates e. Errors: invalid, naming each bad field.
func Check(e crm.Email) (Checked, error) {
	fields := map[string]string{}
	to := strings.TrimSpace(e.To)
	if to == "" {
		fields["to"] = "is required"
	} else if a, err := mail.ParseAddress(to); err != nil || a.Name != "" || a.Address != to || !strings.Contains(a.Address, "@") {
		fields["to"] = "is not a valid e-mail address"
	}
	subject := OneLine(e.Subject)
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
		return Checked{}, crm.Invalid(fields)
	}
	c := Checked{
		To:      mail.Address{Name: OneLine(e.ToName), Address: to},
		Subject: subject,
		Text:    e.Text,
		HTML:    e.HTML,
		ReplyTo: replyTo,
	}
	if keyPattern.MatchString(e.Key) {
		c.Key = e.Key
	}
	return c, nil
}

// OneLine collapses runs of white space, line breaks included, into one
// space, so a header value cannot be split.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// FormatAddress writes a for a header or an SES address field: the bare
// address when there is no name, otherwise the name (RFC 2047-encoded when
// it is not ASCII) followed by the address in angle brackets.
func FormatAddress(a mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.String()
}

// ParseFrom parses a configured sender, "no-reply@example.com" or
// "Embudo <no-reply@example.com>".
func ParseFrom(from string) (mail.Address, bool) {
	a, err := mail.ParseAddress(strings.TrimSpace(from))
	if err != nil || !strings.Contains(a.Address, "@") {
		return mail.Address{}, false
	}
	return *a, true
}

// ErrSenderNotVerified is CheckSender's answer when SES has neither the
// sender's domain nor its address verified for sending: SES refuses every
// message from it (MessageRejected).
var ErrSenderNotVerified = errors.New("mail: the sender is not verified in SES")

// Identity is what SES says of an identity (a domain or an address).
type Identity struct {
	Found    bool   // SES has the identity
	Verified bool   // verified for sending
	Status   string // its verification status (PENDING, FAILED, ...), for people
}

// LookupIdentity asks SES about one identity (GetEmailIdentity).
type LookupIdentity func(ctx context.Context, id string) (Identity, error)

// CheckSender asks SES whether it may send from from: whether the
// address's domain, or else the address itself, is a verified identity.
// It costs one lookup when the domain is verified, two otherwise. It
// returns nil when SES may send, an error wrapping ErrSenderNotVerified
// when it may not (naming the identities to verify), and any other error
// (a bad From, no permission, no network) when it could not tell.
func CheckSender(ctx context.Context, from string, lookup LookupIdentity) error {
	a, ok := ParseFrom(from)
	if !ok {
		return fmt.Errorf("mail: the sender %q is not an e-mail address", from)
	}
	at := strings.LastIndexByte(a.Address, '@')
	domain := strings.ToLower(a.Address[at+1:])
	var state []string
	for _, id := range []string{domain, a.Address} {
		idn, err := lookup(ctx, id)
		switch {
		case err != nil:
			return fmt.Errorf("mail: SES GetEmailIdentity %s: %w", id, err)
		case !idn.Found:
			state = append(state, id+" is not an identity")
		case idn.Verified:
			return nil
		default:
			state = append(state, fmt.Sprintf("%s is %s", id, strings.ToLower(idn.Status)))
		}
	}
	return fmt.Errorf("%w: verify the domain %s (or the address %s) in SES in this region (%s)",
		ErrSenderNotVerified, domain, a.Address, strings.Join(state, ", "))
}

// senderCheckTimeout bounds LogSenderCheck, which runs in the cold start.
const senderCheckTimeout = 2 * time.Second

// LogSenderCheck runs CheckSender (at most two seconds) and logs one error
// line on log when SES would refuse every e-mail from from in region, a
// warning when it cannot tell (no permission, no network, an emulator
// without the API). It never fails: sending is unaffected.
func LogSenderCheck(ctx context.Context, from, region string, lookup LookupIdentity, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, senderCheckTimeout)
	defer cancel()
	switch err := CheckSender(ctx, from, lookup); {
	case errors.Is(err, ErrSenderNotVerified):
		log.ErrorContext(ctx, "SES will refuse every notification e-mail: the sender is not verified", "sender", from, "region", region, "err", err)
	case err != nil:
		log.WarnContext(ctx, "could not check that SES may send from the sender", "sender", from, "err", err)
	}
}
