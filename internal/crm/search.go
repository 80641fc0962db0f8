package crm

import (
	"slices"
	"strings"
	"unicode"
)

// SearchWordsPerField is how many words of each of a contact's name,
// surname and company the name search (ContactFilter.Query) knows: the
// first ones. It bounds the items a store writes for the search with each
// contact (DynamoDB: one per word, in the contact's own transaction of at
// most 100 actions), and keeps a field's words a function of that field
// alone, so that a lead merge that fills the surname or the company knows
// the words it adds without reading the contact.
const SearchWordsPerField = 4

// Words splits s, folded (Fold: lower case, no accents), into its words:
// the runs of letters and digits. Words("Talleres Pérez-Ruiz, S.L.") is
// talleres, perez, ruiz, s, l.
func Words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// FieldWords are the words of one field the name search knows: the first
// SearchWordsPerField of Words(s).
func FieldWords(s string) []string {
	w := Words(s)
	return w[:min(len(w), SearchWordsPerField)]
}

// SearchWords are the distinct words the name search finds c by: the
// FieldWords of its name, surname and company, in that order (at most
// 3 × SearchWordsPerField). A store indexes exactly these.
func (c Contact) SearchWords() []string {
	var out []string
	for _, field := range []string{c.Name, c.Surname, c.Company} {
		for _, w := range FieldWords(field) {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// Terms are the words of the filter's query: each must be the start of a
// search word of a contact that matches.
func (q ContactFilter) Terms() []string { return strings.Fields(q.Query) }

// SearchTerm is the longest term of the query (the first of the
// longest), the likeliest to be the rarest: the term a store reads its
// word index by when counting tells no other (SearchTermBy). "" without a
// query.
func (q ContactFilter) SearchTerm() string {
	best := ""
	for _, t := range q.Terms() {
		if len(t) > len(best) {
			best = t
		}
	}
	return best
}

// SearchCountLimit is how many words starting with a term a store counts
// at most for SearchTermBy: one read of its word index each.
const SearchCountLimit = 100

// SearchTermBy picks the term a store reads its word index by; the others
// are checked on what it reads (Matches). A query of one word is that
// word. Of several, the term a cursor was made for (given) when it is one
// of them, so that every page of a list reads the same index range; else
// the rarest: the one the fewest search words start with, as count tells
// (counting up to SearchCountLimit), ties going to the longest, then the
// first. So q=seed 99 reads the few words starting with 99, not every
// seed. Errors: count's.
func (q ContactFilter) SearchTermBy(given string, count func(term string) (int, error)) (string, error) {
	terms := q.Terms()
	if len(terms) < 2 {
		return q.SearchTerm(), nil
	}
	if given != "" && slices.Contains(terms, given) {
		return given, nil
	}
	best, least := "", 0
	for _, t := range terms {
		if t == best {
			continue
		}
		n, err := count(t)
		if err != nil {
			return "", err
		}
		if best == "" || n < least || (n == least && len(t) > len(best)) {
			best, least = t, n
		}
	}
	return best, nil
}

// FirstWordWith returns the least of words that starts with prefix, ""
// if none does. A store lists a contact under that one of its words only,
// so that a contact with two words starting with the term read ("pablo",
// "perez" for "p") is listed once.
func FirstWordWith(words []string, prefix string) string {
	first := ""
	for _, w := range words {
		if strings.HasPrefix(w, prefix) && (first == "" || w < first) {
			first = w
		}
	}
	return first
}

// matchesTerms reports whether every term starts one of words.
func matchesTerms(words, terms []string) bool {
	for _, t := range terms {
		if FirstWordWith(words, t) == "" {
			return false
		}
	}
	return true
}
