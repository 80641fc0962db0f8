package httpapi

import (
	"net/http"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

type tokenRequest struct {
	Name string `json:"name"`
}

// tokenResponse is a token as issued: the only response that holds its
// secret.
type tokenResponse struct {
	Token     string    `json:"token,omitempty"`
	ID        string    `json:"id"`
	UserID    string    `json:"userId"`
	Name      string    `json:"name"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"createdAt"`
}

// tokenInfoResponse is a token as listed: never its secret or its hash.
type tokenInfoResponse struct {
	ID         string     `json:"id"`
	UserID     string     `json:"userId"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
}

func tokenInfoOf(t crm.Token) tokenInfoResponse {
	r := tokenInfoResponse{ID: t.ID(), UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt}
	if !t.LastUsedAt.IsZero() {
		at := t.LastUsedAt
		r.LastUsedAt = &at
	}
	return r
}

// createToken is POST /v1/users/{id}/tokens: a new token, its secret shown
// in this response only (a replay of its Idempotency-Key is a 409 naming
// the token: secretShown).
func (a *API) createToken(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	var req tokenRequest
	if r.ContentLength != 0 {
		if err := decodeBody(r, &req); err != nil {
			return err
		}
	}
	secret, t, err := a.svc.IssueToken(r.Context(), r.PathValue("id"), req.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/users/"+t.UserID)
	w.Header().Set("Cache-Control", "no-store")
	secretShown(w, t.ID(), msgTokenReplay)
	writeJSON(w, http.StatusCreated, tokenResponse{Token: secret, ID: t.ID(), UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt})
	return nil
}

// listTokens is GET /v1/users/{id}/tokens: the user's tokens, oldest first.
func (a *API) listTokens(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.ListTokens(r.Context(), r.PathValue("id"), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(p, tokenInfoOf))
	return nil
}

// revokeToken is DELETE /v1/users/{id}/tokens/{tokenId}: the token stops
// working at once on this instance (forgetToken).
func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	t, err := a.svc.RevokeToken(r.Context(), r.PathValue("id"), r.PathValue("tokenId"))
	if err != nil {
		return err
	}
	a.forgetToken(t.Hash)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
