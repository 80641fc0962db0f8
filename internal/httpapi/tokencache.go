package httpapi

import (
	"net/http"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// maxCached bounds each of the API's caches (tokens, webhook sources); past
// it a cache drops its expired entries, or starts afresh.
const maxCached = 10000

// session is what the token cache keeps under a token's hash: its user and
// the token, as last read (or written) by this instance.
type session struct {
	user  crm.User
	token crm.Token
}

// authenticate finds the user of the request's bearer token. With fresh
// (admin routes) it reads the token and the user from the store, never
// acting on a cached role or a token revoked elsewhere; otherwise a
// session this instance read within the cache's TTL will do, and what
// this instance changed (forgetUser, forgetToken) is never in the cache.
// A read also records the token's use when it is due (once an hour): a
// cached session whose use is due is read again, so that a token in use
// costs its instance 2 reads and 1 write an hour. Errors: unauthorized,
// internal.
func (a *API) authenticate(r *http.Request, fresh bool) (crm.User, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return crm.User{}, crm.Unauthorized("send an API token as Authorization: Bearer <token>")
	}
	secret = strings.TrimSpace(secret)
	hash := crm.HashToken(secret)
	if s, ok := a.tokens.Get(hash); ok && !fresh && !a.svc.TokenUseDue(s.token) {
		return s.user, nil
	}
	u, t, err := a.svc.AuthenticateToken(r.Context(), secret)
	if err == nil {
		var used crm.Token
		switch used, err = a.svc.TokenUsed(r.Context(), t); {
		case err == nil:
			t = used
		case crm.ErrorCode(err) != crm.CodeUnauthorized:
			// Not recorded: the next request tries again.
			a.log.WarnContext(r.Context(), "could not record a token's use", "err", err)
			err = nil
		}
	}
	if err != nil {
		a.tokens.Delete(hash)
		return crm.User{}, err
	}
	a.tokens.Put(hash, session{u, t})
	return u, nil
}

// forgetUser drops every cached session of a user this instance changed,
// so that the change holds from the user's next request.
func (a *API) forgetUser(userID string) {
	a.tokens.DeleteFunc(func(_ string, s session) bool { return s.user.ID == userID })
}

// forgetToken drops the cached session of a token this instance revoked.
func (a *API) forgetToken(hash string) { a.tokens.Delete(hash) }
