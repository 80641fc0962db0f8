package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/embudo/embudo/internal/crm"
)

var users = newEntity(entity[crm.User, userRow]{
	table: "users", label: "user", toRow: userToRow, fromRow: userFromRow,
	id: func(v crm.User) string { return v.ID }, version: func(v crm.User) int { return v.Version }, vals: noCols[crm.User],
	claims: func(v crm.User) []claim { return []claim{{scopeUserEmail, v.Email, "email"}} },
})

// The markers of the config table.
const (
	markerSeeded = "SEEDED" // the initial states and settings were written
	markerAdmin  = "ADMIN"  // an admin user was written once
)

// CreateUser implements crm.UserStore. Errors: conflict (the e-mail is
// another user's), invalid (agentId names nothing), unavailable, internal.
func (s *Store) CreateUser(ctx context.Context, u crm.User) error {
	return s.write(ctx, func(t *wtx) error {
		if err := users.create(t, u); err != nil {
			return err
		}
		if err := adminMarker(t, u); err != nil {
			return err
		}
		return agents.refCheck(t, "agentId", "", u.AgentID)
	})
}

// GetUser implements crm.UserStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetUser(ctx context.Context, id string) (crm.User, error) {
	return users.get(ctx, s, s.reads, id)
}

// UpdateUser implements crm.UserStore. Errors: precondition_failed,
// not_found, conflict, invalid, unavailable, internal.
func (s *Store) UpdateUser(ctx context.Context, old, next crm.User) error {
	return s.write(ctx, func(t *wtx) error {
		if err := users.update(t, old, next); err != nil {
			return err
		}
		if err := adminMarker(t, next); err != nil {
			return err
		}
		return agents.refCheck(t, "agentId", old.AgentID, next.AgentID)
	})
}

// adminMarker records that an admin exists whenever one is written, so that
// `embudo admin bootstrap` can refuse to make a second first admin.
func adminMarker(t *wtx, u crm.User) error {
	if !u.IsAdmin() {
		return nil
	}
	return t.exec("INSERT OR IGNORE INTO config (name) VALUES (?)", markerAdmin)
}

// ListUsers implements crm.UserStore, oldest first. Errors: invalid
// (cursor), unavailable, internal.
func (s *Store) ListUsers(ctx context.Context, o crm.ListOptions) (crm.Page[crm.User], error) {
	return users.list(ctx, s, o)
}

// HasAdmin implements crm.UserStore. Errors: unavailable, internal.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	return s.hasMarker(ctx, markerAdmin)
}

func (s *Store) hasMarker(ctx context.Context, name string) (bool, error) {
	var one int
	err := s.reads.QueryRowContext(ctx, "SELECT 1 FROM config WHERE name = ?", name).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, s.fail(err)
}

// CreateAdmin implements crm.UserStore: the user with its e-mail claim,
// the admin marker (which must be new unless force) and the token, in one
// transaction. Errors: conflict (an admin exists and force is false; the
// e-mail or the token is taken), unavailable, internal.
func (s *Store) CreateAdmin(ctx context.Context, u crm.User, tk crm.Token, force bool) error {
	return s.write(ctx, func(t *wtx) error {
		if err := users.create(t, u); err != nil {
			return err
		}
		if ok, err := t.found("SELECT 1 FROM config WHERE name = ?", markerAdmin); err != nil {
			return err
		} else if ok && !force {
			return crm.Conflict("an admin exists already; use --force to add another")
		}
		if err := t.exec("INSERT OR IGNORE INTO config (name) VALUES (?)", markerAdmin); err != nil {
			return err
		}
		return createToken(t, tk)
	})
}
