package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// noErr fails the test at once if err is not nil.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// must returns v once the test is known to have no error:
// must(st.GetContact(ctx, id))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		noErr(t, err)
		return v
	}
}

// wantCode fails the test unless err is a crm error with code want, and
// returns it.
func wantCode(t *testing.T, err error, want crm.Code) *crm.Error {
	t.Helper()
	if got := crm.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
	e, ok := errors.AsType[*crm.Error](err)
	if !ok {
		t.Fatalf("error %v is not a *crm.Error", err)
	}
	return e
}

// wantField fails the test unless err has code want and names field.
func wantField(t *testing.T, err error, want crm.Code, field string) *crm.Error {
	t.Helper()
	e := wantCode(t, err, want)
	if e.Fields[field] == "" {
		t.Fatalf("error does not name %q: %v", field, err)
	}
	return e
}

// wantCause fails the test unless err is a conflict whose cause is cause
// (crm.ErrConcurrentWrite, crm.ErrDuplicateLead).
func wantCause(t *testing.T, err error, cause error) {
	t.Helper()
	wantCode(t, err, crm.CodeConflict)
	if !errors.Is(err, cause) {
		t.Fatalf("the conflict's cause is not %q: %v", cause, err)
	}
}

// wantTaken fails the test unless err is the conflict of a unique value:
// it names field and the owner of the value.
func wantTaken(t *testing.T, err error, field, owner string) {
	t.Helper()
	if e := wantField(t, err, crm.CodeConflict, field); e.ExistingID != owner {
		t.Fatalf("conflict names %q as the owner, want %q: %v", e.ExistingID, owner, err)
	}
}

// same fails the test if got and want differ, naming the first difference.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := difference(reflect.ValueOf(got), reflect.ValueOf(want), "."); d != "" {
		t.Fatalf("%s: %s", what, d)
	}
}

var timeType = reflect.TypeFor[time.Time]()

// difference compares two values of one type field by field: times with
// Equal (a time read back may carry another location), nil and empty
// slices and maps as equal (the port does not tell them apart). It returns
// the first difference, or "".
func difference(got, want reflect.Value, path string) string {
	if got.Type() == timeType {
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		if !g.Equal(w) {
			return fmt.Sprintf("%s = %v, want %v", path, g, w)
		}
		return ""
	}
	switch got.Kind() {
	case reflect.Pointer, reflect.Interface:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return fmt.Sprintf("%s = %v, want %v", path, got, want)
			}
			return ""
		}
		return difference(got.Elem(), want.Elem(), path)
	case reflect.Struct:
		for i := range got.NumField() {
			if d := difference(got.Field(i), want.Field(i), path+"."+got.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if got.Len() != want.Len() {
			return fmt.Sprintf("%s has %d items, want %d: %v, want %v", path, got.Len(), want.Len(), got, want)
		}
		for i := range got.Len() {
			if d := difference(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if got.Len() != want.Len() {
			return fmt.Sprintf("%s = %v, want %v", path, got, want)
		}
		for _, k := range want.MapKeys() {
			g := got.MapIndex(k)
			if !g.IsValid() {
				return fmt.Sprintf("%s lacks key %v", path, k)
			}
			if d := difference(g, want.MapIndex(k), fmt.Sprintf("%s[%v]", path, k)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(got.Interface(), want.Interface()) {
		return fmt.Sprintf("%s = %#v, want %#v", path, got, want)
	}
	return ""
}

// ids lists the ID of every item.
func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = id(v)
	}
	return out
}

// newestFirst lists the IDs of items made oldest first, newest first.
func newestFirst[T any](items []T, id func(T) string) []string {
	out := ids(items, id)
	slices.Reverse(out)
	return out
}

// sortedBy returns a copy of items sorted by ID, for lists whose order the
// port leaves open.
func sortedBy[T any](items []T, id func(T) string) []T {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(id(a), id(b)) })
	return out
}

// sameIDs fails the test unless got lists the IDs of want, in that order.
func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// walkLimit is the page size of the pagination walks.
const walkLimit = 2

// walk lists every page of a list with walkLimit items a page, from the
// first to the one without a cursor, and checks the pages: each holds
// walkLimit items but the last, which may hold fewer (a short page ends
// the list; after a full page an adapter may need one more, empty, to
// know), and together they hold the items of want in that order, each
// once. Five items make three pages.
func walk[T any](t *testing.T, what string, id func(T) string, want []string, list func(crm.ListOptions) (crm.Page[T], error)) {
	t.Helper()
	var got []string
	cursor := ""
	for pages := 1; ; pages++ {
		p, err := list(crm.ListOptions{Limit: walkLimit, Cursor: cursor})
		if err != nil {
			t.Fatalf("%s: page %d: %v", what, pages, err)
		}
		if len(p.Items) > walkLimit {
			t.Fatalf("%s: page %d has %d items, limit %d", what, pages, len(p.Items), walkLimit)
		}
		got = append(got, ids(p.Items, id)...)
		if p.NextCursor == "" {
			break
		}
		if len(p.Items) != walkLimit {
			t.Fatalf("%s: page %d has %d items and a cursor; want %d (a short page is the last)", what, pages, len(p.Items), walkLimit)
		}
		if pages > len(want) {
			t.Fatalf("%s: the pages do not end: %v", what, got)
		}
		cursor = p.NextCursor
	}
	sameIDs(t, what, got, want)
}

// badCursors are cursors no adapter makes.
var badCursors = []string{"x", "not a cursor", "!!!!", "eyJ9"}

// refusesCursor fails the test unless list refuses cursor as invalid,
// naming "cursor".
func refusesCursor[T any](t *testing.T, what, cursor string, list func(crm.ListOptions) (crm.Page[T], error)) {
	t.Helper()
	if cursor == "" {
		t.Fatalf("%s: no cursor to try", what)
	}
	_, err := list(crm.ListOptions{Limit: walkLimit, Cursor: cursor})
	if e, ok := errors.AsType[*crm.Error](err); !ok || e.Code != crm.CodeInvalid || e.Fields["cursor"] == "" {
		t.Fatalf("%s: cursor %q: got %v, want invalid naming \"cursor\"", what, cursor, err)
	}
}

// firstCursor returns the cursor after the first item of a list that has
// more than one.
func firstCursor[T any](t *testing.T, what string, list func(crm.ListOptions) (crm.Page[T], error)) string {
	t.Helper()
	p, err := list(crm.ListOptions{Limit: 1})
	if err != nil || p.NextCursor == "" {
		t.Fatalf("%s: no second page: %v", what, err)
	}
	return p.NextCursor
}

// crossCursors checks that each list refuses a cursor of each other list
// (they are access paths of one method) and the badCursors. Every list must
// have more than one item.
func crossCursors[T any](t *testing.T, lists map[string]func(crm.ListOptions) (crm.Page[T], error)) {
	t.Helper()
	for from, list := range lists {
		cursor := firstCursor(t, from, list)
		for to, other := range lists {
			if to != from {
				refusesCursor(t, "a cursor of "+from+" on "+to, cursor, other)
			}
		}
		for _, bad := range badCursors {
			refusesCursor(t, from, bad, list)
		}
	}
}
