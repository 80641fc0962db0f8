package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var numberTests = []test{
	{"ReservationsNeverOverlap", testReserveNumbers},
	{"ConcurrentReservationsNeverOverlap", testConcurrentReservations},
	{"InstancesWithBlocksGiveEachNumberOnce", testNumberBlocks},
	{"RoundRobinWithBlocksSpreadsEvenly", testRoundRobinBlocks},
}

// testReserveNumbers: a reservation of n numbers advances the counter by
// n and returns the first; reservations and CounterSteps of one counter
// never hand out a number twice, and counters are independent.
func testReserveNumbers(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	reserve := func(counter string, n int, want int64) {
		t.Helper()
		if got := must(st.ReserveNumbers(ctx, counter, n))(t); got != want {
			t.Fatalf("ReserveNumbers(%s, %d) = %d, want %d", counter, n, got, want)
		}
	}
	reserve("opportunity", 1, 1)
	reserve("opportunity", 5, 2)
	reserve("opportunity", 1, 7)
	reserve("round-robin-x", 3, 1)
	if n := must(st.PeekNumber(ctx, "opportunity"))(t); n != 7 {
		t.Fatalf("PeekNumber after reserving 7 numbers = %d", n)
	}
	f.commit(crm.Batch{Counters: []crm.CounterStep{{Name: "opportunity", From: 7}}})
	reserve("opportunity", 2, 9)
	if n := must(st.PeekNumber(ctx, "round-robin-x"))(t); n != 3 {
		t.Fatalf("the other counter moved: %d", n)
	}
}

// testConcurrentReservations: reservations made at the same moment get
// disjoint numbers, and together every number up to the counter.
func testConcurrentReservations(t *testing.T, st crm.Store) {
	ctx := t.Context()
	const workers, each, size = 6, 4, 3
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				first, err := st.ReserveNumbers(ctx, "opportunity", size)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for i := range int64(size) {
					got = append(got, first+i)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(got)
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("numbers reserved %v: want each of 1..%d once", got, workers*each*size)
		}
	}
}

// testNumberBlocks: several instances of the service (Lambda functions)
// reserving blocks of opportunity numbers, taking leads that open
// opportunities at the same time, never give one number twice; each
// instance gives its own in order; and the numbers a user's opportunities
// take in their own transactions, from the same counter, are none of them.
func testNumberBlocks(t *testing.T, st crm.Store) {
	ctx := t.Context()
	seeded(t, st)
	var svcs []*crm.Service
	for range 3 {
		svcs = append(svcs, crm.NewService(st, crm.Config{NumberBlock: 8}))
	}
	src := must(svcs[0].CreateSource(ctx, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatJSON, CreateOpportunity: true}}))(t)
	c := must(svcs[0].CreateContact(ctx, actor, crm.Contact{Name: "Ana"}))(t)
	const each = 12
	numbers := make([][]int64, len(svcs)+1)
	var wg sync.WaitGroup
	for i, svc := range svcs {
		wg.Go(func() {
			for j := range each {
				rec, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatJSON, Name: "Lead", Email: fmt.Sprintf("lead%d-%d@example.com", i, j)})
				if err != nil {
					t.Error(err)
					return
				}
				o, err := st.GetOpportunity(ctx, rec.OpportunityID)
				if err != nil {
					t.Error(err)
					return
				}
				numbers[i] = append(numbers[i], o.Number)
			}
		})
	}
	wg.Go(func() {
		for range 4 {
			o, err := svcs[0].CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "op"})
			if err != nil {
				t.Error(err)
				return
			}
			numbers[len(svcs)] = append(numbers[len(svcs)], o.Number)
		}
	})
	wg.Wait()
	seen := map[int64]bool{}
	for i, ns := range numbers {
		if !slices.IsSorted(ns) {
			t.Errorf("instance %d gave its numbers out of order: %v", i, ns)
		}
		for _, n := range ns {
			if n < 1 || seen[n] {
				t.Fatalf("numbers %v: %d given twice or not a number", numbers, n)
			}
			seen[n] = true
		}
	}
	if tabs := tabCounts(t, svcs[0]); tabs["Nuevo"] != int64(len(svcs)*each+4) {
		t.Fatalf("tabs %v, want %d in Nuevo", tabs, len(svcs)*each+4)
	}
}

// testRoundRobinBlocks: leads of a round-robin source spread over
// three instances reserving blocks of turns give every agent the same
// share, to within one lead per instance.
func testRoundRobinBlocks(t *testing.T, st crm.Store) {
	ctx := t.Context()
	seeded(t, st)
	var svcs []*crm.Service
	for range 3 {
		svcs = append(svcs, crm.NewService(st, crm.Config{NumberBlock: 4}))
	}
	admin := svcs[0]
	for _, code := range []string{"A", "B", "C"} {
		must(admin.CreateAgent(ctx, crm.Agent{Code: code, Name: "Agente " + code, Active: true}))(t)
	}
	src := must(admin.CreateSource(ctx, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatJSON,
		Assignment: crm.AssignRoundRobin}}))(t)
	const leads = 36
	share := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, svc := range svcs {
		wg.Go(func() {
			for j := range leads / len(svcs) {
				rec, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatJSON, Name: "Lead",
					Email: fmt.Sprintf("lead%d-%d@example.com", i, j)})
				if err != nil {
					t.Error(err)
					return
				}
				c, err := st.GetContact(ctx, rec.ContactID)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				share[c.AgentID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	lo, hi := leads, 0
	for _, n := range share {
		lo, hi = min(lo, n), max(hi, n)
	}
	if len(share) != 3 || hi-lo > len(svcs) {
		t.Fatalf("leads per agent %v: want 3 agents within %d of each other", share, len(svcs))
	}
}
