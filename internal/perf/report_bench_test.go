package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// seedReportCounters creates nSources sources and writes their monthly
// counters for the 24 months of 2025 and 2026, plus the no-source row of
// each month, as the change stream writes them (ApplyOnce, one
// transaction per month, each under a key of its own). It returns the
// leads written in all.
func (r *rig) seedReportCounters(b *testing.B, nSources int) int64 {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, nSources+1) // the last is "": no source
	for i := range nSources {
		src, err := r.svc.CreateSource(ctx, crm.Source{Name: fmt.Sprintf("Fuente %02d", i), CostCents: int64(10000 * (i + 1))})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = src.ID
	}
	var leads int64
	for m := range 24 {
		month := time.Date(2025, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
		var ds []crm.StatDelta
		for i, id := range ids {
			n := int64(i%7 + m%5 + 1)
			leads += 3 * n
			for field, d := range map[string]int64{"leads": 3 * n, "contacts": 2 * n, "opportunities": n, "won": n / 2, "lost": n / 3,
				"wonAmountCents": 150000 * (n / 2)} {
				if d != 0 {
					ds = append(ds, crm.StatDelta{SourceID: id, Month: month, Field: field, Delta: d})
				}
			}
		}
		if _, err := r.store.ApplyOnce(ctx, "bench-report-"+month, nil, ds); err != nil {
			b.Fatal(err)
		}
	}
	return leads
}

// reportScenarios are GET /v1/reports/sources over 24 months of counters
// of 50 sources (and the no-source row), as JSON and as CSV.
var reportScenarios = []scenario{
	{"json", 0, func(b *testing.B, r *rig) func(int) { return reportRequest(b, r, "json") }},
	{"csv", 0, func(b *testing.B, r *rig) func(int) { return reportRequest(b, r, "csv") }},
}

// reportRequest seeds the counters, checks that the report is whole
// (every source, the no-source row, every month) and returns the request
// in format.
func reportRequest(b *testing.B, r *rig, format string) func(int) {
	const sources = 50
	leads := r.seedReportCounters(b, sources)
	const path = "/v1/reports/sources?from=2025-01&to=2026-12"
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+benchToken)
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req) // also warms the token cache
	var rep struct {
		Items []json.RawMessage `json:"items"`
		Total struct {
			Leads int64 `json:"leads"`
		} `json:"total"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &rep) != nil || len(rep.Items) != sources+1 || rep.Total.Leads != leads {
		b.Fatalf("report: %d, %d rows (want %d), %d leads (want %d)", w.Code, len(rep.Items), sources+1, rep.Total.Leads, leads)
	}
	return func(int) { r.serve(b, "GET", path+"&format="+format, "", 200) }
}

// BenchmarkSourceReport: the source report through the API handler on the
// SQLite store as `embudo serve` runs it; p50 and p99.
func BenchmarkSourceReport(b *testing.B) {
	runScenarios(b, reportScenarios, newRig)
}
