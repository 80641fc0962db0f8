package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/leads"
)

// MetaLeadFetcher fetches a Meta lead's data (the Graph API lead object, as
// JSON) by its leadgen ID with the page's access token. Errors: not_found
// (the lead is gone), unauthorized (the token is not valid), internal (the
// Graph API kept failing; the notification is answered 5xx so that Meta
// delivers it again).
type MetaLeadFetcher interface {
	FetchLead(ctx context.Context, leadgenID, accessToken string) ([]byte, error)
}

// HookOptions configure the lead webhooks.
type HookOptions struct {
	Logger *slog.Logger
	// Meta fetches lead data for Meta notifications; without it they are
	// answered 500 (and Meta delivers them again).
	Meta MetaLeadFetcher
	// SourceCacheTTL is how long a webhook token's source is trusted without
	// reading it again: a rotated or removed token may keep working that
	// long on a warm instance. Default 30 s; negative disables the cache.
	SourceCacheTTL time.Duration
	// Now is the clock of the cache and the signature checks; the
	// service's clock (crm.Config.Now) when nil.
	Now func() time.Time
}

// Hooks serves the public lead webhooks under /hooks/{token}: HTML forms
// and JSON senders, Google Ads lead forms, and Meta lead ads. There is no
// bearer token: the URL token names the source, and each format's own
// check (Standard Webhooks signature, google_key, X-Hub-Signature-256)
// authenticates the sender. A 2xx answer means the lead is stored.
type Hooks struct {
	svc     *crm.Service
	log     *slog.Logger
	meta    MetaLeadFetcher
	now     func() time.Time
	sources *crm.Cache[string, crm.Source] // webhook token hash → source
	mux     *http.ServeMux
	routes  []string
}

// NewHooks returns the webhook handler.
func NewHooks(svc *crm.Service, o HookOptions) *Hooks {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SourceCacheTTL == 0 {
		o.SourceCacheTTL = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = svc.Clock()
	}
	h := &Hooks{svc: svc, log: o.Logger, meta: o.Meta, now: o.Now, sources: crm.NewCache[string, crm.Source](o.SourceCacheTTL, maxCached, o.Now), mux: http.NewServeMux()}
	h.route("POST /hooks/{token}", h.form)
	h.route("OPTIONS /hooks/{token}", h.preflight)
	h.route("POST /hooks/{token}/google-ads", h.googleAds)
	h.route("GET /hooks/{token}/meta", h.metaVerify)
	h.route("POST /hooks/{token}/meta", h.metaNotify)
	return h
}

// route registers a webhook pattern and remembers it for Routes.
func (h *Hooks) route(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
	h.routes = append(h.routes, pattern)
	h.mux.HandleFunc(pattern, h.errors(fn))
}

// Routes returns the patterns the webhooks serve ("METHOD /hooks/..."), in
// the order they were registered: what the OpenAPI document lists under
// /hooks.
func (h *Hooks) Routes() []string {
	return slices.Clone(h.routes)
}

// ServeHTTP implements http.Handler.
func (h *Hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w = drainFirst(w, r)
	_, pattern := h.mux.Handler(r)
	defer func() {
		if v := recover(); v != nil {
			// The pattern, not the path: the path holds the URL token.
			h.log.ErrorContext(r.Context(), "panic", "route", pattern, "panic", v)
			writeProblem(w, problem{Type: "about:blank", Title: "Internal Server Error", Status: 500, Code: crm.CodeInternal, Detail: "internal error"})
		}
	}()
	if pattern == "" {
		writeProblem(w, problem{Type: "about:blank", Title: "Not Found", Status: 404, Code: crm.CodeNotFound, Detail: "not found"})
		return
	}
	h.mux.ServeHTTP(w, r)
}

func (h *Hooks) errors(f func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			writeError(w, r, h.log, err)
		}
	}
}

// errUnknownHook answers every token that leads nowhere the same way,
// saying nothing about why.
var errUnknownHook = &crm.Error{Code: crm.CodeNotFound, Message: "not found"}

// source finds the source of the request's token, for a webhook of kind.
func (h *Hooks) source(r *http.Request, kinds ...crm.LeadFormat) (crm.Source, error) {
	token := r.PathValue("token")
	src, err := h.sourceOf(r.Context(), token)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		return crm.Source{}, errUnknownHook
	}
	if err != nil {
		return crm.Source{}, err
	}
	for _, k := range kinds {
		if src.Webhook.Kind == k {
			return src, nil
		}
	}
	return crm.Source{}, errUnknownHook
}

