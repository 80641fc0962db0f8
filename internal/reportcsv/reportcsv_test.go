package reportcsv_test

import (
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/reportcsv"
)

func ptr[T any](v T) *T { return &v }

// TestWrite: the header, a row per source in the report's order, the total
// last; a name a spreadsheet would run is quoted; ratios with four
// decimals, empty where the domain has none.
func TestWrite(t *testing.T) {
	rep := crm.Report{From: "2026-01", To: "2026-03",
		Rows: []crm.SourceReport{
			{SourceID: "01JSRC", SourceName: "=HYPERLINK(\"http://x\")", Leads: 10, Contacts: 9, Opportunities: 4, Won: 1, Lost: 1, Open: 2,
				ConversionRate: ptr(0.25), WonAmountCents: 350000, CostCents: 150000, CostPerLeadCents: ptr(int64(15000)),
				CostPerWonCents: ptr(int64(150000)), ROI: ptr(4.0 / 3)},
			{SourceName: "(no source)", Leads: 2},
		},
		Total: crm.SourceReport{SourceName: "Total", Leads: 12, Contacts: 9, Opportunities: 4, Won: 1, Lost: 1, Open: 2,
			ConversionRate: ptr(0.25), WonAmountCents: 350000, CostCents: 150000},
	}
	var b strings.Builder
	if err := reportcsv.Write(&b, rep); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		reportcsv.Header,
		{"01JSRC", "'=HYPERLINK(\"http://x\")", "10", "9", "4", "1", "1", "2", "0.2500", "350000", "150000", "15000", "150000", "1.3333"},
		{"", "(no source)", "2", "0", "0", "0", "0", "0", "", "0", "0", "", "", ""},
		{"", "Total", "12", "9", "4", "1", "1", "2", "0.2500", "350000", "150000", "", "", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d:\n%s", len(recs), len(want), b.String())
	}
	for i := range want {
		if !slices.Equal(recs[i], want[i]) {
			t.Errorf("record %d: %q, want %q", i, recs[i], want[i])
		}
	}
	if got := reportcsv.FileName(rep); got != "sources-2026-01-2026-03.csv" {
		t.Errorf("file name %q", got)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriteFails: a writer that fails is reported, not swallowed.
func TestWriteFails(t *testing.T) {
	if err := reportcsv.Write(failing{}, crm.Report{}); err == nil {
		t.Fatal("a failing writer reported no error")
	}
}
