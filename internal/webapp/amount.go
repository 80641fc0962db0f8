package webapp

import (
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// maxAmountCents bounds an amount typed in a form: the domain's limit on
// an approximate amount (10^13 cents).
const maxAmountCents = 10_000_000_000_000

// parseAmount reads an amount in euros as a person types it, in Spanish
// or English (1.500,50 · 1,500.50 · 1500.5 · 1500 € · 1.500), into cents;
// "" is 0. The last separator marks the decimals, but when exactly three
// digits follow it and no separator of the other kind comes before it:
// then it groups thousands (1.500 is 1500 €).
// Errors: invalid (approxAmount).
func parseAmount(s string) (int64, error) {
	bad := crm.InvalidField("approxAmount", "must be an amount like 1500,00")
	s = strings.NewReplacer(" ", "", "\u00a0", "", "€", "", "'", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	dec := strings.LastIndexAny(s, ".,")
	if dec >= 0 {
		sep := s[dec]
		if len(s)-dec-1 == 3 && !strings.ContainsAny(s[:dec], otherSep(sep)) {
			dec = -1 // 1.500 or 1,500,000: thousands
		}
	}
	whole, frac := s, ""
	if dec >= 0 {
		whole, frac = s[:dec], s[dec+1:]
		if strings.IndexByte(whole, s[dec]) >= 0 { // 12,345,67
			return 0, bad
		}
	}
	whole, ok := ungroup(whole)
	if !ok {
		return 0, bad
	}
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 || !digits(whole) || !digits(frac) {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	units, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || units > maxAmountCents/100 {
		return 0, bad
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	total := units*100 + cents
	if total > maxAmountCents {
		return 0, bad
	}
	return total, nil
}

// ungroup removes the thousands separators of a whole number (one kind
// of them, in groups of three after one to three digits: 1.500.000).
func ungroup(s string) (string, bool) {
	sep := strings.IndexAny(s, ".,")
	if sep < 0 {
		return s, true
	}
	groups := strings.Split(s, s[sep:sep+1])
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// otherSep is the separator that is not sep.
func otherSep(sep byte) string {
	if sep == '.' {
		return ","
	}
	return "."
}

// digits reports whether s is only ASCII digits ("" is).
func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
