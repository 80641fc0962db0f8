package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
)

// oasLoad loads and validates the embedded OpenAPI document.
func oasLoad(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(httpapi.OpenAPI())
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// oasOperations lists the document's operations as "METHOD /path".
func oasOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[strings.ToUpper(method)+" "+path] = op
		}
	}
	return out
}

func TestOpenAPIDocumentLoadsAndValidates(t *testing.T) {
	t.Parallel()
	doc := oasLoad(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Error("the document is not read as OpenAPI 3.1")
	}
	if s := doc.Components.SecuritySchemes["bearer"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Error("components.securitySchemes.bearer must be an HTTP bearer scheme")
	}
	if doc.Components.Schemas["Problem"] == nil {
		t.Error("components.schemas.Problem is missing")
	}
	var raw map[string]any
	if err := json.Unmarshal(httpapi.OpenAPI(), &raw); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
}

func TestOpenAPIServedDocumentIsTheEmbeddedOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.do("GET", "/openapi.json", "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /openapi.json = %d: %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !bytes.Equal(res.Body, httpapi.OpenAPI()) {
		t.Error("GET /openapi.json does not serve the bytes of httpapi.OpenAPI()")
	}
}

// TestOpenAPIMatchesRoutes checks that the document and the routers agree:
// the same operations (API.Routes() for the API, Hooks.Routes() for the
// lead webhooks under /hooks), each with the security its access needs,
// and the headers every POST, PATCH and DELETE takes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc := oasLoad(t)
	e := newEnv(t)
	routes := httpapi.New(e.svc, httpapi.Options{}).Routes()
	hookRoutes := httpapi.NewHooks(e.svc, httpapi.HookOptions{}).Routes()
	if len(hookRoutes) == 0 {
		t.Fatal("the lead webhooks list no routes")
	}
	ops := oasOperations(doc)

	for pattern := range routes {
		if strings.Contains(pattern, " /hooks/") {
			t.Errorf("route %s of the API is under /hooks, where the document expects only the lead webhooks", pattern)
		}
		if ops[pattern] == nil {
			t.Errorf("route %s has no operation in openapi.json", pattern)
		}
	}
	for _, pattern := range hookRoutes {
		if _, path, _ := strings.Cut(pattern, " "); !strings.HasPrefix(path, "/hooks/") {
			t.Errorf("lead webhook %s is not under /hooks/", pattern)
		}
		if ops[pattern] == nil {
			t.Errorf("lead webhook %s has no operation in openapi.json", pattern)
		}
	}
	ids := map[string]string{}
	for key, op := range ops {
		method, path, _ := strings.Cut(key, " ")
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", key)
		} else if prev, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %q", prev, key, op.OperationID)
		}
		ids[op.OperationID] = key
		if op.Summary == "" || op.Description == "" {
			t.Errorf("%s needs a summary and a description", key)
		}
		if strings.HasPrefix(path, "/hooks/") {
			if !slices.Contains(hookRoutes, key) {
				t.Errorf("openapi.json documents %s, which the lead webhooks do not serve", key)
				continue
			}
			oasCheckHookOperation(t, doc, key, op)
			continue
		}
		access, ok := routes[key]
		if !ok {
			t.Errorf("openapi.json documents %s, which is not a route", key)
			continue
		}
		if got := op.Extensions["x-embudo-access"]; got != access {
			t.Errorf("%s: x-embudo-access = %v, want %s", key, got, access)
		}

		// Effective security: the operation's, else the document's.
		sec := doc.Security
		if op.Security != nil {
			sec = *op.Security
		}
		if access == "public" {
			if len(sec) != 0 {
				t.Errorf("%s is public but the document requires %v", key, sec)
			}
		} else if len(sec) != 1 || len(sec[0]) != 1 || sec[0]["bearer"] == nil {
			t.Errorf("%s is for %s but its security is %v, want bearer", key, access, sec)
		}

		// The problems every route can answer.
		want := []string{"500"}
		if access != "public" {
			want = append(want, "401")
		}
		if access == "admin" {
			want = append(want, "403")
		}
		params := slices.Concat(doc.Paths.Value(path).Parameters, op.Parameters)
		if strings.Contains(path, "{id}") {
			want = append(want, "400", "404")
			if p := params.GetByInAndName("path", "id"); p == nil || p.Schema.Value.Pattern != "^[0-9A-HJKMNP-TV-Z]{26}$" {
				t.Errorf("%s: the path parameter id must be a ULID", key)
			}
		}
		if strings.Contains(path, "{key}") {
			want = append(want, "404")
			if p := params.GetByInAndName("path", "key"); p == nil || len(p.Schema.Value.Enum) != len(crm.NotificationKeys()) {
				t.Errorf("%s: the path parameter key must list the %d notification keys", key, len(crm.NotificationKeys()))
			}
		}
		switch method {
		case "POST":
			want = append(want, "400", "409", "413")
			if params.GetByInAndName("header", "Idempotency-Key") == nil {
				t.Errorf("%s does not take Idempotency-Key", key)
			}
			success := oasPostSuccess[key]
			if success == nil {
				success = []string{"201"}
			}
			want = append(want, success...)
			for status := range op.Responses.Map() {
				if status[0] == '2' && !slices.Contains(success, status) {
					t.Errorf("%s documents %s; its successes are %v", key, status, success)
				}
			}
			if r := op.Responses.Status(201); r != nil && r.Value.Headers["Location"] == nil {
				t.Errorf("%s: 201 must have a Location header", key)
			}
		case "PATCH":
			want = append(want, "200", "400", "404", "412", "413")
			if params.GetByInAndName("header", "If-Match") == nil {
				t.Errorf("%s does not take If-Match", key)
			}
			if op.RequestBody == nil || !op.RequestBody.Value.Required {
				t.Errorf("%s needs a required request body", key)
			}
		case "DELETE":
			want = append(want, "204", "404")
			// A token has no version: it is created and revoked, never changed.
			if unversioned := strings.Contains(path, "{tokenId}"); !unversioned {
				want = append(want, "412")
				if params.GetByInAndName("header", "If-Match") == nil {
					t.Errorf("%s does not take If-Match", key)
				}
			}
		case "GET":
			want = append(want, "200")
		}
		for _, status := range want {
			if op.Responses.Value(status) == nil {
				t.Errorf("%s does not document status %s", key, status)
			}
		}
		if body := op.RequestBody; body != nil {
			s := body.Value.Content.Get("application/json").Schema.Value
			if !oasClosed(s) {
				t.Errorf("%s: the request body schema must set additionalProperties: false", key)
			}
		}
		for status, r := range op.Responses.Map() {
			if status[0] == '4' || status[0] == '5' {
				mt := r.Value.Content.Get("application/problem+json")
				if mt == nil || mt.Schema.Ref != "#/components/schemas/Problem" {
					t.Errorf("%s: response %s must be a Problem", key, status)
				}
			}
		}
	}
}

