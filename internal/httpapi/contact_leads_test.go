package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestContactLeadsKeepWhatAMergedLeadPosted: a lead merged into a contact
// writes only what the contact lacked; GET /v1/contacts/{id}/leads shows
// every lead of the contact, newest first and in pages, with what it
// posted, when and from which source.
func TestContactLeadsKeepWhatAMergedLeadPosted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src := e.created("/v1/sources", map[string]any{"name": "Formulario web", "webhook": map[string]any{"kind": "form"}})
	source := crm.Source{ID: id(src), Name: "Formulario web", Webhook: &crm.Webhook{Kind: crm.FormatForm}}
	intake := func(l crm.Lead) crm.LeadRecord {
		t.Helper()
		rec, _, err := e.svc.IntakeLead(context.Background(), source, l)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	first := intake(crm.Lead{Format: crm.FormatForm, Name: "Ana", Email: "ana@example.com", Company: "ACME SL"})
	second := intake(crm.Lead{Format: crm.FormatForm, Name: "Ana María", Email: "ana@example.com", Company: "Otra Empresa SL",
		Phone: "600 11 22 33", Message: "Llamadme por la tarde", Extra: map[string]string{"presupuesto": "3000"},
		Attribution: crm.Attribution{UTMSource: "google"}})
	if second.ContactID != first.ContactID {
		t.Fatalf("the second lead was not merged: %+v", second)
	}
	path := "/v1/contacts/" + first.ContactID + "/leads"
	if c := getOK(e, "/v1/contacts/"+first.ContactID); c["company"] != "ACME SL" {
		t.Fatalf("the merge overwrote the company: %v", c["company"])
	}
	items := e.listAll(e.staffToken, path+"?limit=1")
	if got := ids(items); len(got) != 2 || got[0] != second.ID || got[1] != first.ID {
		t.Fatalf("leads %v, want %s then %s", got, second.ID, first.ID)
	}
	newest := items[0]
	data, _ := newest["data"].(map[string]any)
	if data["company"] != "Otra Empresa SL" || data["name"] != "Ana María" || data["phone"] != "+34600112233" ||
		newest["message"] != "Llamadme por la tarde" || newest["sourceId"] != id(src) || newest["format"] != "form" ||
		newest["outcome"] != "merged" || newest["receivedAt"] == "" {
		t.Errorf("the merged lead's record: %v", newest)
	}
	if extra, _ := newest["extra"].(map[string]any); extra["presupuesto"] != "3000" {
		t.Errorf("extra %v", newest["extra"])
	}
	if attr, _ := newest["attribution"].(map[string]any); attr["utmSource"] != "google" {
		t.Errorf("attribution %v", newest["attribution"])
	}
	wantProblem(t, e.staff_(http.MethodGet, "/v1/contacts/"+unknownID()+"/leads", nil), http.StatusNotFound, crm.CodeNotFound)
	wantProblem(t, e.staff_(http.MethodGet, "/v1/contacts/nope/leads", nil), http.StatusBadRequest, crm.CodeInvalid, "id")
	for _, q := range []string{"limit=0", "cursor=nope", "format=form"} {
		field, _, _ := strings.Cut(q, "=")
		wantProblem(t, e.staff_(http.MethodGet, path+"?"+q, nil), http.StatusBadRequest, crm.CodeInvalid, field)
	}
}
