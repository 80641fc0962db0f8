package perf

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/local"
)

// toEvents turns local change records into the Lambda stream records they
// are in AWS.
func toEvents(tb testing.TB, recs []local.Record) []events.DynamoDBEventRecord {
	out := make([]events.DynamoDBEventRecord, 0, len(recs))
	for _, r := range recs {
		b, _ := json.Marshal(r)
		var ev events.DynamoDBEventRecord
		if err := json.Unmarshal(b, &ev); err != nil {
			tb.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}
