package webapp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// userByEmail finds a user by e-mail, failing the test without one.
func userByEmail(t *testing.T, env *webtest.Env, email string) crm.User {
	t.Helper()
	all, err := env.Svc.ListUsers(t.Context(), crm.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all.Items {
		if u.Email == email {
			return u
		}
	}
	t.Fatalf("no user %s", email)
	return crm.User{}
}

// TestInviteUser: inviting creates an active user with the role and
// language chosen and e-mails them a sign-in link that signs them in;
// the page says the link is on its way. A bad or taken address is shown
// next to the field and creates no one.
func TestInviteUser(t *testing.T) {
	env := webtest.New(t)
	c := env.SignIn(t, env.Admin)
	res := c.PostForm(t, "/app/admin/users", url.Values{"name": {"Lucía"}, "email": {"Lucia@Example.com"}, "role": {"staff"}, "lang": {"en"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", res.Status, res.Body)
	}
	u := userByEmail(t, env, "lucia@example.com")
	if !u.Active || u.Role != crm.RoleStaff || u.Lang != crm.LangEN || u.Name != "Lucía" {
		t.Errorf("invited %+v", u)
	}
	if page := c.Get(t, res.Location()).Body; !strings.Contains(page, "Le hemos enviado un enlace para entrar a lucia@example.com.") {
		t.Errorf("the user's page does not say the link was sent")
	}
	link, err := url.Parse(env.SignInLink(t, "lucia@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	lucia := env.Anonymous(t)
	res = lucia.PostForm(t, "/app/signin/link", url.Values{"t": {link.Query().Get("t")}, "next": {link.Query().Get("next")}})
	if res.Status != http.StatusSeeOther || res.Location() != "/app/" {
		t.Fatalf("the invitation's link: %d to %q", res.Status, res.Location())
	}
	if body := lucia.Get(t, "/app/").Body; !strings.Contains(body, "Signed in as Lucía") {
		t.Error("the invitation's link does not sign Lucía in")
	}

	for _, tc := range []struct {
		email  string
		status int
	}{{"not-an-address", http.StatusBadRequest}, {"LUCIA@example.com", http.StatusConflict}} {
		res := c.PostForm(t, "/app/admin/users", url.Values{"name": {"Otra"}, "email": {tc.email}, "role": {"staff"}, "lang": {"es"}})
		if res.Status != tc.status || !fieldErrorAt(res.Body, `id="u-email"`) {
			t.Errorf("invite %s: %d (want %d), or no error at the e-mail", tc.email, res.Status, tc.status)
		}
	}
	if all, _ := env.Svc.ListUsers(t.Context(), crm.ListOptions{Limit: 100}); len(all.Items) != 2 {
		t.Errorf("%d users, want the admin and Lucía", len(all.Items))
	}
}

// TestUserRoleAndDeactivation: a role change is saved and ends the user's
// sessions; deactivating ends them and stops their API tokens, and the
// list shows them deactivated; an admin has no button to deactivate
// themselves, and posting it anyway is refused and changes nothing.
func TestUserRoleAndDeactivation(t *testing.T) {
	env := webtest.New(t)
	ctx := t.Context()
	ana := env.User(t, crm.RoleStaff, "ana@example.com")
	anaSession := env.SignIn(t, ana)
	secret, _, err := env.Svc.IssueToken(ctx, ana.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	c := env.SignIn(t, env.Admin)
	res := c.PostForm(t, "/app/admin/users/"+ana.ID, url.Values{"version": {"1"}, "name": {"Ana"}, "email": {"ana@example.com"},
		"role": {"admin"}, "lang": {"es"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("role change: %d %s", res.Status, res.Body)
	}
	if u, _ := env.Svc.GetUser(ctx, ana.ID); u.Role != crm.RoleAdmin || u.Name != "Ana" {
		t.Errorf("after the change %+v", u)
	}
	if _, _, err := env.Svc.Session(ctx, anaSession.Secret); crm.ErrorCode(err) != crm.CodeUnauthorized {
		t.Errorf("a role change left the session open: %v", err)
	}

	page := c.Get(t, "/app/admin/users/"+ana.ID).Body
	version := regexp.MustCompile(`action="/app/admin/users/` + ana.ID + `/deactivate"[^>]*>.*?name="version" value="(\d+)"`).FindStringSubmatch(page)
	if version == nil {
		t.Fatalf("no deactivate form on the user's page")
	}
	res = c.PostForm(t, "/app/admin/users/"+ana.ID+"/deactivate", url.Values{"version": {version[1]}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d %s", res.Status, res.Body)
	}
	if _, err := env.Svc.Authenticate(ctx, secret); crm.ErrorCode(err) != crm.CodeUnauthorized {
		t.Errorf("a deactivated user's token still works: %v", err)
	}
	if row := regexp.MustCompile(`(?s)<tr data-user="` + ana.ID + `"[^>]*>.*?</tr>`).FindString(c.Get(t, "/app/admin/users").Body); !strings.Contains(row, "Desactivado") {
		t.Errorf("the list does not show Ana deactivated: %s", row)
	}

	self := c.Get(t, "/app/admin/users/"+env.Admin.ID).Body
	if strings.Contains(self, "/deactivate") {
		t.Error("an admin is offered to deactivate themselves")
	}
	res = c.PostForm(t, "/app/admin/users/"+env.Admin.ID+"/deactivate", url.Values{"version": {strconv.Itoa(env.Admin.Version)}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "No puedes quitarte el rol de administrador ni desactivarte a ti mismo.") {
		t.Errorf("deactivating oneself: %d", res.Status)
	}
	if u, _ := env.Svc.GetUser(ctx, env.Admin.ID); !u.Active {
		t.Error("the admin deactivated themselves")
	}
}

var tokenRE = regexp.MustCompile(`id="new-token" readonly value="(emb_[A-Za-z0-9_-]+)"`)

// TestUserTokens: a new token's secret is shown once, opens the API as
// its user, and is listed afterwards by its prefix only; revoking it stops
// it and drops it from the list. A token cannot be made without the CSRF
// field.
func TestUserTokens(t *testing.T) {
	env := webtest.New(t)
	ctx := t.Context()
	ana := env.User(t, crm.RoleStaff, "ana@example.com")
	c := env.SignIn(t, env.Admin)
	res := c.PostForm(t, "/app/admin/users/"+ana.ID+"/tokens", url.Values{"tokenName": {"portátil"}, "_csrf": {""}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("a token without CSRF: %d", res.Status)
	}
	if l, _ := env.Svc.ListTokens(ctx, ana.ID, crm.ListOptions{Limit: 10}); len(l.Items) != 0 {
		t.Fatal("a POST without CSRF made a token")
	}
	res = c.PostForm(t, "/app/admin/users/"+ana.ID+"/tokens", url.Values{"tokenName": {"portátil"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("new token: %d %s", res.Status, res.Body)
	}
	m := tokenRE.FindStringSubmatch(res.Body)
	if m == nil || !strings.Contains(res.Body, `data-copy="new-token"`) {
		t.Fatalf("no token shown with a copy button:\n%s", res.Body)
	}
	u, err := env.Svc.Authenticate(ctx, m[1])
	if err != nil || u.ID != ana.ID {
		t.Fatalf("the token shown opens %v (%v), want Ana", u.ID, err)
	}
	page := c.Get(t, "/app/admin/users/"+ana.ID).Body
	if strings.Contains(page, m[1]) || !strings.Contains(page, m[1][:8]+"…") || !strings.Contains(page, "portátil") {
		t.Fatalf("the user's page shows the secret again, or not the token's prefix and name")
	}
	l, err := env.Svc.ListTokens(ctx, ana.ID, crm.ListOptions{Limit: 10})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("tokens %v %v", l.Items, err)
	}
	res = c.PostForm(t, "/app/admin/users/"+ana.ID+"/tokens/"+l.Items[0].ID()+"/revoke", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", res.Status, res.Body)
	}
	if _, err := env.Svc.Authenticate(ctx, m[1]); crm.ErrorCode(err) != crm.CodeUnauthorized {
		t.Errorf("a revoked token still works: %v", err)
	}
	if page := c.Get(t, res.Location()).Body; strings.Contains(page, m[1][:8]) || !strings.Contains(page, "Token de ana@example.com revocado.") {
		t.Error("the revoked token is still listed, or the page does not say it was revoked")
	}
}
