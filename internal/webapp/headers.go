package webapp

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy is the policy of every response: scripts, styles
// and images of this origin only (no inline script or style, so injected
// markup cannot run), connections to this origin and the upload origin,
// no framing, forms posting to this origin only.
func contentSecurityPolicy(uploadOrigin string) string {
	connect := "'self'"
	if o := strings.TrimSpace(uploadOrigin); o != "" {
		connect += " " + o
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src " + connect +
		"; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
}

// securityHeaders sets the security headers on every response under /app,
// pages, assets and errors alike.
func (a *app) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", a.csp)
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
