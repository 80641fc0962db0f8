package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item kinds, stored in the "type" attribute and used as key prefixes.
const (
	kindContact  = "CONTACT"
	kindSource   = "SOURCE"
	kindInterest = "INTEREST"
	kindAgent    = "AGENT"
	kindState    = "STATE"
	kindUser     = "USER"
	kindToken    = "TOKEN"
	kindSetting  = "SETTING"
	kindUnique   = "UNIQUE"
	kindLink     = "INTEREST_LINK"
	kindIdem     = "IDEMPOTENCY"
	kindConfig   = "CONFIG"
)

// entityKey is the key of an entity item: PK = KIND#id, SK = KIND.
func entityKey(kind, id string) map[string]types.AttributeValue {
	return key(kind+"#"+id, kind)
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// uniqueKey is the key of the item that claims value for one owner, so that
// no two owners share it: e.g. UNIQUE#email#ana@example.com.
func uniqueKey(scope, value string) map[string]types.AttributeValue {
	return key(kindUnique+"#"+scope+"#"+value, kindUnique)
}

// linkKey is the key of the item linking an interest to a contact, stored
// under the interest so that "contacts with interest X" is one Query.
func linkKey(interestID, contactID string) map[string]types.AttributeValue {
	return key(kindInterest+"#"+interestID, kindContact+"#"+contactID)
}

// Fixed keys of singleton items.
var (
	seededKey = key(kindConfig, "SEEDED")
	adminKey  = key(kindConfig, "ADMIN")
)

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
