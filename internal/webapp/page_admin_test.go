package webapp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// fieldErrorAt reports whether the page shows a field error after the
// input with the attribute attr (id="..."), within the same field block,
// and marks that input aria-invalid.
func fieldErrorAt(body, attr string) bool {
	i := strings.Index(body, attr)
	if i < 0 {
		return false
	}
	j := strings.Index(body[i:], `class="field-error"`)
	if j < 0 {
		return false
	}
	between := body[i : i+j]
	return !strings.Contains(between, `<div class="field`) && strings.Contains(between, `aria-invalid="true"`)
}

var missingKeyRE = regexp.MustCompile(`\[[a-z]+\.[a-zA-Z.-]+\]`)

// checkTexts fails the test on a text of the page missing from the
// catalog (shown as [key]).
func checkTexts(t *testing.T, path, body string) {
	t.Helper()
	if m := missingKeyRE.FindString(body); m != "" {
		t.Errorf("%s shows %s: a key missing from the catalog", path, m)
	}
}

// adminFixture is one of each thing the admin pages change, for the
// access test to aim at.
type adminFixture struct {
	source   crm.Source
	interest crm.Interest
	state    crm.State
	user     crm.User
	tokenID  string
}

func newAdminFixture(t *testing.T, env *webtest.Env) adminFixture {
	t.Helper()
	ctx := t.Context()
	var f adminFixture
	var err error
	if f.source, err = env.Svc.CreateSource(ctx, crm.Source{Name: "Feria", Webhook: &crm.Webhook{Kind: crm.FormatForm}}); err != nil {
		t.Fatal(err)
	}
	if f.interest, err = env.Svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"}); err != nil {
		t.Fatal(err)
	}
	if f.state, err = env.Svc.CreateState(ctx, crm.State{Name: "Cualificado", Order: 105, Outcome: crm.OutcomeOpen, ShowTab: true}); err != nil {
		t.Fatal(err)
	}
	f.user = env.User(t, crm.RoleStaff, "lucia@example.com")
	_, tok, err := env.Svc.IssueToken(ctx, f.user.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	f.tokenID = tok.ID()
	return f
}

// adminRoutes are every admin page (GET) and form (POST), with the
// fixture's IDs in their paths.
func (f adminFixture) adminRoutes() []struct{ method, path string } {
	u := "/app/admin/users/" + f.user.ID
	return []struct{ method, path string }{
		{"GET", "/app/admin"},
		{"GET", "/app/admin/sources"},
		{"GET", "/app/admin/sources/new"},
		{"POST", "/app/admin/sources"},
		{"GET", "/app/admin/sources/" + f.source.ID},
		{"POST", "/app/admin/sources/" + f.source.ID},
		{"POST", "/app/admin/sources/" + f.source.ID + "/rotate"},
		{"GET", "/app/admin/interests"},
		{"POST", "/app/admin/interests"},
		{"GET", "/app/admin/interests/" + f.interest.ID},
		{"POST", "/app/admin/interests/" + f.interest.ID},
		{"GET", "/app/admin/states"},
		{"POST", "/app/admin/states"},
		{"GET", "/app/admin/states/" + f.state.ID},
		{"POST", "/app/admin/states/" + f.state.ID},
		{"GET", "/app/admin/users"},
		{"POST", "/app/admin/users"},
		{"GET", u},
		{"POST", u},
		{"POST", u + "/deactivate"},
		{"POST", u + "/activate"},
		{"POST", u + "/signin-link"},
		{"POST", u + "/tokens"},
		{"POST", u + "/tokens/" + f.tokenID + "/revoke"},
		{"GET", "/app/admin/notifications"},
		{"POST", "/app/admin/notifications/" + crm.NotifyNote},
	}
}

