package httpapi_test

// Lead webhooks through the real handler stack (httpapi.Hooks) and the
// embedded store: every format with realistic payloads, deduplication and
// retries, honeypot, redirects, CORS, signatures, bad input, assignment and
// opportunities, store failures, and the token's life through the admin API.

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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/leads"
)

const (
	formURLEncoded = "application/x-www-form-urlencoded"
	metaAppSecret  = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	metaVerify     = "meatyhamhock"
	metaPageToken  = "EAAGm0PX4ZCpsBA-page-access-token"
	googleKey      = "clave-de-google-ads-7d1f"
)

// whsecKey is the key of the Standard Webhooks secret the JSON sources use.
var whsecKey = []byte("embudo-test-signing-key-32-bytes")

// whsec is the Standard Webhooks secret as an admin configures it.
var whsec = "whsec_" + base64.StdEncoding.EncodeToString(whsecKey)

// hookEnv is the API (for admins and checks) and the lead webhooks over the
// same store, with a fake Graph API for Meta.
type hookEnv struct {
	*env
	hooks *httptest.Server
	graph *fakeGraph
}

// newHookEnv starts the webhooks with the source cache off (a rotated
// token stops working at once), unless ttl says otherwise.
func newHookEnv(t *testing.T, ttl ...time.Duration) *hookEnv {
	t.Helper()
	e := newEnv(t)
	g := newFakeGraph(t)
	o := httpapi.HookOptions{
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Meta:           &graph.Client{BaseURL: g.srv.URL + "/v21.0", Retries: 1, Backoff: time.Millisecond},
		SourceCacheTTL: -1,
	}
	if len(ttl) > 0 {
		o.SourceCacheTTL = ttl[0]
	}
	hs := httptest.NewServer(httpapi.NewHooks(e.svc, o))
	t.Cleanup(hs.Close)
	return &hookEnv{env: e, hooks: hs, graph: g}
}

// noRedirect sends requests without following redirects: the 303 itself
// is what a test checks.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// hookSend sends a request to the hooks server at base; headers are name,
// value pairs. Safe for goroutines.
func hookSend(base, method, path, contentType string, body []byte, headers ...string) (response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return response{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}, err
}

// hook sends a request to the webhooks.
func (h *hookEnv) hook(method, path, contentType string, body []byte, headers ...string) response {
	h.t.Helper()
	res, err := hookSend(h.hooks.URL, method, path, contentType, body, headers...)
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

// form posts an urlencoded form.
func (h *hookEnv) form(path string, v url.Values, headers ...string) response {
	h.t.Helper()
	return h.hook(http.MethodPost, path, formURLEncoded, []byte(v.Encode()), headers...)
}

// newSource creates a source with a webhook through the admin API and
// returns its ID and URL token.
func (h *hookEnv) newSource(name string, webhook map[string]any) (string, string) {
	h.t.Helper()
	res := h.admin_(http.MethodPost, "/v1/sources", map[string]any{"name": name, "webhook": webhook})
	wantStatus(h.t, res, http.StatusCreated)
	m := res.json(h.t)
	wh, _ := m["webhook"].(map[string]any)
	token, _ := wh["token"].(string)
	if token == "" {
		h.t.Fatalf("a new webhook shows no token: %s", res.Body)
	}
	return id(m), token
}

// contactView is a contact as the API shows it, the fields the tests read.
type contactView struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Surname          string   `json:"surname"`
	Company          string   `json:"company"`
	JobTitle         string   `json:"jobTitle"`
	Email            string   `json:"email"`
	Phone            string   `json:"phone"`
	Observations     string   `json:"observations"`
	SourceID         string   `json:"sourceId"`
	AgentID          string   `json:"agentId"`
	InterestIDs      []string `json:"interestIds"`
	MarketingConsent bool     `json:"marketingConsent"`
	Address          struct {
		City       string `json:"city"`
		PostalCode string `json:"postalCode"`
	} `json:"address"`
	Attribution struct {
		UTMSource   string `json:"utmSource"`
		UTMMedium   string `json:"utmMedium"`
		UTMCampaign string `json:"utmCampaign"`
		UTMTerm     string `json:"utmTerm"`
		UTMContent  string `json:"utmContent"`
		GCLID       string `json:"gclid"`
		FBCLID      string `json:"fbclid"`
		LandingPage string `json:"landingPage"`
		Referrer    string `json:"referrer"`
	} `json:"attribution"`
}

// contacts lists every contact through the API.
func (h *hookEnv) contacts() []contactView {
	h.t.Helper()
	var out []contactView
	for _, m := range h.listAll(adminToken, "/v1/contacts?limit=200") {
		b, _ := json.Marshal(m)
		var c contactView
		mustUnmarshal(h.t, b, &c)
		out = append(out, c)
	}
	return out
}

// contactsWhere lists the contacts matching an API filter (email=, phone=).
func (h *hookEnv) contactsWhere(filter, value string) []contactView {
	h.t.Helper()
	var out []contactView
	for _, m := range h.listAll(adminToken, "/v1/contacts?"+filter+"="+url.QueryEscape(value)) {
		b, _ := json.Marshal(m)
		var c contactView
		mustUnmarshal(h.t, b, &c)
		out = append(out, c)
	}
	return out
}

// oneContact returns the only contact with this e-mail, failing otherwise.
func (h *hookEnv) oneContact(email string) contactView {
	h.t.Helper()
	cs := h.contactsWhere("email", email)
	if len(cs) != 1 {
		h.t.Fatalf("%d contacts with e-mail %s, want 1: %+v", len(cs), email, cs)
	}
	return cs[0]
}

// leadRec is a stored lead record, read from the table (the API has no
// route for them).
type leadRec struct {
	ID            string            `json:"id"`
	SourceID      string            `json:"sourceId"`
	Format        string            `json:"format"`
	ExternalID    string            `json:"externalId"`
	Outcome       string            `json:"outcome"`
	ContactID     string            `json:"contactId"`
	OpportunityID string            `json:"opportunityId"`
	Message       string            `json:"message"`
	Extra         map[string]string `json:"extra"`
	Attribution   map[string]any    `json:"attribution"`
	raw           string
}

// leadRecords returns every lead record in the table.
func (h *hookEnv) leadRecords() []leadRec {
	h.t.Helper()
	var out []leadRec
	for _, s := range h.snapshot() {
		var typ struct {
			Type string `json:"type"`
		}
		mustUnmarshal(h.t, []byte(s), &typ)
		if typ.Type != "LEAD" {
			continue
		}
		var r leadRec
		mustUnmarshal(h.t, []byte(s), &r)
		r.raw = s
		out = append(out, r)
	}
	return out
}

// leadsOf returns the lead records of a source.
func (h *hookEnv) leadsOf(sourceID string) []leadRec {
	h.t.Helper()
	var out []leadRec
	for _, r := range h.leadRecords() {
		if r.SourceID == sourceID {
			out = append(out, r)
		}
	}
	return out
}

// jsonOK decodes the JSON answer a form endpoint gives a JSON client.
type jsonOK struct {
	OK     bool   `json:"ok"`
	LeadID string `json:"leadId"`
	Next   string `json:"next"`
}

func wantJSONOK(t *testing.T, res response) jsonOK {
	t.Helper()
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json: %s", ct, res.Body)
	}
	var ok jsonOK
	mustUnmarshal(t, res.Body, &ok)
	if !ok.OK || ok.LeadID == "" {
		t.Fatalf("answer %s, want ok true with a leadId", res.Body)
	}
	return ok
}

func wantRedirect(t *testing.T, res response, location string) {
	t.Helper()
	if res.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303: %s", res.Status, res.Body)
	}
	if got := res.Header.Get("Location"); got != location {
		t.Fatalf("Location %q, want %q", got, location)
	}
}

// ---------------------------------------------------------------------------
// The fake Graph API.

