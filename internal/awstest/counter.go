package awstest

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Counter is a proxy in front of moto's DynamoDB that counts what each
// caller asks: every function gets an endpoint of its own (Endpoint), so
// a count says who made the request. It records each item write that
// succeeded, in the order of the answers, for WriteUnits.
type Counter struct {
	moto *url.URL
	keys []string // the table's key attributes

	mu     sync.Mutex
	counts Counts
	writes []write
}

// Counts are DynamoDB requests by caller and operation ("PutItem", ...);
// an operation that failed is counted under "<op> <ErrorType>" too.
type Counts map[string]map[string]int

// write is one item written by a request that succeeded.
type write struct {
	caller   string
	key      string // the item's key attributes as canonical JSON
	transact bool   // within TransactWriteItems
}

// NewCounter starts counting in front of m's DynamoDB (DynamoDBURL);
// keyNames are the table's key attributes (PK, SK).
func NewCounter(m *Moto, keyNames ...string) *Counter {
	u, _ := url.Parse(m.DynamoDBURL())
	return &Counter{moto: u, keys: keyNames, counts: Counts{}}
}

// Endpoint starts an endpoint for caller and returns its URL, to give as
// DYNAMODB_ENDPOINT. It stops when t ends.
func (c *Counter) Endpoint(t testing.TB, caller string) string {
	proxy := httputil.NewSingleHostReverseProxy(c.moto)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		op := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(rec, req)
		c.record(caller, op, body, rec)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// recorder keeps a response's status and body while writing it through.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// record counts one request and, when it succeeded, its item writes.
func (c *Counter) record(caller, op string, body []byte, rec *recorder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts[caller] == nil {
		c.counts[caller] = map[string]int{}
	}
	c.counts[caller][op]++
	if rec.status != http.StatusOK {
		var e struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal(rec.body.Bytes(), &e)
		c.counts[caller][op+" "+e.Type[strings.LastIndex(e.Type, "#")+1:]]++
		return
	}
	for _, w := range c.itemWrites(op, body) {
		w.caller = caller
		c.writes = append(c.writes, w)
	}
}

// itemWrites lists the items a write request writes.
func (c *Counter) itemWrites(op string, body []byte) []write {
	var req struct {
		Item          map[string]json.RawMessage
		Key           map[string]json.RawMessage
		TransactItems []map[string]struct {
			Item map[string]json.RawMessage
			Key  map[string]json.RawMessage
		}
		RequestItems map[string][]struct {
			PutRequest    *struct{ Item map[string]json.RawMessage }
			DeleteRequest *struct{ Key map[string]json.RawMessage }
		}
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	var out []write
	switch op {
	case "PutItem":
		out = append(out, write{key: c.keyOf(req.Item)})
	case "UpdateItem", "DeleteItem":
		out = append(out, write{key: c.keyOf(req.Key)})
	case "TransactWriteItems":
		for _, ti := range req.TransactItems {
			for kind, a := range ti {
				switch kind {
				case "Put":
					out = append(out, write{key: c.keyOf(a.Item), transact: true})
				case "Update", "Delete":
					out = append(out, write{key: c.keyOf(a.Key), transact: true})
				}
			}
		}
	case "BatchWriteItem":
		for _, reqs := range req.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					out = append(out, write{key: c.keyOf(r.PutRequest.Item)})
				} else if r.DeleteRequest != nil {
					out = append(out, write{key: c.keyOf(r.DeleteRequest.Key)})
				}
			}
		}
	}
	return out
}

// keyOf is the canonical JSON of an item's key attributes.
func (c *Counter) keyOf(item map[string]json.RawMessage) string {
	key := map[string]json.RawMessage{}
	for _, k := range c.keys {
		if v, ok := item[k]; ok {
			var compact bytes.Buffer
			_ = json.Compact(&compact, v)
			key[k] = compact.Bytes()
		}
	}
	b, _ := json.Marshal(key) // sorted keys
	return string(b)
}

// Counts returns the counts so far.
func (c *Counter) Counts() Counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Counts{}
	for caller, ops := range c.counts {
		out[caller] = maps.Clone(ops)
	}
	return out
}

// Mark returns the position of the next write, for WriteUnits.
func (c *Counter) Mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.writes)
}

// Sub returns a less b, leaving out what did not change.
func (a Counts) Sub(b Counts) Counts {
	out := Counts{}
	for caller, ops := range a {
		for op, n := range ops {
			if d := n - b[caller][op]; d != 0 {
				if out[caller] == nil {
					out[caller] = map[string]int{}
				}
				out[caller][op] = d
			}
		}
	}
	return out
}

// Requests returns the number of requests of caller ("" for every caller),
// not counting the failure lines twice.
func (a Counts) Requests(caller string) int {
	n := 0
	for _, cl := range slices.Sorted(maps.Keys(a)) {
		if caller != "" && cl != caller {
			continue
		}
		for op, k := range a[cl] {
			if !strings.Contains(op, " ") {
				n += k
			}
		}
	}
	return n
}
