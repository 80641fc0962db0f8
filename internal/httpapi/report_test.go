package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/reportcsv"
)

// reportColumns are the report's columns as the issue and openapi.json
// name them: a JSON row's keys, and the CSV header in this order.
var reportColumns = []string{"sourceId", "sourceName", "leads", "contacts", "opportunities", "won", "lost", "open",
	"conversionRate", "wonAmountCents", "costCents", "costPerLeadCents", "costPerWonCents", "roi"}

// reportJSONRow is a row as the JSON form answers it; pointers are null.
type reportJSONRow struct {
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

type reportJSON struct {
	From  string          `json:"from"`
	To    string          `json:"to"`
	Items []reportJSONRow `json:"items"`
	Total reportJSONRow   `json:"total"`
}

// reportFixture creates sources through the API and writes per-source
// monthly counters the way the change stream does (the API tests run no
// stream), each change under a key of its own.
type reportFixture struct {
	feria, ads, radio, web, buzoneo string
}

func newReportFixture(t *testing.T, e *env) reportFixture {
	t.Helper()
	f := reportFixture{
		feria:   id(e.created("/v1/sources", map[string]any{"name": "Feria", "costCents": 300000})),
		ads:     id(e.created("/v1/sources", map[string]any{"name": "Google Ads", "costCents": 125000})),
		radio:   id(e.created("/v1/sources", map[string]any{"name": "Radio", "costCents": 50000})),
		web:     id(e.created("/v1/sources", map[string]any{"name": "Web"})),
		buzoneo: id(e.created("/v1/sources", map[string]any{"name": "Buzoneo", "costCents": 25})),
	}
	n := 0
	count := func(src, month string, fields map[string]int64) {
		t.Helper()
		var ds []crm.StatDelta
		for field, d := range fields {
			ds = append(ds, crm.StatDelta{SourceID: src, Month: month, Field: field, Delta: d})
		}
		n++
		if _, err := e.store.ApplyOnce(context.Background(), fmt.Sprintf("report-test-%d", n), nil, ds); err != nil {
			t.Fatal(err)
		}
	}
	type m = map[string]int64
	count(f.feria, "2025-12", m{"leads": 100, "contacts": 90}) // before the range
	count(f.feria, "2026-01", m{"leads": 10, "contacts": 8, "opportunities": 4, "won": 1, "wonAmountCents": 900000})
	count(f.feria, "2026-02", m{"leads": 5, "contacts": 5, "opportunities": 2, "won": 1, "lost": 1, "wonAmountCents": 600000})
	count(f.ads, "2026-03", m{"leads": 7, "contacts": 6, "opportunities": 3, "lost": 1})
	count(f.web, "2026-02", m{"leads": 3, "contacts": 3, "opportunities": 1, "won": 1, "wonAmountCents": 50000})
	count(f.buzoneo, "2026-03", m{"leads": 10, "contacts": 1, "opportunities": 2, "won": 2, "wonAmountCents": 100})
	count("", "2026-01", m{"contacts": 2, "opportunities": 1})
	count(f.feria, "2026-04", m{"leads": 50}) // after the range
	return f
}

func i64ptr(v int64) *int64     { return &v }
func f64ptr(v float64) *float64 { return &v }

// wantRows is the report of 2026-01..2026-03 over the fixture, worked out
// by hand, in the report's order (won amount, largest first, then name).
func (f reportFixture) wantRows() ([]reportJSONRow, reportJSONRow) {
	rows := []reportJSONRow{
		// cost 300000: per lead 300000/15, per won 300000/2, ROI (1500000-300000)/300000.
		{SourceID: f.feria, SourceName: "Feria", Leads: 15, Contacts: 13, Opportunities: 6, Won: 2, Lost: 1, Open: 3,
			ConversionRate: f64ptr(2.0 / 6), WonAmountCents: 1500000, CostCents: 300000,
			CostPerLeadCents: i64ptr(20000), CostPerWonCents: i64ptr(150000), ROI: f64ptr(4)},
		// no cost: no cost ratios.
		{SourceID: f.web, SourceName: "Web", Leads: 3, Contacts: 3, Opportunities: 1, Won: 1, Open: 0,
			ConversionRate: f64ptr(1), WonAmountCents: 50000},
		// cost 25: 2.5 per lead and 12.5 per won deal round away from zero.
		{SourceID: f.buzoneo, SourceName: "Buzoneo", Leads: 10, Contacts: 1, Opportunities: 2, Won: 2,
			ConversionRate: f64ptr(1), WonAmountCents: 100, CostCents: 25,
			CostPerLeadCents: i64ptr(3), CostPerWonCents: i64ptr(13), ROI: f64ptr(3)},
		{SourceID: "", SourceName: "(no source)", Contacts: 2, Opportunities: 1, Open: 1, ConversionRate: f64ptr(0)},
		// 125000/7 = 17857.14
		{SourceID: f.ads, SourceName: "Google Ads", Leads: 7, Contacts: 6, Opportunities: 3, Lost: 1, Open: 2,
			ConversionRate: f64ptr(0), CostCents: 125000, CostPerLeadCents: i64ptr(17857), ROI: f64ptr(-1)},
		// nothing happened, but it cost.
		{SourceID: f.radio, SourceName: "Radio", CostCents: 50000, ROI: f64ptr(-1)},
	}
	total := reportJSONRow{SourceName: "Total", Leads: 35, Contacts: 25, Opportunities: 13, Won: 5, Lost: 2, Open: 6,
		ConversionRate: f64ptr(5.0 / 13), WonAmountCents: 1550100, CostCents: 475025,
		CostPerLeadCents: i64ptr(13572), CostPerWonCents: i64ptr(95005), ROI: f64ptr((1550100.0 - 475025) / 475025)}
	return rows, total
}

func sameF(a, b *float64, tol float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) <= tol
}

