package perf

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/httpapi"
)

// hookRig is the webhook handler over the rig's store, with a JSON source.
func hookRig(b *testing.B, w crm.Webhook) (*rig, http.Handler, string) {
	r := newRig(b)
	src, err := r.svc.CreateSource(context.Background(), crm.Source{Name: "Web", Webhook: &w})
	if err != nil {
		b.Fatal(err)
	}
	h := httpapi.NewHooks(r.svc, httpapi.HookOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return r, h, "/hooks/" + src.Webhook.Token
}

func postLead(b *testing.B, h http.Handler, path, body string) {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Errorf("lead: %d %s", w.Code, w.Body)
	}
}

// BenchmarkLeadNew: new leads, each a new contact, posted by 8 concurrent
// senders; reports leads per second and DynamoDB requests per lead.
func BenchmarkLeadNew(b *testing.B) {
	r, h, path := hookRig(b, crm.Webhook{Kind: crm.FormatJSON})
	var n atomic.Int64
	r.db.n.Store(0)
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			postLead(b, h, path, fmt.Sprintf(`{"name":"Lead %d","email":"lead%d@example.com","phone":"+34 7%08d","utm_source":"google"}`, i, i, i))
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "leads/s")
	b.ReportMetric(float64(r.db.n.Load())/float64(b.N), "ddb-req/lead")
}

// BenchmarkLeadDuplicate: the same delivery again (same Idempotency-Key):
// answered from the lead record, nothing written.
func BenchmarkLeadDuplicate(b *testing.B) {
	r, h, path := hookRig(b, crm.Webhook{Kind: crm.FormatJSON})
	body := `{"name":"Ana","email":"ana@example.com"}`
	req := func() {
		rq := httptest.NewRequest("POST", path, strings.NewReader(body))
		rq.Header.Set("Content-Type", "application/json")
		rq.Header.Set("Idempotency-Key", "delivery-1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, rq)
		if w.Code != 200 {
			b.Fatalf("lead: %d %s", w.Code, w.Body)
		}
	}
	req()
	r.measure(b, func(int) { req() })
}

// BenchmarkLeadMerge: a lead whose e-mail belongs to a contact: enriched in
// place.
func BenchmarkLeadMerge(b *testing.B) {
	r, h, path := hookRig(b, crm.Webhook{Kind: crm.FormatJSON})
	postLead(b, h, path, `{"name":"Ana","email":"ana@example.com"}`)
	r.measure(b, func(i int) {
		postLead(b, h, path, fmt.Sprintf(`{"name":"Ana","email":"ana@example.com","company":"ACME %d"}`, i))
	})
}
