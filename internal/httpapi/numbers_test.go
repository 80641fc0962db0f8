package httpapi_test

import (
	"slices"
	"strings"
	"testing"
)

// unchangedButCounters is unchanged for every item but the counters: a
// lead that failed may have reserved a block of numbers (opportunity
// numbers, round-robin turns), which the instance keeps and gives to the
// next lead.
func (e *env) unchangedButCounters(t *testing.T, before []string) {
	t.Helper()
	drop := func(items []string) []string {
		return slices.DeleteFunc(slices.Clone(items), func(s string) bool { return strings.Contains(s, `"PK":"COUNTER"`) })
	}
	after, was := drop(e.snapshot()), drop(before)
	for _, s := range after {
		if !slices.Contains(was, s) {
			t.Errorf("written: %s", s)
		}
	}
	for _, s := range was {
		if !slices.Contains(after, s) {
			t.Errorf("changed or deleted: %s", s)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}
