package httpapi

import (
	"maps"

	"github.com/embudo/embudo/internal/crm"
)

// webhookFields are a source's webhook settings as an admin writes them.
// Secrets are write-only: absent keeps the stored one, "" clears it.
type webhookFields struct {
	Kind               string            `json:"kind"`
	Secret             *string           `json:"secret"`
	VerifyToken        *string           `json:"verifyToken"`
	AccessToken        *string           `json:"accessToken"`
	FieldMap           map[string]string `json:"fieldMap"`
	AllowedOrigins     []string          `json:"allowedOrigins"`
	RedirectURL        string            `json:"redirectUrl"`
	Honeypot           string            `json:"honeypot"`
	DefaultAgentID     string            `json:"defaultAgentId"`
	Assignment         string            `json:"assignment"`
	CreateOpportunity  bool              `json:"createOpportunity"`
	OpportunityStateID string            `json:"opportunityStateId"`
	RotateToken        bool              `json:"rotateToken"`
}

// webhookResponse shows a webhook: never its secrets or stored token; the
// token and URLs only in the response that issued them.
type webhookResponse struct {
	Kind               string            `json:"kind"`
	FieldMap           map[string]string `json:"fieldMap"`
	AllowedOrigins     []string          `json:"allowedOrigins"`
	RedirectURL        string            `json:"redirectUrl"`
	Honeypot           string            `json:"honeypot"`
	DefaultAgentID     string            `json:"defaultAgentId"`
	Assignment         string            `json:"assignment"`
	CreateOpportunity  bool              `json:"createOpportunity"`
	OpportunityStateID string            `json:"opportunityStateId"`
	SecretSet          bool              `json:"secretSet"`
	VerifyTokenSet     bool              `json:"verifyTokenSet"`
	AccessTokenSet     bool              `json:"accessTokenSet"`
	Token              string            `json:"token,omitempty"`
	URL                string            `json:"url,omitempty"`
}

func webhookFieldsOf(w *crm.Webhook) *webhookFields {
	if w == nil {
		return nil
	}
	return &webhookFields{Kind: string(w.Kind), FieldMap: maps.Clone(w.FieldMap), AllowedOrigins: append([]string{}, w.AllowedOrigins...),
		RedirectURL: w.RedirectURL, Honeypot: w.Honeypot, DefaultAgentID: w.DefaultAgentID, Assignment: string(w.Assignment),
		CreateOpportunity: w.CreateOpportunity, OpportunityStateID: w.OpportunityStateID}
}

// applyTo builds the webhook from the fields over the current one (whose
// token and secrets stay unless the fields change them); nil removes it.
func (f *webhookFields) applyTo(cur *crm.Webhook) *crm.Webhook {
	if f == nil {
		return nil
	}
	w := &crm.Webhook{}
	if cur != nil {
		w.TokenHash, w.Secret, w.VerifyToken, w.AccessToken = cur.TokenHash, cur.Secret, cur.VerifyToken, cur.AccessToken
	}
	for _, s := range []struct {
		from *string
		to   *string
	}{{f.Secret, &w.Secret}, {f.VerifyToken, &w.VerifyToken}, {f.AccessToken, &w.AccessToken}} {
		if s.from != nil {
			*s.to = *s.from
		}
	}
	w.Kind, w.FieldMap, w.AllowedOrigins, w.RedirectURL = crm.LeadFormat(f.Kind), f.FieldMap, f.AllowedOrigins, f.RedirectURL
	w.Honeypot, w.DefaultAgentID, w.Assignment = f.Honeypot, f.DefaultAgentID, crm.Assignment(f.Assignment)
	w.CreateOpportunity, w.OpportunityStateID, w.RotateToken = f.CreateOpportunity, f.OpportunityStateID, f.RotateToken
	return w
}

func webhookToResponse(w *crm.Webhook, base string) *webhookResponse {
	if w == nil {
		return nil
	}
	r := &webhookResponse{Kind: string(w.Kind), FieldMap: w.FieldMap, AllowedOrigins: w.AllowedOrigins, RedirectURL: w.RedirectURL,
		Honeypot: w.Honeypot, DefaultAgentID: w.DefaultAgentID, Assignment: string(w.Assignment),
		CreateOpportunity: w.CreateOpportunity, OpportunityStateID: w.OpportunityStateID,
		SecretSet: w.Secret != "", VerifyTokenSet: w.VerifyToken != "", AccessTokenSet: w.AccessToken != "", Token: w.Token}
	if r.FieldMap == nil {
		r.FieldMap = map[string]string{}
	}
	if r.AllowedOrigins == nil {
		r.AllowedOrigins = []string{}
	}
	if w.Token != "" {
		r.URL = base + w.Path()
	}
	return r
}
