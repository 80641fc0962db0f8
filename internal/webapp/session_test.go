package webapp

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// sourceFS reads the package's own source files (the tests run in its
// directory).
type sourceFS struct{}

func (sourceFS) Open(name string) (fs.File, error) { return os.DirFS(".").Open(name) }

func newRequest(method, target string) *http.Request { return httptest.NewRequest(method, target, nil) }

// TestCookieSecureButOnLoopback: the session cookie is Secure on every
// host but this machine's, where `embudo serve` answers plain HTTP.
func TestCookieSecureButOnLoopback(t *testing.T) {
	for host, secure := range map[string]bool{
		"127.0.0.1:3000":  false,
		"localhost:3000":  false,
		"LOCALHOST":       false,
		"[::1]:3000":      false,
		"127.0.0.2":       false,
		"crm.example.com": true,
		"abc.execute-api.eu-west-1.amazonaws.com": true,
		"10.0.0.5:3000":         true,
		"localhost.example.com": true,
	} {
		r := newRequest("POST", "/app/signin/link")
		r.Host = host
		w := httptest.NewRecorder()
		setSessionCookie(w, r, "secret", time.Now().Add(time.Hour))
		cs := w.Result().Cookies()
		if len(cs) != 1 || cs[0].Secure != secure || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode || cs[0].Path != "/app" {
			t.Errorf("host %s: cookie %+v, want Secure=%v", host, cs, secure)
		}
	}
}
