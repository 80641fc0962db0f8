package infra

import (
	"encoding/json"
	"testing"

	"github.com/embudo/embudo/internal/dynamo"
)

// The stream function's FilterCriteria, as Lambda evaluates them, let
// through every change of the stream's item types except the INSERT of an
// item `embudo copy` wrote (marked "copied"), whose e-mails and counters
// happened where it was copied from; the MODIFY and REMOVE of a copied
// item go through.
func TestStreamFilterDropsCopiedInserts(t *testing.T) {
	filters, _ := lookup(loadTemplate(t), "Resources", "StreamFunction", "Properties", "Events", "Changes",
		"Properties", "FilterCriteria", "Filters").([]any)
	var patterns []map[string]any
	for _, f := range filters {
		var p map[string]any
		if err := json.Unmarshal([]byte(asString(lookup(f, "Pattern"))), &p); err != nil {
			t.Fatalf("a filter pattern is not JSON: %v", err)
		}
		patterns = append(patterns, p)
	}
	if len(patterns) == 0 {
		t.Fatal("the stream function has no FilterCriteria")
	}
	image := func(typ string, copied bool) map[string]any {
		m := map[string]any{"PK": map[string]any{"S": typ + "#01K"}, "type": map[string]any{"S": typ}}
		if copied {
			m["copied"] = map[string]any{"S": "2026-01-01T00:00:00Z"}
		}
		return m
	}
	record := func(event string, old, new map[string]any) map[string]any {
		d := map[string]any{"Keys": map[string]any{"PK": map[string]any{"S": "X"}}}
		if old != nil {
			d["OldImage"] = old
		}
		if new != nil {
			d["NewImage"] = new
		}
		return map[string]any{"eventName": event, "dynamodb": d}
	}
	for _, typ := range dynamo.StreamTypes {
		for name, c := range map[string]struct {
			rec  map[string]any
			want bool
		}{
			"a new item":              {record("INSERT", nil, image(typ, false)), true},
			"a copied item":           {record("INSERT", nil, image(typ, true)), false},
			"a changed copied item":   {record("MODIFY", image(typ, true), image(typ, true)), true},
			"a copied item rewritten": {record("MODIFY", image(typ, true), image(typ, false)), true},
			"a changed item":          {record("MODIFY", image(typ, false), image(typ, false)), true},
		} {
			if got := anyMatches(patterns, c.rec); got != c.want {
				t.Errorf("%s, %s: delivered %v, want %v", typ, name, got, c.want)
			}
		}
	}
	for _, typ := range []string{"CONTACT", "OPPORTUNITY", "NOTE"} {
		if !anyMatches(patterns, record("REMOVE", image(typ, true), nil)) {
			t.Errorf("the deletion of a copied %s is not delivered", typ)
		}
	}
	for _, typ := range []string{"UNIQUE", "INTEREST_LINK", "TIMELINE", "STATS", "EFFECT", "COUNTER"} {
		if anyMatches(patterns, record("INSERT", nil, image(typ, false))) || anyMatches(patterns, record("MODIFY", image(typ, false), image(typ, false))) {
			t.Errorf("a %s item is delivered", typ)
		}
	}
}

// anyMatches reports whether a record matches one of the patterns (Lambda
// ORs the filters).
func anyMatches(patterns []map[string]any, rec map[string]any) bool {
	for _, p := range patterns {
		if matches(p, rec) {
			return true
		}
	}
	return false
}

// matches evaluates an event pattern on an event, for the rules the
// template uses: nested objects, and at the leaves a list of values any of
// which may match, each a literal or {"exists": bool} (which Lambda applies
// to leaves only: a missing path does not exist).
func matches(pattern map[string]any, event any) bool {
	obj, _ := event.(map[string]any)
	for k, p := range pattern {
		v, present := obj[k]
		switch p := p.(type) {
		case map[string]any:
			if !matches(p, v) {
				return false
			}
		case []any:
			ok := false
			for _, rule := range p {
				switch r := rule.(type) {
				case map[string]any:
					if want, isExists := r["exists"].(bool); isExists {
						_, nested := v.(map[string]any)
						ok = ok || (want == (present && !nested))
					}
				default:
					ok = ok || (present && v == r)
				}
			}
			if !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}