// fakeGraph serves Graph API lead objects. It checks that each request is
// a GET of /v21.0/{leadgen-id} asking for field_data with the page's
// access token, and can fail a lead a number of times first.
type fakeGraph struct {
	srv   *httptest.Server
	mu    sync.Mutex
	leads map[string]string // leadgen ID → lead object JSON
	fail  map[string]int    // leadgen ID → how many more requests fail with a 500
	calls map[string]int    // leadgen ID → requests received
	wrong []string          // requests that were not as Meta's API wants them
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{leads: map[string]string{}, fail: map[string]int{}, calls: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	t.Cleanup(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, w := range g.wrong {
			t.Errorf("Graph API request not as expected: %s", w)
		}
	})
	return g
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	id, ok := strings.CutPrefix(r.URL.Path, "/v21.0/")
	q := r.URL.Query()
	fields := strings.Split(q.Get("fields"), ",")
	switch {
	case r.Method != http.MethodGet || !ok || id == "" || strings.Contains(id, "/"):
		g.wrong = append(g.wrong, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"Unknown path components","type":"OAuthException","code":2500}}`)
		return
	case !slices.Contains(fields, "field_data") || !slices.Contains(fields, "id"):
		g.wrong = append(g.wrong, "fields="+q.Get("fields")+" lacks id or field_data")
	case q.Get("access_token") != metaPageToken:
		g.wrong = append(g.wrong, "access_token is not the page token")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`)
		return
	}
	g.calls[id]++
	if g.fail[id] > 0 {
		g.fail[id]--
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","is_transient":true,"code":2}}`)
		return
	}
	body, ok := g.leads[id]
	if !ok {
		g.wrong = append(g.wrong, "unknown lead "+id)
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33}}`)
		return
	}
	io.WriteString(w, body)
}

func (g *fakeGraph) set(id, body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.leads[id] = body
}

func (g *fakeGraph) failNext(id string, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail[id] = n
}

func (g *fakeGraph) callsTo(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[id]
}

func (g *fakeGraph) totalCalls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, c := range g.calls {
		n += c
	}
	return n
}

// metaSign is the X-Hub-Signature-256 of body under secret.
func metaSign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// ---------------------------------------------------------------------------
// Forms and JSON senders.

func TestHookFormFormats(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	interest := h.created("/v1/interests", map[string]any{"name": "Energía Solar"})
	srcID, token := h.newSource("Web corporativa", map[string]any{
		"kind": "form",
		// Contact Form 7 names, mapped by the admin.
		"fieldMap":    map[string]string{"your-name": "name", "your-email": "email", "your-phone": "phone", "your-company": "company"},
		"redirectUrl": "https://www.example.com/gracias",
	})
	path := "/hooks/" + token

	multipartBody := func(fields [][2]string) ([]byte, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, f := range fields {
			_ = w.WriteField(f[0], f[1])
		}
		fw, _ := w.CreateFormFile("cv", "curriculum.pdf")
		fw.Write([]byte("%PDF-1.4 not a lead field"))
		w.Close()
		return b.Bytes(), w.FormDataContentType()
	}

	type want struct {
		name, surname, email, phone, company, city string
		consent                                    bool
	}
	cases := []struct {
		name        string
		contentType string
		body        []byte
		headers     []string
		want        want
		extra       map[string]string // in the lead record
		json        bool              // answered with JSON rather than a redirect
	}{
		{
			name:        "urlencoded with Spanish field names",
			contentType: formURLEncoded,
			body: []byte(url.Values{
				"nombre": {"María José"}, "apellidos": {"Núñez Peña"}, "correo": {"  MariaJose.Nunez@Example.COM "},
				"telefono": {"+34 600 12 34 56"}, "empresa": {"Cerámicas Ñandú S.L."}, "ciudad": {"Logroño"},
				"mensaje": {"¿Podéis llamarme por la tarde?"}, "acepto_publicidad": {"on"},
				"como_nos_conocio": {"Feria de Valencia"}, "_gotcha": {""},
			}.Encode()),
			want:  want{"María José", "Núñez Peña", "mariajose.nunez@example.com", "+34600123456", "Cerámicas Ñandú S.L.", "Logroño", false},
			extra: map[string]string{"como_nos_conocio": "Feria de Valencia", "acepto_publicidad": "on"},
		},
		{
			name:        "urlencoded with the source's field map",
			contentType: formURLEncoded,
			body: []byte(url.Values{
				"your-name": {"Íñigo Aldekoa"}, "your-email": {"INIGO@EXAMPLE.EUS"}, "your-phone": {"600 99 88 77"},
				"your-company": {"Txokolateak Koop."}, "marketing_consent": {"1"},
			}.Encode()),
			want: want{name: "Íñigo Aldekoa", email: "inigo@example.eus", phone: "+34600998877", company: "Txokolateak Koop.", consent: true},
		},
		{
			// A form on a Latin-1 page posts its accents as Windows-1252.
			name:        "urlencoded from a Windows-1252 page",
			contentType: "application/x-www-form-urlencoded; charset=windows-1252",
			body:        []byte("nombre=Jos%E9+Ma%F1as&apellidos=Ib%E1%F1ez&email=JOSE.MANAS%40example.es&tel=%2B34%20600%20555%20444"),
			want:        want{name: "José Mañas", surname: "Ibáñez", email: "jose.manas@example.es", phone: "+34600555444"},
		},
		{
			name: "multipart with a file",
			body: nil, // built below
			want: want{name: "Begoña", surname: "Ruiz", email: "begona.ruiz@example.org", phone: "+34911234567"},
		},
		{
			name:        "JSON from fetch",
			contentType: "application/json",
			body:        []byte(`{"name":"Zoë","surname":"Ortiz","email":"ZOE@example.net","phone":"+34 722 000 111","interests":["ENERGIA SOLAR"],"newsletter":true,"pagina":"/tarifas"}`),
			want:        want{name: "Zoë", surname: "Ortiz", email: "zoe@example.net", phone: "+34722000111"},
			extra:       map[string]string{"newsletter": "true", "pagina": "/tarifas"},
			json:        true,
		},
		{
			name:        "JSON sent as text/plain (no preflight)",
			contentType: "text/plain;charset=UTF-8",
			headers:     []string{"Accept", "application/json"},
			body:        []byte(`{"first_name":"Àlex","last_name":"Puig","email":"alex.puig@example.cat","tel":"934 12 34 56"}`),
			want:        want{name: "Àlex", surname: "Puig", email: "alex.puig@example.cat", phone: "+34934123456"},
			json:        true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.body == nil {
				c.body, c.contentType = multipartBody([][2]string{
					{"nombre", "Begoña"}, {"apellidos", "Ruiz"}, {"email", "Begona.Ruiz@Example.org"}, {"telefono", "91 123 45 67"},
				})
			}
			res := h.hook(http.MethodPost, path, c.contentType, c.body, c.headers...)
			if c.json {
				wantJSONOK(t, res)
			} else {
				wantRedirect(t, res, "https://www.example.com/gracias")
			}
			got := h.oneContact(c.want.email)
			if got.Name != c.want.name || got.Surname != c.want.surname || got.Phone != c.want.phone ||
				got.Company != c.want.company || got.Address.City != c.want.city || got.MarketingConsent != c.want.consent {
				t.Errorf("contact %+v, want %+v", got, c.want)
			}
			if got.SourceID != srcID {
				t.Errorf("contact source %q, want %q", got.SourceID, srcID)
			}
			var rec *leadRec
			for _, r := range h.leadsOf(srcID) {
				if r.ContactID == got.ID {
					rec = &r
				}
			}
			if rec == nil || rec.Outcome != string(crm.OutcomeCreated) {
				t.Fatalf("no created lead record for contact %s: %+v", got.ID, rec)
			}
			for k, v := range c.extra {
				if rec.Extra[k] != v {
					t.Errorf("lead record extra[%q] = %q, want %q (extra %v)", k, rec.Extra[k], v, rec.Extra)
				}
			}
			if strings.Contains(rec.raw, "_gotcha") || strings.Contains(rec.raw, "PDF-1.4") {
				t.Errorf("the lead record keeps a control field or a file: %s", rec.raw)
			}
		})
	}
	t.Run("interests matched by name", func(t *testing.T) {
		c := h.oneContact("zoe@example.net")
		if !slices.Equal(c.InterestIDs, []string{id(interest)}) {
			t.Errorf("interests %v, want [%s]", c.InterestIDs, id(interest))
		}
	})
	t.Run("message kept", func(t *testing.T) {
		c := h.oneContact("mariajose.nunez@example.com")
		if !strings.Contains(c.Observations, "¿Podéis llamarme por la tarde?") {
			t.Errorf("observations %q lack the message", c.Observations)
		}
	})
}

func TestHookFormAttribution(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	srcID, token := h.newSource("Landing tarifas", map[string]any{"kind": "form"})
	// gclid and the UTM source come in the URL of the POST (the form's
	// action carries the landing page's query); the rest in hidden fields.
	path := "/hooks/" + token + "?utm_source=google&utm_medium=cpc&gclid=EAIaIQobChMI8-gclid&utm_term=placas%20solares"
	res := h.form(path, url.Values{
		"name": {"Rocío"}, "email": {"rocio@example.com"},
		"utm_campaign": {"primavera-2026"}, "utm_content": {"anuncio-b"}, "utm_source": {"newsletter"},
		"fbclid": {"IwAR0fbclid"}, "landing_page": {"https://www.example.com/tarifas?utm_source=google"},
		"referrer": {"https://www.google.com/"},
	})
	wantStatus(t, res, http.StatusOK) // no redirect configured: a thank-you page
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want a text/html thank-you page", ct)
	}
	c := h.oneContact("rocio@example.com")
	a := c.Attribution
	want := [][2]string{
		{a.UTMSource, "newsletter"}, // the body's value beats the URL's
		{a.UTMMedium, "cpc"}, {a.UTMCampaign, "primavera-2026"}, {a.UTMTerm, "placas solares"}, {a.UTMContent, "anuncio-b"},
		{a.GCLID, "EAIaIQobChMI8-gclid"}, {a.FBCLID, "IwAR0fbclid"},
		{a.LandingPage, "https://www.example.com/tarifas?utm_source=google"}, {a.Referrer, "https://www.google.com/"},
	}
	for i, w := range want {
		if w[0] != w[1] {
			t.Errorf("attribution field %d = %q, want %q (%+v)", i, w[0], w[1], a)
		}
	}
	recs := h.leadsOf(srcID)
	if len(recs) != 1 || recs[0].Attribution["gclid"] != "EAIaIQobChMI8-gclid" {
		t.Errorf("lead record attribution: %+v", recs)
	}

	// A later lead from the same person keeps the first touch.
	res = h.form("/hooks/"+token+"?utm_source=bing&gclid=second-click", url.Values{"name": {"Rocío"}, "email": {"ROCIO@example.com"}})
	wantStatus(t, res, http.StatusOK)
	c2 := h.oneContact("rocio@example.com")
	if c2.Attribution != c.Attribution {
		t.Errorf("a second lead changed the first-touch attribution: %+v, was %+v", c2.Attribution, c.Attribution)
	}
}

// Leads for a person already known are merged into the contact: empty
// fields filled, nothing overwritten, whatever the phone's spelling or the
// e-mail's case, across sources and formats.
func TestHookDuplicatesMerged(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	interest1 := h.created("/v1/interests", map[string]any{"name": "Aerotermia"})
	interest2 := h.created("/v1/interests", map[string]any{"name": "Bombas de calor"})
	web, webToken := h.newSource("Formulario web", map[string]any{"kind": "form"})
	_, zapToken := h.newSource("Zapier", map[string]any{"kind": "json"})

	res := h.form("/hooks/"+webToken, url.Values{
		"nombre": {"José"}, "apellidos": {"Pérez García"}, "telefono": {"+34 600 12 34 56"}, "interes": {"aerotermia"},
	})
	wantStatus(t, res, http.StatusOK)
	cs := h.contactsWhere("phone", "+34600123456")
	if len(cs) != 1 {
		t.Fatalf("%d contacts after the first lead", len(cs))
	}
	first := cs[0]

	// The same phone written another way, a new company and e-mail, and
	// another name: the name stays, the company and e-mail are filled.
	res = h.hook(http.MethodPost, "/hooks/"+zapToken, "application/json",
		[]byte(`{"name":"Pepe","phone":"600123456","company":"Talleres Pérez","email":"JOSE.PEREZ@Example.com","interests":"Bombas de Calor"}`))
	wantJSONOK(t, res)
	// By e-mail this time, with a company that must not replace the first.
	res = h.form("/hooks/"+webToken, url.Values{
		"name": {"J. Pérez"}, "email": {" jose.perez@EXAMPLE.com"}, "empresa": {"Otra Empresa SL"}, "cargo": {"Gerente"},
	})
	wantStatus(t, res, http.StatusOK)

	all := h.contacts()
	if len(all) != 1 {
		t.Fatalf("%d contacts, want the one José: %+v", len(all), all)
	}
	c := all[0]
	if c.ID != first.ID || c.Name != "José" || c.Surname != "Pérez García" || c.Company != "Talleres Pérez" ||
		c.JobTitle != "Gerente" || c.Email != "jose.perez@example.com" || c.Phone != "+34600123456" || c.SourceID != web {
		t.Errorf("merged contact %+v", c)
	}
	slices.Sort(c.InterestIDs)
	wantInterests := []string{id(interest1), id(interest2)}
	slices.Sort(wantInterests)
	if !slices.Equal(c.InterestIDs, wantInterests) {
		t.Errorf("interests %v, want %v", c.InterestIDs, wantInterests)
	}
	var outcomes []string
	for _, r := range h.leadRecords() {
		if r.ContactID != c.ID {
			t.Errorf("lead record for contact %q, want %q", r.ContactID, c.ID)
		}
		outcomes = append(outcomes, r.Outcome)
	}
	slices.Sort(outcomes)
	if !slices.Equal(outcomes, []string{"created", "merged", "merged"}) {
		t.Errorf("lead outcomes %v, want one created and two merged", outcomes)
	}
}

// A retried delivery (same Idempotency-Key, webhook-id, lead_id or
// leadgen_id) returns the first outcome and creates nothing more, also
// when the copies arrive at the same moment.
func TestHookRetriesAreIdempotent(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)

	t.Run("six identical form posts at once", func(t *testing.T) {
		srcID, token := h.newSource("Formulario presupuesto", map[string]any{"kind": "form", "redirectUrl": "https://www.example.com/ok"})
		body := []byte(url.Values{"name": {"Concha"}, "email": {"concha@example.com"}, "telefono": {"611 22 33 44"}}.Encode())
		results := h.concurrently(6, http.MethodPost, "/hooks/"+token, formURLEncoded, body,
			"Idempotency-Key", "2b0f8c8e-5a1d-4e0b-9f7a-doble-clic", "Accept", "application/json")
		leadIDs := map[string]bool{}
		for _, res := range results {
			leadIDs[wantJSONOK(t, res).LeadID] = true
		}
		if len(leadIDs) != 1 {
			t.Errorf("the six deliveries got %d different lead IDs: %v", len(leadIDs), leadIDs)
		}
		if cs := h.contactsWhere("email", "concha@example.com"); len(cs) != 1 {
			t.Errorf("%d contacts, want 1", len(cs))
		}
		if recs := h.leadsOf(srcID); len(recs) != 1 {
			t.Errorf("%d lead records, want 1: %+v", len(recs), recs)
		}
	})

	// A lead with only a name claims no e-mail or phone: only the lead's
	// own key tells the six copies apart from six people called the same.
	t.Run("six identical name-only posts at once", func(t *testing.T) {
		srcID, token := h.newSource("Formulario sólo nombre", map[string]any{"kind": "json"})
		body := []byte(`{"name":"Visitante Anónimo de la Feria","message":"Llamadme"}`)
		results := h.concurrently(6, http.MethodPost, "/hooks/"+token, "application/json", body, "Idempotency-Key", "feria-stand-12-visita-7")
		leadIDs := map[string]bool{}
		for _, res := range results {
			leadIDs[wantJSONOK(t, res).LeadID] = true
		}
		if len(leadIDs) != 1 {
			t.Errorf("the six deliveries got %d different lead IDs: %v", len(leadIDs), leadIDs)
		}
		n := 0
		for _, c := range h.contacts() {
			if c.Name == "Visitante Anónimo de la Feria" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d contacts, want 1", n)
		}
		if recs := h.leadsOf(srcID); len(recs) != 1 {
			t.Errorf("%d lead records, want 1: %+v", len(recs), recs)
		}
	})

	// A double click without any idempotency key: six leads of one person
	// at the same moment. They are six deliveries, so six lead records, but
	// one person, so one contact.
	t.Run("six posts of one person at once, no key", func(t *testing.T) {
		srcID, token := h.newSource("Formulario sin clave", map[string]any{"kind": "form"})
		body := []byte(url.Values{"name": {"Inés"}, "email": {"INES.DOBLECLIC@example.com"}, "telefono": {"622 11 00 99"}}.Encode())
		for _, res := range h.concurrently(6, http.MethodPost, "/hooks/"+token, formURLEncoded, body, "Accept", "application/json") {
			wantJSONOK(t, res)
		}
		cs := h.contactsWhere("email", "ines.dobleclic@example.com")
		if len(cs) != 1 {
			t.Fatalf("%d contacts, want 1", len(cs))
		}
		recs := h.leadsOf(srcID)
		if len(recs) != 6 {
			t.Errorf("%d lead records, want 6", len(recs))
		}
		for _, r := range recs {
			if r.ContactID != cs[0].ID {
				t.Errorf("lead record %+v not on contact %s", r, cs[0].ID)
			}
		}
	})

	t.Run("six identical Google deliveries at once", func(t *testing.T) {
		srcID, token := h.newSource("Google Ads", map[string]any{"kind": "google-ads", "secret": googleKey})
		body := []byte(`{"lead_id":"CjwKCAjw-concurrent-lead","api_version":"1.0","form_id":123456789,"campaign_id":987654321,` +
			`"google_key":"` + googleKey + `","is_test":false,"user_column_data":[` +
			`{"column_name":"Full Name","string_value":"Ramón Gómez","column_id":"FULL_NAME"},` +
			`{"column_name":"User Email","string_value":"ramon.gomez@example.com","column_id":"EMAIL"}]}`)
		for _, res := range h.concurrently(6, http.MethodPost, "/hooks/"+token+"/google-ads", "application/json", body) {
			wantStatus(t, res, http.StatusOK)
		}
		if cs := h.contactsWhere("email", "ramon.gomez@example.com"); len(cs) != 1 {
			t.Errorf("%d contacts, want 1", len(cs))
		}
		if recs := h.leadsOf(srcID); len(recs) != 1 {
			t.Errorf("%d lead records, want 1: %+v", len(recs), recs)
		}
	})

	t.Run("Standard Webhooks webhook-id", func(t *testing.T) {
		srcID, token := h.newSource("CRM externo", map[string]any{"kind": "json", "secret": whsec})
		body := []byte(`{"name":"Elena","email":"elena@example.com"}`)
		first := h.hook(http.MethodPost, "/hooks/"+token, "application/json", body,
			flatten(leads.SignStandardWebhook(whsec, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", time.Now(), body))...)
		ok1 := wantJSONOK(t, first)
		// The sender retries a minute later: a new timestamp and signature,
		// the same message ID.
		again := h.hook(http.MethodPost, "/hooks/"+token, "application/json", body,
			flatten(leads.SignStandardWebhook(whsec, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", time.Now().Add(time.Minute), body))...)
		if ok2 := wantJSONOK(t, again); ok2.LeadID != ok1.LeadID {
			t.Errorf("the retry got lead %s, the first %s", ok2.LeadID, ok1.LeadID)
		}
		if recs := h.leadsOf(srcID); len(recs) != 1 || recs[0].ExternalID != "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" {
			t.Errorf("lead records %+v, want one with the webhook-id", recs)
		}
		// Another message with the same data is another lead (merged).
		other := h.hook(http.MethodPost, "/hooks/"+token, "application/json", body,
			flatten(leads.SignStandardWebhook(whsec, "msg_other", time.Now(), body))...)
		if ok3 := wantJSONOK(t, other); ok3.LeadID == ok1.LeadID {
			t.Error("a new message ID got the first lead's ID")
		}
		if cs := h.contactsWhere("email", "elena@example.com"); len(cs) != 1 {
			t.Errorf("%d contacts, want 1", len(cs))
		}
	})

	t.Run("_idempotency_key field and redirect kept", func(t *testing.T) {
		srcID, token := h.newSource("Formulario con clave", map[string]any{"kind": "form", "redirectUrl": "https://www.example.com/recibido"})
		v := url.Values{"name": {"Pilar"}, "email": {"pilar@example.com"}, "_idempotency_key": {"f3a1c2d4"}}
		wantRedirect(t, h.form("/hooks/"+token, v), "https://www.example.com/recibido")
		wantRedirect(t, h.form("/hooks/"+token, v), "https://www.example.com/recibido")
		if recs := h.leadsOf(srcID); len(recs) != 1 {
			t.Errorf("%d lead records, want 1", len(recs))
		}
	})
}

// concurrently sends n copies of a request at the same moment and returns
// the answers.
func (h *hookEnv) concurrently(n int, method, path, contentType string, body []byte, headers ...string) []response {
	h.t.Helper()
	return concurrently(h.t, n, func(int) (response, error) {
		return hookSend(h.hooks.URL, method, path, contentType, body, headers...)
	})
}

func flatten(hd http.Header) []string {
	var out []string
	for k, vs := range hd {
		for _, v := range vs {
			out = append(out, k, v)
		}
	}
	return out
}

// A filled honeypot is answered exactly like a success; nothing of the
// sender's is stored, only a spam record.
func TestHookHoneypot(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	srcID, token := h.newSource("Contacto", map[string]any{
		"kind": "form", "honeypot": "website_url", "redirectUrl": "https://www.example.com/gracias",
		"allowedOrigins": []string{"https://www.example.com"},
	})
	path := "/hooks/" + token
	real := url.Values{"name": {"Persona Real"}, "email": {"real@example.com"}, "_gotcha": {""}, "website_url": {""}}
	bot1 := url.Values{"name": {"Cheap Pills"}, "email": {"bot1@spam.example"}, "phone": {"+1 202 555 0143"}, "message": {"buy now"}, "_gotcha": {"http://spam.example"}}
	bot2 := url.Values{"name": {"Bot Dos"}, "email": {"bot2@spam.example"}, "website_url": {"http://spam.example"}}

	sameShape := func(t *testing.T, ok, spam response) {
		t.Helper()
		if ok.Status != spam.Status {
			t.Fatalf("spam answered %d, a lead %d", spam.Status, ok.Status)
		}
		names := func(hd http.Header) []string {
			var out []string
			for k := range hd {
				if k != "Date" && k != "Content-Length" {
					out = append(out, k)
				}
			}
			slices.Sort(out)
			return out
		}
		if a, b := names(ok.Header), names(spam.Header); !slices.Equal(a, b) {
			t.Errorf("spam headers %v, a lead's %v", b, a)
		}
		for _, k := range []string{"Location", "Content-Type", "Access-Control-Allow-Origin"} {
			if ok.Header.Get(k) != spam.Header.Get(k) {
				t.Errorf("%s: spam %q, a lead %q", k, spam.Header.Get(k), ok.Header.Get(k))
			}
		}
	}

	t.Run("browser", func(t *testing.T) {
		ok := h.form(path, real, "Origin", "https://www.example.com")
		wantRedirect(t, ok, "https://www.example.com/gracias")
		for _, bot := range []url.Values{bot1, bot2} {
			spam := h.form(path, bot, "Origin", "https://www.example.com")
			sameShape(t, ok, spam)
			if !bytes.Equal(ok.Body, spam.Body) {
				t.Errorf("spam body %q, a lead's %q", spam.Body, ok.Body)
			}
		}
	})
	t.Run("JSON client", func(t *testing.T) {
		real2 := url.Values{"name": {"Otra Persona"}, "email": {"otra@example.com"}}
		ok := h.form(path, real2, "Accept", "application/json")
		spam := h.form(path, bot1, "Accept", "application/json", "Idempotency-Key", "bot-key")
		sameShape(t, ok, spam)
		a, b := wantJSONOK(t, ok), wantJSONOK(t, spam)
		if a.Next != b.Next {
			t.Errorf("next: spam %q, a lead %q", b.Next, a.Next)
		}
		var ka, kb map[string]any
		mustUnmarshal(t, ok.Body, &ka)
		mustUnmarshal(t, spam.Body, &kb)
		if len(ka) != len(kb) {
			t.Errorf("spam body %s, a lead's %s", spam.Body, ok.Body)
		}
	})

	for _, email := range []string{"bot1@spam.example", "bot2@spam.example"} {
		if cs := h.contactsWhere("email", email); len(cs) != 0 {
			t.Errorf("a contact was created for the bot %s", email)
		}
	}
	if n := len(h.contacts()); n != 2 {
		t.Errorf("%d contacts, want the 2 real ones", n)
	}
	spam := 0
	for _, r := range h.leadsOf(srcID) {
		if r.Outcome != string(crm.OutcomeSpam) {
			continue
		}
		spam++
		for _, pii := range []string{"Cheap Pills", "bot1@spam.example", "2025550143", "202 555", "buy now", "Bot Dos", "bot2@spam.example", "spam.example"} {
			if strings.Contains(r.raw, pii) {
				t.Errorf("the spam record keeps %q: %s", pii, r.raw)
			}
		}
		if r.ContactID != "" {
			t.Errorf("the spam record names a contact: %s", r.raw)
		}
	}
	if spam != 3 {
		t.Errorf("%d spam records, want 3", spam)
	}
}

func TestHookRedirects(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, token := h.newSource("Landing", map[string]any{
		"kind": "form", "redirectUrl": "https://www.example.com/gracias",
		"allowedOrigins": []string{"https://www.example.com", "https://landing.example.org"},
	})
	_, bare := h.newSource("Sin redirección", map[string]any{"kind": "form"})
	cases := []struct {
		next, want string
	}{
		{"", "https://www.example.com/gracias"},
		{"https://landing.example.org/thanks?plan=pro", "https://landing.example.org/thanks?plan=pro"},
		{"https://www.example.com/otra-pagina", "https://www.example.com/otra-pagina"},
		{"https://evil.example.net/phish", "https://www.example.com/gracias"},
		{"https://www.example.com.evil.example.net/", "https://www.example.com/gracias"},
		{"https://www.example.com@evil.example.net/", "https://www.example.com/gracias"},
		{"//evil.example.net/", "https://www.example.com/gracias"},
		{"javascript:alert(document.cookie)", "https://www.example.com/gracias"},
		{"http://www.example.com/", "https://www.example.com/gracias"}, // another scheme is another origin
	}
	for i, c := range cases {
		t.Run(c.next, func(t *testing.T) {
			email := fmt.Sprintf("redirect%d@example.com", i)
			v := url.Values{"name": {"Redirigida"}, "email": {email}}
			if c.next != "" {
				v.Set("_next", c.next)
			}
			wantRedirect(t, h.form("/hooks/"+token, v), c.want)
			h.oneContact(email) // stored whatever the redirect
		})
	}
	t.Run("_redirect is read like _next", func(t *testing.T) {
		v := url.Values{"name": {"Ana"}, "email": {"redirect-alias@example.com"}, "_redirect": {"https://landing.example.org/ok"}}
		wantRedirect(t, h.form("/hooks/"+token, v), "https://landing.example.org/ok")
	})
	t.Run("JSON clients get next in the body", func(t *testing.T) {
		v := url.Values{"name": {"Ana"}, "email": {"redirect-json@example.com"}, "_next": {"https://landing.example.org/ok"}}
		if ok := wantJSONOK(t, h.form("/hooks/"+token, v, "Accept", "application/json")); ok.Next != "https://landing.example.org/ok" {
			t.Errorf("next %q", ok.Next)
		}
	})
	t.Run("no redirect configured and a foreign _next", func(t *testing.T) {
		v := url.Values{"name": {"Ana"}, "email": {"redirect-none@example.com"}, "_next": {"https://evil.example.net/"}}
		res := h.form("/hooks/"+bare, v)
		wantStatus(t, res, http.StatusOK)
		if loc := res.Header.Get("Location"); loc != "" {
			t.Errorf("Location %q on a source without redirect", loc)
		}
		h.oneContact("redirect-none@example.com")
	})
}

func TestHookCORS(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	srcID, token := h.newSource("Formulario CORS", map[string]any{
		"kind": "form", "allowedOrigins": []string{"https://www.example.com"},
	})
	_, closed := h.newSource("Sin orígenes", map[string]any{"kind": "form"})
	preflight := func(tok, origin string) response {
		t.Helper()
		return h.hook(http.MethodOptions, "/hooks/"+tok, "", nil, "Origin", origin,
			"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,idempotency-key")
	}

	t.Run("preflight allowed", func(t *testing.T) {
		res := preflight(token, "https://www.example.com")
		if res.Status != http.StatusNoContent && res.Status != http.StatusOK {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "https://www.example.com" {
			t.Errorf("Access-Control-Allow-Origin %q", got)
		}
		if m := res.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "POST") {
			t.Errorf("Access-Control-Allow-Methods %q", m)
		}
		allowed := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers"))
		for _, hd := range []string{"content-type", "idempotency-key"} {
			if !strings.Contains(allowed, hd) {
				t.Errorf("Access-Control-Allow-Headers %q lacks %s", allowed, hd)
			}
		}
		if !slices.Contains(res.Header.Values("Vary"), "Origin") {
			t.Errorf("Vary %v lacks Origin", res.Header.Values("Vary"))
		}
	})
	for name, c := range map[string]struct{ token, origin string }{
		"preflight from a foreign origin":            {token, "https://evil.example.net"},
		"preflight from a look-alike origin":         {token, "https://www.example.com.evil.example.net"},
		"preflight to a source without origins":      {closed, "https://www.example.com"},
		"preflight from the http twin of the origin": {token, "http://www.example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			res := preflight(c.token, c.origin)
			if res.Status < 400 {
				t.Errorf("status %d, want a refusal", res.Status)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("Access-Control-Allow-Origin %q on a refused preflight", got)
			}
		})
	}
	t.Run("preflight to an unknown token", func(t *testing.T) {
		wantProblem(t, preflight("whk_unknown", "https://www.example.com"), http.StatusNotFound, crm.CodeNotFound)
	})
	t.Run("POST from the allowed origin", func(t *testing.T) {
		res := h.form("/hooks/"+token, url.Values{"name": {"Cors"}, "email": {"cors@example.com"}},
			"Origin", "https://www.example.com", "Accept", "application/json")
		wantJSONOK(t, res)
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "https://www.example.com" {
			t.Errorf("Access-Control-Allow-Origin %q", got)
		}
	})
	t.Run("POST from a foreign origin", func(t *testing.T) {
		before := h.snapshot()
		res := h.form("/hooks/"+token, url.Values{"name": {"Cors"}, "email": {"cors-evil@example.com"}},
			"Origin", "https://evil.example.net", "Accept", "application/json")
		if res.Status < 400 {
			t.Errorf("status %d, want a refusal", res.Status)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin %q for a foreign origin", got)
		}
		h.unchanged(t, before)
	})
	t.Run("POST without Origin (a server)", func(t *testing.T) {
		res := h.form("/hooks/"+token, url.Values{"name": {"Servidor"}, "email": {"server@example.com"}})
		wantStatus(t, res, http.StatusOK)
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin %q without Origin", got)
		}
	})
	if n := len(h.leadsOf(srcID)); n != 2 {
		t.Errorf("%d lead records, want 2", n)
	}
}

func TestHookStandardWebhooksSignature(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	srcID, token := h.newSource("Integración firmada", map[string]any{
		"kind": "json", "secret": whsec, "fieldMap": map[string]string{"Nombre completo": "name", "Movil": "phone"},
	})
	path := "/hooks/" + token
	body := []byte(`{"Nombre completo":"Sofía Martín","email":"sofia.martin@example.com","Movil":"+34 699 00 11 22","origen":"chatbot"}`)
	post := func(b []byte, hd http.Header) response {
		t.Helper()
		return h.hook(http.MethodPost, path, "application/json", b, flatten(hd)...)
	}
	now := time.Now()

	refused := map[string]response{
		"no signature": post(body, nil),
		"wrong secret": post(body, leads.SignStandardWebhook("whsec_"+base64.StdEncoding.EncodeToString([]byte("another-key-another-key-1234")), "msg_1", now, body)),
		"stale":        post(body, leads.SignStandardWebhook(whsec, "msg_1", now.Add(-6*time.Minute), body)),
		"future":       post(body, leads.SignStandardWebhook(whsec, "msg_1", now.Add(6*time.Minute), body)),
		// The same JSON, re-serialised: different bytes, so not signed.
		"re-serialised body": post([]byte(`{"email": "sofia.martin@example.com", "Nombre completo": "Sofía Martín", "Movil": "+34 699 00 11 22", "origen": "chatbot"}`),
			leads.SignStandardWebhook(whsec, "msg_1", now, body)),
		"escaped unicode body": post([]byte(`{"Nombre completo":"Sof\u00eda Mart\u00edn","email":"sofia.martin@example.com","Movil":"+34 699 00 11 22","origen":"chatbot"}`),
			leads.SignStandardWebhook(whsec, "msg_1", now, body)),
		"another message's signature": func() response {
			hd := leads.SignStandardWebhook(whsec, "msg_other", now, body)
			hd.Set("webhook-id", "msg_1")
			return post(body, hd)
		}(),
	}
	for name, res := range refused {
		t.Run(name, func(t *testing.T) { wantProblem(t, res, http.StatusUnauthorized, crm.CodeUnauthorized) })
	}
	if cs := h.contacts(); len(cs) != 0 || len(h.leadsOf(srcID)) != 0 {
		t.Fatalf("a refused delivery stored something: %+v", cs)
	}

	t.Run("right, four minutes old", func(t *testing.T) {
		wantJSONOK(t, post(body, leads.SignStandardWebhook(whsec, "msg_1", now.Add(-4*time.Minute), body)))
		c := h.oneContact("sofia.martin@example.com")
		if c.Name != "Sofía Martín" || c.Phone != "+34699001122" {
			t.Errorf("contact %+v", c)
		}
		recs := h.leadsOf(srcID)
		if len(recs) != 1 || recs[0].Extra["origen"] != "chatbot" || recs[0].Format != "json" {
			t.Errorf("lead records %+v", recs)
		}
	})
	t.Run("several signatures during a key rotation", func(t *testing.T) {
		b := []byte(`{"name":"Rotación","email":"rotacion@example.com"}`)
		hd := leads.SignStandardWebhook(whsec, "msg_rot", now, b)
		hd.Set("webhook-signature", "v1,bm90LXRoZS1yaWdodC1zaWduYXR1cmUtYXQtYWxsLi4u "+hd.Get("webhook-signature"))
		wantJSONOK(t, post(b, hd))
	})
	t.Run("unsigned JSON source takes unsigned leads", func(t *testing.T) {
		_, open := h.newSource("JSON sin firma", map[string]any{"kind": "json"})
		wantJSONOK(t, h.hook(http.MethodPost, "/hooks/"+open, "application/json", []byte(`{"name":"Sin Firma","email":"sinfirma@example.com"}`)))
		h.oneContact("sinfirma@example.com")
	})
}

// ---------------------------------------------------------------------------
// Google Ads.

// googleSample is the shape of Google's published test delivery: IDs as
// numbers, the key spelled Google_key, is_test true.
const googleSample = `{
  "lead_id": "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEeFfGgHhIiJjKkLl",
  "user_column_data": [
    {"column_name": "Full Name", "string_value": "FirstName LastName", "column_id": "FULL_NAME"},
    {"column_name": "User Phone", "string_value": "1-650-555-0123", "column_id": "PHONE_NUMBER"},
    {"column_name": "User Email", "string_value": "test@example.com", "column_id": "EMAIL"},
    {"column_name": "City", "string_value": "Mountain View", "column_id": "CITY"}
  ],
  "api_version": "1.0",
  "form_id": 123456789,
  "campaign_id": 123456,
  "Google_key": "` + googleKey + `",
  "is_test": true,
  "gcl_id": "Cj0KCQjwit_8BRCoARIsAIx3Rj7g-AeL6z35IWb6VYiZUygtTfwD3hDlgSGmY",
  "adgroup_id": 0,
  "creative_id": 0
}`

func TestHookGoogleAds(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	interest := h.created("/v1/interests", map[string]any{"name": "Aerotermia"})
	srcID, token := h.newSource("Google Ads · Primavera", map[string]any{
		"kind": "google-ads", "secret": googleKey, "fieldMap": map[string]string{"servicio": "interests"},
	})
	path := "/hooks/" + token + "/google-ads"
	wantEmpty := func(t *testing.T, res response) {
		t.Helper()
		wantStatus(t, res, http.StatusOK)
		var m map[string]any
		mustUnmarshal(t, res.Body, &m)
		if len(m) != 0 {
			t.Errorf("body %s, want {}", res.Body)
		}
	}

	t.Run("test delivery", func(t *testing.T) {
		wantEmpty(t, h.hook(http.MethodPost, path, "application/json", []byte(googleSample)))
		wantEmpty(t, h.hook(http.MethodPost, path, "application/json", []byte(googleSample))) // pressed twice
		if cs := h.contacts(); len(cs) != 0 {
			t.Errorf("a test delivery created contacts: %+v", cs)
		}
		recs := h.leadsOf(srcID)
		if len(recs) != 1 || recs[0].Outcome != string(crm.OutcomeTest) || recs[0].Format != "google-ads" ||
			!strings.HasPrefix(recs[0].ExternalID, "TeSter-123-") {
			t.Errorf("lead records %+v, want one test record", recs)
		}
	})

	lead := `{"lead_id":"CjwKCAjwq-real-lead-0001","api_version":"1.0",
	  "form_id":9007199254740993,"campaign_id":"9223372036854775807","adgroup_id":158273645912,"creative_id":"689421785324",
	  "google_key":"` + googleKey + `","is_test":false,"gcl_id":"CjwKCAjwq-gclid",
	  "lead_submit_time":"2026-03-02 10:15:00+01:00","unknown_future_field":{"nested":true},
	  "user_column_data":[
	    {"column_name":"Nombre","string_value":"Lucía","column_id":"FIRST_NAME"},
	    {"column_name":"Apellidos","string_value":"Fernández Ortega","column_id":"LAST_NAME"},
	    {"column_name":"Correo","string_value":"LUCIA.FERNANDEZ@Example.ES","column_id":"EMAIL"},
	    {"column_name":"Teléfono","string_value":"+34 612 34 56 78","column_id":"PHONE_NUMBER"},
	    {"column_name":"Empresa","string_value":"Climatización Málaga SL","column_id":"COMPANY_NAME"},
	    {"column_name":"Código postal","string_value":"29001","column_id":"POSTAL_CODE"},
	    {"column_name":"¿Qué servicio te interesa?","string_value":"AEROTERMIA","column_id":"servicio"},
	    {"column_name":"Horario preferido","string_value":"Mañanas","column_id":"horario_preferido"}
	  ]}`

	t.Run("wrong key", func(t *testing.T) {
		before := h.snapshot()
		for _, body := range []string{
			strings.Replace(lead, googleKey, "testkey", 1),
			strings.Replace(lead, `"google_key":"`+googleKey+`",`, "", 1),
			strings.Replace(lead, googleKey, "", 1),
		} {
			res := h.hook(http.MethodPost, path, "application/json", []byte(body))
			wantProblem(t, res, http.StatusForbidden, crm.CodeForbidden)
			if strings.Contains(string(res.Body), googleKey) {
				t.Errorf("the refusal shows the key: %s", res.Body)
			}
		}
		h.unchanged(t, before)
	})
	t.Run("real lead", func(t *testing.T) {
		wantEmpty(t, h.hook(http.MethodPost, path, "application/json", []byte(lead)))
		c := h.oneContact("lucia.fernandez@example.es")
		if c.Name != "Lucía" || c.Surname != "Fernández Ortega" || c.Phone != "+34612345678" || c.Company != "Climatización Málaga SL" ||
			c.Address.PostalCode != "29001" || c.SourceID != srcID {
			t.Errorf("contact %+v", c)
		}
		if c.Attribution.GCLID != "CjwKCAjwq-gclid" {
			t.Errorf("gclid %q", c.Attribution.GCLID)
		}
		if !slices.Equal(c.InterestIDs, []string{id(interest)}) {
			t.Errorf("interests %v, want the mapped Aerotermia", c.InterestIDs)
		}
		var rec *leadRec
		for _, r := range h.leadsOf(srcID) {
			if r.ExternalID == "CjwKCAjwq-real-lead-0001" {
				rec = &r
			}
		}
		if rec == nil || rec.Outcome != string(crm.OutcomeCreated) || rec.ContactID != c.ID {
			t.Fatalf("lead record %+v", rec)
		}
		for k, v := range map[string]string{
			"form_id": "9007199254740993", "campaign_id": "9223372036854775807",
			"adgroup_id": "158273645912", "creative_id": "689421785324", "Horario preferido": "Mañanas",
		} {
			if rec.Extra[k] != v {
				t.Errorf("lead record extra[%q] = %q, want %q", k, rec.Extra[k], v)
			}
		}
		// The key is a secret: stored only in the source, never with a lead.
		if strings.Contains(rec.raw, googleKey) {
			t.Errorf("the lead record keeps google_key: %s", rec.raw)
		}
	})
	t.Run("redelivered", func(t *testing.T) {
		before := h.snapshot()
		wantEmpty(t, h.hook(http.MethodPost, path, "application/json", []byte(lead)))
		h.unchanged(t, before)
	})
	t.Run("malformed", func(t *testing.T) {
		before := h.snapshot()
		for _, body := range []string{lead[:len(lead)/2], `["not","an","object"]`, `{"google_key":"` + googleKey + `","user_column_data":"nope","lead_id":"x"}`} {
			res := h.hook(http.MethodPost, path, "application/json", []byte(body))
			if res.Status != http.StatusBadRequest && res.Status != http.StatusForbidden {
				t.Errorf("status %d for %q, want 400", res.Status, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q for a refusal", ct)
			}
		}
		h.unchanged(t, before)
	})
}

// ---------------------------------------------------------------------------
// Meta.

// Leadgen IDs above 2^53: a float64 would change their last digits.
const (
	metaLead1 = "1234567890123456789"
	metaLead2 = "9007199254740993"
	metaLead3 = "18014398509481985"
)

// metaNotification has two entries and three leadgen changes (and one
// change of another field, to be ignored); IDs are JSON numbers.
var metaNotification = []byte(`{"object":"page","entry":[` +
	`{"id":153125381133,"time":1772445600,"changes":[` +
	`{"field":"leadgen","value":{"leadgen_id":` + metaLead1 + `,"page_id":153125381133,"form_id":987654321098765432,"adgroup_id":23851234567890123,"ad_id":23851234567890124,"created_time":1772445590}},` +
	`{"field":"leadgen","value":{"leadgen_id":` + metaLead2 + `,"page_id":153125381133,"form_id":987654321098765432,"adgroup_id":0,"ad_id":0,"created_time":1772445595}}]},` +
	`{"id":153125381134,"time":1772445601,"changes":[` +
	`{"field":"feed","value":{"item":"status","verb":"add"}},` +
	`{"field":"leadgen","value":{"leadgen_id":"` + metaLead3 + `","page_id":"153125381134","form_id":"987654321098765433","created_time":1772445599}}]}]}`)

func metaLeadObject(id, platform string, fields ...[2]string) string {
	var fd []string
	for _, f := range fields {
		fd = append(fd, fmt.Sprintf(`{"name":%q,"values":[%q]}`, f[0], f[1]))
	}
	return `{"id":"` + id + `","created_time":"2026-03-02T10:00:00+0000","ad_id":"23851234567890124","form_id":"987654321098765432",` +
		`"campaign_id":"23851234567890999","field_data":[` + strings.Join(fd, ",") + `],"is_organic":false,"platform":"` + platform + `"}`
}

func (h *hookEnv) metaSource() (string, string) {
	h.t.Helper()
	return h.newSource("Facebook Lead Ads", map[string]any{
		"kind": "meta", "secret": metaAppSecret, "verifyToken": metaVerify, "accessToken": metaPageToken,
		"fieldMap": map[string]string{"que_te_interesa": "interests"},
	})
}

func (h *hookEnv) setMetaLeads() {
	h.graph.set(metaLead1, metaLeadObject(metaLead1, "fb",
		[2]string{"full_name", "José Ángel Núñez"}, [2]string{"email", "JOSE.NUNEZ@Example.ES"}, [2]string{"phone_number", "+34 611 22 33 44"},
		[2]string{"que_te_interesa", "placas solares"}))
	h.graph.set(metaLead2, metaLeadObject(metaLead2, "ig",
		[2]string{"first_name", "Ainhoa"}, [2]string{"last_name", "Etxeberria"}, [2]string{"email", "ainhoa@example.eus"},
		[2]string{"phone_number", "688 77 66 55"}))
	h.graph.set(metaLead3, metaLeadObject(metaLead3, "fb",
		[2]string{"full_name", "Chloé Durand"}, [2]string{"email", "chloe.durand@example.fr"}, [2]string{"city", "Perpignan"}))
}

func TestHookMetaVerification(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, token := h.metaSource()
	_, formToken := h.newSource("Formulario", map[string]any{"kind": "form"})
	get := func(tok string, q url.Values) response {
		t.Helper()
		return h.hook(http.MethodGet, "/hooks/"+tok+"/meta?"+q.Encode(), "", nil)
	}
	res := get(token, url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {metaVerify}})
	wantStatus(t, res, http.StatusOK)
	if string(res.Body) != "1158201444" {
		t.Errorf("body %q, want the challenge echoed", res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	for name, q := range map[string]url.Values{
		"wrong verify token": {"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {"not-it"}},
		"no verify token":    {"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}},
		"other mode":         {"hub.mode": {"unsubscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {metaVerify}},
	} {
		t.Run(name, func(t *testing.T) {
			res := get(token, q)
			wantProblem(t, res, http.StatusForbidden, crm.CodeForbidden)
			if strings.Contains(string(res.Body), "1158201444") {
				t.Errorf("a refused handshake echoes the challenge: %s", res.Body)
			}
		})
	}
	t.Run("a form source's token", func(t *testing.T) {
		wantProblem(t, get(formToken, url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}, "hub.verify_token": {metaVerify}}),
			http.StatusNotFound, crm.CodeNotFound)
	})
}

func TestHookMetaLeads(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	interest := h.created("/v1/interests", map[string]any{"name": "Placas Solares"})
	srcID, token := h.metaSource()
	h.setMetaLeads()
	path := "/hooks/" + token + "/meta"

	t.Run("bad signatures", func(t *testing.T) {
		before := h.snapshot()
		for name, sig := range map[string]string{
			"none":             "",
			"another secret":   metaSign("not-the-app-secret", metaNotification),
			"sha1 style":       "sha1=" + strings.TrimPrefix(metaSign(metaAppSecret, metaNotification), "sha256=")[:40],
			"another body":     metaSign(metaAppSecret, []byte(`{"object":"page","entry":[]}`)),
			"malformed header": "sha256=zz",
		} {
			res := h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", sig)
			if res.Status != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401: %s", name, res.Status, res.Body)
			}
		}
		// Re-serialised (indented) JSON: the same notification, other bytes.
		var indented bytes.Buffer
		json.Indent(&indented, metaNotification, "", "  ")
		res := h.hook(http.MethodPost, path, "application/json", indented.Bytes(), "X-Hub-Signature-256", metaSign(metaAppSecret, metaNotification))
		wantProblem(t, res, http.StatusUnauthorized, crm.CodeUnauthorized)
		if n := h.graph.totalCalls(); n != 0 {
			t.Errorf("the Graph API was called %d times for unsigned notifications", n)
		}
		h.unchanged(t, before)
	})

	t.Run("two entries, three leads", func(t *testing.T) {
		res := h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", metaSign(metaAppSecret, metaNotification))
		wantStatus(t, res, http.StatusOK)
		for _, id := range []string{metaLead1, metaLead2, metaLead3} {
			if n := h.graph.callsTo(id); n != 1 {
				t.Errorf("lead %s fetched %d times, want 1", id, n)
			}
		}
		jose := h.oneContact("jose.nunez@example.es")
		if jose.Name != "José Ángel Núñez" || jose.Phone != "+34611223344" || jose.SourceID != srcID ||
			jose.Attribution.UTMSource != "facebook" || !slices.Equal(jose.InterestIDs, []string{id(interest)}) {
			t.Errorf("contact %+v", jose)
		}
		ainhoa := h.oneContact("ainhoa@example.eus")
		if ainhoa.Name != "Ainhoa" || ainhoa.Surname != "Etxeberria" || ainhoa.Phone != "+34688776655" || ainhoa.Attribution.UTMSource != "instagram" {
			t.Errorf("contact %+v", ainhoa)
		}
		chloe := h.oneContact("chloe.durand@example.fr")
		if chloe.Name != "Chloé Durand" || chloe.Address.City != "Perpignan" {
			t.Errorf("contact %+v", chloe)
		}
		var ext []string
		for _, r := range h.leadsOf(srcID) {
			ext = append(ext, r.ExternalID)
			if r.Format != "meta" || r.Outcome != string(crm.OutcomeCreated) {
				t.Errorf("lead record %+v", r)
			}
			if strings.Contains(r.raw, metaPageToken) {
				t.Errorf("the lead record keeps the access token: %s", r.raw)
			}
		}
		slices.Sort(ext)
		want := []string{metaLead1, metaLead3, metaLead2}
		slices.Sort(want)
		if !slices.Equal(ext, want) {
			t.Errorf("lead records for %v, want %v", ext, want)
		}
	})

	t.Run("redelivered", func(t *testing.T) {
		before := h.snapshot()
		res := h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", metaSign(metaAppSecret, metaNotification))
		wantStatus(t, res, http.StatusOK)
		h.unchanged(t, before)
	})
}

// A lead the Graph API will not give is answered 5xx, so that Meta
// delivers the notification again; the leads already stored are not
// stored twice then.
func TestHookMetaFetchFailureIsRetried(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	srcID, token := h.metaSource()
	h.setMetaLeads()
	path := "/hooks/" + token + "/meta"
	sig := metaSign(metaAppSecret, metaNotification)

	// The client retries once; two failures defeat it.
	h.graph.failNext(metaLead2, 2)
	res := h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", sig)
	if res.Status < 500 {
		t.Fatalf("status %d with a lead that could not be fetched, want 5xx: %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if strings.Contains(string(res.Body), metaPageToken) {
		t.Errorf("the answer shows the access token: %s", res.Body)
	}
	if cs := h.contactsWhere("email", "ainhoa@example.eus"); len(cs) != 0 {
		t.Errorf("the lead that failed to fetch has a contact: %+v", cs)
	}

	// Meta delivers again; this time the Graph API answers.
	res = h.hook(http.MethodPost, path, "application/json", metaNotification, "X-Hub-Signature-256", sig)
	wantStatus(t, res, http.StatusOK)
	for _, email := range []string{"jose.nunez@example.es", "ainhoa@example.eus", "chloe.durand@example.fr"} {
		h.oneContact(email)
	}
	if recs := h.leadsOf(srcID); len(recs) != 3 {
		t.Errorf("%d lead records after the redelivery, want 3: %+v", len(recs), recs)
	}
	if n := len(h.contacts()); n != 3 {
		t.Errorf("%d contacts, want 3", n)
	}
}

func TestHookMetaWithoutFetcher(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hs := httptest.NewServer(httpapi.NewHooks(e.svc, httpapi.HookOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SourceCacheTTL: -1}))
	t.Cleanup(hs.Close)
	h := &hookEnv{env: e, hooks: hs}
	_, token := h.metaSource()
	before := h.snapshot()
	res := h.hook(http.MethodPost, "/hooks/"+token+"/meta", "application/json", metaNotification, "X-Hub-Signature-256", metaSign(metaAppSecret, metaNotification))
	if res.Status < 500 {
		t.Errorf("status %d without a Graph client, want 5xx (the notification must not be acknowledged)", res.Status)
	}
	h.unchanged(t, before)
}

// ---------------------------------------------------------------------------
// Errors.

func TestHookUnknownToken(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, formToken := h.newSource("Formulario", map[string]any{"kind": "form"})
	_, googleToken := h.newSource("Google", map[string]any{"kind": "google-ads", "secret": googleKey})
	retiredID, retiredToken := h.newSource("Retirada", map[string]any{"kind": "form"})
	wantStatus(t, h.admin_(http.MethodPatch, "/v1/sources/"+retiredID, map[string]any{"webhook": nil}, "If-Match", `"1"`), http.StatusOK)
	form := []byte(url.Values{"name": {"Ana"}, "email": {"ana@example.com"}}.Encode())
	before := h.snapshot()
	cases := map[string]response{
		"unknown token":               h.hook(http.MethodPost, "/hooks/whk_0000000000000000000000000000000", formURLEncoded, form),
		"unknown token, Google":       h.hook(http.MethodPost, "/hooks/whk_0000000000000000000000000000000/google-ads", "application/json", []byte(googleSample)),
		"unknown token, Meta":         h.hook(http.MethodGet, "/hooks/whk_0000000000000000000000000000000/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=x", "", nil),
		"a token's prefix":            h.hook(http.MethodPost, "/hooks/"+formToken[:len(formToken)-1], formURLEncoded, form),
		"a Google token on the form":  h.hook(http.MethodPost, "/hooks/"+googleToken, formURLEncoded, form),
		"a form token on Google":      h.hook(http.MethodPost, "/hooks/"+formToken+"/google-ads", "application/json", []byte(googleSample)),
		"a form token on Meta":        h.hook(http.MethodPost, "/hooks/"+formToken+"/meta", "application/json", metaNotification),
		"a very long token":           h.hook(http.MethodPost, "/hooks/"+strings.Repeat("a", 500), formURLEncoded, form),
		"the token's hash, not token": h.hook(http.MethodPost, "/hooks/"+crm.HashToken(formToken), formURLEncoded, form),
		"a removed webhook's token":   h.hook(http.MethodPost, "/hooks/"+retiredToken, formURLEncoded, form),
	}
	var first []byte
	for name, res := range cases {
		t.Run(name, func(t *testing.T) {
			wantProblem(t, res, http.StatusNotFound, crm.CodeNotFound)
			low := strings.ToLower(string(res.Body))
			for _, word := range []string{"token", "source", "webhook", "kind", "google", "meta", "form", strings.ToLower(formToken)} {
				if strings.Contains(low, word) {
					t.Errorf("the 404 says %q: %s", word, res.Body)
				}
			}
			if first == nil {
				first = res.Body
			} else if !bytes.Equal(first, res.Body) {
				t.Errorf("404 bodies differ: %s vs %s", res.Body, first)
			}
		})
	}
	h.unchanged(t, before)
}

func TestHookBadInput(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, formToken := h.newSource("Formulario", map[string]any{"kind": "form", "redirectUrl": "https://www.example.com/gracias"})
	_, jsonToken := h.newSource("JSON", map[string]any{"kind": "json"})
	_, googleToken := h.newSource("Google", map[string]any{"kind": "google-ads", "secret": googleKey})
	_, metaToken := h.metaSource()
	big := strings.Repeat("á", 40<<10) // 80 KiB of UTF-8
	bigForm := []byte(url.Values{"name": {"Ana"}, "email": {"ana@example.com"}, "message": {big}}.Encode())
	bigJSON := []byte(`{"name":"Ana","email":"ana@example.com","message":"` + big + `"}`)
	bigGoogle := []byte(strings.Replace(googleSample, `"api_version"`, `"padding":"`+big+`","api_version"`, 1))
	bigMeta := []byte(`{"object":"page","padding":"` + big + `","entry":[]}`)

	cases := []struct {
		name        string
		path        string
		contentType string
		body        []byte
		headers     []string
		status      int
		code        crm.Code
		field       string
	}{
		{"form over 64 KiB", "/hooks/" + formToken, formURLEncoded, bigForm, nil, 413, crm.CodeTooLarge, ""},
		{"JSON over 64 KiB", "/hooks/" + jsonToken, "application/json", bigJSON, nil, 413, crm.CodeTooLarge, ""},
		{"Google over 64 KiB", "/hooks/" + googleToken + "/google-ads", "application/json", bigGoogle, nil, 413, crm.CodeTooLarge, ""},
		{"Meta over 64 KiB", "/hooks/" + metaToken + "/meta", "application/json", bigMeta, []string{"X-Hub-Signature-256", metaSign(metaAppSecret, bigMeta)}, 413, crm.CodeTooLarge, ""},
		{"JSON cut short", "/hooks/" + jsonToken, "application/json", []byte(`{"name":"Ana","email":"ana@exa`), nil, 400, crm.CodeInvalid, "body"},
		{"JSON array", "/hooks/" + jsonToken, "application/json", []byte(`[{"name":"Ana"}]`), nil, 400, crm.CodeInvalid, "body"},
		{"JSON nested object", "/hooks/" + jsonToken, "application/json", []byte(`{"name":"Ana","contact":{"email":"ana@example.com"}}`), nil, 400, crm.CodeInvalid, "body"},
		{"form with a bad escape", "/hooks/" + formToken, formURLEncoded, []byte(`name=Ana&email=ana%ZZexample.com`), nil, 400, crm.CodeInvalid, "body"},
		{"multipart without boundary", "/hooks/" + formToken, "multipart/form-data", []byte("--x\r\n"), nil, 400, crm.CodeInvalid, "Content-Type"},
		{"no content type", "/hooks/" + formToken, "", []byte(`name=Ana`), nil, 400, crm.CodeInvalid, "Content-Type"},
		{"CSV", "/hooks/" + formToken, "text/csv", []byte("name,email\nAna,ana@example.com\n"), nil, 400, crm.CodeInvalid, "Content-Type"},
		{"Meta not JSON", "/hooks/" + metaToken + "/meta", "application/json", []byte(`object=page`), []string{"X-Hub-Signature-256", metaSign(metaAppSecret, []byte(`object=page`))}, 400, crm.CodeInvalid, "body"},
		{"Meta other object", "/hooks/" + metaToken + "/meta", "application/json", []byte(`{"object":"user","entry":[]}`), []string{"X-Hub-Signature-256", metaSign(metaAppSecret, []byte(`{"object":"user","entry":[]}`))}, 400, crm.CodeInvalid, "object"},
		{"no name, e-mail nor phone", "/hooks/" + formToken, formURLEncoded, []byte(`mensaje=Quiero+informaci%C3%B3n&utm_source=google&empresa=ACME`), nil, 422, crm.CodeUnprocessable, ""},
		{"no name, an e-mail that is not one", "/hooks/" + formToken, formURLEncoded, []byte(`email=not-an-email&mensaje=hola`), nil, 422, crm.CodeUnprocessable, ""},
		{"JSON with only blanks", "/hooks/" + jsonToken, "application/json", []byte(`{"name":"   ","email":"","phone":" ","comments":"hola"}`), nil, 422, crm.CodeUnprocessable, ""},
		{"Google lead without contact data", "/hooks/" + googleToken + "/google-ads", "application/json",
			[]byte(`{"lead_id":"no-data-1","google_key":"` + googleKey + `","is_test":false,"user_column_data":[{"column_name":"Horario","string_value":"Tardes","column_id":"horario"}]}`), nil, 422, crm.CodeUnprocessable, ""},
	}
	before := h.snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.hook(http.MethodPost, c.path, c.contentType, c.body, c.headers...)
			if c.field != "" {
				wantProblem(t, res, c.status, c.code, c.field)
			} else {
				wantProblem(t, res, c.status, c.code)
			}
			if res.Header.Get("Location") != "" {
				t.Errorf("a refused lead is redirected: %v", res.Header)
			}
		})
	}
	h.unchanged(t, before)

	t.Run("exactly 64 KiB is taken", func(t *testing.T) {
		prefix := "name=Ana&email=ana%40example.com&message="
		body := prefix + strings.Repeat("a", leads.MaxBody-len(prefix))
		wantRedirect(t, h.hook(http.MethodPost, "/hooks/"+formToken, formURLEncoded, []byte(body)), "https://www.example.com/gracias")
		h.oneContact("ana@example.com")
	})
}

