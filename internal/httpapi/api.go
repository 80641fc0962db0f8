// Package httpapi is Embudo's REST API on net/http: routing, bearer-token
// authentication, roles, problem+json errors, ETags and idempotency keys,
// and the OpenAPI document. It speaks to the domain only through
// crm.Service, and keeps the responses of Idempotency-Key requests in the
// crm.IdempotencyStore it is given (Options.Idempotency).
package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Options configure the API handler.
type Options struct {
	Logger *slog.Logger
	// TokenCacheTTL is how long a looked-up token is trusted without asking
	// the store again, on routes any user may call: a token revoked or a
	// user changed on another instance may keep working that long on a
	// warm one. Admin routes always ask the store; a change made through
	// this API holds from the changed user's next request on it. Default
	// 30 s; negative disables the cache.
	TokenCacheTTL time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered (24 h).
	IdempotencyTTL time.Duration
	// HooksURL is the public base URL of the lead webhooks (on AWS, the
	// hooks API's URL); empty means the URL the request came to.
	HooksURL string
	// Now is the clock of the token cache and of idempotency records; the
	// service's clock (crm.Config.Now) when nil.
	Now func() time.Time
	// Idempotency keeps the responses of POSTs sent with an
	// Idempotency-Key: the store's crm.IdempotencyStore. Without it such
	// a request fails (internal).
	Idempotency crm.IdempotencyStore
}

// API serves the REST API.
type API struct {
	svc    *crm.Service
	log    *slog.Logger
	tokens *crm.Cache[string, session] // token hash → its user and token
	now    func() time.Time
	idemTT time.Duration
	hooks  string
	mux    *http.ServeMux
	// registered maps each route pattern to its access, for tests and docs.
	registered map[string]string
	idem       crm.IdempotencyStore // Options.Idempotency
}

// New returns the API handler over svc.
func New(svc *crm.Service, o Options) *API {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.TokenCacheTTL == 0 {
		o.TokenCacheTTL = 30 * time.Second
	}
	if o.IdempotencyTTL == 0 {
		o.IdempotencyTTL = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = svc.Clock()
	}
	a := &API{svc: svc, log: o.Logger, tokens: crm.NewCache[string, session](o.TokenCacheTTL, maxCached, o.Now), now: o.Now, idemTT: o.IdempotencyTTL, hooks: strings.TrimRight(o.HooksURL, "/"), mux: http.NewServeMux(), registered: map[string]string{}}
	a.idem = o.Idempotency
	a.routes()
	return a
}

// ServeHTTP implements http.Handler: it recovers panics into 500 problems
// and turns the router's own 404 and 405 answers into problems too.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w = drainFirst(w, r)
	defer func() {
		if v := recover(); v != nil {
			a.log.ErrorContext(r.Context(), "panic", append(requestAttrs(r), "panic", v)...)
			writeProblem(w, problem{Type: "about:blank", Title: "Internal Server Error", Status: 500, Code: crm.CodeInternal, Detail: "internal error"})
		}
	}()
	h, pattern := a.mux.Handler(r)
	if pattern == "" {
		rec := &statusOnly{header: http.Header{}}
		h.ServeHTTP(rec, r)
		status := rec.status
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
		} else {
			status = http.StatusNotFound
		}
		writeProblem(w, problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: codeForStatus(status),
			Detail: "no such route: " + r.Method + " " + r.URL.Path})
		return
	}
	a.mux.ServeHTTP(w, r)
}

// codeMethodNotAllowed is the problem code of a 405: the route exists,
// not with this method. It is the only code the router makes itself.
const codeMethodNotAllowed crm.Code = "method_not_allowed"

func codeForStatus(status int) crm.Code {
	if status == http.StatusMethodNotAllowed {
		return codeMethodNotAllowed
	}
	return crm.CodeNotFound
}

// statusOnly records what the router's fallback handlers answer.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(code int)        { s.status = code }
