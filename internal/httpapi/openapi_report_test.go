package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// oasImport drives the contacts import: a batch with every outcome, the
// same batch again, Idempotency-Key, and the requests the document and the
// API refuse.
func oasImport(c *oasChecker) {
	t, staff, admin := c.t, c.e.staffToken, adminToken
	t.Helper()
	src := oasID(t, c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Importación 2026", "costCents": 0}))
	existing := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/contacts", map[string]any{"name": "Ya Estaba", "email": "ya.estaba@example.com"}))
	batch := map[string]any{"rows": []any{
		map[string]any{"line": 2, "name": "Nueva", "surname": "Importada", "email": "Nueva.Importada@Example.com", "phone": "611 000 222",
			"company": "Nueva SL", "jobTitle": "CEO", "web": "nueva.example.com", "observations": "de la hoja",
			"address": map[string]any{"city": "Valencia", "country": "ES"}, "source": "importacion 2026", "interests": []string{},
			"marketingConsent": true},
		map[string]any{"line": 3, "name": "Ya Estaba", "email": "ya.estaba@example.com", "company": "Rellena SA", "source": src},
		map[string]any{"line": 4, "name": "Mal Correo", "email": "mal@"},
		map[string]any{"line": 5, "name": "Sin Fuente Conocida", "email": "sinfuente@example.com", "source": "No Existe"},
		map[string]any{"line": 6, "name": "Repetida", "email": "nueva.importada@example.com"},
	}}
	res := c.call(oasOK, 200, staff, "POST", "/v1/contacts:import", batch)
	var out struct {
		Created, Merged, Unchanged, Rejected int
		Results                              []struct {
			Line      int
			Outcome   string
			ContactID string
			Fields    map[string]string
		}
	}
	mustUnmarshal(t, res.Body, &out)
	if out.Created != 1 || out.Merged != 1 || out.Rejected != 3 || len(out.Results) != 5 {
		t.Errorf("import: want 1 created, 1 merged, 3 rejected: %s", res.Body)
	} else {
		for i, want := range []string{"created", "merged", "rejected", "rejected", "rejected"} {
			if r := out.Results[i]; r.Line != i+2 || r.Outcome != want {
				t.Errorf("row %d: line %d %s, want line %d %s", i, r.Line, r.Outcome, i+2, want)
			}
		}
		if out.Results[1].ContactID != existing || out.Results[2].Fields["email"] == "" || out.Results[3].Fields["source"] == "" || out.Results[4].Fields["row"] == "" {
			t.Errorf("import results do not say which contact or what was wrong: %s", res.Body)
		}
	}
	if created := out.Results[0].ContactID; created != "" {
		m := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts/"+created, nil))
		if m["email"] != "nueva.importada@example.com" || m["phone"] != "+34611000222" || m["sourceId"] != src || m["web"] != "https://nueva.example.com" {
			t.Errorf("the imported contact was not normalised or lacks its source: %v", m)
		}
	}
	if m := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts/"+existing, nil)); m["company"] != "Rellena SA" || m["name"] != "Ya Estaba" {
		t.Errorf("the merged contact did not get its empty company filled: %v", m)
	}
	// The same rows again: unchanged, nothing new.
	again := c.call(oasOK, 200, staff, "POST", "/v1/contacts:import", batch)
	mustUnmarshal(t, again.Body, &out)
	if out.Unchanged != 2 || out.Created != 0 || out.Merged != 0 {
		t.Errorf("the same import again: want 2 unchanged: %s", again.Body)
	}
	// A row naming its contact by id, with nothing new: unchanged.
	same := c.call(oasOK, 200, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{
		map[string]any{"line": 2, "id": existing, "name": "Ya Estaba", "company": "Rellena SA"}}})
	if mustUnmarshal(t, same.Body, &out); out.Unchanged != 1 || out.Results[0].ContactID != existing {
		t.Errorf("a row of the contact as it is: want unchanged: %s", same.Body)
	}
	// The merged contact's leads: the imported row, with what it posted.
	leads := "/v1/contacts/" + existing + "/leads"
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", leads, nil)); len(items) != 1 || items[0]["outcome"] != "merged" ||
		items[0]["data"].(map[string]any)["company"] != "Rellena SA" {
		t.Errorf("the merged contact's leads: %v", items)
	}
	c.call(oasOK, 200, staff, "GET", leads+"?limit=1", nil)
	c.call(oasBad, 400, staff, "GET", leads+"?limit=0", nil)
	c.call(oasAny, 400, staff, "GET", leads+"?format=import", nil)
	c.call(oasOK, 404, staff, "GET", "/v1/contacts/"+src+"/leads", nil) // a source is no contact
	// Idempotency-Key: the answer is replayed; another body is a conflict.
	one := map[string]any{"rows": []any{map[string]any{"line": 2, "name": "Con Clave", "email": "con.clave@example.com"}}}
	first := c.call(oasOK, 200, staff, "POST", "/v1/contacts:import", one, "Idempotency-Key", "import-1")
	replay := c.call(oasOK, 200, staff, "POST", "/v1/contacts:import", one, "Idempotency-Key", "import-1")
	if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, replay.Body) {
		t.Errorf("import with the same Idempotency-Key was not replayed: %v %s", replay.Header, replay.Body)
	}
	c.call(oasOK, 409, staff, "POST", "/v1/contacts:import", batch, "Idempotency-Key", "import-1")

	// What the request itself may not be.
	row := map[string]any{"line": 2, "name": "X", "email": "x.import@example.com"}
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{}})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": row})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", []any{row})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{"X,x@example.com"}})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{map[string]any{"name": "X", "nmae": "Y"}}})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{map[string]any{"name": 5}}})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{map[string]any{"name": "X", "address": map[string]any{"town": "Madrid"}}}})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{row}, "dryRun": true})
	many := make([]any, crm.MaxImportRows+1)
	for i := range many {
		many[i] = map[string]any{"line": i + 2, "name": "Fila", "email": fmt.Sprintf("fila%d.import@example.com", i)}
	}
	c.call(oasBad, 400, staff, "POST", "/v1/contacts:import", map[string]any{"rows": many})
	c.call(oasAny, 413, staff, "POST", "/v1/contacts:import", map[string]any{"rows": []any{map[string]any{"name": "Big", "observations": strings.Repeat("a", 1<<20)}}})
}

