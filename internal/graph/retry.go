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
//
// A wait that would leave less than one attempt's timeout before ctx's
// deadline (a long Retry-After) is not started: get gives up at once, so
// that the caller still has the time to answer (the webhook answers 5xx and
// Meta delivers again) instead of running into its own timeout.
func (c *Client) get(ctx context.Context, u, token string) ([]byte, error) {
	retries, wait, hc := c.retries(), c.backoff(), c.httpClient()
	var last error
	attempts := 0
	for {
		body, retryAfter, err := c.attempt(ctx, hc, u, token)
		attempts++
		if err == nil {
			return body, nil
		}
		var fatal *crm.Error
		if errors.As(err, &fatal) {
			return nil, fatal
		}
		last = err
		if attempts > retries {
			break
		}
		d := max(wait, retryAfter)
		d = min(d, maxBackoff)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+hc.Timeout {
			return nil, crm.Internal(fmt.Errorf("graph: fetching the lead: %w: no time for another try (after %v)", context.DeadlineExceeded, last))
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, crm.Internal(fmt.Errorf("graph: fetching the lead: %w (after %v)", ctx.Err(), last))
		case <-t.C:
		}
		wait *= 2
	}
	return nil, crm.Internal(fmt.Errorf("graph: fetching the lead: gave up after %d attempts, last: %w", attempts, last))
}

// retries is the number of retries after the first attempt.
func (c *Client) retries() int {
	switch {
	case c.Retries == 0:
		return DefaultRetries
	case c.Retries < 0:
		return 0
	}
	return c.Retries
}

// backoff is the wait before the first retry.
func (c *Client) backoff() time.Duration {
	if c.Backoff <= 0 {
		return DefaultBackoff
	}
	return c.Backoff
}

// httpClient is the client that sends the requests.
func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return defaultHTTP
	}
	return c.HTTP
}

// Budget is the longest FetchLead can take when no Retry-After stretches a
// wait: every attempt up to the HTTP client's timeout (0 if it has none) and
// the doubling backoff between them. A longer Retry-After is honoured only
// while it fits before the context's deadline, so a caller whose deadline
// is past the budget always gets its answer in time.
func (c *Client) Budget() time.Duration {
	retries, wait := c.retries(), c.backoff()
	total := time.Duration(retries+1) * c.httpClient().Timeout
	for range retries {
		total += min(wait, maxBackoff)
		wait *= 2
	}
	return total
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
