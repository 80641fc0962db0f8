package awstest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Filter is one compiled FilterCriteria pattern of an event source mapping,
// evaluated on a record as Lambda does before it batches the record
// ("Lambda event filtering" in the Lambda developer guide):
//
//   - a pattern is a JSON object; each of its keys must match the record's
//     field of that name (AND), an object recursing into the field;
//   - at a leaf the pattern holds an array of rules, any of which may match
//     (OR): a literal (string, number, boolean or null) equal to the
//     field's value, numbers compared as numbers and never equal to a
//     string; or {"exists": true|false}, whether the record has a value at
//     that path (a missing parent means no value; exists is only tested on
//     leaves, so an object at the path is no value);
//   - a field holding an array matches when one of its elements does.
//
// Only those rules are implemented, the ones template.yaml uses: a pattern
// with another operator (prefix, suffix, anything-but, numeric, cidr,
// equals-ignore-case, wildcard, $or) is refused by CompileFilter, so that a
// change of the template shows here instead of being evaluated wrongly.
type Filter struct {
	source string
	root   node
}

// node is a compiled pattern object: a field name to a nested node or to
// the leaf's rules.
type node struct {
	fields map[string]node
	rules  []rule // set on a leaf
	leaf   bool
}

// rule is one leaf rule: a literal, or exists when isExists.
type rule struct {
	literal  any
	isExists bool
	exists   bool
}

// CompileFilter compiles a FilterCriteria pattern (the JSON string of one
// Filters[].Pattern). Errors: not JSON, not an object, a leaf that is not a
// non-empty array, or an operator outside those Filter implements.
func CompileFilter(pattern string) (*Filter, error) {
	var v any
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("awstest: filter pattern %s: %w", pattern, err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("awstest: filter pattern %s is not a JSON object", pattern)
	}
	root, err := compileNode(obj, "")
	if err != nil {
		return nil, fmt.Errorf("awstest: filter pattern %s: %w", pattern, err)
	}
	return &Filter{source: pattern, root: root}, nil
}

// String returns the pattern as written.
func (f *Filter) String() string { return f.source }

func compileNode(obj map[string]any, path string) (node, error) {
	n := node{fields: map[string]node{}}
	for k, v := range obj {
		p := strings.TrimPrefix(path+"."+k, ".")
		if strings.HasPrefix(k, "$") {
			return node{}, fmt.Errorf("%s: the operator %s is not implemented by the harness", p, k)
		}
		switch v := v.(type) {
		case map[string]any:
			child, err := compileNode(v, p)
			if err != nil {
				return node{}, err
			}
			n.fields[k] = child
		case []any:
			rules, err := compileRules(v, p)
			if err != nil {
				return node{}, err
			}
			n.fields[k] = node{rules: rules, leaf: true}
		default:
			return node{}, fmt.Errorf("%s: a leaf must be an array of rules, not %v", p, v)
		}
	}
	return n, nil
}

func compileRules(list []any, path string) ([]rule, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: an empty array of rules matches nothing; Lambda refuses it", path)
	}
	var out []rule
	for _, r := range list {
		switch r := r.(type) {
		case map[string]any:
			want, ok := r["exists"].(bool)
			if len(r) != 1 || !ok {
				keys := slices.Sorted(maps.Keys(r))
				return nil, fmt.Errorf("%s: the rule %v (%s) is not implemented by the harness; only literals and {\"exists\": bool} are",
					path, r, strings.Join(keys, ", "))
			}
			out = append(out, rule{isExists: true, exists: want})
		case []any:
			return nil, fmt.Errorf("%s: a rule cannot be an array", path)
		default: // string, json.Number, bool, nil
			out = append(out, rule{literal: r})
		}
	}
	return out, nil
}

// Match reports whether record, the JSON of a stream record as Lambda
// receives it (eventName, dynamodb.NewImage, ...), matches the pattern.
// Errors: record is not JSON.
func (f *Filter) Match(record []byte) (bool, error) {
	dec := json.NewDecoder(strings.NewReader(string(record)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false, fmt.Errorf("awstest: record is not JSON: %w", err)
	}
	return f.root.match(v, true), nil
}

// match evaluates n on the value v found at its path (present false when
// the path has no value).
func (n node) match(v any, present bool) bool {
	if n.leaf {
		return n.matchLeaf(v, present)
	}
	obj, _ := v.(map[string]any)
	for k, child := range n.fields {
		cv, ok := obj[k]
		if !child.match(cv, ok && obj != nil) {
			return false
		}
	}
	return true
}

// matchLeaf applies the leaf's rules to v: any rule on any element.
func (n node) matchLeaf(v any, present bool) bool {
	values := []any{v}
	if arr, ok := v.([]any); ok {
		values = arr
	}
	hasLeaf := false
	for _, e := range values {
		if _, isObj := e.(map[string]any); present && !isObj {
			hasLeaf = true
		}
	}
	for _, r := range n.rules {
		if r.isExists {
			if r.exists == hasLeaf {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		for _, e := range values {
			if literalEqual(r.literal, e) {
				return true
			}
		}
	}
	return false
}

// literalEqual compares a pattern literal with an event value: strings,
// booleans and null by equality, numbers by value.
func literalEqual(want, got any) bool {
	switch w := want.(type) {
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return false
		}
		wf, err1 := w.Float64()
		gf, err2 := g.Float64()
		return err1 == nil && err2 == nil && wf == gf
	case nil:
		return got == nil
	default:
		return want == got
	}
}

// MatchAny reports whether record matches one of filters (Lambda ORs the
// Filters of a mapping); no filters let every record through.
func MatchAny(filters []*Filter, record []byte) (bool, error) {
	if len(filters) == 0 {
		return true, nil
	}
	for _, f := range filters {
		ok, err := f.Match(record)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