// oasReport drives the source report over counters written as the change
// stream writes them (no stream runs in this test): JSON, CSV, and the
// queries the document and the API refuse.
func oasReport(c *oasChecker) {
	t, staff := c.t, c.e.staffToken
	t.Helper()
	src := oasID(t, c.call(oasOK, 201, adminToken, "POST", "/v1/sources", map[string]any{"name": "Revista", "costCents": 40000}))
	for i, d := range []crm.StatDelta{
		{SourceID: src, Month: "2026-01", Field: "leads", Delta: 8},
		{SourceID: src, Month: "2026-01", Field: "opportunities", Delta: 3},
		{SourceID: src, Month: "2026-02", Field: "won", Delta: 1},
		{SourceID: src, Month: "2026-02", Field: "wonAmountCents", Delta: 120000},
		{SourceID: "", Month: "2026-02", Field: "contacts", Delta: 2},
	} {
		if _, err := c.e.store.ApplyOnce(context.Background(), fmt.Sprintf("oas-report-%d", i), nil, []crm.StatDelta{d}); err != nil {
			t.Fatal(err)
		}
	}

	c.call(oasOK, 200, staff, "GET", "/v1/reports/sources", nil)
	res := c.call(oasOK, 200, staff, "GET", "/v1/reports/sources?from=2026-01&to=2026-02", nil)
	var rep reportJSON
	mustUnmarshal(t, res.Body, &rep)
	found := false
	for _, r := range rep.Items {
		if r.SourceID == src {
			found = true
			if r.Leads != 8 || r.Opportunities != 3 || r.Won != 1 || r.Open != 2 || r.CostPerLeadCents == nil || *r.CostPerLeadCents != 5000 ||
				r.ROI == nil || *r.ROI != 2 {
				t.Errorf("the source's row: %+v", r)
			}
		}
	}
	if !found || rep.Total.Contacts != 2 {
		t.Errorf("report: want the source's row and 2 contacts without a source in the total: %s", res.Body)
	}
	for _, h := range [][]string{nil, {"Accept", "text/csv"}} {
		q := "?from=2026-01&to=2026-02"
		if h == nil {
			q += "&format=csv"
		}
		res := c.call(oasOK, 200, staff, "GET", "/v1/reports/sources"+q, nil, h...)
		recs, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
		if err != nil || len(recs) != len(rep.Items)+2 || recs[len(recs)-1][1] != "Total" {
			t.Errorf("CSV report (%v): %v\n%s", h, err, res.Body)
		}
	}
	c.call(oasOK, 200, staff, "GET", "/v1/reports/sources?to="+time.Now().Format("2006-01")+"&format=json", nil, "Accept", "text/csv")

	c.call(oasBad, 400, staff, "GET", "/v1/reports/sources?from=2026-13", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/reports/sources?to=26-01", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/reports/sources?format=xml", nil)
	c.call(oasOK, 400, staff, "GET", "/v1/reports/sources?from=2026-05&to=2026-01", nil) // the document cannot compare the two
	c.call(oasOK, 400, staff, "GET", "/v1/reports/sources?from=2010-01&to=2026-01", nil)
	c.call(oasAny, 400, staff, "GET", "/v1/reports/sources?month=2026-01", nil) // unknown parameters are not the document's to refuse
}
