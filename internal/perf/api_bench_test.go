package perf

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
)

const benchToken = "embudo-bench-admin-token-00000000000000000"

// rig is a store on an embedded DynamoDB-protocol server (minidyn over
// loopback) with dynamotest's change capture, under the real API handler.
type rig struct {
	db  *counting
	st  crm.Store // the store under svc
	svc *crm.Service
	h   http.Handler
}

func newRig(b *testing.B) *rig {
	b.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tbl, capture := dynamotest.NewCapturing(b)
	db := &counting{API: capture}
	st := dynamo.New(db, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	if _, _, err := svc.BootstrapAdmin(context.Background(), "", benchToken, false); err != nil {
		b.Fatal(err)
	}
	return &rig{db: db, st: st, svc: svc, h: httpapi.New(svc, httpapi.Options{Logger: quiet, Idempotency: st})}
}

func (r *rig) serve(b *testing.B, method, path, body string, want int) {
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+benchToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	if w.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
}

// measure runs op b.N times and reports DynamoDB requests per op and the
// handler's own time (excluding the time inside DynamoDB calls): mean and p99.
func (r *rig) measure(b *testing.B, op func(i int)) {
	own := make([]time.Duration, 0, b.N)
	r.db.n.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := r.db.ns.Load()
		t0 := time.Now()
		op(i)
		own = append(own, time.Since(t0)-time.Duration(r.db.ns.Load()-before))
	}
	b.StopTimer()
	slices.Sort(own)
	var sum time.Duration
	for _, d := range own {
		sum += d
	}
	b.ReportMetric(float64(r.db.n.Load())/float64(b.N), "ddb-req/op")
	b.ReportMetric(float64(sum.Microseconds())/float64(b.N), "handler-µs/op")
	b.ReportMetric(float64(own[len(own)*99/100].Microseconds()), "handler-p99-µs")
}

func contactJSON(i int) string {
	return fmt.Sprintf(`{"name":"Contacto %d","surname":"Pérez","email":"c%d@example.com","phone":"+34 6%08d","company":"ACME"}`, i, i, i)
}

func (r *rig) seedContacts(b *testing.B, n int) []string {
	ids := make([]string, n)
	for i := range n {
		c, err := r.svc.CreateContact(context.Background(), crm.User{}, crm.Contact{Name: fmt.Sprintf("Seed %d", i), Email: fmt.Sprintf("seed%d@example.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = c.ID
	}
	return ids
}

func BenchmarkCreateContact(b *testing.B) {
	r := newRig(b)
	r.measure(b, func(i int) { r.serve(b, "POST", "/v1/contacts", contactJSON(i), 201) })
}

func BenchmarkGetContact(b *testing.B) {
	r := newRig(b)
	ids := r.seedContacts(b, 1000)
	r.serve(b, "GET", "/v1/contacts/"+ids[0], "", 200) // warm the token cache
	r.measure(b, func(i int) { r.serve(b, "GET", "/v1/contacts/"+ids[i%len(ids)], "", 200) })
}

func BenchmarkListContacts50(b *testing.B) {
	r := newRig(b)
	r.seedContacts(b, 1000)
	r.serve(b, "GET", "/v1/contacts?limit=1", "", 200)
	r.measure(b, func(int) { r.serve(b, "GET", "/v1/contacts?limit=50", "", 200) })
}

func BenchmarkListContactsByNamePrefix(b *testing.B) {
	r := newRig(b)
	r.seedContacts(b, 1000)
	r.serve(b, "GET", "/v1/contacts?limit=1", "", 200)
	r.measure(b, func(int) { r.serve(b, "GET", "/v1/contacts?q=seed%2099&limit=20", "", 200) })
}

func BenchmarkPatchContact(b *testing.B) {
	r := newRig(b)
	ids := r.seedContacts(b, 100)
	r.serve(b, "GET", "/v1/contacts/"+ids[0], "", 200)
	r.measure(b, func(i int) {
		r.serve(b, "PATCH", "/v1/contacts/"+ids[i%len(ids)], fmt.Sprintf(`{"company":"ACME %d"}`, i), 200)
	})
}
