package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// signInURL finds a sign-in link of the web app in a command's output.
var signInURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/app/signin/link\?\S+`)

// followSignInLink opens a sign-in link as a browser would (its page, then
// its form's POST) and returns the pipeline page it lands on.
func followSignInLink(t *testing.T, link string) (int, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the link's page: %d", res.StatusCode)
	}
	form := url.Values{"t": {u.Query().Get("t")}, "next": {u.Query().Get("next")}}
	req, err := http.NewRequest(http.MethodPost, u.Scheme+"://"+u.Host+"/app/signin/link", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	res, err = c.Do(req) // follows the redirect to the pipeline with the cookie
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestFirstStartPrintsASignInLink: the first start prints a sign-in link
// for the first admin that opens the pipeline; a later start prints none,
// but `embudo signin-link` makes one while the server runs (and
// `serve --signin-link` at start).
func TestFirstStartPrintsASignInLink(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data, anyPort)
	link := signInURL.FindString(s.stdout.String())
	if link == "" || !strings.HasPrefix(link, s.url+"/app/signin/link?") {
		t.Fatalf("no sign-in link at %s printed: %s", s.url, s.stdout)
	}
	if status, body := followSignInLink(t, link); status != http.StatusOK || !strings.Contains(body, `class="tabs"`) {
		t.Fatalf("the printed link: %d %s", status, body)
	}
	if status, _ := followSignInLink(t, link); status == http.StatusOK {
		t.Fatal("the printed link worked twice")
	}

	out, err := exec.Command(bin, "signin-link", "--data", data, "--app-url", s.url+"/app").CombinedOutput()
	if err != nil {
		t.Fatalf("embudo signin-link: %v\n%s", err, out)
	}
	link = signInURL.FindString(string(out))
	if link == "" || !strings.Contains(string(out), "admin@localhost.localdomain") {
		t.Fatalf("embudo signin-link printed no link for the admin: %s", out)
	}
	if status, body := followSignInLink(t, link); status != http.StatusOK || !strings.Contains(body, `class="tabs"`) {
		t.Fatalf("the link of embudo signin-link: %d", status)
	}
	if out, err := exec.Command(bin, "signin-link", "--data", data, "nobody@example.com").CombinedOutput(); err == nil || !strings.Contains(string(out), "no active user") {
		t.Fatalf("a link for no user: %v %s", err, out)
	}
}
