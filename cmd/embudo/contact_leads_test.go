package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// `embudo contacts leads` shows what each lead of a contact posted, also
// the data a merge did not take (issue 10 item 15, the CLI part), and the
// timeline names the webhook as the actor of a lead's changes.
func TestContactLeadsCommand(t *testing.T) {
	s := serveInProcess(t)
	cliEnv(t, s)
	src := cliJSON(t, "sources", "create", "--name", "Formulario web", "--webhook-kind", "form")
	hook := src["webhook"].(map[string]any)["url"].(string)
	for _, form := range []url.Values{
		{"name": {"Ana"}, "email": {"ana@example.com"}, "company": {"ACME SL"}},
		{"name": {"Ana María"}, "email": {"ana@example.com"}, "company": {"Otra Empresa SL"}, "message": {"Llamadme por la tarde"}},
	} {
		res, err := http.PostForm(hook, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 400 {
			t.Fatalf("posting a lead: %d", res.StatusCode)
		}
	}
	cs := cliItems(cliJSON(t, "contacts", "list", "--email", "ana@example.com"))
	if len(cs) != 1 {
		t.Fatalf("contacts: %v", cs)
	}
	id := cs[0]["id"].(string)
	out := cliOK(t, "contacts", "leads", id)
	for _, want := range []string{"Formulario web (form)", "created", "merged", "Ana María", "Otra Empresa SL", "Llamadme por la tarde", "ACME SL"} {
		if !strings.Contains(out, want) {
			t.Errorf("contacts leads does not show %q:\n%s", want, out)
		}
	}
	if items := cliItems(cliJSON(t, "contacts", "leads", id)); len(items) != 2 {
		t.Errorf("contacts leads --json: %v", items)
	}
	if out := cliOK(t, "contacts", "show", id); !strings.Contains(out, "Formulario web (webhook)") {
		t.Errorf("the timeline does not name the webhook:\n%s", out)
	}
}
