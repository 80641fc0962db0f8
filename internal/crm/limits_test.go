package crm

import (
	"strings"
	"testing"
)

// fieldsOf returns the fields an error names as invalid, or nil for no
// error; it fails the test on an error of another kind.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := err.(*Error)
	if !ok || e.Code != CodeInvalid {
		t.Fatalf("err %v, want an invalid error", err)
	}
	return e.Fields
}

// The documented limits (docs/api.md, openapi.json), written here as the
// numbers users read, not as the constants: a note of 20000 characters,
// observations of 10000, a file of 25 MiB. Each limit is accepted and one
// more is refused, naming the field.
func TestDocumentedLimits(t *testing.T) {
	id := NewID(testNow)
	for _, tc := range []struct {
		name, field string
		at          func(n int) error // validates an entity whose field holds n units
		limit       int
	}{
		{"note text (characters of two bytes)", "text", func(n int) error {
			return (&Note{Text: strings.Repeat("ñ", n)}).Normalize()
		}, 20000},
		{"contact observations", "observations", func(n int) error {
			return (&Contact{Name: "Ana", Observations: strings.Repeat("a", n)}).Normalize("ES")
		}, 10000},
		{"opportunity observations", "observations", func(n int) error {
			return (&Opportunity{ContactID: id, Description: "Web", Observations: strings.Repeat("é", n)}).Normalize()
		}, 10000},
		{"party observations", "observations", func(n int) error {
			return (&Party{Name: "Acme", Observations: strings.Repeat("a", n)}).Normalize("ES")
		}, 10000},
		{"source observations", "observations", func(n int) error {
			return (&Source{Name: "Feria", Observations: strings.Repeat("a", n)}).Normalize()
		}, 10000},
		{"interest observations", "observations", func(n int) error {
			return (&Interest{Name: "Alarmas", Observations: strings.Repeat("a", n)}).Normalize()
		}, 10000},
		{"file size in bytes", "size", func(n int) error {
			return (&File{Name: "informe.pdf", Size: int64(n)}).Normalize()
		}, 25 * 1024 * 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if f := fieldsOf(t, tc.at(tc.limit)); f != nil {
				t.Errorf("%d refused: %v", tc.limit, f)
			}
			if f := fieldsOf(t, tc.at(tc.limit+1)); f[tc.field] == "" || len(f) != 1 {
				t.Errorf("%d: fields %v, want only %s", tc.limit+1, f, tc.field)
			}
		})
	}
	if f := fieldsOf(t, (&File{Name: "vacio.txt"}).Normalize()); f["size"] == "" {
		t.Errorf("an empty file: %v, want size", f)
	}
	if f := fieldsOf(t, (&Note{Text: "  \n "}).Normalize()); f["text"] == "" {
		t.Errorf("a blank note: %v, want text", f)
	}
}
