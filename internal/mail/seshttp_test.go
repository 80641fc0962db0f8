package mail

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/emulate"
)

func testAWS() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
}

// TestSESHTTPSendsThroughEmulator: the small client sends what the SDK's
// does, as the SES emulator stores it.
func TestSESHTTPSendsThroughEmulator(t *testing.T) {
	emu := emulate.StartSES(t)
	ses := &SES{Client: &SESHTTP{Config: testAWS(), Endpoint: emu.URL}, From: "Embudo CRM <no-reply@embudo.example>", ConfigurationSet: "embudo"}
	e := sampleEmail()
	e.ReplyTo = "n+abc@in.embudo.example"
	if err := ses.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := emu.Emails(t)
	if len(got) != 1 {
		t.Fatalf("the emulator stored %d messages, want 1", len(got))
	}
	m := got[0]
	if m.From != `"Embudo CRM" <no-reply@embudo.example>` || len(m.Destination.To) != 1 ||
		m.Destination.To[0] != "=?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <jose.perez@example.com>" ||
		m.Subject != e.Subject || m.Body.Text != e.Text || m.Body.HTML != e.HTML {
		t.Errorf("stored %+v", m)
	}
}

// TestSESHTTPOnTheWire: the request is SigV4-signed for the service "ses"
// in the region, carries the SDK's JSON; SES's errors come back as the
// SDK's, so SES.Send tells a refusal (invalid) from a failure (internal),
// and CheckSender a missing identity.
func TestSESHTTPOnTheWire(t *testing.T) {
	var body map[string]any
	var status int
	var errType string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, "/eu-west-1/ses/aws4_request") {
			t.Errorf("authorization %q", auth)
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v2/email/outbound-emails":
			raw, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Errorf("body: %v", err)
			}
			if errType != "" {
				w.Header().Set("X-Amzn-ErrorType", errType+":http://internal.amazon.com/coral/com.amazonaws.sesv2/")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"message":"refused by the test server"}`)
				return
			}
			_, _ = io.WriteString(w, `{"MessageId":"test-1"}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v2/email/identities/example.com":
			_, _ = io.WriteString(w, `{"IdentityType":"DOMAIN","VerifiedForSendingStatus":true,"VerificationStatus":"SUCCESS"}`)
		case r.Method == http.MethodGet:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"__type":"NotFoundException","message":"Email identity does not exist."}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	}))
	defer srv.Close()
	client := &SESHTTP{Config: testAWS(), Endpoint: srv.URL}
	ses := &SES{Client: client, From: "no-reply@example.com", ConfigurationSet: "embudo"}
	for _, c := range []struct {
		errType string
		status  int
		want    crm.Code
	}{{"", 200, ""}, {"MessageRejected", 400, crm.CodeInvalid}, {"TooManyRequestsException", 429, crm.CodeInternal},
		{"InternalFailure", 500, crm.CodeInternal}} {
		errType, status = c.errType, c.status
		if err := ses.Send(context.Background(), sampleEmail()); crm.ErrorCode(err) != c.want {
			t.Errorf("%s: %v, want code %q", c.errType, err, c.want)
		}
	}
	if body["FromEmailAddress"] != "no-reply@example.com" || body["ConfigurationSetName"] != "embudo" {
		t.Errorf("body %v", body)
	}
	b, _ := json.Marshal(body["Content"])
	for _, w := range []string{`"Simple":`, `"Subject":{"Charset":"UTF-8","Data":"Nuevo contacto`, `"Html":`, `"Text":`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("Content lacks %s: %s", w, b)
		}
	}
	if tags, _ := json.Marshal(body["EmailTags"]); string(tags) != `[{"Name":"notification","Value":"new-contact-agent"}]` {
		t.Errorf("tags %s", tags)
	}
	if err := CheckSender(context.Background(), client, "Embudo <no-reply@example.com>"); err != nil {
		t.Errorf("a verified domain: %v", err)
	}
	if err := CheckSender(context.Background(), client, "ana@other.example"); !errors.Is(err, ErrSenderNotVerified) {
		t.Errorf("identities SES does not have: %v", err)
	}
	_, err := client.GetEmailIdentity(context.Background(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("nobody.example")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("an unknown identity: %v", err)
	}
}
