package httpapi

import (
	"context"
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

var opportunityRes = resource[crm.Opportunity, opportunityFields, opportunityResponse]{
	path: "/v1/opportunities", defaults: func() crm.Opportunity { return crm.Opportunity{} },
	fields: opportunityFieldsOf, apply: func(f opportunityFields, v *crm.Opportunity) { f.applyTo(v) },
	response: opportunityToResponse, id: func(v crm.Opportunity) string { return v.ID },
	version: func(v crm.Opportunity) int { return v.Version },
}

func partyRes(k crm.PartyKind) resource[crm.Party, partyFields, partyResponse] {
	return resource[crm.Party, partyFields, partyResponse]{
		path: "/v1/" + string(k) + "s", defaults: func() crm.Party { return crm.Party{Kind: k} },
		fields: partyFieldsOf, apply: func(f partyFields, v *crm.Party) { f.applyTo(v) },
		response: partyToResponse, id: func(v crm.Party) string { return v.ID },
		version: func(v crm.Party) int { return v.Version },
	}
}

var quoteRes = resource[crm.Quote, quoteRequest, quoteResponse]{
	path: "/v1/quotes", response: quoteToResponse, id: func(v crm.Quote) string { return v.ID },
	version: func(v crm.Quote) int { return v.Version },
}

func (a *API) createOpportunity(w http.ResponseWriter, r *http.Request, u crm.User) error {
	return opportunityRes.create(w, r, func(ctx context.Context, o crm.Opportunity) (crm.Opportunity, error) {
		return a.svc.CreateOpportunity(ctx, u, o)
	})
}

func (a *API) getOpportunity(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return opportunityRes.get(w, r, a.svc.GetOpportunity)
}

func (a *API) patchOpportunity(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return opportunityRes.patch(w, r, a.svc.UpdateOpportunity)
}

func (a *API) deleteOpportunity(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return opportunityRes.remove(w, r, a.svc.DeleteOpportunity)
}

func (a *API) listOpportunities(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	q := r.URL.Query()
	o, err := listOptions(q, "stateId", "agentId", "assigneeId", "contactId", "interestId", "sourceId")
	if err != nil {
		return err
	}
	f := crm.OpportunityFilter{StateID: q.Get("stateId"), AgentID: q.Get("agentId"), AssigneeID: q.Get("assigneeId"),
		ContactID: q.Get("contactId"), InterestID: q.Get("interestId"), SourceID: q.Get("sourceId")}
	p, err := a.svc.ListOpportunities(r.Context(), f, o)
	if err != nil {
		return err
	}
	opportunityRes.list(w, p)
	return nil
}

func (a *API) opportunityTabs(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	if _, err := listOptions(r.URL.Query()); err != nil {
		return err
	}
	tabs, err := a.svc.Tabs(r.Context())
	if err != nil {
		return err
	}
	out := listResponse[tabResponse]{Items: make([]tabResponse, 0, len(tabs))}
	for _, t := range tabs {
		out.Items = append(out.Items, tabResponse{stateResponse: stateToResponse(t.State), Count: t.Count})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) bulkState(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	var req bulkStateRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	n, err := a.svc.BulkMove(r.Context(), req.IDs, req.StateID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bulkStateResponse{Moved: n})
	return nil
}

func (a *API) createParty(k crm.PartyKind) handlerFunc {
	res := partyRes(k)
	return func(w http.ResponseWriter, r *http.Request, u crm.User) error {
		return res.create(w, r, func(ctx context.Context, p crm.Party) (crm.Party, error) {
			return a.svc.CreateParty(ctx, u, p)
		})
	}
}

func (a *API) getParty(k crm.PartyKind) handlerFunc {
	res := partyRes(k)
	return func(w http.ResponseWriter, r *http.Request, _ crm.User) error {
		return res.get(w, r, func(ctx context.Context, id string) (crm.Party, error) { return a.svc.GetParty(ctx, k, id) })
	}
}

func (a *API) patchParty(k crm.PartyKind) handlerFunc {
	res := partyRes(k)
	return func(w http.ResponseWriter, r *http.Request, _ crm.User) error {
		return res.patch(w, r, func(ctx context.Context, id string, m int, change func(*crm.Party) error) (crm.Party, error) {
			return a.svc.UpdateParty(ctx, k, id, m, change)
		})
	}
}

func (a *API) listParties(k crm.PartyKind) handlerFunc {
	res := partyRes(k)
	return func(w http.ResponseWriter, r *http.Request, _ crm.User) error {
		o, err := listOptions(r.URL.Query())
		if err != nil {
			return err
		}
		p, err := a.svc.ListParties(r.Context(), k, o)
		if err != nil {
			return err
		}
		res.list(w, p)
		return nil
	}
}

// convertContact answers 201 with the new client or supplier, or 200 with
// the one the contact was converted into before.
func (a *API) convertContact(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	var req convertRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	p, created, err := a.svc.Convert(r.Context(), r.PathValue("id"), crm.PartyKind(req.To))
	if err != nil {
		return err
	}
	res := partyRes(p.Kind)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", res.path+"/"+p.ID)
	}
	res.write(w, status, p)
	return nil
}

func (a *API) createQuote(w http.ResponseWriter, r *http.Request, u crm.User) error {
	var req quoteRequest
	if r.ContentLength != 0 {
		if err := decodeBody(r, &req); err != nil {
			return err
		}
	}
	if req.Lines != nil && len(*req.Lines) == 0 {
		return crm.InvalidField("lines", "must have 1 to 100 lines; leave it out to start from the opportunity")
	}
	var q crm.Quote
	if err := req.applyTo(&q); err != nil {
		return err
	}
	out, err := a.svc.CreateQuote(r.Context(), u, r.PathValue("id"), q)
	if err != nil {
		return err
	}
	w.Header().Set("Location", quoteRes.path+"/"+out.ID)
	quoteRes.write(w, http.StatusCreated, out)
	return nil
}

func (a *API) listQuotes(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	if _, err := listOptions(r.URL.Query()); err != nil {
		return err
	}
	qs, err := a.svc.ListQuotes(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	quoteRes.list(w, crm.Page[crm.Quote]{Items: qs})
	return nil
}

func (a *API) getQuote(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return quoteRes.get(w, r, a.svc.GetQuote)
}

func (a *API) patchQuote(w http.ResponseWriter, r *http.Request, u crm.User) error {
	var req quoteRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	m, err := ifMatch(r)
	if err != nil {
		return err
	}
	out, err := a.svc.UpdateQuote(r.Context(), u, r.PathValue("id"), m, req.applyTo)
	if err != nil {
		return err
	}
	quoteRes.write(w, http.StatusOK, out)
	return nil
}

// acceptQuote answers 200 with the accepted quote, whether this call or an
// earlier one accepted it.
func (a *API) acceptQuote(w http.ResponseWriter, r *http.Request, u crm.User) error {
	q, _, err := a.svc.AcceptQuote(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	quoteRes.write(w, http.StatusOK, q)
	return nil
}
