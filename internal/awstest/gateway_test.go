package awstest

import (
	"encoding/base64"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// The gateway picks routes as API Gateway does: literal segments first, a
// greedy parameter only for one or more trailing segments.
func TestGatewayRoutes(t *testing.T) {
	g := &Gateway{}
	for _, key := range []string{"ANY /v1/{proxy+}", "GET /healthz", "ANY /hooks/{token}", "ANY /hooks/{token}/{kind}", "GET /v1/special"} {
		method, path, _ := strings.Cut(key, " ")
		g.routes = append(g.routes, route{key: key, method: method, segments: strings.Split(strings.Trim(path, "/"), "/")})
	}
	for _, c := range []struct{ method, path, want, params string }{
		{"GET", "/v1/contacts", "ANY /v1/{proxy+}", "map[proxy:contacts]"},
		{"POST", "/v1/contacts/01J/notes", "ANY /v1/{proxy+}", "map[proxy:contacts/01J/notes]"},
		{"GET", "/v1/special", "GET /v1/special", "map[]"},
		{"POST", "/v1/special", "ANY /v1/{proxy+}", "map[proxy:special]"},
		{"GET", "/healthz", "GET /healthz", "map[]"},
		{"POST", "/healthz", "", ""},
		{"GET", "/v1", "", ""},
		{"POST", "/hooks/whk_1", "ANY /hooks/{token}", "map[token:whk_1]"},
		{"POST", "/hooks/whk_1/meta", "ANY /hooks/{token}/{kind}", "map[kind:meta token:whk_1]"},
		{"POST", "/hooks/whk_1/meta/x", "", ""},
	} {
		r, params := g.match(c.method, c.path)
		got := ""
		if r != nil {
			got = r.key
		}
		if got != c.want || (r != nil && fmtMap(params) != c.params) {
			t.Errorf("%s %s: route %q %v, want %q %s", c.method, c.path, got, params, c.want, c.params)
		}
	}
}

func fmtMap(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+":"+m[k])
	}
	return "map[" + strings.Join(parts, " ") + "]"
}

// The event carries what API Gateway puts in a payload 2.0 event; a form
// body comes base64-encoded, JSON as text.
func TestGatewayEvent(t *testing.T) {
	g := &Gateway{ID: "abc123defg", Host: "abc123defg.execute-api.us-east-1.amazonaws.com"}
	r := &route{key: "ANY /hooks/{token}"}
	req := httptest.NewRequest("POST", "http://localhost/hooks/whk_1?gclid=x&a=1&a=2", strings.NewReader("nombre=Luc%C3%ADa"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "a=b")
	ev := g.event(req, r, map[string]string{"token": "whk_1"}, []byte("nombre=Luc%C3%ADa"))
	if ev.Version != "2.0" || ev.RouteKey != r.key || ev.RawPath != "/hooks/whk_1" || ev.RawQueryString != "gclid=x&a=1&a=2" ||
		ev.QueryStringParameters["a"] != "1,2" || ev.Headers["host"] != g.Host || ev.Headers["content-type"] != "application/x-www-form-urlencoded" ||
		ev.Cookies[0] != "a=b" || ev.Headers["cookie"] != "" || ev.RequestContext.APIID != g.ID || ev.RequestContext.HTTP.Method != "POST" ||
		ev.PathParameters["token"] != "whk_1" || ev.RequestContext.Stage != "$default" {
		t.Errorf("event %+v", ev)
	}
	if b, _ := base64.StdEncoding.DecodeString(ev.Body); !ev.IsBase64Encoded || string(b) != "nombre=Luc%C3%ADa" {
		t.Errorf("form body %q (base64 %v)", ev.Body, ev.IsBase64Encoded)
	}
	if time.Since(time.UnixMilli(ev.RequestContext.TimeEpoch)) > time.Minute {
		t.Errorf("timeEpoch %d", ev.RequestContext.TimeEpoch)
	}
	for ct, text := range map[string]bool{"application/json; charset=utf-8": true, "text/plain": true, "application/problem+json": true,
		"multipart/form-data; boundary=x": false, "application/pdf": false, "": false} {
		if isText(ct) != text {
			t.Errorf("isText(%q) = %v", ct, !text)
		}
	}
}
