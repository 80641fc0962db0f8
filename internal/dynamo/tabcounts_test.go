package dynamo_test

import (
	"context"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// A table of a version that kept the tab counts in one item (CONFIG /
// STATE_COUNTS) has none of the other shards: an opportunity counted on
// one of them gets the state's counter added there (checking that the
// state exists) and is written on the next try, and the counts stay exact.
func TestTabCountsOfAnEarlierTable(t *testing.T) {
	ctx := context.Background()
	tbl := dynamotest.New(t)
	svc := crm.NewService(dynamo.New(tbl.Client, tbl.Name), crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	tbl.AsEarlierTabCounts(t)
	admin := crm.User{ID: crm.NewID(svc.Clock()()), Role: crm.RoleAdmin, Active: true}
	c, err := svc.CreateContact(ctx, admin, crm.Contact{Name: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 24
	for i := range n {
		if _, err := svc.CreateOpportunity(ctx, admin, crm.Opportunity{ContactID: c.ID, Description: "op"}); err != nil {
			t.Fatalf("opportunity %d: %v", i, err)
		}
	}
	tabs, err := svc.Tabs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, tab := range tabs {
		total += tab.Count
	}
	if total != n {
		t.Fatalf("tabs %+v: %d opportunities counted, want %d", tabs, total, n)
	}
	// A state that does not exist is still refused on a shard without it.
	o := crm.Opportunity{ID: crm.NewID(svc.Clock()()), ContactID: c.ID, StateID: crm.NewID(svc.Clock()()), Description: "x",
		Currency: "EUR", Outcome: crm.OutcomeOpen, Version: 1}
	for range 8 {
		err := dynamo.New(tbl.Client, tbl.Name).Commit(ctx, crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{New: o}},
			StateCounts: map[string]int64{o.StateID: 1}})
		if e, ok := err.(*crm.Error); !ok || e.Code != crm.CodeInvalid || e.Fields["stateId"] == "" {
			t.Fatalf("an opportunity in no state: %v", err)
		}
	}
}
