package jsonutf8

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestInvalid(t *testing.T) {
	for _, c := range []struct {
		name, body, path string
		bad              bool
	}{
		{"valid", `{"name":"José Ñúñez 😀","n":1,"a":[true,null]}`, "", false},
		{"escapes", `{"name":"Jos\u00e9 \ud83d\ude00 \\u00zz \"q\""}`, "", false},
		{"U+FFFD itself", `{"name":"a\ufffd�"}`, "", false},
		{"latin-1 byte", "{\"name\":\"Jos\xe9\"}", "name", true},
		{"second field", "{\"name\":\"Ana\",\"surname\":\"P\xe9rez\"}", "surname", true},
		{"nested", "{\"name\":\"Ana\",\"address\":{\"street\":\"x\",\"city\":\"M\xe1laga\"}}", "address.city", true},
		{"in an array", "{\"lines\":[{\"description\":\"ok\"},{\"description\":\"\xff\"}]}", "lines[1].description", true},
		{"array of strings", "{\"tags\":[\"a\",\"b\xc3\"]}", "tags[1]", true},
		{"after nested values", "{\"a\":{\"b\":[1,{\"c\":2}]},\"d\":[[]],\"e\":\"\xff\"}", "e", true},
		{"truncated sequence", "{\"name\":\"\xe2\x82\"}", "name", true},
		{"overlong", "{\"name\":\"\xc0\xaf\"}", "name", true},
		{"encoded surrogate", "{\"name\":\"\xed\xa0\x80\"}", "name", true},
		{"lone high surrogate", `{"name":"a\ud800b"}`, "name", true},
		{"lone low surrogate", `{"x":1,"name":"\udc00"}`, "name", true},
		{"high then not low", `{"name":"\ud800\u0041"}`, "name", true},
		{"upper-case escape", `{"name":"\uD800"}`, "name", true},
		{"in a key", "{\"ok\":1,\"n\xe9\":\"x\"}", "", true},
		{"in a nested key", "{\"address\":{\"c\xe9\":\"x\"}}", "address", true},
		{"top-level string", "\"\xff\"", "", true},
		{"not JSON there", "{\"a\":1 \xff}", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, bad := Invalid([]byte(c.body))
			if bad != c.bad || path != c.path {
				t.Errorf("Invalid(%q) = %q, %v; want %q, %v", c.body, path, bad, c.path, c.bad)
			}
		})
	}
}

// What Invalid passes, encoding/json decodes without U+FFFD (unless the
// text had one); what it refuses, encoding/json would have changed.
func FuzzInvalid(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `["\ud83d\ude00"]`, `{"a":{"b":["c"]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path, bad := Invalid(b)
		var v any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		round, _ := json.Marshal(v)
		if !bad && strings.Contains(string(round), "\ufffd") && !strings.Contains(string(b), "\ufffd") && !strings.Contains(strings.ToLower(string(b)), `\ufffd`) {
			t.Errorf("%q passed, but decodes with U+FFFD", b)
		}
		if bad && utf8.Valid(b) && !strings.Contains(strings.ToLower(string(b)), `\ud`) {
			t.Errorf("%q refused at %q though it is valid UTF-8 without surrogate escapes", b, path)
		}
	})
}
