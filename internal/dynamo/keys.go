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

// The sort keys of the configuration markers: the seeding is done, an
// admin exists.
const (
	markerSeeded = "SEEDED"
	markerAdmin  = "ADMIN"
)

// Fixed keys of singleton items.
var (
	seededKey = key(kindConfig, markerSeeded)
	adminKey  = key(kindConfig, markerAdmin)
)

// configMarker is the item of a configuration marker.
func configMarker(sk string) map[string]types.AttributeValue {
	return marshal(keys{PK: kindConfig, SK: sk, Type: kindConfig})
}

// claimItem is the item that claims a unique value for its owner.
func claimItem(scope, value, owner string) map[string]types.AttributeValue {
	return marshal(uniqueItem{keys: keys{PK: kindUnique + "#" + scope + "#" + value, SK: kindUnique, Type: kindUnique}, Owner: owner})
}

// interestLink is the item linking an interest to a contact (its key is
// linkKey's).
func interestLink(interestID, contactID string) map[string]types.AttributeValue {
	return marshal(linkItem{keys: keys{PK: kindInterest + "#" + interestID, SK: kindContact + "#" + contactID, Type: kindLink},
		InterestID: interestID, ContactID: contactID})
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
