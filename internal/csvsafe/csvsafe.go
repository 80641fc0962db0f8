// Package csvsafe keeps the text cells of the CSV files Embudo writes from
// being run as formulas when a spreadsheet opens them (CSV or formula
// injection): the one rule the API's CSV report and the CLI's exports
// apply, and its inverse, which the CLI's import applies.
//
// A text cell that starts with "=", "+", "-", "@", a tab or a carriage
// return is written with a single quote before it, as OWASP describes
// (https://owasp.org/www-community/attacks/CSV_Injection): a spreadsheet
// then shows it as text and runs nothing. A cell that already starts with
// quotes followed by one of those characters gets one more, so that
// Restore gives back exactly what was written. Numbers are not text
// cells: a writer leaves a numeric column's -5 as it is.
package csvsafe

import "strings"

// Text is s ready to be a text cell of a CSV file: s, or s with a single
// quote before it when a spreadsheet would read it as a formula.
func Text(s string) string {
	if risky(s) {
		return "'" + s
	}
	return s
}

// Restore undoes Text: a cell Text quoted loses its first quote; any other
// is returned as it is. Restore(Text(s)) is s for every s.
func Restore(cell string) string {
	if strings.HasPrefix(cell, "'") && risky(cell) {
		return cell[1:]
	}
	return cell
}

// risky reports whether s, past any single quotes it starts with, starts
// with a character that makes a spreadsheet read a cell as a formula.
func risky(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}
