package crm_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// The source report as a user reads it: a row per source (a source without
// activity too, a deleted source's counters under "(deleted source)", what
// came without a source under "(no source)"), the months asked for and no
// other, the total of the rows, and the rows by won amount, then name.
func TestSourceReportRowsAndTotal(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	source := func(name string, cost int64) crm.Source {
		t.Helper()
		s, err := r.svc.CreateSource(bg, crm.Source{Name: name, CostCents: cost})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	feria, web, revista := source("Feria", 300000), source("Web", 0), source("Revista", 99999)
	source("Radio", 50000) // no activity
	buzoneo := source("Buzoneo", 1000)
	count := func(src, month string, fields map[string]int64) {
		t.Helper()
		var ds []crm.StatDelta
		for f, d := range fields {
			ds = append(ds, crm.StatDelta{SourceID: src, Month: month, Field: f, Delta: d})
		}
		if _, err := r.st.ApplyOnce(bg, "rec#"+src+month, nil, ds); err != nil {
			t.Fatal(err)
		}
	}
	count(feria.ID, "2025-12", map[string]int64{"leads": 100}) // before the range
	count(feria.ID, "2026-01", map[string]int64{"leads": 4, "contacts": 3, "opportunities": 2, "won": 1, "wonAmountCents": 500000})
	count(feria.ID, "2026-02", map[string]int64{"leads": 2, "opportunities": 1, "lost": 1})
	count(web.ID, "2026-02", map[string]int64{"leads": 5, "contacts": 5, "opportunities": 2, "won": 2, "wonAmountCents": 500000})
	count(revista.ID, "2026-03", map[string]int64{"contacts": 1})
	count("", "2026-01", map[string]int64{"leads": 1, "contacts": 2})
	count(buzoneo.ID, "2026-03", map[string]int64{"leads": 1, "opportunities": 1, "won": 1, "wonAmountCents": 700000})
	count(web.ID, "2026-04", map[string]int64{"won": 1, "wonAmountCents": 900000}) // after the range
	if err := r.svc.DeleteSource(bg, buzoneo.ID, 0); err != nil {
		t.Fatal(err)
	}

	rep, err := r.svc.SourceReport(bg, "2026-01", "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != "2026-01" || rep.To != "2026-03" {
		t.Errorf("range %s..%s, want 2026-01..2026-03", rep.From, rep.To)
	}
	// name | leads contacts opportunities won lost open wonAmount cost | conversion costPerLead costPerWon ROI
	var got []string
	for _, row := range rep.Rows {
		got = append(got, reportRow(row))
	}
	want := []string{
		"(deleted source) | 1 0 1 1 0 0 700000 0 | 1.0000 - - -",
		"Feria | 6 3 3 1 1 1 500000 300000 | 0.3333 50000 300000 0.6667",
		"Web | 5 5 2 2 0 0 500000 0 | 1.0000 - - -",
		"(no source) | 1 2 0 0 0 0 0 0 | - - - -",
		"Radio | 0 0 0 0 0 0 0 50000 | - - - -1.0000",
		"Revista | 0 1 0 0 0 0 0 99999 | - - - -1.0000",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n got  %q\n want %q", got, want)
	}
	if row, ok := rowOf(rep, buzoneo.ID); !ok || row.SourceName != "(deleted source)" {
		t.Errorf("the deleted source's row: %+v (found %v)", row, ok)
	}
	if row, ok := rowOf(rep, ""); !ok || row.SourceName != "(no source)" {
		t.Errorf("the row without a source: %+v (found %v)", row, ok)
	}
	// 13 leads, 11 contacts, 6 opportunities (4 won, 1 lost, 1 open),
	// 1,700,000 won; cost 449,999: per lead 34,615.3, per won 112,499.75.
	if got, want := reportRow(rep.Total), "Total | 13 11 6 4 1 1 1700000 449999 | 0.6667 34615 112500 2.7778"; got != want {
		t.Errorf("total:\n got  %q\n want %q", got, want)
	}
}

func rowOf(rep crm.Report, sourceID string) (crm.SourceReport, bool) {
	for _, r := range rep.Rows {
		if r.SourceID == sourceID {
			return r, true
		}
	}
	return crm.SourceReport{}, false
}

// reportRow prints a row as the test compares it.
func reportRow(r crm.SourceReport) string {
	f := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.4f", *v)
	}
	i := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	return fmt.Sprintf("%s | %d %d %d %d %d %d %d %d | %s %s %s %s", r.SourceName, r.Leads, r.Contacts, r.Opportunities, r.Won, r.Lost,
		r.Open, r.WonAmountCents, r.CostCents, f(r.ConversionRate), i(r.CostPerLeadCents), i(r.CostPerWonCents), f(r.ROI))
}

// A report's months are checked before anything is read: a bad month is
// invalid, naming the field.
func TestSourceReportRefusesABadRange(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	_, err := r.svc.SourceReport(bg, "2026-04", "2026-03")
	if e, ok := errors.AsType[*crm.Error](err); !ok || e.Code != crm.CodeInvalid || e.Fields["from"] == "" {
		t.Errorf("from after to: %v, want invalid from", err)
	}
}

// A reminder's time names its zone for people: abbreviation and IANA name,
// or the abbreviation alone where the zone has no other name.
func TestZoneLabel(t *testing.T) {
	t.Parallel()
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 1, 15, 10, 0, 0, 0, madrid), "CET, Europe/Madrid"},
		{time.Date(2026, 7, 15, 10, 0, 0, 0, madrid), "CEST, Europe/Madrid"},
		{time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC), "UTC"},
		{time.Date(2026, 1, 15, 10, 0, 0, 0, time.FixedZone("GMT+3", 3*3600)), "GMT+3"},
		{time.Date(2026, 1, 15, 10, 0, 0, 0, madrid).Local(), time.Date(2026, 1, 15, 10, 0, 0, 0, madrid).Local().Format("MST")},
	} {
		if got := crm.ZoneLabel(tc.at); got != tc.want {
			t.Errorf("ZoneLabel(%s in %s) = %q, want %q", tc.at, tc.at.Location(), got, tc.want)
		}
	}
}
