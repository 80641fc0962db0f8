package webapp

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/{$}", signedIn, (*app).pipeline},
		route{"GET /app/pipeline", signedIn, (*app).pipeline},
		route{"POST /app/pipeline/move", signedIn, (*app).movePipeline},
	)
}

// pipelinePage is how many opportunities a tab shows at once.
const pipelinePage = 50

// pipelineQuery is what the pipeline page shows: a state and the filters.
type pipelineQuery struct {
	State, Agent, Source, Interest string
}

// readPipelineQuery reads the state and the filters from a query or a form.
func readPipelineQuery(v url.Values) pipelineQuery {
	return pipelineQuery{State: v.Get("state"), Agent: v.Get("agent"), Source: v.Get("source"), Interest: v.Get("interest")}
}

// values is the query of the page showing q (with cursor when not "").
func (q pipelineQuery) values(cursor string) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"state": q.State, "agent": q.Agent, "source": q.Source, "interest": q.Interest, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// pipelineView is the pipeline page's data.
type pipelineView struct {
	Query    pipelineQuery
	Tabs     []crm.Tab
	States   []crm.State // every state, in order: the targets of a move
	Selected crm.State
	Items    []pipelineItem
	MoreURL  string // the next page's URL ("" for none)
	Lists    catalogLists
	Moved    int               // how many the last move moved (-1: no move)
	Errors   map[string]string // the move form's field errors
	Problem  string            // a catalog key saying why the move failed
	Checked  map[string]bool   // the opportunities ticked (kept when a move fails)
	Target   string            // the state chosen to move to
	Reason   string            // the lost reason typed
}

// pipelineItem is one opportunity of the board, with its contact's name.
type pipelineItem struct {
	crm.Opportunity
	Contact string
}

// Amount is what the opportunity is worth: its quotes' amount, else the
// approximate one.
func (i pipelineItem) Amount() int64 {
	if i.AmountCents > 0 {
		return i.AmountCents
	}
	return i.ApproxAmountCents
}

// pipeline shows one tab per state with its count, the opportunities of
// the selected state (filtered by agent, source and interest, 50 at a
// time) and the form that moves the ticked ones to another state.
func (a *app) pipeline(w http.ResponseWriter, r *http.Request, p *Page) {
	q := r.URL.Query()
	v := pipelineView{Query: readPipelineQuery(q), Moved: -1}
	if n, err := strconv.Atoi(q.Get("moved")); err == nil && n >= 0 {
		v.Moved = n
	}
	a.showPipeline(w, r, p, http.StatusOK, v, q.Get("cursor"))
}

// showPipeline fills v with the tabs, the states, the lists and the
// selected state's opportunities from cursor, and renders it with status.
func (a *app) showPipeline(w http.ResponseWriter, r *http.Request, p *Page, status int, v pipelineView, cursor string) {
	p.Nav = "pipeline"
	ctx := r.Context()
	var err error
	if v.Tabs, err = a.svc.Tabs(ctx); err != nil {
		a.fail(w, r, p, err)
		return
	}
	if v.States, err = a.svc.PipelineStates(ctx); err != nil {
		a.fail(w, r, p, err)
		return
	}
	if v.Lists, err = a.lists(ctx); err != nil {
		a.fail(w, r, p, err)
		return
	}
	for _, st := range v.States {
		if st.ID == v.Query.State {
			v.Selected = st
		}
	}
	if v.Selected.ID == "" && len(v.Tabs) > 0 {
		v.Selected = v.Tabs[0].State
	}
	v.Query.State = v.Selected.ID
	if v.Selected.ID == "" {
		a.render(w, r, p, status, "pipeline", v)
		return
	}
	f := crm.OpportunityFilter{StateID: v.Selected.ID, AgentID: v.Query.Agent, SourceID: v.Query.Source, InterestID: v.Query.Interest}
	pg, err := a.svc.ListOpportunities(ctx, f, crm.ListOptions{Limit: pipelinePage, Cursor: cursor})
	if crm.ErrorCode(err) == crm.CodeInvalid { // a filter or cursor of no list: show the tab unfiltered
		v.Query = pipelineQuery{State: v.Selected.ID}
		pg, err = a.svc.ListOpportunities(ctx, crm.OpportunityFilter{StateID: v.Selected.ID}, crm.ListOptions{Limit: pipelinePage})
	}
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	ids := make([]string, len(pg.Items))
	for i, o := range pg.Items {
		ids[i] = o.ContactID
	}
	cs, err := a.contacts(ctx, ids)
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	for _, o := range pg.Items {
		c := cs[o.ContactID]
		v.Items = append(v.Items, pipelineItem{Opportunity: o, Contact: contactName(c)})
	}
	if pg.NextCursor != "" {
		v.MoreURL = "/app/pipeline?" + v.Query.values(pg.NextCursor).Encode()
	}
	a.render(w, r, p, status, "pipeline", v)
}

