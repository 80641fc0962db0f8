package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/rietest"
)

// The URL tokens and secrets of the sample events (events/README.md).
const (
	formToken       = "embudo-sample-webhook-token-000000000000"
	googleAdsToken  = "embudo-sample-google-ads-token-00000000"
	googleAdsKey    = "sample-google-key"
	metaToken       = "embudo-sample-meta-token-00000000000000"
	metaAppSecret   = "sample-meta-app-secret"
	metaVerifyToken = "sample-verify-token"
	metaPageToken   = "sample-page-access-token"
	metaLeadgenID   = "1234567890123456789" // above 2^53, as Meta's are
	formRedirectURL = "https://www.example.com/gracias"
	formOrigin      = "https://www.example.com"
)

// fixture is what the events run against: the service over the function's
// table, the sources the events name, and the fake Graph API.
type fixture struct {
	svc     *crm.Service
	form    crm.Source
	google  crm.Source
	meta    crm.Source
	graphMu sync.Mutex
	graphed []string // leadgen IDs the function fetched
}

func (f *fixture) contact(t *testing.T, email string) crm.Contact {
	t.Helper()
	p, err := f.svc.ListContacts(context.Background(), crm.ContactFilter{Email: email}, crm.ListOptions{Limit: 10})
	if err != nil {
		t.Fatalf("list contacts: %v", err)
	}
	if len(p.Items) != 1 {
		t.Fatalf("%d contacts with e-mail %s, want 1", len(p.Items), email)
	}
	return p.Items[0]
}

// eventExpectation is what the function must answer to one sample event:
// the status and, if check is set, more about the response and the store.
type eventExpectation struct {
	status int
	check  func(t *testing.T, f *fixture, resp events.APIGatewayV2HTTPResponse, body string)
}

// eventExpectations says what the function must answer to each
// events/webhook-*.json, and what must be stored afterwards; every such
// file needs an entry.
var eventExpectations = map[string]eventExpectation{
	"webhook-form.json": {status: 303, check: func(t *testing.T, f *fixture, resp events.APIGatewayV2HTTPResponse, _ string) {
		if loc := rietest.Header(resp, "Location"); loc != formRedirectURL {
			t.Errorf("Location %q, want %q", loc, formRedirectURL)
		}
		if o := rietest.Header(resp, "Access-Control-Allow-Origin"); o != formOrigin {
			t.Errorf("Access-Control-Allow-Origin %q, want %q", o, formOrigin)
		}
		c := f.contact(t, "maria.garcia@example.com")
		if c.Name != "María" || c.Surname != "García López" || c.Phone != "+34600123456" || c.Company != "Cerámicas del Sur S.L." ||
			c.SourceID != f.form.ID {
			t.Errorf("contact %+v", c)
		}
		// gclid came in the query string, the rest in the body.
		if a := c.Attribution; a.GCLID != "EAIaIQobChMIsample" || a.UTMSource != "google" || a.UTMCampaign != "primavera-2026" ||
			a.LandingPage != "https://www.example.com/placas-solares" {
			t.Errorf("attribution %+v", a)
		}
	}},
	"webhook-form-multipart.json": {status: 200, check: func(t *testing.T, f *fixture, _ events.APIGatewayV2HTTPResponse, body string) {
		var ok struct {
			OK     bool   `json:"ok"`
			LeadID string `json:"leadId"`
		}
		if err := json.Unmarshal([]byte(body), &ok); err != nil || !ok.OK || ok.LeadID == "" {
			t.Errorf("body %s (err %v), want ok with a leadId", body, err)
		}
		c := f.contact(t, "jordi.puig@example.cat")
		if c.Name != "Jordi" || c.Surname != "Puig i Ferrer" || c.Phone != "+34934123456" || !strings.Contains(c.Observations, "Girona") {
			t.Errorf("contact %+v", c)
		}
	}},
	"webhook-google-ads.json": {status: 200, check: func(t *testing.T, f *fixture, _ events.APIGatewayV2HTTPResponse, body string) {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil || len(m) != 0 {
			t.Errorf("body %q (err %v), want {}", body, err)
		}
		// Google's sample is a test delivery: recorded, no contact.
		p, err := f.svc.ListContacts(context.Background(), crm.ContactFilter{Email: "test@example.com"}, crm.ListOptions{Limit: 10})
		if err != nil || len(p.Items) != 0 {
			t.Errorf("a test delivery made contacts %+v (err %v)", p.Items, err)
		}
	}},
	"webhook-unknown-token.json": {status: 404, check: func(t *testing.T, _ *fixture, resp events.APIGatewayV2HTTPResponse, body string) {
		if ct := rietest.Header(resp, "Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("Content-Type = %q, want application/problem+json", ct)
		}
		if strings.Contains(strings.ToLower(body), "token") || strings.Contains(strings.ToLower(body), "source") {
			t.Errorf("the 404 says more than not found: %s", body)
		}
	}},
	"webhook-meta-verify.json": {status: 200, check: func(t *testing.T, _ *fixture, _ events.APIGatewayV2HTTPResponse, body string) {
		if body != "1158201444" {
			t.Errorf("body %q, want the challenge 1158201444", body)
		}
	}},
	"webhook-meta-leadgen.json": {status: 200, check: func(t *testing.T, f *fixture, _ events.APIGatewayV2HTTPResponse, _ string) {
		f.graphMu.Lock()
		got := append([]string{}, f.graphed...)
		f.graphMu.Unlock()
		if len(got) != 1 || got[0] != metaLeadgenID {
			t.Errorf("Graph API fetches %v, want [%s]", got, metaLeadgenID)
		}
		c := f.contact(t, "ainhoa.etxeberria@example.eus")
		if c.Name != "Ainhoa Etxeberria" || c.Phone != "+34688776655" || c.SourceID != f.meta.ID {
			t.Errorf("contact %+v", c)
		}
	}},
}

