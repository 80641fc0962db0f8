// Package storetest is the conformance suite of the store port crm.Store:
// the behaviour every adapter (internal/dynamo, internal/sqlite) must
// have, checked through the port itself and through the use cases of
// crm.Service that define it. An adapter's test calls Run with a function
// that opens a fresh, empty store.
//
// What the suite assumes of every adapter, beyond the port's comments:
//
//   - Reads see the writes that returned before them, lists and counts
//     included. (DynamoDB's global secondary indexes are only eventually
//     consistent, so against real DynamoDB a list read right after a write
//     could miss it; minidyn, like SQLite, is consistent at once.)
//   - Lists order their items as the port says; "newest first" and "oldest
//     first" follow the entities' IDs (ULIDs, which sort by creation), and
//     the name search (ContactFilter.Query) lists by the word each contact
//     was found under (the first of its words starting with the longest
//     term), then by ID.
//     ListStates may return the states in any order (the use cases sort
//     them), and Stats its rows in any order.
//   - A list page shorter than the limit is the last one (no cursor).
//   - A cursor is refused (invalid, naming "cursor") when it is not one the
//     adapter made, or when it comes from another list: another access
//     path of the same method, or another method.
//   - The order of Contact.InterestIDs is not kept (DynamoDB keeps them as a
//     set and returns them sorted); the suite writes them in ID order.
//   - Times are kept to the millisecond at least; the suite writes UTC times
//     truncated to the millisecond and compares them with time.Time.Equal.
//   - Where the port's comments leave an error open, the suite pins the code
//     the use cases rely on (and the DynamoDB adapter gives), saying so in
//     the test: conflict for deleting a state that holds opportunities,
//     not_found for a token of no user, invalid naming "stateId" for
//     counting opportunities into no state.
//
// Where minidyn, the DynamoDB emulator the dynamo adapter is tested on,
// differs from DynamoDB, the test says so; see also dynamo's
// conformance_test.go, which skips the one behaviour minidyn cannot show.
package storetest

import (
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// test is one behaviour of the port, run on a fresh empty store.
type test struct {
	name string
	run  func(t *testing.T, st crm.Store)
}

// groups are the suite's tests by the part of the port they are about.
var groups = []struct {
	name  string
	tests []test
}{
	{"Contacts", contactTests},
	{"ContactSearch", searchTests},
	{"Catalog", catalogTests},
	{"States", stateTests},
	{"Users", userTests},
	{"Settings", settingTests},
	{"Idempotency", idempotencyTests},
	{"Pipeline", pipelineTests},
	{"Numbers", numberTests},
	{"Opportunities", opportunityTests},
	{"PartiesAndQuotes", partyTests},
	{"Leads", leadTests},
	{"Notes", noteTests},
	{"Files", fileTests},
	{"Effects", effectTests},
	{"InboundEmail", inboundTests},
}

// Option adapts Run to an adapter's test.
type Option func(*options)

type options struct {
	skip map[string]string // test name → reason
}

// Skip skips the test called name (its name under Run, such as
// "States/DeletedStateTakesNoOpportunities"), logging reason. It is for a
// behaviour the adapter's test double cannot show (a gap of the emulator
// the adapter runs on in tests), never for a bug of the adapter. Run fails
// if no test has that name.
func Skip(name, reason string) Option {
	return func(o *options) { o.skip[name] = reason }
}

// Run runs the conformance suite: every test is a parallel subtest
// (Run/<group>/<behaviour>) that calls open for a fresh, empty store of its
// own, so open must be safe to call from several goroutines and must
// release what it opened through t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) crm.Store, opts ...Option) {
	o := options{skip: map[string]string{}}
	for _, opt := range opts {
		opt(&o)
	}
	known := map[string]bool{}
	for _, g := range groups {
		for _, tc := range g.tests {
			known[g.name+"/"+tc.name] = true
		}
	}
	for name := range o.skip {
		if !known[name] {
			t.Fatalf("storetest.Skip names no test: %q", name)
		}
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					if reason, ok := o.skip[g.name+"/"+tc.name]; ok {
						t.Skip(strings.TrimSpace(reason))
					}
					t.Parallel()
					tc.run(t, open(t))
				})
			}
		})
	}
}
