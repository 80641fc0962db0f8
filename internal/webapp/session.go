package webapp

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// CookieName is the session cookie's name. Its value is the session's
// secret, which the store keeps only hashed (crm.Service.Session).
const CookieName = "embudo_session"

// Page is what a page's handler knows of the request: who is signed in,
// in which language to answer, and the CSRF token its forms carry.
type Page struct {
	User crm.User // the signed-in user, as the store has them now (zero on public pages signed out)
	Lang string   // crm.LangES or crm.LangEN: the user's, or signed out the browser's
	CSRF string   // the session's CSRF token, for the _csrf field of forms ("" signed out)
	// Nav is the header's entry to mark as the current one (a nav key:
	// "pipeline", "contacts", "reminders", "report", "admin").
	Nav    string
	secret string // the session's secret ("" signed out)
}

// SignedIn reports whether a user is signed in.
func (p *Page) SignedIn() bool { return p.User.ID != "" }

// pageFor reads the session of r. A route that needs one and has none
// (or an expired one) answers for itself: a GET is sent to the sign-in
// page with next= (the path asked for), anything else gets 401. It
// returns false when it has answered.
func (a *app) pageFor(w http.ResponseWriter, r *http.Request, acc access) (*Page, bool) {
	p := &Page{Lang: browserLang(r)}
	c, err := r.Cookie(CookieName)
	if err == nil && c.Value != "" {
		u, _, err := a.svc.Session(r.Context(), c.Value)
		switch crm.ErrorCode(err) {
		case "":
			p.User, p.Lang, p.secret, p.CSRF = u, userLang(u), c.Value, csrfToken(c.Value)
		case crm.CodeUnauthorized:
			clearSessionCookie(w, r) // expired or revoked: forget it
		default:
			a.fail(w, r, p, err)
			return nil, false
		}
	}
	if acc == public || p.SignedIn() {
		return p, true
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, "/app/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false
	}
	a.renderError(w, r, p, http.StatusUnauthorized, "error.signedOut")
	return nil, false
}

// userLang is the language a user reads the app in.
func userLang(u crm.User) string {
	if u.Lang == crm.LangEN {
		return crm.LangEN
	}
	return crm.LangES
}

// setSessionCookie gives the browser the session's secret: HttpOnly (no
// script reads it), SameSite=Lax (not sent on another site's POSTs), Path
// /app (not sent to the API), Secure but on a loopback host (plain http on
// 127.0.0.1 for `embudo serve`), until the session's expiry.
func setSessionCookie(w http.ResponseWriter, r *http.Request, secret string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/app", Expires: expires,
		HttpOnly: true, Secure: !loopback(r), SameSite: http.SameSiteLaxMode})
}

// clearSessionCookie tells the browser to drop the session cookie.
func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/app", MaxAge: -1,
		HttpOnly: true, Secure: !loopback(r), SameSite: http.SameSiteLaxMode})
}

// loopback reports whether the request's host is this machine
// (localhost, 127.0.0.0/8, ::1), where the app is served over plain HTTP.
func loopback(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// safeNext returns next when it is a path of the app on this origin
// (/app or under /app/, no scheme, no host, no backslash tricks), else
// the pipeline: a sign-in never sends anyone elsewhere.
func safeNext(next string) string {
	const home = "/app/"
	if next == "" || strings.ContainsAny(next, "\\\r\n\t") || strings.HasPrefix(next, "//") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if u.Path != "/app" && !strings.HasPrefix(u.Path, "/app/") {
		return home
	}
	if strings.Contains(u.Path, "/../") || strings.HasSuffix(u.Path, "/..") {
		return home
	}
	return next
}
