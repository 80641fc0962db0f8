package mail

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// senderCheckTimeout bounds LogSenderCheck, which runs in the cold start.
const senderCheckTimeout = 2 * time.Second

// LogSenderCheck logs one error line on log when SES would refuse every
// e-mail from from because neither the address nor its domain is verified
// in region (CheckSender: one or two GetEmailIdentity requests, at most
// two seconds). When it cannot tell (no permission, no network, an
// emulator without the API) it logs a warning. It never fails: sending,
// and its own errors, are unaffected. The stream and reminder functions
// call it once, at cold start.
func LogSenderCheck(ctx context.Context, c IdentityAPI, from, region string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, senderCheckTimeout)
	defer cancel()
	switch err := CheckSender(ctx, c, from); {
	case errors.Is(err, ErrSenderNotVerified):
		log.ErrorContext(ctx, "SES will refuse every notification e-mail: the sender is not verified", "sender", from, "region", region, "err", err)
	case err != nil:
		log.WarnContext(ctx, "could not check that SES may send from the sender", "sender", from, "err", err)
	}
}
