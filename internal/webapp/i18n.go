package webapp

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/embudo/embudo/internal/crm"
)

// message is one entry of the catalog: a key and its text in each
// language. A text may hold fmt verbs, filled by the arguments of t.
type message struct {
	key, es, en string
}

// catalog is every text of the app by key: the one table page authors add
// to, from a messages_<page>.go file of their own (addMessages in init).
var catalog = map[string]message{}

// addMessages adds entries to the catalog; a key added twice is a
// programming error (two pages claiming one key), and panics at start.
func addMessages(ms ...message) {
	for _, m := range ms {
		if _, dup := catalog[m.key]; dup {
			panic("webapp: message key " + m.key + " defined twice")
		}
		catalog[m.key] = m
	}
}

// translate returns the text of key in lang, with args filled in. A
// missing key shows as itself in brackets (the template tests fail on it).
func translate(lang, key string, args ...any) string {
	m, ok := catalog[key]
	if !ok {
		return "[" + key + "]"
	}
	s := m.es
	if lang == crm.LangEN {
		s = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// T returns the text of key in the page's language (for handlers; the
// templates use the function t).
func (p *Page) T(key string, args ...any) string { return translate(p.Lang, key, args...) }

// languages are the app's languages, Spanish first: the default.
var languages = language.NewMatcher([]language.Tag{language.Spanish, language.English})

// browserLang is the language of a signed-out visitor: English when their
// browser prefers it to Spanish (Accept-Language), else Spanish.
func browserLang(r *http.Request) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return crm.LangES
	}
	if _, i, _ := languages.Match(tags...); i == 1 {
		return crm.LangEN
	}
	return crm.LangES
}

// formats writes dates and money as people of a language read them, in the
// company's time zone.
type formats struct {
	lang string
	tz   *time.Location
}

// date writes a day: 05/02/2026 in Spanish, 5 Feb 2026 in English.
func (f formats) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(f.tz)
	if f.lang == crm.LangEN {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02/01/2006")
}

// dateTime writes a day and time: 05/02/2026 14:05 or 5 Feb 2026, 14:05.
func (f formats) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(f.tz)
	if f.lang == crm.LangEN {
		return t.Format("2 Jan 2006, 15:04")
	}
	return t.Format("02/01/2006 15:04")
}

// money writes an amount in euro cents: 1.234,56 € in Spanish, €1,234.56
// in English.
func (f formats) money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	units, rest := strconv.FormatInt(cents/100, 10), fmt.Sprintf("%02d", cents%100)
	thousands, decimal := ".", ","
	if f.lang == crm.LangEN {
		thousands, decimal = ",", "."
	}
	var b strings.Builder
	for i, d := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(d)
	}
	n := b.String() + decimal + rest
	if neg {
		n = "-" + n
	}
	if f.lang == crm.LangEN {
		if neg {
			return "-€" + n[1:]
		}
		return "€" + n
	}
	return n + "\u00a0€"
}
