package httpapi_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/leads"
)

// oasHookRun is the lead webhooks scenario: the webhooks' server, and the
// sources and tokens the steps make, in the order the steps run.
type oasHookRun struct {
	c            *oasChecker
	staff, admin string
	hooks        *httptest.Server
	origin       string // the form's allowed origin
	// The sources with a webhook, and their tokens.
	formID, formTok, oldTok string // oldTok: the form's token before it was rotated
	googleID, googleTok     string
	jsonTok                 string
	metaID, metaTok         string
	ghostID, ghostTok       string // its webhook names a state deleted since
	plainTok                string // a form webhook with no redirect URL and no allowed origins
	formPath                string
}

const oasURLEncoded = "application/x-www-form-urlencoded"

// oasHooks drives the sources' webhook settings through the API, then the
// lead webhooks themselves (httpapi.NewHooks, a handler of its own) with
// every kind of sender, validating each request and answer.
func oasHooks(c *oasChecker) {
	t, e := c.t, c.e
	t.Helper()
	h := &oasHookRun{c: c, staff: e.staffToken, admin: adminToken, origin: "https://www.example.com"}
	h.hooks = httptest.NewServer(httpapi.NewHooks(e.svc, httpapi.HookOptions{SourceCacheTTL: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Meta: oasGraph{
			"444444444444": `{"id":"444444444444","created_time":"2026-01-02T10:00:00+0000","platform":"ig","is_organic":false,` +
				`"field_data":[{"name":"full_name","values":["Iker Sanz"]},{"name":"email","values":["Iker@Example.com"]},{"name":"phone_number","values":["+34622000333"]}]}`,
			"555555555555": "fail",
		}}))
	t.Cleanup(h.hooks.Close)
	c.hooksURL = h.hooks.URL
	c.steps("hooks", []oasStep{
		{"settings create", h.createSettings},
		{"settings refused", h.refuseSettings},
		{"settings rotate merge remove", h.changeSettings},
		{"forms", h.forms},
		{"forms refused", h.refusedForms},
		{"cors preflight", h.preflight},
		{"standard webhooks", h.standardWebhooks},
		{"google ads", h.googleAds},
		{"meta", h.meta},
		{"nothing else", h.nothingElse},
	})
}

func (h *oasHookRun) webhookOf(res response) map[string]any {
	t := h.c.t
	t.Helper()
	w, _ := oasJSON(t, res)["webhook"].(map[string]any)
	if w == nil {
		t.Fatalf("no webhook in %s", res.Body)
	}
	return w
}

// issued returns the token of a response that must show one, checking its
// URL (the API's own origin here, as no HooksURL is configured).
func (h *oasHookRun) issued(res response, suffix string) string {
	t := h.c.t
	t.Helper()
	w := h.webhookOf(res)
	tok, _ := w["token"].(string)
	if !strings.HasPrefix(tok, "whk_") {
		t.Fatalf("no token in %s", res.Body)
	}
	if u := w["url"]; u != h.c.e.srv.URL+"/hooks/"+tok+suffix {
		t.Errorf("webhook url %v, want %s", u, h.c.e.srv.URL+"/hooks/"+tok+suffix)
	}
	return tok
}

func (h *oasHookRun) hidden(res response) {
	h.c.t.Helper()
	if w := h.webhookOf(res); w["token"] != nil || w["url"] != nil {
		h.c.t.Errorf("a response that issued no token shows token or url: %s", res.Body)
	}
}

// contact is the one contact with an e-mail.
func (h *oasHookRun) contact(email string) map[string]any {
	t := h.c.t
	t.Helper()
	items := oasItems(t, h.c.call(oasOK, 200, h.staff, "GET", "/v1/contacts?email="+url.QueryEscape(email), nil))
	if len(items) != 1 {
		t.Fatalf("want one contact with %s, got %d", email, len(items))
	}
	return items[0]
}

func (h *oasHookRun) noContact(email string) {
	t := h.c.t
	t.Helper()
	if items := oasItems(t, h.c.call(oasOK, 200, h.staff, "GET", "/v1/contacts?email="+url.QueryEscape(email), nil)); len(items) != 0 {
		t.Errorf("want no contact with %s: %v", email, items)
	}
}

