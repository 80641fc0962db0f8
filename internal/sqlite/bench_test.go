package sqlite

// BenchmarkConcurrentWrites: 32 goroutines creating contacts (one
// transaction each: the contact, its e-mail claim, its outbox row) through
// the one writer connection, committed in groups (group.go: every write
// queued while a commit runs goes into the next one, each under its
// savepoint) or each on its own (ungrouped, as the store did before).
//
// Before group commit, measured on the development machine (2 shared
// cores, Linux, go1.26, modernc.org/sqlite v1.62.0) with one writer
// connection, where writes queued in Go, against four, where they
// contended for SQLite's write lock and waited in its busy handler
// (median of three runs of -benchtime 4000x; runs vary by ±20 %):
//
//	synchronous  writers  contacts/s  p50 latency  p99 latency
//	FULL         1        2,676        8.3 ms       55.6 ms
//	FULL         4        1,924        8.6 ms       94.1 ms
//	NORMAL       1        7,520        2.5 ms       20.9 ms
//	NORMAL       4        6,354        2.7 ms       22.9 ms
//
// SQLite commits one transaction at a time whatever the number of
// connections, so more writers added only the busy handler's sleeps and
// wake-ups. The store keeps one writer connection, now with group commit,
// and a separate pool of read connections, which WAL lets read while a
// write is in progress (TestReadsDoNotWaitForAWrite). With group commit
// (go test -run XXX -bench ConcurrentWrites -benchtime 4000x -count 3
// ./internal/sqlite/, figures in docs/performance.md), writes/commit is
// how many write transactions each commit, and so each fsync, carried.

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

func BenchmarkConcurrentWrites(b *testing.B) {
	for _, syncMode := range []string{"FULL", "NORMAL"} {
		for _, grouped := range []bool{true, false} {
			b.Run(fmt.Sprintf("sync=%s/grouped=%t", syncMode, grouped), func(b *testing.B) {
				s := openAt(b, filepath.Join(b.TempDir(), "embudo.db"), Options{Synchronous: syncMode, ungrouped: !grouped, BusyTimeout: time.Minute})
				b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
				var n atomic.Int64
				var mu sync.Mutex
				var lat []time.Duration
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					var mine []time.Duration
					for pb.Next() {
						c := contact("Contacto", fmt.Sprintf("c%d@example.com", n.Add(1)))
						start := time.Now()
						if err := s.CreateContact(bg, c); err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(start))
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
				b.StopTimer()
				slices.Sort(lat)
				commits, writes := s.Commits()
				b.ReportMetric(float64(writes)/float64(commits), "writes/commit")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
				b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
			})
		}
	}
}

// BenchmarkListContactsPage reads the second 50-contact page of each access
// path, at 1,000 and at 100,000 contacts: an indexed path reads the same
// rows at both sizes, only one B-tree level deeper and less of it cached.
// Measured as above, -benchtime 500x -count 2 (µs per page):
//
//	contacts  all  clients  agent  name  interest
//	1,000     250  280      310    360   340
//	100,000   420  450      515    435   720
//
// Most of a page's cost is decoding its 50 JSON documents.
func BenchmarkListContactsPage(b *testing.B) {
	for _, size := range []int{1000, 100_000} {
		b.Run(fmt.Sprintf("contacts=%d", size), func(b *testing.B) {
			s := openAt(b, filepath.Join(b.TempDir(), "embudo.db"), Options{Synchronous: "NORMAL"})
			agent := crm.NewID(time.Now())
			interest := crm.NewID(time.Now())
			snap := crm.Snapshot{Interests: []crm.Interest{{ID: interest, Name: "Hosting", Version: 1}}}
			for i := range size {
				c := contact(fmt.Sprintf("Nombre%06d", i), fmt.Sprintf("c%d@example.com", i))
				if i%10 == 0 {
					c.AgentID, c.InterestIDs = agent, []string{interest}
				}
				if i%10 == 1 {
					c.ClientID = agent
				}
				snap.Contacts = append(snap.Contacts, c)
			}
			if err := s.Load(bg, snap); err != nil {
				b.Fatal(err)
			}
			for name, f := range map[string]crm.ContactFilter{
				"all": {}, "agent": {AgentID: agent}, "interest": {InterestID: interest},
				"name": {Query: "nombre0"}, "clients": {Kind: crm.KindClient},
			} {
				b.Run(name, func(b *testing.B) {
					first, err := s.ListContacts(bg, f, crm.ListOptions{Limit: 50})
					if err != nil || len(first.Items) != 50 {
						b.Fatalf("%d items, %v", len(first.Items), err)
					}
					b.ResetTimer()
					for b.Loop() {
						if _, err := s.ListContacts(bg, f, crm.ListOptions{Limit: 50, Cursor: first.NextCursor}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
