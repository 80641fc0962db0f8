package webapp

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/reportcsv"
)

func init() {
	addRoutes(
		route{"GET /app/report", signedIn, (*app).report},
		route{"GET /app/report.csv", signedIn, (*app).reportCSV},
	)
}

// reportView is the source report page: the months asked for, the rows
// as people read them, the two charts and the CSV's address.
type reportView struct {
	From, To string // YYYY-MM, as the month inputs take them
	Range    string // the months, as the language writes them
	Rows     []reportRow
	Total    reportRow
	Funnel   chart // leads, opportunities and won per source
	Money    chart // revenue and cost per source
	CSVURL   string
	Errors   map[string]string
}

// reportRow is one source's line of the report: the domain's figures,
// and its name and ratios written for the page's language.
type reportRow struct {
	crm.SourceReport
	Name                             string
	Conversion, ROI                  string // "25,0 %", "" where the domain has none
	CostPerLead, CostPerWon, Revenue string
	Cost                             string
}

// report shows the source report of the months asked for (from, to:
// YYYY-MM; the last 12 months by default): a table, a bar chart of the
// funnel and one of revenue against cost, and the CSV's link. Months the
// domain refuses are shown next to their input (400).
func (a *app) report(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Nav = "report"
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	rep, err := a.svc.SourceReport(r.Context(), from, to)
	if err != nil {
		af, status, ok := formFailure(p, err, "from")
		if !ok || status != http.StatusBadRequest {
			a.fail(w, r, p, err)
			return
		}
		a.render(w, r, p, status, "report", reportView{From: from, To: to, Errors: af.Errors})
		return
	}
	f := formats{lang: p.Lang, tz: a.svc.TimeZone()}
	v := reportView{From: rep.From, To: rep.To, Range: monthRange(p.Lang, rep.From, rep.To), Total: newReportRow(p, f, rep.Total),
		CSVURL: "/app/report.csv?" + url.Values{"from": {rep.From}, "to": {rep.To}}.Encode()}
	v.Total.Name = p.T("report.total")
	for _, row := range rep.Rows {
		v.Rows = append(v.Rows, newReportRow(p, f, row))
	}
	desc := p.T("report.chartDesc", v.Range)
	name := func(r reportRow) string { return r.Name }
	v.Funnel = newChart("funnel", p.T("report.funnelTitle", v.Range), desc, v.Rows, name, []chartSeries{
		{Class: "bar-leads", Label: p.T("report.leads"), value: func(r reportRow) int64 { return r.Leads }, text: func(r reportRow) string { return count(r.Leads) }},
		{Class: "bar-opportunities", Label: p.T("report.opportunities"), value: func(r reportRow) int64 { return r.Opportunities },
			text: func(r reportRow) string { return count(r.Opportunities) }},
		{Class: "bar-won", Label: p.T("report.won"), value: func(r reportRow) int64 { return r.Won }, text: func(r reportRow) string { return count(r.Won) }},
	})
	nameROI := func(r reportRow) string {
		if r.ROI == "" {
			return r.Name
		}
		return r.Name + " · ROI " + r.ROI
	}
	v.Money = newChart("money", p.T("report.moneyTitle", v.Range), desc, v.Rows, nameROI, []chartSeries{
		{Class: "bar-revenue", Label: p.T("report.revenue"), value: func(r reportRow) int64 { return r.WonAmountCents },
			text: func(r reportRow) string { return r.Revenue }},
		{Class: "bar-cost", Label: p.T("report.cost"), value: func(r reportRow) int64 { return r.CostCents }, text: func(r reportRow) string { return r.Cost }},
	})
	for _, c := range []*chart{&v.Funnel, &v.Money} {
		if c.Capped {
			c.Desc += " " + p.T("report.chartCapped", chartMaxRows)
		}
	}
	a.render(w, r, p, http.StatusOK, "report", v)
}

// newReportRow writes a row's name, money and ratios for the page: a row
// without a source, or of a source deleted since, is named in the page's
// language.
func newReportRow(p *Page, f formats, r crm.SourceReport) reportRow {
	row := reportRow{SourceReport: r, Name: r.SourceName, Revenue: f.money(r.WonAmountCents), Cost: f.money(r.CostCents)}
	switch {
	case r.SourceID == "" && r.SourceName == "(no source)":
		row.Name = p.T("report.noSource")
	case r.SourceName == "(deleted source)":
		row.Name = p.T("report.deletedSource")
	}
	if r.ConversionRate != nil {
		row.Conversion = percent(p.Lang, *r.ConversionRate, 1)
	}
	if r.ROI != nil {
		row.ROI = percent(p.Lang, *r.ROI, 0)
	}
	if r.CostPerLeadCents != nil {
		row.CostPerLead = f.money(*r.CostPerLeadCents)
	}
	if r.CostPerWonCents != nil {
		row.CostPerWon = f.money(*r.CostPerWonCents)
	}
	return row
}

// percent writes a ratio (0.25) as a percentage with decimals, as the
// language writes it: 25,0 % in Spanish, 25.0% in English.
func percent(lang string, ratio float64, decimals int) string {
	s := strconv.FormatFloat(ratio*100, 'f', decimals, 64)
	if lang == crm.LangEN {
		return s + "%"
	}
	return strings.Replace(s, ".", ",", 1) + "\u00a0%"
}

// monthNames are the months as each language names them.
var monthNames = map[string][12]string{
	crm.LangES: {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	crm.LangEN: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// monthRange names the months from..to (YYYY-MM): "enero de 2026 a marzo
// de 2026", "January 2026 to March 2026", or one month alone.
func monthRange(lang, from, to string) string {
	name := func(m string) string {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			return m
		}
		if lang == crm.LangEN {
			return fmt.Sprintf("%s %d", monthNames[crm.LangEN][t.Month()-1], t.Year())
		}
		return fmt.Sprintf("%s de %d", monthNames[crm.LangES][t.Month()-1], t.Year())
	}
	if from == to {
		return name(from)
	}
	return translate(lang, "report.range", name(from), name(to))
}

// reportCSV downloads the report of the months asked for as CSV, in the
// shape the API's ?format=csv has (internal/reportcsv).
func (a *app) reportCSV(w http.ResponseWriter, r *http.Request, p *Page) {
	q := r.URL.Query()
	rep, err := a.svc.SourceReport(r.Context(), q.Get("from"), q.Get("to"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	var b bytes.Buffer
	if err := reportcsv.Write(&b, rep); err != nil {
		a.fail(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+reportcsv.FileName(rep)+`"`)
	_, _ = w.Write(b.Bytes())
}
