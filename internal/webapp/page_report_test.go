package webapp_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/reportcsv"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// reportFixture is three sources with counters in 2026-01..2026-03 (and
// one before), as the change core keeps them, and their IDs.
type reportFixture struct {
	env               *webtest.Env
	feria, ads, radio crm.Source
}

func newReportFixture(t *testing.T) reportFixture {
	t.Helper()
	env := webtest.New(t)
	ctx := t.Context()
	f := reportFixture{env: env}
	var err error
	for _, s := range []struct {
		to   *crm.Source
		name string
		cost int64
	}{{&f.feria, "Feria", 300000}, {&f.ads, "Google Ads", 125000}, {&f.radio, "Radio", 50000}} {
		if *s.to, err = env.Svc.CreateSource(ctx, crm.Source{Name: s.name, CostCents: s.cost}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	count := func(src, month string, fields map[string]int64) {
		t.Helper()
		var ds []crm.StatDelta
		for field, d := range fields {
			ds = append(ds, crm.StatDelta{SourceID: src, Month: month, Field: field, Delta: d})
		}
		n++
		if _, err := env.Store.ApplyOnce(ctx, fmt.Sprintf("report-page-%d", n), nil, ds); err != nil {
			t.Fatal(err)
		}
	}
	type m = map[string]int64
	count(f.feria.ID, "2025-12", m{"leads": 100, "contacts": 90})
	count(f.feria.ID, "2026-01", m{"leads": 10, "contacts": 8, "opportunities": 4, "won": 1, "wonAmountCents": 900000})
	count(f.feria.ID, "2026-02", m{"leads": 5, "contacts": 5, "opportunities": 2, "won": 1, "lost": 1, "wonAmountCents": 600000})
	count(f.ads.ID, "2026-03", m{"leads": 7, "contacts": 6, "opportunities": 3, "lost": 1})
	count("", "2026-01", m{"contacts": 2, "opportunities": 1})
	return f
}

var barRE = regexp.MustCompile(`<rect class="(bar-[a-z]+)" x="0" y="\d+" width="(\d+)" height="11" data-bar/><text class="value" x="\d+" y="\d+">([^<]*)</text>`)

// TestReportPage: any signed-in user sees the report of the months asked
// for: a row per source in the domain's order with its figures, money and
// ratios in their language, the total; two SVG charts with a title and a
// description naming the table as their text, whose bars are as long as
// their figures (the largest spans the chart); the CSV link for the same
// months; and nothing outside them.
func TestReportPage(t *testing.T) {
	f := newReportFixture(t)
	staff := f.env.SignIn(t, f.env.User(t, crm.RoleStaff, "ana@example.com"))
	res := staff.Get(t, "/app/report?from=2026-01&to=2026-03")
	if res.Status != http.StatusOK {
		t.Fatalf("report: %d %s", res.Status, res.Body)
	}
	body := res.Body
	checkTexts(t, "/app/report", body)
	for _, s := range []string{
		`<h2 id="report-table">Orígenes, enero de 2026 a marzo de 2026</h2>`,
		`<tr data-report-row="` + f.feria.ID + `"><th scope="row">Feria</th><td class="num">15</td><td class="num">13</td><td class="num">6</td><td class="num">2</td><td class="num">1</td><td class="num">3</td><td class="num">33,3` + "\u00a0%" + `</td><td class="num">15.000,00` + "\u00a0€" + `</td><td class="num">3.000,00` + "\u00a0€" + `</td><td class="num">200,00` + "\u00a0€" + `</td><td class="num">1.500,00` + "\u00a0€" + `</td><td class="num">400` + "\u00a0%" + `</td></tr>`,
		`<th scope="row">(sin origen)</th>`,
		`<tr data-report-total><th scope="row">Total</th><td class="num">22</td>`,
		`href="/app/report.csv?from=2026-01&amp;to=2026-03"`,
		`role="img" aria-labelledby="funnel-title funnel-desc"`, `<title id="funnel-title">`, `<desc id="funnel-desc">`,
		"La tabla de abajo tiene las mismas cifras.",
		`aria-labelledby="money-title money-desc"`,
		`value="2026-01"`, `value="2026-03"`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("the report lacks %q", s)
		}
	}
	rows := regexp.MustCompile(`data-report-row="([0-9A-Z]*)"`).FindAllStringSubmatch(body, -1)
	var order []string
	for _, r := range rows {
		order = append(order, r[1])
	}
	if want := []string{f.feria.ID, "", f.ads.ID, f.radio.ID}; !slices.Equal(order, want) {
		t.Errorf("rows %v, want %v (won amount, then name)", order, want)
	}
	if strings.Contains(body, "<td class=\"num\">115</td>") {
		t.Error("the report counts the leads of December 2025")
	}

	// The funnel's bars: Feria's 15 leads are the largest figure and span
	// the chart's bar room; 6 opportunities are 6/15 of it.
	bars := barRE.FindAllStringSubmatch(body, -1)
	if len(bars) != 3*3+3*2 {
		t.Fatalf("%d bars, want 3 for each of 3 sources in the funnel (Radio has none), 2 for each of 3 in the money chart (nor has no source)", len(bars))
	}
	if bars[0][1] != "bar-leads" || bars[0][3] != "15" || bars[0][2] != "224" || bars[1][2] != "89" || bars[2][3] != "2" {
		t.Errorf("Feria's funnel bars %q", bars[:3])
	}
	if bars[9][1] != "bar-revenue" || bars[9][2] != "224" || bars[10][3] != "3.000,00\u00a0€" || !strings.Contains(body, `class="label" x="0" y="39">Feria · ROI 400`+"\u00a0%</text>") {
		t.Errorf("Feria's money bars %q", bars[9:11])
	}
	for _, b := range bars {
		if b[3] == "0" && b[2] != "0" {
			t.Errorf("a bar of 0 is drawn %s long", b[2])
		}
	}
}

// TestReportMonths: without months the report covers the last 12; months
// the domain refuses are shown next to their input (400).
func TestReportMonths(t *testing.T) {
	f := newReportFixture(t)
	c := f.env.SignIn(t, f.env.Admin)
	res := c.Get(t, "/app/report")
	now := f.env.Clock.Now().In(f.env.Svc.TimeZone())
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `id="r-to" name="to" type="month" value="`+now.Format("2006-01")+`"`) {
		t.Errorf("the default report: %d, not up to this month", res.Status)
	}
	for _, q := range []struct{ query, input string }{
		{"from=2026-13", `id="r-from"`},
		{"from=2026-05&to=2026-01", `id="r-from"`},
		{"to=enero", `id="r-to"`},
	} {
		res := c.Get(t, "/app/report?"+q.query)
		if res.Status != http.StatusBadRequest || !fieldErrorAt(res.Body, q.input) {
			t.Errorf("%s: %d, or no error at %s", q.query, res.Status, q.input)
		}
	}
}

