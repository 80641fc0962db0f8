package httpapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/httpapi"
)

// syncBuffer is a log sink the server and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// leaks are strings of the store's errors that must never reach a client.
var leaks = []string{"InternalServerError", "dynamodb", "minidyn", "operation error", "embudo-test", "127.0.0.1",
	"TransactWriteItems", "GetItem", "PutItem", "StatusCode", "RequestID", "exceeded maximum"}

func wantInternal(t *testing.T, res response) {
	t.Helper()
	p := wantProblem(t, res, http.StatusInternalServerError, crm.CodeInternal)
	if len(p.Fields) != 0 || p.ExistingID != "" {
		t.Errorf("internal problem with fields: %s", res.Body)
	}
	for _, l := range leaks {
		if strings.Contains(strings.ToLower(string(res.Body)), strings.ToLower(l)) {
			t.Errorf("the problem leaks %q: %s", l, res.Body)
		}
	}
}

func TestStoreFailureIsAnInternalProblem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := map[string]any{"name": "Ana", "email": "ana@example.com"}
	before := e.snapshot()

	e.tbl.Server.EmulateFailure(server.FailureConditionInternalServerError)
	res := e.staff_(http.MethodPost, "/v1/contacts", body)
	e.tbl.Server.EmulateFailure(server.FailureConditionNone)

	wantInternal(t, res)
	if res.Header.Get("Location") != "" || res.Header.Get("ETag") != "" {
		t.Errorf("a failed create has Location/ETag: %v", res.Header)
	}
	e.unchanged(t, before)
	// Once the store is back, the same request works.
	wantStatus(t, e.staff_(http.MethodPost, "/v1/contacts", body), http.StatusCreated)
}

// With the token cache warm, authentication needs no store call, so it is
// the write itself that fails.
func TestStoreFailureOnTheWrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var logs syncBuffer
	api := httpapi.New(e.svc, httpapi.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Idempotency: e.store})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	call := func(method, path string, body any, headers ...string) response {
		t.Helper()
		res, err := send(srv.URL, method, path, e.staffToken, body, headers...)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	existing := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Existente"})
	wantStatus(t, call(http.MethodGet, "/v1/contacts", nil), http.StatusOK) // warms the token cache
	before := e.snapshot()

	body := map[string]any{"name": "Ana", "email": "ana@example.com"}
	e.tbl.Server.EmulateFailure(server.FailureConditionInternalServerError)
	results := map[string]response{
		"POST":                      call(http.MethodPost, "/v1/contacts", body),
		"POST with Idempotency-Key": call(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "during-outage"),
		"PATCH":                     call(http.MethodPatch, "/v1/contacts/"+id(existing), map[string]any{"company": "X"}),
		"DELETE":                    call(http.MethodDelete, "/v1/contacts/"+id(existing), nil),
		"GET":                       call(http.MethodGet, "/v1/contacts/"+id(existing), nil),
		"list":                      call(http.MethodGet, "/v1/contacts", nil),
	}
	e.tbl.Server.EmulateFailure(server.FailureConditionNone)

	for name, res := range results {
		t.Run(name, func(t *testing.T) { wantInternal(t, res) })
	}
	e.unchanged(t, before)
	// The cause is logged for the operator.
	if l := logs.String(); !strings.Contains(l, "request failed") || !strings.Contains(l, "InternalServerError") {
		t.Errorf("the cause of the 500 is not logged:\n%s", l)
	}
	// The key of the failed request is not burnt: its retry runs.
	res := call(http.MethodPost, "/v1/contacts", body, "Idempotency-Key", "during-outage")
	wantStatus(t, res, http.StatusCreated)
	if len(e.listAll(e.staffToken, "/v1/contacts")) != 2 {
		t.Errorf("want the existing contact and the retried one")
	}
}