// body reads the raw body, at most leads.MaxBody bytes.
func body(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, leads.MaxBody+1))
	if err != nil {
		return nil, crm.InvalidField("body", "could not be read")
	}
	if len(b) > leads.MaxBody {
		return nil, &crm.Error{Code: crm.CodeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", leads.MaxBody)}
	}
	return b, nil
}

// cors answers for the origin of a browser request: allowed origins get
// Access-Control-Allow-Origin; a disallowed one is refused when the source
// names its origins. A request without Origin (a server) passes.
func cors(w http.ResponseWriter, r *http.Request, wh *crm.Webhook) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	w.Header().Add("Vary", "Origin")
	if wh.AllowsOrigin(origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		return nil
	}
	if len(wh.AllowedOrigins) > 0 {
		return crm.Forbidden("this origin may not post to this form")
	}
	return nil
}

func (h *Hooks) preflight(w http.ResponseWriter, r *http.Request) error {
	src, err := h.source(r, crm.FormatForm, crm.FormatJSON)
	if err != nil {
		return err
	}
	if !src.Webhook.AllowsOrigin(r.Header.Get("Origin")) {
		return crm.Forbidden("this origin may not post to this form")
	}
	_ = cors(w, r, src.Webhook)
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Accept, Idempotency-Key, webhook-id, webhook-timestamp, webhook-signature")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// form takes an HTML form post or a JSON lead.
func (h *Hooks) form(w http.ResponseWriter, r *http.Request) error {
	src, err := h.source(r, crm.FormatForm, crm.FormatJSON)
	if err != nil {
		return err
	}
	wh := src.Webhook
	if err := cors(w, r, wh); err != nil {
		return err
	}
	b, err := body(r)
	if err != nil {
		return err
	}
	externalID := ""
	if wh.Kind == crm.FormatJSON && wh.Secret != "" {
		if externalID, err = leads.VerifyStandardWebhook(wh.Secret, r.Header, b, h.now()); err != nil {
			return err
		}
	}
	lead, ctl, err := leads.ParseForm(r.Header.Get("Content-Type"), b, r.URL.Query(), wh.FieldMap, wh.Honeypot)
	if err != nil {
		return err
	}
	lead.Format = wh.Kind
	lead.ExternalID = firstOf(externalID, r.Header.Get("Idempotency-Key"), ctl.IdempotencyKey)
	lead.Spam = ctl.Honeypot
	rec, dup, err := h.svc.IntakeLead(r.Context(), src, lead)
	if err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "lead", "record", rec.String(), "duplicate", dup)
	next := wh.RedirectURL
	if ctl.Next != "" && wh.AllowsRedirect(ctl.Next) {
		next = ctl.Next
	}
	if wantsJSON(r) {
		// The same answer for a lead, a retry and a honeypot catch.
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "leadId": rec.ID, "next": next})
		return nil
	}
	if next != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>%s</title><p>%s</p>\n",
		html.EscapeString(src.Name), "Gracias, hemos recibido tus datos. / Thank you, we have received your details.")
	return nil
}