// TestReportCSV: the download is the API's CSV of the same months, an
// attachment, with a name starting with = written as text.
func TestReportCSV(t *testing.T) {
	f := newReportFixture(t)
	if _, err := f.env.Svc.CreateSource(t.Context(), crm.Source{Name: "=HYPERLINK(\"http://x\")"}); err != nil {
		t.Fatal(err)
	}
	c := f.env.SignIn(t, f.env.User(t, crm.RoleStaff, "ana@example.com"))
	res := c.Get(t, "/app/report.csv?from=2026-01&to=2026-03")
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		res.Header.Get("Content-Disposition") != `attachment; filename="sources-2026-01-2026-03.csv"` {
		t.Fatalf("CSV: %d %q %q", res.Status, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || !slices.Equal(recs[0], reportcsv.Header) {
		t.Fatalf("%d records (want a header, 5 rows and the total), header %q", len(recs), recs[0])
	}
	if recs[1][1] != "Feria" || recs[1][2] != "15" || recs[1][9] != "1500000" || recs[3][1] != "'=HYPERLINK(\"http://x\")" || recs[6][1] != "Total" || recs[6][2] != "22" {
		t.Errorf("CSV rows %q", recs[1:])
	}
	if res := c.Get(t, "/app/report.csv?from=nope"); res.Status != http.StatusBadRequest {
		t.Errorf("a CSV of bad months: %d, want 400", res.Status)
	}
	if res := f.env.Anonymous(t).Get(t, "/app/report.csv"); res.Status != http.StatusSeeOther {
		t.Errorf("a CSV signed out: %d, want a redirect to sign in", res.Status)
	}
}
