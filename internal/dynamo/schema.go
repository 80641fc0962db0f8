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

var indexes = []string{gsi1, gsi2, gsi3, gsi4, gsi5, gsi6, gsi7}

// Schema returns the table definition the store expects: string keys PK/SK,
// GSI1..GSI7 (all attributes projected), on-demand billing, and a stream with
// old and new images. template.yaml must declare the same (a test checks),
// and the local runtime creates its table from the template.
func Schema(table string) *dynamodb.CreateTableInput {
	attrs := []types.AttributeDefinition{
		{AttributeName: aws.String(attrPK), AttributeType: types.ScalarAttributeTypeS},
		{AttributeName: aws.String(attrSK), AttributeType: types.ScalarAttributeTypeS},
	}
	var gsis []types.GlobalSecondaryIndex
	for _, name := range indexes {
		attrs = append(attrs,
			types.AttributeDefinition{AttributeName: aws.String(name + "PK"), AttributeType: types.ScalarAttributeTypeS},
			types.AttributeDefinition{AttributeName: aws.String(name + "SK"), AttributeType: types.ScalarAttributeTypeS})
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName: aws.String(name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(name + "PK"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(name + "SK"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
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