// oasForm is an urlencoded form of the pairs kv.
func oasForm(kv ...string) []byte {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return []byte(v.Encode())
}

// oasHookCase is one row of a table of requests to the lead webhooks whose
// answer is checked for its status (and, as every call, both against the
// document).
type oasHookCase struct {
	check                     oasReq
	want                      int
	method, path, contentType string
	body                      []byte
	headers                   []string
}

// hooks sends the requests of a table in order.
func (c *oasChecker) hooks(cases []oasHookCase) {
	c.t.Helper()
	for _, k := range cases {
		c.hook(k.check, k.want, k.method, k.path, k.contentType, k.body, k.headers...)
	}
}

// createSettings creates sources with each kind of webhook and reads them.
func (h *oasHookRun) createSettings() {
	c, t, staff, admin, origin := h.c, h.c.t, h.staff, h.admin, h.origin
	formRes := c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Formulario web", "webhook": map[string]any{
		"kind": "form", "allowedOrigins": []string{"HTTPS://WWW.Example.com/"}, "redirectUrl": origin + "/gracias",
		"fieldMap": map[string]any{"nombre_cliente": "name", "empresa_cliente": "company"}, "createOpportunity": true, "assignment": "round_robin"}})
	h.formID, h.formTok = oasID(t, formRes), h.issued(formRes, "")
	w := h.webhookOf(formRes)
	oasFields(t, "form webhook defaults and normalisation", w, map[string]any{
		"kind": "form", "honeypot": "_gotcha", "secretSet": false, "assignment": "round_robin", "createOpportunity": true})
	if fmt.Sprint(w["allowedOrigins"]) != "["+origin+"]" {
		t.Errorf("form webhook allowedOrigins not normalised: %s", formRes.Body)
	}
	h.hidden(c.call(oasOK, 200, staff, "GET", "/v1/sources/"+h.formID, nil))
	for _, s := range oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/sources", nil)) {
		if w, _ := s["webhook"].(map[string]any); w != nil && (w["token"] != nil || w["url"] != nil) {
			t.Errorf("a listed source shows its token: %v", s)
		}
	}

	googleRes := c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Google Ads - Cocinas", "webhook": map[string]any{
		"kind": "google-ads", "secret": "g-key-123", "fieldMap": map[string]any{"WHEN_TO_CALL": "message"}}})
	h.googleID, h.googleTok = oasID(t, googleRes), h.issued(googleRes, "/google-ads")
	if w := h.webhookOf(googleRes); w["secretSet"] != true || bytes.Contains(googleRes.Body, []byte("g-key-123")) {
		t.Errorf("google-ads webhook: want secretSet and the secret never shown: %s", googleRes.Body)
	}
	h.jsonTok = h.issued(c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Zapier", "webhook": map[string]any{
		"kind": "json", "secret": oasWhsec}}), "")
	metaRes := c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Meta Lead Ads", "webhook": map[string]any{
		"kind": "meta", "secret": "app-secret", "verifyToken": "verify-me", "accessToken": "page-token"}})
	h.metaID, h.metaTok = oasID(t, metaRes), h.issued(metaRes, "/meta")
	oasFields(t, "meta webhook: every secret set", h.webhookOf(metaRes), map[string]any{
		"secretSet": true, "verifyTokenSet": true, "accessTokenSet": true})
	// A webhook must name a state that exists; one deleted since leaves
	// the source's leads in the default state (forms refused).
	if f := oasProblemFields(t, c.call(oasOK, 400, admin, "POST", "/v1/sources", map[string]any{"name": "Estado inexistente", "webhook": map[string]any{
		"createOpportunity": true, "opportunityStateId": oasNewID()}})); f["webhook.opportunityStateId"] == nil {
		t.Errorf("a webhook naming no state: want fields.webhook.opportunityStateId, got %v", f)
	}
	doomed := oasID(t, c.call(oasOK, 201, admin, "POST", "/v1/states", map[string]any{"name": "Para borrar"}))
	ghostRes := c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Estado borrado", "webhook": map[string]any{
		"createOpportunity": true, "opportunityStateId": doomed}})
	h.ghostID, h.ghostTok = oasID(t, ghostRes), h.issued(ghostRes, "")
	if w := h.webhookOf(ghostRes); w["opportunityStateId"] != doomed {
		t.Errorf("webhook opportunityStateId %v, want %s", w["opportunityStateId"], doomed)
	}
	c.call(oasOK, 204, admin, "DELETE", "/v1/states/"+doomed, nil)
}

