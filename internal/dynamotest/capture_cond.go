package dynamotest

import (
	"math/big"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// evalCondition evaluates the simple condition expressions Embudo's store
// writes, against the item as it is (nil: absent): terms joined all by AND
// or all by OR, each attribute_exists(a), attribute_not_exists(a), a = :v
// or a <= :v, where a is an attribute name or a #placeholder. ok is false
// for anything else, and the caller lets the embedded server evaluate it.
func evalCondition(cond string, names map[string]string, vals map[string]types.AttributeValue, item map[string]types.AttributeValue) (result, ok bool) {
	cond = strings.TrimSpace(cond)
	if cond == "" {
		return true, true
	}
	if strings.ContainsAny(cond, "()") && !onlyFunctionParens(cond) {
		return false, false
	}
	and, or := strings.Contains(cond, " AND "), strings.Contains(cond, " OR ")
	if and && or {
		return false, false
	}
	sep := " AND "
	if or {
		sep = " OR "
	}
	for _, term := range strings.Split(cond, sep) {
		v, ok := evalTerm(strings.TrimSpace(term), names, vals, item)
		if !ok {
			return false, false
		}
		if or && v {
			return true, true
		}
		if !or && !v {
			return false, true
		}
	}
	return !or, true
}

// onlyFunctionParens reports whether every parenthesis belongs to an
// attribute_exists / attribute_not_exists call.
func onlyFunctionParens(cond string) bool {
	s := strings.ReplaceAll(strings.ReplaceAll(cond, "attribute_not_exists(", ""), "attribute_exists(", "")
	return strings.Count(s, "(") == 0 && strings.Count(cond, "(") == strings.Count(cond, ")")
}

func evalTerm(t string, names map[string]string, vals map[string]types.AttributeValue, item map[string]types.AttributeValue) (bool, bool) {
	attr := func(a string) string {
		if strings.HasPrefix(a, "#") {
			return names[a]
		}
		return a
	}
	switch {
	case strings.HasPrefix(t, "attribute_exists(") && strings.HasSuffix(t, ")"):
		a := attr(strings.TrimSpace(t[len("attribute_exists(") : len(t)-1]))
		_, has := item[a]
		return a != "" && has, a != ""
	case strings.HasPrefix(t, "attribute_not_exists(") && strings.HasSuffix(t, ")"):
		a := attr(strings.TrimSpace(t[len("attribute_not_exists(") : len(t)-1]))
		_, has := item[a]
		return a != "" && !has, a != ""
	}
	for _, op := range []string{" <= ", " = "} {
		l, r, found := strings.Cut(t, op)
		if !found {
			continue
		}
		a, v := attr(strings.TrimSpace(l)), vals[strings.TrimSpace(r)]
		if a == "" || v == nil || strings.ContainsAny(a, " .[") {
			return false, false
		}
		got, has := item[a]
		if !has {
			return false, true
		}
		return compare(got, v, op == " <= ")
	}
	return false, false
}

// compare reports got = want (or got <= want) for strings and numbers.
func compare(got, want types.AttributeValue, le bool) (bool, bool) {
	switch w := want.(type) {
	case *types.AttributeValueMemberS:
		g, ok := got.(*types.AttributeValueMemberS)
		if !ok {
			return false, true
		}
		if le {
			return g.Value <= w.Value, true
		}
		return g.Value == w.Value, true
	case *types.AttributeValueMemberN:
		g, ok := got.(*types.AttributeValueMemberN)
		if !ok {
			return false, true
		}
		a, ok1 := new(big.Rat).SetString(g.Value)
		b, ok2 := new(big.Rat).SetString(w.Value)
		if !ok1 || !ok2 {
			return false, false
		}
		if le {
			return a.Cmp(b) <= 0, true
		}
		return a.Cmp(b) == 0, true
	}
	return false, false
}
