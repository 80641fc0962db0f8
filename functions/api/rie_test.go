package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/rietest"
)

// sampleToken is the bearer token the sample events send (events/README.md).
const sampleToken = "embudo-sample-admin-token-0000000000000000"

// eventExpectation is what the function must answer to one sample event:
// the status and, if check is set, more about the response.
type eventExpectation struct {
	status int
	check  func(t *testing.T, resp events.APIGatewayV2HTTPResponse, body string)
}

// eventExpectations says what the function must answer to each
// events/api-*.json; every such file needs an entry.
var eventExpectations = map[string]eventExpectation{
	"api-healthz.json":       {status: 200},
	"api-unauthorized.json":  {status: 401},
	"api-list-contacts.json": {status: 200, check: hasItemsArray},
	"api-create-contact.json": {status: 201, check: func(t *testing.T, resp events.APIGatewayV2HTTPResponse, _ string) {
		if rietest.Header(resp, "Location") == "" {
			t.Error("no Location header")
		}
	}},
	"api-create-contact-bad.json": {status: 400, check: func(t *testing.T, resp events.APIGatewayV2HTTPResponse, _ string) {
		if ct := rietest.Header(resp, "Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("Content-Type = %q, want application/problem+json", ct)
		}
	}},
	"api-create-opportunity.json": {status: 400, check: func(t *testing.T, resp events.APIGatewayV2HTTPResponse, body string) {
		if ct := rietest.Header(resp, "Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("Content-Type = %q, want application/problem+json", ct)
		}
		var p struct {
			Fields map[string]string `json:"fields"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil || p.Fields["contactId"] == "" {
			t.Errorf("the problem does not name contactId (err %v): %s", err, body)
		}
	}},
	"api-app-signed-out.json": {status: 303, check: func(t *testing.T, resp events.APIGatewayV2HTTPResponse, _ string) {
		if loc := rietest.Header(resp, "Location"); loc != "/app/signin?next=%2Fapp%2Fpipeline%3Fstate%3D01J00000000000000000000000" {
			t.Errorf("Location = %q", loc)
		}
		if csp := rietest.Header(resp, "Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("Content-Security-Policy = %q", csp)
		}
	}},
	"api-opportunity-tabs.json": {status: 200, check: func(t *testing.T, _ events.APIGatewayV2HTTPResponse, body string) {
		var page struct {
			Items []struct {
				ID    string `json:"id"`
				Name  string `json:"name"`
				Count *int64 `json:"count"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Items) == 0 {
			t.Fatalf("body has no tabs (err %v): %s", err, body)
		}
		for _, tab := range page.Items {
			if tab.ID == "" || tab.Name == "" || tab.Count == nil {
				t.Errorf("tab without id, name or count: %s", body)
			}
		}
	}},
}

// TestEventsUnderEmulator runs the built bootstrap under aws-lambda-rie,
// against minidyn holding the table template.yaml declares, and invokes it
// with every sample event for this function.
func TestEventsUnderEmulator(t *testing.T) {
	bootstrap := rietest.Build(t, ".")
	ctx := context.Background()

	dbURL, client, table := emulate.Table(t, "../../template.yaml")
	svc := crm.NewService(dynamo.New(client, table), crm.Config{})
	if _, _, err := svc.BootstrapAdmin(ctx, "", sampleToken, false); err != nil {
		t.Fatalf("bootstrap admin: %v", err)
	}

	// SES answers the sender check at start (the web app's sign-in links).
	ses := emulate.StartRecorder(t, `{"IdentityType":"DOMAIN","VerifiedForSendingStatus":true,"VerificationStatus":"SUCCESS"}`)
	emu := rietest.Start(t, bootstrap, []string{
		"TABLE_NAME=" + table,
		"DYNAMODB_ENDPOINT=" + dbURL,
		"SENDER_EMAIL=Embudo <no-reply@embudo.example>",
		"SES_ENDPOINT=" + ses.URL,
	})

	rietest.EachEvent(t, "api-*.json", eventExpectations, func(t *testing.T, want eventExpectation, payload []byte) {
		resp, body := emu.CallHTTP(t, payload)
		if resp.StatusCode != want.status {
			t.Fatalf("status %d, want %d; body: %s", resp.StatusCode, want.status, body)
		}
		if want.check != nil {
			want.check(t, resp, body)
		}
	})
}

// hasItemsArray checks that the body is a JSON object with an items array.
func hasItemsArray(t *testing.T, _ events.APIGatewayV2HTTPResponse, body string) {
	t.Helper()
	var page struct {
		Items *[]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || page.Items == nil {
		t.Errorf("body has no items array (err %v): %s", err, body)
	}
}
