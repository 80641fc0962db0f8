package webapp

import (
	"net/http"
	"slices"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/admin/users", adminOnly, (*app).users},
		route{"POST /app/admin/users", adminOnly, (*app).inviteUser},
		route{"GET /app/admin/users/{id}", adminOnly, (*app).editUser},
		route{"POST /app/admin/users/{id}", adminOnly, (*app).updateUser},
		route{"POST /app/admin/users/{id}/deactivate", adminOnly, (*app).deactivateUser},
		route{"POST /app/admin/users/{id}/activate", adminOnly, (*app).activateUser},
		route{"POST /app/admin/users/{id}/signin-link", adminOnly, (*app).sendUserLink},
		route{"POST /app/admin/users/{id}/tokens", adminOnly, (*app).createToken},
		route{"POST /app/admin/users/{id}/tokens/{tokenId}/revoke", adminOnly, (*app).revokeToken},
	)
}

// userRoles are the roles a user may have, in the form's order.
var userRoles = []crm.Role{crm.RoleStaff, crm.RoleAdmin}

// usersView is the users page: every user and the invitation form.
type usersView struct {
	Users  []crm.User
	More   bool
	Agents catalogLists
	New    crm.User
	Roles  []crm.Role
	adminForm
}

// users lists the users, active ones first, by name.
func (a *app) users(w http.ResponseWriter, r *http.Request, p *Page) {
	a.showUsers(w, r, p, http.StatusOK, usersView{New: crm.User{Role: crm.RoleStaff, Lang: crm.LangES}})
}

