package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// sourceRes is the source resource for a request: webhook URLs in its
// responses start with HooksURL, or the URL the request came to.
func (a *API) sourceRes(r *http.Request) resource[crm.Source, sourceFields, sourceResponse] {
	base := a.hooks
	if base == "" {
		base = publicBase(r)
	}
	return resource[crm.Source, sourceFields, sourceResponse]{
		path: "/v1/sources", defaults: func() crm.Source { return crm.Source{} },
		fields: sourceFieldsOf, apply: func(f sourceFields, v *crm.Source) { f.applyTo(v) },
		response: sourceResponseFor(base), id: func(v crm.Source) string { return v.ID },
		version: func(v crm.Source) int { return v.Version },
	}
}

// publicBase is the scheme and host a request was sent to, as the client
// saw it (behind API Gateway, X-Forwarded-Proto says https).
func publicBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

var interestRes = resource[crm.Interest, interestFields, interestResponse]{
	path: "/v1/interests", defaults: func() crm.Interest { return crm.Interest{} },
	fields: interestFieldsOf, apply: func(f interestFields, v *crm.Interest) { f.applyTo(v) },
	response: interestToResponse, id: func(v crm.Interest) string { return v.ID }, version: func(v crm.Interest) int { return v.Version },
}

var agentRes = resource[crm.Agent, agentFields, agentResponse]{
	path: "/v1/agents", defaults: func() crm.Agent { return crm.Agent{Active: true} },
	fields: agentFieldsOf, apply: func(f agentFields, v *crm.Agent) { f.applyTo(v) },
	response: agentToResponse, id: func(v crm.Agent) string { return v.ID }, version: func(v crm.Agent) int { return v.Version },
}

var stateRes = resource[crm.State, stateFields, stateResponse]{
	path: "/v1/states", defaults: func() crm.State { return crm.State{Order: 100, Outcome: crm.OutcomeOpen, ShowTab: true} },
	fields: stateFieldsOf, apply: func(f stateFields, v *crm.State) { f.applyTo(v) },
	response: stateToResponse, id: func(v crm.State) string { return v.ID }, version: func(v crm.State) int { return v.Version },
}

// createSource is POST /v1/sources. A webhook's URL token is shown in its
// response only (a replay of its Idempotency-Key is a 409 naming the
// source: secretShown).
func (a *API) createSource(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return a.sourceRes(r).create(w, r, func(ctx context.Context, s crm.Source) (crm.Source, error) {
		out, err := a.svc.CreateSource(ctx, s)
		if err == nil && out.Webhook != nil && out.Webhook.Token != "" {
			secretShown(w, out.ID, msgSourceReplay)
		}
		return out, err
	})
}
func (a *API) getSource(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return a.sourceRes(r).get(w, r, a.svc.GetSource)
}
func (a *API) patchSource(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return a.sourceRes(r).patch(w, r, a.svc.UpdateSource)
}
func (a *API) deleteSource(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return a.sourceRes(r).remove(w, r, a.svc.DeleteSource)
}
func (a *API) listSources(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.ListSources(r.Context(), o)
	if err != nil {
		return err
	}
	a.sourceRes(r).list(w, p)
	return nil
}

func (a *API) createInterest(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return interestRes.create(w, r, a.svc.CreateInterest)
}
func (a *API) getInterest(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return interestRes.get(w, r, a.svc.GetInterest)
}
func (a *API) patchInterest(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return interestRes.patch(w, r, a.svc.UpdateInterest)
}
func (a *API) deleteInterest(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return interestRes.remove(w, r, a.svc.DeleteInterest)
}
func (a *API) listInterests(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.ListInterests(r.Context(), o)
	if err != nil {
		return err
	}
	interestRes.list(w, p)
	return nil
}

func (a *API) createAgent(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return agentRes.create(w, r, a.svc.CreateAgent)
}
func (a *API) getAgent(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return agentRes.get(w, r, a.svc.GetAgent)
}
func (a *API) patchAgent(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return agentRes.patch(w, r, a.svc.UpdateAgent)
}
func (a *API) deleteAgent(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return agentRes.remove(w, r, a.svc.DeleteAgent)
}
func (a *API) listAgents(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.ListAgents(r.Context(), o)
	if err != nil {
		return err
	}
	agentRes.list(w, p)
	return nil
}

func (a *API) createState(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return stateRes.create(w, r, a.svc.CreateState)
}
func (a *API) getState(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return stateRes.get(w, r, a.svc.GetState)
}
func (a *API) patchState(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return stateRes.patch(w, r, a.svc.UpdateState)
}
func (a *API) deleteState(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return stateRes.remove(w, r, a.svc.DeleteState)
}
func (a *API) listStates(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	if _, err := listOptions(r.URL.Query()); err != nil {
		return err
	}
	states, err := a.svc.ListStates(r.Context())
	if err != nil {
		return err
	}
	stateRes.list(w, crm.Page[crm.State]{Items: states})
	return nil
}
