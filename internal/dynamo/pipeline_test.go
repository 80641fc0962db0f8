package dynamo_test

import (
	"io"
	"log/slog"
	"regexp"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/local"
)

// onBothStores runs a pipeline test on minidyn's transactions and on the
// local runtime's own (internal/local runs TransactWriteItems itself).
func onBothStores(t *testing.T, test func(*testing.T, *crm.Service)) {
	t.Run("minidyn", func(t *testing.T) {
		svc, _ := newService(t)
		test(t, svc)
	})
	t.Run("local", func(t *testing.T) {
		st, err := local.Open(ctx, local.Options{DataDir: t.TempDir(), Table: dynamo.Schema("embudo"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		svc := crm.NewService(dynamo.New(st.DB, "embudo"), crm.Config{})
		if err := svc.EnsureSeeded(ctx); err != nil {
			t.Fatal(err)
		}
		test(t, svc)
	})
}

func stateNamed(t *testing.T, svc *crm.Service, name string) crm.State {
	t.Helper()
	states, err := svc.ListStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no state %q", name)
	return crm.State{}
}

func tabCounts(t *testing.T, svc *crm.Service) map[string]int64 {
	t.Helper()
	tabs, err := svc.Tabs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, tb := range tabs {
		out[tb.State.Name] = tb.Count
	}
	return out
}

func TestOpportunityLifecycle(t *testing.T) { onBothStores(t, testOpportunityLifecycle) }

func testOpportunityLifecycle(t *testing.T, svc *crm.Service) {
	src, _ := svc.CreateSource(ctx, crm.Source{Name: "Feria"})
	ag, _ := svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"})
	in, _ := svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"})
	c, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Company: "ACME", Email: "ana@example.com", SourceID: src.ID, AgentID: ag.ID})
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Web nueva", InterestID: in.ID, ApproxAmountCents: 120000})
	if err != nil {
		t.Fatal(err)
	}
	nuevo, ganado, perdido := stateNamed(t, svc, "Nuevo"), stateNamed(t, svc, "Ganado"), stateNamed(t, svc, "Perdido")
	if o.Number != 1 || o.StateID != nuevo.ID || o.AgentID != ag.ID || o.SourceID != src.ID || o.Currency != "EUR" || o.ClosedAt != nil {
		t.Fatalf("defaults: %+v", o)
	}
	got, _ := svc.GetContact(ctx, c.ID)
	if len(got.InterestIDs) != 1 || got.InterestIDs[0] != in.ID {
		t.Fatalf("the opportunity's interest was not linked to the contact: %v", got.InterestIDs)
	}
	o2, _ := svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Otra"})
	if o2.Number != 2 {
		t.Fatalf("second number %d", o2.Number)
	}
	if n := tabCounts(t, svc); n["Nuevo"] != 2 {
		t.Fatalf("tabs %v", n)
	}
	// Attribution stays with the opportunity when the contact's source changes.
	src2, _ := svc.CreateSource(ctx, crm.Source{Name: "Web"})
	svc.UpdateContact(ctx, c.ID, 0, func(c *crm.Contact) error { c.SourceID = src2.ID; return nil })
	if g, _ := svc.GetOpportunity(ctx, o.ID); g.SourceID != src.ID {
		t.Fatalf("attribution moved with the contact: %s", g.SourceID)
	}

	won, err := svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.StateID = ganado.ID; return nil })
	if err != nil || won.ClosedAt == nil {
		t.Fatalf("won: %+v %v", won, err)
	}
	_, err = svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.Description = "x"; return nil })
	if e := mustCode(t, err, crm.CodeConflict); e.Fields["description"] == "" {
		t.Fatalf("locking does not name the field: %+v", e)
	}
	lost, err := svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.StateID, o.LostReason = perdido.ID, "Precio"; return nil })
	if err != nil || lost.LostReason != "Precio" || lost.ClosedAt == nil || !lost.ClosedAt.Equal(*won.ClosedAt) {
		t.Fatalf("lost: %+v %v", lost, err)
	}
	open, err := svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.StateID = nuevo.ID; o.Description = "Reabierta"; return nil })
	if err != nil || open.ClosedAt != nil || open.LostReason != "" || open.Description != "Reabierta" {
		t.Fatalf("reopen: %+v %v", open, err)
	}
	_, err = svc.UpdateOpportunity(ctx, o.ID, 0, func(o *crm.Opportunity) error { o.LostReason = "x"; return nil })
	mustCode(t, err, crm.CodeInvalid)
	if n := tabCounts(t, svc); n["Nuevo"] != 2 || n["Ganado"] != 0 || n["Perdido"] != 0 {
		t.Fatalf("tabs after moves %v", n)
	}
	// A state in use cannot be deleted; the contact cannot either.
	negociacion := stateNamed(t, svc, "En negociación")
	svc.UpdateOpportunity(ctx, o2.ID, 0, func(o *crm.Opportunity) error { o.StateID = negociacion.ID; return nil })
	mustCode(t, svc.DeleteState(ctx, negociacion.ID, 0), crm.CodeConflict)
	mustCode(t, svc.DeleteContact(ctx, c.ID, 0), crm.CodeConflict)

	for name, f := range map[string]crm.OpportunityFilter{
		"state": {StateID: negociacion.ID}, "agent": {AgentID: ag.ID}, "contact": {ContactID: c.ID},
		"interest": {InterestID: in.ID}, "source": {SourceID: src.ID},
	} {
		p, err := svc.ListOpportunities(ctx, f, crm.ListOptions{})
		if err != nil || len(p.Items) == 0 {
			t.Errorf("filter %s: %v %v", name, p.Items, err)
		}
		for _, it := range p.Items {
			if !f.Matches(it) {
				t.Errorf("filter %s returned %s", name, it.ID)
			}
		}
	}
}

