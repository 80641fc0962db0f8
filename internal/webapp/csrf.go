package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// crossOrigin refuses a state-changing request a browser sent from another
// origin (Sec-Fetch-Site, or Origin against Host): the first of the two
// CSRF checks, and the only one on the signed-out forms.
var crossOrigin = http.NewCrossOriginProtection()

// CSRFField is the name of the hidden form field that carries the CSRF
// token; scripts send it in the CSRFHeader instead.
const (
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
)

// CSRFToken returns the CSRF token of a session's secret: an HMAC-SHA256
// of a fixed label keyed by the secret, so nothing more is stored, it
// changes with every session, and it tells nothing of the secret. Tests
// use it to post forms as a signed-in user.
func CSRFToken(sessionSecret string) string { return csrfToken(sessionSecret) }

func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("embudo csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF reports whether r carries the session's CSRF token, in the
// form field or the header, compared in constant time.
func validCSRF(secret string, r *http.Request) bool {
	if secret == "" {
		return false
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	want := csrfToken(secret)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
