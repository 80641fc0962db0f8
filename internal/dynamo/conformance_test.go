package dynamo_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/storetest"
)

// TestConformance runs the store port's conformance suite on the DynamoDB
// store, each test on a fresh minidyn table reached through the real SDK
// client.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) crm.Store {
		tbl := dynamotest.New(t)
		return dynamo.New(tbl.Client, tbl.Name)
	},
		// Deleting a state removes its counter attribute (UpdateItem REMOVE),
		// and the counter update of a batch requires the attribute. minidyn
		// (v0.8.2) ignores REMOVE of a top-level attribute, so on it the
		// deleted state keeps a counter and still takes opportunities;
		// DynamoDB removes it and the store refuses them.
		storetest.Skip("States/DeletedStateTakesNoOpportunities",
			"minidyn ignores UpdateItem REMOVE of a top-level attribute: a deleted state's counter survives"))
}
