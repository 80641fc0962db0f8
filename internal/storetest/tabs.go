package storetest

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// testEmptiedStateDeleted: a state whose opportunities all moved out, one
// batch at a time, holds none and can be deleted, while the state they
// moved to cannot; the counts stay exact through many batches. (The
// DynamoDB adapter spreads the counts over items, any one of which may go
// below 0: a state's count is their sum.)
func testEmptiedStateDeleted(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	from, to := f.state(crm.State{Name: "A"}), f.state(crm.State{Name: "B"})
	c := f.contact(crm.Contact{})
	const n = 12
	var opps []crm.Opportunity
	for range n {
		opps = append(opps, f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: from.ID}))
	}
	for i, o := range opps {
		moved := o
		moved.StateID = to.ID
		bumped(&moved.Version, &moved.UpdatedAt)
		f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: o, New: moved}}, StateCounts: map[string]int64{from.ID: -1, to.ID: 1}})
		counts := must(st.StateCounts(ctx))(t)
		if counts[from.ID] != int64(n-i-1) || counts[to.ID] != int64(i+1) {
			t.Fatalf("after %d moves: counts %v", i+1, counts)
		}
	}
	wantCode(t, st.WriteStates(ctx, []crm.StateWrite{{Old: to, Delete: true}}), crm.CodeConflict)
	noErr(t, st.WriteStates(ctx, []crm.StateWrite{{Old: from, Delete: true}}))
	counts := must(st.StateCounts(ctx))(t)
	if _, ok := counts[from.ID]; ok || counts[to.ID] != n {
		t.Fatalf("after deleting the emptied state: counts %v", counts)
	}
}
