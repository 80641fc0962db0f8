package mail

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/embudo/embudo/internal/crm"
)

// SESAPI is the part of the SES v2 client that SES uses; *sesv2.Client
// satisfies it.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends through SES v2 SendEmail with simple content (a UTF-8 subject
// and HTML and text parts), from From ("no-reply@example.com" or
// "Embudo <no-reply@example.com>"), through ConfigurationSet when it is set.
// Each message is tagged notification=<Email.Key>.
type SES struct {
	Client           SESAPI
	From             string
	ConfigurationSet string
}

// TagNotification is the name of the SES message tag that carries the
// notification key, for event publishing through the configuration set.
const TagNotification = "notification"

// sesRefusals are the SES error codes that mean this message will never be
// accepted as it is, so a retry is pointless.
var sesRefusals = map[string]bool{
	"MessageRejected":       true, // e.g. an unverified recipient in the sandbox
	"BadRequestException":   true, // e.g. a malformed address
	"InvalidParameterValue": true,
}

// Send sends e.
//
// Errors: invalid (e has no valid recipient, subject or body, or SES refused
// the message: MessageRejected, BadRequestException; do not retry);
// internal (the adapter is not configured, or SES failed, throttled, paused
// sending or could not be reached; retry later).
func (s *SES) Send(ctx context.Context, e Email) error {
	c, err := check(e)
	if err != nil {
		return err
	}
	from, ok := parseFrom(s.From)
	if s.Client == nil || !ok {
		return crm.Internal(fmt.Errorf("mail: SES adapter needs a client and a valid From address (From=%q)", s.From))
	}
	body := &types.Body{}
	if c.Text != "" {
		body.Text = &types.Content{Data: aws.String(c.Text), Charset: aws.String("UTF-8")}
	}
	if c.HTML != "" {
		body.Html = &types.Content{Data: aws.String(c.HTML), Charset: aws.String("UTF-8")}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(formatAddress(from)),
		Destination:      &types.Destination{ToAddresses: []string{formatAddress(c.To)}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(c.Subject), Charset: aws.String("UTF-8")},
			Body:    body,
		}},
	}
	if c.ReplyTo != "" {
		in.ReplyToAddresses = []string{c.ReplyTo}
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	if c.Key != "" {
		in.EmailTags = []types.MessageTag{{Name: aws.String(TagNotification), Value: aws.String(c.Key)}}
	}
	if _, err := s.Client.SendEmail(ctx, in); err != nil {
		return sesError(err)
	}
	return nil
}

// sesError turns a SendEmail failure into a crm.Error.
func sesError(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && sesRefusals[api.ErrorCode()] {
		return &crm.Error{Code: crm.CodeInvalid, Message: "the e-mail service refused the message", Err: err}
	}
	return crm.Internal(fmt.Errorf("mail: SES SendEmail: %w", err))
}
