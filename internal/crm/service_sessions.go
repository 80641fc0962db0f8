package crm

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// The lifetimes of the web app's secrets.
const (
	// SignInTTL is how long a sign-in link works (once).
	SignInTTL = 15 * time.Minute
	// SessionIdle is how long a session works unused: a day's work with
	// breaks, not the night (its last use is written at most every
	// TokenUseInterval, so it ends between SessionIdle-TokenUseInterval
	// and SessionIdle after the last request).
	SessionIdle = 12 * time.Hour
	// SessionMaxAge is how long a session works at most, used or not:
	// a stolen cookie is worth a week at most, and people sign in once a
	// week.
	SessionMaxAge = 7 * 24 * time.Hour
	// MaxPendingSignIns is how many unused sign-in links a user may have
	// at once: asking for one more makes and sends none, so the sign-in
	// page cannot flood an inbox (at most this many e-mails a SignInTTL).
	MaxPendingSignIns = 5
)

// newSecret returns a new random 32-byte secret, URL-safe base64 after
// prefix, which names what it opens in logs and secret scanners.
func newSecret(prefix string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", Internal(err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// RequestSignIn creates a sign-in link's secret for the active user whose
// e-mail is email (any case), valid SignInTTL and once, and returns the
// user (whose Lang the e-mail is written in) and the secret, which is
// stored only hashed. The caller sends it, and tells whoever asked the same
// whatever this returns, so that no one learns which addresses are users'.
// Errors: invalid (email), not_found (no active user has it), conflict
// (MaxPendingSignIns links of the user are waiting), internal.
func (s *Service) RequestSignIn(ctx context.Context, email string) (User, string, error) {
	e, ok := NormalizeEmail(email)
	if !ok || e == "" {
		return User{}, "", InvalidField("email", "is not a valid e-mail address")
	}
	u, err := s.userByEmail(ctx, e)
	if err != nil {
		return User{}, "", err
	}
	if !u.Active {
		return User{}, "", NotFound("user")
	}
	now := s.now()
	if n, err := s.pendingSignIns(ctx, u.ID, now); err != nil {
		return User{}, "", err
	} else if n >= MaxPendingSignIns {
		return User{}, "", Conflict(fmt.Sprintf("%d sign-in links of this user are waiting to be used: use one, or ask again when they expire (%d minutes after they were sent)", n, int(SignInTTL.Minutes())))
	}
	secret, err := newSecret("embl_")
	if err != nil {
		return User{}, "", err
	}
	t := Token{Hash: HashToken(secret), UserID: u.ID, Name: "sign-in link", Kind: TokenSignIn, CreatedAt: now, ExpiresAt: now.Add(SignInTTL)}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return User{}, "", err
	}
	return u, secret, nil
}

// pendingSignIns counts the sign-in links of a user that are neither used
// nor expired at now. Errors: internal.
func (s *Service) pendingSignIns(ctx context.Context, userID string, now time.Time) (int, error) {
	n := 0
	o := ListOptions{Limit: MaxLimit}
	for {
		p, err := s.store.ListTokens(ctx, userID, o)
		if err != nil {
			return 0, err
		}
		for _, t := range p.Items {
			if t.Kind == TokenSignIn && !t.Expired(now) {
				n++
			}
		}
		if p.NextCursor == "" {
			return n, nil
		}
		o.Cursor = p.NextCursor
	}
}

// userByEmail returns the user whose (normalised) e-mail is email. Users
// are few (a company's staff): it reads them all. Errors: not_found,
// internal.
func (s *Service) userByEmail(ctx context.Context, email string) (User, error) {
	o := ListOptions{Limit: MaxLimit}
	for {
		p, err := s.ListUsers(ctx, o)
		if err != nil {
			return User{}, err
		}
		for _, u := range p.Items {
			if u.Email == email {
				return u, nil
			}
		}
		if p.NextCursor == "" {
			return User{}, NotFound("user")
		}
		o.Cursor = p.NextCursor
	}
}

// SignIn uses a sign-in link's secret, once (of two uses at the same time
// one fails), and starts a session of its user: it returns the user, the
// session's secret (for the cookie; stored only hashed) and the session.
// Errors: unauthorized (unknown, used or expired link; inactive user),
// internal.
func (s *Service) SignIn(ctx context.Context, linkSecret string) (User, string, Token, error) {
	if linkSecret == "" || len(linkSecret) > 512 {
		return User{}, "", Token{}, Unauthorized("this sign-in link is not valid")
	}
	hash := HashToken(linkSecret)
	t, err := s.store.GetToken(ctx, hash)
	if ErrorCode(err) == CodeNotFound || err == nil && t.Kind != TokenSignIn {
		return User{}, "", Token{}, Unauthorized("this sign-in link is not valid, or was used already")
	}
	if err != nil {
		return User{}, "", Token{}, err
	}
	if t, err = s.store.TakeToken(ctx, hash); ErrorCode(err) == CodeNotFound {
		return User{}, "", Token{}, Unauthorized("this sign-in link was used already")
	} else if err != nil {
		return User{}, "", Token{}, err
	}
	if t.Expired(s.now()) {
		return User{}, "", Token{}, Unauthorized("this sign-in link has expired")
	}
	u, err := s.activeUser(ctx, t.UserID)
	if err != nil {
		return User{}, "", Token{}, err
	}
	return s.startSession(ctx, u)
}

