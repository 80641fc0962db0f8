package crm

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Assignment says how a webhook's new contacts get an agent.
type Assignment string

// The assignment modes.
const (
	AssignNone       Assignment = "none"
	AssignFixed      Assignment = "fixed"       // always DefaultAgentID
	AssignRoundRobin Assignment = "round_robin" // in turn over the active agents
)

// Webhook is a source's lead intake endpoint: where its leads arrive and
// what happens to them. The URL token is stored only as its SHA-256; the
// secrets are never shown back.
type Webhook struct {
	Kind               LeadFormat
	TokenHash          string            // SHA-256 hex of the URL token
	Token              string            // the token itself, only right after it was generated; never stored
	Secret             string            // Google Ads key, Standard Webhooks secret, or Meta app secret
	VerifyToken        string            // Meta's verification handshake token
	AccessToken        string            // Meta page access token, to fetch lead data
	FieldMap           map[string]string // sender's field name → standard field name
	AllowedOrigins     []string          // origins allowed for CORS and _next redirects (https://www.example.com)
	RedirectURL        string            // where a browser goes after a form post
	Honeypot           string            // honeypot field name; _gotcha by default
	DefaultAgentID     string
	Assignment         Assignment
	CreateOpportunity  bool
	OpportunityStateID string // "" for the default state
	RotateToken        bool   // on an update: issue a new URL token (the old one stops working)
}

// Clone returns a copy of w that shares no map or slice with it (nil for
// nil), so that a change made to the copy leaves w as it was.
func (w *Webhook) Clone() *Webhook {
	if w == nil {
		return nil
	}
	c := *w
	c.FieldMap = maps.Clone(w.FieldMap)
	c.AllowedOrigins = slices.Clone(w.AllowedOrigins)
	return &c
}

var fieldName = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\] ]{1,100}$`)

// StandardLeadFields are the names a field map may map to.
var StandardLeadFields = []string{"name", "surname", "email", "phone", "company", "job_title", "message",
	"interests", "marketing_consent", "web", "street", "city", "postal_code", "province", "country",
	"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "landing_page", "referrer"}

// Normalize validates the webhook settings; CodeInvalid names each bad field
// under "webhook.".
func (w *Webhook) Normalize() error {
	f := fieldErrors{}
	switch w.Kind {
	case "":
		w.Kind = FormatForm
	case FormatForm, FormatJSON, FormatGoogleAds, FormatMeta:
	default:
		f.add("webhook.kind", "must be form, json, google-ads or meta")
	}
	cleanText(f, "webhook.secret", &w.Secret, 500)
	cleanText(f, "webhook.verifyToken", &w.VerifyToken, 500)
	cleanText(f, "webhook.accessToken", &w.AccessToken, 2000)
	if w.Kind == FormatGoogleAds && w.Secret == "" {
		f.add("webhook.secret", "is required for google-ads: it is the key you type into Google Ads")
	}
	if w.Kind == FormatMeta && (w.Secret == "" || w.VerifyToken == "" || w.AccessToken == "") {
		f.add("webhook.secret", "meta needs secret (the app secret), verifyToken and accessToken (a page token)")
	}
	w.sealSecrets(f)
	if len(w.FieldMap) > 100 {
		f.add("webhook.fieldMap", "must have at most 100 entries")
	}
	for from, to := range w.FieldMap {
		if !fieldName.MatchString(from) {
			f.add("webhook.fieldMap", "has a field name that is empty, too long or has odd characters: "+from)
		}
		if !contains(StandardLeadFields, to) {
			f.add("webhook.fieldMap."+from, "must map to one of: "+strings.Join(StandardLeadFields, ", "))
		}
	}
	if len(w.AllowedOrigins) > 20 {
		f.add("webhook.allowedOrigins", "must have at most 20 origins")
	}
	for i, o := range w.AllowedOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			f.add("webhook.allowedOrigins", "must hold origins like https://www.example.com")
			break
		}
		w.AllowedOrigins[i] = strings.ToLower(o)
	}
	checkURL(f, "webhook.redirectUrl", &w.RedirectURL, MaxURLLen)
	cleanText(f, "webhook.honeypot", &w.Honeypot, 100)
	if w.Honeypot == "" {
		w.Honeypot = "_gotcha"
	}
	checkRef(f, "webhook.defaultAgentId", &w.DefaultAgentID)
	checkRef(f, "webhook.opportunityStateId", &w.OpportunityStateID)
	switch w.Assignment {
	case "":
		w.Assignment = AssignNone
		if w.DefaultAgentID != "" {
			w.Assignment = AssignFixed
		}
	case AssignNone, AssignRoundRobin:
	case AssignFixed:
		if w.DefaultAgentID == "" {
			f.add("webhook.defaultAgentId", "is required with assignment fixed")
		}
	default:
		f.add("webhook.assignment", "must be none, fixed or round_robin")
	}
	return f.err()
}

// Path is the path, under the public base of the lead webhooks, that
// this webhook receives its leads at: /hooks/<token>, with /google-ads or
// /meta after it for those kinds. It needs the token, which is known only
// right after it was issued: "" without it.
func (w Webhook) Path() string {
	if w.Token == "" {
		return ""
	}
	switch w.Kind {
	case FormatGoogleAds:
		return "/hooks/" + w.Token + "/google-ads"
	case FormatMeta:
		return "/hooks/" + w.Token + "/meta"
	}
	return "/hooks/" + w.Token
}

// AllowsOrigin reports whether origin (scheme://host[:port]) is allowed.
func (w Webhook) AllowsOrigin(origin string) bool {
	return origin != "" && contains(w.AllowedOrigins, strings.ToLower(strings.TrimRight(origin, "/")))
}

// AllowsRedirect reports whether a _next URL may be followed: absolute
// http(s) on an allowed origin, so the endpoint is no open redirect.
func (w Webhook) AllowsRedirect(next string) bool {
	u, err := url.Parse(next)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return false
	}
	return w.AllowsOrigin(u.Scheme + "://" + u.Host)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
