package dynamotest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
)

// Mend returns a handler that serves the DynamoDB JSON protocol through
// next (minidyn's server) and mends, after each write, two gaps between
// minidyn (v0.8.2) and DynamoDB, so that every client of the URL (the SDK
// client, a Lambda function pointed at it, the capture layer) sees
// DynamoDB's behaviour:
//
//   - Gap 1, stale sparse-index entries. When a PutItem, an UpdateItem, or
//     a put or update in TransactWriteItems or BatchWriteItem leaves an
//     item without a secondary index's key attributes (a note whose
//     reminder is cleared loses GSI4PK and GSI4SK), minidyn keeps the
//     item's old entry in the index (core/index.go: putData and
//     updateData return early on an empty index key without dropping
//     refs[key]). Every later Query on that index meets the item, and one
//     whose key condition reads the sort key (begins_with) fails with
//     "ValidationException: Invalid KeyConditionExpression: Syntax error;
//     ERROR: invalid type NULL". DynamoDB simply takes the item out of the
//     sparse index.
//   - Gap 2, REMOVE ignored. minidyn ignores an UpdateExpression's REMOVE
//     of a top-level attribute: the attribute survives (and so does the
//     item's entry in an index the attribute keys). DynamoDB deletes it.
//
// The mender sits in front of next in the same process, not as a second
// server. For a write it reads the images of the items the write puts or
// updates before and after it (consistent GetItem, straight to next) and,
// when an index key attribute the item had is gone or a REMOVEd attribute
// is still there, rewrites the item right through next (see mend). An
// UpdateItem's ReturnValues ALL_NEW or UPDATED_NEW answer loses the
// REMOVEd attributes too. Reads pass straight through, with no extra
// requests; writes are serialised, and no read sees a write before it is
// mended. Key schemas come from the CreateTable requests the mender sees;
// a write to a table it did not see created passes through unmended.
func Mend(next http.Handler) http.Handler {
	return &mender{next: next, tables: map[string]keySchema{}}
}

type mender struct {
	next   http.Handler
	mu     sync.RWMutex // held for writing by writes, for reading by reads
	tables map[string]keySchema
}

// keySchema names a table's key attributes and its indexes'.
type keySchema struct {
	key   []string // partition and sort key
	index []string // every secondary index's key attributes
}

// item is an item or key in the wire format, its values left undecoded.
type item = map[string]json.RawMessage

// touched is an item a write puts or updates.
type touched struct {
	table   string
	key     item
	removes []string // top-level attributes the update REMOVEs
}

// The request fields the mender reads.
type (
	keyElem struct{ AttributeName string }
	put     struct {
		TableName string
		Item      item
	}
	update struct {
		TableName                string
		Key                      item
		UpdateExpression         string
		ExpressionAttributeNames map[string]string
		ReturnValues             string
	}
	request struct {
		update
		Item                   item
		KeySchema              []keyElem
		GlobalSecondaryIndexes []struct{ KeySchema []keyElem }
		LocalSecondaryIndexes  []struct{ KeySchema []keyElem }
		TransactItems          []struct {
			Put    *put
			Update *update
		}
		RequestItems map[string][]struct{ PutRequest *struct{ Item item } }
	}
)

