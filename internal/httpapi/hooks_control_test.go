package httpapi_test

// A web lead with control characters is kept, without them: a lead is
// never refused for what a sender's form let through.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

func TestHookLeadControlCharactersRemoved(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	formID, formToken := h.newSource("Web", map[string]any{"kind": "form"})
	_, jsonToken := h.newSource("Zapier", map[string]any{"kind": "json"})

	res := h.form("/hooks/"+formToken, url.Values{
		"name":     {"Ana" + termEscape},
		"email":    {"ana@example.com"},
		"city":     {"Mad\u009brid"},
		"message":  {"Hola,\r\nquiero\tinformación\x1b[2J\x00"},
		"color":    {"azul\x07"}, // not a lead field: kept in the lead record's extra
		"nota\x1b": {"x"},
	}, "Accept", "application/json")
	wantJSONOK(t, res)
	ana := h.oneContact("ana@example.com")
	if ana.Name != "Ana]0;PWNED[2J" || ana.Address.City != "Madrid" || ana.Observations != "Hola,\nquiero\tinformación[2J" {
		t.Errorf("contact %+v: the control characters must be gone, the rest kept", ana)
	}
	recs := h.leadsOf(formID)
	if len(recs) != 1 {
		t.Fatalf("%d lead records, want 1", len(recs))
	}
	if r := recs[0]; r.Message != "Hola,\nquiero\tinformación[2J" || r.Extra["color"] != "azul" || r.Extra["nota"] != "x" {
		t.Errorf("lead record message %q extra %q", r.Message, r.Extra)
	}

	body, _ := json.Marshal(map[string]any{"name": "Luis\u0085\u001b[31m Pérez", "phone": "600 12 34 56", "company": "\u0007Talleres"})
	wantJSONOK(t, h.hook(http.MethodPost, "/hooks/"+jsonToken, "application/json", body))
	luis := h.contactsWhere("phone", "+34600123456")
	if len(luis) != 1 || luis[0].Name != "Luis[31m Pérez" || luis[0].Company != "Talleres" {
		t.Errorf("contacts %+v", luis)
	}
	for _, c := range h.contacts() {
		for _, s := range []string{c.Name, c.Surname, c.Company, c.Observations, c.Address.City} {
			if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
				t.Errorf("contact %s keeps a control character: %q", c.ID, s)
			}
		}
	}
}
