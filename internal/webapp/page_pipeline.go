package webapp

import (
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/{$}", signedIn, (*app).pipeline},
		route{"GET /app/pipeline", signedIn, (*app).pipeline},
	)
}

// pipelineView is the pipeline page's data.
type pipelineView struct {
	Tabs     []crm.Tab
	Selected crm.State
	Items    []crm.Opportunity
	Next     string
}

// pipeline shows one tab per state with its count and the opportunities
// of the selected state.
func (a *app) pipeline(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Nav = "pipeline"
	ctx := r.Context()
	tabs, err := a.svc.Tabs(ctx)
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	v := pipelineView{Tabs: tabs}
	want := r.URL.Query().Get("state")
	for _, t := range tabs {
		if t.State.ID == want || want == "" && v.Selected.ID == "" {
			v.Selected = t.State
		}
	}
	if v.Selected.ID != "" {
		pg, err := a.svc.ListOpportunities(ctx, crm.OpportunityFilter{StateID: v.Selected.ID}, crm.ListOptions{Limit: 50, Cursor: r.URL.Query().Get("cursor")})
		if err != nil {
			a.fail(w, r, p, err)
			return
		}
		v.Items, v.Next = pg.Items, pg.NextCursor
	}
	a.render(w, r, p, http.StatusOK, "pipeline", v)
}
