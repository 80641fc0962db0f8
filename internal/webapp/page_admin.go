package webapp

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// The admin pages (page_admin_*.go) are adminOnly routes: a staff user
// gets 403 on every one of them, GET or POST, and the header shows them no
// Admin entry. They change configuration through the same use cases as
// the API's admin routes.

func init() {
	addRoutes(route{"GET /app/admin", adminOnly, (*app).adminHome})
}

// adminHome is the admin menu: a link to each admin page.
func (a *app) adminHome(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Nav = "admin"
	a.render(w, r, p, http.StatusOK, "admin", nil)
}

// adminForm is what every admin form page carries besides its own data:
// the field errors of the last POST (by the domain's field name), a
// catalog key saying what went wrong as a whole, and one saying what was
// just done.
type adminForm struct {
	Errors  map[string]string
	Problem string // a catalog key ("" for none)
	Done    string // a catalog key ("" for none)
}

// formFailure turns err into what a form shows: the domain's field errors
// next to their fields (400; in the page's language where the catalog has
// the problem, fieldProblems), a conflict's message next to field (409: a
// name taken, the default state), a stale version as a problem (412). It
// returns false for any other error, which the caller passes to fail.
func formFailure(p *Page, err error, field string) (f adminForm, status int, ok bool) {
	var e *crm.Error
	if !errors.As(err, &e) {
		return f, 0, false
	}
	switch e.Code {
	case crm.CodeInvalid:
		f.Errors = fieldProblems(p, e.Fields)
		if len(f.Errors) == 0 {
			f.Errors[field] = e.Message
		}
		return f, http.StatusBadRequest, true
	case crm.CodeConflict:
		if len(e.Fields) > 0 { // a unique value taken: the field it is in
			f.Errors = fieldProblems(p, e.Fields)
		} else {
			f.Errors = map[string]string{field: e.Message}
		}
		for k, msg := range f.Errors {
			for _, c := range adminConflicts {
				if strings.HasPrefix(msg, c.Prefix) {
					f.Errors[k] = p.T(c.Key)
				}
			}
		}
		return f, http.StatusConflict, true
	case crm.CodePreconditionFailed:
		f.Problem = "error.stale"
		return f, http.StatusPreconditionFailed, true
	}
	return f, 0, false
}

// adminConflicts are the domain's conflicts the admin forms meet, in the
// page's language; any other shows the domain's text.
var adminConflicts = []fieldProblem{
	{Prefix: "is already used by", Key: "admin.taken"},
	{Prefix: "you cannot remove your own admin role", Key: "users.notYourself"},
	{Prefix: "a state becomes the default by setting default on it", Key: "states.defaultStays"},
	{Prefix: "the state holds", Key: "states.outcomeLocked"},
}

// formVersion is the version a form was built from (its hidden version
// field): the If-Match of the change, so that a change made meanwhile by
// someone else is refused (precondition_failed) instead of overwritten.
func formVersion(r *http.Request) int {
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v < 0 {
		return -1 // matches no version: refused as stale
	}
	return v
}

// formLines splits a textarea into its non-empty lines, trimmed.
func formLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// formTicked reports whether a checkbox of the form was ticked.
func formTicked(r *http.Request, name string) bool { return r.PostFormValue(name) != "" }

// adminListCap is how many items an admin list reads at most: sources,
// interests and users are tens in a company; past this the page says the
// list is cut short rather than reading without end.
const adminListCap = 1000

// listAll reads the pages of a list, MaxLimit at a time, up to
// adminListCap items; more reports whether there were more. Errors: those
// of list.
func listAll[T any](list func(crm.ListOptions) (crm.Page[T], error)) (items []T, more bool, err error) {
	o := crm.ListOptions{Limit: crm.MaxLimit}
	for {
		pg, err := list(o)
		if err != nil {
			return nil, false, err
		}
		items = append(items, pg.Items...)
		if pg.NextCursor == "" {
			return items, false, nil
		}
		if len(items) >= adminListCap {
			return items, true, nil
		}
		o.Cursor = pg.NextCursor
	}
}

// forgetLists drops the cached agents, sources and interests after an
// admin changed one, so that this instance's filters show the change at
// once (others within catalogTTL).
func (a *app) forgetLists() { a.catalog.Delete(struct{}{}) }
