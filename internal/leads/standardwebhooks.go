package leads

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// The Standard Webhooks headers (https://www.standardwebhooks.com/).
const (
	HeaderWebhookID        = "webhook-id"        // the message ID, the same on every retry: the idempotency key
	HeaderWebhookTimestamp = "webhook-timestamp" // Unix seconds when the message was signed
	HeaderWebhookSignature = "webhook-signature" // space-separated "v1,<base64>" signatures
)

// WebhookTolerance is how far a Standard Webhooks timestamp may be from
// now, in either direction, before the delivery is refused as a replay.
const WebhookTolerance = 5 * time.Minute

// webhookKey derives the HMAC key from a Standard Webhooks secret: the
// base64 after a "whsec_" prefix, else the secret's own bytes.
func webhookKey(secret string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		key, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			key, err = base64.RawStdEncoding.DecodeString(rest)
		}
		if err != nil || len(key) == 0 {
			return nil, errors.New("the whsec_ secret is not valid base64")
		}
		return key, nil
	}
	if secret == "" {
		return nil, errors.New("no signing secret is configured")
	}
	return []byte(secret), nil
}

// header reads a header from a canonical http.Header, or from one built by
// hand with lower-case names (as API Gateway events carry them).
func header(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// webhookMAC is base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).
func webhookMAC(key []byte, id, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// VerifyStandardWebhook checks a Standard Webhooks delivery: the
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature
// headers, the timestamp within WebhookTolerance of now in either direction,
// and at least one "v1,<base64>" entry of the signature (space-separated,
// several during a key rotation; other versions are ignored) equal, in
// constant time, to HMAC-SHA256 over "{id}.{timestamp}.{raw body}". The
// secret is "whsec_" + the base64 of the key, or, without that prefix, the
// key itself. It returns the webhook-id, the sender's idempotency key.
//
// Errors: unauthorized, saying what is wrong (a missing header, a
// malformed or stale timestamp, no matching signature) without revealing
// the expected signature; also for an empty or malformed secret.
func VerifyStandardWebhook(secret string, h http.Header, body []byte, now time.Time) (string, error) {
	key, err := webhookKey(secret)
	if err != nil {
		return "", &crm.Error{Code: crm.CodeUnauthorized, Message: "the webhook signature cannot be checked", Err: err}
	}
	id := strings.TrimSpace(header(h, HeaderWebhookID))
	ts := strings.TrimSpace(header(h, HeaderWebhookTimestamp))
	sigs := header(h, HeaderWebhookSignature)
	switch {
	case id == "":
		return "", crm.Unauthorized("the webhook-id header is missing")
	case ts == "":
		return "", crm.Unauthorized("the webhook-timestamp header is missing")
	case strings.TrimSpace(sigs) == "":
		return "", crm.Unauthorized("the webhook-signature header is missing")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", crm.Unauthorized("the webhook-timestamp header is not Unix seconds")
	}
	tol := int64(WebhookTolerance / time.Second)
	switch n := now.Unix(); {
	case sec < n-tol:
		return "", crm.Unauthorized("the webhook-timestamp is more than 5 minutes old")
	case sec > n+tol:
		return "", crm.Unauthorized("the webhook-timestamp is more than 5 minutes in the future")
	}
	want := webhookMAC(key, id, ts, body)
	for entry := range strings.FieldsSeq(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return id, nil
		}
	}
	return "", crm.Unauthorized("no v1 entry of the webhook-signature header matches the body")
}

// SignStandardWebhook returns the Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature with one v1 entry) for sending body
// as message msgID at ts, signed with secret as VerifyStandardWebhook reads
// it. It is for tests, documentation and the CLI, and returns no error: a
// secret VerifyStandardWebhook would refuse yields headers it refuses.
func SignStandardWebhook(secret, msgID string, ts time.Time, body []byte) http.Header {
	timestamp := strconv.FormatInt(ts.Unix(), 10)
	h := http.Header{}
	h.Set(HeaderWebhookID, msgID)
	h.Set(HeaderWebhookTimestamp, timestamp)
	sig := "v1,"
	if key, err := webhookKey(secret); err == nil {
		sig += base64.StdEncoding.EncodeToString(webhookMAC(key, msgID, timestamp, body))
	}
	h.Set(HeaderWebhookSignature, sig)
	return h
}
