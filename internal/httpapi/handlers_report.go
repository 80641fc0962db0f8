package httpapi

import (
	"net/http"
	"strings"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/reportcsv"
)

type reportRow struct {
	SourceID         string   `json:"sourceId"`
	SourceName       string   `json:"sourceName"`
	Leads            int64    `json:"leads"`
	Contacts         int64    `json:"contacts"`
	Opportunities    int64    `json:"opportunities"`
	Won              int64    `json:"won"`
	Lost             int64    `json:"lost"`
	Open             int64    `json:"open"`
	ConversionRate   *float64 `json:"conversionRate"`
	WonAmountCents   int64    `json:"wonAmountCents"`
	CostCents        int64    `json:"costCents"`
	CostPerLeadCents *int64   `json:"costPerLeadCents"`
	CostPerWonCents  *int64   `json:"costPerWonCents"`
	ROI              *float64 `json:"roi"`
}

type reportResponse struct {
	From  string      `json:"from"`
	To    string      `json:"to"`
	Items []reportRow `json:"items"`
	Total reportRow   `json:"total"`
}

func reportRowOf(r crm.SourceReport) reportRow {
	return reportRow{SourceID: r.SourceID, SourceName: r.SourceName, Leads: r.Leads, Contacts: r.Contacts,
		Opportunities: r.Opportunities, Won: r.Won, Lost: r.Lost, Open: r.Open, ConversionRate: r.ConversionRate,
		WonAmountCents: r.WonAmountCents, CostCents: r.CostCents, CostPerLeadCents: r.CostPerLeadCents,
		CostPerWonCents: r.CostPerWonCents, ROI: r.ROI}
}

// reportSources answers the source effectiveness report as JSON, or as
// CSV for ?format=csv or Accept: text/csv.
func (a *API) reportSources(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	q := r.URL.Query()
	f := map[string]string{}
	for name := range q {
		if name != "from" && name != "to" && name != "format" {
			f[name] = "is not a known query parameter"
		}
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		f["format"] = "must be json or csv"
	}
	if len(f) > 0 {
		return crm.Invalid(f)
	}
	rep, err := a.svc.SourceReport(r.Context(), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	out := reportResponse{From: rep.From, To: rep.To, Items: make([]reportRow, 0, len(rep.Rows)), Total: reportRowOf(rep.Total)}
	for _, row := range rep.Rows {
		out.Items = append(out.Items, reportRowOf(row))
	}
	if format == "csv" || (format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv")) {
		writeReportCSV(w, rep)
		return nil
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// writeReportCSV writes the report as CSV, in the shape reportcsv gives it
// (the web app's download has the same).
func writeReportCSV(w http.ResponseWriter, rep crm.Report) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+reportcsv.FileName(rep)+`"`)
	w.WriteHeader(http.StatusOK)
	_ = reportcsv.Write(w, rep) // the status is sent: a failed write is the client's broken connection
}
