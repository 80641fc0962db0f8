package crm

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NormalizeEmail trims and lower-cases an e-mail address and checks that it is
// a bare address (no display name). The empty string stays empty.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", true
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return s, false
	}
	return s, true
}

// NormalizePhone parses a phone number written in any usual way, reading
// numbers without a country prefix as numbers of region (ISO 3166 alpha-2,
// e.g. "ES"), and returns it in E.164 form ("+34600123456"). The empty string
// stays empty; ok is false for something that is not a valid number.
func NormalizePhone(s, region string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return s, false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// foldChains hands each caller its own chain: a transform.Chain keeps
// state while it runs, so one shared by two goroutines corrupts both.
var foldChains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Fold returns s lower-cased, without accents and with runs of white space
// made one space, for case- and accent-insensitive matching: Fold("José  PÉREZ")
// is "jose perez".
func Fold(s string) string {
	chain := foldChains.Get().(transform.Transformer)
	defer foldChains.Put(chain)
	out, _, err := transform.String(chain, strings.ToValidUTF8(s, "\uFFFD"))
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

// cleanText trims s, makes its CRLF line breaks newlines, and checks that
// it is valid UTF-8 without control characters other than tab and newline
// (MsgControlCharacters) and within its length in characters. Every text
// field of every entity goes through it.
func cleanText(f fieldErrors, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	if !utf8.ValidString(*s) {
		f.add(field, "is not valid UTF-8")
		return
	}
	*s = newlines(*s)
	if hasControls(*s) {
		f.add(field, MsgControlCharacters)
		return
	}
	if n := utf8.RuneCountInString(*s); n > max {
		f.add(field, "must be at most "+strconv.Itoa(max)+" characters")
	}
}

// requireText is cleanText plus a check that the result is not empty.
func requireText(f fieldErrors, field string, s *string, max int) {
	cleanText(f, field, s, max)
	if *s == "" {
		f.add(field, "is required")
	}
}

// checkRef validates an optional reference to another entity's ID.
func checkRef(f fieldErrors, field string, id *string) {
	*id = strings.TrimSpace(*id)
	if *id != "" && !ValidID(*id) {
		f.add(field, "is not a valid ID")
	}
}

// checkURL validates an optional absolute http(s) URL.
func checkURL(f fieldErrors, field string, s *string, max int) {
	cleanText(f, field, s, max)
	if *s == "" {
		return
	}
	u, err := url.Parse(*s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.add(field, "must be an absolute http or https URL")
	}
}

// checkLang validates a language code, defaulting to "es".
func checkLang(f fieldErrors, field string, s *string) {
	*s = strings.ToLower(strings.TrimSpace(*s))
	if *s == "" {
		*s = LangES
		return
	}
	if *s != LangES && *s != LangEN {
		f.add(field, "must be \"es\" or \"en\"")
	}
}

// Languages an Embudo user or contact may have.
const (
	LangES = "es"
	LangEN = "en"
)

// normalizeReach bounds, cleans and normalises an e-mail and two phones
// (E.164, read with region), naming the fields at fault.
func normalizeReach(f fieldErrors, email, phone, mobile *string, region string) {
	cleanText(f, "email", email, 254)
	if e, ok := NormalizeEmail(*email); ok {
		*email = e
	} else {
		f.add("email", "is not a valid e-mail address")
	}
	for _, p := range []struct {
		field string
		v     *string
	}{{"phone", phone}, {"mobile", mobile}} {
		cleanText(f, p.field, p.v, 40)
		if n, ok := NormalizePhone(*p.v, region); ok {
			*p.v = n
		} else {
			f.add(p.field, "is not a valid phone number")
		}
	}
}
