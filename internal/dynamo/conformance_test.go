package dynamo_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/storetest"
)

// TestConformance runs the store port's conformance suite on the DynamoDB
// store, each test on a fresh minidyn table (behind dynamotest.Mend)
// reached through the real SDK client.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) crm.Store {
		tbl := dynamotest.New(t)
		return dynamo.New(tbl.Client, tbl.Name)
	})
}
