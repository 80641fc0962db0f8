package crm

import (
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for in, want := range map[string][]string{
		"José Pérez Álvarez":        {"jose", "perez", "alvarez"},
		"Talleres Pérez-Ruiz, S.L.": {"talleres", "perez", "ruiz", "s", "l"},
		"  NÚÑEZ  y  O'Brien ":      {"nunez", "y", "o", "brien"},
		"3M España 2024":            {"3m", "espana", "2024"},
		"--- ...":                   nil,
		"":                          nil,
	} {
		if got := Words(in); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	c := Contact{Name: "José", Surname: "Pérez Álvarez", Company: "Talleres Pérez"}
	if got, want := c.SearchWords(), []string{"jose", "perez", "alvarez", "talleres"}; !slices.Equal(got, want) {
		t.Fatalf("SearchWords = %q, want %q (distinct, name first)", got, want)
	}
	long := Contact{Name: "Ana", Surname: strings.Repeat("Ana Gil ", 3), Company: "Gil Zeta"}
	if got, want := long.SearchWords(), []string{"ana", "gil", "zeta"}; !slices.Equal(got, want) {
		t.Fatalf("repeated words: %q, want %q", got, want)
	}
	many := Contact{Name: "w1 w2 w3 w4 w5 w6", Surname: "w7", Company: "Talleres y Recambios del Sur"}
	if got, want := many.SearchWords(), []string{"w1", "w2", "w3", "w4", "w7", "talleres", "y", "recambios", "del"}; !slices.Equal(got, want) {
		t.Fatalf("the first %d words of each field: %q, want %q", SearchWordsPerField, got, want)
	}
	if (Contact{}).SearchWords() != nil {
		t.Fatal("a zero contact has words")
	}
}

func TestSearchTerm(t *testing.T) {
	for q, want := range map[string]string{"jose per": "jose", "a bb cc": "bb", "": "", "ruiz": "ruiz"} {
		if got := (ContactFilter{Query: q}).SearchTerm(); got != want {
			t.Errorf("SearchTerm(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestFirstWordWith(t *testing.T) {
	words := []string{"pablo", "perez", "pons", "papeleria", "ana"}
	for prefix, want := range map[string]string{"p": "pablo", "pe": "perez", "pa": "pablo", "pap": "papeleria", "x": "", "": "ana"} {
		if got := FirstWordWith(words, prefix); got != want {
			t.Errorf("FirstWordWith(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func TestContactFilterQueryWithoutWords(t *testing.T) {
	f := ContactFilter{Query: " -- ¿? "}
	if err := f.Normalize("ES"); err != nil || f.Query != "" {
		t.Fatalf("a query of no letters or digits: %q %v", f.Query, err)
	}
	f = ContactFilter{Query: "Pérez-Álvarez,  TALLERES"}
	if err := f.Normalize("ES"); err != nil || f.Query != "perez alvarez talleres" {
		t.Fatalf("%q %v", f.Query, err)
	}
}

func TestSearchTermBy(t *testing.T) {
	counts := map[string]int{"seed": 100, "99": 2, "ana": 5, "an": 5, "x": 2}
	calls := 0
	count := func(term string) (int, error) { calls++; return counts[term], nil }
	for _, tc := range []struct{ q, given, want string }{
		{"seed 99", "", "99"},       // the rarest
		{"99 seed", "", "99"},       // in any order
		{"ana an", "", "ana"},       // a tie: the longest
		{"an ana", "", "ana"},       //
		{"ana x", "", "x"},          //
		{"seed 99", "seed", "seed"}, // the term of the cursor
		{"seed 99", "nope", "99"},   // not a term of this query
	} {
		got, err := (ContactFilter{Query: tc.q}).SearchTermBy(tc.given, count)
		if err != nil || got != tc.want {
			t.Errorf("SearchTermBy(%q, given %q) = %q %v, want %q", tc.q, tc.given, got, err, tc.want)
		}
	}
	calls = 0
	if got, _ := (ContactFilter{Query: "seed"}).SearchTermBy("", count); got != "seed" || calls != 0 {
		t.Errorf("one word: %q after %d counts", got, calls)
	}
}
