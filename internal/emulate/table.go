package emulate

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/dynamotest"
)

// TableName is the name Table gives the table it creates.
const TableName = "embudo-test"

// Table starts a minidyn DynamoDB server for t, creates in it the one table
// the CloudFormation template at templatePath declares (a path relative to
// the test's working directory, e.g. "../../template.yaml"), named
// TableName, and returns the server's URL, an SDK client for it and the
// table's name. The server stops when t ends.
func Table(t testing.TB, templatePath string) (url string, client *dynamodb.Client, name string) {
	t.Helper()
	db := httptest.NewServer(dynamotest.Mend(server.NewServer())) // DynamoDB's behaviour where minidyn differs (see dynamotest.Mend)
	t.Cleanup(db.Close)
	client = dynamotest.Client(db.URL)
	table, err := infra.TableFromTemplate(templatePath, TableName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateTable(context.Background(), table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return db.URL, client, TableName
}
