package sqlite_test

// The DynamoDB adapter's service-level tests (internal/dynamo/*_test.go),
// run on this store: the same use cases must give the same results.

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/sqlite"
)

var ctx = context.Background()

// open opens a new store in a temporary directory, closed at the end of the
// test.
func open(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(ctx, t.TempDir()+"/embudo.db", sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newService(t testing.TB) (*crm.Service, *sqlite.Store) {
	t.Helper()
	st := open(t)
	svc := crm.NewService(st, crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// onBothStores keeps the dynamo tests' shape: here there is one store.
func onBothStores(t *testing.T, test func(*testing.T, *crm.Service)) {
	svc, _ := newService(t)
	test(t, svc)
}

var actor = crm.User{ID: crm.NewID(time.Now()), Role: crm.RoleAdmin, Active: true}

func mustCode(t *testing.T, err error, want crm.Code) *crm.Error {
	t.Helper()
	if got := crm.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
	e, _ := err.(*crm.Error)
	return e
}

func TestContactUniquenessAcrossEmailAndPhone(t *testing.T) {
	svc, _ := newService(t)
	a, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez", Email: " Jose@Example.com ", Phone: "+34 600 12 34 56"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "jose@example.com" || a.Phone != "+34600123456" {
		t.Fatalf("not normalised: %q %q", a.Email, a.Phone)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Otro", Email: "JOSE@example.com"})
	e := mustCode(t, err, crm.CodeConflict)
	if e.ExistingID != a.ID || e.Fields["email"] == "" {
		t.Fatalf("conflict does not name the existing contact: %+v", e)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Otro", Mobile: "600123456"})
	e = mustCode(t, err, crm.CodeConflict)
	if e.ExistingID != a.ID || e.Fields["mobile"] == "" {
		t.Fatalf("phone conflict: %+v", e)
	}
	// Changing the e-mail frees the old one and claims the new one.
	if _, err := svc.UpdateContact(ctx, a.ID, a.Version, func(c *crm.Contact) error { c.Email = "pepe@example.com"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Nuevo", Email: "jose@example.com"}); err != nil {
		t.Fatalf("old e-mail not freed: %v", err)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Nuevo", Email: "pepe@example.com"})
	mustCode(t, err, crm.CodeConflict)
	// Deleting frees the phone.
	if err := svc.DeleteContact(ctx, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Tercero", Phone: "600 123 456"}); err != nil {
		t.Fatalf("phone not freed by delete: %v", err)
	}
	_, err = svc.GetContact(ctx, a.ID)
	mustCode(t, err, crm.CodeNotFound)
}

func TestContactUpdateIsGuardedByVersion(t *testing.T) {
	svc, _ := newService(t)
	c, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.UpdateContact(ctx, c.ID, 1, func(c *crm.Contact) error { c.Company = "ACME"; return nil })
	if err != nil || u.Version != 2 || u.Company != "ACME" {
		t.Fatalf("update: %+v %v", u, err)
	}
	_, err = svc.UpdateContact(ctx, c.ID, 1, func(c *crm.Contact) error { c.Company = "Other"; return nil })
	mustCode(t, err, crm.CodePreconditionFailed)
	got, _ := svc.GetContact(ctx, c.ID)
	if got.Company != "ACME" {
		t.Fatalf("stale update was written: %q", got.Company)
	}
	// A write racing between read and write is caught by the store condition.
	st := svc.Store()
	err = st.UpdateContact(ctx, c, crm.Contact{ID: c.ID, Name: "Ana", Version: 2})
	mustCode(t, err, crm.CodePreconditionFailed)
	err = st.DeleteContact(ctx, c)
	mustCode(t, err, crm.CodePreconditionFailed)
	_, err = svc.UpdateContact(ctx, crm.NewID(time.Now()), 0, func(*crm.Contact) error { return nil })
	mustCode(t, err, crm.CodeNotFound)
}

func TestContactReferencesMustExist(t *testing.T) {
	svc, _ := newService(t)
	missing := crm.NewID(time.Now())
	for field, c := range map[string]crm.Contact{
		"sourceId":    {Name: "A", SourceID: missing},
		"agentId":     {Name: "A", AgentID: missing},
		"interestIds": {Name: "A", InterestIDs: []string{missing}},
	} {
		_, err := svc.CreateContact(ctx, actor, c)
		e := mustCode(t, err, crm.CodeInvalid)
		if e.Fields[field] == "" {
			t.Errorf("%s: error does not name the field: %+v", field, e)
		}
	}
	p, err := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{})
	if err != nil || len(p.Items) != 0 {
		t.Fatalf("a failed create wrote something: %+v %v", p.Items, err)
	}
}

func TestListContactsByEveryFilter(t *testing.T) {
	svc, _ := newService(t)
	src, _ := svc.CreateSource(ctx, crm.Source{Name: "Google Ads"})
	ag, _ := svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"})
	in, _ := svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"})
	jose, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez", Email: "jose@example.com",
		Phone: "600123456", SourceID: src.ID, AgentID: ag.ID, InterestIDs: []string{in.ID}})
	if err != nil {
		t.Fatal(err)
	}
	maria, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "María", Surname: "José", Mobile: "+34 611 22 33 44", SourceID: src.ID})
	client, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Josefa", ClientID: crm.NewID(time.Now())})
	for name, tc := range map[string]struct {
		f    crm.ContactFilter
		want []string
	}{
		"all newest first":          {crm.ContactFilter{}, []string{client.ID, maria.ID, jose.ID}},
		"q accent-folded":           {crm.ContactFilter{Query: "jose"}, []string{jose.ID, client.ID}},
		"q upper with surname":      {crm.ContactFilter{Query: "JOSÉ PÉ"}, []string{jose.ID}},
		"q surname is not a prefix": {crm.ContactFilter{Query: "perez"}, nil},
		"email any case":            {crm.ContactFilter{Email: "JOSE@EXAMPLE.COM"}, []string{jose.ID}},
		"phone other format":        {crm.ContactFilter{Phone: "+34 600 12 34 56"}, []string{jose.ID}},
		"mobile by phone":           {crm.ContactFilter{Phone: "611223344"}, []string{maria.ID}},
		"source":                    {crm.ContactFilter{SourceID: src.ID}, []string{maria.ID, jose.ID}},
		"agent":                     {crm.ContactFilter{AgentID: ag.ID}, []string{jose.ID}},
		"interest":                  {crm.ContactFilter{InterestID: in.ID}, []string{jose.ID}},
		"kind client":               {crm.ContactFilter{Kind: crm.KindClient}, []string{client.ID}},
		"kind none":                 {crm.ContactFilter{Kind: crm.KindNone}, []string{maria.ID, jose.ID}},
		"source and q":              {crm.ContactFilter{SourceID: src.ID, Query: "mar"}, []string{maria.ID}},
		"unknown email":             {crm.ContactFilter{Email: "nobody@example.com"}, nil},
	} {
		p, err := svc.ListContacts(ctx, tc.f, crm.ListOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}
	// Removing the interest removes the link.
	if _, err := svc.UpdateContact(ctx, jose.ID, 0, func(c *crm.Contact) error { c.InterestIDs = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	p, _ := svc.ListContacts(ctx, crm.ContactFilter{InterestID: in.ID}, crm.ListOptions{})
	if len(p.Items) != 0 {
		t.Fatalf("interest link not removed: %v", p.Items)
	}
}

func TestListContactsPagesWithCursor(t *testing.T) {
	svc, _ := newService(t)
	var want []string
	for i := 0; i < 7; i++ {
		c, err := svc.CreateContact(ctx, actor, crm.Contact{Name: fmt.Sprintf("Contacto %d", i), ClientID: map[bool]string{true: crm.NewID(time.Now())}[i%2 == 0]})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			want = append([]string{c.ID}, want...)
		}
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := svc.ListContacts(ctx, crm.ContactFilter{Kind: crm.KindClient}, crm.ListOptions{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if p.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		cursor = p.NextCursor
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged %v, want %v", got, want)
	}
	for _, bad := range []string{"x", "eyJwIjoiYWxsIn0", cursor + "A"} {
		_, err := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{Cursor: bad})
		mustCode(t, err, crm.CodeInvalid)
	}
	// A cursor of one access path is refused on another.
	p, _ := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{Limit: 1})
	_, err := svc.ListContacts(ctx, crm.ContactFilter{Query: "c"}, crm.ListOptions{Cursor: p.NextCursor})
	mustCode(t, err, crm.CodeInvalid)
}
func hookSource(t *testing.T, svc *crm.Service, w crm.Webhook) crm.Source {
	t.Helper()
	src, err := svc.CreateSource(ctx, crm.Source{Name: "Google Ads Enero", Webhook: &w})
	if err != nil {
		t.Fatal(err)
	}
	if src.Webhook.Token == "" {
		t.Fatal("no webhook token issued")
	}
	return src
}

func TestLeadIntake(t *testing.T) { onBothStores(t, testLeadIntake) }

func testLeadIntake(t *testing.T, svc *crm.Service) {
	in, _ := svc.CreateInterest(ctx, crm.Interest{Name: "Diseño Web"})
	src := hookSource(t, svc, crm.Webhook{Kind: crm.FormatJSON})
	got, err := svc.SourceByWebhookToken(ctx, src.Webhook.Token)
	if err != nil || got.ID != src.ID {
		t.Fatalf("source by token: %v %v", got.ID, err)
	}
	if _, err := svc.SourceByWebhookToken(ctx, "whk_nope"); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Fatalf("unknown token: %v", err)
	}

	lead := crm.Lead{Format: crm.FormatJSON, ExternalID: "msg_1", Name: "José", Surname: "Pérez", Email: "JOSE@Example.com",
		Phone: "+34 600 12 34 56", Interests: []string{"diseno web", "Nada"}, Message: "Quiero una web",
		Attribution: crm.Attribution{UTMSource: "google", GCLID: "abc"}}
	rec, dup, err := svc.IntakeLead(ctx, src, lead)
	if err != nil || dup || rec.Outcome != crm.OutcomeCreated || rec.ContactID == "" {
		t.Fatalf("first delivery: %+v %v %v", rec, dup, err)
	}
	c, _ := svc.GetContact(ctx, rec.ContactID)
	if c.Email != "jose@example.com" || c.Phone != "+34600123456" || c.SourceID != src.ID || len(c.InterestIDs) != 1 ||
		c.InterestIDs[0] != in.ID || c.Attribution.GCLID != "abc" || c.Observations != "Quiero una web" {
		t.Fatalf("contact from lead: %+v", c)
	}
	if rec.Extra["interests (unmatched)"] != "Nada" {
		t.Fatalf("unmatched interest not kept: %v", rec.Extra)
	}
	again, dup, err := svc.IntakeLead(ctx, src, lead)
	if err != nil || !dup || again.ID != rec.ID {
		t.Fatalf("retried delivery: %+v %v %v", again, dup, err)
	}

	// Same person by phone in another format: merged, empty fields filled,
	// nothing overwritten.
	m, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatJSON, ExternalID: "msg_2", Name: "Pepe",
		Phone: "600123456", Company: "Talleres Pérez", Email: "otro@example.com", MarketingConsent: true})
	if err != nil || m.Outcome != crm.OutcomeMerged || m.ContactID != c.ID {
		t.Fatalf("merge: %+v %v", m, err)
	}
	c2, _ := svc.GetContact(ctx, c.ID)
	if c2.Name != "José" || c2.Email != "jose@example.com" || c2.Company != "Talleres Pérez" || !c2.MarketingConsent || c2.Version != 2 {
		t.Fatalf("merged contact: %+v", c2)
	}
	// The other e-mail was not claimed for him (he has one).
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Otro", Email: "otro@example.com"}); err != nil {
		t.Fatalf("an e-mail the merge did not write was claimed: %v", err)
	}
	// A contact with no phone gets the lead's phone and its claim.
	ana, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	if r, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatJSON, Email: "ana@example.com", Phone: "611 22 33 44"}); err != nil || r.ContactID != ana.ID {
		t.Fatalf("merge by e-mail: %+v %v", r, err)
	}
	if p, _ := svc.ListContacts(ctx, crm.ContactFilter{Phone: "611223344"}, crm.ListOptions{}); len(p.Items) != 1 || p.Items[0].ID != ana.ID {
		t.Fatalf("phone added by the merge not searchable: %v", p.Items)
	}

	// Unreachable leads are refused; test and spam leads make no contact.
	if _, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatJSON, Message: "hola"}); crm.ErrorCode(err) != crm.CodeUnprocessable {
		t.Fatalf("empty lead: %v", err)
	}
	before, _ := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{})
	for _, l := range []crm.Lead{{Format: crm.FormatGoogleAds, ExternalID: "t1", Name: "Test", IsTest: true}, {Format: crm.FormatForm, Name: "Bot", Email: "bot@spam.example", Spam: true}} {
		r, _, err := svc.IntakeLead(ctx, src, l)
		if err != nil || r.ContactID != "" || (r.Outcome != crm.OutcomeTest && r.Outcome != crm.OutcomeSpam) {
			t.Fatalf("%+v %v", r, err)
		}
	}
	after, _ := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{})
	if len(after.Items) != len(before.Items) {
		t.Fatal("a test or spam lead created a contact")
	}
}

