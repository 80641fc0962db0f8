package dynamotest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestEvalCondition(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	item := map[string]types.AttributeValue{"PK": s("A"), "version": n("3"), "owner": s("x"), "ttl": n("100")}
	vals := map[string]types.AttributeValue{":v": n("3"), ":w": n("4"), ":o": s("x"), ":p": s("y"), ":now": n("100"), ":early": n("99")}
	names := map[string]string{"#o": "owner", "#ttl": "ttl", "#n": "n"}
	for _, tc := range []struct {
		cond     string
		item     map[string]types.AttributeValue
		want, ok bool
	}{
		{"attribute_not_exists(PK)", item, false, true},
		{"attribute_not_exists(PK)", nil, true, true},
		{"attribute_exists(PK)", item, true, true},
		{"attribute_exists(PK)", nil, false, true},
		{"version = :v", item, true, true},
		{"version = :w", item, false, true},
		{"version = :v", nil, false, true},
		{"attribute_not_exists(PK) OR #o = :o", item, true, true},
		{"attribute_not_exists(PK) OR #o = :p", item, false, true},
		{"attribute_not_exists(PK) OR #o = :p", nil, true, true},
		{"attribute_not_exists(PK) OR #ttl <= :now", item, true, true},
		{"attribute_not_exists(PK) OR #ttl <= :early", item, false, true},
		{"attribute_exists(PK) AND #o = :o", item, true, true},
		{"attribute_exists(PK) AND #o = :p", item, false, true},
		{"attribute_not_exists(#n) OR #n = :v", item, true, true},
		{"begins_with(PK, :o)", item, false, false},
		{"(attribute_exists(PK) OR version = :v) AND #o = :o", item, false, false},
		{"contains(#o, :o)", item, false, false},
		{"size(#o) > :v", item, false, false},
	} {
		got, ok := evalCondition(tc.cond, names, vals, tc.item)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q on %v = %v, %v; want %v, %v", tc.cond, tc.item != nil, got, ok, tc.want, tc.ok)
		}
	}
}
