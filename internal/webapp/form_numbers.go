package webapp

import (
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// Numbers in forms. People type amounts, quantities and percentages as
// their language writes them: 1.234,56 or 1234,5 in Spanish, 1,234.56 in
// English. The domain wants whole integers (cents, thousandths, basis
// points), so the pages convert at the boundary with readDecimal and
// writeDecimal. static/quote.js reads the same way, for the live totals;
// TestReadDecimal and the quote page's browser test keep the two in step.

// separators are the decimal and the thousands separator of a language.
func separators(lang string) (decimal, thousands byte) {
	if lang == crm.LangEN {
		return '.', ','
	}
	return ',', '.'
}

// readDecimal reads s, a number as a person of lang types it, into an
// integer with scale decimals (readDecimal("es", "1.234,5", 2) = 123450).
// Spaces, a € and a % sign are ignored; a leading minus is kept. Of the
// two separators, the one written last is the decimal one when both are
// there; when only one is there, several of it group thousands, and a
// single one is the decimal separator unless it is the language's
// thousands separator followed by exactly three digits after one to three
// leading digits ("1.500" is 1500 in Spanish, "1.5" and "0.125" are
// decimals). Groups must be of three digits. ok is false for anything
// else, and for more decimals than scale (crm.ParseDecimal's rule).
func readDecimal(lang, s string, scale int) (v int64, ok bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\t', '€', '%':
			return -1
		}
		return r
	}, s)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	_, thou := separators(lang)
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	var group, point byte // the grouping and the decimal separator found (0: none)
	switch {
	case dots > 0 && commas > 0:
		point, group = ',', '.'
		if strings.LastIndexByte(s, '.') > strings.LastIndexByte(s, ',') {
			point, group = '.', ','
		}
	case dots+commas == 0:
	default:
		c := byte('.')
		if commas > 0 {
			c = ','
		}
		i := strings.IndexByte(s, c)
		switch {
		case dots+commas > 1:
			group = c
		case c == thou && len(s)-i-1 == 3 && i >= 1 && i <= 3 && s[0] != '0':
			group = c
		default:
			point = c
		}
	}
	if point != 0 && strings.Count(s, string(point)) > 1 {
		return 0, false
	}
	intPart, frac, hasPoint := s, "", false
	if point != 0 {
		intPart, frac, hasPoint = strings.Cut(s, string(point))
	}
	if group != 0 {
		groups := strings.Split(intPart, string(group))
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		intPart = strings.Join(groups, "")
	}
	n := intPart
	if hasPoint {
		n += "." + frac
	}
	if neg {
		n = "-" + n
	}
	return crm.ParseDecimal(n, scale)
}

// writeDecimal writes v, an integer with scale decimals, for an input of
// lang: no thousands separator, the language's decimal separator, and at
// least min decimals (writeDecimal("es", 350000, 2, 2) = "3500,00";
// writeDecimal("es", 1500, 3, 0) = "1,5"). readDecimal reads it back as v.
func writeDecimal(lang string, v int64, scale, min int) string {
	s := crm.FormatDecimal(v, scale)
	intPart, frac, _ := strings.Cut(s, ".")
	for len(frac) < min {
		frac += "0"
	}
	if frac == "" {
		return intPart
	}
	dec, _ := separators(lang)
	return intPart + string(dec) + frac
}
