package webapp

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

//go:embed templates/*.html
var templatesFS embed.FS

// pageTemplate is one page's template: the layout, the partials and the
// page's own file, parsed with the functions of one language.
type pageTemplate struct{ *template.Template }

// view is what a page's template is executed with: the Page (.User, .Lang,
// .CSRF, .Nav, .SignedIn) and the page's own data (.Data).
type view struct {
	*Page
	Data any
}

// funcs are the template functions, bound to a language and the company's
// time zone: t (a catalog text), date, dateTime, money (euro cents) and
// asset (an embedded file's fingerprinted path).
func funcs(lang string, tz *time.Location) template.FuncMap {
	f := formats{lang: lang, tz: tz}
	return template.FuncMap{
		"t":        func(key string, args ...any) string { return translate(lang, key, args...) },
		"date":     f.date,
		"dateTime": f.dateTime,
		"money":    f.money,
		"asset":    assetPath,
	}
}

// mustParseTemplates parses every page of templates/ for each language:
// layout.html and the partials (files starting with "_") with each other
// file, named by that file's name without .html. It panics on a template
// that does not parse.
func mustParseTemplates(tz *time.Location) map[string]map[string]*pageTemplate {
	files, err := fs.Glob(templatesFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	shared := []string{"templates/layout.html"}
	var pages []string
	for _, f := range files {
		switch base := path.Base(f); {
		case base == "layout.html":
		case strings.HasPrefix(base, "_"):
			shared = append(shared, f)
		default:
			pages = append(pages, f)
		}
	}
	out := map[string]map[string]*pageTemplate{}
	for _, lang := range []string{crm.LangES, crm.LangEN} {
		base := template.Must(template.New("").Funcs(funcs(lang, tz)).ParseFS(templatesFS, shared...))
		out[lang] = map[string]*pageTemplate{}
		for _, f := range pages {
			t := template.Must(template.Must(base.Clone()).ParseFS(templatesFS, f))
			out[lang][strings.TrimSuffix(path.Base(f), ".html")] = &pageTemplate{t}
		}
	}
	return out
}

// render writes the page named name (templates/<name>.html in the layout)
// with data, in the page's language, with status. The page is written
// whole or not at all: a template that fails is a 500 logged.
func (a *app) render(w http.ResponseWriter, r *http.Request, p *Page, status int, name string, data any) {
	t, ok := a.pages()[p.Lang][name]
	if !ok {
		a.log.ErrorContext(r.Context(), "webapp: no such page template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", view{Page: p, Data: data}); err != nil {
		a.log.ErrorContext(r.Context(), "webapp: rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// errorPage is the data of the error page: a catalog key saying what went
// wrong, and the domain's message when it helps.
type errorPage struct {
	Status  int
	Key     string
	Message string
}

// renderError writes the error page with status and the text of key.
func (a *app) renderError(w http.ResponseWriter, r *http.Request, p *Page, status int, key string) {
	a.render(w, r, p, status, "error", errorPage{Status: status, Key: key})
}

// forbidden answers 403, logging why at debug level.
func (a *app) forbidden(w http.ResponseWriter, r *http.Request, p *Page, why string) {
	a.log.DebugContext(r.Context(), "webapp: forbidden", "path", r.URL.Path, "why", why)
	if p == nil {
		p = &Page{Lang: browserLang(r)}
	}
	a.renderError(w, r, p, http.StatusForbidden, "error.forbidden")
}

// statusOf is the web app's table from error codes to HTTP statuses and
// the catalog key of the error page (the API has its own, for its
// problem bodies).
var statusOf = map[crm.Code]struct {
	status int
	key    string
}{
	crm.CodeInvalid:            {http.StatusBadRequest, "error.invalid"},
	crm.CodeNotFound:           {http.StatusNotFound, "error.notFound"},
	crm.CodeConflict:           {http.StatusConflict, "error.conflict"},
	crm.CodeUnauthorized:       {http.StatusUnauthorized, "error.signedOut"},
	crm.CodeForbidden:          {http.StatusForbidden, "error.forbidden"},
	crm.CodePreconditionFailed: {http.StatusPreconditionFailed, "error.stale"},
	crm.CodeTooLarge:           {http.StatusRequestEntityTooLarge, "error.tooLarge"},
	crm.CodeUnprocessable:      {http.StatusUnprocessableEntity, "error.invalid"},
	crm.CodeUnavailable:        {http.StatusServiceUnavailable, "error.unavailable"},
	crm.CodeInternal:           {http.StatusInternalServerError, "error.internal"},
}

// fail writes the error page of err: its code's status and text, and the
// domain's message but for internal errors, which are logged instead.
func (a *app) fail(w http.ResponseWriter, r *http.Request, p *Page, err error) {
	var e *crm.Error
	if !errors.As(err, &e) {
		e = crm.Internal(err)
	}
	s, ok := statusOf[e.Code]
	if !ok {
		s = statusOf[crm.CodeInternal]
	}
	ep := errorPage{Status: s.status, Key: s.key}
	if s.status >= 500 {
		a.log.ErrorContext(r.Context(), "webapp: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		ep.Message = e.Message
	}
	if s.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	a.render(w, r, p, s.status, "error", ep)
}
