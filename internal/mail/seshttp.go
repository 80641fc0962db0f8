package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// SESHTTP is a small SES v2 client: the two operations Embudo calls,
// SendEmail (with the fields SES sets: sender, one recipient, reply-to,
// simple content, configuration set, tags) and GetEmailIdentity, as
// SigV4-signed HTTPS requests of SES's REST JSON protocol. It satisfies
// SESAPI and IdentityAPI. The API function sends the web app's sign-in
// links with it: the SDK's client would add 2 MB to its binary
// (docs/performance.md), as internal/blob signs S3 requests itself. One
// attempt a call (a sign-in link is asked for again by its person).
type SESHTTP struct {
	Config   aws.Config // region and credentials
	Endpoint string     // "" for https://email.<region>.amazonaws.com
	HTTP     *http.Client
	Now      func() time.Time
}

// sesContent is a text of a message and its charset.
type sesContent struct {
	Data    string `json:"Data"`
	Charset string `json:"Charset,omitempty"`
}

// sesSendRequest is the body of SendEmail with the fields SES sets.
type sesSendRequest struct {
	FromEmailAddress     string          `json:"FromEmailAddress,omitempty"`
	Destination          sesDestination  `json:"Destination"`
	ReplyToAddresses     []string        `json:"ReplyToAddresses,omitempty"`
	Content              sesEmailContent `json:"Content"`
	ConfigurationSetName string          `json:"ConfigurationSetName,omitempty"`
	EmailTags            []sesTag        `json:"EmailTags,omitempty"`
}

type sesDestination struct {
	ToAddresses []string `json:"ToAddresses,omitempty"`
}

type sesEmailContent struct {
	Simple *sesSimple `json:"Simple,omitempty"`
}

type sesSimple struct {
	Subject *sesContent `json:"Subject,omitempty"`
	Body    sesBody     `json:"Body"`
}

type sesBody struct {
	Text *sesContent `json:"Text,omitempty"`
	HTML *sesContent `json:"Html,omitempty"`
}

type sesTag struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// content converts an SDK content to the wire's (nil for none).
func content(c *types.Content) *sesContent {
	if c == nil {
		return nil
	}
	return &sesContent{Data: aws.ToString(c.Data), Charset: aws.ToString(c.Charset)}
}

// toSendRequest converts the SendEmail input to the request body. Errors:
// content that is not simple, which SES does not send.
func toSendRequest(in *sesv2.SendEmailInput) (sesSendRequest, error) {
	if in.Content == nil || in.Content.Simple == nil || in.Content.Raw != nil || in.Content.Template != nil {
		return sesSendRequest{}, fmt.Errorf("mail: SESHTTP sends simple content only")
	}
	r := sesSendRequest{FromEmailAddress: aws.ToString(in.FromEmailAddress), ReplyToAddresses: in.ReplyToAddresses,
		ConfigurationSetName: aws.ToString(in.ConfigurationSetName)}
	if in.Destination != nil {
		r.Destination.ToAddresses = in.Destination.ToAddresses
	}
	s := in.Content.Simple
	r.Content.Simple = &sesSimple{Subject: content(s.Subject)}
	if s.Body != nil {
		r.Content.Simple.Body = sesBody{Text: content(s.Body.Text), HTML: content(s.Body.Html)}
	}
	for _, t := range in.EmailTags {
		r.EmailTags = append(r.EmailTags, sesTag{Name: aws.ToString(t.Name), Value: aws.ToString(t.Value)})
	}
	return r, nil
}

// SendEmail implements SESAPI: POST /v2/email/outbound-emails. Errors: as
// the SDK's, an smithy.APIError with SES's error code.
func (c *SESHTTP) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	body, err := toSendRequest(in)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var out struct {
		MessageID string `json:"MessageId"`
	}
	if err := c.call(ctx, http.MethodPost, "/v2/email/outbound-emails", b, &out); err != nil {
		return nil, err
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String(out.MessageID)}, nil
}

// GetEmailIdentity implements IdentityAPI: GET
// /v2/email/identities/{identity}, with the fields CheckSender reads.
// Errors: *types.NotFoundException for an identity SES does not have,
// else as the SDK's.
func (c *SESHTTP) GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, _ ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error) {
	var out struct {
		VerifiedForSendingStatus bool   `json:"VerifiedForSendingStatus"`
		VerificationStatus       string `json:"VerificationStatus"`
		IdentityType             string `json:"IdentityType"`
	}
	err := c.call(ctx, http.MethodGet, "/v2/email/identities/"+url.PathEscape(aws.ToString(in.EmailIdentity)), nil, &out)
	if err != nil {
		return nil, err
	}
	return &sesv2.GetEmailIdentityOutput{VerifiedForSendingStatus: out.VerifiedForSendingStatus,
		VerificationStatus: types.VerificationStatus(out.VerificationStatus), IdentityType: types.IdentityType(out.IdentityType)}, nil
}

// call sends a signed request with body (nil for none) and decodes the
// JSON answer into out. An error answer becomes the error SES names in
// X-Amzn-ErrorType (or the body's __type or code): NotFoundException as
// the SDK's type, any other as an smithy.GenericAPIError.
func (c *SESHTTP) call(ctx context.Context, method, path string, body []byte, out any) error {
	creds, err := c.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	base := strings.TrimRight(c.Endpoint, "/")
	if base == "" {
		base = "https://email." + c.Config.Region + ".amazonaws.com"
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ses", c.Config.Region, now()); err != nil {
		return err
	}
	cl := c.HTTP
	if cl == nil {
		cl = http.DefaultClient
	}
	res, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 == 2 {
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		return json.Unmarshal(raw, out)
	}
	return sesAPIError(res, raw)
}

// sesAPIError reads an SES error answer.
func sesAPIError(res *http.Response, raw []byte) error {
	var e struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Upper   string `json:"Message"`
	}
	_ = json.Unmarshal(raw, &e)
	code := res.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = e.Type
	}
	if code == "" {
		code = e.Code
	}
	// "MessageRejected:http://internal.amazon.com/coral/..." and
	// "com.amazonaws.sesv2#NotFoundException" both name the code.
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = http.StatusText(res.StatusCode)
	}
	msg := e.Message
	if msg == "" {
		msg = e.Upper
	}
	if code == "NotFoundException" {
		return &types.NotFoundException{Message: aws.String(msg)}
	}
	fault := smithy.FaultClient
	if res.StatusCode >= 500 {
		fault = smithy.FaultServer
	}
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: fault}
}
