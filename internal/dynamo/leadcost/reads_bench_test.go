package leadcost_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/httpapi"
)

// What the API's reads cost on DynamoDB: after readLeads leads (and their
// stream records) as in BenchmarkLeadCost, b.N GET requests through the
// real API handler, in turn the reads staff make all day: a pipeline tab
// (50 opportunities of a state), the tabs with their counts, the
// opportunities of a source (a keys-only index and a BatchGetItem), the
// contacts (50, newest first), one contact, and a contact's timeline. The
// token is cached, as on a warm instance. Reported: read units (ru) per
// request, and each kind's in the log.
//
//	go test -run '^$' -bench ReadCost -benchtime 600x ./internal/dynamo/leadcost/
func BenchmarkReadCost(b *testing.B) {
	ctx := context.Background()
	r := newLeadRig(b)
	r.postLeads(b, readLeads)
	r.runStream(b)
	svc := crm.NewService(dynamo.New(r.meter, r.table), crm.Config{})
	_, secret, err := svc.BootstrapAdmin(ctx, "admin@example.com", "", false)
	if err != nil {
		b.Fatal(err)
	}
	api := httpapi.New(svc, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Idempotency: dynamo.New(r.meter, r.table)})
	get := func(path string) []byte {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	var tabs struct {
		Items []struct {
			ID    string `json:"id"`
			Count int    `json:"count"`
		} `json:"items"`
	}
	if err := json.Unmarshal(get("/v1/opportunities/tabs"), &tabs); err != nil || len(tabs.Items) == 0 {
		b.Fatalf("tabs: %v", err)
	}
	busiest := tabs.Items[0]
	for _, t := range tabs.Items {
		if t.Count > busiest.Count {
			busiest = t
		}
	}
	var contacts struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := json.Unmarshal(get("/v1/contacts?limit=1"), &contacts); err != nil || len(contacts.Items) == 0 {
		b.Fatalf("contacts: %v", err)
	}
	c := contacts.Items[0].ID
	reads := []struct{ name, path string }{
		{"a pipeline tab", "/v1/opportunities?stateId=" + busiest.ID + "&limit=50"},
		{"the tabs", "/v1/opportunities/tabs"},
		{"a source's opportunities", "/v1/opportunities?sourceId=" + r.source + "&limit=50"},
		{"contacts", "/v1/contacts?limit=50"},
		{"a contact", "/v1/contacts/" + c},
		{"a contact's timeline", "/v1/contacts/" + c + "/timeline"},
	}
	halves := make([]int, len(reads))
	counts := make([]int, len(reads))
	b.ResetTimer()
	start := r.meter.Usage()
	for i := range b.N {
		k := i % len(reads)
		before := r.meter.Usage()
		get(reads[k].path)
		halves[k] += r.meter.Usage().ReadHalves - before.ReadHalves
		counts[k]++
	}
	b.StopTimer()
	u := r.meter.Usage().Sub(start)
	b.ReportMetric(u.ReadUnits()/float64(b.N), "ru/read")
	b.ReportMetric(float64(u.Requests)/float64(b.N), "ddb-req/read")
	var parts []string
	for k, rd := range reads {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %.1f", rd.name, float64(halves[k])/2/float64(counts[k])))
		}
	}
	if b.N >= len(reads) {
		b.Logf("read units per request, after %d leads: %s", readLeads, strings.Join(parts, ", "))
	}
}

// readLeads is how many leads the read benchmark's table holds.
const readLeads = 300
