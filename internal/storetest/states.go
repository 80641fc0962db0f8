package storetest

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var stateTests = []test{
	{"ListedInPipelineOrder", testStatesInOrder},
	{"WritesAreGuardedByVersionAllOrNothing", testStateWrites},
	{"StateHoldingOpportunitiesCannotBeDeleted", testStateInUse},
	{"DeletedStateTakesNoOpportunities", testDeletedStateTakesNothing},
	{"StateEmptiedByMovesCanBeDeleted", testEmptiedStateDeleted},
}

// testStatesInOrder: the pipeline lists its states by their order (then
// ID), whatever order they were created in. The port returns every state
// with every field, in an order of its own: the use cases sort them.
func testStatesInOrder(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	third := f.state(crm.State{Name: "Tercero", Order: 30, Color: "#aabbcc", Outcome: crm.OutcomeWon, ShowTab: true})
	first := f.state(crm.State{Name: "Primero", Order: 10, Default: true, ShowTab: true})
	secondB := f.state(crm.State{Name: "Segundo B", Order: 20, Outcome: crm.OutcomeLost})
	secondA := f.state(crm.State{Name: "Segundo A", Order: 20})
	want := []crm.State{first, secondB, secondA, third} // equal orders: by ID, that is by creation
	same(t, "states of the port", sortedBy(must(st.ListStates(ctx))(t), stateID), sortedBy(want, stateID))
	svc := crm.NewService(st, crm.Config{})
	same(t, "states of the pipeline", must(svc.ListStates(ctx))(t), want)
}

// testStateWrites: WriteStates creates, replaces and deletes states, each
// guarded by the version read, all or nothing.
func testStateWrites(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	a, b := f.state(crm.State{Name: "A", Order: 1, Default: true}), f.state(crm.State{Name: "B", Order: 2})
	a2, b2 := a, b
	a2.Default, b2.Default = false, true
	bumped(&a2.Version, &a2.UpdatedAt)
	bumped(&b2.Version, &b2.UpdatedAt)
	noErr(t, st.WriteStates(ctx, []crm.StateWrite{{Old: a, New: a2}, {Old: b, New: b2}}))

	c := crm.State{Name: "C", Order: 3, Outcome: crm.OutcomeOpen}
	stamp(&c.ID, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	stale := a2
	stale.Name = "A'"
	for name, writes := range map[string][]crm.StateWrite{
		"stale replace": {{New: c}, {Old: a, New: stale}},
		"stale delete":  {{New: c}, {Old: a, Delete: true}},
	} {
		if err := st.WriteStates(ctx, writes); crm.ErrorCode(err) != crm.CodePreconditionFailed {
			t.Fatalf("%s: %v", name, err)
		}
	}
	want := []crm.State{a2, b2}
	same(t, "states after refused writes", sortedBy(must(st.ListStates(ctx))(t), stateID), want)

	noErr(t, st.WriteStates(ctx, []crm.StateWrite{{New: c}, {Old: a2, Delete: true}}))
	same(t, "states after a create and a delete", sortedBy(must(st.ListStates(ctx))(t), stateID), []crm.State{b2, c})
}

// testStateInUse: the store itself refuses to delete a state that holds
// opportunities (the use case checks first, but a concurrent move may
// slip between its check and its write).
func testStateInUse(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s := f.state(crm.State{})
	f.opportunity(crm.Opportunity{ContactID: f.contact(crm.Contact{}).ID, StateID: s.ID})
	wantCode(t, st.WriteStates(ctx, []crm.StateWrite{{Old: s, Delete: true}}), crm.CodeConflict)
	sameIDs(t, "states", ids(must(st.ListStates(ctx))(t), stateID), []string{s.ID})
}

// testDeletedStateTakesNothing: once a state is deleted, no opportunity
// can be counted into it (the store checks the state with the counts).
func testDeletedStateTakesNothing(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s := f.state(crm.State{})
	noErr(t, st.WriteStates(ctx, []crm.StateWrite{{Old: s, Delete: true}}))
	o := crm.Opportunity{ContactID: f.contact(crm.Contact{}).ID, StateID: s.ID, Description: "x", Currency: "EUR", Outcome: crm.OutcomeOpen}
	stamp(&o.ID, &o.CreatedAt, &o.UpdatedAt, &o.Version)
	err := st.Commit(ctx, crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{New: o}}, StateCounts: map[string]int64{s.ID: 1}})
	wantField(t, err, crm.CodeInvalid, "stateId")
	_, err = st.GetOpportunity(ctx, o.ID)
	wantCode(t, err, crm.CodeNotFound)
}
