//go:build unix

package perf

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
)

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImportBatchCPU is the CPU one import batch (500 new rows
// through the HTTP handler) costs the API function itself, which sizes its
// memory (Lambda's CPU share grows with it; docs/performance.md, "Sizing
// the API function"). DynamoDB is a stub that answers every request at
// once with an empty success, the bearer token's two reads excepted (those
// go to minidyn), so the process's CPU time is the handler's, the
// service's and the SDK's client side: what the function spends besides
// waiting for DynamoDB.
func BenchmarkImportBatchCPU(b *testing.B) {
	ctx := context.Background()
	real := dynamotest.New(b)
	if _, _, err := crm.NewService(dynamo.New(real.Client, real.Name), crm.Config{}).BootstrapAdmin(ctx, "", benchToken, false); err != nil {
		b.Fatal(err)
	}
	var requests atomic.Int64
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		target := r.Header.Get("X-Amz-Target")
		body, _ := io.ReadAll(r.Body)
		if strings.HasSuffix(target, ".GetItem") && (strings.Contains(string(body), `"TOKEN#`) || strings.Contains(string(body), `"USER#`)) {
			req, _ := http.NewRequest(http.MethodPost, real.URL, strings.NewReader(string(body)))
			req.Header = r.Header.Clone()
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			defer res.Body.Close()
			w.WriteHeader(res.StatusCode)
			io.Copy(w, res.Body)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch {
		case strings.HasSuffix(target, ".Query"):
			io.WriteString(w, `{"Items":[],"Count":0}`)
		case strings.HasSuffix(target, ".BatchGetItem"):
			io.WriteString(w, `{"Responses":{}}`)
		default:
			io.WriteString(w, `{}`)
		}
	}))
	b.Cleanup(stub.Close)
	svc := crm.NewService(dynamo.New(dynamotest.Client(stub.URL), real.Name), crm.Config{})
	h := httpapi.New(svc, httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	body := func(i int) string {
		type row struct {
			Line    int    `json:"line"`
			Name    string `json:"name"`
			Surname string `json:"surname"`
			Email   string `json:"email"`
			Phone   string `json:"phone"`
			Company string `json:"company"`
		}
		var req struct {
			Rows []row `json:"rows"`
		}
		for _, x := range importBatch(i * crm.MaxImportRows) {
			req.Rows = append(req.Rows, row{x.Line, x.Name, x.Surname, x.Email, x.Phone, x.Company})
		}
		j, _ := json.Marshal(req)
		return string(j)
	}
	var cpu time.Duration
	requests.Store(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := httptest.NewRequest(http.MethodPost, "/v1/contacts:import", strings.NewReader(body(i)))
		r.Header.Set("Authorization", "Bearer "+benchToken)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		b.StartTimer()
		c0 := cpuTime()
		h.ServeHTTP(w, r)
		cpu += cpuTime() - c0
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"created":500`) {
			b.Fatalf("import: %d %.300s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/batch")
	b.ReportMetric(float64(requests.Load())/float64(b.N), "ddb-req/batch")
}
