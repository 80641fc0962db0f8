package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// importBatch is a full batch of new rows (as `embudo import contacts`
// sends them), numbered from first.
func importBatch(first int) []crm.ImportRow {
	rows := make([]crm.ImportRow, crm.MaxImportRows)
	for i := range rows {
		n := first + i
		rows[i] = crm.ImportRow{Line: n + 2, Name: fmt.Sprintf("Persona %d", n), Surname: "Pérez",
			Email: fmt.Sprintf("persona%d@example.com", n), Phone: fmt.Sprintf("+34 6%08d", n),
			Company: "ACME", Address: crm.Address{City: "Málaga", Country: "ES"}, Interests: []string{"Fibra"}}
	}
	return rows
}

// BenchmarkImportContacts is the contacts import on the rig's store, in
// rows per second, one batch of 500 per op: new rows (each a contact
// created), the same rows again (each recognised, nothing written), and new
// rows through the HTTP handler (JSON both ways and the API's checks
// included).
func BenchmarkImportContacts(b *testing.B) {
	ctx := context.Background()
	rowsPerSec := func(b *testing.B) {
		b.ReportMetric(float64(b.N*crm.MaxImportRows)/b.Elapsed().Seconds(), "rows/s")
	}
	setup := func(b *testing.B) *rig {
		r := newRig(b)
		if _, err := r.svc.CreateInterest(ctx, crm.Interest{Name: "Fibra"}); err != nil {
			b.Fatal(err)
		}
		return r
	}
	check := func(b *testing.B, res []crm.ImportResult, err error, want crm.ImportOutcome) {
		if err != nil {
			b.Fatal(err)
		}
		for _, x := range res {
			if x.Outcome != want {
				b.Fatalf("line %d: %s %s, want %s", x.Line, x.Outcome, x.Reason, want)
			}
		}
	}

	b.Run("new", func(b *testing.B) {
		r := setup(b)
		r.db.n.Store(0)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := r.svc.ImportContacts(ctx, importBatch(i*crm.MaxImportRows))
			check(b, res, err, crm.ImportCreated)
		}
		rowsPerSec(b)
		b.ReportMetric(float64(r.db.n.Load())/float64(b.N*crm.MaxImportRows), "ddb-req/row")
	})

	b.Run("again", func(b *testing.B) {
		r := setup(b)
		rows := importBatch(0)
		res, err := r.svc.ImportContacts(ctx, rows)
		check(b, res, err, crm.ImportCreated)
		r.db.n.Store(0)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := r.svc.ImportContacts(ctx, rows)
			check(b, res, err, crm.ImportUnchanged)
		}
		rowsPerSec(b)
		b.ReportMetric(float64(r.db.n.Load())/float64(b.N*crm.MaxImportRows), "ddb-req/row")
	})

	b.Run("http", func(b *testing.B) {
		r := setup(b)
		bodies := func(i int) string {
			type row struct {
				Line      int      `json:"line"`
				Name      string   `json:"name"`
				Surname   string   `json:"surname"`
				Email     string   `json:"email"`
				Phone     string   `json:"phone"`
				Company   string   `json:"company"`
				Interests []string `json:"interests"`
			}
			var req struct {
				Rows []row `json:"rows"`
			}
			for _, x := range importBatch(i * crm.MaxImportRows) {
				req.Rows = append(req.Rows, row{x.Line, x.Name, x.Surname, x.Email, x.Phone, x.Company, x.Interests})
			}
			j, _ := json.Marshal(req)
			return string(j)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			body := bodies(i)
			b.StartTimer()
			r.serve(b, "POST", "/v1/contacts:import", body, 200)
		}
		rowsPerSec(b)
	})
}
