package seshttp

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

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/mail/envelope"
)

func testAWS() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
}

func sampleEmail() crm.Email {
	return crm.Email{To: "jose.perez@example.com", ToName: "José Pérez", Subject: "Tu enlace para entrar en Embudo",
		Text: "Hola, José:\n\nEntra con este enlace.\n", HTML: "<p>Hola, <strong>José</strong></p>", Key: "signin"}
}

// TestSendsThroughEmulator: what the SES emulator stores of a message sent
// with it, as of one the SDK's client sends (internal/mail's tests).
func TestSendsThroughEmulator(t *testing.T) {
	emu := emulate.StartSES(t)
	m := &Mailer{Config: testAWS(), Endpoint: emu.URL, From: "Embudo CRM <no-reply@embudo.example>", ConfigurationSet: "embudo"}
	e := sampleEmail()
	if err := m.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := emu.Emails(t)
	if len(got) != 1 {
		t.Fatalf("the emulator stored %d messages, want 1", len(got))
	}
	s := got[0]
	if s.From != `"Embudo CRM" <no-reply@embudo.example>` || len(s.Destination.To) != 1 ||
		s.Destination.To[0] != "=?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <jose.perez@example.com>" ||
		s.Subject != e.Subject || s.Body.Text != e.Text || s.Body.HTML != e.HTML {
		t.Errorf("stored %+v", s)
	}
}

// TestOnTheWire: the request is SigV4-signed for "ses" in the region and
// carries SES's JSON; a refusal is invalid, a failure internal, a message
// that cannot be sent invalid before any request; the sender check finds
// a verified domain and names what to verify otherwise.
func TestOnTheWire(t *testing.T) {
	var body map[string]any
	var status int
	var errType string
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
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
		case r.Method == http.MethodGet && r.URL.Path == "/v2/email/identities/ana@pending.example":
			_, _ = io.WriteString(w, `{"IdentityType":"EMAIL_ADDRESS","VerifiedForSendingStatus":false,"VerificationStatus":"PENDING"}`)
		case r.Method == http.MethodGet:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"__type":"com.amazonaws.sesv2#NotFoundException","message":"Email identity does not exist."}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	}))
	defer srv.Close()
	m := &Mailer{Config: testAWS(), Endpoint: srv.URL, From: "Embudo <no-reply@example.com>", ConfigurationSet: "embudo"}
	for _, c := range []struct {
		errType string
		status  int
		want    crm.Code
	}{{"", 200, ""}, {"MessageRejected", 400, crm.CodeInvalid}, {"BadRequestException", 400, crm.CodeInvalid},
		{"TooManyRequestsException", 429, crm.CodeInternal}, {"InternalFailure", 500, crm.CodeInternal}} {
		errType, status = c.errType, c.status
		if err := m.Send(context.Background(), sampleEmail()); crm.ErrorCode(err) != c.want {
			t.Errorf("%s: %v, want code %q", c.errType, err, c.want)
		}
	}
	if body["FromEmailAddress"] != `"Embudo" <no-reply@example.com>` || body["ConfigurationSetName"] != "embudo" {
		t.Errorf("body %v", body)
	}
	b, _ := json.Marshal(body["Content"])
	for _, w := range []string{`"Subject":{"Charset":"UTF-8","Data":"Tu enlace para entrar en Embudo"}`, `"Html":`, `"Text":`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("Content lacks %s: %s", w, b)
		}
	}
	if tags, _ := json.Marshal(body["EmailTags"]); string(tags) != `[{"Name":"notification","Value":"signin"}]` {
		t.Errorf("tags %s", tags)
	}
	sent := requests
	bad := sampleEmail()
	bad.To = "jose@example.com\r\nBcc: x@example.com"
	if err := m.Send(context.Background(), bad); crm.ErrorCode(err) != crm.CodeInvalid || requests != sent {
		t.Errorf("a header injection: %v after %d requests", err, requests-sent)
	}
	if err := (&Mailer{Endpoint: srv.URL, From: "no-reply@example.com"}).Send(context.Background(), sampleEmail()); crm.ErrorCode(err) != crm.CodeInternal {
		t.Errorf("no credentials: %v", err)
	}

	if err := m.CheckSender(context.Background()); err != nil {
		t.Errorf("a verified domain: %v", err)
	}
	pending := &Mailer{Config: testAWS(), Endpoint: srv.URL, From: "ana@pending.example"}
	err := pending.CheckSender(context.Background())
	if !errors.Is(err, envelope.ErrSenderNotVerified) || !strings.Contains(err.Error(), "pending.example is not an identity, ana@pending.example is pending") {
		t.Errorf("a pending address: %v", err)
	}
}
