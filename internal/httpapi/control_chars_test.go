package httpapi_test

// Text fields refuse control characters (terminal escapes, NUL, C1 codes)
// other than tab and newline, on every entity and write path, with a 400
// naming the field; a CRLF line break is kept as a newline.

import (
	"net/http"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// the escape of the issue: set the terminal's title, clear the screen.
const termEscape = "\x1b]0;PWNED\x07\x1b[2J"

func TestControlCharactersRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newFixture(e)
	key := crm.NotificationKeys()[0]
	cases := []struct {
		name, method, path string
		body               map[string]any
		field              string
	}{
		{"contact name", "POST", "/v1/contacts", map[string]any{"name": "Ana" + termEscape}, "name"},
		{"contact observations", "POST", "/v1/contacts", map[string]any{"name": "Ana", "observations": "x\x1b[2J"}, "observations"},
		{"C1 in a nested field", "POST", "/v1/contacts", map[string]any{"name": "Ana", "address": map[string]any{"city": "Mad\u009brid"}}, "address.city"},
		{"NEL", "POST", "/v1/contacts", map[string]any{"name": "Ana", "company": "Talleres\u0085Pérez"}, "company"},
		{"a lone CR", "POST", "/v1/contacts", map[string]any{"name": "safe\rEVIL"}, "name"},
		{"DEL", "POST", "/v1/contacts", map[string]any{"name": "Ana", "jobTitle": "x\x7f"}, "jobTitle"},
		{"NUL", "PATCH", "/v1/contacts/" + f.contact, map[string]any{"surname": "a\x00b"}, "surname"},
		{"attribution", "PATCH", "/v1/contacts/" + f.contact, map[string]any{"attribution": map[string]any{"utmCampaign": "x\x1b"}}, "attribution.utmCampaign"},
		{"note", "POST", "/v1/contacts/" + f.contact + "/notes", map[string]any{"text": "hola\x1b[31m"}, "text"},
		{"note update", "PATCH", "/v1/notes/" + f.note, map[string]any{"text": "\x1b[2J"}, "text"},
		{"opportunity", "POST", "/v1/opportunities", map[string]any{"contactId": f.contact, "description": "a\x1bb"}, "description"},
		{"opportunity update", "PATCH", "/v1/opportunities/" + f.opportunity, map[string]any{"observations": "a\x08b"}, "observations"},
		{"quote line", "PATCH", "/v1/quotes/" + f.quote, withLine(map[string]any{"description": "a\x1bb"}), "lines[0].description"},
		{"client", "POST", "/v1/clients", map[string]any{"name": "x" + termEscape}, "name"},
		{"supplier update", "PATCH", "/v1/suppliers/" + f.supplier, map[string]any{"legalName": "x\x1b"}, "legalName"},
		{"file", "POST", "/v1/contacts/" + f.contact + "/files", map[string]any{"name": "a\x1b.txt", "contentType": "text/plain", "size": 1}, "name"},
		{"source", "POST", "/v1/sources", map[string]any{"name": "Feria\x07"}, "name"},
		{"source webhook", "POST", "/v1/sources", map[string]any{"name": "Web", "webhook": map[string]any{"kind": "form", "honeypot": "x\x1b"}}, "webhook.honeypot"},
		{"interest", "POST", "/v1/interests", map[string]any{"name": "Placas\x1b"}, "name"},
		{"agent", "POST", "/v1/agents", map[string]any{"code": "AG", "name": "Luis\x1b"}, "name"},
		{"state", "PATCH", "/v1/states/" + f.state, map[string]any{"name": "x\x1b"}, "name"},
		{"user", "POST", "/v1/users", map[string]any{"name": "x\x1b", "email": "x@example.com"}, "name"},
		{"notification override", "PATCH", "/v1/notification-settings/" + key, map[string]any{"overrides": map[string]any{"es": map[string]any{"subject": "Hola\x1b[2J"}}}, "overrides.es.subject"},
	}
	before := e.snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := wantProblem(t, e.admin_(c.method, c.path, c.body), http.StatusBadRequest, crm.CodeInvalid, c.field)
			if got := p.Fields[c.field]; got != "must not contain control characters (only tab and newline are allowed)" {
				t.Errorf("problem for %s: %q", c.field, got)
			}
		})
	}
	e.unchanged(t, before)
}

func TestTabsAndNewlinesKept(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.created("/v1/contacts", map[string]any{"name": "Ana", "observations": "línea 1\r\nlínea 2\n\tsangrada"})
	if got := c["observations"]; got != "línea 1\nlínea 2\n\tsangrada" {
		t.Errorf("observations %q: a CRLF becomes a newline, tabs and newlines stay", got)
	}
}
