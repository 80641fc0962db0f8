package httpapi_test

import (
	"net/http"
	"testing"
)

// TestReimportOfAnExportChangesNothing: rows made from GET /v1/contacts as
// an export gives them (id, fields, sourceId, interestIds), imported
// through POST /v1/contacts:import, are all unchanged: no version or ETag
// moves, nothing is written (no record, hence no timeline entry).
func TestReimportOfAnExportChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src := e.created("/v1/sources", map[string]any{"name": "Feria"})
	in := e.created("/v1/interests", map[string]any{"name": "Hosting"})
	for _, c := range []map[string]any{
		{"name": "Ana", "surname": "Ruiz", "email": "Ana@Example.com", "phone": "600 111 222", "company": "ACME SL", "jobTitle": "Gerente",
			"taxId": "b123", "web": "https://acme.example", "observations": "Cliente de 2024", "sourceId": id(src), "interestIds": []string{id(in)},
			"marketingConsent": true, "address": map[string]any{"street": "Calle Mayor 1", "city": "Madrid", "country": "ES"}},
		{"name": "Bea", "mobile": "611 222 333"},
		{"name": "Carmen", "company": "Sin contacto SL"},
		{"name": "Dora", "phone": "+34 622 333 444", "email": "dora@example.com"},
	} {
		e.createdAs(e.staffToken, "/v1/contacts", c)
	}
	exported := e.listAll(e.staffToken, "/v1/contacts")
	var rows []map[string]any
	for i, c := range exported {
		row := map[string]any{"line": i + 2, "id": c["id"], "source": c["sourceId"], "interests": c["interestIds"]}
		for _, k := range []string{"name", "surname", "email", "phone", "mobile", "company", "jobTitle", "taxId", "web", "observations", "address", "marketingConsent"} {
			row[k] = c[k]
		}
		rows = append(rows, row)
	}
	etags := map[string]string{}
	for _, c := range exported {
		etags[id(c)] = e.staff_(http.MethodGet, "/v1/contacts/"+id(c), nil).Header.Get("ETag")
	}
	before := e.snapshot()
	reimport := func(what string, rows []map[string]any) {
		t.Helper()
		res := e.staff_(http.MethodPost, "/v1/contacts:import", map[string]any{"rows": rows})
		wantStatus(t, res, http.StatusOK)
		out := res.json(t)
		if out["unchanged"] != float64(len(rows)) || out["created"] != float64(0) || out["merged"] != float64(0) || out["rejected"] != float64(0) {
			t.Fatalf("re-importing %s: %s", what, res.Body)
		}
		for _, r := range out["results"].([]any) {
			if m := r.(map[string]any); m["outcome"] != "unchanged" || m["contactId"] == "" {
				t.Errorf("%s: row %v", what, m)
			}
		}
		e.unchanged(t, before)
		for _, c := range exported {
			if tag := e.staff_(http.MethodGet, "/v1/contacts/"+id(c), nil).Header.Get("ETag"); tag != etags[id(c)] {
				t.Errorf("%s: %s's ETag is %s, was %s", what, c["name"], tag, etags[id(c)])
			}
		}
	}
	reimport("the export", rows)
	reimport("the export again", rows)
	// Without ids, the contacts with an e-mail or phone are found by them,
	// and unchanged too.
	var noIDs []map[string]any
	for _, r := range rows {
		if r["email"] != "" || r["phone"] != "" || r["mobile"] != "" {
			x := map[string]any{}
			for k, v := range r {
				if k != "id" {
					x[k] = v
				}
			}
			noIDs = append(noIDs, x)
		}
	}
	reimport("the export without ids", noIDs)
}
