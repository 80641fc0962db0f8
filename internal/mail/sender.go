package mail

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/embudo/embudo/internal/mail/envelope"
)

// IdentityAPI is the part of the SES v2 client that CheckSender uses;
// *sesv2.Client satisfies it.
type IdentityAPI interface {
	GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, optFns ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error)
}

// ErrSenderNotVerified is CheckSender's answer when SES has neither the
// sender's domain nor its address verified for sending: SES refuses every
// message from it (MessageRejected), and SES.Send drops each one.
var ErrSenderNotVerified = envelope.ErrSenderNotVerified

// CheckSender asks SES (GetEmailIdentity) whether it may send from from:
// whether the address's domain, or else the address itself, is a verified
// identity (envelope.CheckSender). It costs one request when the domain is
// verified, two otherwise. It returns nil when SES may send, an error
// wrapping ErrSenderNotVerified when it may not (naming the identities to
// verify), and any other error (a bad From, no permission, no network)
// when it could not tell.
func CheckSender(ctx context.Context, c IdentityAPI, from string) error {
	return envelope.CheckSender(ctx, from, identities(c))
}

// identities looks identities up with c.
func identities(c IdentityAPI) envelope.LookupIdentity {
	return func(ctx context.Context, id string) (envelope.Identity, error) {
		out, err := c.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(id)})
		var nf *types.NotFoundException
		switch {
		case errors.As(err, &nf):
			return envelope.Identity{}, nil
		case err != nil:
			return envelope.Identity{}, err
		}
		return envelope.Identity{Found: true, Verified: out.VerifiedForSendingStatus, Status: string(out.VerificationStatus)}, nil
	}
}
