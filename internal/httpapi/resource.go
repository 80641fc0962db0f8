package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// resource describes how one kind of entity T crosses the API: F are the
// fields a client writes, R the response shape.
type resource[T, F, R any] struct {
	path     string    // collection path, e.g. "/v1/sources"
	defaults func() T  // a new entity before the client's fields apply
	fields   func(T) F // current writable fields, the base a PATCH applies to
	apply    func(F, *T)
	response func(T) R
	id       func(T) string
	version  func(T) int
}

func (x resource[T, F, R]) create(w http.ResponseWriter, r *http.Request, do func(context.Context, T) (T, error)) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	v := x.defaults()
	f := x.fields(v)
	if err := decodeInto(b, &f); err != nil {
		return err
	}
	x.apply(f, &v)
	out, err := do(r.Context(), v)
	if err != nil {
		return err
	}
	w.Header().Set("Location", x.path+"/"+x.id(out))
	w.Header().Set("ETag", etag(x.version(out)))
	writeJSON(w, http.StatusCreated, x.response(out))
	return nil
}

func (x resource[T, F, R]) get(w http.ResponseWriter, r *http.Request, do func(context.Context, string) (T, error)) error {
	out, err := do(r.Context(), r.PathValue(x.idParam()))
	if err != nil {
		return err
	}
	x.write(w, http.StatusOK, out)
	return nil
}

func (x resource[T, F, R]) patch(w http.ResponseWriter, r *http.Request,
	do func(ctx context.Context, id string, ifMatch int, change func(*T) error) (T, error)) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	m, err := ifMatch(r)
	if err != nil {
		return err
	}
	out, err := do(r.Context(), r.PathValue(x.idParam()), m, func(v *T) error {
		f := x.fields(*v)
		if err := decodeInto(b, &f); err != nil {
			return err
		}
		x.apply(f, v)
		return nil
	})
	if err != nil {
		return err
	}
	x.write(w, http.StatusOK, out)
	return nil
}

func (x resource[T, F, R]) remove(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id string, ifMatch int) error) error {
	m, err := ifMatch(r)
	if err != nil {
		return err
	}
	if err := do(r.Context(), r.PathValue(x.idParam()), m); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (x resource[T, F, R]) list(w http.ResponseWriter, p crm.Page[T]) {
	writeJSON(w, http.StatusOK, listOf(p, x.response))
}

func (x resource[T, F, R]) write(w http.ResponseWriter, status int, v T) {
	w.Header().Set("ETag", etag(x.version(v)))
	writeJSON(w, status, x.response(v))
}

func (x resource[T, F, R]) idParam() string {
	if strings.HasSuffix(x.path, "notification-settings") {
		return "key"
	}
	return "id"
}

// etag is the entity tag of a version.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads the If-Match header: 0 when absent or "*", else the version
// of an ETag this API issued. Errors: invalid.
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	if n, err := strconv.Atoi(strings.Trim(h, `"`)); err == nil && n >= 0 && strings.HasPrefix(h, `"`) && strings.HasSuffix(h, `"`) {
		if n == 0 {
			return -1, nil // a version no stored entity has: never matches
		}
		return n, nil
	}
	return 0, crm.InvalidField("If-Match", "must be an ETag from this API, like \"3\"")
}

// listOptions reads limit and cursor and refuses query parameters the route
// does not know, so that a misspelt filter is an error, not a silent no-op.
func listOptions(q url.Values, known ...string) (crm.ListOptions, error) {
	f := map[string]string{}
	for name, vals := range q {
		switch {
		case name == "limit" || name == "cursor" || contains(known, name):
			if len(vals) > 1 {
				f[name] = "must be given once"
			}
		default:
			f[name] = "is not a known query parameter"
		}
	}
	if len(f) > 0 {
		return crm.ListOptions{}, crm.Invalid(f)
	}
	o := crm.ListOptions{Cursor: q.Get("cursor")}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > crm.MaxLimit {
			return o, crm.InvalidField("limit", "must be an integer between 1 and 200")
		}
		o.Limit = n
	}
	return o, o.Normalize()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
