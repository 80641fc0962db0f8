package perf

import (
	"context"
	"fmt"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// pipelineRig adds a contact and the seeded states to the rig.
func pipelineRig(b *testing.B) (*rig, crm.Contact, []crm.State) {
	r := newRig(b)
	c, err := r.svc.CreateContact(context.Background(), crm.User{}, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	states, err := r.svc.ListStates(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	r.serve(b, "GET", "/v1/opportunities/tabs", "", 200) // warm the token cache
	return r, c, states
}

func (r *rig) seedOpportunities(b *testing.B, c crm.Contact, n int) []crm.Opportunity {
	out := make([]crm.Opportunity, n)
	for i := range n {
		o, err := r.svc.CreateOpportunity(context.Background(), crm.User{}, crm.Opportunity{ContactID: c.ID, Description: fmt.Sprintf("Op %d", i), ApproxAmountCents: 100000})
		if err != nil {
			b.Fatal(err)
		}
		out[i] = o
	}
	return out
}

func BenchmarkCreateOpportunity(b *testing.B) {
	r, c, _ := pipelineRig(b)
	body := fmt.Sprintf(`{"contactId":%q,"description":"Web nueva","approxAmountCents":250000}`, c.ID)
	r.measure(b, func(int) { r.serve(b, "POST", "/v1/opportunities", body, 201) })
}

func BenchmarkMoveOpportunityState(b *testing.B) {
	r, c, states := pipelineRig(b)
	ops := r.seedOpportunities(b, c, 200)
	r.measure(b, func(i int) {
		st := states[(i/len(ops)+1)%3] // the three open states, in turn
		r.serve(b, "PATCH", "/v1/opportunities/"+ops[i%len(ops)].ID, fmt.Sprintf(`{"stateId":%q}`, st.ID), 200)
	})
}

func BenchmarkListTab(b *testing.B) {
	r, c, states := pipelineRig(b)
	r.seedOpportunities(b, c, 500)
	path := "/v1/opportunities?limit=50&stateId=" + states[0].ID
	r.measure(b, func(int) { r.serve(b, "GET", path, "", 200) })
}

func BenchmarkTabs(b *testing.B) {
	r, c, _ := pipelineRig(b)
	r.seedOpportunities(b, c, 500)
	r.measure(b, func(int) { r.serve(b, "GET", "/v1/opportunities/tabs", "", 200) })
}

func BenchmarkGenerateQuote(b *testing.B) {
	r, c, _ := pipelineRig(b)
	ops := r.seedOpportunities(b, c, 100)
	body := `{"lines":[{"description":"Plan anual","quantity":1.5,"unitPriceCents":45000,"discountPct":12.5,"taxPct":21},{"description":"Alta","quantity":1,"unitPriceCents":9900,"taxPct":21}]}`
	r.measure(b, func(i int) { r.serve(b, "POST", "/v1/opportunities/"+ops[i%len(ops)].ID+"/quotes", body, 201) })
}
