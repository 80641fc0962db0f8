package storetest

import (
	"fmt"
	"regexp"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var partyTests = []test{
	{"PartiesAreKeptByKindNewestFirst", testPartiesByKind},
	{"QuotesReadBackInTheOrderAsked", testQuoteReads},
	{"ConvertIsAtomicAndIdempotentUnderRace", testConvertUnderRace},
	{"QuoteAcceptWinsAndConvertsOnce", testQuoteAccept},
	{"MainContactIsNotDeleted", testMainContactStays},
	{"WonOpportunityAcceptsNoSecondQuote", testSecondAccept},
}

// testPartiesByKind: clients and suppliers are kept apart, every field
// kept, each kind listed newest first.
func testPartiesByKind(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	c, ag := f.contact(crm.Contact{}), f.agent("A1")
	var clients []crm.Party
	for i := range 5 {
		clients = append(clients, f.party(crm.Party{Kind: crm.PartyClient, Code: fmt.Sprintf("C%05d", i+1), Name: "Ana Ruiz",
			LegalName: "ACME SL", TaxID: "B123", Email: "ana@example.com", Phone: "+34600000001", Mobile: "+34611000001",
			Web: "https://acme.example", AgentID: ag.ID, Observations: "Buen cliente", MainContactID: c.ID}))
	}
	sup := f.party(crm.Party{Kind: crm.PartySupplier, Code: "P00001", Name: "Proveedor", LegalName: "Proveedor SA", MainContactID: c.ID})
	same(t, "client", must(st.GetParty(ctx, crm.PartyClient, clients[1].ID))(t), clients[1])
	same(t, "supplier", must(st.GetParty(ctx, crm.PartySupplier, sup.ID))(t), sup)
	_, err := st.GetParty(ctx, crm.PartySupplier, clients[0].ID)
	wantCode(t, err, crm.CodeNotFound)
	_, err = st.GetParty(ctx, crm.PartyClient, sup.ID)
	wantCode(t, err, crm.CodeNotFound)

	list := func(k crm.PartyKind) func(crm.ListOptions) (crm.Page[crm.Party], error) {
		return func(o crm.ListOptions) (crm.Page[crm.Party], error) { return st.ListParties(ctx, k, o) }
	}
	walk(t, "clients", partyID, newestFirst(clients, partyID), list(crm.PartyClient))
	walk(t, "suppliers", partyID, []string{sup.ID}, list(crm.PartySupplier))
	refusesCursor(t, "a clients cursor on the suppliers", firstCursor(t, "clients", list(crm.PartyClient)), list(crm.PartySupplier))
}

// testQuoteReads: every field of a quote is kept; GetQuotes returns the
// quotes asked for in that order, skipping missing ones.
func testQuoteReads(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s, c, in := f.state(crm.State{}), f.contact(crm.Contact{}), f.interest("Hosting")
	o := f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: s.ID})
	var qs []crm.Quote
	for i := range 3 {
		qs = append(qs, f.quote(crm.Quote{Number: fmt.Sprintf("2026-%04d", i+1), OpportunityID: o.ID, ContactID: c.ID,
			Lines: []crm.QuoteLine{
				{Description: "Hosting", InterestID: in.ID, QuantityMilli: 2000, UnitPriceCents: 30000, DiscountBP: 1000, TaxBP: 2100, NetCents: 54000, TaxCents: 11340, TotalCents: 65340},
				{Description: "Alta", QuantityMilli: 1000, UnitPriceCents: 5000, NetCents: 5000, TotalCents: 5000},
			},
			SubtotalCents: 59000, TaxCents: 11340, TotalCents: 70340, Currency: "EUR", Status: crm.QuoteSent,
			ValidUntil: "2026-12-31", CreatedBy: actor.ID}))
	}
	same(t, "quote", must(st.GetQuote(ctx, qs[1].ID))(t), qs[1])
	_, err := st.GetQuote(ctx, newID())
	wantCode(t, err, crm.CodeNotFound)
	same(t, "quotes by ID", must(st.GetQuotes(ctx, []string{qs[2].ID, newID(), qs[0].ID}))(t), []crm.Quote{qs[2], qs[0]})
	if got := must(st.GetQuotes(ctx, nil))(t); len(got) != 0 {
		t.Fatalf("no IDs read %d quotes", len(got))
	}
}

