package webapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/admin/states", adminOnly, (*app).states},
		route{"POST /app/admin/states", adminOnly, (*app).createState},
		route{"GET /app/admin/states/{id}", adminOnly, (*app).editState},
		route{"POST /app/admin/states/{id}", adminOnly, (*app).updateState},
	)
}

// stateOutcomes are the outcomes a state may have, in the form's order.
var stateOutcomes = []crm.Outcome{crm.OutcomeOpen, crm.OutcomeWon, crm.OutcomeLost}

// stateForm is a state as its form shows and sends it: the order as
// typed (a number the domain bounds).
type stateForm struct {
	crm.State
	OrderText string
}

// statesView is the states page: the pipeline's states in order and the
// form of a new one.
type statesView struct {
	States   []crm.State
	Outcomes []crm.Outcome
	Saved    string
	Form     stateForm // the new state's
	adminForm
}

// stateView is a state's edit form.
type stateView struct {
	Form     stateForm
	Outcomes []crm.Outcome
	adminForm
}

// states lists the pipeline's states in order, above the form of a new
// one (ordered after the last by default).
func (a *app) states(w http.ResponseWriter, r *http.Request, p *Page) {
	v := statesView{Form: stateForm{State: crm.State{Color: "#6b7280", ShowTab: true, Outcome: crm.OutcomeOpen}}}
	if id := r.URL.Query().Get("saved"); id != "" {
		if st, err := a.svc.GetState(r.Context(), id); err == nil {
			v.Saved = st.Name
		}
	}
	a.showStates(w, r, p, http.StatusOK, v)
}

// showStates reads the states into v and renders it with status.
func (a *app) showStates(w http.ResponseWriter, r *http.Request, p *Page, status int, v statesView) {
	p.Nav = "admin"
	var err error
	if v.States, err = a.svc.ListStates(r.Context()); err != nil {
		a.fail(w, r, p, err)
		return
	}
	if v.Form.OrderText == "" {
		next := 100
		for _, st := range v.States {
			next = max(next, st.Order+10)
		}
		v.Form.OrderText = strconv.Itoa(next)
	}
	v.Outcomes = stateOutcomes
	a.render(w, r, p, status, "admin_states", v)
}

// readStateForm reads a state's form; errs holds what cannot be read
// (the order), by the domain's field name.
func readStateForm(r *http.Request, lang string) (stateForm, map[string]string) {
	f := stateForm{OrderText: strings.TrimSpace(r.PostFormValue("order"))}
	f.Name, f.Color, f.Outcome = r.PostFormValue("name"), r.PostFormValue("color"), crm.Outcome(r.PostFormValue("outcome"))
	f.Default, f.ShowTab = formTicked(r, "default"), formTicked(r, "showTab")
	errs := map[string]string{}
	n, err := strconv.Atoi(f.OrderText)
	if err != nil {
		errs["order"] = translate(lang, "states.orderInvalid")
	}
	f.Order = n
	return f, errs
}

// createState adds a state and goes back to the list.
func (a *app) createState(w http.ResponseWriter, r *http.Request, p *Page) {
	f, errs := readStateForm(r, p.Lang)
	if len(errs) > 0 {
		a.showStates(w, r, p, http.StatusBadRequest, statesView{Form: f, adminForm: adminForm{Errors: errs}})
		return
	}
	st, err := a.svc.CreateState(r.Context(), f.State)
	if err != nil {
		af, status, ok := formFailure(p, err, "name")
		if !ok {
			a.fail(w, r, p, err)
			return
		}
		a.showStates(w, r, p, status, statesView{Form: f, adminForm: af})
		return
	}
	http.Redirect(w, r, "/app/admin/states?saved="+st.ID, http.StatusSeeOther)
}

// editState shows a state's form.
func (a *app) editState(w http.ResponseWriter, r *http.Request, p *Page) {
	st, err := a.svc.GetState(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	p.Nav = "admin"
	a.render(w, r, p, http.StatusOK, "admin_state", stateView{Form: stateForm{State: st, OrderText: strconv.Itoa(st.Order)}, Outcomes: stateOutcomes})
}

// updateState saves a state's form and goes back to the list. The domain
// keeps one default (a state made default takes the flag; the default
// cannot just drop it) and changes an outcome only while the state is
// empty: both refusals are shown next to their field.
func (a *app) updateState(w http.ResponseWriter, r *http.Request, p *Page) {
	f, errs := readStateForm(r, p.Lang)
	f.ID, f.Version = r.PathValue("id"), formVersion(r)
	p.Nav = "admin"
	if len(errs) > 0 {
		a.render(w, r, p, http.StatusBadRequest, "admin_state", stateView{Form: f, Outcomes: stateOutcomes, adminForm: adminForm{Errors: errs}})
		return
	}
	cur, err := a.svc.GetState(r.Context(), f.ID)
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	st, err := a.svc.UpdateState(r.Context(), f.ID, f.Version, func(st *crm.State) error {
		st.Name, st.Order, st.Color, st.Outcome = f.Name, f.Order, f.Color, f.Outcome
		st.Default, st.ShowTab = f.Default, f.ShowTab
		return nil
	})
	if err != nil {
		field := "name" // the conflicts name the field they are about
		switch {
		case cur.Default && !f.Default:
			field = "default"
		case cur.Outcome != f.Outcome:
			field = "outcome"
		}
		af, status, ok := formFailure(p, err, field)
		if !ok {
			a.fail(w, r, p, err)
			return
		}
		a.render(w, r, p, status, "admin_state", stateView{Form: f, Outcomes: stateOutcomes, adminForm: af})
		return
	}
	http.Redirect(w, r, "/app/admin/states?saved="+st.ID, http.StatusSeeOther)
}
