package httpapi_test

// Web leads keep their text whatever the form's encoding: a form on a page
// that is not UTF-8 posts Windows-1252 bytes and character references for
// the rest; a JSON sender's text must be UTF-8.

import (
	"net/http"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

func TestHookFormCharacterReferences(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	srcID, token := h.newSource("Web", map[string]any{"kind": "form"})
	// What a browser sends for Łukasz Nowak 😀, Málaga, from a Latin-1 page.
	body := "name=%26%23321%3Bukasz&surname=Nowak+%26%23128512%3B&ciudad=M%E1laga&email=lukasz%40example.pl&mensaje=Ol%E1+%26%2310004%3B"
	wantJSONOK(t, h.hook(http.MethodPost, "/hooks/"+token, formURLEncoded, []byte(body), "Accept", "application/json"))
	c := h.oneContact("lukasz@example.pl")
	if c.Name != "Łukasz" || c.Surname != "Nowak 😀" || c.Address.City != "Málaga" || c.Observations != "Olá ✔" {
		t.Errorf("contact %+v", c)
	}
	if recs := h.leadsOf(srcID); len(recs) != 1 || recs[0].Message != "Olá ✔" {
		t.Errorf("lead records %+v", recs)
	}
}

func TestHookJSONNotUTF8(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, token := h.newSource("Zapier", map[string]any{"kind": "json"})
	before := h.snapshot()
	res := h.hook(http.MethodPost, "/hooks/"+token, "application/json", []byte("{\"email\":\"jose@example.com\",\"name\":\"Jos\xe9\"}"))
	p := wantProblem(t, res, http.StatusBadRequest, crm.CodeInvalid, "name")
	if p.Fields["name"] != "is not valid UTF-8" {
		t.Errorf("problem %v", p.Fields)
	}
	h.unchanged(t, before)
}