func TestBulkMoveIsAllOrNothing(t *testing.T) { onBothStores(t, testBulkMoveIsAllOrNothing) }

func testBulkMoveIsAllOrNothing(t *testing.T, svc *crm.Service) {
	c, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"})
	var ids []string
	for i := 0; i < 5; i++ {
		o, err := svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "op"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	ganado := stateNamed(t, svc, "Ganado")
	_, err := svc.BulkMove(ctx, append(ids, crm.NewID(c.CreatedAt)), ganado.ID)
	if e := mustCode(t, err, crm.CodeInvalid); e.Fields["ids[5]"] == "" {
		t.Fatalf("unknown ID not named: %+v", e)
	}
	if n := tabCounts(t, svc); n["Ganado"] != 0 || n["Nuevo"] != 5 {
		t.Fatalf("a failed bulk move moved something: %v", n)
	}
	moved, err := svc.BulkMove(ctx, ids, ganado.ID)
	if err != nil || moved != 5 {
		t.Fatalf("bulk: %d %v", moved, err)
	}
	if n := tabCounts(t, svc); n["Ganado"] != 5 || n["Nuevo"] != 0 {
		t.Fatalf("tabs %v", n)
	}
	if moved, _ := svc.BulkMove(ctx, ids, ganado.ID); moved != 0 {
		t.Fatalf("moving into the state they are in moved %d", moved)
	}
}

func TestConvertIsAtomicAndIdempotentUnderRace(t *testing.T) {
	onBothStores(t, testConvertIsAtomicAndIdempotentUnderRace)
}

func testConvertIsAtomicAndIdempotentUnderRace(t *testing.T, svc *crm.Service) {
	ag, _ := svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"})
	c, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Surname: "Ruiz", Company: "ACME SL", TaxID: "b123", Email: "ana@example.com", Phone: "600111222", AgentID: ag.ID})
	var wg sync.WaitGroup
	results := make([]crm.Party, 4)
	created := make([]bool, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], created[i], errs[i] = svc.Convert(ctx, c.ID, crm.PartyClient)
		}()
	}
	wg.Wait()
	n := 0
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("convert %d: %v", i, errs[i])
		}
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
	if p.Name != "Ana Ruiz" || p.LegalName != "ACME SL" || p.TaxID != "B123" || p.Email != "ana@example.com" || p.AgentID != ag.ID || p.MainContactID != c.ID || !regexp.MustCompile(`^C\d{5}$`).MatchString(p.Code) {
		t.Fatalf("data not copied: %+v", p)
	}
	got, _ := svc.GetContact(ctx, c.ID)
	if got.ClientID != p.ID {
		t.Fatal("contact not linked to its client")
	}
	page, _ := svc.ListParties(ctx, crm.PartyClient, crm.ListOptions{})
	if len(page.Items) != 1 {
		t.Fatalf("%d clients", len(page.Items))
	}
	// A contact may be both.
	sup, created1, err := svc.Convert(ctx, c.ID, crm.PartySupplier)
	if err != nil || !created1 || sup.Code != "P00001" || sup.AgentID != "" {
		t.Fatalf("supplier: %+v %v", sup, err)
	}
}