func sameI(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func showF(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func showI(v *int64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatInt(*v, 10)
}

func checkReportRow(t *testing.T, what string, got, want reportJSONRow, tol float64) {
	t.Helper()
	g, w := got, want
	g.ConversionRate, g.CostPerLeadCents, g.CostPerWonCents, g.ROI = nil, nil, nil, nil
	w.ConversionRate, w.CostPerLeadCents, w.CostPerWonCents, w.ROI = nil, nil, nil, nil
	if g != w || !sameF(got.ConversionRate, want.ConversionRate, tol) || !sameF(got.ROI, want.ROI, tol) ||
		!sameI(got.CostPerLeadCents, want.CostPerLeadCents) || !sameI(got.CostPerWonCents, want.CostPerWonCents) {
		t.Errorf("%s:\n got  %+v rate %s perLead %s perWon %s roi %s\n want %+v rate %s perLead %s perWon %s roi %s", what,
			g, showF(got.ConversionRate), showI(got.CostPerLeadCents), showI(got.CostPerWonCents), showF(got.ROI),
			w, showF(want.ConversionRate), showI(want.CostPerLeadCents), showI(want.CostPerWonCents), showF(want.ROI))
	}
}

func TestSourceReportJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newReportFixture(t, e)
	res := e.staff_(http.MethodGet, "/v1/reports/sources?from=2026-01&to=2026-03", nil)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}

	// The shape: {from, to, items, total}, every row with exactly the
	// documented keys, ratios null where there is nothing to divide by.
	var raw map[string]json.RawMessage
	mustUnmarshal(t, res.Body, &raw)
	if keys := sortedKeys(raw); !slices.Equal(keys, []string{"from", "items", "to", "total"}) {
		t.Errorf("top-level keys %v, want from, items, to, total", keys)
	}
	var rawRows []map[string]json.RawMessage
	mustUnmarshal(t, raw["items"], &rawRows)
	var rawTotal map[string]json.RawMessage
	mustUnmarshal(t, raw["total"], &rawTotal)
	want := slices.Sorted(slices.Values(reportColumns))
	for i, r := range append(rawRows, rawTotal) {
		if keys := sortedKeys(r); !slices.Equal(keys, want) {
			t.Errorf("row %d has keys %v, want %v", i, keys, want)
		}
	}
	if string(rawTotal["roi"]) == "null" || string(rawRows[len(rawRows)-1]["conversionRate"]) != "null" {
		t.Errorf("want a number for the total's ROI and null for the conversion of Radio (no opportunities): %s", res.Body)
	}

	var rep reportJSON
	mustUnmarshal(t, res.Body, &rep)
	if rep.From != "2026-01" || rep.To != "2026-03" {
		t.Errorf("from %q to %q, want 2026-01..2026-03", rep.From, rep.To)
	}
	rows, total := f.wantRows()
	if len(rep.Items) != len(rows) {
		t.Fatalf("%d rows, want %d: %s", len(rep.Items), len(rows), res.Body)
	}
	for i := range rows {
		checkReportRow(t, fmt.Sprintf("row %d (%s)", i, rows[i].SourceName), rep.Items[i], rows[i], 1e-12)
	}
	checkReportRow(t, "total", rep.Total, total, 1e-12)

	// One month; format=json is the JSON form too.
	one := e.staff_(http.MethodGet, "/v1/reports/sources?from=2026-02&to=2026-02&format=json", nil)
	wantStatus(t, one, http.StatusOK)
	var feb reportJSON
	mustUnmarshal(t, one.Body, &feb)
	if feb.Total.Leads != 8 || feb.Total.Won != 2 || feb.Total.WonAmountCents != 650000 {
		t.Errorf("February: want 8 leads, 2 won for 650000: %+v", feb.Total)
	}
	// No row for what came without a source when nothing did in the range.
	for _, r := range feb.Items {
		if r.SourceID == "" {
			t.Errorf("February has a no-source row though nothing came without a source: %+v", r)
		}
	}
	// The counters before and after the range stay out.
	all := e.staff_(http.MethodGet, "/v1/reports/sources?from=2025-12&to=2026-04", nil)
	var wide reportJSON
	mustUnmarshal(t, all.Body, &wide)
	if wide.Total.Leads != 35+150 {
		t.Errorf("2025-12..2026-04: %d leads, want %d", wide.Total.Leads, 35+150)
	}
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// parseReportCSV reads the CSV form back into rows.
func parseReportCSV(t *testing.T, body []byte) ([]string, []reportJSONRow) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, body)
	}
	if len(recs) < 2 {
		t.Fatalf("the CSV has %d records, want a header and a total at least:\n%s", len(recs), body)
	}
	var rows []reportJSONRow
	for _, r := range recs[1:] {
		if len(r) != len(reportColumns) {
			t.Fatalf("a CSV record has %d fields, want %d: %q", len(r), len(reportColumns), r)
		}
		n := func(i int) int64 {
			v, err := strconv.ParseInt(r[i], 10, 64)
			if err != nil {
				t.Fatalf("column %s is not an integer: %q", reportColumns[i], r[i])
			}
			return v
		}
		np := func(i int) *int64 {
			if r[i] == "" {
				return nil
			}
			v := n(i)
			return &v
		}
		fp := func(i int) *float64 {
			if r[i] == "" {
				return nil
			}
			v, err := strconv.ParseFloat(r[i], 64)
			if err != nil {
				t.Fatalf("column %s is not a number: %q", reportColumns[i], r[i])
			}
			return &v
		}
		rows = append(rows, reportJSONRow{SourceID: r[0], SourceName: r[1], Leads: n(2), Contacts: n(3), Opportunities: n(4),
			Won: n(5), Lost: n(6), Open: n(7), ConversionRate: fp(8), WonAmountCents: n(9), CostCents: n(10),
			CostPerLeadCents: np(11), CostPerWonCents: np(12), ROI: fp(13)})
	}
	return recs[0], rows
}

func TestSourceReportCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newReportFixture(t, e)
	rows, total := f.wantRows()
	for _, c := range []struct {
		name    string
		query   string
		headers []string
	}{
		{"format=csv", "?from=2026-01&to=2026-03&format=csv", nil},
		{"Accept: text/csv", "?from=2026-01&to=2026-03", []string{"Accept", "text/csv"}},
		{"Accept with a list", "?from=2026-01&to=2026-03", []string{"Accept", "text/csv;q=0.9, application/json;q=0.5"}},
		{"format=csv over Accept: application/json", "?from=2026-01&to=2026-03&format=csv", []string{"Accept", "application/json"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := e.staff_(http.MethodGet, "/v1/reports/sources"+c.query, nil, c.headers...)
			wantStatus(t, res, http.StatusOK)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Errorf("Content-Type %q, want text/csv", ct)
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "2026-01") {
				t.Errorf("Content-Disposition %q, want an attachment named after the range", cd)
			}
			header, got := parseReportCSV(t, res.Body)
			if !slices.Equal(header, reportColumns) || !slices.Equal(reportcsv.Header, reportColumns) {
				t.Errorf("header %q, want %q", header, reportColumns)
			}
			if len(got) != len(rows)+1 {
				t.Fatalf("%d CSV rows, want %d and the total:\n%s", len(got), len(rows), res.Body)
			}
			// Ratios are written with 4 decimals.
			for i := range rows {
				checkReportRow(t, fmt.Sprintf("CSV row %d (%s)", i, rows[i].SourceName), got[i], rows[i], 5e-5)
			}
			checkReportRow(t, "the last CSV row (the total)", got[len(got)-1], total, 5e-5)
		})
	}
	// JSON unless CSV is asked for.
	for _, h := range [][]string{nil, {"Accept", "application/json"}, {"Accept", "*/*"}} {
		res := e.staff_(http.MethodGet, "/v1/reports/sources?from=2026-01&to=2026-03", nil, h...)
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Accept %v: Content-Type %q, want application/json", h, ct)
		}
	}
	res := e.staff_(http.MethodGet, "/v1/reports/sources?from=2026-01&to=2026-03&format=json", nil, "Accept", "text/csv")
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("format=json with Accept: text/csv: Content-Type %q, want application/json (the parameter decides)", ct)
	}
	// A name with a comma and a quote survives the CSV.
	odd := id(e.created("/v1/sources", map[string]any{"name": `Feria "Hábitat", Valencia`, "costCents": 1}))
	res = e.staff_(http.MethodGet, "/v1/reports/sources?from=2026-01&to=2026-03&format=csv", nil)
	_, got := parseReportCSV(t, res.Body)
	found := false
	for _, r := range got {
		if r.SourceID == odd {
			found = r.SourceName == `Feria "Hábitat", Valencia`
		}
	}
	if !found {
		t.Errorf("the source with a comma and quotes in its name did not come back whole:\n%s", res.Body)
	}
}