// wantsJSON reports whether the client asked for a JSON answer rather than
// a redirect (an AJAX post, or any JSON sender).
func wantsJSON(r *http.Request) bool {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func (h *Hooks) googleAds(w http.ResponseWriter, r *http.Request) error {
	src, err := h.source(r, crm.FormatGoogleAds)
	if err != nil {
		return err
	}
	b, err := body(r)
	if err != nil {
		return err
	}
	lead, key, err := leads.ParseGoogleAds(b, src.Webhook.FieldMap)
	if key == "" {
		key = googleKeyOnly(b) // a body that does not parse as a lead may still carry the key
	}
	if !src.Webhook.KeyMatches(key) {
		// Before any detail of the body: a sender without the key learns nothing.
		return crm.Forbidden("google_key does not match the key configured for this webhook")
	}
	if err != nil {
		return err
	}
	lead.Format = crm.FormatGoogleAds
	rec, dup, err := h.svc.IntakeLead(r.Context(), src, lead)
	if err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "lead", "record", rec.String(), "duplicate", dup)
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// metaVerify answers Meta's subscription handshake.
func (h *Hooks) metaVerify(w http.ResponseWriter, r *http.Request) error {
	src, err := h.source(r, crm.FormatMeta)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" || !src.Webhook.VerifyTokenMatches(q.Get("hub.verify_token")) {
		return crm.Forbidden("verification failed")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
	return nil
}

// metaNotify takes a leadgen notification: every entry and change, each
// lead fetched from the Graph API and stored. If a fetch or a store fails,
// the answer is 5xx so that Meta delivers the notification again; leads
// already stored are recognised by their leadgen ID then, before the Graph
// API is asked for them. The Graph client's retries end within the
// request's deadline (on Lambda, the invocation's).
func (h *Hooks) metaNotify(w http.ResponseWriter, r *http.Request) error {
	src, err := h.source(r, crm.FormatMeta)
	if err != nil {
		return err
	}
	b, err := body(r)
	if err != nil {
		return err
	}
	if !leads.VerifyMetaSignature(src.Webhook.Secret, r.Header.Get("X-Hub-Signature-256"), b) {
		return crm.Unauthorized("X-Hub-Signature-256 does not match the body")
	}
	refs, err := leads.ParseMetaNotification(b)
	if err != nil {
		return err
	}
	if h.meta == nil && len(refs) > 0 {
		return &crm.Error{Code: crm.CodeInternal, Message: "Meta lead fetching is not configured"}
	}
	stored := 0
	for _, ref := range refs {
		// A lead stored by an earlier delivery of this notification is not
		// fetched again.
		rec, seen, err := h.svc.LeadDelivered(r.Context(), src, crm.FormatMeta, ref.LeadgenID)
		if err != nil {
			return err
		}
		if seen {
			h.log.InfoContext(r.Context(), "lead", "record", rec.String(), "duplicate", true)
			stored++
			continue
		}
		raw, err := h.meta.FetchLead(r.Context(), ref.LeadgenID, src.Webhook.AccessToken)
		if crm.ErrorCode(err) == crm.CodeNotFound {
			h.log.WarnContext(r.Context(), "meta lead is gone; skipped", "leadgen", ref.LeadgenID, "source", src.ID)
			continue
		}
		if err != nil {
			return crm.Internal(fmt.Errorf("fetch meta lead %s: %w", ref.LeadgenID, err))
		}
		lead, err := leads.ParseMetaLead(raw, src.Webhook.FieldMap)
		if err != nil {
			return crm.Internal(fmt.Errorf("meta lead %s: %w", ref.LeadgenID, err))
		}
		// Keyed by the notification's leadgen_id, which LeadDelivered looks up.
		lead.Format, lead.ExternalID = crm.FormatMeta, firstOf(ref.LeadgenID, lead.ExternalID)
		rec, dup, err := h.svc.IntakeLead(r.Context(), src, lead)
		if crm.ErrorCode(err) == crm.CodeUnprocessable {
			h.log.WarnContext(r.Context(), "meta lead without name, e-mail or phone; skipped", "leadgen", ref.LeadgenID)
			continue
		}
		if err != nil {
			return err
		}
		h.log.InfoContext(r.Context(), "lead", "record", rec.String(), "duplicate", dup)
		stored++
	}
	writeJSON(w, http.StatusOK, map[string]int{"received": len(refs), "stored": stored})
	return nil
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// sourceOf finds the source of a webhook token, from the cache while it is
// fresh (keyed by the token's hash, never the token). Errors: as
// crm.Service.SourceByWebhookToken.
func (h *Hooks) sourceOf(ctx context.Context, token string) (crm.Source, error) {
	return h.sources.Load(crm.HashToken(token), func() (crm.Source, error) { return h.svc.SourceByWebhookToken(ctx, token) })
}

// googleKeyOnly reads just the google_key (or Google_key) of a body whose
// other fields may be malformed, so that a sender with the right key
// learns what is wrong with the rest (400) rather than a 403.
func googleKeyOnly(b []byte) string {
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil {
		return ""
	}
	for _, k := range []string{"google_key", "Google_key"} {
		var v string
		if json.Unmarshal(raw[k], &v) == nil && v != "" {
			return v
		}
	}
	return ""
}
