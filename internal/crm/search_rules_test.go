package crm_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// Of a query's words that start equally few search words and are equally
// long, the index read is the first word's, whatever the others: the same
// query always reads the same index, so its pages come in one order.
func TestSearchTermTiesGoToTheFirst(t *testing.T) {
	t.Parallel()
	count := func(string) (int, error) { return 3, nil }
	for _, tc := range []struct{ q, want string }{
		{"ana rui", "ana"},
		{"rui ana", "rui"},
		{"rui ana luz", "rui"},
	} {
		if got, err := (crm.ContactFilter{Query: tc.q}).SearchTermBy("", count); err != nil || got != tc.want {
			t.Errorf("SearchTermBy(%q) = %q, %v; want %q", tc.q, got, err, tc.want)
		}
	}
}
