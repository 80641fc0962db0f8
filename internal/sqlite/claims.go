package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
)

// claim is a unique value an entity holds: value in scope, which is its
// field (the API's name, for the conflict error).
type claim struct{ scope, value, field string }

// Claim scopes.
const (
	scopeEmail        = "email"       // a contact's e-mail
	scopePhone        = "phone"       // a contact's phone or mobile
	scopeHook         = "hook"        // a webhook token's SHA-256
	scopeSourceName   = "source-name" // a source's folded name
	scopeInterestName = "interest-name"
	scopeAgentCode    = "agent-code"
	scopeUserEmail    = "user-email"
)

// claimOwner returns who holds value in scope ("" for nobody).
func claimOwner(ctx context.Context, q querier, scope, value string) (string, error) {
	var owner string
	err := q.QueryRowContext(ctx, "SELECT owner FROM claims WHERE scope = ? AND value = ?", scope, value).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return owner, err
}

// claim takes c for owner, unless another owner holds it. Errors: conflict
// naming the field and the holder.
func (t *wtx) claim(c claim, owner, label string) error {
	holder, err := claimOwner(t.ctx, t, c.scope, c.value)
	switch {
	case err != nil:
		return err
	case holder == "":
		return t.exec("INSERT INTO claims (scope, value, owner) VALUES (?, ?, ?)", c.scope, c.value, owner)
	case holder != owner:
		return errTaken(c.field, "another "+label+" has this "+c.field, holder)
	}
	return nil
}

// release frees c if owner holds it.
func (t *wtx) release(c claim, owner string) error {
	return t.exec("DELETE FROM claims WHERE scope = ? AND value = ? AND owner = ?", c.scope, c.value, owner)
}

// moveClaims releases the claims of old that next does not hold and takes
// those of next that old did not.
func (t *wtx) moveClaims(old, next []claim, owner, label string) error {
	same := func(list []claim, c claim) bool {
		return slices.ContainsFunc(list, func(x claim) bool { return x.scope == c.scope && x.value == c.value })
	}
	for _, c := range old {
		if !same(next, c) {
			if err := t.release(c, owner); err != nil {
				return err
			}
		}
	}
	for _, c := range next {
		if !same(old, c) {
			if err := t.claim(c, owner, label); err != nil {
				return err
			}
		}
	}
	return nil
}