func (m *mender) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	switch op {
	case "CreateTable", "PutItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem":
	default:
		m.mu.RLock()
		defer m.mu.RUnlock()
		m.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req request
	_ = json.Unmarshal(body, &req) // a malformed request is minidyn's to refuse

	m.mu.Lock()
	defer m.mu.Unlock()
	items := m.touches(op, &req)
	befores := make([]item, len(items))
	for i, t := range items {
		befores[i], err = m.get(t.table, t.key)
		if err != nil { // an emulated failure: the write goes unmended
			items = nil
			break
		}
	}
	rec := httptest.NewRecorder()
	m.next.ServeHTTP(rec, r)
	res := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		if op == "CreateTable" {
			m.tables[req.TableName] = schemaOf(&req)
		}
		for i, t := range items {
			after, err := m.mend(t, befores[i])
			if err != nil {
				http.Error(w, fmt.Sprintf("dynamotest: mending a %s: %v", op, err), http.StatusInternalServerError)
				return
			}
			if op == "UpdateItem" && after != nil && len(t.removes) > 0 {
				res = dropAttributes(res, t.removes, req.ReturnValues)
			}
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(res)
}

// touches returns the items the write req (of operation op) puts or
// updates, in tables the mender knows.
func (m *mender) touches(op string, req *request) []touched {
	var ts []touched
	addPut := func(table string, it item) {
		if ks, ok := m.tables[table]; ok {
			key := item{}
			for _, a := range ks.key {
				key[a] = it[a]
			}
			ts = append(ts, touched{table: table, key: key})
		}
	}
	addUpdate := func(u *update) {
		if _, ok := m.tables[u.TableName]; ok {
			ts = append(ts, touched{table: u.TableName, key: u.Key,
				removes: removed(u.UpdateExpression, u.ExpressionAttributeNames)})
		}
	}
	switch op {
	case "PutItem":
		addPut(req.TableName, req.Item)
	case "UpdateItem":
		addUpdate(&req.update)
	case "TransactWriteItems":
		for _, a := range req.TransactItems {
			switch {
			case a.Put != nil:
				addPut(a.Put.TableName, a.Put.Item)
			case a.Update != nil:
				addUpdate(a.Update)
			}
		}
	case "BatchWriteItem":
		for table, reqs := range req.RequestItems {
			for _, w := range reqs {
				if w.PutRequest != nil {
					addPut(table, w.PutRequest.Item)
				}
			}
		}
	}
	return ts
}

// mend rewrites the item t after a write when minidyn left it (or its
// index entries) other than DynamoDB would, given its image before the
// write. It returns the item's image after the write.
func (m *mender) mend(t touched, before item) (item, error) {
	indexes := m.tables[t.table].index
	if len(t.removes) == 0 && !hasAny(before, indexes) {
		return nil, nil // nothing to mend: spare the read
	}
	after, err := m.get(t.table, t.key)
	if err != nil || after == nil {
		return nil, err
	}
	wrong := false
	for _, a := range t.removes { // gap 2
		if _, ok := after[a]; ok {
			delete(after, a)
			wrong = true
		}
	}
	// Gap 1: minidyn's index still lists the item under its key from
	// before the write. A DeleteItem drops the item's entry, but finds the
	// index key to drop from the index's sorted keys in the stored item,
	// and a key left there would hide another item from queries (they walk
	// the keys and entries in step). So the item is first put back with
	// its old index key attributes (stale), then deleted, then put right.
	stale := maps.Clone(after)
	for _, a := range indexes {
		_, had := before[a]
		if _, has := after[a]; had && !has {
			stale[a] = before[a]
			wrong = true
		}
	}
	if !wrong {
		return after, nil
	}
	for _, c := range []struct {
		op string
		in map[string]any
	}{
		{"PutItem", map[string]any{"TableName": t.table, "Item": stale}},
		{"DeleteItem", map[string]any{"TableName": t.table, "Key": t.key}},
		{"PutItem", map[string]any{"TableName": t.table, "Item": after}},
	} {
		if _, err := m.call(c.op, c.in); err != nil {
			return nil, err
		}
	}
	return after, nil
}

// get reads an item with a consistent GetItem; nil if there is none.
func (m *mender) get(table string, key item) (item, error) {
	res, err := m.call("GetItem", map[string]any{"TableName": table, "Key": key, "ConsistentRead": true})
	if err != nil {
		return nil, err
	}
	var out struct{ Item item }
	err = json.Unmarshal(res, &out)
	return out.Item, err
}

// call sends one request of operation op straight to next.
func (m *mender) call(op string, in any) ([]byte, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	m.next.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, errors.New(op + ": " + strings.TrimSpace(rec.Body.String()))
	}
	return rec.Body.Bytes(), nil
}

// schemaOf reads the key schema of a CreateTable request.
func schemaOf(req *request) keySchema {
	var ks keySchema
	for _, k := range req.KeySchema {
		ks.key = append(ks.key, k.AttributeName)
	}
	for _, ix := range append(req.GlobalSecondaryIndexes, req.LocalSecondaryIndexes...) {
		for _, k := range ix.KeySchema {
			ks.index = append(ks.index, k.AttributeName)
		}
	}
	return ks
}

// clause finds the clause keywords of an update expression. An attribute
// name that is a reserved word can only appear as a placeholder (#name),
// so a bare SET, REMOVE, ADD or DELETE is always a keyword.
var clause = regexp.MustCompile(`(?i)(?:^|[^#:\w])(SET|REMOVE|ADD|DELETE)\b`)

// removed returns the top-level attributes the REMOVE clause of the update
// expression expr removes, placeholders resolved with names. Nested paths
// (a.b, a[0]), which minidyn removes, are left out.
func removed(expr string, names map[string]string) []string {
	locs := clause.FindAllStringSubmatchIndex(expr, -1)
	var out []string
	for i, loc := range locs {
		if !strings.EqualFold(expr[loc[2]:loc[3]], "REMOVE") {
			continue
		}
		end := len(expr)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		for _, p := range strings.Split(expr[loc[3]:end], ",") {
			p = strings.TrimSpace(p)
			if strings.ContainsAny(p, ".[") || p == "" {
				continue
			}
			if strings.HasPrefix(p, "#") {
				p = names[p]
			}
			out = append(out, p)
		}
	}
	return out
}

// hasAny reports whether it has any of the attributes.
func hasAny(it item, attrs []string) bool {
	for _, a := range attrs {
		if _, ok := it[a]; ok {
			return true
		}
	}
	return false
}

// dropAttributes removes the attributes from an UpdateItem answer that
// returns new values (ReturnValues ALL_NEW or UPDATED_NEW).
func dropAttributes(res []byte, attrs []string, returnValues string) []byte {
	if returnValues != "ALL_NEW" && returnValues != "UPDATED_NEW" {
		return res
	}
	var out map[string]json.RawMessage
	var got item
	if json.Unmarshal(res, &out) != nil || json.Unmarshal(out["Attributes"], &got) != nil {
		return res
	}
	for _, a := range attrs {
		delete(got, a)
	}
	out["Attributes"], _ = json.Marshal(got)
	b, err := json.Marshal(out)
	if err != nil {
		return res
	}
	return b
}