// oasCheckHookOperation checks a lead webhook's operation: public (no
// security at all, x-embudo-access public), tagged Lead intake, the token
// path parameter shaped like the tokens the API issues, and the answers
// every such endpoint can give, failures as problems.
func oasCheckHookOperation(t *testing.T, doc *openapi3.T, key string, op *openapi3.Operation) {
	t.Helper()
	method, path, _ := strings.Cut(key, " ")
	if got := op.Extensions["x-embudo-access"]; got != "public" {
		t.Errorf("%s: x-embudo-access = %v, want public", key, got)
	}
	if op.Security == nil || len(*op.Security) != 0 {
		t.Errorf("%s: want security: [] (the URL token is the credential), got %v", key, op.Security)
	}
	if !slices.Equal(op.Tags, []string{"Lead intake"}) {
		t.Errorf("%s: tags %v, want [Lead intake]", key, op.Tags)
	}
	params := slices.Concat(doc.Paths.Value(path).Parameters, op.Parameters)
	if p := params.GetByInAndName("path", "token"); p == nil || p.Schema.Value.Pattern != "^whk_[A-Za-z0-9_-]{32}$" {
		t.Errorf("%s: the path parameter token must have the shape of an issued token", key)
	}
	want := []string{"404", "500"}
	switch method {
	case "POST":
		want = append(want, "200", "400", "413")
		if op.RequestBody == nil || !op.RequestBody.Value.Required {
			t.Errorf("%s needs a required request body", key)
		}
	case "OPTIONS":
		want = append(want, "204", "403")
	case "GET":
		want = append(want, "200", "403")
	}
	for _, status := range want {
		if op.Responses.Value(status) == nil {
			t.Errorf("%s does not document status %s", key, status)
		}
	}
	for status, r := range op.Responses.Map() {
		if status[0] == '4' || status[0] == '5' {
			mt := r.Value.Content.Get("application/problem+json")
			if mt == nil || mt.Schema.Ref != "#/components/schemas/Problem" {
				t.Errorf("%s: response %s must be a Problem", key, status)
			}
		}
	}
}

// oasPostSuccess lists the POSTs whose success is not (only) 201 Created:
// actions on existing resources answer 200.
var oasPostSuccess = map[string][]string{
	"POST /v1/contacts/{id}/convert":    {"200", "201"}, // 200: converted before
	"POST /v1/quotes/{id}/accept":       {"200"},
	"POST /v1/opportunities:bulk-state": {"200"},
	"POST /v1/files/{id}/complete":      {"200"},
	"POST /v1/contacts:import":          {"200"},
}

// oasClosed reports whether s (or one of its allOf parts) forbids unknown
// properties.
func oasClosed(s *openapi3.Schema) bool {
	if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
		return true
	}
	for _, part := range s.AllOf {
		if oasClosed(part.Value) {
			return true
		}
	}
	return false
}

// oasReq says what the document must think of a request.
type oasReq int

const (
	oasOK  oasReq = iota // the request must match the document
	oasBad               // the document must reject it too (bad input the schema can express)
	oasAny               // not checked (e.g. bodies left out of an auth sweep)
)

// oasChecker sends requests to the real API and validates each request and
// response against the document.
type oasChecker struct {
	t      *testing.T
	e      *env
	doc    *openapi3.T
	router routers.Router
	seen   map[string]map[int]bool // "METHOD /path" -> statuses answered
	// hooksURL is the lead webhooks' server, for hook.
	hooksURL string
}

func newOASChecker(t *testing.T, e *env) *oasChecker {
	doc := oasLoad(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &oasChecker{t: t, e: e, doc: doc, router: router, seen: map[string]map[int]bool{}}
}

// oasBearer stands for the API's authentication in request validation: it
// checks that a bearer token is sent, not that it is valid.
func oasBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme, secret, ok := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return errors.New("no bearer token")
	}
	return nil
}

// call sends one request with token ("" for none), checks that the answer
// has status want, and validates request and response against the document.
func (c *oasChecker) call(check oasReq, want int, token, method, path string, body any, headers ...string) response {
	t := c.t
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}

	// The request as the document sees it: the one e.do sends.
	req, err := http.NewRequest(method, c.e.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.validate(check, want, req, func() response { return c.e.do(method, path, token, body, headers...) })
}

// validate checks req against the document as check says, sends it with
// send, checks that the answer has status want, and validates the answer.
func (c *oasChecker) validate(check oasReq, want int, req *http.Request, send func() response) response {
	t := c.t
	t.Helper()
	method, path := req.Method, req.URL.RequestURI()
	route, pathParams, err := c.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no operation in openapi.json: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: oasBearer, SkipSettingDefaults: true},
	}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case check == oasOK && reqErr != nil:
		t.Errorf("%s %s: the request does not match openapi.json: %v", method, path, reqErr)
	case check == oasBad && reqErr == nil:
		t.Errorf("%s %s: openapi.json accepts a request the API must refuse", method, path)
	}

	res := send()
	if res.Status != want {
		t.Errorf("%s %s = %d, want %d: %s", method, path, res.Status, want, res.Body)
	}
	key := route.Method + " " + route.Path
	if c.seen[key] == nil {
		c.seen[key] = map[int]bool{}
	}
	c.seen[key][res.Status] = true

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: the %d response does not match openapi.json: %v\nbody: %s", method, path, res.Status, err, res.Body)
	} else if len(res.Body) > 0 {
		c.noUndocumented(route.Operation, res, method+" "+path)
	}
	return res
}

// noUndocumented fails the test for any property of the response body that
// its schema does not declare: the document's response schemas stay open
// for evolution, but must describe everything the API sends today.
func (c *oasChecker) noUndocumented(op *openapi3.Operation, res response, what string) {
	c.t.Helper()
	r := op.Responses.Status(res.Status)
	if r == nil {
		return
	}
	ct := res.Header.Get("Content-Type")
	mt := r.Value.Content.Get(ct)
	if mt == nil || mt.Schema == nil || !strings.Contains(ct, "json") {
		return
	}
	var v any
	if err := json.Unmarshal(res.Body, &v); err != nil {
		c.t.Errorf("%s: body is not JSON: %v", what, err)
		return
	}
	for _, p := range oasExtra(mt.Schema.Value, v, "") {
		c.t.Errorf("%s: the response has %s, which openapi.json does not declare", what, p)
	}
}

