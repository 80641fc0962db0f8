package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// get sends GET u until it succeeds, fails for good, or the retries run
// out. token is only used to scrub errors.
func (c *Client) get(ctx context.Context, u, token string) ([]byte, error) {
	retries := c.Retries
	switch {
	case retries == 0:
		retries = DefaultRetries
	case retries < 0:
		retries = 0
	}
	wait := c.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	var last error
	for attempt := 0; ; attempt++ {
		body, retryAfter, err := c.attempt(ctx, hc, u, token)
		if err == nil {
			return body, nil
		}
		var fatal *crm.Error
		if errors.As(err, &fatal) {
			return nil, fatal
		}
		last = err
		if attempt >= retries {
			break
		}
		d := max(wait, retryAfter)
		d = min(d, maxBackoff)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, crm.Internal(fmt.Errorf("graph: fetching the lead: %w (after %v)", ctx.Err(), last))
		case <-t.C:
		}
		wait *= 2
	}
	return nil, crm.Internal(fmt.Errorf("graph: fetching the lead: gave up after %d attempts, last: %w", retries+1, last))
}

// attempt sends one request. A *crm.Error is final; any other error may be
// retried, after at least retryAfter.
func (c *Client) attempt(ctx context.Context, hc *http.Client, u, token string) (body []byte, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, crm.Internal(errors.New("graph: cannot build the request (bad BaseURL?)"))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, crm.Internal(fmt.Errorf("graph: %w", ctx.Err()))
		}
		return nil, 0, scrub(err, token)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, 0, scrub(err, token)
	}
	if len(body) > maxResponse {
		return nil, 0, crm.Internal(fmt.Errorf("graph: response over %d bytes", maxResponse))
	}
	ge := parseGraphError(body)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && ge == nil:
		if !json.Valid(body) {
			return nil, 0, fmt.Errorf("graph: status %d with a body that is not JSON", resp.StatusCode)
		}
		return body, 0, nil
	case ge != nil && ge.Code == 190:
		return nil, 0, &crm.Error{Code: crm.CodeUnauthorized, Message: "Meta rejected the access token; renew it", Err: ge.err(resp.StatusCode, token)}
	case ge != nil && (ge.Code == 10 || ge.Code >= 200 && ge.Code <= 299):
		return nil, 0, &crm.Error{Code: crm.CodeUnauthorized, Message: "the Meta access token lacks the permission to read leads (leads_retrieval)", Err: ge.err(resp.StatusCode, token)}
	case ge != nil && ge.Code == 100, resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		return nil, 0, &crm.Error{Code: crm.CodeNotFound, Message: "lead not found", Err: ge.err(resp.StatusCode, token)}
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		return nil, 0, &crm.Error{Code: crm.CodeUnauthorized, Message: "Meta refused the request", Err: ge.err(resp.StatusCode, token)}
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500, ge.transient():
		return nil, retryAfterOf(resp), ge.err(resp.StatusCode, token)
	}
	return nil, 0, crm.Internal(ge.err(resp.StatusCode, token))
}

// retryAfterOf reads a Retry-After header in seconds.
func retryAfterOf(resp *http.Response) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// scrub turns a transport error into one without the request URL (which
// holds the token) and without the token itself.
func scrub(err error, token string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	for _, t := range []string{token, url.QueryEscape(token), url.PathEscape(token)} {
		if t != "" {
			msg = strings.ReplaceAll(msg, t, "[token]")
		}
	}
	return fmt.Errorf("graph: GET lead: %s", msg)
}
