package graph

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

const (
	testToken  = "EAAB-secret-token+/="
	testLeadID = "1234567890123456789" // above 2^53
	leadJSON   = `{"id":"1234567890123456789","created_time":"2024-05-02T10:00:00+0000","field_data":[{"name":"email","values":["ANA@EXAMPLE.ES"]}],"platform":"ig","is_organic":false}`
)

// graphServer is a fake Graph API that checks every request and answers
// with the statuses of plan in turn (the last one repeating).
type graphServer struct {
	t     *testing.T
	plan  []int
	body  map[int]string
	calls atomic.Int32
}

func (g *graphServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(g.calls.Add(1)) - 1
	if r.Method != http.MethodGet {
		g.t.Errorf("method %s, want GET", r.Method)
	}
	if r.URL.Path != "/v21.0/"+testLeadID {
		g.t.Errorf("path %q, want /v21.0/%s", r.URL.Path, testLeadID)
	}
	q := r.URL.Query()
	if got := q.Get("fields"); got != LeadFields {
		g.t.Errorf("fields %q, want %q", got, LeadFields)
	}
	if got := q.Get("access_token"); got != testToken {
		g.t.Errorf("access_token %q, want the test token", got)
	}
	status := g.plan[min(n, len(g.plan)-1)]
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if b, ok := g.body[status]; ok {
		w.Write([]byte(b))
	} else if status == http.StatusOK {
		w.Write([]byte(leadJSON))
	} else {
		w.Write([]byte(`{"error":{"message":"An unexpected error has occurred.","type":"OAuthException","code":2,"fbtrace_id":"Axyz"}}`))
	}
}

func TestFetchLead(t *testing.T) {
	tests := []struct {
		name      string
		plan      []int
		body      map[int]string
		wantCode  crm.Code
		wantCalls int
	}{
		{name: "500 twice then 200", plan: []int{500, 500, 200}, wantCalls: 3},
		{name: "first try", plan: []int{200}, wantCalls: 1},
		{name: "429 then 200", plan: []int{429, 200}, wantCalls: 2},
		{name: "always 500", plan: []int{500}, wantCode: crm.CodeInternal, wantCalls: 4},
		{name: "404", plan: []int{404}, wantCode: crm.CodeNotFound, wantCalls: 1,
			body: map[int]string{404: `{}`}},
		{name: "Graph 100 on a 400", plan: []int{400}, wantCode: crm.CodeNotFound, wantCalls: 1,
			body: map[int]string{400: `{"error":{"message":"Unsupported get request. Object with ID '1' does not exist","type":"GraphMethodException","code":100,"error_subcode":33}}`}},
		{name: "401", plan: []int{401}, wantCode: crm.CodeUnauthorized, wantCalls: 1, body: map[int]string{401: ``}},
		{name: "403", plan: []int{403}, wantCode: crm.CodeUnauthorized, wantCalls: 1, body: map[int]string{403: ``}},
		{name: "Graph 190 on a 400", plan: []int{400}, wantCode: crm.CodeUnauthorized, wantCalls: 1,
			body: map[int]string{400: `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463}}`}},
		{name: "Graph permission error", plan: []int{400}, wantCode: crm.CodeUnauthorized, wantCalls: 1,
			body: map[int]string{400: `{"error":{"message":"(#200) Requires leads_retrieval","type":"OAuthException","code":200}}`}},
		{name: "Graph throttling then 200", plan: []int{400, 200}, wantCalls: 2,
			body: map[int]string{400: `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4}}`}},
		{name: "other 400", plan: []int{400}, wantCode: crm.CodeInternal, wantCalls: 1,
			body: map[int]string{400: `{"error":{"message":"(#12) deprecated","type":"OAuthException","code":12}}`}},
		{name: "200 that is not JSON", plan: []int{200}, wantCode: crm.CodeInternal, wantCalls: 4,
			body: map[int]string{200: `<html>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &graphServer{t: t, plan: tt.plan, body: tt.body}
			srv := httptest.NewServer(g)
			defer srv.Close()
			c := &Client{BaseURL: srv.URL + "/v21.0/", HTTP: srv.Client(), Backoff: time.Millisecond}
			got, err := c.FetchLead(context.Background(), testLeadID, testToken)
			if code := crm.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("code %q, want %q (err %v)", code, tt.wantCode, err)
			}
			if err == nil && string(got) != leadJSON {
				t.Errorf("body %s, want the lead", got)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("the error holds the token: %v", err)
			}
			if n := int(g.calls.Load()); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestFetchLeadNetworkErrorHidesToken(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens any more
	c := &Client{BaseURL: base, Retries: 1, Backoff: time.Millisecond}
	_, err := c.FetchLead(context.Background(), testLeadID, testToken)
	if crm.ErrorCode(err) != crm.CodeInternal {
		t.Fatalf("err %v, want internal", err)
	}
	for _, secret := range []string{testToken, "EAAB-secret-token%2B%2F%3D", "access_token"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error holds %q: %v", secret, err)
		}
	}
}

func TestFetchLeadRefusesBeforeSending(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL}
	for _, tt := range []struct {
		id, token string
		want      crm.Code
	}{
		{"", testToken, crm.CodeInvalid},
		{"../me", testToken, crm.CodeInvalid},
		{"123?fields=x", testToken, crm.CodeInvalid},
		{testLeadID, "", crm.CodeUnauthorized},
	} {
		if _, err := c.FetchLead(context.Background(), tt.id, tt.token); crm.ErrorCode(err) != tt.want {
			t.Errorf("FetchLead(%q, %q) = %v, want %s", tt.id, tt.token, err, tt.want)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests sent, want none", calls.Load())
	}
}

func TestFetchLeadStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c := &Client{BaseURL: srv.URL, Retries: 10, Backoff: time.Hour}
	// With an hour of backoff, only the context ends the retries: the
	// deadline in the error is what shows FetchLead stopped with it.
	_, err := c.FetchLead(ctx, testLeadID, testToken)
	if crm.ErrorCode(err) != crm.CodeInternal || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want internal wrapping the deadline", err)
	}
}

func TestFetchLeadAppSecretProof(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// HMAC-SHA256(key "app-secret", msg testToken), computed independently with openssl.
		if got := r.URL.Query().Get("appsecret_proof"); got != wantProof {
			t.Errorf("appsecret_proof %q, want %q", got, wantProof)
		}
		w.Write([]byte(leadJSON))
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, AppSecret: "app-secret"}
	if _, err := c.FetchLead(context.Background(), testLeadID, testToken); err != nil {
		t.Fatal(err)
	}
}

const wantProof = "c9adb27148976eb95ad58bca587c7182e284dfb4c8936679b7177be1936fa9e1"