// testConvertUnderRace: converting a contact makes one party with its data
// and links the contact, even when four conversions race; a contact may
// be a client and a supplier.
func testConvertUnderRace(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	ag := must(svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"}))(t)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Surname: "Ruiz", Company: "ACME SL", TaxID: "b123",
		Email: "ana@example.com", Phone: "600111222", AgentID: ag.ID}))(t)
	var wg sync.WaitGroup
	results := make([]crm.Party, 4)
	created := make([]bool, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() { results[i], created[i], errs[i] = svc.Convert(ctx, c.ID, crm.PartyClient) })
	}
	wg.Wait()
	n := 0
	for i := range results {
		noErr(t, errs[i])
		if results[i].ID != results[0].ID {
			t.Fatalf("two clients made: %s and %s", results[0].ID, results[i].ID)
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d conversions reported creating the client", n)
	}
	p := results[0]
	if p.Name != "Ana Ruiz" || p.LegalName != "ACME SL" || p.TaxID != "B123" || p.Email != "ana@example.com" || p.AgentID != ag.ID ||
		p.MainContactID != c.ID || !regexp.MustCompile(`^C\d{5}$`).MatchString(p.Code) {
		t.Fatalf("data not copied: %+v", p)
	}
	same(t, "client read back", must(svc.GetParty(ctx, crm.PartyClient, p.ID))(t), p)
	if got := must(svc.GetContact(ctx, c.ID))(t); got.ClientID != p.ID {
		t.Fatal("contact not linked to its client")
	}
	if page := must(svc.ListParties(ctx, crm.PartyClient, crm.ListOptions{}))(t); len(page.Items) != 1 {
		t.Fatalf("%d clients", len(page.Items))
	}
	sup, createdSup, err := svc.Convert(ctx, c.ID, crm.PartySupplier)
	if err != nil || !createdSup || sup.Code != "P00001" || sup.AgentID != "" {
		t.Fatalf("supplier: %+v %v", sup, err)
	}
	if got := must(svc.GetContact(ctx, c.ID))(t); got.ClientID != p.ID || got.SupplierID != sup.ID {
		t.Fatalf("contact links: client %s supplier %s", got.ClientID, got.SupplierID)
	}
}

// testQuoteAccept: quotes are numbered per year and drive the
// opportunity's amount; concurrent accepts of one quote win the
// opportunity and convert the contact once; an accepted quote is final.
func testQuoteAccept(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	in := must(svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"}))(t)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"}))(t)
	o := must(svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Web", InterestID: in.ID, ApproxAmountCents: 100000}))(t)
	q1 := must(svc.CreateQuote(ctx, actor, o.ID, crm.Quote{}))(t)
	if len(q1.Lines) != 1 || q1.Lines[0].Description != "Hosting" || q1.SubtotalCents != 100000 || q1.TaxCents != 21000 || q1.TotalCents != 121000 {
		t.Fatalf("prefilled quote: %+v", q1)
	}
	if q1.Number[4:] != "-0001" {
		t.Fatalf("number %q", q1.Number)
	}
	q2 := must(svc.CreateQuote(ctx, actor, o.ID, crm.Quote{Lines: []crm.QuoteLine{{Description: "Plan", QuantityMilli: 2000, UnitPriceCents: 30000, DiscountBP: 1000, TaxBP: 2100}}}))(t)
	if q2.Number[4:] != "-0002" {
		t.Fatalf("second number %q", q2.Number)
	}
	if g := must(svc.GetOpportunity(ctx, o.ID))(t); g.AmountCents != 54000 || len(g.Quotes) != 2 {
		t.Fatalf("amount follows the latest quote: %d %v", g.AmountCents, g.Quotes)
	}
	same(t, "quotes of the opportunity", must(svc.ListQuotes(ctx, o.ID))(t), []crm.Quote{q1, q2})
	_, err := svc.UpdateQuote(ctx, actor, q2.ID, 0, func(q *crm.Quote) error { q.Status = crm.QuoteRejected; return nil })
	noErr(t, err)
	if g := must(svc.GetOpportunity(ctx, o.ID))(t); g.AmountCents != 100000 {
		t.Fatalf("amount must skip the rejected quote: %d", g.AmountCents)
	}
	var wg sync.WaitGroup
	changed := make([]bool, 3)
	for i := range changed {
		wg.Go(func() {
			_, ch, err := svc.AcceptQuote(ctx, actor, q1.ID)
			if err != nil {
				t.Errorf("accept: %v", err)
			}
			changed[i] = ch
		})
	}
	wg.Wait()
	if n := count(changed); n != 1 {
		t.Fatalf("%d accepts changed something, want 1", n)
	}
	g := must(svc.GetOpportunity(ctx, o.ID))(t)
	if g.StateID != stateNamed(t, svc, "Ganado").ID || g.ClosedAt == nil || g.AmountCents != 100000 {
		t.Fatalf("opportunity after accept: %+v", g)
	}
	if gc := must(svc.GetContact(ctx, c.ID))(t); gc.ClientID == "" {
		t.Fatal("contact not converted")
	}
	if p := must(svc.ListParties(ctx, crm.PartyClient, crm.ListOptions{}))(t); len(p.Items) != 1 {
		t.Fatalf("%d clients after concurrent accepts", len(p.Items))
	}
	if n := tabCounts(t, svc); n["Ganado"] != 1 || n["Nuevo"] != 0 {
		t.Fatalf("tabs %v", n)
	}
	_, err = svc.UpdateQuote(ctx, actor, q1.ID, 0, func(q *crm.Quote) error { q.ValidUntil = "2027-01-01"; return nil })
	wantCode(t, err, crm.CodeConflict)
}