// refuseSettings: webhook settings the API refuses, each naming its field.
func (h *oasHookRun) refuseSettings() {
	c, t, admin := h.c, h.c.t, h.admin
	for _, bad := range []struct {
		check   oasReq
		webhook any
		field   string
	}{
		{oasBad, map[string]any{"kind": "ftp"}, "webhook.kind"},
		{oasBad, map[string]any{"fieldMap": map[string]any{"colour": "favourite_colour"}}, "webhook.fieldMap.colour"},
		{oasOK, map[string]any{"kind": "google-ads"}, "webhook.secret"},
		{oasOK, map[string]any{"kind": "meta", "secret": "s", "verifyToken": "v"}, "webhook.secret"},
		{oasOK, map[string]any{"assignment": "fixed"}, "webhook.defaultAgentId"},
		{oasBad, map[string]any{"assignment": "random"}, "webhook.assignment"},
		{oasBad, map[string]any{"defaultAgentId": "nope"}, "webhook.defaultAgentId"},
		{oasBad, map[string]any{"allowedOrigins": []string{"www.example.com"}}, "webhook.allowedOrigins"},
		{oasOK, map[string]any{"redirectUrl": "/gracias"}, "webhook.redirectUrl"},
		{oasBad, map[string]any{"token": "whk_mine"}, "webhook.token"},
		{oasBad, map[string]any{"secretSet": true}, "webhook.secretSet"},
		{oasBad, "form", "webhook"},
	} {
		res := c.call(bad.check, 400, admin, "POST", "/v1/sources", map[string]any{"name": "Mal", "webhook": bad.webhook})
		if f := oasProblemFields(t, res); f[bad.field] == nil {
			t.Errorf("webhook %v: want fields.%s, got %s", bad.webhook, bad.field, res.Body)
		}
	}
	if f := oasProblemFields(t, c.call(oasOK, 400, admin, "PATCH", "/v1/sources/"+h.googleID, map[string]any{"webhook": map[string]any{"secret": ""}})); f["webhook.secret"] == nil {
		t.Errorf("clearing a google-ads secret: want fields.webhook.secret, got %v", f)
	}
}

// changeSettings: rotating issues a new token and keeps the rest, the old
// URL dead; an update merges; removing the webhook kills its URL, and adding
// one again issues a new token.
func (h *oasHookRun) changeSettings() {
	c, t, admin, origin := h.c, h.c.t, h.admin, h.origin
	h.oldTok = h.formTok
	rot := c.call(oasOK, 200, admin, "PATCH", "/v1/sources/"+h.formID, map[string]any{"webhook": map[string]any{"rotateToken": true}}, "If-Match", `"1"`)
	if h.formTok = h.issued(rot, ""); h.formTok == h.oldTok {
		t.Errorf("rotateToken kept the token")
	}
	h.formPath = "/hooks/" + h.formTok
	if w := h.webhookOf(rot); w["redirectUrl"] != origin+"/gracias" || len(w["fieldMap"].(map[string]any)) != 2 || w["assignment"] != "round_robin" {
		t.Errorf("rotating changed the settings: %s", rot.Body)
	}
	// An update merges: fieldMap entries are added, secrets left out kept.
	merged := c.call(oasOK, 200, admin, "PATCH", "/v1/sources/"+h.formID, map[string]any{"webhook": map[string]any{"fieldMap": map[string]any{"tlf_movil": "phone"}}})
	h.hidden(merged)
	if fm := h.webhookOf(merged)["fieldMap"].(map[string]any); len(fm) != 3 || fm["tlf_movil"] != "phone" || fm["nombre_cliente"] != "name" {
		t.Errorf("fieldMap after a PATCH adding one entry: %v", fm)
	}
	if w := h.webhookOf(c.call(oasOK, 200, admin, "PATCH", "/v1/sources/"+h.metaID, map[string]any{"webhook": map[string]any{"accessToken": "page-token"}})); w["secretSet"] != true || w["verifyTokenSet"] != true {
		t.Errorf("secrets left out of a PATCH were not kept: %v", w)
	}
	tmp := c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Temporal", "webhook": map[string]any{}})
	tmpID, tmpTok := oasID(t, tmp), h.issued(tmp, "")
	if gone := c.call(oasOK, 200, admin, "PATCH", "/v1/sources/"+tmpID, map[string]any{"webhook": nil}); oasJSON(t, gone)["webhook"] != nil {
		t.Errorf(`"webhook": null did not remove it: %s`, gone.Body)
	}
	c.hook(oasOK, 404, "POST", "/hooks/"+tmpTok, oasURLEncoded, []byte("name=Nadie"))
	h.plainTok = h.issued(c.call(oasOK, 200, admin, "PATCH", "/v1/sources/"+tmpID, map[string]any{"webhook": map[string]any{"kind": "form"}}), "")
	if h.plainTok == tmpTok {
		t.Error("a webhook given again to a source kept its old token")
	}
}

