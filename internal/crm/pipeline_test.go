package crm

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// The pipeline's states as the seed makes them, with IDs.
func seededStates() (nuevo, negociacion, ganado, perdido State, all []State) {
	all = SeedStates()
	for i := range all {
		all[i].ID = NewID(testNow)
	}
	return all[0], all[1], all[3], all[4], all
}

func TestStateClosed(t *testing.T) {
	for outcome, closed := range map[Outcome]bool{OutcomeOpen: false, OutcomeWon: true, OutcomeLost: true, "": false} {
		if got := (State{Outcome: outcome}).Closed(); got != closed {
			t.Errorf("Closed() with outcome %q = %v, want %v", outcome, got, closed)
		}
	}
}

// Entering a closed state sets closedAt, moving between closed states keeps
// it, reopening clears it and the lost reason; the lost reason lives only
// in a lost state; the outcome recorded is the state's.
func TestApplyState(t *testing.T) {
	nuevo, negociacion, ganado, perdido, _ := seededStates()
	t0, t1 := testNow, testNow.Add(time.Hour)

	o := Opportunity{StateID: nuevo.ID, Outcome: OutcomeOpen}
	o.ApplyState(negociacion, t0)
	if o.StateID != negociacion.ID || o.Outcome != OutcomeOpen || o.ClosedAt != nil {
		t.Fatalf("open to open: %+v", o)
	}
	o.LostReason = "caro"
	o.ApplyState(perdido, t0)
	if o.StateID != perdido.ID || o.Outcome != OutcomeLost || o.ClosedAt == nil || !o.ClosedAt.Equal(t0) || o.LostReason != "caro" {
		t.Fatalf("open to lost: %+v", o)
	}
	o.ApplyState(ganado, t1)
	if o.Outcome != OutcomeWon || o.ClosedAt == nil || !o.ClosedAt.Equal(t0) || o.LostReason != "" {
		t.Fatalf("lost to won keeps closedAt %v and drops the lost reason: %+v", t0, o)
	}
	o.LostReason = "otra"
	o.ApplyState(nuevo, t1)
	if o.StateID != nuevo.ID || o.Outcome != OutcomeOpen || o.ClosedAt != nil || o.LostReason != "" {
		t.Fatalf("reopened: %+v", o)
	}
}

func TestCheckLocked(t *testing.T) {
	old := Opportunity{ContactID: "c", Description: "d", Observations: "o", InterestID: "i", AgentID: "a", AssigneeID: "u",
		ApproxAmountCents: 1, Currency: "EUR", ExpectedCloseDate: "2026-12-31", StateID: "s", LostReason: "r"}
	fields := []struct {
		name   string
		change func(*Opportunity)
	}{
		{"contactId", func(o *Opportunity) { o.ContactID = "c2" }},
		{"description", func(o *Opportunity) { o.Description = "d2" }},
		{"observations", func(o *Opportunity) { o.Observations = "o2" }},
		{"interestId", func(o *Opportunity) { o.InterestID = "i2" }},
		{"agentId", func(o *Opportunity) { o.AgentID = "a2" }},
		{"assigneeId", func(o *Opportunity) { o.AssigneeID = "u2" }},
		{"approxAmountCents", func(o *Opportunity) { o.ApproxAmountCents = 2 }},
		{"currency", func(o *Opportunity) { o.Currency = "USD" }},
		{"expectedCloseDate", func(o *Opportunity) { o.ExpectedCloseDate = "2027-01-01" }},
	}
	for _, f := range fields {
		next := old
		f.change(&next)
		err := CheckLocked(old, next, true, true)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeConflict || len(e.Fields) != 1 || e.Fields[f.name] == "" {
			t.Errorf("changing %s while closed: %v, want a conflict naming only it", f.name, err)
		}
		// Open before or after the change: nothing is locked.
		if err := CheckLocked(old, next, false, true); err != nil {
			t.Errorf("changing %s of an open opportunity that closes: %v", f.name, err)
		}
		if err := CheckLocked(old, next, true, false); err != nil {
			t.Errorf("changing %s of a closed opportunity that reopens: %v", f.name, err)
		}
	}
	// The state and the lost reason may change while closed; several locked
	// fields are named together.
	next := old
	next.StateID, next.LostReason = "s2", "r2"
	if err := CheckLocked(old, next, true, true); err != nil {
		t.Errorf("state and lost reason of a closed opportunity: %v", err)
	}
	next.Description, next.Currency = "x", "USD"
	var e *Error
	if err := CheckLocked(old, next, true, true); !errors.As(err, &e) || len(e.Fields) != 2 {
		t.Errorf("two locked fields: %v", err)
	}
}

