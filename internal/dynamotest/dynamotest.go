// Package dynamotest starts a DynamoDB-protocol server (minidyn's HTTP
// server) for tests and connects the real aws-sdk-go-v2 client to it.
package dynamotest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/internal/dynamo"
)

// Table is a running minidyn server with the Embudo table created.
type Table struct {
	Server *server.Server // for failure emulation
	URL    string         // minidyn behind Mend
	Client *dynamodb.Client
	Name   string
}

// Client returns an SDK client for the DynamoDB endpoint url, with static
// credentials and the SDK's default retries (a rare dropped loopback
// connection from the test server is retried, as it would be in AWS).
func Client(url string) *dynamodb.Client {
	cfg := aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(url)
		o.DisableValidateResponseChecksum = true // minidyn sends no CRC32
	})
}

// New starts a server for the test, creates the table from dynamo.Schema
// and stops the server at the end of the test. The server is minidyn's
// behind Mend, which makes its writes behave as DynamoDB's.
func New(tb testing.TB) *Table {
	tb.Helper()
	srv := server.NewServer()
	hs := httptest.NewServer(Mend(srv))
	tb.Cleanup(hs.Close)
	t := &Table{Server: srv, URL: hs.URL, Client: Client(hs.URL), Name: "embudo-test"}
	if _, err := t.Client.CreateTable(context.Background(), dynamo.Schema(t.Name)); err != nil {
		tb.Fatalf("create table: %v", err)
	}
	return t
}

// AsEarlierTabCounts makes the table's tab counts look as a table of a
// version before they were sharded keeps them: only CONFIG / STATE_COUNTS,
// without the shards CONFIG / STATE_COUNTS#01..#15 (internal/dynamo's
// tabcounts.go), for tests of how such a table is brought forward.
func (t *Table) AsEarlierTabCounts(tb testing.TB) {
	tb.Helper()
	for i := 1; i < 16; i++ {
		k := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "CONFIG"},
			"SK": &types.AttributeValueMemberS{Value: fmt.Sprintf("STATE_COUNTS#%02d", i)}}
		if _, err := t.Client.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(t.Name), Key: k}); err != nil {
			tb.Fatal(err)
		}
	}
}
