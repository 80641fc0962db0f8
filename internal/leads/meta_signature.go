package leads

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// VerifyMetaSignature reports whether header, the X-Hub-Signature-256 of a
// Meta webhook POST ("sha256=<hex>"), is the HMAC-SHA256 of the raw body
// keyed with the app secret. It compares in constant time and is false for
// an empty secret or header, a malformed header, or a body that differs
// from the signed bytes in any way (re-serialised JSON included). It
// returns no error: the caller answers unauthorized.
func VerifyMetaSignature(appSecret, header string, body []byte) bool {
	if appSecret == "" {
		return false
	}
	header = strings.TrimSpace(header)
	if len(header) < len("sha256=") || !strings.EqualFold(header[:len("sha256=")], "sha256=") {
		return false
	}
	got, err := hex.DecodeString(header[len("sha256="):])
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), got)
}
