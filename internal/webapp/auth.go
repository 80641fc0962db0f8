package webapp

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/signin", public, (*app).signInPage},
		route{"POST /app/signin", public, (*app).requestLink},
		route{"GET /app/signin/link", public, (*app).linkPage},
		route{"POST /app/signin/link", public, (*app).useLink},
		route{"POST /app/signin/token", public, (*app).useToken},
		route{"POST /app/signout", signedIn, (*app).signOut},
		route{"GET /app/", public, (*app).notFound},
	)
}

// signIn is the data of the sign-in pages.
type signIn struct {
	Next     string // where to land after signing in (a safeNext path)
	Sent     bool   // a link was asked for: say it is on its way
	Problem  string // a catalog key saying why signing in failed ("" for none)
	Email    string // the address typed, to show again
	Link     string // the link's secret, on the link page
	Mailable bool   // sign-in links can be sent (a mailer is configured)
}

// signInPage shows the forms to ask for a sign-in link and, for admins, to
// sign in with an API token. Signed in, it goes on to next.
func (a *app) signInPage(w http.ResponseWriter, r *http.Request, p *Page) {
	next := safeNext(r.URL.Query().Get("next"))
	if p.SignedIn() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	a.render(w, r, p, http.StatusOK, "signin", signIn{Next: next, Sent: r.URL.Query().Get("sent") == "1", Mailable: a.opt.Mailer != nil})
}

// requestLink sends a sign-in link to the address typed when it is an
// active user's, and answers the same whatever happened, so that nobody
// learns from it which addresses belong to users.
func (a *app) requestLink(w http.ResponseWriter, r *http.Request, p *Page) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := safeNext(r.PostFormValue("next"))
	if email == "" {
		a.render(w, r, p, http.StatusBadRequest, "signin", signIn{Next: next, Problem: "signin.emailRequired", Mailable: a.opt.Mailer != nil})
		return
	}
	if a.opt.Mailer != nil {
		a.sendLink(r, email, next)
	}
	http.Redirect(w, r, "/app/signin?sent=1&next="+url.QueryEscape(next), http.StatusSeeOther)
}

// sendLink creates a sign-in link for email and sends it in its user's
// language; what fails is logged, never shown (the page answers the same).
func (a *app) sendLink(r *http.Request, email, next string) {
	ctx := r.Context()
	u, secret, err := a.svc.RequestSignIn(ctx, email)
	switch crm.ErrorCode(err) {
	case "":
	case crm.CodeNotFound, crm.CodeInvalid:
		a.log.InfoContext(ctx, "webapp: sign-in link asked for an address of no active user")
		return
	case crm.CodeConflict:
		a.log.WarnContext(ctx, "webapp: sign-in link not sent", "err", err)
		return
	default:
		a.log.ErrorContext(ctx, "webapp: creating a sign-in link", "err", err)
		return
	}
	link := SignInURL(a.appURL(r), secret, next)
	lang := userLang(u)
	e := crm.Email{To: u.Email, ToName: u.Name, Key: "signin",
		Subject: translate(lang, "signin.mail.subject"),
		Text:    translate(lang, "signin.mail.text", u.Name, link, int(crm.SignInTTL.Minutes()))}
	if err := a.opt.Mailer.Send(ctx, e); err != nil {
		a.log.ErrorContext(ctx, "webapp: sending a sign-in link", "user", u.ID, "err", err)
	}
}

// SignInURL is the sign-in link of a secret (crm.Service.RequestSignIn's)
// under the app's public base appURL (https://host/app), landing on next
// (a path of the app; "" for the pipeline): what the e-mail holds, and
// what `embudo serve` prints.
func SignInURL(appURL, secret, next string) string {
	return strings.TrimSuffix(appURL, "/") + "/signin/link?" + url.Values{"t": {secret}, "next": {safeNext(next)}}.Encode()
}

// appURL is the public base of the app: Options.AppURL, or the request's
// scheme and host with /app.
func (a *app) appURL(r *http.Request) string {
	if a.opt.AppURL != "" {
		return strings.TrimSuffix(a.opt.AppURL, "/")
	}
	scheme := "https"
	if r.TLS == nil && (loopback(r) || r.Header.Get("X-Forwarded-Proto") == "http") {
		scheme = "http"
	}
	return scheme + "://" + r.Host + "/app"
}

// linkPage is where a sign-in link lands: a page whose form posts the
// link's secret. A GET uses nothing, so that a mail scanner fetching the
// link does not spend it; a person clicks once (app.js clicks for them).
func (a *app) linkPage(w http.ResponseWriter, r *http.Request, p *Page) {
	q := r.URL.Query()
	a.render(w, r, p, http.StatusOK, "signin_link", signIn{Next: safeNext(q.Get("next")), Link: q.Get("t")})
}

// useLink spends a sign-in link and starts a session.
func (a *app) useLink(w http.ResponseWriter, r *http.Request, p *Page) {
	next := safeNext(r.PostFormValue("next"))
	_, secret, t, err := a.svc.SignIn(r.Context(), r.PostFormValue("t"))
	if crm.ErrorCode(err) == crm.CodeUnauthorized {
		a.render(w, r, p, http.StatusUnauthorized, "signin", signIn{Next: next, Problem: "signin.linkInvalid", Mailable: a.opt.Mailer != nil})
		return
	}
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	a.startSession(w, r, p, secret, t, next)
}

// useToken starts a session with an admin's API token.
func (a *app) useToken(w http.ResponseWriter, r *http.Request, p *Page) {
	next := safeNext(r.PostFormValue("next"))
	_, secret, t, err := a.svc.SessionFromToken(r.Context(), strings.TrimSpace(r.PostFormValue("token")))
	switch crm.ErrorCode(err) {
	case "":
		a.startSession(w, r, p, secret, t, next)
	case crm.CodeUnauthorized:
		a.render(w, r, p, http.StatusUnauthorized, "signin", signIn{Next: next, Problem: "signin.tokenInvalid", Mailable: a.opt.Mailer != nil})
	case crm.CodeForbidden:
		a.render(w, r, p, http.StatusForbidden, "signin", signIn{Next: next, Problem: "signin.tokenNotAdmin", Mailable: a.opt.Mailer != nil})
	default:
		a.fail(w, r, p, err)
	}
}

// startSession ends the session the browser had (if any), sets the new
// one's cookie and goes on to next.
func (a *app) startSession(w http.ResponseWriter, r *http.Request, p *Page, secret string, t crm.Token, next string) {
	if p.secret != "" {
		if err := a.svc.SignOut(r.Context(), p.secret); err != nil {
			a.log.ErrorContext(r.Context(), "webapp: ending the previous session", "err", err)
		}
	}
	setSessionCookie(w, r, secret, t.ExpiresAt)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut ends the session and goes to the sign-in page.
func (a *app) signOut(w http.ResponseWriter, r *http.Request, p *Page) {
	if err := a.svc.SignOut(r.Context(), p.secret); err != nil {
		a.fail(w, r, p, err)
		return
	}
	clearSessionCookie(w, r)
	http.Redirect(w, r, "/app/signin", http.StatusSeeOther)
}

// notFound answers every path under /app that no page has.
func (a *app) notFound(w http.ResponseWriter, r *http.Request, p *Page) {
	a.renderError(w, r, p, http.StatusNotFound, "error.notFound")
}
