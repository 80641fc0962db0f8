package dynamo

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// Remaining returns what a copy resumed into a table has left to write: the
// items of plan (ItemsOf) that present (the table's items, as ScanTable
// read them) lacks or holds with other values, by kind, and how many items
// it holds already as planned. The copied marker is not compared, so the
// items of an earlier run count as written. Errors: conflict when the table
// holds an item plan does not (it is not an earlier copy of this source, or
// was used since), naming one and how many there are.
func Remaining(plan []KindItems, present []map[string]types.AttributeValue) ([]KindItems, int, error) {
	have := make(map[string]map[string]types.AttributeValue, len(present))
	for _, m := range present {
		have[itemKey(m)] = m
	}
	planned := map[string]bool{}
	var out []KindItems
	done := 0
	for _, g := range plan {
		left := KindItems{Kind: g.Kind, Entities: g.Entities}
		for _, m := range g.Items {
			k := itemKey(m)
			planned[k] = true
			if old, ok := have[k]; ok && sameItem(old, m) {
				done++
				continue
			}
			left.Items = append(left.Items, m)
		}
		out = append(out, left)
	}
	var extra []string
	for k, m := range have {
		if !planned[k] {
			pk, sk := keyOf(m)
			extra = append(extra, pk+" "+sk)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return nil, 0, crm.Conflict(fmt.Sprintf("the table holds %d items this copy does not write (%s, ...): it is not an earlier copy of this source, or it was used since", len(extra), extra[0]))
	}
	return out, done, nil
}

// sameItem reports whether two items hold the same values, the copied
// marker aside; sets are equal whatever their order.
func sameItem(a, b map[string]types.AttributeValue) bool {
	n := 0
	for name, av := range a {
		if name == attrCopied {
			continue
		}
		bv, ok := b[name]
		if !ok || !sameValue(av, bv) {
			return false
		}
		n++
	}
	for name := range b {
		if name != attrCopied {
			n--
		}
	}
	return n == 0
}

func sameValue(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberB:
		b, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.Equal(a.Value, b.Value)
	case *types.AttributeValueMemberBOOL:
		b, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberNULL:
		_, ok := b.(*types.AttributeValueMemberNULL)
		return ok
	case *types.AttributeValueMemberSS:
		b, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameSet(a.Value, b.Value)
	case *types.AttributeValueMemberNS:
		b, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(a.Value, b.Value)
	case *types.AttributeValueMemberBS:
		b, ok := b.(*types.AttributeValueMemberBS)
		if !ok || len(a.Value) != len(b.Value) {
			return false
		}
		as, bs := make([]string, len(a.Value)), make([]string, len(b.Value))
		for i := range a.Value {
			as[i], bs[i] = string(a.Value[i]), string(b.Value[i])
		}
		return sameSet(as, bs)
	case *types.AttributeValueMemberL:
		b, ok := b.(*types.AttributeValueMemberL)
		if !ok || len(a.Value) != len(b.Value) {
			return false
		}
		for i := range a.Value {
			if !sameValue(a.Value[i], b.Value[i]) {
				return false
			}
		}
		return true
	case *types.AttributeValueMemberM:
		b, ok := b.(*types.AttributeValueMemberM)
		if !ok || len(a.Value) != len(b.Value) {
			return false
		}
		for k, v := range a.Value {
			if w, ok := b.Value[k]; !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
