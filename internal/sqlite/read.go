package sqlite

import (
	"context"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// listing is one access path of a list: rows of from matching where, in the
// order of one unique, indexed column.
type listing struct {
	path  string // names the path and its partition; cursors are bound to it
	from  string // a table, or a join
	doc   string // the document column; "doc" when empty
	key   string // the ordering column, unique within the list
	asc   bool   // ascending; descending (newest first) otherwise
	where string // the path's conditions, "" for none
	args  []any
}

// Bounds of a list request.
const (
	// maxRounds bounds how many batches one page may read while accept
	// refuses rows, so that a rare filter cannot make a request unbounded:
	// the caller gets a short page and a cursor to go on.
	maxRounds = 10
	// filterBatch is the least batch read when accept filters.
	filterBatch = 100
	// internalLimit is the limit of the store's own unbounded lists.
	internalLimit = 1000
)

// page reads the rows of l after o's cursor, decoding each and keeping
// those accept (nil: all) likes, until o.Limit are kept; NextCursor is the
// position of the last row read when rows may follow it. Errors: invalid
// (cursor), internal.
func page[T any](ctx context.Context, s *Store, l listing, o crm.ListOptions, decode func([]byte) (T, error), accept func(T) bool) (crm.Page[T], error) {
	after, err := decodeCursor(o.Cursor, l.path)
	if err != nil {
		return crm.Page[T]{}, err
	}
	limit := o.Limit
	if limit <= 0 {
		limit = internalLimit
	}
	batch := limit + 1
	if accept != nil {
		batch = max(batch, filterBatch)
	}
	var res crm.Page[T]
	for range maxRounds {
		keys, docs, err := l.read(ctx, s, after, batch)
		if err != nil {
			return crm.Page[T]{}, err
		}
		for i, doc := range docs {
			v, err := decode(doc)
			if err != nil {
				return crm.Page[T]{}, err
			}
			if accept == nil || accept(v) {
				res.Items = append(res.Items, v)
			}
			if len(res.Items) < limit {
				continue
			}
			more := i < len(keys)-1
			if !more && len(keys) == batch {
				next, _, err := l.read(ctx, s, keys[i], 1)
				if err != nil {
					return crm.Page[T]{}, err
				}
				more = len(next) > 0
			}
			if more {
				res.NextCursor = encodeCursor(l.path, keys[i])
			}
			return res, nil
		}
		if len(keys) < batch {
			return res, nil
		}
		after = keys[len(keys)-1]
	}
	res.NextCursor = encodeCursor(l.path, after)
	return res, nil
}

// read returns the keys and documents of up to n rows of l after the key
// after ("": from the start).
func (l listing) read(ctx context.Context, s *Store, after string, n int) ([]string, [][]byte, error) {
	q, args := l.query(after, n)
	rows, err := s.reads.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, s.fail(err)
	}
	defer rows.Close()
	var keys []string
	var docs [][]byte
	for rows.Next() {
		var k string
		var d []byte
		if err := rows.Scan(&k, &d); err != nil {
			return nil, nil, s.fail(err)
		}
		keys, docs = append(keys, k), append(docs, d)
	}
	return keys, docs, s.fail(rows.Err())
}

// query is the statement that reads up to n rows of l after the key after.
func (l listing) query(after string, n int) (string, []any) {
	doc := l.doc
	if doc == "" {
		doc = "doc"
	}
	var conds []string
	args := append([]any{}, l.args...)
	if l.where != "" {
		conds = append(conds, l.where)
	}
	order, cmp := " DESC", " < ?"
	if l.asc {
		order, cmp = " ASC", " > ?"
	}
	if after != "" {
		conds = append(conds, l.key+cmp)
		args = append(args, after)
	}
	q := "SELECT " + l.key + ", " + doc + " FROM " + l.from
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY " + l.key + order + " LIMIT ?"
	return q, append(args, n)
}

// count counts the rows of a table matching where. Errors: internal.
func (s *Store) count(ctx context.Context, table, where string, args ...any) (int, error) {
	var n int
	if err := s.reads.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		return 0, s.fail(err)
	}
	return n, nil
}

// getMany reads the entities with the given IDs (missing ones are absent),
// by ID. Errors: internal.
func getMany[T, R any](ctx context.Context, s *Store, e entity[T, R], ids []string) (map[string]T, error) {
	out := map[string]T{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.reads.QueryContext(ctx, "SELECT doc FROM "+e.table+" WHERE id IN (?"+strings.Repeat(", ?", n-1)+")", args...)
		if err != nil {
			return nil, s.fail(err)
		}
		for rows.Next() {
			var doc []byte
			if err := rows.Scan(&doc); err != nil {
				rows.Close()
				return nil, s.fail(err)
			}
			v, err := e.decode(doc)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[e.id(v)] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, s.fail(err)
		}
	}
	return out, nil
}
