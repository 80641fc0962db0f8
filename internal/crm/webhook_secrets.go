package crm

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// Secrets of a webhook at rest. The Google Ads key and Meta's verify token
// are only ever compared with what a sender sends, so they are kept as
// their SHA-256 (Sealed: "sha256:" and the hex digest), never as written.
// The others must be read back and are stored as written, and never shown
// by the API (it says only whether each is set): the Standard Webhooks
// signing secret and Meta's app secret are HMAC keys, and Meta's page
// access token is sent to the Graph API.
const sealedPrefix = "sha256:"

// Sealed returns the form in which a compared-only secret is kept: v's
// SHA-256 after "sha256:"; v itself when it is empty or sealed already.
func Sealed(v string) string {
	if v == "" || strings.HasPrefix(v, sealedPrefix) {
		return v
	}
	return sealedPrefix + HashToken(v)
}

// sealSecrets keeps the Google Ads key and the verify token sealed, and
// refuses (field problems in f) a signing or app secret that is a sealed
// Google Ads key, as when a google-ads webhook becomes json or meta
// without a secret of its own.
func (w *Webhook) sealSecrets(f fieldErrors) {
	w.VerifyToken = Sealed(w.VerifyToken)
	if w.Kind == FormatGoogleAds {
		w.Secret = Sealed(w.Secret)
	} else if strings.HasPrefix(w.Secret, sealedPrefix) {
		f.add("webhook.secret", "send the secret again: the one kept is a Google Ads key, kept only as its hash")
	}
}

// KeyMatches reports whether got is the webhook's Google Ads key: compared
// by hash, in constant time (a key stored before keys were sealed is
// compared as written).
func (w Webhook) KeyMatches(got string) bool { return secretMatches(w.Secret, got) }

// VerifyTokenMatches reports whether got is Meta's verify token, as
// KeyMatches.
func (w Webhook) VerifyTokenMatches(got string) bool { return secretMatches(w.VerifyToken, got) }

func secretMatches(kept, got string) bool {
	if kept == "" || got == "" {
		return false
	}
	want := kept
	if !strings.HasPrefix(kept, sealedPrefix) {
		want = Sealed(kept)
	}
	// What was received is always hashed: the kept hash itself, sent as
	// the secret, must not pass.
	a, b := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(sealedPrefix+HashToken(got)))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
