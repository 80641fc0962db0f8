package webapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// linkForm reads the link page's hidden fields (t, next) as its form
// would post them.
func linkForm(t *testing.T, c *webtest.Client, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	res := c.Get(t, u.RequestURI())
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `action="/app/signin/link"`) {
		t.Fatalf("link page: %d %s", res.Status, res.Body)
	}
	return url.Values{"t": {u.Query().Get("t")}, "next": {u.Query().Get("next")}}
}

// sessionCookie returns the Set-Cookie of the session in res (nil: none).
func sessionCookie(res *webtest.Response) *http.Cookie {
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == webapp.CookieName {
			return c
		}
	}
	return nil
}

// TestSignInByLink: a link asked for on the sign-in page arrives in the
// outbox; opening it spends nothing (a mail scanner may fetch it); its
// form signs in with a session cookie (HttpOnly, SameSite=Lax, Path=/app,
// not Secure on loopback) and lands on the page asked for first; the link
// works once.
func TestSignInByLink(t *testing.T) {
	env := webtest.New(t)
	c := env.Anonymous(t)
	res := c.Get(t, "/app/pipeline?state=x")
	if res.Status != http.StatusSeeOther || res.Location() != "/app/signin?next=%2Fapp%2Fpipeline%3Fstate%3Dx" {
		t.Fatalf("signed-out page: %d to %q", res.Status, res.Location())
	}
	res = c.PostForm(t, "/app/signin", url.Values{"email": {"ADMIN@example.com"}, "next": {"/app/pipeline?state=x"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/app/signin?sent=1") {
		t.Fatalf("asking for a link: %d to %q", res.Status, res.Location())
	}
	if page := c.Get(t, res.Location()); !strings.Contains(page.Body, "Si esa dirección es de un usuario") {
		t.Fatalf("the page after asking does not say a link is on its way: %s", page.Body)
	}
	ms := env.Mails(t)
	if len(ms) != 1 || !strings.Contains(ms[0].To, "admin@example.com") || ms[0].Subject != "Tu enlace para entrar en Embudo" {
		t.Fatalf("mails: %+v", ms)
	}
	link := env.SignInLink(t, "admin@example.com")
	form := linkForm(t, c, link)
	linkForm(t, c, link) // a second look (a scanner, then the person) spends nothing
	res = c.PostForm(t, "/app/signin/link", form)
	if res.Status != http.StatusSeeOther || res.Location() != "/app/pipeline?state=x" {
		t.Fatalf("using the link: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	ck := sessionCookie(res)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/app" || ck.Secure || ck.Value == "" {
		t.Fatalf("session cookie: %+v", ck)
	}
	if !ck.Expires.After(env.Clock.Now().Add(6 * 24 * time.Hour)) {
		t.Errorf("the session cookie expires at %v, want a week on", ck.Expires)
	}
	if res := c.Get(t, "/app/"); res.Status != http.StatusOK || !strings.Contains(res.Body, "Sesión de Admin") {
		t.Fatalf("the pipeline after signing in: %d %s", res.Status, res.Body)
	}

	again := env.Anonymous(t)
	res = again.PostForm(t, "/app/signin/link", form)
	if res.Status != http.StatusUnauthorized || sessionCookie(res) != nil || !strings.Contains(res.Body, "ya se usó") {
		t.Fatalf("a link used again: %d %+v", res.Status, sessionCookie(res))
	}
}

// TestSignInLinkExpires: a link is refused 15 minutes after it was sent.
func TestSignInLinkExpires(t *testing.T) {
	env := webtest.New(t)
	c := env.Anonymous(t)
	c.PostForm(t, "/app/signin", url.Values{"email": {"admin@example.com"}})
	form := linkForm(t, c, env.SignInLink(t, "admin@example.com"))
	env.Clock.Advance(crm.SignInTTL)
	res := c.PostForm(t, "/app/signin/link", form)
	if res.Status != http.StatusUnauthorized || sessionCookie(res) != nil {
		t.Fatalf("an expired link: %d %+v", res.Status, sessionCookie(res))
	}
	if res := c.Get(t, "/app/"); res.Status != http.StatusSeeOther {
		t.Fatalf("signed in with an expired link: %d", res.Status)
	}
}

// TestSignInAnswersTheSame: an address of no user, of an inactive user, or
// not an address at all, gets the same answer as a user's, and no e-mail.
func TestSignInAnswersTheSame(t *testing.T) {
	env := webtest.New(t)
	gone := env.User(t, crm.RoleStaff, "gone@example.com")
	if _, err := env.Svc.DeactivateUser(t.Context(), env.Admin, gone.ID, 0); err != nil {
		t.Fatal(err)
	}
	c := env.Anonymous(t)
	want := c.PostForm(t, "/app/signin", url.Values{"email": {"admin@example.com"}, "next": {"/app/"}})
	for _, email := range []string{"nobody@example.com", "gone@example.com", "not an address"} {
		res := c.PostForm(t, "/app/signin", url.Values{"email": {email}, "next": {"/app/"}})
		if res.Status != want.Status || res.Location() != want.Location() || res.Body != want.Body {
			t.Errorf("%q: %d %q, want %d %q as for a user", email, res.Status, res.Location(), want.Status, want.Location())
		}
	}
	if ms := env.Mails(t); len(ms) != 1 {
		t.Fatalf("%d e-mails, want only the user's: %+v", len(ms), ms)
	}
}

// TestSignInNeverLeavesTheApp: next= takes a path of the app only; any
// other place (another site, a scheme-relative or backslashed URL, the
// API) lands on the pipeline instead.
func TestSignInNeverLeavesTheApp(t *testing.T) {
	env := webtest.New(t)
	for next, want := range map[string]string{
		"/app/opportunities/01J00000000000000000000000": "/app/opportunities/01J00000000000000000000000",
		"/app/pipeline?state=x":                         "/app/pipeline?state=x",
		"https://evil.example/app/":                     "/app/",
		"//evil.example/app/":                           "/app/",
		"/\\evil.example/app/":                          "/app/",
		"\\\\evil.example":                              "/app/",
		"/v1/contacts":                                  "/app/",
		"/app/../v1/contacts":                           "/app/",
		"/application":                                  "/app/",
		"javascript:alert(1)":                           "/app/",
		"":                                              "/app/",
	} {
		c := env.Anonymous(t)
		res := c.PostForm(t, "/app/signin/token", url.Values{"token": {env.AdminToken}, "next": {next}})
		if res.Status != http.StatusSeeOther || res.Location() != want {
			t.Errorf("next=%q: %d to %q, want %q", next, res.Status, res.Location(), want)
		}
		if res := c.Get(t, "/app/signin?next="+url.QueryEscape(next)); res.Location() != want {
			t.Errorf("signed in, the sign-in page with next=%q sends to %q, want %q", next, res.Location(), want)
		}
	}
}

// TestSignInWithAPIToken: an admin's API token opens a session; a staff
// member's is refused (403), and an unknown one (401).
func TestSignInWithAPIToken(t *testing.T) {
	env := webtest.New(t)
	staff := env.User(t, crm.RoleStaff, "ana@example.com")
	staffToken, _, err := env.Svc.IssueToken(t.Context(), staff.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	c := env.Anonymous(t)
	if res := c.PostForm(t, "/app/signin/token", url.Values{"token": {staffToken}}); res.Status != http.StatusForbidden || sessionCookie(res) != nil {
		t.Fatalf("a staff token: %d", res.Status)
	}
	if res := c.PostForm(t, "/app/signin/token", url.Values{"token": {"emb_nope"}}); res.Status != http.StatusUnauthorized {
		t.Fatalf("an unknown token: %d", res.Status)
	}
	if res := c.PostForm(t, "/app/signin/token", url.Values{"token": {env.AdminToken}}); res.Status != http.StatusSeeOther || sessionCookie(res) == nil {
		t.Fatalf("the admin's token: %d", res.Status)
	}
	if res := c.Get(t, "/app/"); res.Status != http.StatusOK {
		t.Fatalf("the pipeline after signing in with a token: %d", res.Status)
	}
}

// TestSignOut: signing out is a POST with the CSRF token; the session no
// longer works afterwards, even with its cookie kept.
func TestSignOut(t *testing.T) {
	env := webtest.New(t)
	c := env.SignIn(t, env.Admin)
	if res := c.Get(t, "/app/signout"); res.Status == http.StatusSeeOther && strings.Contains(res.Location(), "signin") {
		t.Fatalf("a GET signed out")
	}
	res := c.PostForm(t, "/app/signout", nil)
	if res.Status != http.StatusSeeOther || res.Location() != "/app/signin" {
		t.Fatalf("sign out: %d to %q", res.Status, res.Location())
	}
	if ck := sessionCookie(res); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("sign out does not drop the cookie: %+v", ck)
	}
	kept := env.Anonymous(t)
	kept.SetSession(t, c.Secret)
	if res := kept.Get(t, "/app/"); res.Status != http.StatusSeeOther {
		t.Fatalf("a signed-out session still works: %d", res.Status)
	}
}

// TestCSRF: a signed-in POST without the CSRF token, with another
// session's, or sent by a browser from another origin is refused with 403
// and does nothing.
func TestCSRF(t *testing.T) {
	env := webtest.New(t)
	c := env.SignIn(t, env.Admin)
	other := env.SignIn(t, env.Admin)
	post := func(form url.Values, header map[string]string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, c.Base+"/app/signout", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return c.Do(t, req).Status
	}
	if s := post(url.Values{}, nil); s != http.StatusForbidden {
		t.Errorf("no token: %d, want 403", s)
	}
	if s := post(url.Values{"_csrf": {other.CSRF}}, nil); s != http.StatusForbidden {
		t.Errorf("another session's token: %d, want 403", s)
	}
	if s := post(url.Values{"_csrf": {c.CSRF}}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); s != http.StatusForbidden {
		t.Errorf("from another origin: %d, want 403", s)
	}
	if s := post(url.Values{"_csrf": {c.CSRF}}, map[string]string{"Origin": "https://evil.example"}); s != http.StatusForbidden {
		t.Errorf("from another origin (no Sec-Fetch-Site): %d, want 403", s)
	}
	if res := c.Get(t, "/app/"); res.Status != http.StatusOK {
		t.Fatalf("a refused sign-out signed out: %d", res.Status)
	}
	if s := post(url.Values{}, map[string]string{"X-CSRF-Token": c.CSRF, "Sec-Fetch-Site": "same-origin"}); s != http.StatusSeeOther {
		t.Errorf("the token in the header: %d, want 303", s)
	}
	// A signed-out form (asking for a link) from another origin, too.
	anon := env.Anonymous(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, c.Base+"/app/signin", strings.NewReader("email=admin%40example.com"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := anon.Do(t, req); res.Status != http.StatusForbidden {
		t.Errorf("asking for a link from another site: %d, want 403", res.Status)
	}
	if ms := env.Mails(t); len(ms) != 0 {
		t.Errorf("a refused request sent %d e-mails", len(ms))
	}
}

// TestSessionRevoked: deactivating a user or changing their role ends
// their sessions at once; another user's stay.
func TestSessionRevoked(t *testing.T) {
	env := webtest.New(t)
	ana := env.User(t, crm.RoleStaff, "ana@example.com")
	bea := env.User(t, crm.RoleStaff, "bea@example.com")
	anas, beas := env.SignIn(t, ana), env.SignIn(t, bea)
	if _, err := env.Svc.UpdateUser(t.Context(), env.Admin, ana.ID, 0, func(u *crm.User) error { u.Role = crm.RoleAdmin; return nil }); err != nil {
		t.Fatal(err)
	}
	if res := anas.Get(t, "/app/"); res.Status != http.StatusSeeOther {
		t.Fatalf("a session after a role change: %d", res.Status)
	}
	if _, _, err := env.Svc.Session(t.Context(), anas.Secret); crm.ErrorCode(err) != crm.CodeUnauthorized {
		t.Fatalf("the session is still there after a role change: %v", err)
	}
	if res := beas.Get(t, "/app/"); res.Status != http.StatusOK {
		t.Fatalf("another user's session: %d", res.Status)
	}
	if _, err := env.Svc.DeactivateUser(t.Context(), env.Admin, bea.ID, 0); err != nil {
		t.Fatal(err)
	}
	if res := beas.Get(t, "/app/"); res.Status != http.StatusSeeOther {
		t.Fatalf("a session after deactivation: %d", res.Status)
	}
	if _, _, err := env.Svc.Session(t.Context(), beas.Secret); crm.ErrorCode(err) != crm.CodeUnauthorized {
		t.Fatalf("the session is still there after deactivation: %v", err)
	}
}

// TestSessionExpires: a session ends after SessionIdle unused, and after
// SessionMaxAge however much it is used.
func TestSessionExpires(t *testing.T) {
	env := webtest.New(t)
	idle := env.SignIn(t, env.Admin)
	env.Clock.Advance(crm.SessionIdle)
	if res := idle.Get(t, "/app/"); res.Status != http.StatusSeeOther {
		t.Fatalf("a session idle for %v: %d", crm.SessionIdle, res.Status)
	}
	used := env.SignIn(t, env.Admin)
	for range 7 * 24 / 10 {
		env.Clock.Advance(10 * time.Hour)
		if res := used.Get(t, "/app/"); res.Status != http.StatusOK {
			t.Fatalf("a session used every 10 hours, at %v: %d", env.Clock.Now(), res.Status)
		}
	}
	env.Clock.Advance(10 * time.Hour) // past a week
	if res := used.Get(t, "/app/"); res.Status != http.StatusSeeOther {
		t.Fatalf("a session a week old: %d", res.Status)
	}
}

// TestSignInMailInTheUsersLanguage: a user whose language is English gets
// the sign-in e-mail in English, with a link that works.
func TestSignInMailInTheUsersLanguage(t *testing.T) {
	env := webtest.New(t)
	if _, err := env.Svc.CreateUser(t.Context(), crm.User{Name: "Jane", Email: "jane@example.com", Role: crm.RoleStaff, Active: true, Lang: crm.LangEN}); err != nil {
		t.Fatal(err)
	}
	c := env.Anonymous(t)
	c.PostForm(t, "/app/signin", url.Values{"email": {"jane@example.com"}})
	ms := env.Mails(t)
	if len(ms) != 1 || ms[0].Subject != "Your link to sign in to Embudo" || !strings.Contains(ms[0].Text, "Hello Jane,") ||
		!strings.Contains(ms[0].Text, "expires in 15 minutes") {
		t.Fatalf("mails: %+v", ms)
	}
	res := c.PostForm(t, "/app/signin/link", linkForm(t, c, env.SignInLink(t, "jane@example.com")))
	if res.Status != http.StatusSeeOther || sessionCookie(res) == nil {
		t.Fatalf("the English link: %d", res.Status)
	}
}