// ---------------------------------------------------------------------------
// Assignment and opportunities.

func TestHookRoundRobinOpportunities(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	a1 := h.created("/v1/agents", map[string]any{"code": "A01", "name": "Álvaro Agente", "email": "alvaro@example.com", "active": true})
	a2 := h.created("/v1/agents", map[string]any{"code": "B02", "name": "Beatriz Agente", "email": "beatriz@example.com", "active": true})
	off := h.created("/v1/agents", map[string]any{"code": "C03", "name": "Carla de Baja", "email": "carla@example.com", "active": false})
	interest := h.created("/v1/interests", map[string]any{"name": "Instalación"})
	var states struct {
		Items []struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Default bool   `json:"default"`
		} `json:"items"`
	}
	res := h.admin_(http.MethodGet, "/v1/states", nil)
	wantStatus(t, res, http.StatusOK)
	mustUnmarshal(t, res.Body, &states)
	var defaultState, otherState string
	for _, s := range states.Items {
		if s.Default {
			defaultState = s.ID
		} else if otherState == "" {
			otherState = s.ID
		}
	}
	if defaultState == "" || otherState == "" {
		t.Fatalf("seeded states: %s", res.Body)
	}
	srcID, token := h.newSource("Campaña instalaciones", map[string]any{
		"kind": "form", "assignment": "round_robin", "createOpportunity": true,
	})

	type opp struct {
		ID         string `json:"id"`
		Number     int64  `json:"number"`
		ContactID  string `json:"contactId"`
		AgentID    string `json:"agentId"`
		StateID    string `json:"stateId"`
		SourceID   string `json:"sourceId"`
		InterestID string `json:"interestId"`
		Desc       string `json:"description"`
	}
	oppsOf := func(contactID string) []opp {
		t.Helper()
		var out []opp
		for _, m := range h.listAll(adminToken, "/v1/opportunities?contactId="+contactID) {
			b, _ := json.Marshal(m)
			var o opp
			mustUnmarshal(t, b, &o)
			out = append(out, o)
		}
		return out
	}

	var agents []string
	for i := range 4 {
		email := fmt.Sprintf("cliente%d@example.com", i)
		res := h.form("/hooks/"+token, url.Values{"name": {fmt.Sprintf("Cliente %d", i)}, "email": {email}, "interes": {"instalacion"}, "mensaje": {"Presupuesto, por favor"}},
			"Accept", "application/json")
		ok := wantJSONOK(t, res)
		c := h.oneContact(email)
		agents = append(agents, c.AgentID)
		os := oppsOf(c.ID)
		if len(os) != 1 {
			t.Fatalf("lead %d: %d opportunities, want 1", i, len(os))
		}
		o := os[0]
		if o.AgentID != c.AgentID || o.StateID != defaultState || o.SourceID != srcID || o.InterestID != id(interest) || o.Desc == "" {
			t.Errorf("lead %d: opportunity %+v (contact agent %s, default state %s)", i, o, c.AgentID, defaultState)
		}
		var rec *leadRec
		for _, r := range h.leadsOf(srcID) {
			if r.ID == ok.LeadID {
				rec = &r
			}
		}
		if rec == nil || rec.OpportunityID != o.ID || rec.ContactID != c.ID {
			t.Errorf("lead %d: record %+v, want opportunity %s", i, rec, o.ID)
		}
	}
	for i, a := range agents {
		if a != id(a1) && a != id(a2) {
			t.Errorf("lead %d went to %q, not one of the two active agents (inactive is %s)", i, a, id(off))
		}
	}
	if agents[0] == agents[1] || agents[0] != agents[2] || agents[1] != agents[3] {
		t.Errorf("agents %v do not take turns", agents)
	}

	t.Run("fixed agent and another state", func(t *testing.T) {
		_, tok := h.newSource("Feria", map[string]any{
			"kind": "form", "assignment": "fixed", "defaultAgentId": id(a2), "createOpportunity": true, "opportunityStateId": otherState,
		})
		wantJSONOK(t, h.form("/hooks/"+tok, url.Values{"name": {"Visitante"}, "email": {"feria@example.com"}}, "Accept", "application/json"))
		c := h.oneContact("feria@example.com")
		os := oppsOf(c.ID)
		if c.AgentID != id(a2) || len(os) != 1 || os[0].StateID != otherState || os[0].AgentID != id(a2) {
			t.Errorf("contact agent %s, opportunities %+v", c.AgentID, os)
		}
	})
	t.Run("no opportunity unless asked", func(t *testing.T) {
		_, tok := h.newSource("Solo contacto", map[string]any{"kind": "form"})
		wantJSONOK(t, h.form("/hooks/"+tok, url.Values{"name": {"Solo"}, "email": {"solo@example.com"}}, "Accept", "application/json"))
		c := h.oneContact("solo@example.com")
		if os := oppsOf(c.ID); len(os) != 0 || c.AgentID != "" {
			t.Errorf("contact %+v with opportunities %+v", c, os)
		}
	})
}

