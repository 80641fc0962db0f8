package reply

import (
	"context"

	"github.com/embudo/embudo/internal/crm"
)

// Mailer gives each notification e-mail the reply address of its
// record and recipient (Email.About) before Mailer sends it, so that a
// reply becomes a note on that record. Without Tokens, or for an e-mail
// about nothing, it sends the e-mail as it is.
type Mailer struct {
	Mailer crm.Mailer
	Tokens *Tokens
}

// Send implements crm.Mailer. Errors: those of Mailer.
func (m Mailer) Send(ctx context.Context, e crm.Email) error {
	if e.ReplyTo == "" && e.About.ID != "" {
		e.ReplyTo = m.Tokens.Address(e.About.Kind, e.About.ID, e.About.UserID)
	}
	return m.Mailer.Send(ctx, e)
}
