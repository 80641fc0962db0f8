package crm

import "context"

// Authenticate returns the active user a token secret belongs to. Errors:
// unauthorized, internal.
func (s *Service) Authenticate(ctx context.Context, secret string) (User, error) {
	u, _, err := s.AuthenticateToken(ctx, secret)
	return u, err
}

// AuthenticateToken returns the active user an API token's secret belongs
// to and the token, as the store has them now (a GetToken and a GetUser).
// Only API tokens open the API: a web session's or a sign-in link's secret
// is refused as an unknown token. It records nothing: the API records a
// use (TokenUsed). Errors: unauthorized, internal.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (User, Token, error) {
	if secret == "" || len(secret) > 512 {
		return User{}, Token{}, Unauthorized("missing or malformed bearer token")
	}
	t, err := s.store.GetToken(ctx, HashToken(secret))
	if ErrorCode(err) == CodeNotFound || err == nil && t.Kind != TokenAPI {
		return User{}, Token{}, Unauthorized("unknown token")
	}
	if err != nil {
		return User{}, Token{}, err
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if ErrorCode(err) == CodeNotFound {
		return User{}, Token{}, Unauthorized("unknown token")
	}
	if err != nil {
		return User{}, Token{}, err
	}
	if !u.Active {
		return User{}, Token{}, Unauthorized("the user of this token is not active")
	}
	return u, t, nil
}

// TokenUseDue reports whether a use of t is to be recorded: its LastUsedAt
// is TokenUseInterval old or more.
func (s *Service) TokenUseDue(t Token) bool { return s.now().Sub(t.LastUsedAt) >= TokenUseInterval }

// TokenUsed records that t is being used when that is due (TokenUseDue:
// one write), and returns it as recorded. A token deleted meanwhile is not
// written again: unauthorized. Errors: unauthorized, internal.
func (s *Service) TokenUsed(ctx context.Context, t Token) (Token, error) {
	if !s.TokenUseDue(t) {
		return t, nil
	}
	now := s.now()
	err := s.store.TouchToken(ctx, t.Hash, now)
	if ErrorCode(err) == CodeNotFound {
		return Token{}, Unauthorized("unknown token")
	}
	if err != nil {
		return t, err
	}
	t.LastUsedAt = now
	return t, nil
}

// ListTokens lists a user's API tokens, oldest first; their web sessions
// and sign-in links are left out (a page may then hold fewer than its
// limit, and its cursor goes on after them). Errors: invalid (id, limit,
// cursor), not_found (user), internal.
func (s *Service) ListTokens(ctx context.Context, userID string, o ListOptions) (Page[Token], error) {
	if err := o.Normalize(); err != nil {
		return Page[Token]{}, err
	}
	if _, err := s.GetUser(ctx, userID); err != nil {
		return Page[Token]{}, err
	}
	p, err := s.store.ListTokens(ctx, userID, o)
	if err != nil {
		return Page[Token]{}, err
	}
	api := p.Items[:0]
	for _, t := range p.Items {
		if t.Kind == TokenAPI {
			api = append(api, t)
		}
	}
	p.Items = api
	return p, nil
}

// RevokeToken deletes one token of a user (by Token.ID) and returns it: it
// stops working at once on the instance that revokes it, and on the others
// once their token cache lets it go. Errors: invalid (id: the user's;
// tokenId), not_found (no such token of that user), internal.
func (s *Service) RevokeToken(ctx context.Context, userID, tokenID string) (Token, error) {
	if err := CheckID("id", userID); err != nil {
		return Token{}, err
	}
	if err := CheckID("tokenId", tokenID); err != nil {
		return Token{}, err
	}
	return s.store.DeleteToken(ctx, userID, tokenID)
}

// adminNow reports whether actor is an active admin as the store has them
// now, not as a cache of the caller's remembers them: for a decision that
// only an admin may take on a route any user may call. Errors: internal.
func (s *Service) adminNow(ctx context.Context, actor User) (bool, error) {
	if actor.ID == "" {
		return false, nil
	}
	u, err := s.store.GetUser(ctx, actor.ID)
	if ErrorCode(err) == CodeNotFound {
		return false, nil
	}
	return u.IsAdmin(), err
}