// TestEventsUnderEmulator runs the built bootstrap under aws-lambda-rie,
// against minidyn holding the table template.yaml declares and a fake Graph
// API, and invokes it with every sample event for this function.
func TestEventsUnderEmulator(t *testing.T) {
	bootstrap := rietest.Build(t, ".")

	ctx := context.Background()
	dbURL, client, table := emulate.Table(t, "../../template.yaml")
	store := dynamo.New(client, table)
	f := &fixture{svc: crm.NewService(store, crm.Config{})}
	if err := f.svc.EnsureSeeded(ctx); err != nil {
		t.Fatalf("seed: %v", err)
	}
	// The events carry fixed tokens, and the service always issues random
	// ones, so the sources go straight to the store with the tokens' hashes.
	now := time.Now().UTC()
	for _, s := range []struct {
		into  *crm.Source
		name  string
		token string
		hook  crm.Webhook
	}{
		{&f.form, "Web (formulario)", formToken, crm.Webhook{Kind: crm.FormatForm, RedirectURL: formRedirectURL, AllowedOrigins: []string{formOrigin}}},
		{&f.google, "Google Ads", googleAdsToken, crm.Webhook{Kind: crm.FormatGoogleAds, Secret: googleAdsKey}},
		{&f.meta, "Meta Lead Ads", metaToken, crm.Webhook{Kind: crm.FormatMeta, Secret: metaAppSecret, VerifyToken: metaVerifyToken, AccessToken: metaPageToken}},
	} {
		wh := s.hook
		src := crm.Source{Name: s.name, Webhook: &wh}
		if err := src.Normalize(); err != nil {
			t.Fatalf("source %s: %v", s.name, err)
		}
		wh.TokenHash = crm.HashToken(s.token)
		src.ID, src.CreatedAt, src.UpdatedAt, src.Version = crm.NewID(now), now, now, 1
		if err := store.CreateSource(ctx, src); err != nil {
			t.Fatalf("create source %s: %v", s.name, err)
		}
		*s.into = src
	}

	graphAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/v21.0/")
		w.Header().Set("Content-Type", "application/json")
		if !ok || r.URL.Query().Get("access_token") != metaPageToken || !strings.Contains(r.URL.Query().Get("fields"), "field_data") {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`)
			return
		}
		f.graphMu.Lock()
		f.graphed = append(f.graphed, id)
		f.graphMu.Unlock()
		if id != metaLeadgenID {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100}}`)
			return
		}
		io.WriteString(w, `{"id":"`+metaLeadgenID+`","created_time":"2026-11-27T09:59:45+0000","ad_id":"23851234567890124",`+
			`"form_id":"987654321098765432","campaign_id":"23851234567890999","is_organic":false,"platform":"ig","field_data":[`+
			`{"name":"full_name","values":["Ainhoa Etxeberria"]},{"name":"email","values":["Ainhoa.Etxeberria@example.eus"]},`+
			`{"name":"phone_number","values":["688 77 66 55"]}]}`)
	}))
	t.Cleanup(graphAPI.Close)

	emu := rietest.Start(t, bootstrap, []string{
		"TABLE_NAME=" + table,
		"DYNAMODB_ENDPOINT=" + dbURL,
		"GRAPH_API_URL=" + graphAPI.URL + "/v21.0",
	})

	rietest.EachEvent(t, "webhook-*.json", eventExpectations, func(t *testing.T, want eventExpectation, payload []byte) {
		resp, body := emu.CallHTTP(t, payload)
		if resp.StatusCode != want.status {
			t.Fatalf("status %d, want %d; body: %s", resp.StatusCode, want.status, body)
		}
		if want.check != nil {
			want.check(t, f, resp, body)
		}
	})
}
