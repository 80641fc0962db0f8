// Package infra reads Embudo's deployment definition (template.yaml) so that
// local runtimes and tests build exactly what AWS would, and holds the
// manifests of the local emulators (package.json).
package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	cfdynamodb "github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/intrinsics"
)

// TableFromTemplate loads the SAM template at path, finds its one
// AWS::DynamoDB::Table resource and returns the equivalent CreateTable
// request for a table called tableName (the template lets CloudFormation
// generate the name).
//
// It converts the key schema, attribute definitions, global and local
// secondary indexes with their projections, billing mode, provisioned
// throughput and stream specification. Settings that CreateTable does not
// take (time to live, point-in-time recovery, deletion protection) are not
// part of the result. It fails if the template cannot be read or holds no
// table or more than one.
func TableFromTemplate(path, tableName string) (*dynamodb.CreateTableInput, error) {
	resources, err := readResources(path)
	if err != nil {
		return nil, err
	}
	var tables []json.RawMessage
	for _, r := range resources {
		var head struct{ Type string }
		if err := json.Unmarshal(r, &head); err == nil && head.Type == "AWS::DynamoDB::Table" {
			tables = append(tables, r)
		}
	}
	if len(tables) != 1 {
		return nil, fmt.Errorf("infra: template %s: want exactly one AWS::DynamoDB::Table, found %d", path, len(tables))
	}
	var table cfdynamodb.Table
	if err := json.Unmarshal(tables[0], &table); err != nil {
		return nil, fmt.Errorf("infra: template %s: the table: %w", path, err)
	}
	return createTableInput(&table, tableName), nil
}

// readResources reads the Resources of the template at path (YAML or
// JSON), with the intrinsic functions goformation resolves (parameter
// defaults) resolved. It does not parse the whole template with goformation,
// whose generated types refuse a template when any resource has a property
// they lack (AWS::Serverless::Function's LoggingConfig, for one).
func readResources(path string) (map[string]json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("infra: read template %s: %w", path, err)
	}
	process := intrinsics.ProcessYAML
	if strings.EqualFold(filepath.Ext(path), ".json") {
		process = intrinsics.ProcessJSON
	}
	js, err := process(data, nil)
	if err != nil {
		return nil, fmt.Errorf("infra: read template %s: %w", path, err)
	}
	var tmpl struct{ Resources map[string]json.RawMessage }
	if err := json.Unmarshal(js, &tmpl); err != nil {
		return nil, fmt.Errorf("infra: read template %s: %w", path, err)
	}
	return tmpl.Resources, nil
}

// createTableInput converts a CloudFormation table definition into a
// CreateTable request.
func createTableInput(t *cfdynamodb.Table, tableName string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:             aws.String(tableName),
		KeySchema:             keySchema(t.KeySchema),
		AttributeDefinitions:  attributeDefinitions(t.AttributeDefinitions),
		ProvisionedThroughput: throughput(t.ProvisionedThroughput),
	}
	if t.BillingMode != nil {
		in.BillingMode = types.BillingMode(*t.BillingMode)
	}
	for _, g := range t.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:             aws.String(g.IndexName),
			KeySchema:             keySchema(g.KeySchema),
			Projection:            projection(g.Projection),
			ProvisionedThroughput: throughput(g.ProvisionedThroughput),
		})
	}
	for _, l := range t.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(l.IndexName),
			KeySchema:  keySchema(l.KeySchema),
			Projection: projection(l.Projection),
		})
	}
	if s := t.StreamSpecification; s != nil {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewType(s.StreamViewType),
		}
	}
	return in
}

// keySchema converts a CloudFormation key schema.
func keySchema(ks []cfdynamodb.Table_KeySchema) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{
			AttributeName: aws.String(k.AttributeName),
			KeyType:       types.KeyType(k.KeyType),
		})
	}
	return out
}

// attributeDefinitions converts CloudFormation attribute definitions.
func attributeDefinitions(defs []cfdynamodb.Table_AttributeDefinition) []types.AttributeDefinition {
	out := make([]types.AttributeDefinition, 0, len(defs))
	for _, d := range defs {
		out = append(out, types.AttributeDefinition{
			AttributeName: aws.String(d.AttributeName),
			AttributeType: types.ScalarAttributeType(d.AttributeType),
		})
	}
	return out
}

// projection converts an index projection; CloudFormation's default
// projection type is KEYS_ONLY.
func projection(p *cfdynamodb.Table_Projection) *types.Projection {
	out := &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}
	if p == nil {
		return out
	}
	if p.ProjectionType != nil {
		out.ProjectionType = types.ProjectionType(*p.ProjectionType)
	}
	out.NonKeyAttributes = append([]string(nil), p.NonKeyAttributes...)
	return out
}

// throughput converts provisioned capacity, which is absent under on-demand
// billing.
func throughput(p *cfdynamodb.Table_ProvisionedThroughput) *types.ProvisionedThroughput {
	if p == nil {
		return nil
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(int64(p.ReadCapacityUnits)),
		WriteCapacityUnits: aws.Int64(int64(p.WriteCapacityUnits)),
	}
}
