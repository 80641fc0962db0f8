package dynamotest_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/dynamotest"
)

// A BatchWriteItem yields a record per item it changed: an INSERT for a new
// item, a MODIFY for a changed one, none for an item put as it was.
func TestBatchWriteItemIsCaptured(t *testing.T) {
	tbl, c := dynamotest.NewCapturing(t)
	var got []dynamotest.Record
	c.OnChange = func(r []dynamotest.Record) { got = append(got, r...) }
	item := func(sk, name string) types.WriteRequest {
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "X"}, "SK": &types.AttributeValueMemberS{Value: sk},
			"name": &types.AttributeValueMemberS{Value: name}}}}
	}
	write := func(reqs ...types.WriteRequest) {
		t.Helper()
		if _, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tbl.Name: reqs}}); err != nil {
			t.Fatal(err)
		}
	}
	write(item("a", "Ana"), item("b", "Eva"))
	write(item("a", "Ana"), item("b", "Eva María"))
	var names []string
	for _, ev := range dynamotest.Events(t, got) {
		names = append(names, ev.EventName+" "+ev.Change.Keys["SK"].String())
	}
	if strings.Join(names, ",") != "INSERT a,INSERT b,MODIFY b" {
		t.Fatalf("records %v", names)
	}
	out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tbl.Name)})
	if err != nil || len(out.Items) != 2 {
		t.Fatalf("scan through the capture: %v %v", out, err)
	}
}

// InStream drops what the stream's filter drops: the INSERT of an item
// embudo copy wrote, not its later changes.
func TestInStreamDropsCopiedInserts(t *testing.T) {
	img := map[string]events.DynamoDBAttributeValue{"type": events.NewStringAttribute("CONTACT"), "copied": events.NewStringAttribute("2026-01-01T00:00:00Z")}
	if dynamotest.InStream(events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{NewImage: img}}) {
		t.Error("a copied INSERT is delivered")
	}
	if !dynamotest.InStream(events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{OldImage: img, NewImage: img}}) {
		t.Error("a MODIFY of a copied item is not delivered")
	}
}
