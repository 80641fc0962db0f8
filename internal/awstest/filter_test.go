package awstest

import (
	"strings"
	"testing"
)

// The documented rules, one at a time.
func TestFilterRules(t *testing.T) {
	cases := []struct {
		pattern, record string
		want            bool
	}{
		// literals, OR within a leaf, AND across fields
		{`{"eventName":["INSERT"]}`, `{"eventName":"INSERT"}`, true},
		{`{"eventName":["INSERT"]}`, `{"eventName":"MODIFY"}`, false},
		{`{"eventName":["INSERT","MODIFY"]}`, `{"eventName":"MODIFY"}`, true},
		{`{"eventName":["INSERT"],"eventSource":["aws:dynamodb"]}`, `{"eventName":"INSERT","eventSource":"aws:sqs"}`, false},
		{`{"eventName":["INSERT"]}`, `{}`, false},
		{`{"eventName":["insert"]}`, `{"eventName":"INSERT"}`, false}, // case matters
		// nesting
		{`{"dynamodb":{"NewImage":{"type":{"S":["CONTACT"]}}}}`, `{"dynamodb":{"NewImage":{"type":{"S":"CONTACT"}}}}`, true},
		{`{"dynamodb":{"NewImage":{"type":{"S":["CONTACT"]}}}}`, `{"dynamodb":{"OldImage":{"type":{"S":"CONTACT"}}}}`, false},
		{`{"dynamodb":{"NewImage":{"type":{"S":["CONTACT"]}}}}`, `{"dynamodb":"CONTACT"}`, false},
		// numbers by value, never a string; booleans; null; the empty string
		{`{"n":[5]}`, `{"n":5.0}`, true},
		{`{"n":[5]}`, `{"n":"5"}`, false},
		{`{"s":["5"]}`, `{"s":5}`, false},
		{`{"b":[true]}`, `{"b":true}`, true},
		{`{"b":[true]}`, `{"b":"true"}`, false},
		{`{"z":[null]}`, `{"z":null}`, true},
		{`{"z":[null]}`, `{}`, false},
		{`{"e":[""]}`, `{"e":""}`, true},
		{`{"e":[""]}`, `{}`, false},
		// arrays in the record: one element is enough
		{`{"tags":["a"]}`, `{"tags":["b","a"]}`, true},
		{`{"tags":["c"]}`, `{"tags":["b","a"]}`, false},
		// exists, on leaves
		{`{"copied":{"S":[{"exists":false}]}}`, `{"other":1}`, true},
		{`{"copied":{"S":[{"exists":false}]}}`, `{"copied":{"S":"2026-01-01"}}`, false},
		{`{"copied":{"S":[{"exists":false}]}}`, `{"copied":{"N":"1"}}`, true},
		{`{"copied":{"S":[{"exists":true}]}}`, `{"copied":{"S":"2026-01-01"}}`, true},
		{`{"copied":{"S":[{"exists":true}]}}`, `{}`, false},
		{`{"copied":{"S":[{"exists":true}]}}`, `{"copied":{"S":null}}`, true}, // a null is a value
		{`{"copied":[{"exists":true}]}`, `{"copied":{"S":"x"}}`, false},       // an object is no leaf
		{`{"copied":[{"exists":false}]}`, `{"copied":{"S":"x"}}`, true},       // ... so it does not exist
		{`{"tags":[{"exists":false}]}`, `{"tags":[]}`, true},                  // an empty array holds no value
		{`{"a":[{"exists":false},"x"]}`, `{"a":"x"}`, true},                   // OR with a literal
		{`{"a":{"b":[{"exists":false}]}}`, `{"a":"scalar"}`, true},            // no b under a scalar
		{`{"a":{"b":[{"exists":false}]}}`, `{"a":[{"b":"x"}]}`, true},         // objects in arrays are not searched
	}
	for _, c := range cases {
		f, err := CompileFilter(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		got, err := f.Match([]byte(c.record))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s on %s: %v, want %v", c.pattern, c.record, got, c.want)
		}
	}
}

// A pattern the harness cannot evaluate as Lambda would is refused, naming
// the path.
func TestFilterRefusesWhatItDoesNotImplement(t *testing.T) {
	for pattern, want := range map[string]string{
		`{"a":[{"prefix":"x"}]}`:                   "a: the rule",
		`{"a":{"b":[{"anything-but":["x"]}]}}`:     "a.b: the rule",
		`{"a":[{"numeric":[">",1]}]}`:              "numeric",
		`{"a":[{"exists":"yes"}]}`:                 "exists",
		`{"$or":[{"a":["x"]},{"b":["y"]}]}`:        "$or",
		`{"a":"x"}`:                                "a leaf must be an array",
		`{"a":[]}`:                                 "empty array",
		`{"a":[["x"]]}`:                            "cannot be an array",
		`["a"]`:                                    "not a JSON object",
		`{"a":`:                                    "unexpected EOF",
		`{"a":[{"exists":true,"prefix":"x"}]}`:     "exists, prefix",
		`{"a":{"b":[{"equals-ignore-case":"x"}]}}`: "equals-ignore-case",
	} {
		_, err := CompileFilter(pattern)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming %q", pattern, err, want)
		}
	}
}

// MatchAny ORs the filters; no filters let everything through.
func TestMatchAny(t *testing.T) {
	ins, _ := CompileFilter(`{"eventName":["INSERT"]}`)
	rem, _ := CompileFilter(`{"eventName":["REMOVE"]}`)
	for record, want := range map[string]bool{`{"eventName":"INSERT"}`: true, `{"eventName":"REMOVE"}`: true, `{"eventName":"MODIFY"}`: false} {
		if got, _ := MatchAny([]*Filter{ins, rem}, []byte(record)); got != want {
			t.Errorf("%s: %v, want %v", record, got, want)
		}
	}
	if got, _ := MatchAny(nil, []byte(`{}`)); !got {
		t.Error("no filters dropped a record")
	}
	if _, err := MatchAny([]*Filter{ins}, []byte(`{`)); err == nil {
		t.Error("a record that is not JSON was matched")
	}
}
