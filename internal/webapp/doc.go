// Package webapp is the staff web app: server-rendered pages (html/template)
// over crm.Service, served under /app on the same origin as the API. It is
// a driving adapter like internal/httpapi and imports neither it nor any
// other adapter: it speaks to the domain through *crm.Service and sends
// sign-in links through the crm.Mailer port. docs/webapp.md explains the
// design (sessions, CSRF, headers, i18n, assets) and why.
//
// # Adding a page
//
// A page is three files, none shared with another page, so that several
// people can add pages at once without touching each other's files:
//
//   - page_<name>.go: the routes (in init, with addRoutes) and the handlers.
//   - templates/<name>.html: the page's template, which defines "title"
//     and "content"; the layout (templates/layout.html) wraps it.
//   - messages_<name>.go: the page's texts (in init, with addMessages),
//     keys "<name>.<what>", Spanish then English.
//
// A route names its pattern (net/http's ServeMux syntax, always with the
// method), who may open it and its handler:
//
//	func init() {
//		addRoutes(
//			route{"GET /app/contacts", signedIn, (*app).contacts},
//			route{"POST /app/contacts", signedIn, (*app).createContact},
//			route{"GET /app/admin/sources", adminOnly, (*app).sources},
//		)
//	}
//
// Access is signedIn (any active user), adminOnly (an active admin; staff
// get 403) or public (anyone; only the sign-in pages). A signed-out GET of
// a signedIn or adminOnly page is redirected to the sign-in page with
// next= (the path asked for), and lands back there after signing in; other
// methods get 401.
//
// # A handler
//
//	func (a *app) contacts(w http.ResponseWriter, r *http.Request, p *Page) {
//		p.Nav = "contacts" // the header's entry marked current
//		page, err := a.svc.ListContacts(r.Context(), ...)
//		if err != nil {
//			a.fail(w, r, p, err) // the error page: status and text from the crm code
//			return
//		}
//		a.render(w, r, p, http.StatusOK, "contacts", contactsView{...})
//	}
//
// p.User is the signed-in user as the store has them now (their current
// role), p.Lang their language ("es" or "en"), p.T(key, args...) a text of
// the catalog in it. a.svc is the *crm.Service; use cases that take an
// actor take p.User. a.render executes templates/<name>.html in the
// layout with the page's data, in p.Lang, writing it whole (or a logged
// 500); pages are sent with Cache-Control: no-store. After a form's POST
// succeeds, redirect (303) to the page to show; when it fails with invalid
// fields, render the form again with status 400 (422 is not used) and the
// crm.Error's Fields next to each input.
//
// # A template
//
//	{{define "title"}}{{t "contacts.title"}}{{end}}
//	{{define "content"}}
//	<h1>{{t "contacts.title"}}</h1>
//	<form method="post" action="/app/contacts">
//	  {{template "csrf" .}}
//	  <label for="name">{{t "contacts.name"}}</label>
//	  <input id="name" name="name" value="{{.Data.Name}}">
//	  {{template "fieldError" .Data.Errors.name}}
//	</form>
//	{{end}}
//
// The template's dot is the view: .User, .Lang, .CSRF, .Nav, .SignedIn
// (from the Page) and .Data (what the handler passed). Inside range or
// with, reach them through $ ({{template "csrf" $}}). The functions are
// t (a catalog text: {{t "key"}}, {{t "key" arg}} with fmt verbs in the
// text), date and dateTime (a time.Time in the company's time zone, as the
// language writes it), money (euro cents: 1.234,56 € or €1,234.56) and
// asset (an embedded file's fingerprinted path: {{asset "app.css"}}). Every
// input has a <label for>. No inline script or style (the CSP refuses
// them): behaviour goes into static/app.js, found by data- attributes;
// styles into static/app.css. A key missing from the catalog shows as
// [key] and fails TestTemplatesUseKnownKeys.
//
// # Forms and CSRF
//
// Every POST of a signed-in page is checked twice: net/http's
// CrossOriginProtection (a browser's request from another origin is
// refused) and the session's CSRF token, which every form carries in its
// hidden _csrf field ({{template "csrf" .}}) and a script sends in the
// X-CSRF-Token header (read it from the csrf field of the page). A request
// failing either gets 403 before the handler runs.
//
// # The notes, files and timeline blocks
//
// A record's page (a contact's, an opportunity's) shows three blocks that
// templates/_blocks.html draws and blocks.go reads: its notes (the ones
// the user may read, with the form that adds one: private or team, an
// aviso day and time, remind all), its files (upload straight to the
// domain's presigned URL with a progress bar, static/blocks.js; download
// through the domain's URL) and the timeline of the contact it concerns.
// To show them on a page of another kind of parent:
//
//	func init() {
//		addParentPage(crm.ParentOpportunity, parentPage{
//			path: func(id string) string { return "/app/opportunities/" + id },
//			show: func(a *app, w http.ResponseWriter, r *http.Request, p *Page, id string, status int, note noteForm) {
//				a.showOpportunity(w, r, p, id, status, note) // the page, with the note form as given
//			},
//		})
//	}
//
// and in the page's handler read them with the page's query (each block's
// "more" link adds its own cursor: notes=, files=, timeline=) and the
// note form to show (zero, or the refused one show was given):
//
//	v.Blocks, err = a.blocks(ctx, p, crm.ParentOpportunity, o.ID, o.ContactID, readBlockCursors(r.URL.Query()), note)
//
// and in its template:
//
//	{{template "notesBlock" .Data.Blocks}}
//	{{template "filesBlock" .Data.Blocks}}
//	{{template "timelineBlock" .Data.Blocks}}
//	{{template "blocksScript"}}
//
// The forms post to POST /app/notes, POST /app/notes/{id}/delete and
// POST /app/files (page_notes.go, page_files.go), which go back to the
// parent's page (path); a note refused for its fields is shown on it by
// show, with status 400 and the errors next to the fields. The timeline
// is the contact's whole history (an opportunity's page passes its
// contact). Private notes, and their timeline entries, reach only their
// author: the blocks read through the service with p.User.
//
// # Tests
//
// internal/webapp/webtest starts the whole app on a real SQLite store in a
// temporary directory with the outbox mailer (webtest.New), and gives HTTP
// clients without a browser:
//
//	env := webtest.New(t)
//	staff := env.User(t, crm.RoleStaff, "ana@example.com")
//	c := env.SignIn(t, staff)               // a client with a session cookie
//	res := c.Get(t, "/app/contacts")        // res.Status, res.Body, res.Location()
//	res = c.PostForm(t, "/app/contacts", url.Values{"name": {"José"}}) // adds _csrf and a same-origin Origin
//	env.Clock.Advance(time.Hour)            // the service's and the app's clock
//	link := env.SignInLink(t, "ana@example.com") // from the outbox
//
// env.Admin and env.AdminToken are the first admin and its API token;
// env.Svc is the service, to arrange data. A browser test starts a headless
// Chromium with chromedp (webtest.Browser, which skips without a Chromium
// but fails under CI=true) and drives the same server:
//
//	ctx := webtest.Browser(t)
//	err := chromedp.Do(ctx, chromedp.Navigate(env.SignInLink(t, env.Admin.Email)),
//		chromedp.WaitVisible(chromedp.CSS(".tabs")))
//
// See browser_test.go for a whole journey.
//
// webtest.New(t, webtest.WithChangeFeed()) also runs the change core over
// the store's feed, as `embudo serve` does (timeline entries, e-mails in
// the outbox); env.Drain(t) waits until it has applied every write so
// far. webtest.WithFiles() gives the service a file store whose signed
// URLs the same server serves (/blobs/).
package webapp
