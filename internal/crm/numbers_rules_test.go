package crm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// failingCommit is a store whose next Commit fails.
type failingCommit struct {
	crm.Store
	fail bool
}

func (f *failingCommit) Commit(ctx context.Context, b crm.Batch) error {
	if f.fail {
		f.fail = false
		return crm.Internal(errors.New("the store failed"))
	}
	return f.Store.Commit(ctx, b)
}

// A lead that is refused after it took an opportunity number and a
// round-robin turn from the instance's block gives both back: the next
// lead gets them, so a refused lead leaves no gap and skips no agent.
func TestRefusedLeadGivesItsNumbersBack(t *testing.T) {
	r := newRig(t)
	st := &failingCommit{Store: r.st}
	svc := crm.NewService(st, crm.Config{NumberBlock: 8})
	var agents []crm.Agent
	for _, code := range []string{"A", "B"} {
		a, err := svc.CreateAgent(bg, crm.Agent{Code: code, Name: "Agente " + code, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a)
	}
	src, err := svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatJSON,
		Assignment: crm.AssignRoundRobin, CreateOpportunity: true}})
	if err != nil {
		t.Fatal(err)
	}
	lead := func(email string) (crm.Opportunity, crm.Contact) {
		t.Helper()
		rec, _, err := svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatJSON, Name: "Lead", Email: email})
		if err != nil {
			t.Fatal(err)
		}
		o, err := svc.GetOpportunity(bg, rec.OpportunityID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := svc.GetContact(bg, rec.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		return o, c
	}
	o1, c1 := lead("uno@example.com")
	st.fail = true
	if _, _, err := svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatJSON, Name: "Lead", Email: "dos@example.com"}); crm.ErrorCode(err) != crm.CodeInternal {
		t.Fatalf("the refused lead: %v", err)
	}
	o2, c2 := lead("dos@example.com")
	if o1.Number != 1 || o2.Number != 2 {
		t.Fatalf("numbers %d, %d: want 1, 2", o1.Number, o2.Number)
	}
	if c1.AgentID != agents[0].ID || c2.AgentID != agents[1].ID {
		t.Fatalf("agents %s, %s: want %s, %s in turn", c1.AgentID, c2.AgentID, agents[0].ID, agents[1].ID)
	}
}
