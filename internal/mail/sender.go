package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// IdentityAPI is the part of the SES v2 client that CheckSender uses;
// *sesv2.Client satisfies it.
type IdentityAPI interface {
	GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, optFns ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error)
}

// ErrSenderNotVerified is CheckSender's answer when SES has neither the
// sender's domain nor its address verified for sending: SES refuses every
// message from it (MessageRejected), and SES.Send drops each one.
var ErrSenderNotVerified = errors.New("mail: the sender is not verified in SES")

// CheckSender asks SES (GetEmailIdentity) whether it may send from from:
// whether the address's domain, or else the address itself, is a verified
// identity. It costs one request when the domain is verified, two
// otherwise. It returns nil when SES may send, an error wrapping
// ErrSenderNotVerified when it may not (naming the identities to verify),
// and any other error (a bad From, no permission, no network) when it could
// not tell.
func CheckSender(ctx context.Context, c IdentityAPI, from string) error {
	a, ok := parseFrom(from)
	if !ok {
		return fmt.Errorf("mail: the sender %q is not an e-mail address", from)
	}
	at := strings.LastIndexByte(a.Address, '@')
	domain := strings.ToLower(a.Address[at+1:])
	var state []string
	for _, id := range []string{domain, a.Address} {
		out, err := c.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(id)})
		var nf *types.NotFoundException
		switch {
		case errors.As(err, &nf):
			state = append(state, id+" is not an identity")
		case err != nil:
			return fmt.Errorf("mail: SES GetEmailIdentity %s: %w", id, err)
		case out.VerifiedForSendingStatus:
			return nil
		default:
			state = append(state, fmt.Sprintf("%s is %s", id, strings.ToLower(string(out.VerificationStatus))))
		}
	}
	return fmt.Errorf("%w: verify the domain %s (or the address %s) in SES in this region (%s)",
		ErrSenderNotVerified, domain, a.Address, strings.Join(state, ", "))
}
