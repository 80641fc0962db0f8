package stream_test

import (
	"slices"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// storeAs writes o over the stored opportunity as it is, through the store
// itself: an item as an earlier version of Embudo, or a hand edit in the
// table, left it. It returns what was written.
func storeAs(t *testing.T, f *fixture, id string, change func(*crm.Opportunity)) crm.Opportunity {
	t.Helper()
	old, err := f.svc.GetOpportunity(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	next := old
	change(&next)
	next.Version = old.Version + 1
	if err := f.st.Commit(bg, crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: old, New: next}}}); err != nil {
		t.Fatal(err)
	}
	return next
}

// An opportunity stored before opportunities recorded their outcome (no
// outcome in the item) counts by its state's: won while its state is won,
// with the amount it has. Such an item is not locked to the amount it was
// won with, so a new quote changes its won amount, and the counters follow.
func TestCountersOfAnOpportunityStoredWithoutItsOutcome(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC) // created and won in one month
	f := newFixtureAt(t, func() time.Time { return at })
	admin := f.admin
	ctx := as(admin)
	src, err := f.svc.CreateSource(bg, crm.Source{Name: "Feria"})
	if err != nil {
		t.Fatal(err)
	}
	won := stateWith(t, f.svc, crm.OutcomeWon)
	c := f.contact(ctx, admin, crm.Contact{Name: "Lucía", SourceID: src.ID})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Cocina"})
	quote := func(unitCents int64) {
		t.Helper()
		q := crm.Quote{Lines: []crm.QuoteLine{{Description: "Cocina", QuantityMilli: 1000, UnitPriceCents: unitCents, TaxBP: 2100}}}
		if _, err := f.svc.CreateQuote(ctx, admin, o.ID, q); err != nil {
			t.Fatal(err)
		}
		f.settle()
	}
	quote(100000)
	if _, err := f.svc.UpdateOpportunity(ctx, o.ID, 0, func(x *crm.Opportunity) error { x.StateID = won.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	won1, err := f.svc.GetOpportunity(bg, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if won1.ClosedAt == nil {
		t.Fatal("the won opportunity has no closing time")
	}
	counters := func(want crm.SourceMonth) {
		t.Helper()
		if got := nonZero(allStats(t, f.st)); !slices.Equal(got, []crm.SourceMonth{want}) {
			t.Errorf("counters %+v, want %+v", got, want)
		}
	}
	row := crm.SourceMonth{SourceID: src.ID, Month: "2026-03", Contacts: 1, Opportunities: 1, Won: 1, WonAmountCents: 100000}
	counters(row)

	// The item loses its outcome, as an earlier version stored it: still
	// won, by its state.
	storeAs(t, f, o.ID, func(x *crm.Opportunity) { x.Outcome = "" })
	f.settle()
	counters(row)

	// A new quote changes the won amount of such an item.
	quote(250000)
	if got, err := f.svc.GetOpportunity(bg, o.ID); err != nil || got.AmountCents != 250000 {
		t.Fatalf("the opportunity without an outcome did not take the new quote's amount: %d, %v", got.AmountCents, err)
	}
	row.WonAmountCents = 250000
	counters(row)
}

// An item that records a closed outcome without a closing time (edited by
// hand in the table) counts as open, and the stream handles it instead of
// failing on it (a record that always fails stops its shard).
func TestOpportunityClosedWithoutAClosingTimeCountsAsOpen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	src, err := f.svc.CreateSource(bg, crm.Source{Name: "Feria"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", SourceID: src.ID})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Cocina", ApproxAmountCents: 50000})
	f.settle()
	before := nonZero(allStats(t, f.st))
	for _, out := range []crm.Outcome{crm.OutcomeWon, crm.OutcomeLost} {
		storeAs(t, f, o.ID, func(x *crm.Opportunity) { x.Outcome, x.ClosedAt = out, nil })
		f.settle()
		if got := nonZero(allStats(t, f.st)); !slices.Equal(got, before) {
			t.Errorf("%s without a closing time moved the counters:\n got  %+v\n want %+v", out, got, before)
		}
	}
}