func TestSourceReportDefaultRange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	// The last 12 months, this one included, in the company's time zone.
	span := func(now time.Time) (string, string) {
		now = now.In(madrid)
		this := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, madrid)
		return this.AddDate(0, -11, 0).Format("2006-01"), this.Format("2006-01")
	}
	before := time.Now()
	res := e.staff_(http.MethodGet, "/v1/reports/sources", nil)
	after := time.Now()
	wantStatus(t, res, http.StatusOK)
	var rep reportJSON
	mustUnmarshal(t, res.Body, &rep)
	f1, t1 := span(before)
	f2, t2 := span(after)
	if !(rep.From == f1 && rep.To == t1) && !(rep.From == f2 && rep.To == t2) {
		t.Errorf("default range %s..%s, want %s..%s", rep.From, rep.To, f1, t1)
	}
	if rep.Items == nil {
		t.Errorf("items must be a list, even empty: %s", res.Body)
	}

	// Only to: the 12 months ending then. Only from: up to this month.
	res = e.staff_(http.MethodGet, "/v1/reports/sources?to=2026-03", nil)
	mustUnmarshal(t, res.Body, &rep)
	if rep.From != "2025-04" || rep.To != "2026-03" {
		t.Errorf("to=2026-03 alone: %s..%s, want 2025-04..2026-03", rep.From, rep.To)
	}
	res = e.staff_(http.MethodGet, "/v1/reports/sources?from=2024-01", nil)
	mustUnmarshal(t, res.Body, &rep)
	if rep.From != "2024-01" || (rep.To != t1 && rep.To != t2) {
		t.Errorf("from=2024-01 alone: %s..%s, want 2024-01..%s", rep.From, rep.To, t1)
	}
	// A January's twelve months cross the year back.
	res = e.staff_(http.MethodGet, "/v1/reports/sources?to=2026-01", nil)
	mustUnmarshal(t, res.Body, &rep)
	if rep.From != "2025-02" {
		t.Errorf("to=2026-01 alone: from %s, want 2025-02", rep.From)
	}
}
