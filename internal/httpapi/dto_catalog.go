package httpapi

import (
	"time"

	"github.com/embudo/embudo/internal/crm"
)

type meta struct {
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int       `json:"version"`
}

type sourceFields struct {
	Name         string         `json:"name"`
	Observations string         `json:"observations"`
	CostCents    int64          `json:"costCents"`
	Webhook      *webhookFields `json:"webhook"`
}

type sourceResponse struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Observations string           `json:"observations"`
	CostCents    int64            `json:"costCents"`
	Webhook      *webhookResponse `json:"webhook"`
	meta
}

func sourceFieldsOf(s crm.Source) sourceFields {
	return sourceFields{s.Name, s.Observations, s.CostCents, webhookFieldsOf(s.Webhook)}
}

func (f sourceFields) applyTo(s *crm.Source) {
	s.Name, s.Observations, s.CostCents = f.Name, f.Observations, f.CostCents
	s.Webhook = f.Webhook.applyTo(s.Webhook)
}

// sourceResponseFor shows a source; base is the public URL the webhook
// URLs start with.
func sourceResponseFor(base string) func(crm.Source) sourceResponse {
	return func(s crm.Source) sourceResponse {
		return sourceResponse{ID: s.ID, Name: s.Name, Observations: s.Observations, CostCents: s.CostCents,
			Webhook: webhookToResponse(s.Webhook, base), meta: meta{s.CreatedAt, s.UpdatedAt, s.Version}}
	}
}

type interestFields struct {
	Name         string `json:"name"`
	Observations string `json:"observations"`
}

type interestResponse struct {
	ID string `json:"id"`
	interestFields
	meta
}

func interestFieldsOf(i crm.Interest) interestFields { return interestFields{i.Name, i.Observations} }

func (f interestFields) applyTo(i *crm.Interest) { i.Name, i.Observations = f.Name, f.Observations }

func interestToResponse(i crm.Interest) interestResponse {
	return interestResponse{i.ID, interestFieldsOf(i), meta{i.CreatedAt, i.UpdatedAt, i.Version}}
}

type agentFields struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Active bool   `json:"active"`
	UserID string `json:"userId"`
}

type agentResponse struct {
	ID string `json:"id"`
	agentFields
	meta
}

func agentFieldsOf(a crm.Agent) agentFields {
	return agentFields{a.Code, a.Name, a.Email, a.Active, a.UserID}
}

func (f agentFields) applyTo(a *crm.Agent) {
	a.Code, a.Name, a.Email, a.Active, a.UserID = f.Code, f.Name, f.Email, f.Active, f.UserID
}

func agentToResponse(a crm.Agent) agentResponse {
	return agentResponse{a.ID, agentFieldsOf(a), meta{a.CreatedAt, a.UpdatedAt, a.Version}}
}

type stateFields struct {
	Name    string `json:"name"`
	Order   int    `json:"order"`
	Color   string `json:"color"`
	Default bool   `json:"default"`
	Outcome string `json:"outcome"`
	ShowTab bool   `json:"showTab"`
}

type stateResponse struct {
	ID string `json:"id"`
	stateFields
	meta
}

func stateFieldsOf(s crm.State) stateFields {
	return stateFields{s.Name, s.Order, s.Color, s.Default, string(s.Outcome), s.ShowTab}
}

func (f stateFields) applyTo(s *crm.State) {
	s.Name, s.Order, s.Color, s.Default, s.Outcome, s.ShowTab = f.Name, f.Order, f.Color, f.Default, crm.Outcome(f.Outcome), f.ShowTab
}

func stateToResponse(s crm.State) stateResponse {
	return stateResponse{s.ID, stateFieldsOf(s), meta{s.CreatedAt, s.UpdatedAt, s.Version}}
}

type userFields struct {
	Name    string `json:"name"`
	Email   string `json:"email"`
	Role    string `json:"role"`
	AgentID string `json:"agentId"`
	Active  bool   `json:"active"`
	Lang    string `json:"lang"`
}

type userResponse struct {
	ID string `json:"id"`
	userFields
	meta
}

func userFieldsOf(u crm.User) userFields {
	return userFields{u.Name, u.Email, string(u.Role), u.AgentID, u.Active, u.Lang}
}

func (f userFields) applyTo(u *crm.User) {
	u.Name, u.Email, u.Role, u.AgentID, u.Active, u.Lang = f.Name, f.Email, crm.Role(f.Role), f.AgentID, f.Active, f.Lang
}

func userToResponse(u crm.User) userResponse {
	return userResponse{u.ID, userFieldsOf(u), meta{u.CreatedAt, u.UpdatedAt, u.Version}}
}

type overrideDTO struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

type settingFields struct {
	Enabled   bool                   `json:"enabled"`
	Overrides map[string]overrideDTO `json:"overrides"`
}

type settingResponse struct {
	Key string `json:"key"`
	settingFields
	UpdatedAt *time.Time `json:"updatedAt"`
	Version   int        `json:"version"`
}

func settingFieldsOf(s crm.NotificationSetting) settingFields {
	f := settingFields{Enabled: s.Enabled, Overrides: map[string]overrideDTO{}}
	for l, o := range s.Overrides {
		f.Overrides[l] = overrideDTO{o.Subject, o.Body}
	}
	return f
}

func (f settingFields) applyTo(s *crm.NotificationSetting) {
	s.Enabled = f.Enabled
	s.Overrides = map[string]crm.TemplateOverride{}
	for l, o := range f.Overrides {
		s.Overrides[l] = crm.TemplateOverride{Subject: o.Subject, Body: o.Body}
	}
}

func settingToResponse(s crm.NotificationSetting) settingResponse {
	r := settingResponse{Key: s.Key, settingFields: settingFieldsOf(s), Version: s.Version}
	if !s.UpdatedAt.IsZero() {
		t := s.UpdatedAt
		r.UpdatedAt = &t
	}
	return r
}

type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func listOf[T, R any](p crm.Page[T], conv func(T) R) listResponse[R] {
	out := listResponse[R]{Items: make([]R, 0, len(p.Items)), NextCursor: p.NextCursor}
	for _, v := range p.Items {
		out.Items = append(out.Items, conv(v))
	}
	return out
}
