package dynamo

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ItemSize is an item's size in bytes as DynamoDB counts it for capacity:
// each attribute's name and value; a string or binary its bytes, a number
// one byte per two significant digits plus one, a boolean or null one, a
// list or map 3 bytes plus one per element, and its elements.
func ItemSize(m map[string]types.AttributeValue) int {
	n := 0
	for name, v := range m {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize is the size of a number: one byte per two significant digits,
// plus one.
func numberSize(s string) int {
	s = strings.TrimLeft(strings.TrimPrefix(s, "-"), "0")
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	digits := strings.Trim(strings.Replace(s, ".", "", 1), "0")
	return (len(digits)+1)/2 + 1
}

// WriteUnits is what writing a new item costs in standard write units
// (one per KB, rounded up): once for the table and once more for each
// index the item is in, at the size of what the index projects (the whole
// item, or its keys).
func WriteUnits(m map[string]types.AttributeValue) int {
	per := (ItemSize(m) + 1023) / 1024
	n := per
	for _, d := range indexDefs {
		if m[d.pk] == nil || m[d.sk] == nil {
			continue
		}
		if d.projection == types.ProjectionTypeAll {
			n += per
			continue
		}
		keys := map[string]types.AttributeValue{attrPK: m[attrPK], attrSK: m[attrSK], d.pk: m[d.pk], d.sk: m[d.sk]}
		n += (ItemSize(keys) + 1023) / 1024
	}
	return n
}