// ---------------------------------------------------------------------------
// Store failures.

// With the source cached, the store failing makes the lead itself fail:
// 5xx, nothing written; the same delivery later succeeds once.
func TestHookStoreFailure(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, time.Hour)
	h.created("/v1/agents", map[string]any{"code": "A01", "name": "Agente Uno", "email": "uno@example.com", "active": true})
	h.created("/v1/agents", map[string]any{"code": "B02", "name": "Agente Dos", "email": "dos@example.com", "active": true})
	srcID, token := h.newSource("Formulario", map[string]any{
		"kind": "form", "assignment": "round_robin", "createOpportunity": true, "redirectUrl": "https://www.example.com/gracias",
	})
	// A first lead caches the source (and whatever intake caches).
	wantRedirect(t, h.form("/hooks/"+token, url.Values{"name": {"Primera"}, "email": {"primera@example.com"}}), "https://www.example.com/gracias")

	delivery := url.Values{"name": {"Marta Solís"}, "email": {"marta@example.com"}, "telefono": {"+34 655 44 33 22"}}
	before := h.snapshot()
	h.tbl.Server.EmulateFailure(server.FailureConditionInternalServerError)
	res := h.form("/hooks/"+token, delivery, "Idempotency-Key", "entrega-1")
	h.tbl.Server.EmulateFailure(server.FailureConditionNone)
	wantProblem(t, res, http.StatusInternalServerError, crm.CodeInternal)
	if res.Header.Get("Location") != "" {
		t.Errorf("a failed lead is redirected: %v", res.Header)
	}
	h.unchanged(t, before)

	wantRedirect(t, h.form("/hooks/"+token, delivery, "Idempotency-Key", "entrega-1"), "https://www.example.com/gracias")
	wantRedirect(t, h.form("/hooks/"+token, delivery, "Idempotency-Key", "entrega-1"), "https://www.example.com/gracias")
	c := h.oneContact("marta@example.com")
	n := 0
	for _, r := range h.leadsOf(srcID) {
		if r.ContactID == c.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d lead records for the retried delivery, want 1", n)
	}
	if os := h.listAll(adminToken, "/v1/opportunities?contactId="+c.ID); len(os) != 1 {
		t.Errorf("%d opportunities, want 1", len(os))
	}
}

