package webapp

import (
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/admin/sources", adminOnly, (*app).sources},
		route{"GET /app/admin/sources/new", adminOnly, (*app).newSource},
		route{"POST /app/admin/sources", adminOnly, (*app).createSource},
		route{"GET /app/admin/sources/{id}", adminOnly, (*app).editSource},
		route{"POST /app/admin/sources/{id}", adminOnly, (*app).updateSource},
		route{"POST /app/admin/sources/{id}/rotate", adminOnly, (*app).rotateSource},
	)
}

// webhookKinds are the kinds of webhook a source may have, in the order
// the form offers them ("" first: none).
var webhookKinds = []crm.LeadFormat{crm.FormatForm, crm.FormatJSON, crm.FormatGoogleAds, crm.FormatMeta}

// sourcesView is the sources list.
type sourcesView struct {
	Sources []crm.Source
	More    bool   // the list was cut at adminListCap
	Saved   string // the name of the source just saved ("" for none)
}

// sources lists the sources, by name, with their cost and webhook kind.
func (a *app) sources(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Nav = "admin"
	ctx := r.Context()
	srcs, more, err := listAll(func(o crm.ListOptions) (crm.Page[crm.Source], error) { return a.svc.ListSources(ctx, o) })
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	slices.SortFunc(srcs, func(x, y crm.Source) int { return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)) })
	v := sourcesView{Sources: srcs, More: more}
	if id := r.URL.Query().Get("saved"); id != "" {
		if i := slices.IndexFunc(srcs, func(s crm.Source) bool { return s.ID == id }); i >= 0 {
			v.Saved = srcs[i].Name
		}
	}
	a.render(w, r, p, http.StatusOK, "admin_sources", v)
}

// sourceForm is a source as its form shows and sends it: text as typed,
// the cost in euros as the language writes it, the webhook's settings
// one per input. Secrets are never shown: only whether each is set.
type sourceForm struct {
	ID, Name, Observations, Cost string
	Version                      int
	Kind                         string // "" for no webhook
	AllowedOrigins, FieldMap     string // one per line
	RedirectURL, Honeypot        string
	Assignment, DefaultAgentID   string
	OpportunityStateID           string
	CreateOpportunity            bool
	SecretSet, VerifyTokenSet    bool
	AccessTokenSet               bool
	HasWebhook                   bool // the stored source has a webhook (its URL can be renewed)
}

// sourceFormOf is the form of a stored source.
func sourceFormOf(lang string, s crm.Source) sourceForm {
	f := sourceForm{ID: s.ID, Name: s.Name, Observations: s.Observations, Version: s.Version, Assignment: string(crm.AssignNone)}
	if s.CostCents != 0 {
		f.Cost = writeDecimal(lang, s.CostCents, 2, 2)
	}
	if wh := s.Webhook; wh != nil {
		f.HasWebhook, f.Kind = true, string(wh.Kind)
		f.AllowedOrigins, f.RedirectURL, f.Honeypot = strings.Join(wh.AllowedOrigins, "\n"), wh.RedirectURL, wh.Honeypot
		f.Assignment, f.DefaultAgentID, f.OpportunityStateID = string(wh.Assignment), wh.DefaultAgentID, wh.OpportunityStateID
		f.CreateOpportunity = wh.CreateOpportunity
		f.SecretSet, f.VerifyTokenSet, f.AccessTokenSet = wh.Secret != "", wh.VerifyToken != "", wh.AccessToken != ""
		var fm []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range wh.FieldMap {
				if !yield(k) {
					return
				}
			}
		}) {
			fm = append(fm, k+"="+wh.FieldMap[k])
		}
		f.FieldMap = strings.Join(fm, "\n")
	}
	return f
}

// readSourceForm reads the posted form; errors are its fields that cannot
// be read (the cost, a field map line), by the domain's field name.
func readSourceForm(r *http.Request, lang string) (sourceForm, map[string]string) {
	v := r.PostForm
	f := sourceForm{ID: r.PathValue("id"), Name: v.Get("name"), Observations: v.Get("observations"), Cost: strings.TrimSpace(v.Get("cost")),
		Kind: v.Get("kind"), AllowedOrigins: v.Get("allowedOrigins"), FieldMap: v.Get("fieldMap"), RedirectURL: v.Get("redirectUrl"),
		Honeypot: v.Get("honeypot"), Assignment: v.Get("assignment"), DefaultAgentID: v.Get("defaultAgentId"),
		OpportunityStateID: v.Get("opportunityStateId"), CreateOpportunity: formTicked(r, "createOpportunity")}
	errs := map[string]string{}
	if f.Cost != "" {
		if _, ok := readDecimal(lang, f.Cost, 2); !ok {
			errs["costCents"] = translate(lang, "sources.costInvalid")
		}
	}
	for _, l := range formLines(f.FieldMap) {
		if from, to, ok := strings.Cut(l, "="); !ok || strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			errs["webhook.fieldMap"] = translate(lang, "sources.fieldMapLine", l)
			break
		}
	}
	return f, errs
}