// forms: HTML forms and fetch(), the leads they bring.
func (h *oasHookRun) forms() {
	c, t, staff, origin, formPath := h.c, h.c.t, h.staff, h.origin, h.formPath
	c.hook(oasOK, 404, "POST", "/hooks/"+h.oldTok, oasURLEncoded, oasForm("name", "Old"))

	// A plain browser post: 303 to the redirect URL; mapped and aliased
	// fields, attribution from the page URL.
	res := c.hook(oasOK, 303, "POST", formPath+"?utm_source=google&utm_campaign=cocinas", oasURLEncoded,
		oasForm("nombre_cliente", "Lucía", "apellidos", "Pérez", "email", "Lucia@Example.com", "telefono", "600 111 222",
			"mensaje", "Quiero una cocina", "presupuesto", "10000", "_gotcha", ""), "Origin", origin)
	if loc := res.Header.Get("Location"); loc != origin+"/gracias" || res.Header.Get("Access-Control-Allow-Origin") != origin {
		t.Errorf("form post: want 303 to the redirect URL with CORS: %v", res.Header)
	}
	lucia := h.contact("lucia@example.com")
	oasFields(t, "the lead's contact", lucia, map[string]any{"name": "Lucía", "surname": "Pérez", "phone": "+34600111222",
		"sourceId": h.formID, "observations": "Quiero una cocina"})
	if a, _ := lucia["attribution"].(map[string]any); a["utmCampaign"] != "cocinas" {
		t.Errorf("the lead's contact: attribution %v", lucia["attribution"])
	}
	luciaID := lucia["id"].(string)
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities?contactId="+luciaID, nil)); len(items) != 1 || items[0]["sourceId"] != h.formID {
		t.Errorf("createOpportunity: want one opportunity from the source: %v", items)
	}
	// _next is followed only to an allowed origin.
	for _, k := range []struct{ name, email, next, want string }{
		{"Nora", "nora@example.com", origin + "/otra", origin + "/otra"},
		{"Olga", "olga@example.com", "https://evil.example/x", origin + "/gracias"}, // elsewhere: the redirect URL
	} {
		if r := c.hook(oasOK, 303, "POST", formPath, oasURLEncoded, oasForm("name", k.name, "email", k.email, "_next", k.next)); r.Header.Get("Location") != k.want {
			t.Errorf("_next %s: Location %q, want %q", k.next, r.Header.Get("Location"), k.want)
		}
	}

	// fetch() with FormData: JSON answer, CORS, and Idempotency-Key.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for _, kv := range [][2]string{{"name", "Pablo"}, {"email", "pablo@example.com"}, {"interests", "Baños"}, {"marketing_consent", "on"}} {
		_ = mw.WriteField(kv[0], kv[1])
	}
	if fw, err := mw.CreateFormFile("cv", "cv.txt"); err == nil {
		_, _ = fw.Write([]byte("ignored"))
	}
	_ = mw.Close()
	fetch := func() response {
		return c.hook(oasOK, 200, "POST", formPath, mw.FormDataContentType(), mp.Bytes(),
			"Accept", "application/json", "Idempotency-Key", "pablo-1", "Origin", origin)
	}
	first := fetch()
	m := oasJSON(t, first)
	if m["ok"] != true || m["next"] != origin+"/gracias" || first.Header.Get("Access-Control-Allow-Origin") != origin || !strings.Contains(first.Header.Get("Vary"), "Origin") {
		t.Errorf("fetch(): want ok, next and CORS headers: %v %s", first.Header, first.Body)
	}
	if again := oasJSON(t, fetch()); again["leadId"] != m["leadId"] {
		t.Errorf("the same Idempotency-Key: want lead %v again, got %v", m["leadId"], again["leadId"])
	}
	if p := h.contact("pablo@example.com"); p["marketingConsent"] != true || len(p["interestIds"].([]any)) != 1 {
		t.Errorf("multipart lead: want consent and the Baños interest: %v", p)
	}

	// A second lead with the same e-mail fills what is empty, never overwrites.
	c.hook(oasOK, 200, "POST", formPath, oasURLEncoded, oasForm("name", "Lucía Otra", "email", "lucia@EXAMPLE.com", "empresa_cliente", "Cocinas Lucía", "phone", "699 999 999"),
		"Accept", "application/json")
	oasFields(t, "merged lead: the same contact, its name and phone kept and the company filled", h.contact("lucia@example.com"), map[string]any{
		"id": luciaID, "name": "Lucía", "company": "Cocinas Lucía", "phone": "+34600111222"})

	// JSON bodies: as application/json (JSON answer without Accept), and as text/plain.
	c.hooks([]oasHookCase{
		{oasOK, 200, "POST", formPath, "application/json", []byte(`{"name":"Quique","email":"quique@example.com","interests":["Baños"],"marketing_consent":true}`), nil},
		{oasOK, 200, "POST", formPath, "text/plain;charset=UTF-8", []byte(`{"name":"Rosa","phone":"600 333 444"}`), []string{"Accept", "application/json"}},
	})

	// The honeypot: the same answer, no contact.
	if m := oasJSON(t, c.hook(oasOK, 200, "POST", formPath, oasURLEncoded, oasForm("name", "Bot", "email", "bot@example.com", "_gotcha", "http://spam.example"), "Accept", "application/json")); m["ok"] != true {
		t.Errorf("honeypot: want the success answer: %v", m)
	}
	h.noContact("bot@example.com")

	// Without a redirect URL a browser gets a thank-you page.
	if r := c.hook(oasOK, 200, "POST", "/hooks/"+h.plainTok, oasURLEncoded, oasForm("name", "Sara", "email", "sara@example.com")); !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("no redirect URL: want an HTML page: %v", r.Header)
	}
}