// Without the cache, the store failing while the source is read is a
// 5xx too, never a 404 that would make the sender give up.
func TestHookStoreFailureReadingTheSource(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, token := h.newSource("Google", map[string]any{"kind": "google-ads", "secret": googleKey})
	before := h.snapshot()
	h.tbl.Server.EmulateFailure(server.FailureConditionInternalServerError)
	res := h.hook(http.MethodPost, "/hooks/"+token+"/google-ads", "application/json", []byte(googleSample))
	h.tbl.Server.EmulateFailure(server.FailureConditionNone)
	wantProblem(t, res, http.StatusInternalServerError, crm.CodeInternal)
	h.unchanged(t, before)
	wantStatus(t, h.hook(http.MethodPost, "/hooks/"+token+"/google-ads", "application/json", []byte(googleSample)), http.StatusOK)
}

// failingWrites fails DynamoDB TransactWriteItems calls while on, letting
// every read through: the lead fails after intake has read what it needs.
type failingWrites struct {
	on   atomic.Bool
	seen atomic.Int32
}

func (f *failingWrites) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".TransactWriteItems") && f.on.Load() {
		f.seen.Add(1)
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		body := `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected write failure"}`
		return &http.Response{StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
			Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestHookWriteFailsMidLead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fw := &failingWrites{}
	client := dynamodb.NewFromConfig(aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  &http.Client{Transport: fw},
	}, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(e.tbl.URL)
		o.DisableValidateResponseChecksum = true
		o.RetryMaxAttempts = 1
	})
	svc := crm.NewService(dynamo.New(client, e.tbl.Name), crm.Config{})
	hs := httptest.NewServer(httpapi.NewHooks(svc, httpapi.HookOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SourceCacheTTL: -1}))
	t.Cleanup(hs.Close)
	h := &hookEnv{env: e, hooks: hs}
	h.created("/v1/agents", map[string]any{"code": "A01", "name": "Agente Uno", "email": "uno@example.com", "active": true})
	_, token := h.newSource("Google", map[string]any{"kind": "google-ads", "secret": googleKey, "assignment": "round_robin", "createOpportunity": true})
	path := "/hooks/" + token + "/google-ads"
	lead := []byte(`{"lead_id":"CjwKCAjw-mid-lead-failure","google_key":"` + googleKey + `","is_test":false,"campaign_id":42,` +
		`"user_column_data":[{"column_name":"Nombre","string_value":"Íker Casillas","column_id":"FULL_NAME"},` +
		`{"column_name":"Teléfono","string_value":"+34 633 21 21 21","column_id":"PHONE_NUMBER"}]}`)

	before := h.snapshot()
	fw.on.Store(true)
	res := h.hook(http.MethodPost, path, "application/json", lead)
	fw.on.Store(false)
	if fw.seen.Load() == 0 {
		t.Fatal("intake never reached its write")
	}
	wantProblem(t, res, http.StatusInternalServerError, crm.CodeInternal)
	h.unchangedButCounters(t, before) // the numbers it reserved go to the next lead
	if found := h.listAll(adminToken, "/v1/contacts?q=casillas"); len(found) != 0 {
		t.Fatalf("the failed lead's contact is found by name: %v", found)
	}

	wantStatus(t, h.hook(http.MethodPost, path, "application/json", lead), http.StatusOK)
	wantStatus(t, h.hook(http.MethodPost, path, "application/json", lead), http.StatusOK)
	cs := h.contactsWhere("phone", "+34633212121")
	if len(cs) != 1 {
		t.Fatalf("%d contacts, want 1", len(cs))
	}
	if found := h.listAll(adminToken, "/v1/contacts?q=casillas"); len(found) != 1 || found[0]["id"] != cs[0].ID {
		t.Fatalf("found by name: %v, want the one contact", found)
	}
	if n := len(h.leadRecords()); n != 1 {
		t.Errorf("%d lead records, want 1", n)
	}
	if os := h.listAll(adminToken, "/v1/opportunities?contactId="+cs[0].ID); len(os) != 1 || os[0]["number"] != float64(1) {
		t.Errorf("opportunities %v, want one, number 1 (the failed lead's number given again)", os)
	}
}

