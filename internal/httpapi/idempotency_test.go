package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

func TestIdempotentRetryReplaysTheResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := map[string]any{"name": "Ana", "email": "ana@example.com"}
	first := e.staff_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "k-1")
	wantStatus(t, first, http.StatusCreated)
	before := e.snapshot()

	for range 3 {
		retry := e.staff_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "k-1")
		wantStatus(t, retry, http.StatusCreated)
		if retry.Header.Get("Location") != first.Header.Get("Location") || first.Header.Get("Location") == "" {
			t.Errorf("Location %q, first was %q", retry.Header.Get("Location"), first.Header.Get("Location"))
		}
		if string(retry.Body) != string(first.Body) {
			t.Errorf("replayed body differs:\n%s\n%s", retry.Body, first.Body)
		}
		if ct := retry.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("replayed Content-Type %q", ct)
		}
		e.unchanged(t, before)
	}
	if n := len(e.listAll(e.staffToken, "/v1/contacts")); n != 1 {
		t.Errorf("%d contacts after retries, want 1", n)
	}
	// Without the key the same body is a new request (here: a duplicate).
	wantProblem(t, e.staff_(http.MethodPost, "/v1/contacts", body), http.StatusConflict, crm.CodeConflict, "email")
}

// A client that retries after a lost response needs the ETag as much as the
// body, to make its next change conditional.
func TestIdempotentReplayKeepsTheETag(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := map[string]any{"name": "Ana"}
	first := e.staff_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "k-etag")
	wantStatus(t, first, http.StatusCreated)
	if got := first.Header.Get("ETag"); got != `"1"` {
		t.Fatalf("a new contact's ETag %q, want \"1\"", got)
	}
	retry := e.staff_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "k-etag")
	wantStatus(t, retry, http.StatusCreated)
	if got := retry.Header.Get("ETag"); got != `"1"` {
		t.Errorf("replayed ETag %q, want the first response's \"1\"", got)
	}
}

func TestIdempotencyKeyWithAnotherBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.staff_(http.MethodPost, "/v1/contacts", map[string]any{"name": "Ana"}, "Idempotency-Key", "k-2"), http.StatusCreated)
	before := e.snapshot()
	for _, other := range []any{
		map[string]any{"name": "Bea"},
		map[string]any{"name": "Ana", "company": "Acme"},
	} {
		wantProblem(t, e.staff_(http.MethodPost, "/v1/contacts", other, "Idempotency-Key", "k-2"), http.StatusConflict, crm.CodeConflict)
		e.unchanged(t, before)
	}
	// The same key on another route is another request too.
	wantStatus(t, e.admin_(http.MethodPost, "/v1/sources", map[string]any{"name": "Ana"}, "Idempotency-Key", "k-3"), http.StatusCreated)
	before = e.snapshot()
	wantProblem(t, e.admin_(http.MethodPost, "/v1/interests", map[string]any{"name": "Ana"}, "Idempotency-Key", "k-3"), http.StatusConflict, crm.CodeConflict)
	e.unchanged(t, before)
}

func TestConcurrentIdempotentRequestsCreateOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 12
	body := map[string]any{"name": "Simultánea", "email": "sim@example.com"}
	results := concurrently(t, n, func(int) (response, error) {
		return e.request(http.MethodPost, "/v1/contacts", e.staffToken, body, "Idempotency-Key", "k-race")
	})
	location := ""
	created := 0
	for _, r := range results {
		switch r.Status {
		case http.StatusCreated:
			created++
			if location == "" {
				location = r.Header.Get("Location")
			} else if r.Header.Get("Location") != location {
				t.Errorf("two 201s name different contacts: %s and %s", location, r.Header.Get("Location"))
			}
		case http.StatusConflict:
			wantProblem(t, r, http.StatusConflict, crm.CodeConflict) // still in progress: retry later
		default:
			t.Errorf("status %d: %s", r.Status, r.Body)
		}
	}
	if created == 0 {
		t.Fatal("no request succeeded")
	}
	items := e.listAll(e.staffToken, "/v1/contacts")
	if len(items) != 1 || "/v1/contacts/"+id(items[0]) != location {
		t.Errorf("%d contacts after %d simultaneous requests, want exactly the one at %s", len(items), n, location)
	}
	// Once done, every retry replays it.
	retry := e.staff_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "k-race")
	wantStatus(t, retry, http.StatusCreated)
	if retry.Header.Get("Location") != location {
		t.Errorf("retry Location %q, want %q", retry.Header.Get("Location"), location)
	}
}

func TestFailedRequestReleasesTheKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Existing", "email": "taken@example.com"})
	failures := []struct {
		name   string
		body   any
		status int
		code   crm.Code
	}{
		{"invalid", map[string]any{"name": ""}, http.StatusBadRequest, crm.CodeInvalid},
		{"malformed", `{"name": `, http.StatusBadRequest, crm.CodeInvalid},
		{"conflict", map[string]any{"name": "Dup", "email": "TAKEN@example.com"}, http.StatusConflict, crm.CodeConflict},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			key := "k-fail-" + f.name
			before := e.snapshot()
			wantProblem(t, e.staff_(http.MethodPost, "/v1/contacts", f.body, "Idempotency-Key", key), f.status, f.code)
			// The same failing request fails the same way, not as "in progress".
			wantProblem(t, e.staff_(http.MethodPost, "/v1/contacts", f.body, "Idempotency-Key", key), f.status, f.code)
			e.unchanged(t, before)
			// The corrected request with the same key succeeds, once.
			fixed := map[string]any{"name": "Fixed " + f.name}
			res := e.staff_(http.MethodPost, "/v1/contacts", fixed, "Idempotency-Key", key)
			wantStatus(t, res, http.StatusCreated)
			again := e.staff_(http.MethodPost, "/v1/contacts", fixed, "Idempotency-Key", key)
			wantStatus(t, again, http.StatusCreated)
			if again.Header.Get("Location") != res.Header.Get("Location") {
				t.Errorf("retry of the corrected request made another contact")
			}
		})
	}
}

func TestIdempotencyKeysArePerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := map[string]any{"name": "Mismo cuerpo"}
	a := e.admin_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "shared-key")
	wantStatus(t, a, http.StatusCreated)
	s := e.staff_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "shared-key")
	wantStatus(t, s, http.StatusCreated)
	if a.Header.Get("Location") == s.Header.Get("Location") {
		t.Fatal("the staff user got the admin's response for the same key")
	}
	if s.json(t)["createdBy"] != e.staffUser().ID {
		t.Errorf("staff's contact createdBy %v", s.json(t)["createdBy"])
	}
	if n := len(e.listAll(e.staffToken, "/v1/contacts")); n != 2 {
		t.Errorf("%d contacts, want 2", n)
	}
	// Each one's retry replays their own.
	if r := e.staff_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "shared-key"); r.Header.Get("Location") != s.Header.Get("Location") {
		t.Errorf("staff retry: %d %s", r.Status, r.Body)
	}
	if r := e.admin_(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "shared-key"); r.Header.Get("Location") != a.Header.Get("Location") {
		t.Errorf("admin retry: %d %s", r.Status, r.Body)
	}
	if n := len(e.listAll(e.staffToken, "/v1/contacts")); n != 2 {
		t.Errorf("%d contacts after the staff retry, want 2", n)
	}
}

func TestIdempotencyOnCatalogPosts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Names, codes and e-mails are unique here, so a second execution would
	// be a 409: a 201 replay proves the request ran once.
	for _, c := range []struct {
		path string
		body map[string]any
	}{
		{"/v1/interests", map[string]any{"name": "Fibra"}},
		{"/v1/agents", map[string]any{"code": "IDEM", "name": "Agente"}},
		{"/v1/users", map[string]any{"name": "Idem", "email": "idem@example.com"}},
	} {
		t.Run(c.path, func(t *testing.T) {
			first := e.admin_(http.MethodPost, c.path, c.body, "Idempotency-Key", "catalog-"+c.path)
			wantStatus(t, first, http.StatusCreated)
			before := e.snapshot()
			retry := e.admin_(http.MethodPost, c.path, c.body, "Idempotency-Key", "catalog-"+c.path)
			wantStatus(t, retry, http.StatusCreated)
			if string(retry.Body) != string(first.Body) || retry.Header.Get("Location") != first.Header.Get("Location") {
				t.Errorf("replay differs: %s / %s", retry.Body, first.Body)
			}
			e.unchanged(t, before)
		})
	}
}