// refusedForms: what a form webhook refuses, what it takes all the same.
func (h *oasHookRun) refusedForms() {
	c, t, staff, formPath := h.c, h.c.t, h.staff, h.formPath
	if p := oasJSON(t, c.hook(oasOK, 422, "POST", formPath, oasURLEncoded, oasForm("mensaje", "hola", "email", "no-es-un-email"), "Accept", "application/json")); p["code"] != "unprocessable" {
		t.Errorf("a lead with no way to reach anyone: want unprocessable: %v", p)
	}
	c.hook(oasOK, 403, "POST", formPath, oasURLEncoded, oasForm("name", "Eve", "email", "eve@example.com"), "Origin", "https://evil.example")
	h.noContact("eve@example.com")
	c.hooks([]oasHookCase{
		{oasBad, 400, "POST", formPath, "text/csv", []byte("name,email\nX,x@example.com"), nil},
		{oasBad, 400, "POST", formPath, "", []byte("name=X"), nil},
		{oasBad, 400, "POST", formPath, "application/json", []byte("{not json"), nil},
		{oasAny, 400, "POST", formPath, "application/json", []byte("{\"name\":\"Jos\xe9\",\"email\":\"jose@example.com\"}"), nil},
	})
	h.noContact("jose@example.com")
	// A form from a page that is not UTF-8 keeps its text; control characters go.
	c.hook(oasOK, 200, "POST", formPath, oasURLEncoded, []byte("name=%26%23321%3Bukasz+Jos%E9%1B%5B2J&email=lukasz%40example.pl"), "Accept", "application/json")
	if l := h.contact("lukasz@example.pl"); l["name"] != "Łukasz José[2J" {
		t.Errorf("a form in Windows-1252 with references: name %q", l["name"])
	}
	c.hooks([]oasHookCase{
		{oasBad, 400, "POST", formPath, "application/json", []byte(`{"name":{"first":"X"}}`), nil},
		{oasOK, 413, "POST", formPath, oasURLEncoded, oasForm("name", "Big", "message", strings.Repeat("a", leads.MaxBody)), nil},
		{oasOK, 404, "POST", "/hooks/whk_" + strings.Repeat("A", 32), oasURLEncoded, oasForm("name", "X"), nil},
		{oasBad, 404, "POST", "/hooks/nope", oasURLEncoded, oasForm("name", "X"), nil},
		{oasOK, 404, "POST", "/hooks/" + h.googleTok, oasURLEncoded, oasForm("name", "X"), nil}, // another kind's token
	})
	// The state the webhook named is gone: the lead is still taken, its
	// opportunity in the default state.
	if m := oasJSON(t, c.hook(oasOK, 200, "POST", "/hooks/"+h.ghostTok, oasURLEncoded, oasForm("name", "Tina", "email", "tina@example.com"), "Accept", "application/json")); m["ok"] != true {
		t.Errorf("a lead of a webhook whose state was deleted: want it taken: %v", m)
	}
	defaultState := ""
	for _, s := range oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/states", nil)) {
		if s["default"] == true {
			defaultState, _ = s["id"].(string)
		}
	}
	tina := h.contact("tina@example.com")
	if tina["sourceId"] != h.ghostID {
		t.Errorf("the lead's contact: want source %s: %v", h.ghostID, tina)
	}
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities?contactId="+tina["id"].(string), nil)); len(items) != 1 ||
		items[0]["stateId"] != defaultState || items[0]["sourceId"] != h.ghostID {
		t.Errorf("the lead's opportunity: want one, from the source, in the default state %s: %v", defaultState, items)
	}
}

