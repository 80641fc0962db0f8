package perf

import (
	"context"
	"fmt"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// pipelineSetup adds a contact to the rig, warms the token cache and
// returns the contact and the seeded states.
func pipelineSetup(b *testing.B, r *rig) (crm.Contact, []crm.State) {
	c, err := r.svc.CreateContact(context.Background(), crm.User{}, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	states, err := r.svc.ListStates(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	r.serve(b, "GET", "/v1/opportunities/tabs", "", 200)
	return c, states
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

// pipelineScenarios are the pipeline requests, each on a contact with
// opportunities seeded first (200 for moves, 100 for quotes, 500 for the
// tab list and the tabs).
var pipelineScenarios = []scenario{
	{"CreateOpportunity", 0, func(b *testing.B, r *rig) func(int) {
		c, _ := pipelineSetup(b, r)
		body := fmt.Sprintf(`{"contactId":%q,"description":"Web nueva","approxAmountCents":250000}`, c.ID)
		return func(int) { r.serve(b, "POST", "/v1/opportunities", body, 201) }
	}},
	{"MoveOpportunityState", 0, func(b *testing.B, r *rig) func(int) {
		c, states := pipelineSetup(b, r)
		ops := r.seedOpportunities(b, c, 200)
		return func(i int) {
			st := states[(i/len(ops)+1)%3] // the three open states, in turn
			r.serve(b, "PATCH", "/v1/opportunities/"+ops[i%len(ops)].ID, fmt.Sprintf(`{"stateId":%q}`, st.ID), 200)
		}
	}},
	{"ListTab", 0, func(b *testing.B, r *rig) func(int) {
		c, states := pipelineSetup(b, r)
		r.seedOpportunities(b, c, 500)
		path := "/v1/opportunities?limit=50&stateId=" + states[0].ID
		return func(int) { r.serve(b, "GET", path, "", 200) }
	}},
	{"Tabs", 0, func(b *testing.B, r *rig) func(int) {
		c, _ := pipelineSetup(b, r)
		r.seedOpportunities(b, c, 500)
		return func(int) { r.serve(b, "GET", "/v1/opportunities/tabs", "", 200) }
	}},
	{"GenerateQuote", 0, func(b *testing.B, r *rig) func(int) {
		c, _ := pipelineSetup(b, r)
		ops := r.seedOpportunities(b, c, 100)
		body := `{"lines":[{"description":"Plan anual","quantity":1.5,"unitPriceCents":45000,"discountPct":12.5,"taxPct":21},{"description":"Alta","quantity":1,"unitPriceCents":9900,"taxPct":21}]}`
		return func(i int) { r.serve(b, "POST", "/v1/opportunities/"+ops[i%len(ops)].ID+"/quotes", body, 201) }
	}},
}

// BenchmarkPipeline: the pipeline requests through the API handler on the
// SQLite store as `embudo serve` runs it; p50 and p99 of each request.
func BenchmarkPipeline(b *testing.B) {
	runScenarios(b, pipelineScenarios, newRig)
}
