package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var opportunityTests = []test{
	{"ReadBackAsWrittenAndMissingIsNotFound", testOpportunityRoundTrip},
	{"ListByEveryFilterMostRecentlyChangedFirst", testListOpportunities},
	{"ListRefusesCursorsOfOtherLists", testOpportunityCursors},
	{"CountOpportunitiesOfAContact", testCountOpportunitiesOf},
	{"Lifecycle", testOpportunityLifecycle},
	{"BulkMoveIsAllOrNothing", testBulkMoveIsAllOrNothing},
}

// testOpportunityRoundTrip: every field of an opportunity is kept;
// GetOpportunities returns those that exist.
func testOpportunityRoundTrip(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	lost := f.state(crm.State{Name: "Perdido", Outcome: crm.OutcomeLost})
	c, src, ag, in := f.contact(crm.Contact{}), f.source(crm.Source{}), f.agent("A1"), f.interest("Hosting")
	u := f.user(crm.User{Email: "ana@example.com", Active: true})
	closed := now().Add(-time.Hour)
	o := f.opportunity(crm.Opportunity{Number: 42, ContactID: c.ID, Description: "Web nueva", Observations: "Urgente",
		StateID: lost.ID, InterestID: in.ID, SourceID: src.ID, AgentID: ag.ID, AssigneeID: u.ID, CreatedBy: actor.ID,
		UpdatedBy: u.ID, ApproxAmountCents: 120000, AmountCents: 90000, Currency: "USD", ExpectedCloseDate: "2026-12-31",
		ClosedAt: &closed, Outcome: crm.OutcomeLost, LostReason: "Precio",
		Quotes: []crm.QuoteRef{{ID: newID(), Status: crm.QuoteRejected, SubtotalCents: 100000}, {ID: newID(), Status: crm.QuoteSent, SubtotalCents: 90000}}})
	same(t, "opportunity", must(st.GetOpportunity(ctx, o.ID))(t), o)

	next := o
	next.ClosedAt, next.LostReason, next.Quotes, next.AssigneeID, next.InterestID = nil, "", nil, "", ""
	bumped(&next.Version, &next.UpdatedAt)
	f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: o, New: next}}})
	same(t, "updated opportunity", must(st.GetOpportunity(ctx, o.ID))(t), next)

	missing := newID()
	_, err := st.GetOpportunity(ctx, missing)
	wantCode(t, err, crm.CodeNotFound)
	got := must(st.GetOpportunities(ctx, []string{missing, o.ID, o.ID}))(t)
	same(t, "opportunities by ID", got, map[string]crm.Opportunity{o.ID: next})
	if got := must(st.GetOpportunities(ctx, nil))(t); len(got) != 0 {
		t.Fatalf("no IDs read %d opportunities", len(got))
	}
}

