package mail

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/emulate"
)

func sampleEmail() Email {
	return Email{
		To:      "jose.perez@example.com",
		ToName:  "José Pérez",
		Subject: "Nuevo contacto a tu cargo: Íñigo Muñoz",
		Text:    "Hola, José:\n\nLuis Gómez te ha puesto como agente del contacto Íñigo Muñoz.\n",
		HTML:    "<p>Hola, José:</p><p><strong>Luis Gómez</strong> te ha puesto como agente del contacto <strong>Íñigo Muñoz</strong>.</p>",
		Key:     crm.NotifyNewContactAgent,
	}
}

// The adapter against the real protocol: aws-ses-v2-local through the real
// SDK client, read back from the emulator's store.
func TestSESSendThroughEmulator(t *testing.T) {
	emu := emulate.StartSES(t)
	ses := &SES{Client: emu.Client(), From: "Embudo CRM <no-reply@embudo.example>", ConfigurationSet: "embudo-notifications"}
	ctx := context.Background()

	e := sampleEmail()
	if err := ses.Send(ctx, e); err != nil {
		t.Fatal(err)
	}
	plain := Email{To: "ana@example.com", Subject: "Only text", Text: "Just text, no HTML: ñ", Key: crm.NotifyNote}
	if err := ses.Send(ctx, plain); err != nil {
		t.Fatal(err)
	}

	got := emu.Emails(t)
	if len(got) != 2 {
		t.Fatalf("the emulator stored %d messages, want 2: %+v", len(got), got)
	}
	m := got[0]
	const wantFrom = `"Embudo CRM" <no-reply@embudo.example>` // net/mail quotes a name with a space
	if m.From != wantFrom {
		t.Errorf("from = %q", m.From)
	}
	if len(m.Destination.To) != 1 || m.Destination.To[0] != "=?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <jose.perez@example.com>" {
		t.Errorf("to = %q", m.Destination.To)
	}
	if len(m.Destination.Cc)+len(m.Destination.Bcc) != 0 {
		t.Errorf("cc/bcc = %q %q", m.Destination.Cc, m.Destination.Bcc)
	}
	if m.Subject != e.Subject || m.Body.Text != e.Text || m.Body.HTML != e.HTML {
		t.Errorf("stored subject/text/html differ:\n%+v", m)
	}
	if !strings.HasPrefix(m.MessageID, "ses-") {
		t.Errorf("messageId = %q", m.MessageID)
	}

	p := got[1]
	if p.From != wantFrom || len(p.Destination.To) != 1 || p.Destination.To[0] != "ana@example.com" ||
		p.Subject != "Only text" || p.Body.Text != plain.Text || p.Body.HTML != "" {
		t.Errorf("text-only message stored as %+v", p)
	}
}

// Messages that can never be sent fail as invalid before reaching SES.
func TestSESRejectsBadEmailsLocally(t *testing.T) {
	emu := emulate.StartSES(t)
	ses := &SES{Client: emu.Client(), From: "no-reply@embudo.example"}
	for name, mut := range map[string]func(*Email){
		"no address":        func(e *Email) { e.To = "" },
		"not an address":    func(e *Email) { e.To = "josé at example" },
		"address with name": func(e *Email) { e.To = "Jose <jose@example.com>" },
		"header injection":  func(e *Email) { e.To = "jose@example.com\r\nBcc: x@example.com" },
		"no subject":        func(e *Email) { e.Subject = " \n" },
		"no body":           func(e *Email) { e.Text, e.HTML = "", "  " },
	} {
		t.Run(name, func(t *testing.T) {
			e := sampleEmail()
			mut(&e)
			if err := ses.Send(context.Background(), e); crm.ErrorCode(err) != crm.CodeInvalid {
				t.Errorf("error %v, want invalid", err)
			}
		})
	}
	if got := emu.Emails(t); len(got) != 0 {
		t.Errorf("the emulator stored %d messages, want none", len(got))
	}
}

func TestSESMisconfigured(t *testing.T) {
	for _, s := range []*SES{{From: "no-reply@embudo.example"}, {Client: &sesv2.Client{}, From: "not an address"}} {
		if err := s.Send(context.Background(), sampleEmail()); crm.ErrorCode(err) != crm.CodeInternal {
			t.Errorf("%+v: error %v, want internal", s, err)
		}
	}
}

// SES error responses: no emulator produces these, so an httptest server
// answers with what SES sends (restJson1 errors named by X-Amzn-ErrorType),
// and checks the request on the wire on the way.
func TestSESErrorCodes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		errTyp string
		want   crm.Code
	}{
		{"accepted", 200, "", ""},
		{"sandbox refuses the recipient", 400, "MessageRejected", crm.CodeInvalid},
		{"bad address", 400, "BadRequestException", crm.CodeInvalid},
		{"throttled", 429, "TooManyRequestsException", crm.CodeInternal},
		{"sending paused", 400, "SendingPausedException", crm.CodeInternal},
		{"daily quota", 400, "LimitExceededException", crm.CodeInternal},
		{"server error", 500, "InternalFailure", crm.CodeInternal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
					t.Errorf("unexpected request %s %s auth=%q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
				}
				if err := json.Unmarshal(raw, &body); err != nil {
					t.Errorf("request body: %v", err)
				}
				w.Header().Set("Content-Type", "application/json")
				if c.errTyp != "" {
					w.Header().Set("X-Amzn-ErrorType", c.errTyp)
					w.WriteHeader(c.status)
					_, _ = io.WriteString(w, `{"message":"refused by the test server"}`)
					return
				}
				_, _ = io.WriteString(w, `{"MessageId":"test-1"}`)
			}))
			defer srv.Close()
			cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
			client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
				o.BaseEndpoint = aws.String(srv.URL)
				o.RetryMaxAttempts = 1
			})
			ses := &SES{Client: client, From: "no-reply@embudo.example", ConfigurationSet: "embudo"}
			err := ses.Send(context.Background(), sampleEmail())
			if got := crm.ErrorCode(err); got != c.want {
				t.Fatalf("error %v (code %q), want code %q", err, got, c.want)
			}
			if body["ConfigurationSetName"] != "embudo" || body["FromEmailAddress"] != "no-reply@embudo.example" {
				t.Errorf("request body %v", body)
			}
			tags, _ := json.Marshal(body["EmailTags"])
			if string(tags) != `[{"Name":"notification","Value":"new-contact-agent"}]` {
				t.Errorf("EmailTags = %s", tags)
			}
			simple, _ := json.Marshal(body["Content"])
			for _, w := range []string{`"Charset":"UTF-8"`, `"Html":`, `"Text":`, `Íñigo Muñoz`} {
				if !strings.Contains(string(simple), w) {
					t.Errorf("Content lacks %s: %s", w, simple)
				}
			}
		})
	}
}

// A key that is not a valid SES tag value is left out of the tags rather
// than failing the send.
func TestSESSkipsOddTag(t *testing.T) {
	var in *sesv2.SendEmailInput
	ses := &SES{Client: recordSES(func(i *sesv2.SendEmailInput) { in = i }), From: "no-reply@embudo.example"}
	e := sampleEmail()
	e.Key = "not a tag!"
	if err := ses.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if len(in.EmailTags) != 0 || in.ConfigurationSetName != nil {
		t.Errorf("tags %v, configuration set %v", in.EmailTags, in.ConfigurationSetName)
	}
}

type recordSES func(*sesv2.SendEmailInput)

func (f recordSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f(in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("x")}, nil
}
