package awstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// event builds the payload 2.0 event of req on route r.
func (g *Gateway) event(req *http.Request, r *route, params map[string]string, body []byte) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	for k, vs := range req.Header {
		if strings.EqualFold(k, "Cookie") {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	headers["host"] = g.Host
	headers["x-forwarded-proto"] = "https"
	headers["x-forwarded-port"] = "443"
	headers["x-forwarded-for"] = "127.0.0.1"
	if len(body) > 0 {
		headers["content-length"] = strconv.Itoa(len(body))
	}
	query := map[string]string{}
	for k, vs := range req.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	now := time.Now().UTC()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: r.key, RawPath: req.URL.EscapedPath(), RawQueryString: req.URL.RawQuery,
		Headers: headers, PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: r.key, AccountID: Account, Stage: "$default", RequestID: randomID(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
			APIID: g.ID, DomainName: g.Host, DomainPrefix: g.ID, Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: req.Method, Path: req.URL.Path, Protocol: "HTTP/1.1",
				SourceIP: "127.0.0.1", UserAgent: req.UserAgent()},
		},
	}
	for _, c := range req.Cookies() {
		ev.Cookies = append(ev.Cookies, c.Name+"="+c.Value)
	}
	if len(query) > 0 {
		ev.QueryStringParameters = query
	}
	if len(body) > 0 {
		ev.Body = string(body)
		if !isText(req.Header.Get("Content-Type")) {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// isText reports whether API Gateway passes a body of this type as text:
// text/*, JSON and XML; anything else (forms, binary) comes base64-encoded.
func isText(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	return strings.HasPrefix(ct, "text/") || slices.Contains([]string{"application/json", "application/xml", "application/javascript"}, ct) ||
		strings.HasSuffix(ct, "+json") || strings.HasSuffix(ct, "+xml")
}

// writeResponse writes a payload 2.0 response.
func writeResponse(w http.ResponseWriter, out []byte) {
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		http.Error(w, fmt.Sprintf("the function's response is no HTTP API response: %s", out), http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			http.Error(w, "the function's body is not base64", http.StatusBadGateway)
			return
		}
		body = b
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}
