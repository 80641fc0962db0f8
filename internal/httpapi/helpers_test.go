package httpapi_test

// Helpers shared by the API tests: goroutine-safe requests, problem checks,
// a snapshot of the whole table, and small builders.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// request is e.do without the testing.T, safe to call from goroutines.
func (e *env) request(method, path, token string, body any, headers ...string) (response, error) {
	return send(e.srv.URL, method, path, token, body, headers...)
}

// send sends a request to the server at base.
func send(base, method, path, token string, body any, headers ...string) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return response{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}, err
}

// staff_ sends a request with the staff user's token.
func (e *env) staff_(method, path string, body any, headers ...string) response {
	e.t.Helper()
	return e.do(method, path, e.staffToken, body, headers...)
}

// staffUser returns the staff user of the environment.
func (e *env) staffUser() crm.User {
	e.t.Helper()
	u, err := e.svc.Authenticate(context.Background(), e.staffToken)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// created creates a resource as admin (or with token, if given), checks the
// 201 and returns the body.
func (e *env) created(path string, body any) map[string]any {
	e.t.Helper()
	return e.createdAs(adminToken, path, body)
}

func (e *env) createdAs(token, path string, body any) map[string]any {
	e.t.Helper()
	res := e.do(http.MethodPost, path, token, body)
	if res.Status != http.StatusCreated {
		e.t.Fatalf("POST %s %v: status %d, want 201: %s", path, body, res.Status, res.Body)
	}
	return res.json(e.t)
}

// id returns the "id" of a decoded JSON object.
func id(m map[string]any) string {
	s, _ := m["id"].(string)
	return s
}

// unknownID is a well-formed ID that names nothing.
func unknownID() string { return crm.NewID(time.Now()) }

// problemBody is a decoded problem+json response.
type problemBody struct {
	Type       string            `json:"type"`
	Title      string            `json:"title"`
	Status     int               `json:"status"`
	Detail     string            `json:"detail"`
	Code       string            `json:"code"`
	Fields     map[string]string `json:"fields"`
	ExistingID string            `json:"existingId"`
}

// wantProblem checks that res is an application/problem+json response with
// status and code, whose fields name at least the given fields, and returns
// the problem.
func wantProblem(t *testing.T, res response, status int, code crm.Code, fields ...string) problemBody {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, res.Body)
	}
	var p problemBody
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatalf("problem body is not JSON: %v: %s", err, res.Body)
	}
	if p.Status != status || p.Code != string(code) {
		t.Fatalf("problem status %d code %q, want %d %q: %s", p.Status, p.Code, status, code, res.Body)
	}
	for _, f := range fields {
		if p.Fields[f] == "" {
			t.Fatalf("problem fields %v do not name %q: %s", p.Fields, f, res.Body)
		}
	}
	return p
}

// wantStatus checks the status of a successful response.
func wantStatus(t *testing.T, res response, status int) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
}

// snapshot returns every item of the table, each as canonical JSON, sorted.
// It is a test-only Scan, so that a test can prove a request wrote nothing.
func (e *env) snapshot() []string {
	e.t.Helper()
	var err error
	// A large Scan response from minidyn's HTTP server very rarely fails on
	// the client with "use of closed network connection" (about once in
	// ten thousand, with any http.Transport): read again before giving up.
	for range 5 {
		var out []string
		if out, err = e.scan(); err == nil {
			return out
		}
	}
	e.t.Fatalf("scan: %v", err)
	return nil
}

func (e *env) scan() ([]string, error) {
	var out []string
	var start map[string]types.AttributeValue
	for {
		res, err := e.tbl.Client.Scan(context.Background(), &dynamodb.ScanInput{
			TableName: aws.String(e.tbl.Name), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, err
		}
		for _, item := range res.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(item, &m); err != nil {
				return nil, err
			}
			if m["type"] == "TOKEN" {
				// A token's last use is the bookkeeping of authentication,
				// which any request with it may write (once an hour at
				// most), refused or not: not what a test compares.
				delete(m, "lastUsedAt")
			}
			b, err := json.Marshal(m) // map keys are sorted
			if err != nil {
				return nil, err
			}
			out = append(out, string(b))
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		start = res.LastEvaluatedKey
	}
	sort.Strings(out)
	return out, nil
}

// unchanged fails the test if the table differs from before.
func (e *env) unchanged(t *testing.T, before []string) {
	t.Helper()
	after := e.snapshot()
	if len(after) != len(before) {
		t.Errorf("the table has %d items, it had %d", len(after), len(before))
	}
	if slices.Equal(before, after) {
		return
	}
	for _, s := range after {
		if !slices.Contains(before, s) {
			t.Errorf("written: %s", s)
		}
	}
	for _, s := range before {
		if !slices.Contains(after, s) {
			t.Errorf("changed or deleted: %s", s)
		}
	}
	t.FailNow()
}

// listAll follows nextCursor through a list and returns every item.
func (e *env) listAll(token, path string) []map[string]any {
	e.t.Helper()
	var all []map[string]any
	cursor := ""
	for range 1000 {
		p := path
		if cursor != "" {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			p += sep + "cursor=" + url.QueryEscape(cursor)
		}
		res := e.do(http.MethodGet, p, token, nil)
		wantStatus(e.t, res, http.StatusOK)
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"nextCursor"`
		}
		if err := json.Unmarshal(res.Body, &page); err != nil {
			e.t.Fatalf("list %s: %v: %s", p, err, res.Body)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
	e.t.Fatalf("list %s: the cursor never ends", path)
	return nil
}

// names returns the "name" of each item.
func names(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, m := range items {
		out[i], _ = m["name"].(string)
	}
	return out
}

// ids returns the "id" of each item.
func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, m := range items {
		out[i] = id(m)
	}
	return out
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
