package perf

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// agentRig adds an active agent with an e-mail (and a user behind it) to
// the rig: a contact assigned to it makes the change core send the
// new-contact-agent e-mail.
func agentRig(b *testing.B, r *rig) crm.Agent {
	ctx := context.Background()
	u, err := r.svc.CreateUser(ctx, crm.User{Name: "Lucía", Email: "lucia@example.com", Active: true})
	if err != nil {
		b.Fatal(err)
	}
	ag, err := r.svc.CreateAgent(ctx, crm.Agent{Code: "L1", Name: "Lucía", Email: "lucia@example.com", UserID: u.ID, Active: true})
	if err != nil {
		b.Fatal(err)
	}
	return ag
}

// BenchmarkWriteToEmail: the time from an API write (a contact created
// with an agent, answered 201) to its new-contact-agent e-mail written to
// the outbox directory, on the SQLite store as `embudo serve` runs it, with
// 20,000 contacts: the write's commit, the feed waking, the change core
// (timeline and counters, the e-mail's marker), the template and the
// fsync'd .eml file. Reports p50 and p99.
func BenchmarkWriteToEmail(b *testing.B) {
	r := newRig(b, leadTable)
	ag := agentRig(b, r)
	r.drain(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"name":"Cliente %d","agentId":%q}`, i, ag.ID)
		t0 := time.Now()
		r.serve(b, "POST", "/v1/contacts", body, 201)
		want := fmt.Sprintf("Cliente %d", i)
		for subject := range r.mail.sent {
			if strings.Contains(subject, want) {
				break
			}
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, "", lat)
}

// BenchmarkFeedChanges: how fast the change feed applies a backlog: b.N
// contacts created with an agent while the feed is stopped, then the feed
// started and timed until it has applied them all (each change: the
// e-mail's marker and .eml file; each batch of 200: the timeline entries,
// counters and checkpoint). Reports changes/s, and commits/change: the
// store's commits (fsyncs) while the feed drained, per change.
func BenchmarkFeedChanges(b *testing.B) {
	r := newRigWith(b, rigConfig{feedOff: true})
	ag := agentRig(b, r)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += 8 {
				if _, err := r.svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: fmt.Sprintf("C %d", i), AgentID: ag.ID}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ResetTimer()
	start := time.Now()
	c0, _ := r.st.Commits()
	r.startFeed(b)
	r.drain(b)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "changes/s")
	c1, _ := r.st.Commits()
	b.ReportMetric(float64(c1-c0)/float64(b.N), "commits/change")
}
