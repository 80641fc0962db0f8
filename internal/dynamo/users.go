package dynamo

import (
	"context"

	"github.com/embudo/embudo/internal/crm"
)

var users = entity[crm.User, userItem]{
	kind: kindUser, label: "user", toItem: userToItem, fromItem: userFromItem,
	id: func(v crm.User) string { return v.ID }, version: func(v crm.User) int { return v.Version },
	unique: func(v crm.User) []claim { return []claim{{"user-email", v.Email, "email"}} },
}

// CreateUser implements crm.UserStore.
func (s *Store) CreateUser(ctx context.Context, u crm.User) error {
	return users.create(ctx, s, u, both(s.adminMarker(u), refCheck(kindAgent, "agent", "agentId", "", u.AgentID)))
}

// GetUser implements crm.UserStore with one GetItem.
func (s *Store) GetUser(ctx context.Context, id string) (crm.User, error) {
	return users.get(ctx, s, id)
}

// UpdateUser implements crm.UserStore.
func (s *Store) UpdateUser(ctx context.Context, old, next crm.User) error {
	return users.update(ctx, s, old, next, both(s.adminMarker(next), refCheck(kindAgent, "agent", "agentId", old.AgentID, next.AgentID)))
}

// adminMarker records that an admin exists whenever one is written, so that
// `embudo admin bootstrap` can refuse to make a second first admin.
func (s *Store) adminMarker(u crm.User) func(*tx) {
	if !u.IsAdmin() {
		return nil
	}
	return func(t *tx) {
		t.put(configMarker(markerAdmin), "", nil, nil)
	}
}

// ListUsers implements crm.UserStore.
func (s *Store) ListUsers(ctx context.Context, o crm.ListOptions) (crm.Page[crm.User], error) {
	return users.list(ctx, s, o)
}

// HasAdmin implements crm.UserStore with one GetItem on the admin marker.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	_, found, err := s.getRaw(ctx, adminKey)
	return found, err
}

// CreateAdmin implements crm.UserStore: the admin marker (new unless force),
// the user with its e-mail claim, and the token, in one transaction.
func (s *Store) CreateAdmin(ctx context.Context, u crm.User, tk crm.Token, force bool) error {
	return users.create(ctx, s, u, func(t *tx) {
		cond := "attribute_not_exists(PK)"
		if force {
			cond = ""
		}
		t.put(configMarker(markerAdmin), cond, nil,
			func(context.Context) error {
				return crm.Conflict("an admin exists already; use --force to add another")
			})
		t.putNew(marshal(tokenToItem(tk)), failExists("token"))
	})
}