func (h *oasHookRun) preflight() {
	c, t, origin, formPath := h.c, h.c.t, h.origin, h.formPath
	pre := c.hook(oasOK, 204, "OPTIONS", formPath, "", nil, "Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type, idempotency-key")
	if pre.Header.Get("Access-Control-Allow-Origin") != origin || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Idempotency-Key") {
		t.Errorf("preflight headers: %v", pre.Header)
	}
	c.hooks([]oasHookCase{
		{oasOK, 403, "OPTIONS", formPath, "", nil, []string{"Origin", "https://evil.example"}},
		{oasBad, 403, "OPTIONS", formPath, "", nil, nil},
		{oasOK, 403, "OPTIONS", "/hooks/" + h.plainTok, "", nil, []string{"Origin", origin}}, // no allowed origins: no preflight passes
		{oasOK, 404, "OPTIONS", "/hooks/" + h.metaTok, "", nil, []string{"Origin", origin}},
	})
}

// standardWebhooks: a JSON sender signed with Standard Webhooks.
func (h *oasHookRun) standardWebhooks() {
	c, t := h.c, h.c.t
	zoe := []byte(`{"name":"Zoe","email":"zoe@example.com","utm_source":"zapier"}`)
	signed := func(id string, at time.Time, body []byte) []string {
		s := leads.SignStandardWebhook(oasWhsec, id, at, body)
		return []string{"webhook-id", s.Get("webhook-id"), "webhook-timestamp", s.Get("webhook-timestamp"), "webhook-signature", s.Get("webhook-signature")}
	}
	jsonPath := "/hooks/" + h.jsonTok
	z := oasJSON(t, c.hook(oasOK, 200, "POST", jsonPath, "application/json", zoe, signed("msg_1", time.Now(), zoe)...))
	if again := oasJSON(t, c.hook(oasOK, 200, "POST", jsonPath, "application/json", zoe, signed("msg_1", time.Now(), zoe)...)); again["leadId"] != z["leadId"] {
		t.Errorf("a redelivered webhook-id: want lead %v, got %v", z["leadId"], again["leadId"])
	}
	if a := h.contact("zoe@example.com")["attribution"].(map[string]any); a["utmSource"] != "zapier" {
		t.Errorf("signed JSON lead attribution: %v", a)
	}
	c.hooks([]oasHookCase{
		{oasOK, 401, "POST", jsonPath, "application/json", []byte(`{"name":"Zoe","email":"mallory@example.com"}`), signed("msg_2", time.Now(), zoe)},
		{oasOK, 401, "POST", jsonPath, "application/json", zoe, signed("msg_3", time.Now().Add(-10*time.Minute), zoe)},
		{oasOK, 401, "POST", jsonPath, "application/json", zoe, nil},
	})
	h.noContact("mallory@example.com")
}

