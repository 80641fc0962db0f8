package awstest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Gateway plays one HTTP API of the stack (gap 3): an
// AWS::ApiGatewayV2::Api whose OpenAPI Body the SAM translator wrote. It
// serves on a loopback port, matches each request against the Body's
// routes as API Gateway does (the most specific route; a greedy {name+}
// only as the last segment), invokes the route's function with the
// payload 2.0 event and writes back the function's response.
type Gateway struct {
	ID   string // the API's ID
	Host string // its domain: <ID>.execute-api.<region>.amazonaws.com
	URL  string // where it serves, http://127.0.0.1:<port>

	routes []route
	reqs   atomic.Int64
}

// route is one route of the API.
type route struct {
	key      string   // "ANY /v1/{proxy+}"
	method   string   // ANY, GET, ...
	segments []string // the path's segments, "{name}" or "{name+}" for parameters
	fn       *Function
}

// integrationFunction finds the function of an integration URI
// (arn:...:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations).
var integrationFunction = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\.Arn\}`)

// Gateway starts the HTTP API apiID (a logical ID) of the stack, whose
// routes invoke functions among fns (by logical ID); a route to a function
// not in fns fails t. It stops when t ends.
func (s *Stack) Gateway(t testing.TB, apiID string, fns ...*Function) *Gateway {
	t.Helper()
	byID := map[string]*Function{}
	for _, f := range fns {
		byID[f.LogicalID] = f
	}
	body, _ := s.Template.Properties(apiID)["Body"].(map[string]any)
	paths, _ := body["paths"].(map[string]any)
	g := &Gateway{ID: s.Physical(t, apiID)}
	g.Host = g.ID + ".execute-api." + Region + ".amazonaws.com"
	for path, ops := range paths {
		for m, op := range ops.(map[string]any) {
			method := strings.ToUpper(m)
			if m == "x-amazon-apigateway-any-method" {
				method = "ANY"
			}
			integ, _ := op.(map[string]any)["x-amazon-apigateway-integration"].(map[string]any)
			uri, _ := json.Marshal(integ["uri"])
			match := integrationFunction.FindStringSubmatch(string(uri))
			if match == nil || byID[match[1]] == nil {
				t.Fatalf("awstest: %s %s %s: its function %v is not started", apiID, method, path, match)
			}
			g.routes = append(g.routes, route{key: method + " " + path, method: method,
				segments: strings.Split(strings.Trim(path, "/"), "/"), fn: byID[match[1]]})
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Requests returns how many requests the gateway has served.
func (g *Gateway) Requests() int { return int(g.reqs.Load()) }

// match returns the route of method and path and its path parameters: the
// route with the most literal segments, then the fewest greedy ones.
func (g *Gateway) match(method, path string) (*route, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *route
	var bestParams map[string]string
	bestScore := -1
	for i := range g.routes {
		r := &g.routes[i]
		if r.method != "ANY" && r.method != method {
			continue
		}
		params, score, ok := r.matchPath(segs)
		if ok && (score > bestScore || (score == bestScore && r.method != "ANY")) {
			best, bestParams, bestScore = r, params, score
		}
	}
	return best, bestParams
}

// matchPath matches the path's segments, scoring literal segments highest.
func (r *route) matchPath(segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, want := range r.segments {
		if strings.HasPrefix(want, "{") && strings.HasSuffix(want, "+}") {
			if i != len(r.segments)-1 || i >= len(segs) {
				return nil, 0, false
			}
			params[want[1:len(want)-2]] = strings.Join(segs[i:], "/")
			return params, score, true
		}
		if i >= len(segs) {
			return nil, 0, false
		}
		switch {
		case strings.HasPrefix(want, "{"):
			params[want[1:len(want)-1]] = segs[i]
			score++
		case want == segs[i]:
			score += 100
		default:
			return nil, 0, false
		}
	}
	return params, score, len(segs) == len(r.segments)
}

// serve turns one request into the route's invocation.
func (g *Gateway) serve(w http.ResponseWriter, req *http.Request) {
	g.reqs.Add(1)
	r, params := g.match(req.Method, req.URL.Path)
	if r == nil {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	payload, err := json.Marshal(g.event(req, r, params, body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// API Gateway's integration timeout of an HTTP API is 30 s.
	ctx, cancel := context.WithTimeout(req.Context(), 30*time.Second)
	defer cancel()
	out, handlerErr, err := r.fn.Invoke(ctx, payload)
	if err != nil || handlerErr != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"message":"Internal Server Error"}`)
		return
	}
	writeResponse(w, out)
}

// Transport routes requests for the gateways' domains to the gateways
// (as DNS would send them to API Gateway) and everything else to base
// (http.DefaultTransport when nil).
type Transport struct {
	Gateways []*Gateway
	Base     http.RoundTripper
}

// RoundTrip sends req to its gateway, keeping the API's domain as the
// Host.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	for _, g := range tr.Gateways {
		if strings.EqualFold(req.URL.Hostname(), g.Host) {
			u, _ := url.Parse(g.URL)
			r := req.Clone(req.Context())
			r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, g.Host
			return tr.base().RoundTrip(r)
		}
	}
	return tr.base().RoundTrip(req)
}

func (tr *Transport) base() http.RoundTripper {
	if tr.Base == nil {
		return http.DefaultTransport
	}
	return tr.Base
}

// Client returns an HTTP client that reaches the gateways by their
// domains (Transport) and does not follow redirects (a webhook's 303 is
// an answer to look at).
func Client(gateways ...*Gateway) *http.Client {
	return &http.Client{Transport: &Transport{Gateways: gateways}, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
