package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
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

// importRig is a rig with the interest the import rows name.
func importRig(b *testing.B, r *rig) {
	if _, err := r.svc.CreateInterest(context.Background(), crm.Interest{Name: "Fibra"}); err != nil {
		b.Fatal(err)
	}
}

// importOp imports a batch through the service and fails unless every row
// comes out as want.
func importOp(b *testing.B, r *rig, rows []crm.ImportRow, want crm.ImportOutcome) {
	res, err := r.svc.ImportContacts(context.Background(), rows)
	if err != nil {
		b.Fatal(err)
	}
	for _, x := range res {
		if x.Outcome != want {
			b.Fatalf("line %d: %s %s, want %s", x.Line, x.Outcome, x.Reason, want)
		}
	}
}

// importScenarios are one import batch of 500 rows per op through the
// service, on an empty database: new rows (each a contact created), and the
// same rows again (each recognised, nothing written).
var importScenarios = []scenario{
	{"new", 0, func(b *testing.B, r *rig) func(int) {
		importRig(b, r)
		return func(i int) { importOp(b, r, importBatch(i*crm.MaxImportRows), crm.ImportCreated) }
	}},
	{"again", 0, func(b *testing.B, r *rig) func(int) {
		importRig(b, r)
		rows := importBatch(0)
		importOp(b, r, rows, crm.ImportCreated)
		return func(int) { importOp(b, r, rows, crm.ImportUnchanged) }
	}},
}

// BenchmarkImportContacts is the contacts import on the SQLite store as
// `embudo serve` runs it, starting from an empty database, in rows per
// second: the import scenarios, and new rows through the HTTP handler, two
// batches at a time as `embudo import contacts` sends them (JSON both ways
// and the API's checks included). The change feed runs meanwhile, as in
// the server, and is not waited for. http also reports the store's
// commits (fsyncs) per row and the write transactions each carried.
func BenchmarkImportContacts(b *testing.B) {
	rowsPerSec := func(b *testing.B) {
		b.ReportMetric(float64(b.N*crm.MaxImportRows)/b.Elapsed().Seconds(), "rows/s")
	}
	for _, sc := range importScenarios {
		b.Run(sc.name, func(b *testing.B) {
			r := newRig(b, 0)
			r.measure(b, sc.prepare(b, r))
			rowsPerSec(b)
		})
	}

	b.Run("http", func(b *testing.B) {
		r := newRig(b, 0)
		importRig(b, r)
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
		all := make([]string, b.N)
		for i := range all {
			all[i] = bodies(i)
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		c0, w0 := r.st.Commits()
		b.ResetTimer()
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
					if err := r.call("POST", "/v1/contacts:import", all[i], 200); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		rowsPerSec(b)
		c1, w1 := r.st.Commits()
		b.ReportMetric(float64(c1-c0)/float64(b.N*crm.MaxImportRows), "commits/row")
		b.ReportMetric(float64(w1-w0)/float64(c1-c0), "writes/commit")
	})
}
