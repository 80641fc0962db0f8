// Package seshttp sends e-mail through Amazon SES v2 without the SDK's
// SES client: the two calls Embudo makes, SendEmail (simple content) and
// GetEmailIdentity (the sender check), as SigV4-signed HTTPS requests of
// SES's REST JSON protocol, signed with the SDK's signer as internal/blob
// signs its S3 requests. The API function sends the web app's sign-in
// links with it: the SDK's SES client, with its types, would add 2.3 MiB
// to that binary (docs/performance.md). The change-driven notifications
// keep internal/mail's SES adapter over the SDK's client.
package seshttp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/mail/envelope"
)

// Mailer is a crm.Mailer that sends through SES v2 with one signed
// request a message (no retries: a sign-in link is asked for again by its
// person), from From ("no-reply@example.com" or "Embudo
// <no-reply@example.com>"), through ConfigurationSet when set, each
// message tagged notification=<Email.Key>, as internal/mail's SES adapter
// sends.
type Mailer struct {
	Config           aws.Config // region and credentials
	Endpoint         string     // "" for https://email.<region>.amazonaws.com
	HTTP             *http.Client
	From             string
	ConfigurationSet string
	Now              func() time.Time
}

var _ crm.Mailer = (*Mailer)(nil)

// content is a text of a message and its charset.
type content struct {
	Data    string `json:"Data"`
	Charset string `json:"Charset"`
}

// sendRequest is the body of SendEmail.
type sendRequest struct {
	FromEmailAddress     string       `json:"FromEmailAddress"`
	Destination          destination  `json:"Destination"`
	ReplyToAddresses     []string     `json:"ReplyToAddresses,omitempty"`
	Content              emailContent `json:"Content"`
	ConfigurationSetName string       `json:"ConfigurationSetName,omitempty"`
	EmailTags            []tag        `json:"EmailTags,omitempty"`
}

type destination struct {
	ToAddresses []string `json:"ToAddresses"`
}

type emailContent struct {
	Simple simple `json:"Simple"`
}

type simple struct {
	Subject content `json:"Subject"`
	Body    body    `json:"Body"`
}

type body struct {
	Text *content `json:"Text,omitempty"`
	HTML *content `json:"Html,omitempty"`
}

type tag struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// refusals are the SES error codes that mean this message will never be
// accepted as it is, so a retry is pointless (internal/mail's, too).
var refusals = map[string]bool{
	"MessageRejected":       true,
	"BadRequestException":   true,
	"InvalidParameterValue": true,
}

// Send implements crm.Mailer. Errors: invalid (e has no valid recipient,
// subject or body, or SES refused the message: MessageRejected,
// BadRequestException; do not retry); internal (not configured, or SES
// failed, throttled or could not be reached).
func (m *Mailer) Send(ctx context.Context, e crm.Email) error {
	c, err := envelope.Check(e)
	if err != nil {
		return err
	}
	from, ok := envelope.ParseFrom(m.From)
	if !ok || m.Config.Credentials == nil {
		return crm.Internal(fmt.Errorf("seshttp: needs credentials and a valid From address (From=%q)", m.From))
	}
	req := sendRequest{FromEmailAddress: envelope.FormatAddress(from),
		Destination:          destination{ToAddresses: []string{envelope.FormatAddress(c.To)}},
		Content:              emailContent{Simple: simple{Subject: content{Data: c.Subject, Charset: "UTF-8"}}},
		ConfigurationSetName: m.ConfigurationSet}
	if c.Text != "" {
		req.Content.Simple.Body.Text = &content{Data: c.Text, Charset: "UTF-8"}
	}
	if c.HTML != "" {
		req.Content.Simple.Body.HTML = &content{Data: c.HTML, Charset: "UTF-8"}
	}
	if c.ReplyTo != "" {
		req.ReplyToAddresses = []string{c.ReplyTo}
	}
	if c.Key != "" {
		req.EmailTags = []tag{{Name: "notification", Value: c.Key}}
	}
	b, err := json.Marshal(req)
	if err != nil {
		return crm.Internal(err)
	}
	err = m.call(ctx, http.MethodPost, "/v2/email/outbound-emails", b, nil)
	var api *apiError
	if errors.As(err, &api) && refusals[api.Code] {
		return &crm.Error{Code: crm.CodeInvalid, Message: "the e-mail service refused the message", Err: err}
	}
	if err != nil {
		return crm.Internal(fmt.Errorf("seshttp: SendEmail: %w", err))
	}
	return nil
}

// identity is what GetEmailIdentity answers that the sender check reads.
type identity struct {
	VerifiedForSendingStatus bool   `json:"VerifiedForSendingStatus"`
	VerificationStatus       string `json:"VerificationStatus"`
}

// lookup asks SES about one identity: GET /v2/email/identities/{id}.
func (m *Mailer) lookup(ctx context.Context, id string) (envelope.Identity, error) {
	var out identity
	err := m.call(ctx, http.MethodGet, "/v2/email/identities/"+url.PathEscape(id), nil, &out)
	var api *apiError
	if errors.As(err, &api) && api.Code == "NotFoundException" {
		return envelope.Identity{}, nil
	}
	if err != nil {
		return envelope.Identity{}, err
	}
	return envelope.Identity{Found: true, Verified: out.VerifiedForSendingStatus, Status: out.VerificationStatus}, nil
}

// CheckSender reports whether SES may send from m.From
// (envelope.CheckSender): nil, an error wrapping
// envelope.ErrSenderNotVerified, or any other when it could not tell.
func (m *Mailer) CheckSender(ctx context.Context) error {
	return envelope.CheckSender(ctx, m.From, m.lookup)
}

// LogSenderCheck logs an error line when SES would refuse every e-mail from
// m.From, a warning when it cannot tell (envelope.LogSenderCheck: two
// seconds at most). It never fails.
func (m *Mailer) LogSenderCheck(ctx context.Context, log *slog.Logger) {
	envelope.LogSenderCheck(ctx, m.From, m.Config.Region, m.lookup, log)
}

// apiError is an error answer of SES: its code (MessageRejected,
// NotFoundException, ...) and message.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("SES %d %s: %s", e.Status, e.Code, e.Message)
}

// call sends a signed request with body (nil for none) and decodes the
// JSON answer into out (nil: not read). An error answer is an *apiError.
func (m *Mailer) call(ctx context.Context, method, path string, body []byte, out any) error {
	if m.Config.Credentials == nil {
		return errors.New("seshttp: no credentials")
	}
	creds, err := m.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	base := strings.TrimRight(m.Endpoint, "/")
	if base == "" {
		base = "https://email." + m.Config.Region + ".amazonaws.com"
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
	if m.Now != nil {
		now = m.Now
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ses", m.Config.Region, now()); err != nil {
		return err
	}
	cl := m.HTTP
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
	if res.StatusCode/100 != 2 {
		return readError(res, raw)
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// readError reads an SES error answer: the code from X-Amzn-ErrorType
// ("MessageRejected:http://internal.amazon.com/...") or the body's __type
// ("com.amazonaws.sesv2#NotFoundException") or code.
func readError(res *http.Response, raw []byte) error {
	var b struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Upper   string `json:"Message"`
	}
	_ = json.Unmarshal(raw, &b)
	code := res.Header.Get("X-Amzn-ErrorType")
	for _, c := range []string{b.Type, b.Code} {
		if code == "" {
			code = c
		}
	}
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = http.StatusText(res.StatusCode)
	}
	msg := b.Message
	if msg == "" {
		msg = b.Upper
	}
	return &apiError{Status: res.StatusCode, Code: code, Message: msg}
}
