package dynamo

import (
	"context"
	"strconv"

	"github.com/embudo/embudo/internal/crm"
)

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// failNotFoundOrStale returns the error for a failed version condition on an
// entity: not_found if it is gone, precondition_failed if it changed.
func (s *Store) failNotFoundOrStale(kind, label, id string) func(context.Context) error {
	return func(ctx context.Context) error {
		if _, found, err := s.getRaw(ctx, entityKey(kind, id)); err != nil {
			return err
		} else if !found {
			return crm.NotFound(label)
		}
		return crm.Stale(label)
	}
}

// failExists is the error for an entity ID that already exists (IDs are
// ULIDs, so this means a retried create).
func failExists(label string) func(context.Context) error {
	return func(context.Context) error { return crm.Conflict(label + " already exists") }
}

// failMissingRef is the error for a reference to an entity that does not
// exist.
func failMissingRef(field, label string) func(context.Context) error {
	return func(context.Context) error { return crm.InvalidField(field, "no "+label+" has this ID") }
}

// failTaken is the error for a unique value another owner claimed; it reads
// the claim to name the owner.
func (s *Store) failTaken(scope, value, field, message string) func(context.Context) error {
	return func(ctx context.Context) error {
		e := &crm.Error{Code: crm.CodeConflict, Message: message, Fields: map[string]string{field: "is already used"}}
		m, found, err := s.getRaw(ctx, uniqueKey(scope, value))
		if err == nil && found {
			if u, err := unmarshal[uniqueItem](m); err == nil {
				e.ExistingID = u.Owner
				e.Fields[field] = "is already used by " + u.Owner
			}
		}
		return e
	}
}
