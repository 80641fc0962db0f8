package dynamo_test

import (
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

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
