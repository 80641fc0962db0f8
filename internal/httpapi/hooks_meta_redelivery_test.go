package httpapi_test

// Meta delivers a notification again whenever it did not get a 2xx in
// time: a lead already stored is recognised by its leadgen_id before the
// Graph API is asked for it, and the Graph retries end within the
// request's deadline.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/httpapi"
)

func TestHookMetaRedeliveryFetchesNothingStored(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	srcID, token := h.metaSource()
	h.setMetaLeads()
	path := "/hooks/" + token + "/meta"
	sig := metaSign(metaAppSecret, metaNotification)

	wantStatus(t, h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", sig), http.StatusOK)
	before := h.snapshot()
	res := h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", sig)
	wantStatus(t, res, http.StatusOK)
	if got := res.json(t); got["received"] != 3.0 || got["stored"] != 3.0 {
		t.Errorf("answer %v, want the three leads received and stored", got)
	}
	for _, id := range []string{metaLead1, metaLead2, metaLead3} {
		if n := h.graph.callsTo(id); n != 1 {
			t.Errorf("lead %s fetched %d times over two deliveries, want once", id, n)
		}
	}
	h.unchanged(t, before)
	if n := len(h.leadsOf(srcID)); n != 3 {
		t.Errorf("%d lead records, want 3", n)
	}
}

// A delivery cut short by a failing lead is delivered again: only the
// leads not yet stored are fetched then.
func TestHookMetaRedeliveryAfterFailure(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, token := h.metaSource()
	h.setMetaLeads()
	path := "/hooks/" + token + "/meta"
	sig := metaSign(metaAppSecret, metaNotification)

	h.graph.failNext(metaLead2, 2) // the client tries twice
	if res := h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", sig); res.Status < 500 {
		t.Fatalf("status %d, want 5xx", res.Status)
	}
	wantStatus(t, h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", sig), http.StatusOK)
	for id, want := range map[string]int{metaLead1: 1, metaLead2: 3, metaLead3: 1} {
		if n := h.graph.callsTo(id); n != want {
			t.Errorf("lead %s fetched %d times, want %d", id, n, want)
		}
	}
}

// The Graph API failing for longer than the request may last: the
// webhook answers 5xx before the request's deadline (on Lambda, the
// invocation's), not after it.
func TestHookMetaGraphRetriesEndBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, token := h.metaSource()
	var mu sync.Mutex
	calls := 0
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		time.Sleep(150 * time.Millisecond)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	hooks := httpapi.NewHooks(h.svc, httpapi.HookOptions{
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Meta:           &graph.Client{BaseURL: failing.URL, HTTP: &http.Client{Timeout: 400 * time.Millisecond}, Retries: 50, Backoff: 50 * time.Millisecond},
		SourceCacheTTL: -1,
	})
	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/hooks/"+token+"/meta", bytes.NewReader(metaNotification))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", metaSign(metaAppSecret, metaNotification))
	rec := httptest.NewRecorder()
	start := time.Now()
	hooks.ServeHTTP(rec, req)
	took := time.Since(start)
	if rec.Code < 500 {
		t.Errorf("status %d, want 5xx so that Meta delivers again", rec.Code)
	}
	if took >= deadline {
		t.Errorf("answered after %v, past the request's deadline of %v", took, deadline)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls < 2 {
		t.Errorf("%d Graph calls: the retries did not run", calls)
	}
}

// panicky is a Meta fetcher that panics, or fails with err.
type panicky struct{ err error }

func (p panicky) FetchLead(context.Context, string, string) ([]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	panic("fetcher bug")
}

// The webhook's URL token is its secret: a panic or a failure is logged
// with the route pattern, never with the path that holds the token.
func TestHookLogsNoToken(t *testing.T) {
	t.Parallel()
	for name, fetcher := range map[string]panicky{
		"panic":   {},
		"failure": {err: errors.New("graph down")},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHookEnv(t)
			_, token := h.metaSource()
			var logs bytes.Buffer
			hooks := httptest.NewServer(httpapi.NewHooks(h.svc, httpapi.HookOptions{
				Logger: slog.New(slog.NewTextHandler(&logs, nil)), Meta: fetcher, SourceCacheTTL: -1,
			}))
			t.Cleanup(hooks.Close)
			res, err := hookSend(hooks.URL, http.MethodPost, "/hooks/"+token+"/meta", "application/json", metaNotification,
				"X-Hub-Signature-256", metaSign(metaAppSecret, metaNotification))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", res.Status)
			}
			if strings.Contains(logs.String(), token) {
				t.Errorf("the log holds the webhook token:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), "/hooks/{token}/meta") {
				t.Errorf("the log does not name the route:\n%s", logs.String())
			}
		})
	}
}