// testListOpportunities: every filter lists its opportunities most
// recently changed first, in pages; a change moves one to the top.
func testListOpportunities(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	type refs struct {
		state, contact, agent, user, interest, source string
	}
	mk := func(i int) refs {
		return refs{f.state(crm.State{}).ID, f.contact(crm.Contact{}).ID, f.agent(fmt.Sprintf("A%d", i)).ID,
			f.user(crm.User{Email: fmt.Sprintf("u%d@example.com", i)}).ID, f.interest(fmt.Sprintf("Interés %d", i)).ID, f.source(crm.Source{}).ID}
	}
	r, other := mk(1), mk(2)
	base := now().Add(-time.Hour)
	opp := func(r refs, minutes int) crm.Opportunity {
		return f.opportunity(crm.Opportunity{StateID: r.state, ContactID: r.contact, AgentID: r.agent, AssigneeID: r.user,
			InterestID: r.interest, SourceID: r.source, UpdatedAt: base.Add(time.Duration(minutes) * time.Minute)})
	}
	var matches []crm.Opportunity // created in an order that is not the order of their changes
	for _, m := range []int{3, 1, 4, 0, 2} {
		matches = append(matches, opp(r, m))
	}
	others := []crm.Opportunity{opp(other, 10), opp(other, 5)}
	recent := func(os ...crm.Opportunity) []string {
		os = slices.Clone(os)
		slices.SortFunc(os, func(a, b crm.Opportunity) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
		return ids(os, opportunityID)
	}
	filters := map[string]crm.OpportunityFilter{
		"state": {StateID: r.state}, "contact": {ContactID: r.contact}, "agent": {AgentID: r.agent},
		"assignee": {AssigneeID: r.user}, "interest": {InterestID: r.interest}, "source": {SourceID: r.source},
		"state and agent":        {StateID: r.state, AgentID: r.agent},
		"contact and assignee":   {ContactID: r.contact, AssigneeID: r.user},
		"interest and source":    {InterestID: r.interest, SourceID: r.source},
		"contact and state":      {ContactID: r.contact, StateID: other.state},
		"assignee and another":   {AssigneeID: r.user, InterestID: other.interest},
		"source of the other":    {SourceID: other.source},
		"unknown state":          {StateID: newID()},
		"everything":             {StateID: r.state, ContactID: r.contact, AgentID: r.agent, AssigneeID: r.user, InterestID: r.interest, SourceID: r.source},
		"everything but one off": {StateID: r.state, ContactID: r.contact, AgentID: r.agent, AssigneeID: r.user, InterestID: r.interest, SourceID: other.source},
	}
	list := func(fl crm.OpportunityFilter) func(crm.ListOptions) (crm.Page[crm.Opportunity], error) {
		return func(o crm.ListOptions) (crm.Page[crm.Opportunity], error) { return st.ListOpportunities(ctx, fl, o) }
	}
	check := func() {
		t.Helper()
		walk(t, "all", opportunityID, recent(append(slices.Clone(matches), others...)...), list(crm.OpportunityFilter{}))
		for name, fl := range filters {
			var want []crm.Opportunity
			for _, o := range append(slices.Clone(matches), others...) {
				if fl.Matches(o) {
					want = append(want, o)
				}
			}
			walk(t, name, opportunityID, recent(want...), list(fl))
		}
	}
	check()
	// A change moves an opportunity to the top of its lists, and a move of
	// state from one state's list to the other's.
	moved := matches[3]
	moved.StateID, moved.AgentID = other.state, other.agent
	bumped(&moved.Version, &moved.UpdatedAt)
	f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: matches[3], New: moved}},
		StateCounts: map[string]int64{r.state: -1, other.state: 1}})
	matches[3] = moved
	check()
	p := must(st.ListOpportunities(ctx, crm.OpportunityFilter{}, crm.ListOptions{Limit: 1}))(t)
	sameIDs(t, "most recently changed", ids(p.Items, opportunityID), []string{moved.ID})
}

// testOpportunityCursors: a cursor works only on the list it came from.
func testOpportunityCursors(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s, c, ag, in, src := f.state(crm.State{}), f.contact(crm.Contact{}), f.agent("A1"), f.interest("Hosting"), f.source(crm.Source{})
	u := f.user(crm.User{Email: "ana@example.com"})
	for range 3 {
		f.opportunity(crm.Opportunity{StateID: s.ID, ContactID: c.ID, AgentID: ag.ID, AssigneeID: u.ID, InterestID: in.ID, SourceID: src.ID})
	}
	lists := map[string]func(crm.ListOptions) (crm.Page[crm.Opportunity], error){}
	for name, fl := range map[string]crm.OpportunityFilter{
		"all": {}, "state": {StateID: s.ID}, "contact": {ContactID: c.ID}, "agent": {AgentID: ag.ID},
		"assignee": {AssigneeID: u.ID}, "interest": {InterestID: in.ID}, "source": {SourceID: src.ID},
	} {
		lists[name] = func(o crm.ListOptions) (crm.Page[crm.Opportunity], error) { return st.ListOpportunities(ctx, fl, o) }
	}
	crossCursors(t, lists)
	refusesCursor(t, "an opportunities cursor on the contacts", firstCursor(t, "all", lists["all"]),
		func(o crm.ListOptions) (crm.Page[crm.Contact], error) {
			return st.ListContacts(ctx, crm.ContactFilter{}, o)
		})
}

