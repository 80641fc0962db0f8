package webapp_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/webapp/webtest"
)

// TestSecurityHeaders: every response under /app (a page, the sign-in
// page, an asset, a page that does not exist, a redirect) has the CSP
// without inline scripts, the referrer policy and nosniff; pages are not
// stored, assets are cached for a year under their fingerprinted name.
func TestSecurityHeaders(t *testing.T) {
	env := webtest.New(t)
	c := env.SignIn(t, env.Admin)
	anon := env.Anonymous(t)
	page := c.Get(t, "/app/")
	asset := regexp.MustCompile(`/app/static/app\.[0-9a-f]{12}\.css`).FindString(page.Body)
	if asset == "" {
		t.Fatalf("no fingerprinted stylesheet in the page: %s", page.Body)
	}
	script := regexp.MustCompile(`/app/static/app\.[0-9a-f]{12}\.js`).FindString(page.Body)
	if script == "" {
		t.Fatalf("no fingerprinted script in the page")
	}
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
	for name, res := range map[string]*webtest.Response{
		"page":       page,
		"sign-in":    anon.Get(t, "/app/signin"),
		"redirect":   anon.Get(t, "/app/"),
		"stylesheet": c.Get(t, asset),
		"script":     c.Get(t, script),
		"not found":  c.Get(t, "/app/no/such/page"),
		"no asset":   c.Get(t, "/app/static/app.000000000000.css"),
	} {
		h := res.Header
		if got := h.Get("Content-Security-Policy"); got != csp {
			t.Errorf("%s: CSP %q, want %q", name, got, csp)
		}
		if h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Referrer-Policy %q, X-Content-Type-Options %q", name, h.Get("Referrer-Policy"), h.Get("X-Content-Type-Options"))
		}
		cache := h.Get("Cache-Control")
		switch name {
		case "stylesheet", "script":
			if res.Status != http.StatusOK || cache != "public, max-age=31536000, immutable" {
				t.Errorf("%s: %d, Cache-Control %q", name, res.Status, cache)
			}
		default:
			if cache != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", name, cache)
			}
		}
	}
	if res := c.Get(t, "/app/no/such/page"); res.Status != http.StatusNotFound {
		t.Errorf("a page that does not exist: %d", res.Status)
	}
	if res := c.Get(t, asset); !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet type %q", res.Header.Get("Content-Type"))
	}
	if strings.Contains(page.Body, "<script>") || strings.Contains(page.Body, " style=") || strings.Contains(page.Body, "<style") {
		t.Errorf("the page has an inline script or style, which the CSP refuses")
	}
}

// TestUploadOriginInCSP: the presigned uploads' origin is added to
// connect-src, and nothing else changes.
func TestUploadOriginInCSP(t *testing.T) {
	env := webtest.New(t, webtest.WithUploadOrigin("https://embudo-files.s3.eu-west-1.amazonaws.com"))
	res := env.Anonymous(t).Get(t, "/app/signin")
	if got := res.Header.Get("Content-Security-Policy"); !strings.Contains(got, "connect-src 'self' https://embudo-files.s3.eu-west-1.amazonaws.com; frame-ancestors 'none'") {
		t.Fatalf("CSP %q", got)
	}
}