// applyTo writes the form onto s (a new source, or the stored one): its
// webhook keeps the stored token and secrets unless the form types new
// secrets or clears them; "" as kind removes the webhook. secrets are
// the secret inputs posted, of which an empty one keeps the stored value.
func (f sourceForm) applyTo(s *crm.Source, lang string, secrets map[string]string, clearSecret bool) {
	s.Name, s.Observations = f.Name, f.Observations
	s.CostCents, _ = readDecimal(lang, f.Cost, 2)
	if f.Kind == "" {
		s.Webhook = nil
		return
	}
	w := &crm.Webhook{}
	if s.Webhook != nil {
		w.TokenHash, w.Secret, w.VerifyToken, w.AccessToken = s.Webhook.TokenHash, s.Webhook.Secret, s.Webhook.VerifyToken, s.Webhook.AccessToken
	}
	if clearSecret {
		w.Secret = ""
	}
	for name, to := range map[string]*string{"secret": &w.Secret, "verifyToken": &w.VerifyToken, "accessToken": &w.AccessToken} {
		if v := strings.TrimSpace(secrets[name]); v != "" {
			*to = v
		}
	}
	w.Kind, w.RedirectURL, w.Honeypot = crm.LeadFormat(f.Kind), f.RedirectURL, f.Honeypot
	w.AllowedOrigins = formLines(f.AllowedOrigins)
	w.Assignment, w.DefaultAgentID, w.OpportunityStateID = crm.Assignment(f.Assignment), f.DefaultAgentID, f.OpportunityStateID
	w.CreateOpportunity = f.CreateOpportunity
	for _, l := range formLines(f.FieldMap) {
		if from, to, ok := strings.Cut(l, "="); ok {
			if w.FieldMap == nil {
				w.FieldMap = map[string]string{}
			}
			w.FieldMap[strings.TrimSpace(from)] = strings.TrimSpace(to)
		}
	}
	s.Webhook = w
}

// sourceView is the source form page: new or an edit.
type sourceView struct {
	Form   sourceForm
	Kinds  []crm.LeadFormat
	Agents []crm.Agent
	States []crm.State
	adminForm
}

// showSource renders the source form with its choices.
func (a *app) showSource(w http.ResponseWriter, r *http.Request, p *Page, status int, f sourceForm, af adminForm) {
	p.Nav = "admin"
	lists, err := a.lists(r.Context())
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	states, err := a.svc.PipelineStates(r.Context())
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	for k := range af.Errors { // webhook.fieldMap.<name>: shown at the field map
		if strings.HasPrefix(k, "webhook.fieldMap.") {
			af.Errors["webhook.fieldMap"] = af.Errors[k]
		}
	}
	a.render(w, r, p, status, "admin_source", sourceView{Form: f, Kinds: webhookKinds, Agents: lists.Agents, States: states, adminForm: af})
}

// newSource shows the form of a new source.
func (a *app) newSource(w http.ResponseWriter, r *http.Request, p *Page) {
	a.showSource(w, r, p, http.StatusOK, sourceForm{Assignment: string(crm.AssignNone)}, adminForm{})
}

