package webapp

import (
	"net/http"
	"slices"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/admin/interests", adminOnly, (*app).interests},
		route{"POST /app/admin/interests", adminOnly, (*app).createInterest},
		route{"GET /app/admin/interests/{id}", adminOnly, (*app).editInterest},
		route{"POST /app/admin/interests/{id}", adminOnly, (*app).updateInterest},
	)
}

// interestsView is the interests page: the list and the form of a new
// one (with what was typed and its errors when it was refused).
type interestsView struct {
	Interests []crm.Interest
	More      bool
	Saved     string // the name of the interest just saved
	New       crm.Interest
	adminForm
}

// interests lists the interests, by name, above the form of a new one.
func (a *app) interests(w http.ResponseWriter, r *http.Request, p *Page) {
	v := interestsView{}
	if id := r.URL.Query().Get("saved"); id != "" {
		if i, err := a.svc.GetInterest(r.Context(), id); err == nil {
			v.Saved = i.Name
		}
	}
	a.showInterests(w, r, p, http.StatusOK, v)
}

// showInterests reads the list into v and renders it with status.
func (a *app) showInterests(w http.ResponseWriter, r *http.Request, p *Page, status int, v interestsView) {
	p.Nav = "admin"
	ctx := r.Context()
	var err error
	v.Interests, v.More, err = listAll(func(o crm.ListOptions) (crm.Page[crm.Interest], error) { return a.svc.ListInterests(ctx, o) })
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	slices.SortFunc(v.Interests, func(x, y crm.Interest) int { return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)) })
	a.render(w, r, p, status, "admin_interests", v)
}

// createInterest adds an interest and goes back to the list.
func (a *app) createInterest(w http.ResponseWriter, r *http.Request, p *Page) {
	in := crm.Interest{Name: r.PostFormValue("name"), Observations: r.PostFormValue("observations")}
	saved, err := a.svc.CreateInterest(r.Context(), in)
	if err != nil {
		af, status, ok := formFailure(p, err, "name")
		if !ok {
			a.fail(w, r, p, err)
			return
		}
		a.showInterests(w, r, p, status, interestsView{New: in, adminForm: af})
		return
	}
	a.forgetLists()
	http.Redirect(w, r, "/app/admin/interests?saved="+saved.ID, http.StatusSeeOther)
}

// interestView is an interest's edit form.
type interestView struct {
	Interest crm.Interest
	adminForm
}

// editInterest shows an interest's form.
func (a *app) editInterest(w http.ResponseWriter, r *http.Request, p *Page) {
	in, err := a.svc.GetInterest(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	p.Nav = "admin"
	a.render(w, r, p, http.StatusOK, "admin_interest", interestView{Interest: in})
}

// updateInterest saves an interest's form and goes back to the list.
func (a *app) updateInterest(w http.ResponseWriter, r *http.Request, p *Page) {
	id, version := r.PathValue("id"), formVersion(r)
	name, obs := r.PostFormValue("name"), r.PostFormValue("observations")
	saved, err := a.svc.UpdateInterest(r.Context(), id, version, func(in *crm.Interest) error {
		in.Name, in.Observations = name, obs
		return nil
	})
	if err != nil {
		af, status, ok := formFailure(p, err, "name")
		if !ok {
			a.fail(w, r, p, err)
			return
		}
		p.Nav = "admin"
		a.render(w, r, p, status, "admin_interest", interestView{Interest: crm.Interest{ID: id, Name: name, Observations: obs, Version: version}, adminForm: af})
		return
	}
	a.forgetLists()
	http.Redirect(w, r, "/app/admin/interests?saved="+saved.ID, http.StatusSeeOther)
}