// testCountOpportunitiesOf: a contact's opportunities are counted, and
// only its own.
func testCountOpportunitiesOf(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s, a, b := f.state(crm.State{}), f.contact(crm.Contact{Name: "Ana"}), f.contact(crm.Contact{Name: "Bea"})
	var os []crm.Opportunity
	for range 3 {
		os = append(os, f.opportunity(crm.Opportunity{ContactID: a.ID, StateID: s.ID}))
	}
	count := func(c crm.Contact, want int) {
		t.Helper()
		if n := must(st.CountOpportunitiesOf(ctx, c.ID))(t); n != want {
			t.Fatalf("%s has %d opportunities, want %d", c.Name, n, want)
		}
	}
	count(a, 3)
	count(b, 0)
	moved := os[0]
	moved.ContactID = b.ID
	bumped(&moved.Version, &moved.UpdatedAt)
	f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: os[0], New: moved}}})
	f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: os[1], Delete: true}}, StateCounts: map[string]int64{s.ID: -1}})
	count(a, 1)
	count(b, 1)
}

// stateNamed returns the seeded state called name.
func stateNamed(t *testing.T, svc *crm.Service, name string) crm.State {
	t.Helper()
	for _, s := range must(svc.ListStates(t.Context()))(t) {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no state %q", name)
	return crm.State{}
}

// tabCounts returns the count of every tab by state name.
func tabCounts(t *testing.T, svc *crm.Service) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, tb := range must(svc.Tabs(t.Context()))(t) {
		out[tb.State.Name] = tb.Count
	}
	return out
}

// testOpportunityLifecycle: an opportunity is opened with its defaults,
// numbered, won, lost, reopened, locked while closed, counted in its tab,
// and keeps its attribution.
func testOpportunityLifecycle(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	src := must(svc.CreateSource(ctx, crm.Source{Name: "Feria"}))(t)
	ag := must(svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"}))(t)
	in := must(svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"}))(t)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Company: "ACME", Email: "ana@example.com", SourceID: src.ID, AgentID: ag.ID}))(t)
	o := must(svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Web nueva", InterestID: in.ID, ApproxAmountCents: 120000}))(t)
	nuevo, ganado, perdido := stateNamed(t, svc, "Nuevo"), stateNamed(t, svc, "Ganado"), stateNamed(t, svc, "Perdido")
	if o.Number != 1 || o.StateID != nuevo.ID || o.AgentID != ag.ID || o.SourceID != src.ID || o.Currency != "EUR" || o.ClosedAt != nil {
		t.Fatalf("defaults: %+v", o)
	}
	got := must(svc.GetContact(ctx, c.ID))(t)
	if len(got.InterestIDs) != 1 || got.InterestIDs[0] != in.ID {
		t.Fatalf("the opportunity's interest was not linked to the contact: %v", got.InterestIDs)
	}
	o2 := must(svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Otra"}))(t)
	if o2.Number != 2 {
		t.Fatalf("second number %d", o2.Number)
	}
	if n := tabCounts(t, svc); n["Nuevo"] != 2 {
		t.Fatalf("tabs %v", n)
	}
	// Attribution stays with the opportunity when the contact's source changes.
	src2 := must(svc.CreateSource(ctx, crm.Source{Name: "Web"}))(t)
	_, err := svc.UpdateContact(ctx, c.ID, 0, func(c *crm.Contact) error { c.SourceID = src2.ID; return nil })
	noErr(t, err)
	if g := must(svc.GetOpportunity(ctx, o.ID))(t); g.SourceID != src.ID {
		t.Fatalf("attribution moved with the contact: %s", g.SourceID)
	}

	won, err := svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.StateID = ganado.ID; return nil })
	if err != nil || won.ClosedAt == nil {
		t.Fatalf("won: %+v %v", won, err)
	}
	_, err = svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.Description = "x"; return nil })
	wantField(t, err, crm.CodeConflict, "description")
	lost, err := svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.StateID, o.LostReason = perdido.ID, "Precio"; return nil })
	if err != nil || lost.LostReason != "Precio" || lost.ClosedAt == nil || !lost.ClosedAt.Equal(*won.ClosedAt) {
		t.Fatalf("lost: %+v %v", lost, err)
	}
	open, err := svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.StateID = nuevo.ID; o.Description = "Reabierta"; return nil })
	if err != nil || open.ClosedAt != nil || open.LostReason != "" || open.Description != "Reabierta" {
		t.Fatalf("reopen: %+v %v", open, err)
	}
	same(t, "reopened opportunity", must(svc.GetOpportunity(ctx, o.ID))(t), open)
	_, err = svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.LostReason = "x"; return nil })
	wantCode(t, err, crm.CodeInvalid)
	if n := tabCounts(t, svc); n["Nuevo"] != 2 || n["Ganado"] != 0 || n["Perdido"] != 0 {
		t.Fatalf("tabs after moves %v", n)
	}
	// A state in use cannot be deleted; the contact cannot either.
	negociacion := stateNamed(t, svc, "En negociación")
	_, err = svc.UpdateOpportunity(ctx, o2.ID, 0, func(o *crm.Opportunity) error { o.StateID = negociacion.ID; return nil })
	noErr(t, err)
	wantCode(t, svc.DeleteState(ctx, negociacion.ID, 0), crm.CodeConflict)
	wantCode(t, svc.DeleteContact(ctx, c.ID, 0), crm.CodeConflict)
	for name, fl := range map[string]crm.OpportunityFilter{
		"state": {StateID: negociacion.ID}, "agent": {AgentID: ag.ID}, "contact": {ContactID: c.ID},
		"interest": {InterestID: in.ID}, "source": {SourceID: src.ID},
	} {
		p, err := svc.ListOpportunities(ctx, fl, crm.ListOptions{})
		if err != nil || len(p.Items) == 0 {
			t.Errorf("filter %s: %v %v", name, p.Items, err)
		}
		for _, it := range p.Items {
			if !fl.Matches(it) {
				t.Errorf("filter %s returned %s", name, it.ID)
			}
		}
	}
	// Deleting the opportunities frees the contact and the state.
	for _, id := range []string{o.ID, o2.ID} {
		noErr(t, svc.DeleteOpportunity(ctx, id, 0))
	}
	noErr(t, svc.DeleteState(ctx, negociacion.ID, 0))
	noErr(t, svc.DeleteContact(ctx, c.ID, 0))
	if n := tabCounts(t, svc); n["Nuevo"] != 0 {
		t.Fatalf("tabs after deletes %v", n)
	}
}

