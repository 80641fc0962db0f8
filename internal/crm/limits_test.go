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

// The edges of the other bounds: each value at its limit passes, one past
// it is refused naming the field.
func TestBoundsAtTheirEdges(t *testing.T) {
	id := NewID(testNow)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = NewID(testNow)
		}
		return out
	}
	for _, tc := range []struct {
		name, field string
		ok, bad     func() error
	}{
		{"state order", "order",
			func() error { s := State{Name: "x", Order: 1_000_000}; return s.Normalize() },
			func() error { s := State{Name: "x", Order: 1_000_001}; return s.Normalize() }},
		{"state order below zero", "order",
			func() error { s := State{Name: "x", Order: 0}; return s.Normalize() },
			func() error { s := State{Name: "x", Order: -1}; return s.Normalize() }},
		{"interests of a contact", "interestIds",
			func() error { c := Contact{Name: "A", InterestIDs: ids(MaxInterests)}; return c.Normalize("ES") },
			func() error { c := Contact{Name: "A", InterestIDs: ids(MaxInterests + 1)}; return c.Normalize("ES") }},
		{"name search", "q",
			func() error { q := ContactFilter{Query: strings.Repeat("a", MaxNameLen)}; return q.Normalize("ES") },
			func() error { q := ContactFilter{Query: strings.Repeat("a", MaxNameLen+1)}; return q.Normalize("ES") }},
		{"an opportunity's amount", "approxAmountCents",
			func() error { o := Opportunity{ContactID: id, Description: "x"}; return o.Normalize() },
			func() error {
				o := Opportunity{ContactID: id, Description: "x", ApproxAmountCents: -1}
				return o.Normalize()
			}},
	} {
		if err := tc.ok(); err != nil {
			t.Errorf("%s at its limit: %v", tc.name, err)
		}
		if f := fieldsOf(t, tc.bad()); f[tc.field] == "" {
			t.Errorf("%s past its limit: %v, want %s", tc.name, f, tc.field)
		}
	}
	// Country codes are two letters A to Z, whatever the case.
	for _, code := range []string{"AD", "ZA", "AZ", "ZW", "es"} {
		c := Contact{Name: "A", Address: Address{Country: code}}
		if err := c.Normalize("ES"); err != nil || c.Address.Country != strings.ToUpper(code) {
			t.Errorf("country %q: %v", code, err)
		}
	}
	for _, code := range []string{"E", "ESP", "@A", "A@", "[A", "A[", "E1", "ÑA"} {
		c := Contact{Name: "A", Address: Address{Country: code}}
		if f := fieldsOf(t, c.Normalize("ES")); f["address.country"] == "" {
			t.Errorf("country %q accepted", code)
		}
	}
	// A file name is a plain name: no folders, no "." or "..".
	for _, name := range []string{"a/b.pdf", `a\b.pdf`, "a\x00.pdf", ".", "..", "../x"} {
		f := File{Name: name, Size: 1}
		if got := fieldsOf(t, f.Normalize()); got["name"] == "" {
			t.Errorf("file name %q accepted", name)
		}
	}
	for _, name := range []string{"informe final.pdf", "..datos", "a.b.c"} {
		f := File{Name: name, Size: 1, ContentType: "application/pdf"}
		if err := f.Normalize(); err != nil {
			t.Errorf("file name %q: %v", name, err)
		}
	}
	f := File{Name: "x", Size: 1, ContentType: "pdf"}
	if got := fieldsOf(t, f.Normalize()); got["contentType"] == "" {
		t.Errorf("content type pdf: %v", got)
	}
}