// oasExtra returns the paths of the properties of v that s does not declare.
func oasExtra(s *openapi3.Schema, v any, at string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.Schema{}
		var additional *openapi3.Schema
		for _, part := range append([]*openapi3.Schema{s}, oasParts(s.AllOf)...) {
			for name, p := range part.Properties {
				props[name] = p.Value
			}
			if part.AdditionalProperties.Schema != nil {
				additional = part.AdditionalProperties.Schema.Value
			}
		}
		if len(props) == 0 && additional == nil {
			return nil // a free-form object
		}
		for name, val := range v {
			switch {
			case props[name] != nil:
				out = append(out, oasExtra(props[name], val, at+"."+name)...)
			case additional != nil:
				out = append(out, oasExtra(additional, val, at+"."+name)...)
			default:
				out = append(out, at+"."+name)
			}
		}
	case []any:
		if s.Items != nil {
			for i, item := range v {
				out = append(out, oasExtra(s.Items.Value, item, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return out
}

func oasParts(refs openapi3.SchemaRefs) []*openapi3.Schema {
	out := make([]*openapi3.Schema, len(refs))
	for i, r := range refs {
		out[i] = r.Value
	}
	return out
}

func oasJSON(t *testing.T, res response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(res.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, res.Body)
	}
	return m
}

func oasItems(t *testing.T, res response) []map[string]any {
	t.Helper()
	var l struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(res.Body, &l); err != nil {
		t.Fatalf("body is not a list: %v: %s", err, res.Body)
	}
	return l.Items
}

func oasID(t *testing.T, res response) string {
	t.Helper()
	id, _ := oasJSON(t, res)["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", res.Body)
	}
	return id
}

// TestOpenAPIConformance drives every operation through the real handler,
// with successes and the main failures, and validates each request and
// response against openapi.json.
func TestOpenAPIConformance(t *testing.T) {
	t.Parallel()
	c := newOASChecker(t, newEnv(t))
	e := c.e
	staff, admin := e.staffToken, adminToken
	newID := func() string { return crm.NewID(time.Now()) }
	routes := httpapi.New(e.svc, httpapi.Options{}).Routes()
	patterns := make([]string, 0, len(routes))
	for p := range routes {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	fill := func(path, id, key string) string {
		return strings.NewReplacer("{id}", id, "{tokenId}", id, "{key}", key).Replace(path)
	}

	// --- meta
	c.call(oasOK, 200, "", "GET", "/healthz", nil)
	if res := c.call(oasOK, 200, "", "GET", "/openapi.json", nil); !bytes.Equal(res.Body, httpapi.OpenAPI()) {
		t.Error("GET /openapi.json does not serve httpapi.OpenAPI()")
	}

	// --- authentication and roles, on every route
	for _, p := range patterns {
		method, path, _ := strings.Cut(p, " ")
		path = fill(path, newID(), crm.NotifyNote)
		switch routes[p] {
		case "public":
			continue
		case "admin":
			c.call(oasAny, 403, staff, method, path, nil)
		}
		c.call(oasBad, 401, "", method, path, nil)
		c.call(oasAny, 401, "not-a-token-of-this-api", method, path, nil)
	}
	// A malformed Authorization header is a 401 too.
	c.call(oasBad, 401, "", "GET", "/v1/contacts", nil, "Authorization", "Basic YTpi")

	// --- missing and malformed IDs, on every route that takes one
	for _, p := range patterns {
		method, path, _ := strings.Cut(p, " ")
		var body any
		switch {
		case method == "PATCH":
			body = map[string]any{}
		case strings.HasSuffix(path, "/convert"):
			body = map[string]any{"to": "client"}
		case method == "POST" && strings.HasSuffix(path, "/notes"):
			body = map[string]any{"text": "On nothing"}
		case method == "POST" && strings.HasSuffix(path, "/files"):
			body = map[string]any{"name": "on-nothing.pdf", "size": 1}
		}
		switch {
		case strings.Contains(path, "{id}"):
			c.call(oasOK, 404, admin, method, fill(path, newID(), ""), body)
			c.call(oasBad, 400, admin, method, fill(path, "not-a-ulid", ""), body)
		case strings.Contains(path, "{key}"):
			c.call(oasBad, 404, admin, method, fill(path, "", "no-such-key"), body)
		}
	}

	// --- catalogs, which contacts refer to
	src := c.call(oasOK, 201, admin, "POST", "/v1/sources", map[string]any{"name": "Feria 2026", "costCents": 150000})
	sourceID := oasID(t, src)
	if loc := src.Header.Get("Location"); loc != "/v1/sources/"+sourceID {
		t.Errorf("Location = %q, want /v1/sources/%s", loc, sourceID)
	}
	c.call(oasOK, 403, staff, "POST", "/v1/sources", map[string]any{"name": "Staff cannot"})
	c.call(oasBad, 400, admin, "POST", "/v1/sources", map[string]any{"observations": "no name"})
	c.call(oasBad, 400, admin, "POST", "/v1/sources", map[string]any{"name": "Negative", "costCents": -1})
	c.call(oasBad, 400, admin, "POST", "/v1/sources", map[string]any{"name": "X", "costCents": "ten"})
	c.call(oasOK, 200, staff, "GET", "/v1/sources/"+sourceID, nil)
	c.call(oasOK, 200, staff, "GET", "/v1/sources", nil)
	c.call(oasOK, 200, staff, "GET", "/v1/sources?limit=1", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/sources?limit=-1", nil)
	c.call(oasAny, 400, staff, "GET", "/v1/sources?sort=name", nil)
	c.call(oasOK, 403, staff, "PATCH", "/v1/sources/"+sourceID, map[string]any{"costCents": 1})
	c.call(oasOK, 200, admin, "PATCH", "/v1/sources/"+sourceID, map[string]any{"costCents": 160000}, "If-Match", `"1"`)
	c.call(oasOK, 412, admin, "PATCH", "/v1/sources/"+sourceID, map[string]any{"costCents": 1}, "If-Match", `"1"`)

	interest := c.call(oasOK, 201, admin, "POST", "/v1/interests", map[string]any{"name": "Cocinas", "observations": "kitchens"})
	interestID := oasID(t, interest)
	c.call(oasOK, 409, admin, "POST", "/v1/interests", map[string]any{"name": "COCINAS"})
	c.call(oasOK, 200, staff, "GET", "/v1/interests/"+interestID, nil)
	c.call(oasOK, 200, staff, "GET", "/v1/interests", nil)
	c.call(oasOK, 200, admin, "PATCH", "/v1/interests/"+interestID, map[string]any{"observations": "and bathrooms"})
	c.call(oasBad, 400, admin, "PATCH", "/v1/interests/"+interestID, map[string]any{"name": ""})
	c.call(oasBad, 400, admin, "PATCH", "/v1/interests/"+interestID, map[string]any{"nmae": "typo"})

	agent := c.call(oasOK, 201, admin, "POST", "/v1/agents", map[string]any{"code": "ag-1", "name": "Marta", "email": "Marta@Example.com"})
	agentID := oasID(t, agent)
	if m := oasJSON(t, agent); m["code"] != "AG-1" || m["active"] != true || m["email"] != "marta@example.com" {
		t.Errorf("agent not normalised: %s", agent.Body)
	}
	c.call(oasOK, 409, admin, "POST", "/v1/agents", map[string]any{"code": "AG-1", "name": "Other"})
	c.call(oasBad, 400, admin, "POST", "/v1/agents", map[string]any{"name": "No code"})
	c.call(oasBad, 400, admin, "POST", "/v1/agents", map[string]any{"code": "has space", "name": "Bad code"})
	c.call(oasOK, 400, admin, "POST", "/v1/agents", map[string]any{"code": "AG-2", "name": "Bad mail", "email": "not-an-email"})
	c.call(oasOK, 200, staff, "GET", "/v1/agents/"+agentID, nil)
	c.call(oasOK, 200, staff, "GET", "/v1/agents", nil)
	c.call(oasOK, 200, admin, "PATCH", "/v1/agents/"+agentID, map[string]any{"active": false}, "If-Match", "*")

	// --- contacts
	contactBody := map[string]any{
		"name": "Ana", "surname": "García", "company": "Cocinas Ana", "jobTitle": "CEO",
		"email": "  Ana@Example.COM ", "phone": "600 123 456", "taxId": "b12345678", "web": "https://ana.example.com",
		"address":      map[string]any{"street": "Calle Mayor 1", "postalCode": "28001", "city": "Madrid", "country": "es"},
		"observations": "met at the fair", "sourceId": sourceID, "interestIds": []string{interestID, interestID},
		"agentId": agentID, "marketingConsent": true, "lang": "en",
		"attribution": map[string]any{"utmSource": "google", "utmMedium": "cpc", "landingPage": "https://example.com/kitchens"},
	}
	ana := c.call(oasOK, 201, staff, "POST", "/v1/contacts", contactBody, "Idempotency-Key", "create-ana")
	anaID := oasID(t, ana)
	if m := oasJSON(t, ana); m["email"] != "ana@example.com" || m["phone"] != "+34600123456" || m["taxId"] != "B12345678" ||
		m["address"].(map[string]any)["country"] != "ES" || len(m["interestIds"].([]any)) != 1 {
		t.Errorf("contact not normalised: %s", ana.Body)
	}
	if loc, tag := ana.Header.Get("Location"), ana.Header.Get("ETag"); loc != "/v1/contacts/"+anaID || tag != `"1"` {
		t.Errorf("Location %q, ETag %q", loc, tag)
	}
	// The same POST again is answered from the idempotency record.
	replay := c.call(oasOK, 201, staff, "POST", "/v1/contacts", contactBody, "Idempotency-Key", "create-ana")
	if replay.Header.Get("ETag") != `"1"` {
		t.Errorf("replay lost the ETag: %v", replay.Header)
	}
	if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, ana.Body) {
		t.Errorf("retry with the same Idempotency-Key was not replayed: %v %s", replay.Header, replay.Body)
	}
	c.call(oasOK, 409, staff, "POST", "/v1/contacts", map[string]any{"name": "Other"}, "Idempotency-Key", "create-ana")
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", map[string]any{"name": "Key"}, "Idempotency-Key", strings.Repeat("k", 256))
	dup := c.call(oasOK, 409, staff, "POST", "/v1/contacts", map[string]any{"name": "Ana bis", "email": "ana@example.com"})
	if p := oasJSON(t, dup); p["existingId"] != anaID || p["code"] != "conflict" {
		t.Errorf("duplicate e-mail: want existingId %s: %s", anaID, dup.Body)
	}
	c.call(oasOK, 409, staff, "POST", "/v1/contacts", map[string]any{"name": "Ana tris", "phone": "+34 600 12 34 56"})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", map[string]any{"surname": "Nameless"})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", map[string]any{"name": "X", "favouriteColour": "blue"})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", map[string]any{"name": 5})
	// Text the schemas do not refuse: a terminal escape, bytes that are not UTF-8.
	c.call(oasAny, 400, staff, "POST", "/v1/contacts", map[string]any{"name": "Ana\x1b]0;PWNED\x07"})
	c.call(oasAny, 400, staff, "POST", "/v1/contacts", "{\"name\":\"Jos\xe9\"}")
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", map[string]any{"name": "X", "address": map[string]any{"planet": "Mars"}})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", map[string]any{"name": "X", "interestIds": []string{"nope"}})
	c.call(oasOK, 400, staff, "POST", "/v1/contacts", map[string]any{"name": "X", "email": "not-an-email"})
	c.call(oasOK, 400, staff, "POST", "/v1/contacts", map[string]any{"name": "X", "sourceId": newID()})
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", "{not json")
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", "[]")
	c.call(oasBad, 400, staff, "POST", "/v1/contacts", `{"name":"X"}`, "Content-Type", "text/plain")
	c.call(oasBad, 413, staff, "POST", "/v1/contacts", map[string]any{"name": "Big", "observations": strings.Repeat("a", httpapi.MaxBodyBytes)})

	c.call(oasOK, 200, staff, "GET", "/v1/contacts/"+anaID, nil)
	for _, q := range []string{"", "?sourceId=" + sourceID, "?agentId=" + agentID, "?interestId=" + interestID,
		"?kind=none", "?email=ANA@example.com", "?phone=" + url.QueryEscape("+34600123456"), "?q=ana%20garc",
		"?kind=none&q=ANA&limit=10"} {
		res := c.call(oasOK, 200, staff, "GET", "/v1/contacts"+q, nil)
		if items := oasItems(t, res); len(items) != 1 || items[0]["id"] != anaID {
			t.Errorf("GET /v1/contacts%s: want just Ana: %s", q, res.Body)
		}
	}
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts?kind=client", nil)); len(items) != 0 {
		t.Errorf("kind=client: want none, got %d", len(items))
	}
	c.call(oasBad, 400, staff, "GET", "/v1/contacts?kind=lead", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/contacts?limit=201", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/contacts?limit=ten", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/contacts?sourceId=nope", nil)
	c.call(oasOK, 400, staff, "GET", "/v1/contacts?email=not-an-email", nil)
	c.call(oasAny, 400, staff, "GET", "/v1/contacts?sourceID="+sourceID, nil)

	// Pagination.
	bea := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/contacts", map[string]any{"name": "Bea", "email": "bea@example.com"}))
	c.call(oasOK, 201, staff, "POST", "/v1/contacts", map[string]any{"name": "Carlos"})
	first := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts?limit=2", nil))
	cursor, _ := first["nextCursor"].(string)
	if cursor == "" {
		t.Fatalf("limit=2 of 3 contacts: no nextCursor: %v", first)
	}
	last := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts?limit=2&cursor="+url.QueryEscape(cursor), nil))
	if _, more := last["nextCursor"]; more || len(last["items"].([]any)) != 1 {
		t.Errorf("second page: want 1 item and no nextCursor: %v", last)
	}

	// Updates.
	up := c.call(oasOK, 200, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"surname": "Pérez", "address": map[string]any{"city": "Toledo"}}, "If-Match", `"1"`)
	if m := oasJSON(t, up); m["surname"] != "Pérez" || m["address"].(map[string]any)["country"] != "ES" || up.Header.Get("ETag") != `"2"` {
		t.Errorf("PATCH: want surname changed, country kept and ETag \"2\": %v %s", up.Header, up.Body)
	}
	c.call(oasOK, 412, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"surname": "Stale"}, "If-Match", `"1"`)
	c.call(oasOK, 200, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"company": "Weak"}, "If-Match", `W/"2"`)
	c.call(oasBad, 400, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"company": "X"}, "If-Match", "3")
	c.call(oasOK, 409, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"email": "bea@example.com"})
	c.call(oasBad, 400, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"name": ""})
	c.call(oasBad, 400, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"clientId": newID()})
	c.call(oasBad, 400, staff, "PATCH", "/v1/contacts/"+anaID, nil)
	c.call(oasBad, 400, staff, "PATCH", "/v1/contacts/"+anaID, map[string]any{"lang": "fr"})

	// Catalog entries in use cannot go.
	c.call(oasOK, 409, admin, "DELETE", "/v1/sources/"+sourceID, nil)
	c.call(oasOK, 409, admin, "DELETE", "/v1/interests/"+interestID, nil)
	c.call(oasOK, 409, admin, "DELETE", "/v1/agents/"+agentID, nil)
	c.call(oasOK, 403, staff, "DELETE", "/v1/sources/"+sourceID, nil)

	c.call(oasOK, 412, staff, "DELETE", "/v1/contacts/"+anaID, nil, "If-Match", `"1"`)
	c.call(oasBad, 400, staff, "DELETE", "/v1/contacts/"+anaID, nil, "If-Match", "latest")
	c.call(oasOK, 204, staff, "DELETE", "/v1/contacts/"+anaID, nil, "If-Match", `"3"`)
	c.call(oasOK, 404, staff, "GET", "/v1/contacts/"+anaID, nil)
	c.call(oasOK, 204, staff, "DELETE", "/v1/contacts/"+bea, nil)

	c.call(oasOK, 412, admin, "DELETE", "/v1/sources/"+sourceID, nil, "If-Match", `"1"`)
	c.call(oasOK, 204, admin, "DELETE", "/v1/sources/"+sourceID, nil, "If-Match", `"2"`)
	c.call(oasOK, 204, admin, "DELETE", "/v1/interests/"+interestID, nil)
	c.call(oasOK, 204, admin, "DELETE", "/v1/agents/"+agentID, nil)
	c.call(oasOK, 404, admin, "DELETE", "/v1/agents/"+agentID, nil)

	// --- pipeline states
	states := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/states", nil))
	if len(states) != len(crm.SeedStates()) {
		t.Fatalf("want the %d seeded states, got %d", len(crm.SeedStates()), len(states))
	}
	c.call(oasOK, 200, staff, "GET", "/v1/states?limit=1", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/states?limit=500", nil)
	var defaultID, wonID string
	for _, s := range states {
		if s["default"] == true {
			defaultID = s["id"].(string)
		}
		if s["outcome"] == "won" {
			wonID = s["id"].(string)
		}
	}
	c.call(oasOK, 200, staff, "GET", "/v1/states/"+wonID, nil)
	demo := c.call(oasOK, 201, admin, "POST", "/v1/states", map[string]any{"name": "Demo", "color": "#AABBCC", "order": 105})
	demoID := oasID(t, demo)
	if m := oasJSON(t, demo); m["color"] != "#aabbcc" || m["outcome"] != "open" || m["showTab"] != true {
		t.Errorf("state defaults: %s", demo.Body)
	}
	c.call(oasOK, 400, admin, "POST", "/v1/states", map[string]any{"name": "Won default", "outcome": "won", "default": true})
	c.call(oasBad, 400, admin, "POST", "/v1/states", map[string]any{"name": "Red", "color": "red"})
	c.call(oasBad, 400, admin, "POST", "/v1/states", map[string]any{"name": "Far", "order": -1})
	c.call(oasOK, 409, admin, "PATCH", "/v1/states/"+defaultID, map[string]any{"default": false})
	c.call(oasOK, 409, admin, "DELETE", "/v1/states/"+defaultID, nil)
	c.call(oasOK, 200, admin, "PATCH", "/v1/states/"+demoID, map[string]any{"default": true}, "If-Match", `"1"`)
	if m := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/states/"+defaultID, nil)); m["default"] != false {
		t.Errorf("the old default state kept its flag: %v", m)
	}
	c.call(oasOK, 200, admin, "PATCH", "/v1/states/"+defaultID, map[string]any{"default": true})
	c.call(oasOK, 412, admin, "DELETE", "/v1/states/"+demoID, nil, "If-Match", `"1"`)
	c.call(oasOK, 204, admin, "DELETE", "/v1/states/"+demoID, nil)

	// --- the sales pipeline: opportunities, quotes, clients and suppliers
	oasPipeline(c, states)

	// --- users and tokens
	c.call(oasOK, 200, admin, "GET", "/v1/users", nil)
	c.call(oasOK, 200, admin, "GET", "/v1/users?limit=1", nil)
	c.call(oasOK, 403, staff, "GET", "/v1/users", nil)
	c.call(oasOK, 200, admin, "GET", "/v1/inbound/rejected", nil)
	c.call(oasOK, 403, staff, "GET", "/v1/inbound/rejected", nil)
	bob := c.call(oasOK, 201, admin, "POST", "/v1/users", map[string]any{"name": "Bob", "email": "Bob@Example.com"})
	bobID := oasID(t, bob)
	if m := oasJSON(t, bob); m["role"] != "staff" || m["active"] != true || m["lang"] != "es" || m["email"] != "bob@example.com" {
		t.Errorf("user defaults: %s", bob.Body)
	}
	c.call(oasOK, 409, admin, "POST", "/v1/users", map[string]any{"name": "Bob 2", "email": "bob@example.com"})
	c.call(oasBad, 400, admin, "POST", "/v1/users", map[string]any{"name": "No mail"})
	c.call(oasBad, 400, admin, "POST", "/v1/users", map[string]any{"name": "Root", "email": "root@example.com", "role": "root"})
	c.call(oasOK, 200, admin, "GET", "/v1/users/"+bobID, nil)
	c.call(oasOK, 403, staff, "GET", "/v1/users/"+bobID, nil)
	c.call(oasOK, 200, admin, "PATCH", "/v1/users/"+bobID, map[string]any{"lang": "en", "role": "admin"}, "If-Match", `"1"`)
	c.call(oasOK, 409, admin, "PATCH", "/v1/users/"+e.admin.ID, map[string]any{"role": "staff"})
	c.call(oasOK, 409, admin, "DELETE", "/v1/users/"+e.admin.ID, nil)

	// A replay of an issued token is a 409 naming it: the secret is kept nowhere.
	script := oasJSON(t, c.call(oasOK, 201, admin, "POST", "/v1/users/"+bobID+"/tokens", map[string]any{"name": "script"}, "Idempotency-Key", "bob-script"))
	if p := oasJSON(t, c.call(oasOK, 409, admin, "POST", "/v1/users/"+bobID+"/tokens", map[string]any{"name": "script"}, "Idempotency-Key", "bob-script")); p["existingId"] != script["id"] {
		t.Errorf("the replay of an issued token: %v", p)
	}
	tok := c.call(oasOK, 201, admin, "POST", "/v1/users/"+bobID+"/tokens", map[string]any{"name": "laptop"})
	secret, _ := oasJSON(t, tok)["token"].(string)
	if tok.Header.Get("Location") != "/v1/users/"+bobID {
		t.Errorf("token Location = %q", tok.Header.Get("Location"))
	}
	c.call(oasOK, 201, admin, "POST", "/v1/users/"+bobID+"/tokens", nil)
	c.call(oasBad, 400, admin, "POST", "/v1/users/"+bobID+"/tokens", map[string]any{"label": "typo"})
	c.call(oasBad, 400, admin, "POST", "/v1/users/"+bobID+"/tokens", map[string]any{"name": strings.Repeat("n", 101)})
	c.call(oasOK, 200, secret, "GET", "/v1/users/"+bobID, nil) // Bob is an admin now
	bobs := oasItems(t, c.call(oasOK, 200, admin, "GET", "/v1/users/"+bobID+"/tokens", nil))
	if len(bobs) != 3 || bobs[1]["id"] != oasJSON(t, tok)["id"] || bobs[1]["lastUsedAt"] == nil || bobs[2]["lastUsedAt"] != nil {
		t.Errorf("Bob's tokens: %v", bobs)
	}
	c.call(oasOK, 200, admin, "GET", "/v1/users/"+bobID+"/tokens?limit=1", nil)
	c.call(oasOK, 204, admin, "DELETE", "/v1/users/"+bobID+"/tokens/"+bobs[2]["id"].(string), nil)
	c.call(oasOK, 404, admin, "DELETE", "/v1/users/"+bobID+"/tokens/"+bobs[2]["id"].(string), nil)
	c.call(oasOK, 204, admin, "DELETE", "/v1/users/"+bobID, nil, "If-Match", `"2"`)
	if m := oasJSON(t, c.call(oasOK, 200, admin, "GET", "/v1/users/"+bobID, nil)); m["active"] != false {
		t.Errorf("DELETE did not deactivate the user: %v", m)
	}
	c.call(oasOK, 401, secret, "GET", "/v1/contacts", nil)
	c.call(oasOK, 409, admin, "POST", "/v1/users/"+bobID+"/tokens", map[string]any{"name": "again"})
	c.call(oasOK, 412, admin, "PATCH", "/v1/users/"+bobID, map[string]any{"active": true}, "If-Match", `"2"`)

	// --- notification settings
	settings := oasItems(t, c.call(oasOK, 200, admin, "GET", "/v1/notification-settings", nil))
	if len(settings) != len(crm.NotificationKeys()) {
		t.Errorf("want %d settings, got %d", len(crm.NotificationKeys()), len(settings))
	}
	c.call(oasOK, 403, staff, "GET", "/v1/notification-settings", nil)
	c.call(oasAny, 400, admin, "GET", "/v1/notification-settings?enabled=true", nil)
	got := c.call(oasOK, 200, admin, "GET", "/v1/notification-settings/"+crm.NotifyNote, nil)
	tag := got.Header.Get("ETag")
	set := c.call(oasOK, 200, admin, "PATCH", "/v1/notification-settings/"+crm.NotifyNote,
		map[string]any{"enabled": false, "overrides": map[string]any{"en": map[string]any{"subject": "Reminder"}}}, "If-Match", tag)
	if m := oasJSON(t, set); m["enabled"] != false || m["overrides"].(map[string]any)["en"] == nil {
		t.Errorf("setting not updated: %s", set.Body)
	}
	c.call(oasOK, 412, admin, "PATCH", "/v1/notification-settings/"+crm.NotifyNote, map[string]any{"enabled": true}, "If-Match", tag)
	c.call(oasBad, 400, admin, "PATCH", "/v1/notification-settings/"+crm.NotifyNote, map[string]any{"overrides": map[string]any{"fr": map[string]any{"subject": "Rappel"}}})
	c.call(oasBad, 400, admin, "PATCH", "/v1/notification-settings/"+crm.NotifyNote, map[string]any{"enabled": "no"})
	c.call(oasBad, 400, admin, "PATCH", "/v1/notification-settings/"+crm.NotifyNote, map[string]any{"overrides": map[string]any{"en": map[string]any{"title": "x"}}})
	c.call(oasOK, 403, staff, "PATCH", "/v1/notification-settings/"+crm.NotifyNote, map[string]any{"enabled": true})

	// --- the lead webhooks and their settings
	oasHooks(c)

	// --- notes, reminders and the contact timeline
	oasNotes(c)

	// --- files on contacts and opportunities
	oasFiles(c)

	// --- the contacts import and the source report
	oasImport(c)
	oasReport(c)

	// --- coverage: every operation answered with success, and every
	// failure the suite is about was seen.
	all := map[int]bool{}
	for key := range oasOperations(c.doc) {
		ok := false
		for status := range c.seen[key] {
			all[status] = true
			ok = ok || status < 300
		}
		if !ok {
			t.Errorf("%s never succeeded in this test", key)
		}
	}
	for _, status := range []int{200, 201, 204, 400, 401, 403, 404, 409, 412, 413} {
		if !all[status] {
			t.Errorf("no operation answered %d in this test", status)
		}
	}
}

