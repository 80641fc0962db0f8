package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
)

const adminToken = "embudo-test-admin-token-000000000000000000"

// env is a running API over a fresh table, with an admin and a staff token,
// and a blob store for files: a directory served by a server of its own,
// as the signed upload and download URLs of the API point there.
type env struct {
	t          *testing.T
	srv        *httptest.Server
	tbl        *dynamotest.Table
	svc        *crm.Service
	store      crm.Store // the store under svc, for what a test reads or seeds past the API
	admin      crm.User
	staffToken string
	blobs      *blob.Dir
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvConfig(t, crm.Config{})
}

// newEnvConfig is newEnv with a service configuration (a clock, a time
// zone); its Blobs is the env's own.
func newEnvConfig(t *testing.T, cfg crm.Config) *env {
	t.Helper()
	tbl := dynamotest.New(t)
	blobs, err := blob.NewDir(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	blobSrv := httptest.NewServer(blobs)
	t.Cleanup(blobSrv.Close)
	blobs.BaseURL = blobSrv.URL
	cfg.Blobs = blobs
	st := dynamo.New(tbl.Client, tbl.Name)
	svc := crm.NewService(st, cfg)
	admin, _, err := svc.BootstrapAdmin(context.Background(), "admin@example.com", adminToken, false)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := svc.CreateUser(context.Background(), crm.User{Name: "Staff", Email: "staff@example.com", Role: crm.RoleStaff, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc.IssueToken(context.Background(), staff.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Options{TokenCacheTTL: -1, Idempotency: st}))
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, tbl: tbl, svc: svc, store: st, admin: admin, staffToken: secret, blobs: blobs}
}

// response is what a test reads back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// concurrently runs send(0..n-1) in n goroutines released at the same
// moment, fails the test on a transport error and returns the answers in
// order.
func concurrently(t *testing.T, n int, send func(i int) (response, error)) []response {
	t.Helper()
	results := make([]response, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = send(i)
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return results
}

// do sends a request with the given token ("" for none) and headers.
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	r, err := e.request(method, path, token, body, headers...)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) admin_(method, path string, body any, headers ...string) response {
	e.t.Helper()
	return e.do(method, path, adminToken, body, headers...)
}
