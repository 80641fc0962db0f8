package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Message is what one notification e-mail says, before rendering. The
// notification rules fill it from the records involved; Render turns it into
// a subject and a text and an HTML body.
type Message struct {
	Key         string         // one of the six crm.Notify* keys
	Lang        string         // "es" (default) or "en"; anything else renders in Spanish
	Recipient   string         // recipient's name
	Actor       string         // who did it ("" when a web form or the system did)
	Contact     string         // the contact's full name
	Opportunity string         // "#12 Tienda online" or ""
	NoteText    string         // notify-note and new-opportunity-note
	FileName    string         // new-opportunity-file
	AvisoAt     time.Time      // notify-note: when the reminder was due (shown in TimeZone)
	Link        string         // absolute URL to the resource (APP_URL + path), or "" when there is no APP_URL
	TimeZone    *time.Location // the company time zone; nil means UTC
}

// Rendered is a multipart e-mail body: a one-line subject and the same
// message as plain text and as a complete HTML document.
type Rendered struct{ Subject, Text, HTML string }

// Placeholders an override subject or body may use. Render replaces each with
// the matching Message field (the aviso formatted in the company time zone);
// unknown placeholders are left as written.
const (
	PlaceholderRecipient   = "{recipient}"
	PlaceholderActor       = "{actor}" // "Embudo" when no person did it
	PlaceholderContact     = "{contact}"
	PlaceholderOpportunity = "{opportunity}"
	PlaceholderNote        = "{note}"
	PlaceholderFile        = "{file}"
	PlaceholderLink        = "{link}"
	PlaceholderAviso       = "{aviso}"
)

// Render renders m with the built-in template of its key and language, or
// with the override's subject and/or body when they are set (an empty
// override field keeps the built-in one). An override body is plain text with
// the Placeholder* placeholders; its HTML part is the same text escaped, with
// newlines turned into <br> and the link made clickable, inside the standard
// frame. When m has a link and an override body does not use {link}, the link
// is appended so that every e-mail leads to its resource.
//
// Errors: invalid (unknown key); internal (a built-in template failed to
// execute, which is a bug).
func Render(m Message, o *crm.TemplateOverride) (Rendered, error) {
	if !crm.IsNotificationKey(m.Key) {
		return Rendered{}, crm.InvalidField("key", fmt.Sprintf("unknown notification %q", m.Key))
	}
	lang := language(m.Lang)
	set := sets[lang]
	v := newView(m, lang)

	var r Rendered
	var err error
	if o != nil && strings.TrimSpace(o.Subject) != "" {
		r.Subject = fill(o.Subject, v)
	} else if r.Subject, err = execText(set.text, m.Key+".subject", v); err != nil {
		return Rendered{}, err
	}
	r.Subject = oneLine(r.Subject)
	v.Subject = r.Subject

	if o != nil && strings.TrimSpace(o.Body) != "" {
		text := fill(o.Body, v)
		if v.Link != "" && !strings.Contains(o.Body, PlaceholderLink) {
			text += "\n\n" + linkLabel[lang] + ": " + v.Link
		}
		r.Text = tidy(text)
		v.Override = textToHTML(strings.TrimSuffix(r.Text, "\n"), v.Link)
		if r.HTML, err = execHTML(set.html, "override.html", v); err != nil {
			return Rendered{}, err
		}
		return r, nil
	}
	text, err := execText(set.text, m.Key+".text", v)
	if err != nil {
		return Rendered{}, err
	}
	r.Text = tidy(text)
	if r.HTML, err = execHTML(set.html, m.Key+".html", v); err != nil {
		return Rendered{}, err
	}
	return r, nil
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// langSet holds the parsed templates of one language.
type langSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// sets maps each language to its templates. The files are embedded, so a
// parse error is a bug and stops the program at start (and every test).
var sets = parseSets(templateFS)

// linkLabel introduces the link appended to an override body without {link}.
var linkLabel = map[string]string{crm.LangES: "Ábrelo en Embudo", crm.LangEN: "Open it in Embudo"}

// noName stands in for a contact without a name.
var noName = map[string]string{crm.LangES: "(sin nombre)", crm.LangEN: "(no name)"}

func parseSets(fsys fs.FS) map[string]langSet {
	out := make(map[string]langSet, 2)
	for _, lang := range []string{crm.LangES, crm.LangEN} {
		tt := texttemplate.Must(texttemplate.New(lang).
			Funcs(texttemplate.FuncMap{"indent": indent}).
			ParseFS(fsys, "templates/"+lang+".txt.tmpl"))
		ht := htmltemplate.Must(htmltemplate.New(lang).
			ParseFS(fsys, "templates/layout.html.tmpl", "templates/"+lang+".html.tmpl"))
		for _, key := range crm.NotificationKeys() {
			for _, name := range []string{key + ".subject", key + ".text"} {
				if tt.Lookup(name) == nil {
					panic("notify: template " + lang + "/" + name + " is missing")
				}
			}
			if ht.Lookup(key+".html") == nil {
				panic("notify: template " + lang + "/" + key + ".html is missing")
			}
		}
		out[lang] = langSet{text: tt, html: ht}
	}
	return out
}

// view is the data the templates see: Message fields cleaned up and
// formatted for one language.
type view struct {
	Lang        string
	Subject     string
	Recipient   string
	Actor       string
	Contact     string
	Opportunity string
	Note        string
	File        string
	Link        string
	Aviso       string
	Override    htmltemplate.HTML // the escaped override body, only in "override.html"
}

func newView(m Message, lang string) view {
	v := view{
		Lang:        lang,
		Recipient:   oneLine(m.Recipient),
		Actor:       oneLine(m.Actor),
		Contact:     oneLine(m.Contact),
		Opportunity: oneLine(m.Opportunity),
		Note:        strings.TrimSpace(normalizeNewlines(m.NoteText)),
		File:        oneLine(m.FileName),
		Link:        strings.TrimSpace(m.Link),
	}
	if v.Contact == "" {
		v.Contact = noName[lang]
	}
	if !m.AvisoAt.IsZero() {
		tz := m.TimeZone
		if tz == nil {
			tz = time.UTC
		}
		v.Aviso = formatAviso(m.AvisoAt.In(tz), lang)
	}
	return v
}

// language maps a Message.Lang to a template language.
func language(lang string) string {
	if strings.EqualFold(strings.TrimSpace(lang), crm.LangEN) {
		return crm.LangEN
	}
	return crm.LangES
}

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
	"agosto", "septiembre", "octubre", "noviembre", "diciembre"}

