package httpapi_test

// Access that must end at once (issue 10, item 1): a change to a user takes
// effect on that user's very next request on the instance that made it;
// admin routes never act on a cached role; one token can be revoked, and
// a user's tokens listed.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// userWithToken creates a user (through the other instance, e.srv) and a
// token of theirs, and returns the user's ID and the token's secret.
func (c *cachedEnv) userWithToken(name, email, role string) (string, string) {
	c.t.Helper()
	u := c.created("/v1/users", map[string]any{"name": name, "email": email, "role": role})
	tok := c.created("/v1/users/"+id(u)+"/tokens", map[string]any{"name": "laptop"})
	secret, _ := tok["token"].(string)
	if secret == "" {
		c.t.Fatalf("no token: %v", tok)
	}
	return id(u), secret
}

// The case: a demoted or deactivated admin, on the instance that
// demoted them, has no admin rights left on the very next request (it once
// had 30 s in which it made another admin with a token of its own).
func TestUserChangesTakeEffectOnTheNextRequest(t *testing.T) {
	t.Parallel()
	newAdmin := map[string]any{"name": "Third", "email": "third@example.com", "role": "admin"}
	for _, c := range []struct {
		name   string
		change func(e *cachedEnv, uid string) response
		status int // of the changed user's next requests
	}{
		{"demoted", func(e *cachedEnv, uid string) response {
			return e.on(http.MethodPatch, "/v1/users/"+uid, adminToken, map[string]any{"role": "staff"})
		}, http.StatusForbidden},
		{"deactivated", func(e *cachedEnv, uid string) response {
			return e.on(http.MethodPatch, "/v1/users/"+uid, adminToken, map[string]any{"active": false})
		}, http.StatusUnauthorized},
		{"deleted", func(e *cachedEnv, uid string) response {
			return e.on(http.MethodDelete, "/v1/users/"+uid, adminToken, nil)
		}, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newCachedEnv(t)
			uid, secret := e.userWithToken("Second", "second@example.com", "admin")
			// Warm: the token and its user are in this instance's cache.
			wantStatus(t, e.on(http.MethodGet, "/v1/users", secret, nil), http.StatusOK)
			wantStatus(t, e.on(http.MethodGet, "/v1/contacts", secret, nil), http.StatusOK)

			if res := c.change(e, uid); res.Status/100 != 2 {
				t.Fatalf("change: status %d: %s", res.Status, res.Body)
			}
			before := e.snapshot()
			res := e.on(http.MethodPost, "/v1/users", secret, newAdmin)
			wantStatus(t, res, c.status)
			e.unchanged(t, before)
			wantStatus(t, e.on(http.MethodPost, "/v1/users/"+uid+"/tokens", secret, map[string]any{}), c.status)
			if c.status == http.StatusUnauthorized {
				wantProblem(t, e.on(http.MethodGet, "/v1/contacts", secret, nil), http.StatusUnauthorized, crm.CodeUnauthorized)
			} else {
				wantStatus(t, e.on(http.MethodGet, "/v1/contacts", secret, nil), http.StatusOK)
			}
		})
	}
}

// A change made elsewhere (another instance: here e.srv, over the same
// store) is never missed by an admin route, which reads the token and
// the user again; a staff route may use the cache for up to 30 s.
func TestAdminRoutesNeverActOnACachedRole(t *testing.T) {
	t.Parallel()
	e := newCachedEnv(t)
	demoted, demotedSecret := e.userWithToken("Demoted", "demoted@example.com", "admin")
	gone, goneSecret := e.userWithToken("Gone", "gone@example.com", "admin")
	_, revokedSecret := e.userWithToken("Revoked", "revoked@example.com", "admin")
	for _, s := range []string{demotedSecret, goneSecret, revokedSecret} {
		wantStatus(t, e.on(http.MethodGet, "/v1/users", s, nil), http.StatusOK)
		wantStatus(t, e.on(http.MethodGet, "/v1/contacts", s, nil), http.StatusOK)
	}

	wantStatus(t, e.admin_(http.MethodPatch, "/v1/users/"+demoted, map[string]any{"role": "staff"}), http.StatusOK)
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/users/"+gone, nil), http.StatusNoContent)
	var rid string
	for _, u := range e.listAll(adminToken, "/v1/users") {
		if u["email"] == "revoked@example.com" {
			rid = id(u)
		}
	}
	toks := e.admin_(http.MethodGet, "/v1/users/"+rid+"/tokens", nil)
	wantStatus(t, toks, http.StatusOK)
	items, _ := toks.json(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("tokens of the user: %s", toks.Body)
	}
	tid, _ := items[0].(map[string]any)["id"].(string)
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/users/"+rid+"/tokens/"+tid, nil), http.StatusNoContent)

	// A staff route of this instance may still act on its cache (for up to
	// 30 s, TestTokenCacheFollowsTheInjectedClock) ...
	later, laterSecret := e.userWithToken("Later", "later@example.com", "admin")
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", laterSecret, nil), http.StatusOK)
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/users/"+later, nil), http.StatusNoContent)
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", laterSecret, nil), http.StatusOK)

	// ... an admin route never.
	wantProblem(t, e.on(http.MethodGet, "/v1/users", demotedSecret, nil), http.StatusForbidden, crm.CodeForbidden)
	wantProblem(t, e.on(http.MethodGet, "/v1/users", goneSecret, nil), http.StatusUnauthorized, crm.CodeUnauthorized)
	wantProblem(t, e.on(http.MethodGet, "/v1/users", revokedSecret, nil), http.StatusUnauthorized, crm.CodeUnauthorized)
	wantProblem(t, e.on(http.MethodGet, "/v1/users", laterSecret, nil), http.StatusUnauthorized, crm.CodeUnauthorized)

	// What an admin route read replaces the cached session: the demoted
	// admin is staff now, the others are out on every route.
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", demotedSecret, nil), http.StatusOK)
	for _, s := range []string{goneSecret, revokedSecret, laterSecret} {
		wantProblem(t, e.on(http.MethodGet, "/v1/contacts", s, nil), http.StatusUnauthorized, crm.CodeUnauthorized)
	}
}

