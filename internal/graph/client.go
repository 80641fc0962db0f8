// Package graph is the Meta Graph API adapter: it fetches the lead ads a
// Meta leadgen notification names. It only fetches; leads.ParseMetaLead
// reads the result.
package graph

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// DefaultBaseURL is the Graph API version Client uses when BaseURL is empty.
const DefaultBaseURL = "https://graph.facebook.com/v21.0"

// LeadFields are the fields FetchLead asks for: what leads.ParseMetaLead reads.
const LeadFields = "id,created_time,ad_id,form_id,campaign_id,field_data,is_organic,platform"

// Defaults for the zero Client.
const (
	DefaultRetries = 3                      // retries after the first attempt
	DefaultBackoff = 200 * time.Millisecond // wait before the first retry; it doubles
	DefaultTimeout = 10 * time.Second       // per attempt, for the default HTTP client
	maxBackoff     = 30 * time.Second       // cap on any single wait, Retry-After included
	maxResponse    = 1 << 20                // largest response body read
)

// defaultHTTP is the HTTP client of a Client without one: the default
// transport with a per-request timeout.
var defaultHTTP = &http.Client{Timeout: DefaultTimeout}

// AttemptTimeout bounds each request of the webhook function's client
// (New); with DefaultRetries and DefaultBackoff it sets the webhook's
// longest fetch (Client.Budget), which the template's webhook timeout must
// exceed (infra/deploy_test.go).
const AttemptTimeout = 5 * time.Second

// New returns the client of the webhook function: on baseURL
// (DefaultBaseURL when empty), each attempt bounded by AttemptTimeout.
func New(baseURL string) *Client {
	return &Client{BaseURL: baseURL, HTTP: &http.Client{Timeout: AttemptTimeout}}
}

// Client fetches Meta lead ads from the Graph API. The zero value is ready
// to use. It never logs, and never puts the access token in an error.
type Client struct {
	// BaseURL is the Graph API root with its version (default
	// DefaultBaseURL); tests point it at an httptest server.
	BaseURL string
	// HTTP sends the requests (default: a client with DefaultTimeout).
	HTTP *http.Client
	// Retries is how many times a failed attempt (network error, 5xx, 429,
	// Graph's transient and throttling codes) is retried: 0 means
	// DefaultRetries, a negative value none.
	Retries int
	// Backoff is the wait before the first retry, doubling after each
	// (default DefaultBackoff); a longer Retry-After is honoured, up to 30 s.
	Backoff time.Duration
	// AppSecret, when set, adds appsecret_proof (HMAC-SHA256 of the token
	// keyed with the app secret), which apps with "Require App Secret" need.
	AppSecret string
}

// FetchLead GETs {BaseURL}/{leadgenID}?fields=LeadFields with the access
// token (a Page or system-user token with leads_retrieval) as the
// access_token query parameter, retrying network errors, 5xx, 429 and
// Graph's transient or throttling error codes with a doubling backoff, and
// returns the raw JSON body of the lead for leads.ParseMetaLead.
//
// Errors: invalid (leadgenID empty or not a Graph ID); not_found (404, 410,
// or Graph error code 100: the lead does not exist or is not visible);
// unauthorized (no token, 401, 403, or Graph error 190 or a permission
// error 10/200-299); internal (still failing after the retries, ctx done,
// or any other answer: the caller answers 5xx so Meta redelivers).
func (c *Client) FetchLead(ctx context.Context, leadgenID, accessToken string) ([]byte, error) {
	leadgenID = strings.TrimSpace(leadgenID)
	if !validID(leadgenID) {
		return nil, crm.InvalidField("leadgenId", "must be a Graph object ID")
	}
	if accessToken == "" {
		return nil, crm.Unauthorized("no Meta access token is configured")
	}
	q := url.Values{"fields": {LeadFields}, "access_token": {accessToken}}
	if c.AppSecret != "" {
		mac := hmac.New(sha256.New, []byte(c.AppSecret))
		mac.Write([]byte(accessToken))
		q.Set("appsecret_proof", hex.EncodeToString(mac.Sum(nil)))
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u := base + "/" + url.PathEscape(leadgenID) + "?" + q.Encode()
	return c.get(ctx, u, accessToken)
}

// validID reports whether id can be a Graph object ID: digits, and the
// letters and separators some test objects use, never a path or query.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