// editSource shows a source's form.
func (a *app) editSource(w http.ResponseWriter, r *http.Request, p *Page) {
	s, err := a.svc.GetSource(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	a.showSource(w, r, p, http.StatusOK, sourceFormOf(p.Lang, s), adminForm{})
}

// secretInputs are the webhook's secrets as posted.
func secretInputs(r *http.Request) map[string]string {
	return map[string]string{"secret": r.PostFormValue("secret"), "verifyToken": r.PostFormValue("verifyToken"),
		"accessToken": r.PostFormValue("accessToken")}
}

// createSource creates a source. With a webhook, the answer is the page
// that shows its URL this once (not a redirect: the URL is stored only
// hashed and is never put in another URL); without one, the list.
func (a *app) createSource(w http.ResponseWriter, r *http.Request, p *Page) {
	f, errs := readSourceForm(r, p.Lang)
	if len(errs) > 0 {
		a.showSource(w, r, p, http.StatusBadRequest, f, adminForm{Errors: errs})
		return
	}
	var s crm.Source
	f.applyTo(&s, p.Lang, secretInputs(r), false)
	s, err := a.svc.CreateSource(r.Context(), s)
	if err != nil {
		a.sourceFailed(w, r, p, f, err)
		return
	}
	a.forgetLists()
	a.sourceSaved(w, r, p, s, true)
}

// updateSource saves a source's form. Giving a webhook to a source that
// had none issues its URL, shown this once.
func (a *app) updateSource(w http.ResponseWriter, r *http.Request, p *Page) {
	f, errs := readSourceForm(r, p.Lang)
	cur, err := a.svc.GetSource(r.Context(), f.ID)
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	f.HasWebhook = cur.Webhook != nil
	if cur.Webhook != nil {
		f.SecretSet, f.VerifyTokenSet, f.AccessTokenSet = cur.Webhook.Secret != "", cur.Webhook.VerifyToken != "", cur.Webhook.AccessToken != ""
	}
	f.Version = formVersion(r)
	if len(errs) > 0 {
		a.showSource(w, r, p, http.StatusBadRequest, f, adminForm{Errors: errs})
		return
	}
	s, err := a.svc.UpdateSource(r.Context(), f.ID, f.Version, func(s *crm.Source) error {
		f.applyTo(s, p.Lang, secretInputs(r), formTicked(r, "clearSecret"))
		return nil
	})
	if err != nil {
		a.sourceFailed(w, r, p, f, err)
		return
	}
	a.forgetLists()
	a.sourceSaved(w, r, p, s, false)
}

// rotateSource gives a source's webhook a new URL (the old one stops
// working) and shows it this once.
func (a *app) rotateSource(w http.ResponseWriter, r *http.Request, p *Page) {
	s, err := a.svc.UpdateSource(r.Context(), r.PathValue("id"), formVersion(r), func(s *crm.Source) error {
		if s.Webhook == nil {
			return crm.Conflict("the source has no webhook: give it one first")
		}
		s.Webhook.RotateToken = true // a copy of the stored one (crm.Service.UpdateSource)
		return nil
	})
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	a.sourceSaved(w, r, p, s, false)
}

// sourceFailed shows the form again with what the domain refused.
func (a *app) sourceFailed(w http.ResponseWriter, r *http.Request, p *Page, f sourceForm, err error) {
	af, status, ok := formFailure(p, err, "name")
	if !ok {
		a.fail(w, r, p, err)
		return
	}
	a.showSource(w, r, p, status, f, af)
}

// webhookView is the page that shows a webhook's URL this once.
type webhookView struct {
	Source  crm.Source
	URL     string
	Form    string // an HTML form posting to URL, for a form webhook ("" for other kinds)
	Created bool   // the source was just created (else: its URL was renewed)
}

// sourceSaved answers a saved source: the page with its webhook's URL
// when one was just issued (Cache-Control: no-store, as every page), else
// a redirect to the list.
func (a *app) sourceSaved(w http.ResponseWriter, r *http.Request, p *Page, s crm.Source, created bool) {
	if s.Webhook == nil || s.Webhook.Token == "" {
		http.Redirect(w, r, "/app/admin/sources?saved="+s.ID, http.StatusSeeOther)
		return
	}
	p.Nav = "admin"
	v := webhookView{Source: s, URL: a.hooksURL(r) + s.Webhook.Path(), Created: created}
	if s.Webhook.Kind == crm.FormatForm {
		v.Form = leadForm(p.Lang, v.URL, s.Webhook.Honeypot)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	a.render(w, r, p, status, "admin_webhook", v)
}

// hooksURL is the public base of the lead webhooks: Options.HooksURL, or
// the scheme and host the request came to (behind a proxy that says
// X-Forwarded-Proto: https, https), as the API shows them.
func (a *app) hooksURL(r *http.Request) string {
	if a.opt.HooksURL != "" {
		return strings.TrimRight(a.opt.HooksURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// leadForm is an HTML form, ready to paste into a page of the company's
// site, that posts a lead to a form webhook's url: the usual fields with
// their labels in lang, and the webhook's honeypot hidden from people.
// docs/webhooks.md has a fuller one (attribution, an idempotency key).
func leadForm(lang, url, honeypot string) string {
	if honeypot == "" {
		honeypot = "_gotcha"
	}
	t := func(key string) string { return html.EscapeString(translate(lang, key)) }
	var b strings.Builder
	fmt.Fprintf(&b, "<form method=\"post\" accept-charset=\"utf-8\" action=\"%s\">\n", html.EscapeString(url))
	for _, in := range []struct{ key, input string }{
		{"sources.snippet.name", `<input name="name" required>`},
		{"sources.snippet.surname", `<input name="surname">`},
		{"sources.snippet.email", `<input name="email" type="email">`},
		{"sources.snippet.phone", `<input name="phone" type="tel">`},
		{"sources.snippet.company", `<input name="company">`},
		{"sources.snippet.message", `<textarea name="message"></textarea>`},
	} {
		fmt.Fprintf(&b, "  <p><label>%s<br>%s</label></p>\n", t(in.key), in.input)
	}
	fmt.Fprintf(&b, "  <div style=\"display:none\" aria-hidden=\"true\">\n    <input type=\"text\" name=\"%s\" tabindex=\"-1\" autocomplete=\"off\">\n  </div>\n",
		html.EscapeString(honeypot))
	fmt.Fprintf(&b, "  <button type=\"submit\">%s</button>\n</form>\n", t("sources.snippet.send"))
	return b.String()
}
