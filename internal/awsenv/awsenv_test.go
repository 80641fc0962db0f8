package awsenv

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// lines decodes the JSON lines in b.
func lines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// TestLogLinesCarryRequestIDs: while an invocation runs, every line has its
// Lambda request ID (and API Gateway's for an HTTP API event), whether the
// code logs with the invocation's context, a context derived from it (the
// http.Request of the API), or none; lines outside an invocation have none.
func TestLogLinesCarryRequestIDs(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, slog.LevelInfo)

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "with the request's context")
		log.Info("without a context")
		w.WriteHeader(http.StatusNoContent)
	})
	invoke := Invoke(httpadapter.NewV2(handler).ProxyWithContext)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-req-1"})
	req := events.APIGatewayV2HTTPRequest{RawPath: "/healthz", RequestContext: events.APIGatewayV2HTTPRequestContext{
		RequestID: "api-req-1", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/healthz"}}}
	if res, err := invoke(ctx, req); err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("invoke: %+v, %v", res, err)
	}
	other := Invoke(func(ctx context.Context, _ struct{}) (struct{}, error) {
		log.WarnContext(ctx, "a stream batch")
		return struct{}{}, nil
	})
	if _, err := other(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-req-2"}), struct{}{}); err != nil {
		t.Fatal(err)
	}
	log.Info("after the invocations")

	got := lines(t, &buf)
	want := []struct{ message, requestID, apiRequestID string }{
		{"with the request's context", "lambda-req-1", "api-req-1"},
		{"without a context", "lambda-req-1", "api-req-1"},
		{"a stream batch", "lambda-req-2", ""},
		{"after the invocations", "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), buf.String())
	}
	for i, w := range want {
		l := got[i]
		if l["message"] != w.message || l["timestamp"] == nil || l["level"] == nil {
			t.Errorf("line %d = %v, want message %q with timestamp and level", i, l, w.message)
		}
		if id, _ := l["requestId"].(string); id != w.requestID {
			t.Errorf("line %q: requestId %q, want %q", w.message, id, w.requestID)
		}
		if id, _ := l["apiRequestId"].(string); id != w.apiRequestID {
			t.Errorf("line %q: apiRequestId %q, want %q", w.message, id, w.apiRequestID)
		}
	}
}
