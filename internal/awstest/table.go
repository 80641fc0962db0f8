package awstest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/embudo/embudo/internal/dynamo"
)

var tableCount atomic.Int32

// Table creates a fresh table of the store's schema (dynamo.Schema) in the
// package's moto and returns a client of moto's DynamoDB and the table's
// name; the table is deleted when t ends. It skips t where moto_server is
// missing (fails it under CI=true).
func Table(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	m := StartMoto(t)
	cl := m.DynamoDB()
	name := fmt.Sprintf("embudo-test-%d", tableCount.Add(1))
	if _, err := cl.CreateTable(context.Background(), dynamo.Schema(name)); err != nil {
		t.Fatalf("awstest: create table %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = cl.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return cl, name
}
