package webapp

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// TestTemplatesUseKnownKeys: every key a template or a handler names
// literally (t "key", T("key"), a Problem or Key field) is in the catalog,
// and every entry has both languages.
func TestTemplatesUseKnownKeys(t *testing.T) {
	uses := regexp.MustCompile(`(?:\bt|\.T\(|Problem:|Key:|key) "([a-zA-Z]+\.[a-zA-Z.]+)"`)
	var files []string
	for _, pattern := range []string{"templates/*.html", "*.go"} {
		fs, err := fs.Glob(sourceFS{}, pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	for _, f := range files {
		if f == "doc.go" || strings.HasSuffix(f, "_test.go") { // examples, not uses
			continue
		}
		b, err := fs.ReadFile(sourceFS{}, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalog[m[1]]; !ok {
				t.Errorf("%s uses the key %q, which the catalog lacks", f, m[1])
			}
		}
	}
	for k, m := range catalog {
		if m.es == "" || m.en == "" {
			t.Errorf("message %q lacks a language: %+v", k, m)
		}
	}
}

// TestFormats: dates in the company's time zone and money with the
// language's separators.
func TestFormats(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 2, 5, 23, 30, 0, 0, time.UTC) // 6 February in Madrid
	es, en := formats{crm.LangES, madrid}, formats{crm.LangEN, madrid}
	for _, c := range []struct{ got, want string }{
		{es.date(at), "06/02/2026"},
		{en.date(at), "6 Feb 2026"},
		{es.dateTime(at), "06/02/2026 00:30"},
		{en.dateTime(at), "6 Feb 2026, 00:30"},
		{es.money(123456789), "1.234.567,89\u00a0€"},
		{en.money(123456789), "€1,234,567.89"},
		{es.money(5), "0,05\u00a0€"},
		{en.money(-100000), "-€1,000.00"},
		{es.money(-100000), "-1.000,00\u00a0€"},
		{es.date(time.Time{}), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestBrowserLang: signed out, English only when the browser prefers it.
func TestBrowserLang(t *testing.T) {
	for header, want := range map[string]string{
		"":                        crm.LangES,
		"en-GB,en;q=0.9":          crm.LangEN,
		"es-ES,es;q=0.9,en;q=0.8": crm.LangES,
		"fr-FR,fr;q=0.9,en;q=0.5": crm.LangEN,
		"de-DE":                   crm.LangES,
		"en;q=0.2,es;q=0.9":       crm.LangES,
		"garbage;;;q=x":           crm.LangES,
	} {
		r := newRequest("GET", "/app/signin")
		r.Header.Set("Accept-Language", header)
		if got := browserLang(r); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
}