// showUsers reads the users into v and renders it with status.
func (a *app) showUsers(w http.ResponseWriter, r *http.Request, p *Page, status int, v usersView) {
	p.Nav = "admin"
	ctx := r.Context()
	var err error
	v.Users, v.More, err = listAll(func(o crm.ListOptions) (crm.Page[crm.User], error) { return a.svc.ListUsers(ctx, o) })
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	slices.SortFunc(v.Users, func(x, y crm.User) int {
		if x.Active != y.Active {
			if x.Active {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	})
	if v.Agents, err = a.lists(ctx); err != nil {
		a.fail(w, r, p, err)
		return
	}
	v.Roles = userRoles
	a.render(w, r, p, status, "admin_users", v)
}

// readUserForm reads the fields of a user's form onto u.
func readUserForm(r *http.Request, u *crm.User) {
	u.Name, u.Email, u.Role = r.PostFormValue("name"), r.PostFormValue("email"), crm.Role(r.PostFormValue("role"))
	u.Lang, u.AgentID = r.PostFormValue("lang"), r.PostFormValue("agentId")
}

// inviteUser creates an active user and sends them a sign-in link (the
// one the sign-in page sends), then shows their page, which says so.
func (a *app) inviteUser(w http.ResponseWriter, r *http.Request, p *Page) {
	u := crm.User{Active: true}
	readUserForm(r, &u)
	saved, err := a.svc.CreateUser(r.Context(), u)
	if err != nil {
		af, status, ok := formFailure(p, err, "email")
		if !ok {
			a.fail(w, r, p, err)
			return
		}
		a.showUsers(w, r, p, status, usersView{New: u, adminForm: af})
		return
	}
	done := "nomail"
	if a.opt.Mailer != nil {
		a.sendLink(r, saved.Email, "/app/")
		done = "invited"
	}
	http.Redirect(w, r, "/app/admin/users/"+saved.ID+"?done="+done, http.StatusSeeOther)
}

// userView is a user's page: their form, whether they may sign in, and
// their API tokens (with a new one's secret, shown this once).
type userView struct {
	User      crm.User
	Self      bool // the user is the admin looking: no deactivating or demoting oneself
	Agents    catalogLists
	Roles     []crm.Role
	Tokens    []crm.Token
	NewSecret string // a token just issued ("" for none)
	NewToken  crm.Token
	Mailable  bool // sign-in links can be sent
	adminForm
}

// userDone are the notices a user's page shows after a redirect, by the
// done= of its query.
var userDone = map[string]string{"invited": "users.invited", "nomail": "users.noMail", "saved": "users.saved",
	"link": "users.linkSent", "deactivated": "users.deactivated", "activated": "users.activated", "revoked": "users.revoked"}

// editUser shows a user's page.
func (a *app) editUser(w http.ResponseWriter, r *http.Request, p *Page) {
	u, err := a.svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	a.showUser(w, r, p, http.StatusOK, userView{User: u, adminForm: adminForm{Done: userDone[r.URL.Query().Get("done")]}})
}

// showUser reads the user's tokens and the agents into v and renders it.
func (a *app) showUser(w http.ResponseWriter, r *http.Request, p *Page, status int, v userView) {
	p.Nav = "admin"
	ctx := r.Context()
	var err error
	v.Tokens, _, err = listAll(func(o crm.ListOptions) (crm.Page[crm.Token], error) { return a.svc.ListTokens(ctx, v.User.ID, o) })
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	if v.Agents, err = a.lists(ctx); err != nil {
		a.fail(w, r, p, err)
		return
	}
	v.Self, v.Roles, v.Mailable = v.User.ID == p.User.ID, userRoles, a.opt.Mailer != nil
	a.render(w, r, p, status, "admin_user", v)
}

// userFailed shows the user's page again with what the domain refused
// (field errors at the form; a conflict, such as deactivating oneself, at
// field), or the error page.
func (a *app) userFailed(w http.ResponseWriter, r *http.Request, p *Page, u crm.User, field string, err error) {
	af, status, ok := formFailure(p, err, field)
	if !ok {
		a.fail(w, r, p, err)
		return
	}
	a.showUser(w, r, p, status, userView{User: u, adminForm: af})
}

// updateUser saves a user's form. A change of role ends the user's
// sessions (the domain's rule): they sign in again with what they may do
// now.
func (a *app) updateUser(w http.ResponseWriter, r *http.Request, p *Page) {
	cur, err := a.svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	typed := cur
	readUserForm(r, &typed)
	typed.Version = formVersion(r)
	_, err = a.svc.UpdateUser(r.Context(), p.User, cur.ID, typed.Version, func(u *crm.User) error {
		u.Name, u.Email, u.Role, u.Lang, u.AgentID = typed.Name, typed.Email, typed.Role, typed.Lang, typed.AgentID
		return nil
	})
	if err != nil {
		a.userFailed(w, r, p, typed, "role", err)
		return
	}
	http.Redirect(w, r, "/app/admin/users/"+cur.ID+"?done=saved", http.StatusSeeOther)
}

// setActive deactivates or reactivates a user. Deactivating ends their
// sessions and stops their tokens; an admin cannot deactivate themselves.
func (a *app) setActive(w http.ResponseWriter, r *http.Request, p *Page, active bool) {
	cur, err := a.svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	version := formVersion(r)
	_, err = a.svc.UpdateUser(r.Context(), p.User, cur.ID, version, func(u *crm.User) error { u.Active = active; return nil })
	if err != nil {
		a.userFailed(w, r, p, cur, "active", err)
		return
	}
	done := "deactivated"
	if active {
		done = "activated"
	}
	http.Redirect(w, r, "/app/admin/users/"+cur.ID+"?done="+done, http.StatusSeeOther)
}

func (a *app) deactivateUser(w http.ResponseWriter, r *http.Request, p *Page) {
	a.setActive(w, r, p, false)
}
func (a *app) activateUser(w http.ResponseWriter, r *http.Request, p *Page) {
	a.setActive(w, r, p, true)
}

// sendUserLink sends an active user a sign-in link, as the sign-in page
// would.
func (a *app) sendUserLink(w http.ResponseWriter, r *http.Request, p *Page) {
	u, err := a.svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	if !u.Active || a.opt.Mailer == nil {
		a.showUser(w, r, p, http.StatusConflict, userView{User: u, adminForm: adminForm{Problem: "users.cannotSend"}})
		return
	}
	a.sendLink(r, u.Email, "/app/")
	http.Redirect(w, r, "/app/admin/users/"+u.ID+"?done=link", http.StatusSeeOther)
}

// createToken issues an API token for the user and shows its secret this
// once, on the user's page (not a redirect: the secret is stored only
// hashed and is never put in a URL).
func (a *app) createToken(w http.ResponseWriter, r *http.Request, p *Page) {
	u, err := a.svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("tokenName"))
	secret, t, err := a.svc.IssueToken(r.Context(), u.ID, name)
	if err != nil {
		af, status, ok := formFailure(p, err, "tokenName")
		if !ok {
			a.fail(w, r, p, err)
			return
		}
		if n, bad := af.Errors["name"]; bad { // the token's name, not the user's
			delete(af.Errors, "name")
			af.Errors["tokenName"] = n
		}
		a.showUser(w, r, p, status, userView{User: u, adminForm: af})
		return
	}
	a.showUser(w, r, p, http.StatusCreated, userView{User: u, NewSecret: secret, NewToken: t})
}

// revokeToken revokes one of the user's tokens. The API's admin routes
// refuse it at once (they read the store on every request); its other
// routes once their token cache lets it go (docs/api.md: up to 30 seconds,
// as for a token revoked on another instance).
func (a *app) revokeToken(w http.ResponseWriter, r *http.Request, p *Page) {
	id := r.PathValue("id")
	if _, err := a.svc.RevokeToken(r.Context(), id, r.PathValue("tokenId")); err != nil {
		a.fail(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/app/admin/users/"+id+"?done=revoked", http.StatusSeeOther)
}
