package dynamotest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// mendTable starts minidyn behind h(minidyn) and creates a table of
// dynamo.Schema in it.
func mendTable(t *testing.T, h func(http.Handler) http.Handler) *dynamodb.Client {
	t.Helper()
	hs := httptest.NewServer(h(server.NewServer()))
	t.Cleanup(hs.Close)
	db := dynamotest.Client(hs.URL)
	if _, err := db.CreateTable(ctx, dynamo.Schema("t")); err != nil {
		t.Fatal(err)
	}
	return db
}

func raw(h http.Handler) http.Handler { return h }

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// reminder is a note with a pending reminder: it is in the sparse GSI4.
func reminder(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s("NOTE#" + id), "SK": s("NOTE"), "text": s("llamar"),
		"GSI4PK": s("REMINDER"), "GSI4SK": s("2030-01-01#" + id)}
}

// Gap 1: an item that loses a secondary index's key attributes leaves the
// index; a query on the index still answers, without it.
func TestMendDropsAnItemFromASparseIndex(t *testing.T) {
	key := map[string]types.AttributeValue{"PK": s("NOTE#1"), "SK": s("NOTE")}
	cleared := map[string]types.AttributeValue{"PK": s("NOTE#1"), "SK": s("NOTE"), "text": s("llamar")}
	for name, clear := range map[string]func(db *dynamodb.Client) error{
		"PutItem": func(db *dynamodb.Client) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: cleared})
			return err
		},
		"UpdateItem": func(db *dynamodb.Client) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key,
				UpdateExpression: aws.String("REMOVE GSI4PK, GSI4SK")})
			return err
		},
		"TransactWriteItems": func(db *dynamodb.Client) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("t"), Item: cleared}}}})
			return err
		},
		"BatchWriteItem": func(db *dynamodb.Client) error {
			_, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"t": {{PutRequest: &types.PutRequest{Item: cleared}}}}})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// query returns the IDs of the notes in GSI4.
			query := func(db *dynamodb.Client) ([]string, error) {
				out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t"), IndexName: aws.String("GSI4"),
					KeyConditionExpression:    aws.String("GSI4PK = :pk AND begins_with(GSI4SK, :day)"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("REMINDER"), ":day": s("2030-01-01")}})
				if err != nil {
					return nil, err
				}
				var ids []string
				for _, it := range out.Items {
					ids = append(ids, it["PK"].(*types.AttributeValueMemberS).Value)
				}
				return ids, nil
			}
			run := func(db *dynamodb.Client) ([]string, error) {
				for _, id := range []string{"1", "2"} {
					if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: reminder(id)}); err != nil {
						t.Fatal(err)
					}
				}
				if err := clear(db); err != nil {
					t.Fatal(err)
				}
				return query(db)
			}
			if got, err := run(mendTable(t, raw)); err == nil && len(got) == 1 && got[0] == "NOTE#2" {
				t.Log("minidyn alone now gets this right: Mend may go")
			} else {
				t.Logf("minidyn alone: the index holds %v, error %v", got, err)
			}
			got, err := run(mendTable(t, dynamotest.Mend))
			if err != nil {
				t.Fatalf("query after the item left the index: %v", err)
			}
			if len(got) != 1 || got[0] != "NOTE#2" {
				t.Fatalf("the index holds %v, want [NOTE#2]", got)
			}
		})
	}
}

// Gap 2: an UpdateItem's REMOVE of top-level attributes takes effect, alone
// or in a transaction, and an ALL_NEW answer goes without them.
func TestMendRemove(t *testing.T) {
	key := map[string]types.AttributeValue{"PK": s("STATE#1"), "SK": s("STATE")}
	item := map[string]types.AttributeValue{"PK": s("STATE#1"), "SK": s("STATE"), "name": s("won"),
		"count": &types.AttributeValueMemberN{Value: "3"}, "color": s("green"), "tags": &types.AttributeValueMemberM{
			Value: map[string]types.AttributeValue{"a": s("x"), "b": s("y")}}}
	// A REMOVE between other clauses, with a placeholder, a plain name and
	// a nested path.
	expr := "SET #n = :n REMOVE #c, color, tags.a ADD version :one"
	names := map[string]string{"#n": "name", "#c": "count"}
	vals := map[string]types.AttributeValue{":n": s("lost"), ":one": &types.AttributeValueMemberN{Value: "1"}}
	check := func(t *testing.T, db *dynamodb.Client, returned map[string]types.AttributeValue) {
		t.Helper()
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for what, it := range map[string]map[string]types.AttributeValue{"item": out.Item, "answer": returned} {
			if it == nil {
				continue
			}
			for _, a := range []string{"count", "color"} {
				if it[a] != nil {
					t.Errorf("the %s keeps the REMOVEd %s", what, a)
				}
			}
			if it["name"].(*types.AttributeValueMemberS).Value != "lost" || it["version"] == nil {
				t.Errorf("the %s lost the SET or the ADD: %v", what, it)
			}
			if tags := it["tags"].(*types.AttributeValueMemberM).Value; tags["a"] != nil || tags["b"] == nil {
				t.Errorf("the %s has tags %v, want only b", what, tags)
			}
		}
	}
	put := func(t *testing.T, db *dynamodb.Client) {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("UpdateItem", func(t *testing.T) {
		t.Parallel()
		db := mendTable(t, dynamotest.Mend)
		put(t, db)
		out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key,
			UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
			ReturnValues: types.ReturnValueAllNew})
		if err != nil {
			t.Fatal(err)
		}
		check(t, db, out.Attributes)
	})
	t.Run("TransactWriteItems", func(t *testing.T) {
		t.Parallel()
		db := mendTable(t, dynamotest.Mend)
		put(t, db)
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String("t"), Key: key, UpdateExpression: aws.String(expr),
				ExpressionAttributeNames: names, ExpressionAttributeValues: vals}}}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, db, nil)
	})
}
