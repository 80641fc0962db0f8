package crm

import "testing"

// Phones come from forms, ad platforms and CSV files: any string must
// normalise without panicking, and a normalised number must normalise to
// itself (so that uniqueness claims and searches agree).
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+34 600 12 34 56", "600123456", "0034600123456", "(+1) 415-555-2671", "", "+", "00", "+999999999999999999999", "６００１２３４５６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizePhone(s, "ES")
		if !ok || n == "" {
			return
		}
		again, ok2 := NormalizePhone(n, "ES")
		if !ok2 || again != n {
			t.Fatalf("NormalizePhone(%q) = %q, but that normalises to %q (%v)", s, n, again, ok2)
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Ana@Example.com", " a@b.es ", "a", "\"q\"@example.com", "a@b@c.com", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := NormalizeEmail(s)
		if !ok || e == "" {
			return
		}
		again, ok2 := NormalizeEmail(e)
		if !ok2 || again != e {
			t.Fatalf("NormalizeEmail(%q) = %q, but that normalises to %q (%v)", s, e, again, ok2)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"José Pérez", "ÅÄÖ", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a := Fold(s); Fold(a) != a {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, a, Fold(a))
		}
	})
}