// testBulkMoveIsAllOrNothing: a bulk move naming an unknown opportunity
// moves none; one naming only known ones moves them all, once.
func testBulkMoveIsAllOrNothing(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"}))(t)
	var oppIDs []string
	for range 5 {
		oppIDs = append(oppIDs, must(svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "op"}))(t).ID)
	}
	ganado := stateNamed(t, svc, "Ganado")
	_, err := svc.BulkMove(ctx, append(slices.Clone(oppIDs), newID()), ganado.ID)
	wantField(t, err, crm.CodeInvalid, "ids[5]")
	if n := tabCounts(t, svc); n["Ganado"] != 0 || n["Nuevo"] != 5 {
		t.Fatalf("a failed bulk move moved something: %v", n)
	}
	moved, err := svc.BulkMove(ctx, oppIDs, ganado.ID)
	if err != nil || moved != 5 {
		t.Fatalf("bulk: %d %v", moved, err)
	}
	if n := tabCounts(t, svc); n["Ganado"] != 5 || n["Nuevo"] != 0 {
		t.Fatalf("tabs %v", n)
	}
	for _, o := range must(st.GetOpportunities(ctx, oppIDs))(t) {
		if o.StateID != ganado.ID || o.ClosedAt == nil || o.Outcome != crm.OutcomeWon {
			t.Fatalf("moved opportunity: %+v", o)
		}
	}
	if moved, err := svc.BulkMove(ctx, oppIDs, ganado.ID); err != nil || moved != 0 {
		t.Fatalf("moving into the state they are in: moved %d, %v", moved, err)
	}
}
