// Package client is the HTTP client of Embudo's REST API that the
// `embudo` CLI uses: authentication, JSON in and out, problem errors, and
// following list cursors.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Client calls one Embudo API with one token.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:3000
	Token   string
	HTTP    *http.Client
}

// New returns a client for base with token.
func New(base, token string) *Client {
	return &Client{BaseURL: strings.TrimRight(base, "/"), Token: token, HTTP: &http.Client{Timeout: 60 * time.Second}}
}

// Problem is an error answer of the API (RFC 9457 problem details).
type Problem struct {
	Status     int               `json:"status"`
	Title      string            `json:"title"`
	Detail     string            `json:"detail"`
	Code       string            `json:"code"`
	Fields     map[string]string `json:"fields"`
	ExistingID string            `json:"existingId"`
}

// Error writes the problem for a person: the message, then each field.
func (p *Problem) Error() string {
	var b strings.Builder
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	fmt.Fprintf(&b, "%s (%d %s)", msg, p.Status, p.Code)
	keys := make([]string, 0, len(p.Fields))
	for k := range p.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %s", k, p.Fields[k])
	}
	if p.ExistingID != "" {
		fmt.Fprintf(&b, "\n  existing: %s", p.ExistingID)
	}
	return b.String()
}

// Response is a successful answer: status, headers and raw body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request (body marshalled as JSON unless it is []byte or
// io.Reader, sent as is) and returns the answer; an error answer comes back
// as *Problem. headers are extra request headers ("If-Match", ...).
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body any, headers map[string]string) (*Response, error) {
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 400 {
		p := &Problem{Status: res.StatusCode, Title: http.StatusText(res.StatusCode)}
		_ = json.Unmarshal(b, p)
		return nil, p
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// JSON sends a request and decodes the JSON answer into out (if not nil).
func (c *Client) JSON(ctx context.Context, method, path string, query url.Values, body, out any, headers map[string]string) (*Response, error) {
	res, err := c.Do(ctx, method, path, query, body, headers)
	if err != nil {
		return nil, err
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			return res, fmt.Errorf("the answer is not the JSON expected: %w", err)
		}
	}
	return res, nil
}

// Each follows a list's pages from path with query, calling each for every
// item, until the last page or each fails.
func (c *Client) Each(ctx context.Context, path string, query url.Values, each func(json.RawMessage) error) error {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for {
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"nextCursor"`
		}
		if _, err := c.JSON(ctx, http.MethodGet, path, q, nil, &page, nil); err != nil {
			return err
		}
		for _, it := range page.Items {
			if err := each(it); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		q.Set("cursor", page.NextCursor)
	}
}
