package mail

import (
	"context"
	"log/slog"

	"github.com/embudo/embudo/internal/mail/envelope"
)

// LogSenderCheck logs one error line on log when SES would refuse every
// e-mail from from because neither the address nor its domain is verified
// in region (CheckSender: one or two GetEmailIdentity requests, at most
// two seconds). When it cannot tell (no permission, no network, an
// emulator without the API) it logs a warning. It never fails: sending,
// and its own errors, are unaffected. The stream and reminder functions
// call it once, at cold start.
func LogSenderCheck(ctx context.Context, c IdentityAPI, from, region string, log *slog.Logger) {
	envelope.LogSenderCheck(ctx, from, region, identities(c), log)
}