// unchanged fails the test when anything the fixture holds changed, or
// anything was added: a refused request wrote nothing.
func (f adminFixture) unchanged(t *testing.T, env *webtest.Env) {
	t.Helper()
	ctx := t.Context()
	if got, err := env.Svc.GetSource(ctx, f.source.ID); err != nil || got.Version != f.source.Version {
		t.Errorf("the source changed: %+v %v", got, err)
	}
	if got, err := env.Svc.GetInterest(ctx, f.interest.ID); err != nil || got.Version != f.interest.Version {
		t.Errorf("the interest changed: %+v %v", got, err)
	}
	if got, err := env.Svc.GetState(ctx, f.state.ID); err != nil || got.Version != f.state.Version {
		t.Errorf("the state changed: %+v %v", got, err)
	}
	if got, err := env.Svc.GetUser(ctx, f.user.ID); err != nil || got.Version != f.user.Version {
		t.Errorf("the user changed: %+v %v", got, err)
	}
	if l, err := env.Svc.ListTokens(ctx, f.user.ID, crm.ListOptions{Limit: 10}); err != nil || len(l.Items) != 1 {
		t.Errorf("the user's tokens changed: %d %v", len(l.Items), err)
	}
	if s := setting(t, env, crm.NotifyNote); s.Version != 1 {
		t.Errorf("the notification setting changed: %+v", s)
	}
	srcs, _ := env.Svc.ListSources(ctx, crm.ListOptions{Limit: 10})
	ins, _ := env.Svc.ListInterests(ctx, crm.ListOptions{Limit: 10})
	sts, _ := env.Svc.ListStates(ctx)
	if len(srcs.Items) != 1 || len(ins.Items) != 1 || len(sts) != 6 {
		t.Errorf("something was created: %d sources, %d interests, %d states", len(srcs.Items), len(ins.Items), len(sts))
	}
	users, _ := env.Svc.ListUsers(ctx, crm.ListOptions{Limit: 10})
	for _, u := range users.Items {
		if u.Email == anyAdminForm.Get("email") {
			t.Errorf("a user was invited: %+v", u)
		}
	}
}

// anyAdminForm is a form that every admin POST would take as valid.
var anyAdminForm = url.Values{"name": {"Cambiado"}, "version": {"1"}, "kind": {"form"}, "email": {"x@example.com"}, "role": {"admin"},
	"order": {"10"}, "outcome": {"open"}, "lang": {"es"}, "assignment": {"none"}, "tokenName": {"otro"}}

// TestAdminPagesAreAdminOnly: a staff user gets 403 on every admin page
// and form, even with a valid CSRF token, and sees no admin data; signed
// out, a page sends to the sign-in page and a form is refused (401); an
// admin opens every page (with every text in the catalog); and nothing
// changed.
func TestAdminPagesAreAdminOnly(t *testing.T) {
	env := webtest.New(t)
	f := newAdminFixture(t, env)
	staff := env.SignIn(t, env.User(t, crm.RoleStaff, "ana@example.com"))
	anon := env.Anonymous(t)
	admin := env.SignIn(t, env.Admin)
	for _, rt := range f.adminRoutes() {
		var res *webtest.Response
		if rt.method == "GET" {
			res = staff.Get(t, rt.path)
			if got := anon.Get(t, rt.path); got.Status != http.StatusSeeOther || !strings.HasPrefix(got.Location(), "/app/signin?next=") {
				t.Errorf("signed out GET %s: %d to %q", rt.path, got.Status, got.Location())
			}
			if got := admin.Get(t, rt.path); got.Status != http.StatusOK {
				t.Errorf("an admin's GET %s: %d", rt.path, got.Status)
			} else {
				checkTexts(t, rt.path, got.Body)
			}
		} else {
			res = staff.PostForm(t, rt.path, anyAdminForm)
			if got := anon.PostForm(t, rt.path, anyAdminForm); got.Status != http.StatusUnauthorized {
				t.Errorf("signed out POST %s: %d, want 401", rt.path, got.Status)
			}
		}
		if res.Status != http.StatusForbidden {
			t.Errorf("staff %s %s: %d, want 403", rt.method, rt.path, res.Status)
		}
		for _, s := range []string{"Feria", "Hosting", "Cualificado", "lucia@example.com"} {
			if strings.Contains(res.Body, s) {
				t.Errorf("staff %s %s: the answer shows %q", rt.method, rt.path, s)
			}
		}
	}
	f.unchanged(t, env)
}

// TestAdminFormsNeedCSRF: an admin's POST to any admin form without the
// session's CSRF token, or with another session's, is refused (403) and
// changes nothing.
func TestAdminFormsNeedCSRF(t *testing.T) {
	env := webtest.New(t)
	f := newAdminFixture(t, env)
	admin := env.SignIn(t, env.Admin)
	other := env.SignIn(t, env.Admin) // a second session of the same admin
	for _, rt := range f.adminRoutes() {
		if rt.method != "POST" {
			continue
		}
		for name, token := range map[string]string{"no token": "", "another session's": other.CSRF} {
			form := url.Values{"_csrf": {token}}
			for k, v := range anyAdminForm {
				form[k] = v
			}
			if res := admin.PostForm(t, rt.path, form); res.Status != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d, want 403", rt.path, name, res.Status)
			}
		}
	}
	f.unchanged(t, env)
}
