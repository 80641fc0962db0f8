package infra

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"
)

const templatePath = "../template.yaml"

func TestTableFromTemplate(t *testing.T) {
	in, err := TableFromTemplate(templatePath, "embudo-test")
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(in.TableName); got != "embudo-test" {
		t.Errorf("TableName = %q, want embudo-test", got)
	}
	if in.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("BillingMode = %q, want PAY_PER_REQUEST", in.BillingMode)
	}
	if in.ProvisionedThroughput != nil {
		t.Errorf("ProvisionedThroughput = %+v, want none under on-demand billing", in.ProvisionedThroughput)
	}
	if got, want := keys(in.KeySchema), "PK HASH, SK RANGE"; got != want {
		t.Errorf("KeySchema = %s, want %s", got, want)
	}
	// GSI1-GSI4 have their own keys and project everything; GSI5-GSI7
	// (opportunity filters) sort on GSI1SK and project keys only.
	sortKey := func(g string) string {
		if g >= "GSI5" {
			return "GSI1SK"
		}
		return g + "SK"
	}
	projection := func(g string) types.ProjectionType {
		if g >= "GSI5" {
			return types.ProjectionTypeKeysOnly
		}
		return types.ProjectionTypeAll
	}
	wantAttrs := []string{"PK", "SK"}
	for _, g := range gsiNames {
		wantAttrs = append(wantAttrs, g+"PK")
		if sortKey(g) == g+"SK" {
			wantAttrs = append(wantAttrs, g+"SK")
		}
	}
	var gotAttrs []string
	for _, d := range in.AttributeDefinitions {
		if d.AttributeType != types.ScalarAttributeTypeS {
			t.Errorf("attribute %s has type %s, want S", aws.ToString(d.AttributeName), d.AttributeType)
		}
		gotAttrs = append(gotAttrs, aws.ToString(d.AttributeName))
	}
	if !reflect.DeepEqual(gotAttrs, wantAttrs) {
		t.Errorf("AttributeDefinitions = %v, want %v", gotAttrs, wantAttrs)
	}
	if len(in.GlobalSecondaryIndexes) != len(gsiNames) {
		t.Fatalf("got %d global secondary indexes, want %d", len(in.GlobalSecondaryIndexes), len(gsiNames))
	}
	for i, g := range in.GlobalSecondaryIndexes {
		name := gsiNames[i]
		if got := aws.ToString(g.IndexName); got != name {
			t.Errorf("index %d is %s, want %s", i, got, name)
		}
		if got, want := keys(g.KeySchema), name+"PK HASH, "+sortKey(name)+" RANGE"; got != want {
			t.Errorf("%s KeySchema = %s, want %s", name, got, want)
		}
		if g.Projection == nil || g.Projection.ProjectionType != projection(name) {
			t.Errorf("%s Projection = %+v, want %s", name, g.Projection, projection(name))
		}
	}
	if len(in.LocalSecondaryIndexes) != 0 {
		t.Errorf("got %d local secondary indexes, want none", len(in.LocalSecondaryIndexes))
	}
	s := in.StreamSpecification
	if s == nil || !aws.ToBool(s.StreamEnabled) || s.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("StreamSpecification = %+v, want enabled NEW_AND_OLD_IMAGES", s)
	}
}

