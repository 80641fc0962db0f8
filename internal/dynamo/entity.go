package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// entity describes how one kind of domain value T is stored: its item
// converters and the unique values it claims.
type entity[T any, I any] struct {
	kind     string
	label    string
	toItem   func(T) I
	fromItem func(I) T
	id       func(T) string
	version  func(T) int
	// unique lists the (scope, value, field) claims of v; nil if none.
	unique func(v T) []claim
}

type claim struct{ scope, value, field string }

func (e entity[T, I]) create(ctx context.Context, s *Store, v T, extra func(*tx)) error {
	t := s.tx()
	e.createOps(t, s, v)
	if extra != nil {
		extra(t)
	}
	return t.run(ctx)
}

// createOps adds to t the writes of a new entity: the item (which must not
// exist) and its unique claims.
func (e entity[T, I]) createOps(t *tx, s *Store, v T) {
	t.putNew(marshal(e.toItem(v)), failExists(e.label))
	if e.unique != nil {
		for _, c := range e.unique(v) {
			t.claim(c.scope, c.value, e.id(v), s.failTaken(c.scope, c.value, c.field, "another "+e.label+" has this "+c.field))
		}
	}
}

func (e entity[T, I]) update(ctx context.Context, s *Store, old, next T, extra func(*tx)) error {
	t := s.tx()
	e.updateOps(t, s, old, next)
	if extra != nil {
		extra(t)
	}
	return t.run(ctx)
}

// updateOps adds to t the writes that replace old with next, guarded by
// old's version, moving unique claims.
func (e entity[T, I]) updateOps(t *tx, s *Store, old, next T) {
	id := e.id(next)
	t.putVersion(marshal(e.toItem(next)), e.version(old), s.failNotFoundOrStale(e.kind, e.label, id))
	if e.unique != nil {
		e.moveClaims(t, s, e.unique(old), e.unique(next), id)
	}
}

func (e entity[T, I]) moveClaims(t *tx, s *Store, old, next []claim, owner string) {
	byScope := map[string][2][]string{}
	field := map[string]string{}
	for _, c := range old {
		v := byScope[c.scope]
		v[0] = append(v[0], c.value)
		byScope[c.scope] = v
	}
	for _, c := range next {
		v := byScope[c.scope]
		v[1] = append(v[1], c.value)
		byScope[c.scope] = v
		field[c.scope+"\x00"+c.value] = c.field
	}
	for scope, v := range byScope {
		t.moveClaims(scope, v[0], v[1], owner, func(value string) func(context.Context) error {
			f := field[scope+"\x00"+value]
			return s.failTaken(scope, value, f, "another "+e.label+" has this "+f)
		})
	}
}

func (e entity[T, I]) delete(ctx context.Context, s *Store, v T, extra func(*tx)) error {
	t := s.tx()
	e.deleteOps(t, s, v)
	if extra != nil {
		extra(t)
	}
	return t.run(ctx)
}

// deleteOps adds to t the deletion of v, guarded by its version, and the
// release of its claims.
func (e entity[T, I]) deleteOps(t *tx, s *Store, v T) {
	id := e.id(v)
	t.del(entityKey(e.kind, id), "version = :v", map[string]types.AttributeValue{":v": num(itoa(e.version(v)))},
		s.failNotFoundOrStale(e.kind, e.label, id))
	if e.unique != nil {
		for _, c := range e.unique(v) {
			t.release(c.scope, c.value, id)
		}
	}
}

func (e entity[T, I]) get(ctx context.Context, s *Store, id string) (T, error) {
	it, err := get[I](ctx, s, entityKey(e.kind, id), e.label)
	if err != nil {
		var zero T
		return zero, err
	}
	return e.fromItem(it), nil
}

func (e entity[T, I]) decode(m map[string]types.AttributeValue) (T, error) {
	it, err := unmarshal[I](m)
	return e.fromItem(it), err
}

// list lists every item of the kind through GSI1, oldest first.
func (e entity[T, I]) list(ctx context.Context, s *Store, o crm.ListOptions) (crm.Page[T], error) {
	return page(ctx, s, query{index: gsi1, pk: e.kind, forward: true}, e.kind, o, nil, e.decode, nil)
}