// hook sends one request to the lead webhooks (the server at c.hooksURL),
// with the body and Content-Type as given and redirects not followed, and
// validates request and answer against the document like call.
func (c *oasChecker) hook(check oasReq, want int, method, path, contentType string, body []byte, headers ...string) response {
	c.t.Helper()
	build := func() *http.Request {
		req, err := http.NewRequest(method, c.hooksURL+path, bytes.NewReader(body))
		if err != nil {
			c.t.Fatal(err)
		}
		if body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return req
	}
	return c.validate(check, want, build(), func() response { return oasSend(c.t, build()) })
}

// oasSend sends req without following redirects.
func oasSend(t *testing.T, req *http.Request) response {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

// oasGraph stands for the Graph API: leadgen ID -> the lead's JSON; an ID
// it does not know is gone (not_found), "fail" is a Graph API that keeps
// failing, and any access token but page-token is refused.
type oasGraph map[string]string

func (g oasGraph) FetchLead(_ context.Context, leadgenID, accessToken string) ([]byte, error) {
	if accessToken != "page-token" {
		return nil, crm.Unauthorized("the access token is not valid")
	}
	switch lead, ok := g[leadgenID]; {
	case !ok:
		return nil, crm.NotFound("lead")
	case lead == "fail":
		return nil, crm.Internal(errors.New("graph API unavailable"))
	default:
		return []byte(lead), nil
	}
}

// oasProblemFields returns the fields of a problem response.
func oasProblemFields(t *testing.T, res response) map[string]any {
	t.Helper()
	f, _ := oasJSON(t, res)["fields"].(map[string]any)
	return f
}

// TestOpenAPIUnseededSettings checks the settings of a store that was never
// seeded: defaults with version 0 and a null updatedAt.
func TestOpenAPIUnseededSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tbl := dynamotest.New(t)
	st := dynamo.New(tbl.Client, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	admin, err := svc.CreateUser(ctx, crm.User{Name: "Admin", Email: "admin@example.com", Role: crm.RoleAdmin, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc.IssueToken(ctx, admin.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Options{TokenCacheTTL: -1, Idempotency: st}))
	t.Cleanup(srv.Close)
	c := newOASChecker(t, &env{t: t, srv: srv, tbl: tbl, svc: svc, store: st, admin: admin})

	for _, s := range oasItems(t, c.call(oasOK, 200, secret, "GET", "/v1/notification-settings", nil)) {
		if s["updatedAt"] != nil || s["version"] != float64(0) || s["enabled"] != true {
			t.Errorf("a never-written setting: want enabled, version 0 and updatedAt null: %v", s)
		}
	}
	c.call(oasOK, 200, secret, "GET", "/v1/notification-settings/"+crm.NotifyNewContactAgent, nil)
	res := c.call(oasOK, 200, secret, "PATCH", "/v1/notification-settings/"+crm.NotifyNewContactAgent, map[string]any{"enabled": false})
	if m := oasJSON(t, res); m["updatedAt"] == nil || m["version"] != float64(1) {
		t.Errorf("a written setting: want version 1 and a time: %s", res.Body)
	}
}

// oasNotes drives the notes on every kind of parent, a note's reading,
// change and deletion, the reminders list and the contact timeline (empty
// here: no change stream runs in this test), with their successes and main
// failures.
func oasNotes(c *oasChecker) {
	t, e := c.t, c.e
	t.Helper()
	staff, admin := e.staffToken, adminToken
	newID := func() string { return crm.NewID(time.Now()) }
	olgaID := oasID(t, c.call(oasOK, 201, admin, "POST", "/v1/users", map[string]any{"name": "Olga", "email": "olga.notes@example.com"}))
	olga, _ := oasJSON(t, c.call(oasOK, 201, admin, "POST", "/v1/users/"+olgaID+"/tokens", map[string]any{"name": "notes"}))["token"].(string)
	ventanas := oasID(t, c.call(oasOK, 201, admin, "POST", "/v1/interests", map[string]any{"name": "Ventanas"}))
	eva := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/contacts", map[string]any{"name": "Eva", "surname": "Notas"}))
	opp := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/opportunities", map[string]any{"contactId": eva, "description": "Ventanas nuevas"}))
	quote := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/opportunities/"+opp+"/quotes", nil))
	client := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/clients", map[string]any{"name": "Ventanas Eva SL"}))
	supplier := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/suppliers", map[string]any{"name": "Cristales SL"}))

	// Notes on each kind of parent: create (with a replay), list, page.
	for i, base := range []string{"/v1/contacts/" + eva, "/v1/opportunities/" + opp, "/v1/clients/" + client, "/v1/suppliers/" + supplier, "/v1/quotes/" + quote} {
		notes := base + "/notes"
		key := fmt.Sprintf("note-%d", i)
		body := map[string]any{"text": "Llamar", "avisoAt": fmt.Sprintf("2030-01-0%d", i+1)}
		res := c.call(oasOK, 201, staff, "POST", notes, body, "Idempotency-Key", key)
		nid := oasID(t, res)
		if loc := res.Header.Get("Location"); loc != "/v1/notes/"+nid {
			t.Errorf("note Location %q", loc)
		}
		if m := oasJSON(t, res); m["visibility"] != "team" || m["avisoAt"] != fmt.Sprintf("2030-01-0%dT08:00:00Z", i+1) {
			t.Errorf("note on %s: %s", base, res.Body)
		}
		if r := c.call(oasOK, 201, staff, "POST", notes, body, "Idempotency-Key", key); r.Header.Get("Idempotent-Replayed") != "true" || oasID(t, r) != nid {
			t.Errorf("note POST not replayed: %v %s", r.Header, r.Body)
		}
		c.call(oasOK, 409, staff, "POST", notes, map[string]any{"text": "Otra"}, "Idempotency-Key", key)
		c.call(oasOK, 201, staff, "POST", notes, map[string]any{"text": "Solo para mí", "visibility": "private"})
		if items := oasItems(t, c.call(oasOK, 200, staff, "GET", notes, nil)); len(items) != 2 {
			t.Errorf("the author lists %d notes on %s, want 2", len(items), base)
		}
		if items := oasItems(t, c.call(oasOK, 200, olga, "GET", notes, nil)); len(items) != 1 || items[0]["id"] != nid {
			t.Errorf("another user lists %v on %s, want just the team note", items, base)
		}
		if m := oasJSON(t, c.call(oasOK, 200, staff, "GET", notes+"?limit=1", nil)); m["nextCursor"] == nil {
			t.Errorf("limit=1 of 2 notes: no nextCursor: %v", m)
		}
		c.call(oasBad, 400, staff, "GET", notes+"?limit=0", nil)
		c.call(oasAny, 400, staff, "GET", notes+"?visibility=team", nil)
	}

	// Bad notes.
	cn := "/v1/contacts/" + eva + "/notes"
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{})
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{"text": "X", "visibility": "secret"})
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{"text": "X", "avisoAt": "mañana"})
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{"text": strings.Repeat("a", 20001)})
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{"text": "X", "texto": "Y"})
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{"text": "X", "remindAll": "yes"})
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{"text": "X", "interestId": "nope"})
	c.call(oasBad, 400, staff, "POST", cn, map[string]any{"text": "X", "notifiedAt": "2030-01-01T00:00:00Z"})
	c.call(oasOK, 400, staff, "POST", cn, map[string]any{"text": "X", "visibility": "private", "remindAll": true})
	c.call(oasOK, 400, staff, "POST", cn, map[string]any{"text": "   "})
	c.call(oasOK, 400, staff, "POST", cn, map[string]any{"text": "X", "avisoAt": "2030-02-30"})
	c.call(oasOK, 400, staff, "POST", cn, map[string]any{"text": "X", "interestId": newID()})
	c.call(oasBad, 413, staff, "POST", cn, map[string]any{"text": strings.Repeat("a", httpapi.MaxBodyBytes)})
	c.call(oasOK, 404, staff, "POST", "/v1/clients/"+eva+"/notes", map[string]any{"text": "X"}) // a contact is no client
	c.call(oasOK, 404, staff, "GET", "/v1/quotes/"+opp+"/notes", nil)

	// One note with everything, read by another user, changed, reminded.
	full := c.call(oasOK, 201, staff, "POST", cn, map[string]any{"text": " Visita a obra ", "visibility": "team", "avisoAt": "2030-03-02",
		"remindAll": true, "interestId": ventanas})
	fullID := oasID(t, full)
	if m := oasJSON(t, full); m["text"] != "Visita a obra" || m["avisoAt"] != "2030-03-02T08:00:00Z" || m["remindAll"] != true ||
		m["interestId"] != ventanas || m["contactId"] != eva || m["parentKind"] != "contact" || m["notifiedAt"] != nil {
		t.Errorf("full note: %s", full.Body)
	}
	if ids := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts/"+eva, nil))["interestIds"].([]any); !slices.Contains(ids, any(ventanas)) {
		t.Errorf("the note's interest was not linked to its contact: %v", ids)
	}
	path := "/v1/notes/" + fullID
	if r := c.call(oasOK, 200, olga, "GET", path, nil); r.Header.Get("ETag") != `"1"` {
		t.Errorf("GET note ETag %q", r.Header.Get("ETag"))
	}
	c.call(oasOK, 403, olga, "PATCH", path, map[string]any{"text": "Mía"})
	up := c.call(oasOK, 200, staff, "PATCH", path, map[string]any{"text": "Visita confirmada", "avisoAt": "2030-03-02T10:00:00+01:00"}, "If-Match", `"1"`)
	if m := oasJSON(t, up); m["text"] != "Visita confirmada" || m["avisoAt"] != "2030-03-02T09:00:00Z" || m["remindAll"] != true || up.Header.Get("ETag") != `"2"` {
		t.Errorf("PATCH note: %v %s", up.Header, up.Body)
	}
	c.call(oasOK, 412, staff, "PATCH", path, map[string]any{"text": "Tarde"}, "If-Match", `"1"`)
	c.call(oasBad, 400, staff, "PATCH", path, map[string]any{"avisoAt": "mañana"})
	c.call(oasBad, 400, staff, "PATCH", path, map[string]any{"visibility": "secret"})
	c.call(oasBad, 400, staff, "PATCH", path, map[string]any{"text": ""})
	c.call(oasBad, 400, staff, "PATCH", path, map[string]any{"createdBy": olgaID})
	c.call(oasBad, 400, staff, "PATCH", path, nil)
	c.call(oasOK, 400, staff, "PATCH", path, map[string]any{"visibility": "private"}) // it still reminds everyone
	if m := oasJSON(t, c.call(oasOK, 200, admin, "PATCH", path, map[string]any{"avisoAt": nil, "text": "Visita confirmada (admin)"})); m["avisoAt"] != "2030-03-02T09:00:00Z" {
		t.Errorf("avisoAt null should keep the reminder: %v", m)
	}

	// Reminders: mine and everyone's, soonest first.
	rem := oasItems(t, c.call(oasOK, 200, olga, "GET", "/v1/reminders", nil))
	if len(rem) != 1 || rem[0]["id"] != fullID {
		t.Errorf("another user's reminders: %v, want just the note for everyone", rem)
	}
	mine := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/reminders", nil))
	if len(mine) != 6 || mine[5]["id"] != fullID {
		t.Errorf("the author's reminders: %d, want the 5 notes on the parents and the note for everyone last", len(mine))
	}
	for i := 1; i < len(mine); i++ {
		if a, b := mine[i-1]["avisoAt"].(string), mine[i]["avisoAt"].(string); a > b {
			t.Errorf("reminders not soonest first: %s before %s", a, b)
		}
	}
	c.call(oasOK, 200, staff, "GET", "/v1/reminders?limit=1", nil)
	c.call(oasBad, 400, staff, "GET", "/v1/reminders?limit=0", nil)
	c.call(oasAny, 400, staff, "GET", "/v1/reminders?mine=true", nil)
	if m := oasJSON(t, c.call(oasOK, 200, staff, "PATCH", path, map[string]any{"avisoAt": "", "remindAll": false})); m["avisoAt"] != nil || m["remindAll"] != false {
		t.Errorf("avisoAt \"\" should remove the reminder: %v", m)
	}
	if rem := oasItems(t, c.call(oasOK, 200, olga, "GET", "/v1/reminders", nil)); len(rem) != 0 {
		t.Errorf("a removed reminder is still listed: %v", rem)
	}

	// A private note is nobody else's, admins included.
	priv := oasID(t, c.call(oasOK, 201, staff, "POST", cn, map[string]any{"text": "Secreto", "visibility": "private"}))
	c.call(oasOK, 200, staff, "GET", "/v1/notes/"+priv, nil)
	c.call(oasOK, 404, admin, "GET", "/v1/notes/"+priv, nil)
	c.call(oasOK, 404, olga, "PATCH", "/v1/notes/"+priv, map[string]any{"text": "Leído"})
	c.call(oasOK, 404, admin, "DELETE", "/v1/notes/"+priv, nil)

	// The timeline: its shape and its failures (entries come from the stream).
	tl := "/v1/contacts/" + eva + "/timeline"
	c.call(oasOK, 200, staff, "GET", tl, nil)
	c.call(oasOK, 200, olga, "GET", tl+"?limit=5", nil)
	c.call(oasBad, 400, staff, "GET", tl+"?limit=0", nil)
	c.call(oasAny, 400, staff, "GET", tl+"?kind=note", nil)
	c.call(oasOK, 404, staff, "GET", "/v1/contacts/"+opp+"/timeline", nil) // an opportunity is no contact

	// Delete.
	c.call(oasOK, 403, olga, "DELETE", path, nil)
	c.call(oasOK, 412, staff, "DELETE", path, nil, "If-Match", `"1"`)
	c.call(oasBad, 400, staff, "DELETE", path, nil, "If-Match", "latest")
	c.call(oasOK, 204, admin, "DELETE", path, nil)
	c.call(oasOK, 404, staff, "GET", path, nil)
	c.call(oasOK, 404, staff, "DELETE", path, nil)
	c.call(oasOK, 204, staff, "DELETE", "/v1/notes/"+priv, nil, "If-Match", `"1"`)
}