// ---------------------------------------------------------------------------
// The token through the admin API.

func TestHookTokenStoredHashedAndRotated(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	res := h.admin_(http.MethodPost, "/v1/sources", map[string]any{"name": "Web", "webhook": map[string]any{
		"kind": "json", "secret": whsec, "redirectUrl": "https://www.example.com/gracias",
	}})
	wantStatus(t, res, http.StatusCreated)
	var created struct {
		ID      string `json:"id"`
		Webhook struct {
			Token     string `json:"token"`
			URL       string `json:"url"`
			SecretSet bool   `json:"secretSet"`
		} `json:"webhook"`
	}
	mustUnmarshal(t, res.Body, &created)
	token := created.Webhook.Token
	if len(token) < 32 || !strings.HasSuffix(created.Webhook.URL, "/hooks/"+token) || !created.Webhook.SecretSet {
		t.Fatalf("created webhook %s", res.Body)
	}
	if strings.Contains(string(res.Body), whsec) {
		t.Errorf("the response shows the secret: %s", res.Body)
	}

	t.Run("stored hashed", func(t *testing.T) {
		for _, item := range h.snapshot() {
			if strings.Contains(item, token) {
				t.Errorf("an item holds the token: %s", item)
			}
		}
	})
	t.Run("shown only once", func(t *testing.T) {
		for _, path := range []string{"/v1/sources/" + created.ID, "/v1/sources"} {
			res := h.admin_(http.MethodGet, path, nil)
			wantStatus(t, res, http.StatusOK)
			if strings.Contains(string(res.Body), token) || strings.Contains(string(res.Body), whsec) || strings.Contains(string(res.Body), `"url"`) {
				t.Errorf("GET %s shows the token, secret or URL: %s", path, res.Body)
			}
			if !strings.Contains(string(res.Body), `"secretSet":true`) {
				t.Errorf("GET %s does not say the secret is set: %s", path, res.Body)
			}
		}
	})

	send := func(tok, email string) response {
		t.Helper()
		b := []byte(`{"name":"Prueba","email":"` + email + `"}`)
		return h.hook(http.MethodPost, "/hooks/"+tok, "application/json", b, flatten(leads.SignStandardWebhook(whsec, "msg_"+email, time.Now(), b))...)
	}
	wantJSONOK(t, send(token, "antes@example.com"))

	// Another change keeps the token and does not show it.
	res = h.admin_(http.MethodPatch, "/v1/sources/"+created.ID, map[string]any{"observations": "campaña 2026"}, "If-Match", `"1"`)
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(string(res.Body), `"token"`) {
		t.Errorf("a PATCH that rotates nothing shows a token: %s", res.Body)
	}
	wantJSONOK(t, send(token, "sigue@example.com"))

	res = h.admin_(http.MethodPatch, "/v1/sources/"+created.ID, map[string]any{"webhook": map[string]any{"rotateToken": true}}, "If-Match", `"2"`)
	wantStatus(t, res, http.StatusOK)
	var rotated struct {
		Webhook struct {
			Token       string `json:"token"`
			URL         string `json:"url"`
			SecretSet   bool   `json:"secretSet"`
			Kind        string `json:"kind"`
			RedirectURL string `json:"redirectUrl"`
		} `json:"webhook"`
	}
	mustUnmarshal(t, res.Body, &rotated)
	next := rotated.Webhook.Token
	if next == "" || next == token || !strings.HasSuffix(rotated.Webhook.URL, "/hooks/"+next) {
		t.Fatalf("rotation answered %s", res.Body)
	}
	if !rotated.Webhook.SecretSet || rotated.Webhook.Kind != "json" || rotated.Webhook.RedirectURL != "https://www.example.com/gracias" {
		t.Errorf("rotation changed other settings: %s", res.Body)
	}
	wantProblem(t, send(token, "vieja@example.com"), http.StatusNotFound, crm.CodeNotFound)
	wantJSONOK(t, send(next, "nueva@example.com"))
	for _, item := range h.snapshot() {
		if strings.Contains(item, next) {
			t.Errorf("an item holds the new token: %s", item)
		}
	}
	if cs := h.contactsWhere("email", "vieja@example.com"); len(cs) != 0 {
		t.Error("the old URL stored a lead")
	}
	h.oneContact("nueva@example.com")
}
