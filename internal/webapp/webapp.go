package webapp

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Options configure the web app.
type Options struct {
	// Logger receives failures (nil: slog.Default()).
	Logger *slog.Logger
	// Mailer sends the sign-in links (nil: none can be sent; the page
	// still answers the same, and admins sign in with an API token).
	Mailer crm.Mailer
	// AppURL is the public base of the app, such as https://host/app, that
	// sign-in links start with ("": the request's scheme and host + /app).
	AppURL string
	// Now is the clock (nil: the service's).
	Now func() time.Time
	// HooksURL is the public base of the lead webhooks, which the
	// sources page shows their URLs under (on AWS, the hooks API's
	// HOOKS_URL; "": the scheme and host the request came to, as
	// `embudo serve` serves /hooks/ beside /app).
	HooksURL string
	// UploadOrigin is an origin besides the app's own that scripts may
	// send to (connect-src): the bucket of presigned uploads ("" locally,
	// where uploads go to the same origin).
	UploadOrigin string
}

// app is the web app: the service, the options, the parsed templates and
// the routes.
type app struct {
	svc *crm.Service
	opt Options
	log *slog.Logger
	now func() time.Time
	// pages are the templates by language and page name, parsed on the
	// first page served: the API function's cold start, which most
	// requests (/v1) share, does not wait for them.
	pages func() map[string]map[string]*pageTemplate
	// catalog caches the agents, sources and interests (lists).
	catalog *crm.Cache[struct{}, catalogLists]
	csp     string
	mux     *http.ServeMux
}

// New returns the web app over svc: every page under /app/ (and /app),
// with its assets, sign-in and sessions. Its templates are parsed when the
// first page is served, which panics when they do not parse (a programming
// error every page test catches).
func New(svc *crm.Service, o Options) http.Handler {
	a := &app{svc: svc, opt: o, log: o.Logger, now: o.Now, mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = svc.Clock()
	}
	a.catalog = crm.NewCache[struct{}, catalogLists](catalogTTL, 1, a.now)
	a.csp = contentSecurityPolicy(o.UploadOrigin)
	a.pages = sync.OnceValue(func() map[string]map[string]*pageTemplate { return mustParseTemplates(svc.TimeZone()) })
	a.mux.Handle("GET /app/static/", http.HandlerFunc(serveAsset))
	a.mux.HandleFunc("/app", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/app/", http.StatusMovedPermanently)
	})
	for _, rt := range routes {
		a.handle(rt)
	}
	return a.securityHeaders(compressGzip(a.mux))
}

// route is one page's pattern, who may open it and its handler.
type route struct {
	pattern string // a ServeMux pattern: "GET /app/pipeline", "POST /app/pipeline/move"
	access  access
	handle  func(a *app, w http.ResponseWriter, r *http.Request, p *Page)
}

// access is who may open a route.
type access int

// The kinds of access of a route.
const (
	signedIn  access = iota // any active user with a session
	adminOnly               // an active admin with a session
	public                  // anyone: the sign-in pages
)

// routes are every page's routes; each page file adds its own in an init
// function (addRoutes), so that pages are added without editing this file.
var routes []route

// addRoutes adds routes to the app's; a page file calls it from init.
func addRoutes(rs ...route) { routes = append(routes, rs...) }

// handle registers a route: the session (unless public), the access
// check, CSRF on state-changing methods, then the handler.
func (a *app) handle(rt route) {
	method, _, _ := strings.Cut(rt.pattern, " ")
	changes := method != http.MethodGet && method != http.MethodHead
	a.mux.Handle(rt.pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if changes {
			if err := crossOrigin.Check(r); err != nil {
				a.forbidden(w, r, nil, "cross-origin request refused")
				return
			}
		}
		p, ok := a.pageFor(w, r, rt.access)
		if !ok {
			return
		}
		if changes && rt.access != public && !validCSRF(p.secret, r) {
			a.forbidden(w, r, p, "missing or wrong CSRF token")
			return
		}
		if rt.access == adminOnly && !p.User.IsAdmin() {
			a.forbidden(w, r, p, "admins only")
			return
		}
		if p.SignedIn() { // what the user writes records them
			r = r.WithContext(crm.WithActor(r.Context(), p.User))
		}
		rt.handle(a, w, r, p)
	}))
}