func (h *oasHookRun) googleAds() {
	c, t := h.c, h.c.t
	googlePath := "/hooks/" + h.googleTok + "/google-ads"
	gLead := map[string]any{"lead_id": "Cj0KCQ-lead-1", "api_version": "1.0", "form_id": 9876543210123, "campaign_id": 123456,
		"adgroup_id": 0, "creative_id": 0, "gcl_id": "gclid-123", "google_key": "g-key-123", "is_test": false,
		"user_column_data": []any{
			map[string]any{"column_name": "Full Name", "string_value": "Marta Gil", "column_id": "FULL_NAME"},
			map[string]any{"column_name": "User Email", "string_value": "Marta@Example.com", "column_id": "EMAIL"},
			map[string]any{"column_name": "User Phone", "string_value": "+34 611 000 111", "column_id": "PHONE_NUMBER"},
			map[string]any{"column_name": "When to call", "string_value": "Por la mañana", "column_id": "WHEN_TO_CALL"},
		}}
	gBody := func(change func(map[string]any)) []byte {
		m := map[string]any{}
		for k, v := range gLead {
			m[k] = v
		}
		change(m)
		b, _ := json.Marshal(m)
		return b
	}
	same := func(map[string]any) {}
	for range 2 { // Google's retry is recognised by lead_id
		if r := c.hook(oasOK, 200, "POST", googlePath, "application/json", gBody(same)); string(bytes.TrimSpace(r.Body)) != "{}" {
			t.Errorf("Google Ads: want {}: %s", r.Body)
		}
	}
	g := h.contact("marta@example.com")
	oasFields(t, "Google Ads lead", g, map[string]any{"name": "Marta Gil", "observations": "Por la mañana", "sourceId": h.googleID})
	oasFields(t, "Google Ads lead's attribution", g["attribution"].(map[string]any), map[string]any{"gclid": "gclid-123", "utmSource": "google"})
	c.hook(oasOK, 200, "POST", googlePath, "application/json", gBody(func(m map[string]any) {
		delete(m, "google_key")
		m["Google_key"], m["lead_id"], m["is_test"] = "g-key-123", "test-lead", true
		m["user_column_data"] = []any{map[string]any{"column_id": "EMAIL", "string_value": "test@example.com"}}
	}))
	h.noContact("test@example.com")
	c.hooks([]oasHookCase{
		{oasOK, 403, "POST", googlePath, "application/json", gBody(func(m map[string]any) { m["google_key"], m["lead_id"] = "wrong", "lead-2" }), nil},
		{oasOK, 403, "POST", googlePath, "application/json", gBody(func(m map[string]any) { delete(m, "google_key"); m["lead_id"] = "lead-3" }), nil},
		{oasBad, 400, "POST", googlePath, "application/json", gBody(func(m map[string]any) { delete(m, "lead_id") }), nil},
		{oasBad, 403, "POST", googlePath, "application/json", []byte(`[]`), nil}, // no google_key: refused before the body is judged
		{oasOK, 422, "POST", googlePath, "application/json", gBody(func(m map[string]any) {
			m["lead_id"], m["user_column_data"] = "lead-4", []any{map[string]any{"column_id": "WHEN_TO_CALL", "string_value": "nunca"}}
		}), nil},
		{oasOK, 404, "POST", "/hooks/" + h.formTok + "/google-ads", "application/json", gBody(same), nil},
	})
}

