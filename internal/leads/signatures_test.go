package leads

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// metaSignedBody is a Meta notification as Meta sends it (non-ASCII escaped
// as \uXXXX); metaSignature is its X-Hub-Signature-256 with the secret
// "meta-app-secret", computed independently with openssl.
const (
	metaSignedBody = `{"object":"page","entry":[{"id":"153125381133","time":1438292065,"changes":[{"field":"leadgen","value":{"leadgen_id":9007199254740993,"page_id":153125381133,"form_id":12312312312,"created_time":1440120384,"note":"\u00e4\u00f6\u00e5"}}]}]}`
	metaSignature  = "sha256=c37f58c3c770cb289b0621e63b2adc51fde699b50fd0932912dac55f5c28e94c"
)

func TestVerifyMetaSignature(t *testing.T) {
	var v any
	if err := json.Unmarshal([]byte(metaSignedBody), &v); err != nil {
		t.Fatal(err)
	}
	reserialised, _ := json.Marshal(v) // the same JSON, other bytes
	if bytes.Equal(reserialised, []byte(metaSignedBody)) {
		t.Fatal("re-serialising kept the bytes; the case tests nothing")
	}
	tests := []struct {
		name, secret, header, body string
		want                       bool
	}{
		{"right", "meta-app-secret", metaSignature, metaSignedBody, true},
		{"upper-case hex and prefix", "meta-app-secret", "SHA256=" + strings.ToUpper(metaSignature[7:]), metaSignedBody, true},
		{"surrounding space", "meta-app-secret", " " + metaSignature + " ", metaSignedBody, true},
		{"wrong secret", "other-secret", metaSignature, metaSignedBody, false},
		{"re-serialised body", "meta-app-secret", metaSignature, string(reserialised), false},
		{"one byte more", "meta-app-secret", metaSignature, metaSignedBody + "\n", false},
		{"no prefix", "meta-app-secret", metaSignature[7:], metaSignedBody, false},
		{"sha1 header", "meta-app-secret", "sha1=" + metaSignature[7:47], metaSignedBody, false},
		{"truncated", "meta-app-secret", metaSignature[:len(metaSignature)-2], metaSignedBody, false},
		{"not hex", "meta-app-secret", "sha256=" + strings.Repeat("zz", 32), metaSignedBody, false},
		{"empty header", "meta-app-secret", "", metaSignedBody, false},
		{"empty secret", "", metaSignature, metaSignedBody, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifyMetaSignature(tt.secret, tt.header, []byte(tt.body)); got != tt.want {
				t.Errorf("VerifyMetaSignature = %v, want %v", got, tt.want)
			}
		})
	}
}

