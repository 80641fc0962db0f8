package mail

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// fakeIdentities answers GetEmailIdentity from a map of identity to
// whether it is verified for sending; an identity not in it is not found.
type fakeIdentities struct {
	verified map[string]bool
	err      error
	asked    []string
}

func (f *fakeIdentities) GetEmailIdentity(_ context.Context, in *sesv2.GetEmailIdentityInput, _ ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error) {
	id := aws.ToString(in.EmailIdentity)
	f.asked = append(f.asked, id)
	if f.err != nil {
		return nil, f.err
	}
	v, ok := f.verified[id]
	if !ok {
		return nil, &types.NotFoundException{Message: aws.String("Email identity " + id + " does not exist.")}
	}
	status := types.VerificationStatusPending
	if v {
		status = types.VerificationStatusSuccess
	}
	return &sesv2.GetEmailIdentityOutput{VerifiedForSendingStatus: v, VerificationStatus: status}, nil
}

func TestCheckSender(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		from     string
		verified map[string]bool
		asked    string
		wantErr  error // nil: may send
		mentions string
	}{
		{"domain verified", "Embudo <no-reply@Example.COM>", map[string]bool{"example.com": true}, "example.com", nil, ""},
		{"address verified", "ana@example.com", map[string]bool{"ana@example.com": true}, "example.com ana@example.com", nil, ""},
		{"address verified, domain pending", "ana@example.com", map[string]bool{"example.com": false, "ana@example.com": true}, "example.com ana@example.com", nil, ""},
		{"nothing", "no-reply@example.com", nil, "example.com no-reply@example.com", ErrSenderNotVerified, "verify the domain example.com (or the address no-reply@example.com)"},
		{"pending", "no-reply@example.com", map[string]bool{"no-reply@example.com": false}, "example.com no-reply@example.com", ErrSenderNotVerified, "no-reply@example.com is pending"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeIdentities{verified: c.verified}
			err := CheckSender(ctx, f, c.from)
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Fatalf("CheckSender = %v, want %v", err, c.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), c.mentions) {
				t.Errorf("error %q does not say %q", err, c.mentions)
			}
			if got := strings.Join(f.asked, " "); got != c.asked {
				t.Errorf("asked SES for %q, want %q", got, c.asked)
			}
		})
	}

	t.Run("cannot tell", func(t *testing.T) {
		denied := errors.New("AccessDeniedException: not authorized to perform ses:GetEmailIdentity")
		err := CheckSender(ctx, &fakeIdentities{err: denied}, "no-reply@example.com")
		if err == nil || errors.Is(err, ErrSenderNotVerified) || !errors.Is(err, denied) {
			t.Errorf("CheckSender = %v, want the SES error, not ErrSenderNotVerified", err)
		}
	})
	t.Run("bad sender", func(t *testing.T) {
		f := &fakeIdentities{}
		if err := CheckSender(ctx, f, "embudo"); err == nil || errors.Is(err, ErrSenderNotVerified) || len(f.asked) != 0 {
			t.Errorf("CheckSender(embudo) = %v after asking %v, want an error without asking", err, f.asked)
		}
	})
}
