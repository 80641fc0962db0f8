package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// entity describes how one kind of domain value T is stored: its table and
// index columns, its row struct R and converters, the unique values it
// claims and the outbox kind of its changes.
type entity[T any, R any] struct {
	table   string
	label   string // what errors call it: "contact", "notification setting"
	change  string // the outbox kind of its changes; "" when they have no effects
	toRow   func(T) R
	fromRow func(R) T
	id      func(T) string
	version func(T) int
	// cols are the table's index columns and vals their values for v.
	cols []string
	vals func(v T) []any
	// claims lists the unique values v holds; nil if none.
	claims func(v T) []claim
	// derive keeps the rows that follow from an entity (a contact's
	// search words) in step with it: from old to next, the zero value
	// for none (a creation's old, a deletion's next); nil if none.
	derive func(t *wtx, old, next T) error

	insertSQL, updateSQL string
}

// newEntity completes e with its statements.
func newEntity[T, R any](e entity[T, R]) entity[T, R] {
	names := append([]string{"id", "version", "doc"}, e.cols...)
	e.insertSQL = "INSERT INTO " + e.table + " (" + strings.Join(names, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(names)-1) + ")"
	e.updateSQL = "UPDATE " + e.table + " SET " + strings.Join(names[1:], " = ?, ") + " = ? WHERE id = ?"
	return e
}

func (e entity[T, R]) encode(v T) (string, error) {
	b, err := json.Marshal(e.toRow(v))
	return string(b), err
}

func (e entity[T, R]) decode(doc []byte) (T, error) {
	var r R
	if err := json.Unmarshal(doc, &r); err != nil {
		var zero T
		return zero, crm.Internal(err)
	}
	return e.fromRow(r), nil
}

// get reads one entity. Errors: not_found, internal.
func (e entity[T, R]) get(ctx context.Context, s *Store, q querier, id string) (T, error) {
	var doc []byte
	err := q.QueryRowContext(ctx, "SELECT doc FROM "+e.table+" WHERE id = ?", id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, crm.NotFound(e.label)
	}
	if err != nil {
		var zero T
		return zero, s.fail(err)
	}
	return e.decode(doc)
}

// stored reads the stored version and document of id, inside a write.
func (e entity[T, R]) stored(t *wtx, id string) (version int, doc string, found bool, err error) {
	err = t.row("SELECT version, doc FROM "+e.table+" WHERE id = ?", id).Scan(&version, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, nil
	}
	return version, doc, err == nil, err
}

// guard reads the stored document of v's ID, failing with not_found if it
// is gone and precondition_failed if its version is not v's.
func (e entity[T, R]) guard(t *wtx, v T) (string, error) {
	version, doc, found, err := e.stored(t, e.id(v))
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", crm.NotFound(e.label)
	case version != e.version(v):
		return "", crm.Stale(e.label)
	}
	return doc, nil
}

// insert writes the row of v, which must be new, without checks.
func (e entity[T, R]) insert(t *wtx, v T) (string, error) {
	doc, err := e.encode(v)
	if err != nil {
		return "", err
	}
	args := append([]any{e.id(v), e.version(v), doc}, e.vals(v)...)
	return doc, t.exec(e.insertSQL, args...)
}

// create writes a new entity and its claims. Errors: conflict (the ID
// exists, or a unique value is taken), internal.
func (e entity[T, R]) create(t *wtx, v T) error {
	if _, _, found, err := e.stored(t, e.id(v)); err != nil {
		return err
	} else if found {
		return errExists(e.label)
	}
	doc, err := e.insert(t, v)
	if err != nil {
		return err
	}
	if e.claims != nil {
		for _, c := range e.claims(v) {
			if err := t.claim(c, e.id(v), e.label); err != nil {
				return err
			}
		}
	}
	if err := e.derived(t, *new(T), v); err != nil {
		return err
	}
	return t.outbox(e.change, "", doc)
}

// update replaces old with next if old's version is still the stored one,
// moving claims. Errors: not_found, precondition_failed, conflict, internal.
func (e entity[T, R]) update(t *wtx, old, next T) error {
	before, err := e.guard(t, old)
	if err != nil {
		return err
	}
	doc, err := e.encode(next)
	if err != nil {
		return err
	}
	args := append(append([]any{e.version(next), doc}, e.vals(next)...), e.id(next))
	if err := t.exec(e.updateSQL, args...); err != nil {
		return err
	}
	if e.claims != nil {
		if err := t.moveClaims(e.claims(old), e.claims(next), e.id(next), e.label); err != nil {
			return err
		}
	}
	if err := e.derived(t, old, next); err != nil {
		return err
	}
	return t.outbox(e.change, before, doc)
}

// remove deletes v if its version is still the stored one, releasing its
// claims. Errors: not_found, precondition_failed, internal.
func (e entity[T, R]) remove(t *wtx, v T) error {
	before, err := e.guard(t, v)
	if err != nil {
		return err
	}
	if err := t.exec("DELETE FROM "+e.table+" WHERE id = ?", e.id(v)); err != nil {
		return err
	}
	if e.claims != nil {
		for _, c := range e.claims(v) {
			if err := t.release(c, e.id(v)); err != nil {
				return err
			}
		}
	}
	if err := e.derived(t, v, *new(T)); err != nil {
		return err
	}
	return t.outbox(e.change, before, "")
}

// write applies one Write of a batch: a deletion, a creation (Old's version
// 0) or a replacement.
func (e entity[T, R]) write(t *wtx, w crm.Write[T]) error {
	switch {
	case w.Delete:
		return e.remove(t, w.Old)
	case e.version(w.Old) == 0:
		return e.create(t, w.New)
	}
	return e.update(t, w.Old, w.New)
}

// load writes v as it is, with its claims and no outbox row (Store.Load).
func (e entity[T, R]) load(t *wtx, v T) error {
	if _, err := e.insert(t, v); err != nil {
		return err
	}
	if e.claims != nil {
		for _, c := range e.claims(v) {
			if err := t.exec("INSERT INTO claims (scope, value, owner) VALUES (?, ?, ?)", c.scope, c.value, e.id(v)); err != nil {
				return err
			}
		}
	}
	return e.derived(t, *new(T), v)
}

// derived runs derive, if the entity has one.
func (e entity[T, R]) derived(t *wtx, old, next T) error {
	if e.derive == nil {
		return nil
	}
	return e.derive(t, old, next)
}

// list lists every entity of the table by ID, oldest first.
func (e entity[T, R]) list(ctx context.Context, s *Store, o crm.ListOptions) (crm.Page[T], error) {
	return page(ctx, s, e.listing(true), o, e.decode, nil)
}

// listing is the access path of every entity of the table, by ID.
func (e entity[T, R]) listing(asc bool) listing {
	return listing{path: e.table, from: e.table, key: "id", asc: asc}
}

// exists reports whether an entity with this ID exists, inside a write.
func (e entity[T, R]) exists(t *wtx, id string) (bool, error) {
	return t.found("SELECT 1 FROM "+e.table+" WHERE id = ?", id)
}

// refCheck checks, inside a write, that the entity next refers to exists
// when the reference is set and differs from old's. Errors: invalid
// (naming field).
func (e entity[T, R]) refCheck(t *wtx, field, old, next string) error {
	if next == "" || next == old {
		return nil
	}
	ok, err := e.exists(t, next)
	if err != nil {
		return err
	}
	if !ok {
		return errMissingRef(field, e.label)
	}
	return nil
}

// noCols is the vals of an entity without index columns.
func noCols[T any](T) []any { return nil }