// count counts the true values.
func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// testMainContactStays: the main contact of a client or supplier cannot be
// deleted (conflict naming the party), also when the deletion races with
// the conversion that makes it main: no party is ever left naming a
// contact that is gone.
func testMainContactStays(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	client := must(svc.CreateParty(ctx, actor, crm.Party{Kind: crm.PartyClient, Name: "ACME SL", Email: "acme@example.com"}))(t)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Pablo", Email: "pablo@example.com"}))(t)
	supplier, _, err := svc.Convert(ctx, c.ID, crm.PartySupplier)
	noErr(t, err)
	for _, p := range []crm.Party{client, supplier} {
		err := svc.DeleteContact(ctx, p.MainContactID, 0)
		if e := wantCode(t, err, crm.CodeConflict); e.ExistingID != p.ID {
			t.Fatalf("deleting the main contact of %s %s: the conflict names %q: %v", p.Kind, p.ID, e.ExistingID, err)
		}
		must(svc.GetContact(ctx, p.MainContactID))(t)
	}
	// A contact that is no party's main contact goes.
	other := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Otra"}))(t)
	noErr(t, svc.DeleteContact(ctx, other.ID, 0))

	// Deleting while converting: one of them wins, never both.
	for i := range 4 {
		d := must(svc.CreateContact(ctx, actor, crm.Contact{Name: fmt.Sprintf("Carrera %d", i)}))(t)
		var wg sync.WaitGroup
		var convErr, delErr error
		wg.Go(func() { _, _, convErr = svc.Convert(ctx, d.ID, crm.PartyClient) })
		wg.Go(func() { delErr = svc.DeleteContact(ctx, d.ID, 0) })
		wg.Wait()
		if (convErr == nil) == (delErr == nil) {
			t.Fatalf("convert (%v) and delete (%v) of one contact: want exactly one to succeed", convErr, delErr)
		}
	}
	for _, p := range must(st.ListParties(ctx, crm.PartyClient, crm.ListOptions{Limit: 10}))(t).Items {
		if _, err := st.GetContact(ctx, p.MainContactID); err != nil {
			t.Fatalf("client %s names main contact %s: %v", p.ID, p.MainContactID, err)
		}
	}
}