func TestQuoteAcceptWinsConvertsOnce(t *testing.T) { onBothStores(t, testQuoteAcceptWinsConvertsOnce) }

func testQuoteAcceptWinsConvertsOnce(t *testing.T, svc *crm.Service) {
	in, _ := svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"})
	c, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	o, _ := svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "Web", InterestID: in.ID, ApproxAmountCents: 100000})
	q1, err := svc.CreateQuote(ctx, actor, o.ID, crm.Quote{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q1.Lines) != 1 || q1.Lines[0].Description != "Hosting" || q1.SubtotalCents != 100000 || q1.TaxCents != 21000 || q1.TotalCents != 121000 {
		t.Fatalf("prefilled quote: %+v", q1)
	}
	if q1.Number[4:] != "-0001" {
		t.Fatalf("number %q", q1.Number)
	}
	q2, _ := svc.CreateQuote(ctx, actor, o.ID, crm.Quote{Lines: []crm.QuoteLine{{Description: "Plan", QuantityMilli: 2000, UnitPriceCents: 30000, DiscountBP: 1000, TaxBP: 2100}}})
	if g, _ := svc.GetOpportunity(ctx, o.ID); g.AmountCents != 54000 || len(g.Quotes) != 2 {
		t.Fatalf("amount follows the latest quote: %d %v", g.AmountCents, g.Quotes)
	}
	if _, err := svc.UpdateQuote(ctx, actor, q2.ID, 0, func(q *crm.Quote) error { q.Status = crm.QuoteRejected; return nil }); err != nil {
		t.Fatal(err)
	}
	if g, _ := svc.GetOpportunity(ctx, o.ID); g.AmountCents != 100000 {
		t.Fatalf("amount must skip the rejected quote: %d", g.AmountCents)
	}
	var wg sync.WaitGroup
	changed := make([]bool, 3)
	for i := range changed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ch, err := svc.AcceptQuote(ctx, actor, q1.ID)
			if err != nil {
				t.Errorf("accept: %v", err)
			}
			changed[i] = ch
		}()
	}
	wg.Wait()
	if n := changed[0] && !changed[1] && !changed[2] || !changed[0] && changed[1] && !changed[2] || !changed[0] && !changed[1] && changed[2]; !n {
		t.Fatalf("accepts that changed something: %v", changed)
	}
	g, _ := svc.GetOpportunity(ctx, o.ID)
	if g.StateID != stateNamed(t, svc, "Ganado").ID || g.ClosedAt == nil || g.AmountCents != 100000 {
		t.Fatalf("opportunity after accept: %+v", g)
	}
	gc, _ := svc.GetContact(ctx, c.ID)
	if gc.ClientID == "" {
		t.Fatal("contact not converted")
	}
	if p, _ := svc.ListParties(ctx, crm.PartyClient, crm.ListOptions{}); len(p.Items) != 1 {
		t.Fatalf("%d clients after concurrent accepts", len(p.Items))
	}
	if n := tabCounts(t, svc); n["Ganado"] != 1 || n["Nuevo"] != 0 {
		t.Fatalf("tabs %v", n)
	}
	_, err = svc.UpdateQuote(ctx, actor, q1.ID, 0, func(q *crm.Quote) error { q.ValidUntil = "2027-01-01"; return nil })
	mustCode(t, err, crm.CodeConflict)
}
