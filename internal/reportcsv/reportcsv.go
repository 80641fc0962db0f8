// Package reportcsv writes the source report (crm.Report) as CSV: the one
// shape that the API's GET /v1/reports/sources?format=csv and the web app's
// download both answer, so that a spreadsheet built on one reads the other.
//
// One row per source, then the total; the text columns (sourceId,
// sourceName) go through csvsafe.Text, so that no name runs as a formula in
// a spreadsheet; counts and cents are integers; ratios have four decimals
// and are empty where the domain leaves them undefined (nothing to divide
// by).
package reportcsv

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/csvsafe"
)

// Header is the header row: the API's JSON names of a report row's fields.
var Header = []string{"sourceId", "sourceName", "leads", "contacts", "opportunities", "won", "lost", "open",
	"conversionRate", "wonAmountCents", "costCents", "costPerLeadCents", "costPerWonCents", "roi"}

// FileName is the name a download of rep is saved under:
// sources-2026-01-2026-12.csv.
func FileName(rep crm.Report) string { return "sources-" + rep.From + "-" + rep.To + ".csv" }

// Record is one row of the CSV, in Header's order.
func Record(r crm.SourceReport) []string {
	return []string{csvsafe.Text(r.SourceID), csvsafe.Text(r.SourceName), i64(r.Leads), i64(r.Contacts), i64(r.Opportunities),
		i64(r.Won), i64(r.Lost), i64(r.Open), f64p(r.ConversionRate), i64(r.WonAmountCents), i64(r.CostCents),
		i64p(r.CostPerLeadCents), i64p(r.CostPerWonCents), f64p(r.ROI)}
}

// Write writes rep to w: the header, a row per source in the report's
// order, then the total. It returns what writing to w returned.
func Write(w io.Writer, rep crm.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for _, r := range rep.Rows {
		if err := cw.Write(Record(r)); err != nil {
			return err
		}
	}
	if err := cw.Write(Record(rep.Total)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

func i64p(v *int64) string {
	if v == nil {
		return ""
	}
	return i64(*v)
}

func f64p(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 4, 64)
}
