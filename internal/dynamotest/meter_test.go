package dynamotest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/dynamotest"
)

// meterItem is an item of about size bytes with no index keys.
func meterItem(pk string, size int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s("X"), "type": s("THING"), "pad": s(strings.Repeat("x", size-len(pk)-20))}
}

// The Meter prices writes by the larger image, doubles them in a
// transaction, bills a ConditionCheck as a transactional write of the
// item it checks, counts each item's writes, and prices reads per 4 KB.
func TestMeterPrices(t *testing.T) {
	ctx := context.Background()
	tab := dynamotest.New(t)
	m := dynamotest.NewMeter(tab.Client, tab.Name)
	put := func(it map[string]types.AttributeValue) {
		t.Helper()
		if _, err := m.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tab.Name), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	put(meterItem("A", 500))  // 1 unit
	put(meterItem("B", 1500)) // 2 units
	put(meterItem("A", 1100)) // replaces 500 B with 1,100 B: 2 units
	u := m.Usage()
	if u.WriteUnits != 5 || u.IndexUnits != 0 || u.Writes["A|X"] != 2 || u.Writes["B|X"] != 1 {
		t.Fatalf("single writes: %+v", u)
	}
	m.Reset()
	_, err := m.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(tab.Name), Item: meterItem("C", 300)}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String(tab.Name), Key: map[string]types.AttributeValue{"PK": s("B"), "SK": s("X")},
			ConditionExpression: aws.String("attribute_exists(PK)")}},
		{Delete: &types.Delete{TableName: aws.String(tab.Name), Key: map[string]types.AttributeValue{"PK": s("A"), "SK": s("X")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	u = m.Usage()
	// put 2×1, check 2×2 (the 1,500-byte item), delete 2×2 (1,100 bytes)
	if u.WriteUnits != 10 || u.CheckUnits != 4 || u.Transacted["B|X"] != 1 || u.Writes["B|X"] != 0 {
		t.Fatalf("transaction: %+v", u)
	}
	m.Reset()
	if _, err := m.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tab.Name), Key: map[string]types.AttributeValue{"PK": s("B"), "SK": s("X")}, ConsistentRead: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tab.Name), Key: map[string]types.AttributeValue{"PK": s("none"), "SK": s("X")}}); err != nil {
		t.Fatal(err)
	}
	if u = m.Usage(); u.ReadUnits() != 1.5 || u.Requests != 2 {
		t.Fatalf("reads: %+v, %v read units", u, u.ReadUnits())
	}
	m.Reset()
	_, err = m.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tab.Name), Item: meterItem("C", 300), ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if u = m.Usage(); err == nil || u.Failed != 1 || u.WriteUnits != 0 {
		t.Fatalf("refused write: %v %+v", err, u)
	}
}

// An index write costs the item as the index projects it, twice for a key
// that moves, nothing when nothing it holds changes.
func TestMeterIndexes(t *testing.T) {
	ctx := context.Background()
	tab := dynamotest.New(t)
	m := dynamotest.NewMeter(tab.Client, tab.Name)
	it := meterItem("A", 500)
	it["GSI1PK"], it["GSI1SK"] = s("THING"), s("1")
	if _, err := m.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tab.Name), Item: it}); err != nil {
		t.Fatal(err)
	}
	if u := m.Usage(); u.IndexUnits != 1 {
		t.Fatalf("new item in one index: %+v", u)
	}
	upd := func(expr string) dynamotest.Usage {
		t.Helper()
		m.Reset()
		_, err := m.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(tab.Name), Key: map[string]types.AttributeValue{"PK": s("A"), "SK": s("X")},
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("2")}})
		if err != nil {
			t.Fatal(err)
		}
		return m.Usage()
	}
	if u := upd("SET GSI1SK = :v"); u.IndexUnits != 2 {
		t.Errorf("index key moved: %+v", u)
	}
	if u := upd("SET GSI1SK = :v"); u.IndexUnits != 0 || u.WriteUnits != 1 {
		t.Errorf("nothing changed: %+v", u)
	}
}
