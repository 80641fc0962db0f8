package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/rietest"
)

// sampleToken is the bearer token the sample events send (events/README.md).
const sampleToken = "embudo-sample-admin-token-0000000000000000"

// eventExpectations says what the function must answer to each
// events/api-*.json; every such file needs an entry.
var eventExpectations = map[string]struct {
	status int
	check  func(t *testing.T, resp events.APIGatewayV2HTTPResponse, body string)
}{
	"api-healthz.json":       {status: 200},
	"api-unauthorized.json":  {status: 401},
	"api-list-contacts.json": {status: 200, check: hasItemsArray},
	"api-create-contact.json": {status: 201, check: func(t *testing.T, resp events.APIGatewayV2HTTPResponse, _ string) {
		if header(resp, "Location") == "" {
			t.Error("no Location header")
		}
	}},
	"api-create-contact-bad.json": {status: 400, check: func(t *testing.T, resp events.APIGatewayV2HTTPResponse, _ string) {
		if ct := header(resp, "Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("Content-Type = %q, want application/problem+json", ct)
		}
	}},
	"api-create-opportunity.json": {status: 400, check: func(t *testing.T, resp events.APIGatewayV2HTTPResponse, body string) {
		if ct := header(resp, "Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("Content-Type = %q, want application/problem+json", ct)
		}
		var p struct {
			Fields map[string]string `json:"fields"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil || p.Fields["contactId"] == "" {
			t.Errorf("the problem does not name contactId (err %v): %s", err, body)
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

	db := httptest.NewServer(server.NewServer())
	t.Cleanup(db.Close)
	client := dynamotest.Client(db.URL)
	ctx := context.Background()
	table, err := infra.TableFromTemplate("../../template.yaml", "embudo-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateTable(ctx, table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	svc := crm.NewService(dynamo.New(client, "embudo-test"), crm.Config{})
	if _, _, err := svc.BootstrapAdmin(ctx, "", sampleToken, false); err != nil {
		t.Fatalf("bootstrap admin: %v", err)
	}

	emu := rietest.Start(t, bootstrap, []string{
		"TABLE_NAME=embudo-test",
		"DYNAMODB_ENDPOINT=" + db.URL,
	})

	files, err := filepath.Glob("../../events/api-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no events/api-*.json found (err %v)", err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := eventExpectations[name]
			if !ok {
				t.Fatalf("no expectation for events/%s; add one to eventExpectations", name)
			}
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			out, err := emu.Invoke(ctx, payload)
			if err != nil {
				t.Fatal(err)
			}
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response is not an HTTP API response: %v\n%s", err, out)
			}
			body := resp.Body
			if resp.IsBase64Encoded {
				b, err := base64.StdEncoding.DecodeString(body)
				if err != nil {
					t.Fatalf("decode body: %v", err)
				}
				body = string(b)
			}
			if resp.StatusCode != want.status {
				t.Fatalf("status %d, want %d; body: %s", resp.StatusCode, want.status, body)
			}
			if want.check != nil {
				want.check(t, resp, body)
			}
		})
	}
	for name := range eventExpectations {
		if !seen[name] {
			t.Errorf("events/%s is expected but missing", name)
		}
	}
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

// header returns a response header by case-insensitive name.
func header(resp events.APIGatewayV2HTTPResponse, name string) string {
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range resp.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