// contactName is how a contact is named in lists: name and surname, else
// the company, else the e-mail.
func contactName(c crm.Contact) string {
	switch {
	case c.Name != "" || c.Surname != "":
		if c.Surname == "" {
			return c.Name
		}
		if c.Name == "" {
			return c.Surname
		}
		return c.Name + " " + c.Surname
	case c.Company != "":
		return c.Company
	default:
		return c.Email
	}
}

// movePipeline moves the ticked opportunities to the state chosen, all or
// none, with the lost reason a lost state asks for, and goes back to the
// tab it came from, which says how many moved; a refused move shows the
// page again with its field errors and the ticks kept.
func (a *app) movePipeline(w http.ResponseWriter, r *http.Request, p *Page) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, p, crm.InvalidField("form", "cannot be read"))
		return
	}
	form := r.PostForm
	v := pipelineView{Query: readPipelineQuery(form), Moved: -1, Errors: map[string]string{}, Checked: map[string]bool{},
		Target: form.Get("stateId"), Reason: form.Get("lostReason")}
	ids := form["id"]
	for _, id := range ids {
		v.Checked[id] = true
	}
	target, err := a.svc.GetState(r.Context(), v.Target)
	switch {
	case v.Target == "":
		v.Errors["stateId"] = p.T("pipeline.move.pickState")
	case err != nil && crm.ErrorCode(err) != crm.CodeNotFound && crm.ErrorCode(err) != crm.CodeInvalid:
		a.fail(w, r, p, err)
		return
	case err != nil:
		v.Errors["stateId"] = p.T("pipeline.move.pickState")
	case target.Outcome == crm.OutcomeLost && v.Reason == "":
		v.Errors["lostReason"] = p.T("pipeline.move.reasonRequired")
	}
	if len(ids) == 0 {
		v.Errors["ids"] = p.T("pipeline.move.pickSome")
	}
	if len(v.Errors) > 0 {
		a.showPipeline(w, r, p, http.StatusBadRequest, v, "")
		return
	}
	reason := ""
	if target.Outcome == crm.OutcomeLost {
		reason = v.Reason
	}
	n, err := a.svc.MoveOpportunities(r.Context(), ids, target.ID, reason)
	var e *crm.Error
	switch {
	case err == nil:
		q := v.Query.values("")
		q.Set("moved", strconv.Itoa(n))
		http.Redirect(w, r, "/app/pipeline?"+q.Encode(), http.StatusSeeOther)
	case errors.As(err, &e) && e.Code == crm.CodeInvalid:
		for k, msg := range e.Fields {
			switch k {
			case "stateId", "lostReason":
				v.Errors[k] = msg
			default: // ids[3]: one of them is gone or malformed
				v.Errors["ids"] = p.T("pipeline.move.gone")
			}
		}
		a.showPipeline(w, r, p, http.StatusBadRequest, v, "")
	case errors.As(err, &e) && e.Code == crm.CodePreconditionFailed:
		v.Problem = "pipeline.move.stale"
		a.showPipeline(w, r, p, http.StatusConflict, v, "")
	default:
		a.fail(w, r, p, err)
	}
}
