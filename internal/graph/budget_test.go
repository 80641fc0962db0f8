package graph

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

func TestBudget(t *testing.T) {
	for _, c := range []struct {
		name string
		c    Client
		want time.Duration
	}{
		// 4 attempts of 10 s, waits of 0.2, 0.4 and 0.8 s.
		{"zero value", Client{}, 4*DefaultTimeout + 1400*time.Millisecond},
		{"webhook", Client{HTTP: &http.Client{Timeout: 5 * time.Second}}, 21400 * time.Millisecond},
		{"no retries", Client{Retries: -1, HTTP: &http.Client{Timeout: time.Second}}, time.Second},
		// Waits are capped at 30 s each.
		{"long backoff", Client{Retries: 2, Backoff: 20 * time.Second, HTTP: &http.Client{Timeout: time.Second}}, 3*time.Second + 20*time.Second + 30*time.Second},
	} {
		if got := c.c.Budget(); got != c.want {
			t.Errorf("%s: Budget = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestRetryAfterPastDeadline: a Retry-After that would end too close to
// the caller's deadline is not waited for; FetchLead answers at once.
func TestRetryAfterPastDeadline(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &Client{BaseURL: srv.URL, HTTP: &http.Client{Timeout: time.Second}}
	start := time.Now()
	_, err := c.FetchLead(ctx, testLeadID, testToken)
	if crm.ErrorCode(err) != crm.CodeInternal || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want internal wrapping the deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second || calls.Load() != 1 {
		t.Errorf("gave up after %v and %d requests, want at once after 1", d, calls.Load())
	}
}
