package httpapi_test

// A JSON body whose text is not valid Unicode (Latin-1 bytes, a hostile
// byte, an unpaired surrogate escape) is refused naming the field, not
// stored as U+FFFD.

import (
	"net/http"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

func TestInvalidUTF8Refused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newFixture(e)
	cases := []struct {
		name, method, path, body, field string
	}{
		{"Latin-1 name", "POST", "/v1/contacts", "{\"name\":\"Jos\xe9\"}", "name"},
		{"hostile bytes", "POST", "/v1/contacts", "{\"name\":\"\xff\xfe\xfd\"}", "name"},
		{"nested", "POST", "/v1/contacts", "{\"name\":\"Ana\",\"address\":{\"city\":\"M\xe1laga\"}}", "address.city"},
		{"unpaired surrogate", "POST", "/v1/contacts", `{"name":"Ana","surname":"\ud800"}`, "surname"},
		{"update", "PATCH", "/v1/contacts/" + f.contact, "{\"observations\":\"caf\xe9\"}", "observations"},
		{"note", "POST", "/v1/contacts/" + f.contact + "/notes", "{\"text\":\"\xc3\"}", "text"},
		{"quote line", "PATCH", "/v1/quotes/" + f.quote, "{\"lines\":[{\"description\":\"Instalaci\xf3n\",\"quantity\":1,\"unitPriceCents\":100}]}", "lines[0].description"},
		{"in a key", "POST", "/v1/sources", "{\"name\":\"Feria\",\"n\xe9\":1}", "body"},
	}
	before := e.snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := wantProblem(t, e.admin_(c.method, c.path, c.body), http.StatusBadRequest, crm.CodeInvalid, c.field)
			if p.Fields[c.field] != "is not valid UTF-8" {
				t.Errorf("problem %v", p.Fields)
			}
		})
	}
	e.unchanged(t, before)
	// Escapes of valid characters, a surrogate pair and U+FFFD itself are text.
	c := e.created("/v1/contacts", `{"name":"Jos\u00e9 \ud83d\ude00 \ufffd"}`)
	if c["name"] != "José 😀 \ufffd" {
		t.Errorf("name %q", c["name"])
	}
}
