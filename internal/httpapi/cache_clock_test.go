package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/httpapi"
)

// fakeClock is a clock the test moves by hand; safe for the servers'
// goroutines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cachedEnv is an env whose service runs on a fake clock, with an API and
// webhooks that cache as they do in production (30 s).
type cachedEnv struct {
	*env
	clock *fakeClock
	api   *httptest.Server
	hooks *httptest.Server
}

func newCachedEnv(t *testing.T) *cachedEnv {
	t.Helper()
	c := newFakeClock()
	e := newEnvConfig(t, crm.Config{Now: c.now})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := httptest.NewServer(httpapi.New(e.svc, httpapi.Options{Logger: quiet, Idempotency: e.store}))
	t.Cleanup(api.Close)
	hooks := httptest.NewServer(httpapi.NewHooks(e.svc, httpapi.HookOptions{Logger: quiet}))
	t.Cleanup(hooks.Close)
	return &cachedEnv{env: e, clock: c, api: api, hooks: hooks}
}

// on sends a request to the caching API.
func (c *cachedEnv) on(method, path, token string, body any) response {
	c.t.Helper()
	res, err := send(c.api.URL, method, path, token, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res
}

// The token cache keeps time by the service's clock (crm.Config.Now), not
// the machine's: a user deactivated elsewhere (another instance, here the
// service itself) keeps working from the cache until that clock has moved
// the cache's 30 s, and not a moment longer.
func TestTokenCacheFollowsTheInjectedClock(t *testing.T) {
	t.Parallel()
	e := newCachedEnv(t)
	staff := e.staffUser()
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", e.staffToken, nil), http.StatusOK)
	if _, err := e.svc.DeactivateUser(context.Background(), e.admin, staff.ID, 0); err != nil {
		t.Fatal(err)
	}
	e.clock.add(29 * time.Second)
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", e.staffToken, nil), http.StatusOK)
	e.clock.add(time.Second)
	wantProblem(t, e.on(http.MethodGet, "/v1/contacts", e.staffToken, nil), http.StatusUnauthorized, crm.CodeUnauthorized)
}

// The webhooks' source cache too: a token rotated elsewhere keeps leading
// to its source until the service's clock has moved 30 s.
func TestSourceCacheFollowsTheInjectedClock(t *testing.T) {
	t.Parallel()
	e := newCachedEnv(t)
	res := e.admin_(http.MethodPost, "/v1/sources", map[string]any{"name": "Web", "webhook": map[string]any{"kind": "form"}})
	wantStatus(t, res, http.StatusCreated)
	src := res.json(t)
	token, _ := src["webhook"].(map[string]any)["token"].(string)
	post := func(email string) response {
		t.Helper()
		res, err := hookSend(e.hooks.URL, http.MethodPost, "/hooks/"+token, formURLEncoded,
			[]byte(url.Values{"name": {"Ana"}, "email": {email}}.Encode()), "Accept", "application/json")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	wantStatus(t, post("ana1@example.com"), http.StatusOK)
	_, err := e.svc.UpdateSource(context.Background(), id(src), 0, func(s *crm.Source) error {
		w := *s.Webhook // the read source's, which the store compares with
		w.RotateToken = true
		s.Webhook = &w
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.add(29 * time.Second)
	wantStatus(t, post("ana2@example.com"), http.StatusOK)
	e.clock.add(time.Second)
	wantStatus(t, post("ana3@example.com"), http.StatusNotFound)
}
