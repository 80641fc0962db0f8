package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute and index names of the table.
const (
	attrPK   = "PK"
	attrSK   = "SK"
	attrType = "type" // item kind, for stream filters
	attrTTL  = "ttl"  // epoch seconds; expired items are treated as absent

	// GSI1 lists every item of a kind: GSI1PK = kind, GSI1SK = ID or order.
	gsi1 = "GSI1"
	// GSI2 lists contacts by agent, opportunities by state, and a contact's
	// lead records.
	gsi2 = "GSI2"
	// GSI3 lists contacts by source, and opportunities by agent.
	gsi3 = "GSI3"
	// GSI4 lists opportunities by contact, and notes by pending
	// reminder. (Contacts left it for their word items: words.go.)
	gsi4 = "GSI4"
	// GSI5 lists opportunities by assignee.
	gsi5 = "GSI5"
	// GSI6 lists opportunities by interest.
	gsi6 = "GSI6"
	// GSI7 lists opportunities by source.
	gsi7 = "GSI7"
)

// indexDef is one global secondary index: its partition and sort key
// attributes and what it projects.
type indexDef struct {
	name, pk, sk string
	projection   types.ProjectionType
}

// indexDefs are the table's indexes. GSI1 to GSI4 hold the lists people
// open all day (every kind's list, a pipeline tab, a contact's
// opportunities, leads, notes and files, the name search, the reminders)
// and project every attribute, so that a page is one Query. GSI5 to GSI7
// only filter opportunities (by assignee, interest, source): they sort on
// the opportunity's GSI1SK (its last activity), project its keys only,
// and a page of them reads its opportunities with one BatchGetItem, so
// that writing an opportunity costs each of them one write unit whatever
// its size.
var indexDefs = []indexDef{
	{gsi1, "GSI1PK", "GSI1SK", types.ProjectionTypeAll},
	{gsi2, "GSI2PK", "GSI2SK", types.ProjectionTypeAll},
	{gsi3, "GSI3PK", "GSI3SK", types.ProjectionTypeAll},
	{gsi4, "GSI4PK", "GSI4SK", types.ProjectionTypeAll},
	{gsi5, "GSI5PK", "GSI1SK", types.ProjectionTypeKeysOnly},
	{gsi6, "GSI6PK", "GSI1SK", types.ProjectionTypeKeysOnly},
	{gsi7, "GSI7PK", "GSI1SK", types.ProjectionTypeKeysOnly},
}

// indexOf is the definition of a named index.
func indexOf(name string) indexDef {
	for _, d := range indexDefs {
		if d.name == name {
			return d
		}
	}
	return indexDef{}
}

// Schema returns the table definition the store expects: string keys PK/SK,
// GSI1..GSI7 (indexDefs), on-demand billing, and a stream with old and new
// images. template.yaml must declare the same (a test checks), and the local
// runtime creates its table from the template.
func Schema(table string) *dynamodb.CreateTableInput {
	attrs := []types.AttributeDefinition{
		{AttributeName: aws.String(attrPK), AttributeType: types.ScalarAttributeTypeS},
		{AttributeName: aws.String(attrSK), AttributeType: types.ScalarAttributeTypeS},
	}
	defined := map[string]bool{attrPK: true, attrSK: true}
	var gsis []types.GlobalSecondaryIndex
	for _, d := range indexDefs {
		for _, a := range []string{d.pk, d.sk} {
			if !defined[a] {
				defined[a] = true
				attrs = append(attrs, types.AttributeDefinition{AttributeName: aws.String(a), AttributeType: types.ScalarAttributeTypeS})
			}
		}
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName: aws.String(d.name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(d.pk), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(d.sk), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: d.projection},
		})
	}
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: attrs,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: gsis,
		BillingMode:            types.BillingModePayPerRequest,
		StreamSpecification: &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewTypeNewAndOldImages,
		},
	}
}