func TestConcurrentIdenticalDeliveriesStoreOneLead(t *testing.T) {
	onBothStores(t, func(t *testing.T, svc *crm.Service) {
		src := hookSource(t, svc, crm.Webhook{Kind: crm.FormatGoogleAds, Secret: "k", CreateOpportunity: true})
		var wg sync.WaitGroup
		recs := make([]crm.LeadRecord, 6)
		for i := range recs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatGoogleAds, ExternalID: "lead-42", Name: "Ana", Email: "ana@example.com"})
				if err != nil {
					t.Errorf("delivery %d: %v", i, err)
				}
				recs[i] = r
			}()
		}
		wg.Wait()
		for _, r := range recs {
			if r.ID != recs[0].ID || r.ContactID != recs[0].ContactID {
				t.Fatalf("deliveries disagree: %+v vs %+v", r, recs[0])
			}
		}
		p, _ := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{})
		o, _ := svc.ListOpportunities(ctx, crm.OpportunityFilter{}, crm.ListOptions{})
		if len(p.Items) != 1 || len(o.Items) != 1 || o.Items[0].SourceID != src.ID {
			t.Fatalf("%d contacts and %d opportunities from one lead", len(p.Items), len(o.Items))
		}
	})
}

func TestRoundRobinAssignment(t *testing.T) {
	onBothStores(t, func(t *testing.T, svc *crm.Service) {
		a, _ := svc.CreateAgent(ctx, crm.Agent{Code: "A", Name: "A", Active: true})
		b, _ := svc.CreateAgent(ctx, crm.Agent{Code: "B", Name: "B", Active: true})
		svc.CreateAgent(ctx, crm.Agent{Code: "C", Name: "C", Active: false})
		src := hookSource(t, svc, crm.Webhook{Kind: crm.FormatForm, Assignment: crm.AssignRoundRobin})
		seen := map[string]int{}
		for i := 0; i < 4; i++ {
			r, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatForm, Name: "L", Phone: "60000000" + string(rune('1'+i))})
			if err != nil {
				t.Fatal(err)
			}
			c, _ := svc.GetContact(ctx, r.ContactID)
			seen[c.AgentID]++
		}
		if seen[a.ID] != 2 || seen[b.ID] != 2 {
			t.Fatalf("round robin over active agents: %v", seen)
		}
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