// tokenList is GET /v1/users/{id}/tokens, decoded.
func (c *cachedEnv) tokenList(uid string) []map[string]any {
	c.t.Helper()
	res := c.on(http.MethodGet, "/v1/users/"+uid+"/tokens", adminToken, nil)
	wantStatus(c.t, res, http.StatusOK)
	var out []map[string]any
	items, _ := res.json(c.t)["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// An admin lists a user's tokens (never their secrets or hashes) and
// revokes one, which stops working on the instance that revoked it at
// once; the others go on.
func TestRevokeOneToken(t *testing.T) {
	t.Parallel()
	e := newCachedEnv(t)
	uid, laptop := e.userWithToken("Ana", "ana@example.com", "staff")
	e.clock.add(time.Second) // tokens issued in one millisecond have no order
	res := e.on(http.MethodPost, "/v1/users/"+uid+"/tokens", adminToken, map[string]any{"name": "ci"})
	wantStatus(t, res, http.StatusCreated)
	issued := res.json(t)
	ci, _ := issued["token"].(string)
	if issued["id"] == "" || issued["prefix"] != ci[:8] {
		t.Errorf("the issuing response names no id or prefix: %s", res.Body)
	}
	for _, s := range []string{laptop, ci} {
		wantStatus(t, e.on(http.MethodGet, "/v1/contacts", s, nil), http.StatusOK)
	}

	list := e.tokenList(uid)
	if len(list) != 2 || list[0]["name"] != "laptop" || list[1]["name"] != "ci" || list[1]["id"] != issued["id"] {
		t.Fatalf("tokens, oldest first: %v", list)
	}
	for i, s := range []string{laptop, ci} {
		tk := list[i]
		if tk["prefix"] != s[:8] || tk["userId"] != uid || tk["createdAt"] == nil || tk["lastUsedAt"] == nil {
			t.Errorf("token %d: %v", i, tk)
		}
		for k, v := range tk {
			if str, _ := v.(string); str != "" && (strings.Contains(s, str) && len(str) > 8 || str == crm.HashToken(s)) {
				t.Errorf("token %d shows its secret or hash in %q", i, k)
			}
		}
	}

	// Revoked on this instance, with the token warm here: it stops at once.
	wantStatus(t, e.on(http.MethodDelete, "/v1/users/"+uid+"/tokens/"+id(list[0]), adminToken, nil), http.StatusNoContent)
	wantProblem(t, e.on(http.MethodGet, "/v1/contacts", laptop, nil), http.StatusUnauthorized, crm.CodeUnauthorized)
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", ci, nil), http.StatusOK)
	if l := e.tokenList(uid); len(l) != 1 || id(l[0]) != id(list[1]) {
		t.Errorf("tokens after the revocation: %v", l)
	}
	// Once only, and only under its own user.
	wantProblem(t, e.on(http.MethodDelete, "/v1/users/"+uid+"/tokens/"+id(list[0]), adminToken, nil), http.StatusNotFound, crm.CodeNotFound)
	wantProblem(t, e.on(http.MethodDelete, "/v1/users/"+e.admin.ID+"/tokens/"+id(list[1]), adminToken, nil), http.StatusNotFound, crm.CodeNotFound)
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", ci, nil), http.StatusOK)
	wantProblem(t, e.on(http.MethodGet, "/v1/users/"+unknownID()+"/tokens", adminToken, nil), http.StatusNotFound, crm.CodeNotFound)
	wantProblem(t, e.on(http.MethodDelete, "/v1/users/"+uid+"/tokens/not-an-id", adminToken, nil), http.StatusBadRequest, crm.CodeInvalid, "tokenId")
}

// lastUsedAt is written at most once an hour per token: a token in use
// all day costs 24 writes, not one per request.
func TestTokenLastUsedIsKeptToTheHour(t *testing.T) {
	t.Parallel()
	e := newCachedEnv(t)
	uid, secret := e.userWithToken("Ana", "ana@example.com", "staff")
	if l := e.tokenList(uid); len(l) != 1 || l[0]["lastUsedAt"] != nil {
		t.Fatalf("an unused token: %v", l)
	}
	first := e.clock.now()
	lastUsed := func() time.Time {
		t.Helper()
		l := e.tokenList(uid)
		s, _ := l[0]["lastUsedAt"].(string)
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("lastUsedAt %q: %v", s, err)
		}
		return at
	}
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", secret, nil), http.StatusOK)
	if at := lastUsed(); !at.Equal(first) {
		t.Errorf("lastUsedAt %v, want %v", at, first)
	}
	e.clock.add(59 * time.Minute)
	for range 3 {
		wantStatus(t, e.on(http.MethodGet, "/v1/contacts", secret, nil), http.StatusOK)
	}
	if at := lastUsed(); !at.Equal(first) {
		t.Errorf("lastUsedAt %v after uses within the hour, want %v still", at, first)
	}
	e.clock.add(time.Minute)
	wantStatus(t, e.on(http.MethodGet, "/v1/contacts", secret, nil), http.StatusOK)
	if at := lastUsed(); !at.Equal(first.Add(time.Hour)) {
		t.Errorf("lastUsedAt %v an hour later, want %v", at, first.Add(time.Hour))
	}
}
