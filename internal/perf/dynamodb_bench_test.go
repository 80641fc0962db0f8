package perf

import "testing"

// BenchmarkDynamoDBRequests counts the DynamoDB requests each API request
// makes on the DynamoDB adapter (the deployed store; `embudo serve
// --dynamodb-endpoint`), as ddb-req/op: the same scenarios as the SQLite
// benchmarks, on minidyn with at most 200 contacts (the counts do not
// depend on the table's size), and an import op is a batch of 500 rows.
// Its times are minidyn's in this process, not DynamoDB's: only the counts
// are the point.
func BenchmarkDynamoDBRequests(b *testing.B) {
	open := func(b *testing.B, contacts int) *rig { return newDynamoRig(b, min(contacts, 200)) }
	for _, group := range []struct {
		name string
		scs  []scenario
	}{
		{"Contacts", contactScenarios}, {"Pipeline", pipelineScenarios}, {"Leads", leadScenarios},
		{"Import", importScenarios}, {"SourceReport", reportScenarios},
	} {
		b.Run(group.name, func(b *testing.B) { runScenarios(b, group.scs, open) })
	}
}