// formatAviso writes a reminder time the way each language reads it, with
// the zone's abbreviation and name (crm.ZoneLabel) so that a reader
// elsewhere is not misled.
func formatAviso(t time.Time, lang string) string {
	if lang == crm.LangEN {
		return t.Format("January 2, 2006, 3:04 PM") + " (" + crm.ZoneLabel(t) + ")"
	}
	return fmt.Sprintf("%d de %s de %d, %s (%s)", t.Day(), monthsES[t.Month()-1], t.Year(), t.Format("15:04"), crm.ZoneLabel(t))
}

// fill replaces the override placeholders with the view's values.
func fill(s string, v view) string {
	actor := v.Actor
	if actor == "" {
		actor = "Embudo"
	}
	return strings.NewReplacer(
		PlaceholderRecipient, v.Recipient,
		PlaceholderActor, actor,
		PlaceholderContact, v.Contact,
		PlaceholderOpportunity, v.Opportunity,
		PlaceholderNote, v.Note,
		PlaceholderFile, v.File,
		PlaceholderLink, v.Link,
		PlaceholderAviso, v.Aviso,
	).Replace(normalizeNewlines(s))
}

// textToHTML escapes plain text for HTML, keeps its line breaks and turns
// the resource link, when it is an http(s) URL, into an anchor.
func textToHTML(text, link string) htmltemplate.HTML {
	escaped := htmltemplate.HTMLEscapeString(text)
	if u, err := url.Parse(link); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		el := htmltemplate.HTMLEscapeString(link)
		escaped = strings.ReplaceAll(escaped, el, `<a href="`+el+`">`+el+`</a>`)
	}
	return htmltemplate.HTML(strings.ReplaceAll(escaped, "\n", "<br>\n"))
}

func execText(t *texttemplate.Template, name string, v view) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		return "", crm.Internal(fmt.Errorf("notify: template %s: %w", name, err))
	}
	return b.String(), nil
}

func execHTML(t *htmltemplate.Template, name string, v view) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		return "", crm.Internal(fmt.Errorf("notify: template %s: %w", name, err))
	}
	return b.String(), nil
}

// indent quotes each line of a note in the text part.
func indent(s string) string {
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}

// oneLine collapses every run of white space (newlines included) into one
// space, for names and subjects.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// tidy trims trailing spaces from each line, keeps at most one blank line in
// a row and ends the text with exactly one newline.
func tidy(s string) string {
	lines := strings.Split(normalizeNewlines(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s) + "\n"
}