func (h *oasHookRun) meta() {
	c, t := h.c, h.c.t
	metaPath := "/hooks/" + h.metaTok + "/meta"
	verify := func(mode, token string) string {
		return metaPath + "?" + url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {"1158201444"}}.Encode()
	}
	if r := c.hook(oasOK, 200, "GET", verify("subscribe", "verify-me"), "", nil); string(r.Body) != "1158201444" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("Meta handshake: want the challenge as text/plain: %v %q", r.Header, r.Body)
	}
	c.hooks([]oasHookCase{
		{oasOK, 403, "GET", verify("subscribe", "wrong"), "", nil, nil},
		{oasBad, 403, "GET", verify("unsubscribe", "verify-me"), "", nil, nil},
		{oasBad, 403, "GET", metaPath + "?hub.challenge=1", "", nil, nil},
		{oasOK, 404, "GET", "/hooks/" + h.formTok + "/meta?" + url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify-me"}, "hub.challenge": {"1"}}.Encode(), "", nil, nil},
	})

	notification := func(object string, leadgenIDs ...string) []byte {
		var changes []string
		for _, id := range leadgenIDs {
			changes = append(changes, `{"field":"leadgen","value":{"leadgen_id":`+id+`,"page_id":153125381133,"form_id":12312312312,"adgroup_id":0,"ad_id":0,"created_time":1440120384}}`)
		}
		changes = append(changes, `{"field":"feed","value":{"item":"status"}}`)
		return []byte(`{"object":"` + object + `","entry":[{"id":"153125381133","time":1438292065,"changes":[` + strings.Join(changes, ",") + `]}]}`)
	}
	hubSig := func(body []byte) string {
		mac := hmac.New(sha256.New, []byte("app-secret"))
		mac.Write(body)
		return "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	n := notification("page", "444444444444")
	// received/stored of each notification, in order: Meta's redelivery is
	// recognised by the leadgen ID.
	for _, k := range []struct {
		what, want string
		body       []byte
	}{
		{"Meta notification", "1/1", n},
		{"Meta notification delivered again", "1/1", n},
		{"a lead the Graph API no longer has", "1/0", notification("page", "333333333333")},
		{"no leadgen change", "0/0", notification("page")},
	} {
		m := oasJSON(t, c.hook(oasOK, 200, "POST", metaPath, "application/json", k.body, "X-Hub-Signature-256", hubSig(k.body)))
		if got := fmt.Sprintf("%v/%v", m["received"], m["stored"]); got != k.want {
			t.Errorf("%s: received/stored %s, want %s", k.what, got, k.want)
		}
	}
	if m := h.contact("iker@example.com"); m["name"] != "Iker Sanz" || m["sourceId"] != h.metaID || m["attribution"].(map[string]any)["utmSource"] != "instagram" {
		t.Errorf("Meta lead: %v", m)
	}
	failing, user := notification("page", "555555555555"), notification("user", "444444444444")
	c.hooks([]oasHookCase{
		{oasOK, 500, "POST", metaPath, "application/json", failing, []string{"X-Hub-Signature-256", hubSig(failing)}},
		{oasOK, 401, "POST", metaPath, "application/json", n, []string{"X-Hub-Signature-256", hubSig([]byte("another body"))}},
		{oasBad, 401, "POST", metaPath, "application/json", n, nil},
		{oasBad, 400, "POST", metaPath, "application/json", user, []string{"X-Hub-Signature-256", hubSig(user)}},
	})
}

// nothingElse: nothing but the documented operations is served under /hooks.
func (h *oasHookRun) nothingElse() {
	t := h.c.t
	metaPath, googlePath := "/hooks/"+h.metaTok+"/meta", "/hooks/"+h.googleTok+"/google-ads"
	for _, probe := range [][2]string{{"GET", h.formPath}, {"PUT", h.formPath}, {"DELETE", metaPath}, {"GET", googlePath}, {"POST", h.formPath + "/other"}} {
		req, _ := http.NewRequest(probe[0], h.hooks.URL+probe[1], nil)
		if r := oasSend(t, req); r.Status != http.StatusNotFound {
			t.Errorf("%s %s = %d, want 404 (not a lead webhook operation)", probe[0], probe[1], r.Status)
		}
	}
}

// oasWhsec is the Standard Webhooks secret of the conformance test's JSON
// source.
var oasWhsec = "whsec_" + base64.StdEncoding.EncodeToString([]byte("a 32-byte signing key for tests!"))
