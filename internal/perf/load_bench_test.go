//go:build unix

package perf

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/local"
)

// senders is how many clients post leads at the same time.
const senders = 32

// BenchmarkLeadLoad: b.N new leads posted as HTML form fields by 32
// concurrent senders, over loopback HTTP, to `embudo serve` in this
// process (local.Server, as cmd/embudo runs it), on a database already
// holding 20,000 contacts; the lead's source assigns an agent, so each
// lead is a new contact and a new-contact-agent e-mail. The clock runs
// until the change feed has applied every change (the outbox table is
// empty): each lead stored and its e-mail written to the outbox directory,
// which the benchmark then checks (contacts, lead records, .eml files).
// Reports leads/s over that whole time, acked-leads/s until the last
// sender had its answer, the answers' p50 and p99, and cpu-ms/lead: the
// CPU time of this process over that time (the server, and the senders'
// HTTP client side) per lead. With synchronous=FULL (`embudo serve`) and
// NORMAL (`embudo serve --sync-normal`).
func BenchmarkLeadLoad(b *testing.B) {
	b.Run("sync=FULL", func(b *testing.B) { leadLoad(b, false) })
	b.Run("sync=NORMAL", func(b *testing.B) { leadLoad(b, true) })
}

// leadLoad is BenchmarkLeadLoad at one durability.
func leadLoad(b *testing.B, syncNormal bool) {
	s := startLocal(b, leadTable, syncNormal)
	var agent, source struct {
		ID      string
		Webhook struct{ Token string }
	}
	s.api(b, "POST", "/v1/agents", map[string]any{"code": "L1", "name": "Lucía", "email": "lucia@example.com", "active": true}, &agent)
	s.api(b, "POST", "/v1/sources", map[string]any{"name": "Web",
		"webhook": map[string]any{"kind": "form", "assignment": "fixed", "defaultAgentId": agent.ID}}, &source)
	hook := s.url + "/hooks/" + source.Webhook.Token
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	b.Cleanup(client.CloseIdleConnections)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.data, local.DBFile)+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			defer func() {
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				form := url.Values{"name": {fmt.Sprintf("Lead %d", i)}, "email": {fmt.Sprintf("lead%d@example.com", i)},
					"phone": {fmt.Sprintf("+34 7%08d", i)}, "utm_source": {"google"}}
				t0 := time.Now()
				res, err := client.PostForm(hook, form)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mine = append(mine, time.Since(t0))
				if res.StatusCode != 200 {
					b.Errorf("lead %d: %s", i, res.Status)
					return
				}
			}
		}()
	}
	wg.Wait()
	acked := time.Since(start)
	waitRows(b, db, "outbox", 0)
	total, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	if b.Failed() {
		return
	}
	b.ReportMetric(float64(b.N)/total.Seconds(), "leads/s")
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acked-leads/s")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/lead")
	reportLatency(b, "", lat)
	for table, want := range map[string]int{"contacts": leadTable + b.N, "leads": leadTable + b.N} {
		if got := countRows(b, db, table); got != want {
			b.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	outbox := filepath.Join(s.data, "outbox")
	emails, err := filepath.Glob(filepath.Join(outbox, "*-new-contact-agent-*.eml"))
	if err != nil {
		b.Fatal(err)
	}
	if len(emails) != b.N {
		all, _ := os.ReadDir(outbox)
		b.Errorf("%d new-contact-agent e-mails (%d files in the outbox), want %d", len(emails), len(all), b.N)
	}
}

// countRows counts a table's rows.
func countRows(b *testing.B, db *sql.DB, table string) int {
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// waitRows waits until table holds want rows, looking every 5 ms, for at
// most 10 minutes.
func waitRows(b *testing.B, db *sql.DB, table string, want int) {
	deadline := time.Now().Add(10 * time.Minute)
	for countRows(b, db, table) != want {
		if time.Now().After(deadline) {
			b.Fatalf("%s: still %d rows after 10 minutes, want %d", table, countRows(b, db, table), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