// SessionFromToken starts a web app session with an admin's API token,
// for installations without e-mail and for admins who prefer it: it
// returns the user, the session's secret and the session. Staff sign in
// by e-mail link only, so that a token copied from a staff member's script
// opens no browser session. Errors: unauthorized (not an API token, or
// unknown), forbidden (not an admin), internal.
func (s *Service) SessionFromToken(ctx context.Context, apiSecret string) (User, string, Token, error) {
	u, err := s.Authenticate(ctx, apiSecret)
	if err != nil {
		return User{}, "", Token{}, err
	}
	if !u.IsAdmin() {
		return User{}, "", Token{}, Forbidden("only an admin can sign in with an API token; ask for a sign-in link by e-mail")
	}
	return s.startSession(ctx, u)
}

// startSession creates a session of u, first deleting u's expired
// sessions and links (so that they do not pile up where nothing expires
// them, as in SQLite). Errors: internal.
func (s *Service) startSession(ctx context.Context, u User) (User, string, Token, error) {
	now := s.now()
	// Best effort: a session left over is harmless (it is expired), so a
	// failure to tidy must not refuse the sign-in.
	_, _ = s.deleteTokens(ctx, u.ID, func(t Token) bool { return t.Kind != TokenAPI && s.sessionOver(t, now) })
	secret, err := newSecret("embs_")
	if err != nil {
		return User{}, "", Token{}, err
	}
	t := Token{Hash: HashToken(secret), UserID: u.ID, Name: "web session", Kind: TokenSession,
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(SessionMaxAge)}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return User{}, "", Token{}, err
	}
	return u, secret, t, nil
}

// sessionOver reports whether a session (or a link) no longer works at
// now: past its expiry, or unused for SessionIdle.
func (s *Service) sessionOver(t Token, now time.Time) bool {
	last := t.LastUsedAt
	if last.IsZero() {
		last = t.CreatedAt
	}
	return t.Expired(now) || t.Kind == TokenSession && !now.Before(last.Add(SessionIdle))
}

// Session returns the user of a session's secret as the store has them
// now (their current role and language) and the session, recording its
// use when that is due (TokenUseDue). Errors: unauthorized (unknown or
// expired session, or its user inactive or gone), internal.
func (s *Service) Session(ctx context.Context, secret string) (User, Token, error) {
	if secret == "" || len(secret) > 512 {
		return User{}, Token{}, Unauthorized("not signed in")
	}
	t, err := s.store.GetToken(ctx, HashToken(secret))
	if ErrorCode(err) == CodeNotFound || err == nil && t.Kind != TokenSession {
		return User{}, Token{}, Unauthorized("not signed in")
	}
	if err != nil {
		return User{}, Token{}, err
	}
	if s.sessionOver(t, s.now()) {
		return User{}, Token{}, Unauthorized("the session has expired")
	}
	u, err := s.activeUser(ctx, t.UserID)
	if err != nil {
		return User{}, Token{}, err
	}
	if t, err = s.TokenUsed(ctx, t); err != nil {
		return User{}, Token{}, err
	}
	return u, t, nil
}

// activeUser reads a user who must be active. Errors: unauthorized
// (inactive or gone), internal.
func (s *Service) activeUser(ctx context.Context, id string) (User, error) {
	u, err := s.store.GetUser(ctx, id)
	if ErrorCode(err) == CodeNotFound || err == nil && !u.Active {
		return User{}, Unauthorized("the user is not active")
	}
	return u, err
}

// SignOut ends the session of a secret (deletes it). A secret that is no
// session (unknown, ended already, or another kind of token, which it
// leaves alone) is no error: signing out twice is signing out. Errors:
// internal.
func (s *Service) SignOut(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 512 {
		return nil
	}
	hash := HashToken(secret)
	t, err := s.store.GetToken(ctx, hash)
	if ErrorCode(err) == CodeNotFound || err == nil && t.Kind != TokenSession {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.store.TakeToken(ctx, hash); err != nil && ErrorCode(err) != CodeNotFound {
		return err
	}
	return nil
}

// RevokeSessions ends every web app session of a user, and their unused
// sign-in links, returning how many it deleted; their API tokens stay.
// UpdateUser calls it when a user is deactivated or their role changes.
// Errors: internal.
func (s *Service) RevokeSessions(ctx context.Context, userID string) (int, error) {
	return s.deleteTokens(ctx, userID, func(t Token) bool { return t.Kind != TokenAPI })
}

// deleteTokens deletes the tokens of a user that match, returning how
// many it deleted (one deleted meanwhile by someone else is not counted).
// Errors: internal.
func (s *Service) deleteTokens(ctx context.Context, userID string, match func(Token) bool) (int, error) {
	var doomed []string
	o := ListOptions{Limit: MaxLimit}
	for {
		p, err := s.store.ListTokens(ctx, userID, o)
		if err != nil {
			return 0, err
		}
		for _, t := range p.Items {
			if match(t) {
				doomed = append(doomed, t.Hash)
			}
		}
		if p.NextCursor == "" {
			break
		}
		o.Cursor = p.NextCursor
	}
	n := 0
	for _, h := range doomed {
		if _, err := s.store.TakeToken(ctx, h); ErrorCode(err) == CodeNotFound {
			continue
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
