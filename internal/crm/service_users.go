package crm

import (
	"context"
	"strings"
)

// CreateUser validates and stores a user (active by default). Errors:
// invalid, conflict (e-mail taken), internal.
func (s *Service) CreateUser(ctx context.Context, u User) (User, error) {
	if err := u.Normalize(); err != nil {
		return User{}, err
	}
	now := s.now()
	u.ID, u.CreatedAt, u.UpdatedAt, u.Version = NewID(now), now, now, 1
	return u, s.store.CreateUser(ctx, u)
}

// GetUser returns a user. Errors: invalid, not_found, internal.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	if err := CheckID("id", id); err != nil {
		return User{}, err
	}
	return s.store.GetUser(ctx, id)
}

// UpdateUser applies change to a user. An admin cannot demote or deactivate
// themselves, so an installation never loses its last way in. A user
// deactivated or given another role loses their web app sessions
// (RevokeSessions): they sign in again, with what they may do now. Errors:
// invalid, not_found, precondition_failed, conflict, internal (also when
// the change is written but its sessions could not all be revoked).
func (s *Service) UpdateUser(ctx context.Context, actor User, id string, ifMatch int, change func(*User) error) (User, error) {
	var before User
	u, err := modify(ctx, "user", id, ifMatch, s.store.GetUser,
		func(v *User) *int { return &v.Version }, change,
		func(old User, next *User) error {
			before = old
			next.ID, next.CreatedAt, next.UpdatedAt = old.ID, old.CreatedAt, s.now()
			if old.ID == actor.ID && !next.IsAdmin() {
				return Conflict("you cannot remove your own admin role or deactivate yourself")
			}
			return next.Normalize()
		}, s.store.UpdateUser)
	if err != nil {
		return u, err
	}
	if before.Active && !u.Active || before.Role != u.Role {
		if _, err := s.RevokeSessions(ctx, u.ID); err != nil {
			return u, err
		}
	}
	return u, nil
}

// DeactivateUser marks a user inactive, which makes their tokens stop
// working (on other instances of the API, after their token cache
// expires). Errors: invalid, not_found,
// precondition_failed, conflict (yourself), internal.
func (s *Service) DeactivateUser(ctx context.Context, actor User, id string, ifMatch int) (User, error) {
	return s.UpdateUser(ctx, actor, id, ifMatch, func(u *User) error { u.Active = false; return nil })
}

// ListUsers lists users, oldest first. Errors: invalid, internal.
func (s *Service) ListUsers(ctx context.Context, o ListOptions) (Page[User], error) {
	if err := o.Normalize(); err != nil {
		return Page[User]{}, err
	}
	return s.store.ListUsers(ctx, o)
}

// IssueToken creates a new API token for an active user and returns its
// secret, which is shown this once: only its hash is stored. Errors:
// invalid, not_found, conflict (inactive user), internal.
func (s *Service) IssueToken(ctx context.Context, userID, name string) (string, Token, error) {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return "", Token{}, err
	}
	if !u.Active {
		return "", Token{}, Conflict("the user is not active")
	}
	f := fieldErrors{}
	cleanText(f, "name", &name, 100)
	if err := f.err(); err != nil {
		return "", Token{}, err
	}
	secret, err := NewTokenSecret()
	if err != nil {
		return "", Token{}, err
	}
	t := Token{Hash: HashToken(secret), UserID: u.ID, Name: name, Prefix: TokenPrefix(secret), CreatedAt: s.now()}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// BootstrapAdmin creates the first admin user, with token secret (a new
// random one when empty), and seeds states and settings. It refuses with
// conflict when an admin exists unless force is true. It returns the user
// and the secret. Errors: invalid (secret too short), conflict, internal.
func (s *Service) BootstrapAdmin(ctx context.Context, email, secret string, force bool) (User, string, error) {
	if err := s.EnsureSeeded(ctx); err != nil {
		return User{}, "", err
	}
	if !force {
		if has, err := s.store.HasAdmin(ctx); err != nil {
			return User{}, "", err
		} else if has {
			return User{}, "", Conflict("an admin exists already; use --force to add another")
		}
	}
	if secret == "" {
		var err error
		if secret, err = NewTokenSecret(); err != nil {
			return User{}, "", err
		}
	} else if len(strings.TrimSpace(secret)) < 32 {
		return User{}, "", InvalidField("token", "must be at least 32 characters")
	}
	if email == "" {
		email = "admin@localhost.localdomain"
	}
	u := User{Name: "Admin", Email: email, Role: RoleAdmin, Active: true}
	if err := u.Normalize(); err != nil {
		return User{}, "", err
	}
	now := s.now()
	u.ID, u.CreatedAt, u.UpdatedAt, u.Version = NewID(now), now, now, 1
	t := Token{Hash: HashToken(secret), UserID: u.ID, Name: "bootstrap", Prefix: TokenPrefix(secret), CreatedAt: now}
	if err := s.store.CreateAdmin(ctx, u, t, force); err != nil {
		return User{}, "", err
	}
	return u, secret, nil
}