// oasFiles drives the files on contacts and opportunities: announcing one
// (with a replay), the upload to its signed URL, completing it (before
// the upload, with bytes of another size, twice), listing, reading with a
// download URL and deleting, with the main failures.
func oasFiles(c *oasChecker) {
	t, e := c.t, c.e
	t.Helper()
	staff, admin := e.staffToken, adminToken
	newID := func() string { return crm.NewID(time.Now()) }
	lia := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/contacts", map[string]any{"name": "Lía", "surname": "Ficheros"}))
	opp := oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/opportunities", map[string]any{"contactId": lia, "description": "Armarios a medida"}))
	content := []byte("%PDF-1.7 propuesta de armarios")
	body := map[string]any{"name": "propuesta armarios.pdf", "contentType": "application/pdf", "size": len(content)}

	var fileIDs []string
	for i, base := range []string{"/v1/contacts/" + lia, "/v1/opportunities/" + opp} {
		files := base + "/files"
		key := fmt.Sprintf("file-%d", i)
		res := c.call(oasOK, 201, staff, "POST", files, body, "Idempotency-Key", key)
		fid := oasID(t, res)
		fileIDs = append(fileIDs, fid)
		if loc := res.Header.Get("Location"); loc != "/v1/files/"+fid {
			t.Errorf("file Location %q", loc)
		}
		f := oasJSON(t, res)
		if f["status"] != "pending" || f["contactId"] != lia || f["uploadUrl"] == nil {
			t.Errorf("new file on %s: %s", base, res.Body)
		}
		if r := c.call(oasOK, 201, staff, "POST", files, body, "Idempotency-Key", key); r.Header.Get("Idempotent-Replayed") != "true" || oasID(t, r) != fid {
			t.Errorf("file POST not replayed: %v %s", r.Header, r.Body)
		}
		c.call(oasOK, 409, staff, "POST", files, map[string]any{"name": "otra.pdf", "size": 1}, "Idempotency-Key", key)

		// Pending: not readable, not listed, not completable before the upload.
		path := "/v1/files/" + fid
		c.call(oasOK, 404, staff, "GET", path, nil)
		if items := oasItems(t, c.call(oasOK, 200, staff, "GET", files, nil)); len(items) != 0 {
			t.Errorf("a pending file is listed: %v", items)
		}
		if fl := oasProblemFields(t, c.call(oasOK, 400, staff, "POST", path+"/complete", nil)); fl["file"] == nil {
			t.Errorf("complete before the upload: want fields.file, got %v", fl)
		}
		if r := rawSend(t, http.MethodPut, str(t, f, "uploadUrl"), content, uploadHeaders(t, f)); r.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}

		done := c.call(oasOK, 200, staff, "POST", path+"/complete", nil, "Idempotency-Key", key+"-complete")
		if m := oasJSON(t, done); m["status"] != "complete" || done.Header.Get("ETag") != `"2"` {
			t.Errorf("complete: %v %s", done.Header, done.Body)
		}
		if r := c.call(oasOK, 200, admin, "POST", path+"/complete", nil); !bytes.Equal(r.Body, done.Body) {
			t.Errorf("completing again changed the file: %s, was %s", r.Body, done.Body)
		}
		c.call(oasBad, 400, staff, "POST", path+"/complete", nil, "Idempotency-Key", strings.Repeat("k", 256))

		if items := oasItems(t, c.call(oasOK, 200, staff, "GET", files, nil)); len(items) != 1 || items[0]["id"] != fid {
			t.Errorf("list of %s: want the completed file: %v", files, items)
		}
		c.call(oasOK, 200, admin, "GET", files+"?limit=1", nil)
		c.call(oasBad, 400, staff, "GET", files+"?limit=0", nil)
		c.call(oasAny, 400, staff, "GET", files+"?status=pending", nil)

		got := c.call(oasOK, 200, admin, "GET", path, nil)
		if got.Header.Get("ETag") != `"2"` {
			t.Errorf("GET file ETag %q", got.Header.Get("ETag"))
		}
		if dl := rawSend(t, http.MethodGet, str(t, oasJSON(t, got), "downloadUrl"), nil, nil); dl.Status != http.StatusOK || !bytes.Equal(dl.Body, content) {
			t.Errorf("download: %d %q", dl.Status, dl.Body)
		}
	}

	// Bad files.
	cf := "/v1/contacts/" + lia + "/files"
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": "sin-tamano.pdf"})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"size": 1})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": "grande.zip", "size": 25<<20 + 1})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": "vacio.txt", "size": 0})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": "x.txt", "size": "1"})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": "../x", "size": 1})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": `a\b.txt`, "size": 1})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": strings.Repeat("n", 256), "size": 1})
	c.call(oasBad, 400, staff, "POST", cf, map[string]any{"name": "x.txt", "size": 1, "status": "complete"})
	c.call(oasOK, 400, staff, "POST", cf, map[string]any{"name": "..", "size": 1})
	c.call(oasOK, 400, staff, "POST", cf, map[string]any{"name": "  ", "size": 1})
	c.call(oasOK, 400, staff, "POST", cf, map[string]any{"name": "x.pdf", "contentType": "pdf", "size": 1})
	c.call(oasBad, 400, staff, "POST", cf, "{not json")
	c.call(oasBad, 400, staff, "POST", cf, `{"name":"x.txt","size":1}`, "Content-Type", "text/plain")
	c.call(oasBad, 413, staff, "POST", cf, map[string]any{"name": "x.txt", "size": 1, "x": strings.Repeat("a", httpapi.MaxBodyBytes)})
	c.call(oasOK, 404, staff, "POST", "/v1/opportunities/"+lia+"/files", body) // a contact is no opportunity
	c.call(oasOK, 404, staff, "GET", "/v1/contacts/"+opp+"/files", nil)
	c.call(oasOK, 404, staff, "GET", "/v1/files/"+lia, nil)

	// Bytes of another size than announced: complete refuses them.
	short := c.call(oasOK, 201, staff, "POST", cf, map[string]any{"name": "corto.txt", "contentType": "text/plain", "size": 100})
	shortID := oasID(t, short)
	if err := os.MkdirAll(filepath.Dir(e.blobPath(shortID)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.blobPath(shortID), []byte("only 17 bytes ..."), 0o600); err != nil {
		t.Fatal(err)
	}
	if fl := oasProblemFields(t, c.call(oasOK, 400, staff, "POST", "/v1/files/"+shortID+"/complete", nil)); fl["size"] == nil {
		t.Errorf("complete with bytes of another size: want fields.size, got %v", fl)
	}
	c.call(oasOK, 404, staff, "GET", "/v1/files/"+shortID, nil)

	// Delete: complete and pending files alike.
	for _, fid := range append(fileIDs, shortID) {
		c.call(oasOK, 204, staff, "DELETE", "/v1/files/"+fid, nil)
		c.call(oasOK, 404, staff, "GET", "/v1/files/"+fid, nil)
		c.call(oasOK, 404, staff, "DELETE", "/v1/files/"+fid, nil)
		c.call(oasOK, 404, admin, "POST", "/v1/files/"+fid+"/complete", nil)
	}
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", cf, nil)); len(items) != 0 {
		t.Errorf("deleted files are listed: %v", items)
	}
	c.call(oasOK, 404, staff, "DELETE", "/v1/files/"+newID(), nil)
}