// testSecondAccept: an opportunity won through a quote accepts no other
// (conflict naming the accepted quote), also when two accepts of two
// quotes race; an opportunity won by moving it accepts none until it is
// reopened; and no quote written on a won opportunity (new, changed,
// rejected) changes its amount.
func testSecondAccept(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"}))(t)
	line := func(cents int64) crm.Quote {
		return crm.Quote{Lines: []crm.QuoteLine{{Description: "Obra", QuantityMilli: 1000, UnitPriceCents: cents}}}
	}
	amount := func(id string) int64 { t.Helper(); return must(svc.GetOpportunity(ctx, id))(t).AmountCents }
	wantRefused := func(q crm.Quote, accepted string) {
		t.Helper()
		_, _, err := svc.AcceptQuote(ctx, actor, q.ID)
		if e := wantCode(t, err, crm.CodeConflict); e.ExistingID != accepted {
			t.Fatalf("the conflict names %q, want the accepted quote %q: %v", e.ExistingID, accepted, err)
		}
		if got := must(svc.GetQuote(ctx, q.ID))(t); got.Status == crm.QuoteAccepted || got.Version != q.Version {
			t.Fatalf("a refused accept changed the quote: %+v", got)
		}
	}

	o := must(svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Reforma"}))(t)
	q1 := must(svc.CreateQuote(ctx, actor, o.ID, line(10000)))(t)
	q2 := must(svc.CreateQuote(ctx, actor, o.ID, line(20000)))(t)
	_, _, err := svc.AcceptQuote(ctx, actor, q1.ID)
	noErr(t, err)
	won := must(svc.GetOpportunity(ctx, o.ID))(t)
	if won.AmountCents != 10000 {
		t.Fatalf("won amount %d, want 10000", won.AmountCents)
	}
	wantRefused(q2, q1.ID)
	if _, err := svc.UpdateQuote(ctx, actor, q2.ID, 0, func(q *crm.Quote) error { q.Status = crm.QuoteAccepted; return nil }); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("accepting a second quote through an update: %v", err)
	}
	q3 := must(svc.CreateQuote(ctx, actor, o.ID, line(30000)))(t)
	must(svc.UpdateQuote(ctx, actor, q2.ID, 0, func(q *crm.Quote) error { q.Status = crm.QuoteRejected; return nil }))(t)
	must(svc.UpdateQuote(ctx, actor, q3.ID, 0, func(q *crm.Quote) error { q.Lines = line(1).Lines; return nil }))(t)
	if a := amount(o.ID); a != 10000 {
		t.Fatalf("the won amount moved to %d through other quotes, want 10000", a)
	}

	// Won by moving it: no quote changes its amount, none is accepted.
	o2 := must(svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Ampliación"}))(t)
	q4 := must(svc.CreateQuote(ctx, actor, o2.ID, line(40000)))(t)
	must(svc.UpdateOpportunity(ctx, o2.ID, 0, func(o *crm.Opportunity) error { o.StateID = stateNamed(t, svc, "Ganado").ID; return nil }))(t)
	q5 := must(svc.CreateQuote(ctx, actor, o2.ID, line(50000)))(t)
	must(svc.UpdateQuote(ctx, actor, q4.ID, 0, func(q *crm.Quote) error { q.Status = crm.QuoteRejected; return nil }))(t)
	if a := amount(o2.ID); a != 40000 {
		t.Fatalf("the amount of an opportunity won by moving it moved to %d, want 40000", a)
	}
	wantRefused(q5, "")

	// Two accepts of two quotes at once: one wins, the other is refused
	// naming it.
	for round := range 3 {
		o3 := must(svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: fmt.Sprintf("Carrera %d", round)}))(t)
		qs := []crm.Quote{must(svc.CreateQuote(ctx, actor, o3.ID, line(60000)))(t), must(svc.CreateQuote(ctx, actor, o3.ID, line(70000)))(t)}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range qs {
			wg.Go(func() { _, _, errs[i] = svc.AcceptQuote(ctx, actor, qs[i].ID) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two accepts on one opportunity: %v, %v; want one to win", errs[0], errs[1])
		}
		winner, loser := 0, 1
		if errs[0] != nil {
			winner, loser = 1, 0
		}
		if e := wantCode(t, errs[loser], crm.CodeConflict); e.ExistingID != qs[winner].ID {
			t.Fatalf("the losing accept names %q, want the winner %s", e.ExistingID, qs[winner].ID)
		}
		if a := amount(o3.ID); a != qs[winner].SubtotalCents {
			t.Fatalf("won amount %d, want the winner's %d", a, qs[winner].SubtotalCents)
		}
		if got := must(svc.GetQuote(ctx, qs[loser].ID))(t); got.Status == crm.QuoteAccepted {
			t.Fatal("both quotes accepted")
		}
	}
}
