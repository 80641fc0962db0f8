package infra_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/dynamo"
)

// TestTemplateMatchesStoreSchema checks that the table template.yaml deploys
// is the table the store expects.
func TestTemplateMatchesStoreSchema(t *testing.T) {
	got, err := infra.TableFromTemplate("../template.yaml", "embudo-test")
	if err != nil {
		t.Fatal(err)
	}
	want := dynamo.Schema("embudo-test")
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"key schema", keySchema(got.KeySchema), keySchema(want.KeySchema)},
		{"attribute definitions", attributes(got), attributes(want)},
		{"global secondary indexes", indexes(got), indexes(want)},
		{"billing mode", []string{string(got.BillingMode)}, []string{string(want.BillingMode)}},
		{"stream", []string{stream(got)}, []string{stream(want)}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s differ:\ntemplate.yaml: %v\ndynamo.Schema: %v", c.what, c.got, c.want)
		}
	}
}

// keySchema renders a key schema in order, e.g. ["PK HASH", "SK RANGE"].
func keySchema(ks []types.KeySchemaElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return out
}

// attributes renders the attribute definitions sorted, e.g. ["PK S"].
func attributes(in *dynamodb.CreateTableInput) []string {
	var out []string
	for _, d := range in.AttributeDefinitions {
		out = append(out, aws.ToString(d.AttributeName)+" "+string(d.AttributeType))
	}
	slices.Sort(out)
	return out
}

// indexes renders each global secondary index with its keys and projection,
// sorted by name.
func indexes(in *dynamodb.CreateTableInput) []string {
	var out []string
	for _, g := range in.GlobalSecondaryIndexes {
		proj := "<none>"
		if p := g.Projection; p != nil {
			nonKey := slices.Sorted(slices.Values(p.NonKeyAttributes))
			proj = fmt.Sprintf("%s%v", p.ProjectionType, nonKey)
		}
		out = append(out, fmt.Sprintf("%s(%s) %s",
			aws.ToString(g.IndexName), strings.Join(keySchema(g.KeySchema), ", "), proj))
	}
	slices.Sort(out)
	return out
}

// stream renders the stream specification.
func stream(in *dynamodb.CreateTableInput) string {
	s := in.StreamSpecification
	if s == nil || !aws.ToBool(s.StreamEnabled) {
		return "disabled"
	}
	return string(s.StreamViewType)
}