// The rules of an update that may move an opportunity through the pipeline.
func TestMovePipeline(t *testing.T) {
	nuevo, negociacion, ganado, perdido, _ := seededStates()
	closedAt := testNow.Add(-time.Hour)
	open := Opportunity{StateID: nuevo.ID, Outcome: OutcomeOpen, Description: "Web"}
	lost := Opportunity{StateID: perdido.ID, Outcome: OutcomeLost, Description: "Web", ClosedAt: &closedAt, LostReason: "caro"}
	won := Opportunity{StateID: ganado.ID, Outcome: OutcomeWon, Description: "Web", ClosedAt: &closedAt}
	with := func(o Opportunity, f func(*Opportunity)) Opportunity { f(&o); return o }

	for _, tc := range []struct {
		name         string
		old, next    Opportunity
		oldSt, newSt State
		want         func(Opportunity) bool
		code         Code
		field        string
	}{
		{"open to lost with a reason", open, with(open, func(o *Opportunity) { o.StateID, o.LostReason = perdido.ID, "precio" }), nuevo, perdido,
			func(o Opportunity) bool {
				return o.Outcome == OutcomeLost && o.ClosedAt != nil && o.ClosedAt.Equal(testNow) && o.LostReason == "precio"
			}, "", ""},
		{"a lost reason outside a lost state", open, with(open, func(o *Opportunity) { o.LostReason = "precio" }), nuevo, nuevo, nil, CodeInvalid, "lostReason"},
		{"a lost reason with a move to won", open, with(open, func(o *Opportunity) { o.StateID, o.LostReason = ganado.ID, "precio" }), nuevo, ganado, nil, CodeInvalid, "lostReason"},
		{"a lost opportunity keeps its reason when another field moves it nowhere", lost, with(lost, func(o *Opportunity) { o.LostReason = "plazo" }), perdido, perdido,
			func(o Opportunity) bool { return o.LostReason == "plazo" && o.ClosedAt.Equal(closedAt) }, "", ""},
		{"won to lost keeps closedAt and takes the reason", won, with(won, func(o *Opportunity) { o.StateID, o.LostReason = perdido.ID, "impago" }), ganado, perdido,
			func(o Opportunity) bool {
				return o.Outcome == OutcomeLost && o.ClosedAt.Equal(closedAt) && o.LostReason == "impago"
			}, "", ""},
		{"lost to won drops the reason it had", lost, with(lost, func(o *Opportunity) { o.StateID = ganado.ID }), perdido, ganado,
			func(o Opportunity) bool {
				return o.Outcome == OutcomeWon && o.LostReason == "" && o.ClosedAt.Equal(closedAt)
			}, "", ""},
		{"reopening clears closedAt and the reason", lost, with(lost, func(o *Opportunity) { o.StateID = negociacion.ID; o.Description = "Web 2" }), perdido, negociacion,
			func(o Opportunity) bool {
				return o.Outcome == OutcomeOpen && o.ClosedAt == nil && o.LostReason == "" && o.Description == "Web 2"
			}, "", ""},
		{"the old reason of a reopened one may be sent back unchanged", lost, with(lost, func(o *Opportunity) { o.StateID = nuevo.ID }), perdido, nuevo,
			func(o Opportunity) bool { return o.LostReason == "" && o.ClosedAt == nil }, "", ""},
		{"a closed one's description is locked", won, with(won, func(o *Opportunity) { o.Description = "otra" }), ganado, ganado, nil, CodeConflict, "description"},
		{"an open one's state is applied again (its outcome follows the state)", with(open, func(o *Opportunity) { o.Outcome = "" }), with(open, func(o *Opportunity) { o.Outcome = "" }), nuevo, nuevo,
			func(o Opportunity) bool { return o.Outcome == OutcomeOpen && o.ClosedAt == nil }, "", ""},
		{"a won one staying won is not closed again", won, won, ganado, ganado,
			func(o Opportunity) bool { return o.ClosedAt.Equal(closedAt) && o.Outcome == OutcomeWon }, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := movePipeline(tc.old, tc.next, tc.oldSt, tc.newSt, testNow)
			if tc.code != "" {
				var e *Error
				if !errors.As(err, &e) || e.Code != tc.code || e.Fields[tc.field] == "" {
					t.Fatalf("err %v, want %s naming %s", err, tc.code, tc.field)
				}
				return
			}
			if err != nil || !tc.want(got) {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

// An opportunity's amount is its accepted quote's, else its latest quote
// that is not rejected, else 0.
func TestDeriveAmount(t *testing.T) {
	q := func(id string, st QuoteStatus, cents int64) QuoteRef {
		return QuoteRef{ID: id, Status: st, SubtotalCents: cents}
	}
	for _, tc := range []struct {
		name   string
		quotes []QuoteRef
		want   int64
	}{
		{"no quotes", nil, 0},
		{"the latest", []QuoteRef{q("a", QuoteDraft, 100), q("b", QuoteSent, 200)}, 200},
		{"the latest not rejected", []QuoteRef{q("a", QuoteDraft, 100), q("b", QuoteSent, 200), q("c", QuoteRejected, 300)}, 200},
		{"the first when the rest are rejected", []QuoteRef{q("a", QuoteSent, 100), q("b", QuoteRejected, 200)}, 100},
		{"the accepted one, even if older", []QuoteRef{q("a", QuoteAccepted, 100), q("b", QuoteSent, 200)}, 100},
		{"the accepted one, even if first and last are others", []QuoteRef{q("a", QuoteDraft, 50), q("b", QuoteAccepted, 100), q("c", QuoteDraft, 200)}, 100},
		{"the last accepted of two", []QuoteRef{q("a", QuoteAccepted, 100), q("b", QuoteAccepted, 150)}, 150},
		{"all rejected", []QuoteRef{q("a", QuoteRejected, 100)}, 0},
	} {
		o := Opportunity{AmountCents: 999, Quotes: tc.quotes}
		o.DeriveAmount()
		if o.AmountCents != tc.want {
			t.Errorf("%s: amount %d, want %d", tc.name, o.AmountCents, tc.want)
		}
	}
}

func TestWithQuoteRef(t *testing.T) {
	o := Opportunity{Quotes: []QuoteRef{{ID: "a", Status: QuoteSent, SubtotalCents: 100}, {ID: "b", Status: QuoteDraft, SubtotalCents: 200}}}
	next := withQuoteRef(o, QuoteRef{ID: "a", Status: QuoteAccepted, SubtotalCents: 120})
	if len(next.Quotes) != 2 || next.Quotes[0].Status != QuoteAccepted || next.Quotes[0].SubtotalCents != 120 || next.AmountCents != 120 {
		t.Fatalf("replaced: %+v", next)
	}
	if o.Quotes[0].Status != QuoteSent {
		t.Fatal("the original opportunity's quotes changed")
	}
	next = withQuoteRef(o, QuoteRef{ID: "c", Status: QuoteDraft, SubtotalCents: 300})
	if !slices.Equal(next.QuoteIDs(), []string{"a", "b", "c"}) || next.AmountCents != 300 {
		t.Fatalf("appended: %+v", next)
	}
	if got := (Opportunity{}).QuoteIDs(); len(got) != 0 {
		t.Errorf("QuoteIDs of none: %v", got)
	}
}

func TestStateLookups(t *testing.T) {
	nuevo, negociacion, ganado, perdido, all := seededStates()
	if st, ok := stateByID(all, perdido.ID); !ok || st.ID != perdido.ID {
		t.Errorf("stateByID: %+v %v", st, ok)
	}
	if st, ok := stateByID(all, "nope"); ok || st.ID != "" {
		t.Errorf("stateByID of nothing: %+v %v", st, ok)
	}
	if st, err := defaultState(all); err != nil || st.ID != nuevo.ID {
		t.Errorf("defaultState: %+v %v", st, err)
	}
	if _, err := defaultState([]State{negociacion, ganado}); ErrorCode(err) != CodeConflict {
		t.Errorf("defaultState without one: %v", err)
	}
	// The won state of an accepted quote: the current one if won, else the
	// first won state in order.
	otroGanado := State{ID: NewID(testNow), Name: "Ganado (renovación)", Outcome: OutcomeWon}
	states := append(slices.Clone(all), otroGanado)
	if st, err := wonState(states, otroGanado.ID); err != nil || st.ID != otroGanado.ID {
		t.Errorf("wonState from a won state: %+v %v", st, err)
	}
	if st, err := wonState(states, negociacion.ID); err != nil || st.ID != ganado.ID {
		t.Errorf("wonState from an open state: %+v %v", st, err)
	}
	if st, err := wonState(states, perdido.ID); err != nil || st.ID != ganado.ID {
		t.Errorf("wonState from a lost state: %+v %v", st, err)
	}
	if _, err := wonState([]State{nuevo, perdido}, nuevo.ID); ErrorCode(err) != CodeConflict {
		t.Errorf("wonState without a won state: %v", err)
	}
}

func TestOpportunityNormalize(t *testing.T) {
	id := NewID(testNow)
	o := Opportunity{ContactID: " " + id + " ", Description: "  Web ", Currency: " usd ", ExpectedCloseDate: " 2026-12-31 ", ApproxAmountCents: 1e13}
	if err := o.Normalize(); err != nil || o.ContactID != id || o.Description != "Web" || o.Currency != "USD" || o.ExpectedCloseDate != "2026-12-31" {
		t.Fatalf("%+v %v", o, err)
	}
	o = Opportunity{ContactID: id, Description: "Web"}
	if err := o.Normalize(); err != nil || o.Currency != DefaultCurrency {
		t.Fatalf("default currency: %+v %v", o, err)
	}
	for _, tc := range []struct {
		o     Opportunity
		field string
	}{
		{Opportunity{Description: "Web"}, "contactId"},
		{Opportunity{ContactID: "nope", Description: "Web"}, "contactId"},
		{Opportunity{ContactID: id}, "description"},
		{Opportunity{ContactID: id, Description: "Web", ApproxAmountCents: -1}, "approxAmountCents"},
		{Opportunity{ContactID: id, Description: "Web", ApproxAmountCents: 1e13 + 1}, "approxAmountCents"},
		{Opportunity{ContactID: id, Description: "Web", Currency: "EURO"}, "currency"},
		{Opportunity{ContactID: id, Description: "Web", Currency: "E1R"}, "currency"},
		{Opportunity{ContactID: id, Description: "Web", ExpectedCloseDate: "31/12/2026"}, "expectedCloseDate"},
		{Opportunity{ContactID: id, Description: "Web", StateID: "x"}, "stateId"},
		{Opportunity{ContactID: id, Description: "Web", LostReason: strings.Repeat("x", 501)}, "lostReason"},
		{Opportunity{ContactID: id, Description: strings.Repeat("x", 501)}, "description"},
	} {
		if f := fieldsOf(t, tc.o.Normalize()); f[tc.field] == "" || len(f) != 1 {
			t.Errorf("%+v: fields %v, want only %s", tc.o, f, tc.field)
		}
	}
}

func TestOpportunityFilter(t *testing.T) {
	a, b := NewID(testNow), NewID(testNow)
	o := Opportunity{StateID: a, AgentID: a, AssigneeID: a, ContactID: a, InterestID: a, SourceID: a}
	if !(OpportunityFilter{}).Matches(o) {
		t.Error("the empty filter refuses")
	}
	for _, f := range []OpportunityFilter{{StateID: a}, {AgentID: a}, {AssigneeID: a}, {ContactID: a}, {InterestID: a}, {SourceID: a},
		{StateID: a, AgentID: a, AssigneeID: a, ContactID: a, InterestID: a, SourceID: a}} {
		if !f.Matches(o) {
			t.Errorf("%+v refuses a match", f)
		}
	}
	for _, f := range []OpportunityFilter{{StateID: b}, {AgentID: b}, {AssigneeID: b}, {ContactID: b}, {InterestID: b}, {SourceID: b},
		{StateID: a, SourceID: b}} {
		if f.Matches(o) {
			t.Errorf("%+v matches another", f)
		}
	}
	f := OpportunityFilter{StateID: " " + a + " "}
	if err := f.Normalize(); err != nil || f.StateID != a {
		t.Errorf("Normalize: %+v %v", f, err)
	}
	for name, f := range map[string]OpportunityFilter{"stateId": {StateID: "x"}, "agentId": {AgentID: "x"}, "assigneeId": {AssigneeID: "x"},
		"contactId": {ContactID: "x"}, "interestId": {InterestID: "x"}, "sourceId": {SourceID: "x"}} {
		if got := fieldsOf(t, f.Normalize()); got[name] == "" || len(got) != 1 {
			t.Errorf("a bad %s: %v", name, got)
		}
	}
}

func TestQuoteNormalize(t *testing.T) {
	line := QuoteLine{Description: "Hosting", QuantityMilli: 2000, UnitPriceCents: 1000, TaxBP: 2100}
	q := Quote{Lines: []QuoteLine{line}, ValidUntil: " 2026-12-31 "}
	if err := q.Normalize(); err != nil {
		t.Fatal(err)
	}
	if q.Status != QuoteDraft || q.ValidUntil != "2026-12-31" || q.SubtotalCents != 2000 || q.TaxCents != 420 || q.TotalCents != 2420 {
		t.Fatalf("%+v", q)
	}
	if r := q.Ref(); r != (QuoteRef{ID: q.ID, Status: QuoteDraft, SubtotalCents: 2000}) {
		t.Errorf("Ref %+v", r)
	}
	for _, st := range []QuoteStatus{QuoteDraft, QuoteSent, QuoteAccepted, QuoteRejected} {
		q := Quote{Lines: []QuoteLine{line}, Status: st}
		if err := q.Normalize(); err != nil || q.Status != st {
			t.Errorf("status %s: %v", st, err)
		}
	}
	bad := Quote{Lines: []QuoteLine{{Description: "x", QuantityMilli: 1000, TaxBP: 10001}}, Status: "pagado", ValidUntil: "mañana", SubtotalCents: 5}
	f := fieldsOf(t, bad.Normalize())
	if f["status"] == "" || f["validUntil"] == "" || f["lines[0].taxPct"] == "" || len(f) != 3 || bad.SubtotalCents != 5 {
		t.Errorf("bad quote: %v, subtotal %d (totals are not computed for a refused quote)", f, bad.SubtotalCents)
	}
}

func TestPrefillLines(t *testing.T) {
	o := Opportunity{Description: "Tienda online", InterestID: NewID(testNow), ApproxAmountCents: 150000}
	want := QuoteLine{Description: "Alarmas", InterestID: o.InterestID, QuantityMilli: 1000, UnitPriceCents: 150000, TaxBP: 2100}
	if got := PrefillLines(o, "Alarmas"); len(got) != 1 || got[0] != want {
		t.Errorf("with an interest: %+v", got)
	}
	want.Description = "Tienda online"
	if got := PrefillLines(o, ""); len(got) != 1 || got[0] != want {
		t.Errorf("without an interest name: %+v", got)
	}
}
