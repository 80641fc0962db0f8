package leads

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// formText turns a field name or value of an HTML form post into text. A
// browser encodes a form in its page's encoding unless the form says
// accept-charset="utf-8": bytes that are not UTF-8 are read as
// Windows-1252 (what browsers use for a Latin-1 page), and the numeric
// character references a browser writes for the characters that encoding
// lacks (&#321; for Ł, &#128512; for 😀, also in hex: &#x141;) become those
// characters. A form in UTF-8 never has references written for it, so a
// person who typed one literally gets the character.
func formText(s string) string {
	if !utf8.ValidString(s) {
		if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
			s = d
		}
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return decodeCharRefs(s)
}

// decodeCharRefs replaces each numeric character reference (&#NNN; or
// &#xHHH;) of a valid character other than NUL by the character; anything
// else stays as written.
func decodeCharRefs(s string) string {
	if !strings.Contains(s, "&#") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, "&#")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		r, n := charRef(s[i:])
		if n == 0 {
			b.WriteString("&#")
			s = s[i+2:]
			continue
		}
		b.WriteRune(r)
		s = s[i+n:]
	}
}

// charRef reads the numeric character reference at the start of s (which
// starts with "&#"): the character and the reference's length, or 0, 0.
func charRef(s string) (rune, int) {
	j, base := 2, 10
	if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
		j, base = 3, 16
	}
	start := j
	for j < len(s) && j-start < 8 && isDigit(s[j], base) {
		j++
	}
	if j == start || j >= len(s) || s[j] != ';' {
		return 0, 0
	}
	n, err := strconv.ParseUint(s[start:j], base, 32)
	if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
		return 0, 0
	}
	return rune(n), j + 1
}

func isDigit(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '9':
		return true
	case base == 16:
		return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
	}
	return false
}
