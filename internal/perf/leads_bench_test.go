package perf

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// leadTable is the contacts table the lead benchmarks start from.
const leadTable = 20_000

// hookPath creates a source with webhook w on the rig and returns its
// webhook's path.
func (r *rig) hookPath(b *testing.B, w crm.Webhook) string {
	src, err := r.svc.CreateSource(context.Background(), crm.Source{Name: "Web", Webhook: &w})
	if err != nil {
		b.Fatal(err)
	}
	return "/hooks/" + src.Webhook.Token
}

// postLead posts a JSON lead straight to the webhook handler.
func (r *rig) postLead(b *testing.B, path, body string, header ...string) {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	r.hooks.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("lead: %d %s", w.Code, w.Body)
	}
}

// leadScenarios are single webhook deliveries to a JSON source, on a
// table of 20,000 contacts (200 on DynamoDB).
var leadScenarios = []scenario{
	{"LeadNew", leadTable, func(b *testing.B, r *rig) func(int) {
		path := r.hookPath(b, crm.Webhook{Kind: crm.FormatJSON})
		return func(i int) {
			r.postLead(b, path, fmt.Sprintf(`{"name":"Lead %d","email":"lead%d@example.com","phone":"+34 7%08d","utm_source":"google"}`, i, i, i))
		}
	}},
	// The same delivery again (same Idempotency-Key): answered from the
	// lead record, nothing written.
	{"LeadDuplicate", leadTable, func(b *testing.B, r *rig) func(int) {
		path := r.hookPath(b, crm.Webhook{Kind: crm.FormatJSON})
		body := `{"name":"Ana","email":"ana@example.com"}`
		r.postLead(b, path, body, "Idempotency-Key", "delivery-1")
		return func(int) { r.postLead(b, path, body, "Idempotency-Key", "delivery-1") }
	}},
	// A lead whose e-mail belongs to a contact: enriched in place.
	{"LeadMerge", leadTable, func(b *testing.B, r *rig) func(int) {
		path := r.hookPath(b, crm.Webhook{Kind: crm.FormatJSON})
		r.postLead(b, path, `{"name":"Ana","email":"ana@example.com"}`)
		return func(i int) {
			r.postLead(b, path, fmt.Sprintf(`{"name":"Ana","email":"ana@example.com","company":"ACME %d"}`, i))
		}
	}},
}

// BenchmarkLeads: single webhook deliveries through the webhook handler
// on the SQLite store as `embudo serve` runs it; p50 and p99 of each.
func BenchmarkLeads(b *testing.B) {
	runScenarios(b, leadScenarios, newRig)
}
