package webapp_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

var hookURLRE = regexp.MustCompile(`value="(https?://[^"]+/hooks/(whk_[A-Za-z0-9_-]+)[^"]*)"`)

// webhookURL reads the webhook URL and its token from the page that shows
// it once, failing the test when there is none.
func webhookURL(t *testing.T, body string) (string, string) {
	t.Helper()
	m := hookURLRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no webhook URL on the page:\n%s", body)
	}
	return m[1], m[2]
}

// TestSourceCreateShowsTheWebhookOnce: creating a source with a form
// webhook answers the page with its URL (under the server's own address,
// where embudo serve receives /hooks/), a copy button and a ready-to-paste
// form posting to it, escaped; the token opens the source; no later page
// shows it again.
func TestSourceCreateShowsTheWebhookOnce(t *testing.T) {
	env := webtest.New(t)
	c := env.SignIn(t, env.Admin)
	res := c.PostForm(t, "/app/admin/sources", url.Values{"name": {"Formulario web"}, "cost": {"1.500,50"}, "kind": {"form"},
		"allowedOrigins": {"https://www.example.com\n"}, "redirectUrl": {"https://www.example.com/gracias"}, "createOpportunity": {"1"},
		"assignment": {"none"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	u, token := webhookURL(t, res.Body)
	if u != env.URL+"/hooks/"+token {
		t.Errorf("webhook URL %s, want it under %s", u, env.URL)
	}
	src, err := env.Svc.SourceByWebhookToken(t.Context(), token)
	if err != nil {
		t.Fatalf("the token shown opens no source: %v", err)
	}
	if src.Name != "Formulario web" || src.CostCents != 150050 || !src.Webhook.CreateOpportunity ||
		src.Webhook.RedirectURL != "https://www.example.com/gracias" || len(src.Webhook.AllowedOrigins) != 1 {
		t.Errorf("stored %+v %+v", src, src.Webhook)
	}
	for _, s := range []string{`data-copy="webhook-url"`, `data-copy="webhook-form"`, `<textarea id="webhook-form"`,
		html.EscapeString(`<form method="post" accept-charset="utf-8" action="` + u + `">`), html.EscapeString(`name="_gotcha"`), "copy."} {
		if !strings.Contains(res.Body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if strings.Contains(res.Body, `<form method="post" accept-charset`) {
		t.Error("the form to paste is markup of the page, not text")
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	for _, path := range []string{"/app/admin/sources", "/app/admin/sources/" + src.ID} {
		if body := c.Get(t, path).Body; strings.Contains(body, token) || !strings.Contains(body, "Formulario web") {
			t.Errorf("%s shows the token again, or not the source", path)
		}
	}
}

// TestSourceWithoutWebhook: a source without a webhook goes back to the
// list, which names it, with its cost in the user's language.
func TestSourceWithoutWebhook(t *testing.T) {
	env := webtest.New(t)
	c := env.SignIn(t, env.Admin)
	res := c.PostForm(t, "/app/admin/sources", url.Values{"name": {"Feria 2026"}, "cost": {"2000"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/app/admin/sources?saved=") {
		t.Fatalf("create: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	body := c.Get(t, res.Location()).Body
	for _, s := range []string{"Guardado: Feria 2026.", "2.000,00\u00a0€", "Sin webhook"} {
		if !strings.Contains(body, s) {
			t.Errorf("the list lacks %q", s)
		}
	}
	if strings.Contains(body, "/hooks/") {
		t.Error("a source without a webhook shows a URL")
	}
}

// TestSourceFieldErrors: what the form or the domain refuses is shown next
// to its field (400), a name taken is a conflict next to the name (409),
// and nothing is stored.
func TestSourceFieldErrors(t *testing.T) {
	env := webtest.New(t)
	if _, err := env.Svc.CreateSource(t.Context(), crm.Source{Name: "Feria"}); err != nil {
		t.Fatal(err)
	}
	c := env.SignIn(t, env.Admin)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		input  string // the input whose error it is
	}{
		{"no name", url.Values{"name": {""}}, http.StatusBadRequest, `id="s-name"`},
		{"a cost that is no amount", url.Values{"name": {"Radio"}, "cost": {"mil euros"}}, http.StatusBadRequest, `id="s-cost"`},
		{"google-ads without its key", url.Values{"name": {"Ads"}, "kind": {"google-ads"}, "assignment": {"none"}}, http.StatusBadRequest, `id="s-secret"`},
		{"fixed assignment without an agent", url.Values{"name": {"Web"}, "kind": {"form"}, "assignment": {"fixed"}}, http.StatusBadRequest, `id="s-agent"`},
		{"a bad origin", url.Values{"name": {"Web"}, "kind": {"form"}, "allowedOrigins": {"www.example.com/page"}}, http.StatusBadRequest, `id="s-origins"`},
		{"a field map line without =", url.Values{"name": {"Web"}, "kind": {"form"}, "fieldMap": {"telefono"}}, http.StatusBadRequest, `id="s-fieldmap"`},
		{"a field map to an unknown field", url.Values{"name": {"Web"}, "kind": {"form"}, "fieldMap": {"tel=telefono"}}, http.StatusBadRequest, `id="s-fieldmap"`},
		{"a name taken", url.Values{"name": {"FERIA"}}, http.StatusConflict, `id="s-name"`},
	} {
		res := c.PostForm(t, "/app/admin/sources", tc.form)
		if res.Status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, res.Status, tc.status)
			continue
		}
		if !fieldErrorAt(res.Body, tc.input) {
			t.Errorf("%s: no error next to %s, or it is not marked invalid", tc.name, tc.input)
		}
	}
	srcs, err := env.Svc.ListSources(t.Context(), crm.ListOptions{Limit: 10})
	if err != nil || len(srcs.Items) != 1 {
		t.Fatalf("refused forms stored sources: %d %v", len(srcs.Items), err)
	}
}

// TestSourceEdit: the edit form saves its fields and keeps the webhook's
// URL and secrets when none is typed; a form built on an older version is
// refused (412) without writing; giving a webhook to a source without one
// shows its new URL once; renewing it shows another and the old one stops
// opening the source.
func TestSourceEdit(t *testing.T) {
	env := webtest.New(t)
	ctx := t.Context()
	src, err := env.Svc.CreateSource(ctx, crm.Source{Name: "Google", Webhook: &crm.Webhook{Kind: crm.FormatGoogleAds, Secret: "la-clave"}})
	if err != nil {
		t.Fatal(err)
	}
	token := src.Webhook.Token
	c := env.SignIn(t, env.Admin)
	page := c.Get(t, "/app/admin/sources/"+src.ID)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `name="version" value="1"`) || strings.Contains(page.Body, "la-clave") {
		t.Fatalf("edit page: %d, version field or a secret shown:\n%s", page.Status, page.Body)
	}
	res := c.PostForm(t, "/app/admin/sources/"+src.ID, url.Values{"version": {"1"}, "name": {"Google Ads"}, "cost": {"99,90"},
		"kind": {"google-ads"}, "assignment": {"none"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	got, err := env.Svc.SourceByWebhookToken(ctx, token)
	if err != nil || got.Name != "Google Ads" || got.CostCents != 9990 || !got.Webhook.KeyMatches("la-clave") {
		t.Fatalf("after the edit: %+v %v", got, err)
	}
	res = c.PostForm(t, "/app/admin/sources/"+src.ID, url.Values{"version": {"1"}, "name": {"Otro nombre"}, "kind": {"google-ads"}})
	if res.Status != http.StatusPreconditionFailed || !strings.Contains(res.Body, "Alguien lo ha cambiado") {
		t.Fatalf("a stale form: %d", res.Status)
	}
	if got, _ := env.Svc.GetSource(ctx, src.ID); got.Name != "Google Ads" {
		t.Fatalf("a stale form wrote: %q", got.Name)
	}

	res = c.PostForm(t, "/app/admin/sources/"+src.ID+"/rotate", url.Values{"version": {"2"}})
	if res.Status != http.StatusOK {
		t.Fatalf("rotate: %d %s", res.Status, res.Body)
	}
	u, next := webhookURL(t, res.Body)
	if next == token || !strings.HasSuffix(u, "/hooks/"+next+"/google-ads") || strings.Contains(res.Body, "webhook-form") {
		t.Errorf("rotated URL %s (old token %s); a google-ads webhook gets no HTML form", u, token)
	}
	if _, err := env.Svc.SourceByWebhookToken(ctx, token); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("the old URL still opens the source: %v", err)
	}

	plain, err := env.Svc.CreateSource(ctx, crm.Source{Name: "Feria"})
	if err != nil {
		t.Fatal(err)
	}
	res = c.PostForm(t, "/app/admin/sources/"+plain.ID, url.Values{"version": {"1"}, "name": {"Feria"}, "kind": {"json"}, "assignment": {"none"}})
	if res.Status != http.StatusOK {
		t.Fatalf("a webhook given on edit: %d %s", res.Status, res.Body)
	}
	if _, tok := webhookURL(t, res.Body); tok == "" {
		t.Error("no token")
	}
}

// TestSourceWebhookURLBase: with Options.HooksURL (the hooks API's address
// on AWS) the URL shown starts with it, whatever host the page was asked
// on, and a meta webhook's has its suffix.
func TestSourceWebhookURLBase(t *testing.T) {
	env := webtest.New(t, webtest.WithHooksURL("https://hooks.example.com/"))
	c := env.SignIn(t, env.Admin)
	res := c.PostForm(t, "/app/admin/sources", url.Values{"name": {"Meta"}, "kind": {"meta"}, "assignment": {"none"},
		"secret": {"app-secret"}, "verifyToken": {"verify"}, "accessToken": {"page-token"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	if u, token := webhookURL(t, res.Body); u != "https://hooks.example.com/hooks/"+token+"/meta" {
		t.Errorf("webhook URL %s, want it under the hooks URL, ending in /meta", u)
	}
}
