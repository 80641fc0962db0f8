package httpapi_test

// The web app's secrets (internal/webapp) are tokens of other kinds: a
// session's or a sign-in link's secret never opens the bearer API, and the
// API's token listing shows API tokens only.

import (
	"net/http"
	"testing"
)

// TestWebSecretsAreNoBearerTokens: an admin's web session and an unused
// sign-in link are refused on /v1 as unknown tokens (401), while the
// admin's API token works; GET /v1/users/{id}/tokens lists the API token
// only, and the session still works afterwards.
func TestWebSecretsAreNoBearerTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	_, session, _, err := e.svc.SessionFromToken(ctx, adminToken)
	if err != nil {
		t.Fatal(err)
	}
	_, link, err := e.svc.RequestSignIn(ctx, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{"session": session, "sign-in link": link} {
		res := e.do(http.MethodGet, "/v1/contacts", secret, nil)
		if res.Status != http.StatusUnauthorized {
			t.Errorf("a %s's secret as a bearer token: %d, want 401", name, res.Status)
		}
	}
	wantStatus(t, e.admin_(http.MethodGet, "/v1/contacts", nil), http.StatusOK)
	tokens := e.listAll(adminToken, "/v1/users/"+e.admin.ID+"/tokens")
	if len(tokens) != 1 || tokens[0]["name"] != "bootstrap" {
		t.Fatalf("the admin's tokens: %v, want the API token alone", tokens)
	}
	if _, _, err := e.svc.Session(ctx, session); err != nil {
		t.Fatalf("the session after the API was tried with it: %v", err)
	}
}
