package cli

import (
	"strings"
	"testing"
)

// `embudo contacts leads ID` lists the leads that created a contact or were
// merged into it, with what each posted (issue 10 item 15, the CLI part);
// the timeline of `contacts show` names the webhook of a lead's changes.
func TestContactLeads(t *testing.T) {
	lead := func(id, at, name, email, company, msg, outcome string) string {
		return `{"id":"` + id + `","sourceId":"01S","format":"form","externalId":"","outcome":"` + outcome + `","contactId":"01C",` +
			`"opportunityId":"","receivedAt":"` + at + `","data":{"name":"` + name + `","surname":"","email":"` + email + `",` +
			`"phone":"+34600112233","mobile":"","taxId":"","company":"` + company + `","jobTitle":"","web":"","address":{"street":"",` +
			`"postalCode":"","city":"","province":"","country":""},"interests":[],"marketingConsent":false},"message":"` + msg + `",` +
			`"attribution":{"utmSource":"google"},"extra":{"presupuesto":"3000"}}`
	}
	api, flags := serveFake(t, map[string]string{
		"GET /v1/contacts/01C/leads": `{"items":[` + lead("01L2", "2026-02-01T10:00:00Z", "Ana María", "ana@example.com", "Otra Empresa SL", "Llamadme", "merged") +
			`,` + lead("01L1", "2026-01-01T10:00:00Z", "Ana", "ana@example.com", "ACME SL", "", "created") + `],"nextCursor":""}`,
		"GET /v1/sources":               `{"items":[{"id":"01S","name":"Formulario web"}]}`,
		"GET /v1/contacts/01C":          `{"id":"01C","name":"Ana"}`,
		"GET /v1/contacts/01C/timeline": `{"items":[{"at":"2026-02-01T10:00:00Z","kind":"lead","summary":"Lead merged","actor":"","actorKind":"webhook","actorName":"Formulario web","private":false}]}`,
	})
	out := runFake(t, flags, "contacts", "leads", "01C")
	for _, want := range []string{"Formulario web", "merged", "Ana María", "Otra Empresa SL", "Llamadme", "ACME SL", "created", "+34600112233", "presupuesto=3000"} {
		if !strings.Contains(out, want) {
			t.Errorf("contacts leads does not show %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "Ana María") > strings.Index(out, "ACME SL") {
		t.Errorf("not newest first:\n%s", out)
	}
	if out := runFake(t, append(flags, "--json"), "contacts", "leads", "01C", "--all"); !strings.Contains(out, `"presupuesto": "3000"`) {
		t.Errorf("--json:\n%s", out)
	}
	if _, ok := api.bodies["GET /v1/contacts/01C/leads"]; !ok {
		t.Error("the API was not asked")
	}
	if out := runFake(t, flags, "contacts", "show", "01C"); !strings.Contains(out, "Formulario web (webhook)") {
		t.Errorf("the timeline does not name the webhook:\n%s", out)
	}
}
