package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"testing"
)

// A source named like a spreadsheet formula comes out of the report's CSV
// as text (a single quote before it, issue 10 item 3); its numbers stay
// numbers, a negative ROI included.
func TestReportCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	names := []string{`=HYPERLINK("http://x","clic")`, `+cmd|' /C calc'!A0`, `@SUM(1+1)`, "-5"}
	for _, n := range names {
		e.created("/v1/sources", map[string]any{"name": n, "costCents": 100})
	}
	res := e.staff_(http.MethodGet, "/v1/reports/sources?format=csv", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	recs, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		got[r[1]] = r[13] // sourceName → roi
	}
	for _, n := range names {
		roi, ok := got["'"+n]
		if !ok {
			t.Errorf("no row named %q in:\n%s", "'"+n, res.Body)
		}
		if roi != "-1.0000" {
			t.Errorf("%q: roi %q, want the number -1.0000", n, roi)
		}
	}
}