// TestTableFromTemplateCreatesTable sends the request to minidyn through the
// real SDK client, as the local runtime does.
func TestTableFromTemplateCreatesTable(t *testing.T) {
	in, err := TableFromTemplate(templatePath, "embudo-test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.NewServer())
	t.Cleanup(srv.Close)
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	ctx := context.Background()
	if _, err := client.CreateTable(ctx, in); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	if got := len(out.Table.GlobalSecondaryIndexes); got != len(gsiNames) {
		t.Errorf("created table has %d global secondary indexes, want %d", got, len(gsiNames))
	}
}

func TestTableFromTemplateConversions(t *testing.T) {
	path := writeTemplate(t, `
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - { AttributeName: id, AttributeType: S }
        - { AttributeName: n, AttributeType: N }
      KeySchema:
        - { AttributeName: id, KeyType: HASH }
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 6 }
      GlobalSecondaryIndexes:
        - IndexName: ByN
          KeySchema: [{ AttributeName: n, KeyType: HASH }]
          Projection: { ProjectionType: INCLUDE, NonKeyAttributes: [a, b] }
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 2 }
        - IndexName: Keys
          KeySchema: [{ AttributeName: n, KeyType: HASH }]
          Projection: {}
      LocalSecondaryIndexes:
        - IndexName: Local
          KeySchema:
            - { AttributeName: id, KeyType: HASH }
            - { AttributeName: n, KeyType: RANGE }
          Projection: { ProjectionType: ALL }
`)
	in, err := TableFromTemplate(path, "x")
	if err != nil {
		t.Fatal(err)
	}
	if in.BillingMode != "" {
		t.Errorf("BillingMode = %q, want unset", in.BillingMode)
	}
	if p := in.ProvisionedThroughput; p == nil || aws.ToInt64(p.ReadCapacityUnits) != 5 || aws.ToInt64(p.WriteCapacityUnits) != 6 {
		t.Errorf("ProvisionedThroughput = %+v, want 5/6", p)
	}
	if in.StreamSpecification != nil {
		t.Errorf("StreamSpecification = %+v, want none", in.StreamSpecification)
	}
	if got := in.AttributeDefinitions[1].AttributeType; got != types.ScalarAttributeTypeN {
		t.Errorf("attribute n has type %s, want N", got)
	}
	byN := in.GlobalSecondaryIndexes[0]
	if p := byN.Projection; p.ProjectionType != types.ProjectionTypeInclude || !reflect.DeepEqual(p.NonKeyAttributes, []string{"a", "b"}) {
		t.Errorf("ByN Projection = %+v, want INCLUDE [a b]", p)
	}
	if p := byN.ProvisionedThroughput; p == nil || aws.ToInt64(p.ReadCapacityUnits) != 1 || aws.ToInt64(p.WriteCapacityUnits) != 2 {
		t.Errorf("ByN ProvisionedThroughput = %+v, want 1/2", p)
	}
	if got := in.GlobalSecondaryIndexes[1].Projection.ProjectionType; got != types.ProjectionTypeKeysOnly {
		t.Errorf("Keys ProjectionType = %s, want the CloudFormation default KEYS_ONLY", got)
	}
	if len(in.LocalSecondaryIndexes) != 1 || keys(in.LocalSecondaryIndexes[0].KeySchema) != "id HASH, n RANGE" {
		t.Errorf("LocalSecondaryIndexes = %+v, want Local on id/n", in.LocalSecondaryIndexes)
	}
}

func TestTableFromTemplateErrors(t *testing.T) {
	table := `
  %s:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
`
	cases := map[string]string{
		"no table":   "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
		"two tables": "Resources:" + strings.ReplaceAll(table, "%s", "A") + strings.ReplaceAll(table, "%s", "B"),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := TableFromTemplate(writeTemplate(t, body), "x"); err == nil {
				t.Error("got no error")
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		if _, err := TableFromTemplate(filepath.Join(t.TempDir(), "none.yaml"), "x"); err == nil {
			t.Error("got no error")
		}
	})
}

// keys renders a key schema as "name TYPE, name TYPE".
func keys(ks []types.KeySchemaElement) string {
	var parts []string
	for _, k := range ks {
		parts = append(parts, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return strings.Join(parts, ", ")
}

// writeTemplate writes a template body to a temporary file and returns its path.
func writeTemplate(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gsiNames are the indexes template.yaml declares, in order.
var gsiNames = []string{"GSI1", "GSI2", "GSI3", "GSI4", "GSI5", "GSI6", "GSI7"}