// The Standard Webhooks specification's published test vector.
const (
	swSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	swID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	swTimestamp = 1614265330
	swBody      = `{"test": 2432232314}`
	swSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// swRaw is a vector for a secret used as raw bytes (no whsec_ prefix),
// computed independently with openssl.
const (
	swRawSecret    = "plain-shared-secret"
	swRawID        = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
	swRawTimestamp = 1674087231
	swRawBody      = `{"name":"Ana","email":"ANA@EXAMPLE.ES"}`
	swRawSignature = "v1,VURfRtxXzKw5oB5i/ULp1xU+nCjxc1O6bIvF0bnRYco="
)

func swHeaders(id string, ts int64, sig string) http.Header {
	h := http.Header{}
	if id != "" {
		h.Set("webhook-id", id)
	}
	if ts != 0 {
		h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	}
	if sig != "" {
		h.Set("webhook-signature", sig)
	}
	return h
}

func TestVerifyStandardWebhook(t *testing.T) {
	at := func(ts int64) time.Time { return time.Unix(ts, 0) }
	otherSig := "v1," + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	lower := http.Header{"webhook-id": {swID}, "webhook-timestamp": {"1614265330"}, "webhook-signature": {swSignature}}
	tests := []struct {
		name    string
		secret  string
		h       http.Header
		body    string
		now     time.Time
		wantErr string // "" for success; else a word of the message
		wantID  string // the webhook-id returned on success
	}{
		{"spec vector", swSecret, swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp), "", swID},
		{"raw secret", swRawSecret, swHeaders(swRawID, swRawTimestamp, swRawSignature), swRawBody, at(swRawTimestamp + 10), "", swRawID},
		{"several v1 entries, the last right", swSecret, swHeaders(swID, swTimestamp, otherSig+" v1a,bm90IGEgc2lnbmF0dXJl "+swSignature), swBody, at(swTimestamp), "", swID},
		{"several v1 entries, the first right", swSecret, swHeaders(swID, swTimestamp, swSignature+"  "+otherSig), swBody, at(swTimestamp), "", swID},
		{"lower-case header map", swSecret, lower, swBody, at(swTimestamp), "", swID},
		{"4m59s old", swSecret, swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp + 299), "", swID},
		{"4m59s ahead", swSecret, swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp - 299), "", swID},
		{"stale", swSecret, swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp + 301), "old", ""},
		{"future", swSecret, swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp - 301), "future", ""},
		{"wrong signature", swSecret, swHeaders(swID, swTimestamp, otherSig), swBody, at(swTimestamp), "signature", ""},
		{"wrong secret", "whsec_" + base64.StdEncoding.EncodeToString([]byte("another key")), swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp), "signature", ""},
		{"whsec_ secret used raw by mistake", swSecret[6:], swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp), "signature", ""},
		{"re-serialised body", swSecret, swHeaders(swID, swTimestamp, swSignature), `{"test":2432232314}`, at(swTimestamp), "signature", ""},
		{"other message id", swSecret, swHeaders("msg_other", swTimestamp, swSignature), swBody, at(swTimestamp), "signature", ""},
		{"only a v2 entry", swSecret, swHeaders(swID, swTimestamp, "v2,"+swSignature[3:]), swBody, at(swTimestamp), "signature", ""},
		{"signature without version", swSecret, swHeaders(swID, swTimestamp, swSignature[3:]), swBody, at(swTimestamp), "signature", ""},
		{"signature not base64", swSecret, swHeaders(swID, swTimestamp, "v1,***"), swBody, at(swTimestamp), "signature", ""},
		{"missing id", swSecret, swHeaders("", swTimestamp, swSignature), swBody, at(swTimestamp), "webhook-id", ""},
		{"missing timestamp", swSecret, swHeaders(swID, 0, swSignature), swBody, at(swTimestamp), "webhook-timestamp", ""},
		{"missing signature", swSecret, swHeaders(swID, swTimestamp, ""), swBody, at(swTimestamp), "webhook-signature", ""},
		{"timestamp in milliseconds", swSecret, swHeaders(swID, swTimestamp*1000, swSignature), swBody, at(swTimestamp), "future", ""},
		{"timestamp not a number", swSecret, http.Header{"Webhook-Id": {swID}, "Webhook-Timestamp": {"2021-02-25"}, "Webhook-Signature": {swSignature}}, swBody, at(swTimestamp), "Unix", ""},
		{"empty secret", "", swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp), "cannot be checked", ""},
		{"bad whsec_ secret", "whsec_!!!", swHeaders(swID, swTimestamp, swSignature), swBody, at(swTimestamp), "cannot be checked", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := VerifyStandardWebhook(tt.secret, tt.h, []byte(tt.body), tt.now)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if id != tt.wantID {
					t.Errorf("id %q, want %q", id, tt.wantID)
				}
				return
			}
			var e *crm.Error
			if !errors.As(err, &e) || e.Code != crm.CodeUnauthorized {
				t.Fatalf("err %v, want unauthorized", err)
			}
			if !strings.Contains(e.Message, tt.wantErr) {
				t.Errorf("message %q does not say %q", e.Message, tt.wantErr)
			}
			if id != "" {
				t.Errorf("id %q returned with an error", id)
			}
		})
	}
}

func TestSignStandardWebhook(t *testing.T) {
	h := SignStandardWebhook(swSecret, swID, time.Unix(swTimestamp, 0), []byte(swBody))
	if got := h.Get("webhook-signature"); got != swSignature {
		t.Errorf("signature %q, want the spec's %q", got, swSignature)
	}
	if got := h.Get("webhook-timestamp"); got != "1614265330" {
		t.Errorf("timestamp %q", got)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, secret := range []string{swSecret, swRawSecret, "whsec_" + base64.StdEncoding.EncodeToString([]byte("k"))} {
		body := []byte(`{"name":"José","phone":"+34 600 12 34 56"}`)
		h := SignStandardWebhook(secret, "msg_1", now, body)
		if id, err := VerifyStandardWebhook(secret, h, body, now.Add(time.Minute)); err != nil || id != "msg_1" {
			t.Errorf("round trip with %q: %q, %v", secret, id, err)
		}
	}
	if _, err := VerifyStandardWebhook("whsec_!!!", SignStandardWebhook("whsec_!!!", "m", now, nil), nil, now); err == nil {
		t.Error("a bad secret signed something that verifies")
	}
}
