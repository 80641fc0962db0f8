package rietest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/emulate"
)

// callTimeout bounds each invocation Call and the helpers built on it make.
const callTimeout = 30 * time.Second

// Call invokes the function with payload, waiting at most 30 seconds, and
// returns its response, failing t if the invocation fails. A handler error
// is a response like any other here (see Invoke).
func (e *Emulator) Call(t testing.TB, payload []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	out, err := e.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CallJSON invokes the function with payload as Call does, decodes its
// JSON response into result and returns the response as it came, failing t
// if the response is not JSON or is a handler error (an object with
// errorMessage).
func (e *Emulator) CallJSON(t testing.TB, payload []byte, result any) []byte {
	t.Helper()
	out := e.Call(t, payload)
	var handlerErr struct {
		ErrorMessage *json.RawMessage `json:"errorMessage"`
	}
	if json.Unmarshal(out, &handlerErr) == nil && handlerErr.ErrorMessage != nil {
		t.Fatalf("the function failed: %s", out)
	}
	if err := json.Unmarshal(out, result); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return out
}

// CallHTTP invokes the function with payload, an API Gateway HTTP API
// (payload format 2.0) event, as Call does and returns the function's
// response with its body, decoded from base64 where the response says it
// is. It fails t if the response is not an HTTP API response.
func (e *Emulator) CallHTTP(t testing.TB, payload []byte) (resp events.APIGatewayV2HTTPResponse, body string) {
	t.Helper()
	out := e.Call(t, payload)
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not an HTTP API response: %v\n%s", err, out)
	}
	body = resp.Body
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			t.Fatalf("decode body: %v", err)
		}
		body = string(b)
	}
	return resp, body
}

// Header returns the HTTP API response's header name, matched without
// regard to case, from Headers or else the first of MultiValueHeaders; it
// returns "" if there is none.
func Header(resp events.APIGatewayV2HTTPResponse, name string) string {
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

// EachEvent runs run as a subtest of t, named after the file, for every
// sample event in the repository's events directory matching pattern (e.g.
// "api-*.json"), passing the file's expectation from expect and its
// contents. Every such file needs an entry in expect, and every entry a
// file; t fails otherwise, and if no file matches.
func EachEvent[E any](t *testing.T, pattern string, expect map[string]E, run func(t *testing.T, want E, payload []byte)) {
	t.Helper()
	root, err := emulate.RepoRoot()
	if err != nil {
		t.Fatalf("rietest: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(root, "events", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events/%s found (err %v)", pattern, err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := expect[name]
			if !ok {
				t.Fatalf("no expectation for events/%s; add one", name)
			}
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			run(t, want, payload)
		})
	}
	for name := range expect {
		if !seen[name] {
			t.Errorf("events/%s is expected but missing", name)
		}
	}
}
