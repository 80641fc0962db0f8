package sqlite

import (
	"context"
	"fmt"

	"github.com/embudo/embudo/internal/crm"
)

var sources = newEntity(entity[crm.Source, sourceRow]{
	table: "sources", label: "source", toRow: sourceToRow, fromRow: sourceFromRow,
	id: func(v crm.Source) string { return v.ID }, version: func(v crm.Source) int { return v.Version }, vals: noCols[crm.Source],
	claims: func(v crm.Source) []claim {
		cs := []claim{{scopeSourceName, crm.Fold(v.Name), "name"}}
		if v.Webhook != nil {
			cs = append(cs, claim{scopeHook, v.Webhook.TokenHash, "webhook.token"})
		}
		return cs
	},
})

var interests = newEntity(entity[crm.Interest, interestRow]{
	table: "interests", label: "interest", toRow: interestToRow, fromRow: interestFromRow,
	id: func(v crm.Interest) string { return v.ID }, version: func(v crm.Interest) int { return v.Version }, vals: noCols[crm.Interest],
	claims: func(v crm.Interest) []claim { return []claim{{scopeInterestName, crm.Fold(v.Name), "name"}} },
})

var agents = newEntity(entity[crm.Agent, agentRow]{
	table: "agents", label: "agent", toRow: agentToRow, fromRow: agentFromRow,
	id: func(v crm.Agent) string { return v.ID }, version: func(v crm.Agent) int { return v.Version }, vals: noCols[crm.Agent],
	claims: func(v crm.Agent) []claim { return []claim{{scopeAgentCode, v.Code, "code"}} },
})

// SourceByWebhookHash implements crm.CatalogStore: the source holding the
// webhook token's hash. Errors: not_found ("webhook not found"),
// unavailable, internal.
func (s *Store) SourceByWebhookHash(ctx context.Context, hash string) (crm.Source, error) {
	owner, err := claimOwner(ctx, s.reads, scopeHook, hash)
	if err != nil {
		return crm.Source{}, s.fail(err)
	}
	if owner == "" {
		return crm.Source{}, crm.NotFound("webhook")
	}
	return sources.get(ctx, s, s.reads, owner)
}

// CreateSource implements crm.CatalogStore. Errors: conflict (the name,
// folded, is another source's, or the webhook token's hash is taken),
// invalid (webhook.defaultAgentId or
// webhook.opportunityStateId name nothing), unavailable, internal.
func (s *Store) CreateSource(ctx context.Context, v crm.Source) error {
	return s.write(ctx, func(t *wtx) error {
		if err := sources.create(t, v); err != nil {
			return err
		}
		return webhookRefs(t, nil, v.Webhook)
	})
}

// webhookRefs checks that the agent and state a webhook newly names exist.
func webhookRefs(t *wtx, old, next *crm.Webhook) error {
	if next == nil {
		return nil
	}
	var o crm.Webhook
	if old != nil {
		o = *old
	}
	if err := agents.refCheck(t, "webhook.defaultAgentId", o.DefaultAgentID, next.DefaultAgentID); err != nil {
		return err
	}
	return states.refCheck(t, "webhook.opportunityStateId", o.OpportunityStateID, next.OpportunityStateID)
}

// GetSource implements crm.CatalogStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetSource(ctx context.Context, id string) (crm.Source, error) {
	return sources.get(ctx, s, s.reads, id)
}

// UpdateSource implements crm.CatalogStore. Errors: not_found,
// precondition_failed, conflict, invalid, unavailable, internal.
func (s *Store) UpdateSource(ctx context.Context, old, next crm.Source) error {
	return s.write(ctx, func(t *wtx) error {
		if err := sources.update(t, old, next); err != nil {
			return err
		}
		return webhookRefs(t, old.Webhook, next.Webhook)
	})
}

// DeleteSource implements crm.CatalogStore. Errors: not_found,
// precondition_failed, unavailable, internal.
func (s *Store) DeleteSource(ctx context.Context, v crm.Source) error {
	return s.write(ctx, func(t *wtx) error { return sources.remove(t, v) })
}

// ListSources implements crm.CatalogStore, oldest first. Errors: invalid
// (cursor), unavailable, internal.
func (s *Store) ListSources(ctx context.Context, o crm.ListOptions) (crm.Page[crm.Source], error) {
	return sources.list(ctx, s, o)
}

// CreateInterest implements crm.CatalogStore. Errors: conflict (the name,
// folded, is another interest's), unavailable, internal.
func (s *Store) CreateInterest(ctx context.Context, v crm.Interest) error {
	return s.write(ctx, func(t *wtx) error { return interests.create(t, v) })
}

// GetInterest implements crm.CatalogStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetInterest(ctx context.Context, id string) (crm.Interest, error) {
	return interests.get(ctx, s, s.reads, id)
}

// UpdateInterest implements crm.CatalogStore. Errors: not_found,
// precondition_failed, conflict, unavailable, internal.
func (s *Store) UpdateInterest(ctx context.Context, old, next crm.Interest) error {
	return s.write(ctx, func(t *wtx) error { return interests.update(t, old, next) })
}

// DeleteInterest implements crm.CatalogStore. Errors: not_found,
// precondition_failed, unavailable, internal.
func (s *Store) DeleteInterest(ctx context.Context, v crm.Interest) error {
	return s.write(ctx, func(t *wtx) error { return interests.remove(t, v) })
}

// ListInterests implements crm.CatalogStore, oldest first. Errors: invalid
// (cursor), unavailable, internal.
func (s *Store) ListInterests(ctx context.Context, o crm.ListOptions) (crm.Page[crm.Interest], error) {
	return interests.list(ctx, s, o)
}

// CreateAgent implements crm.CatalogStore. Errors: conflict (the code is
// another agent's), invalid (userId names nothing), unavailable, internal.
func (s *Store) CreateAgent(ctx context.Context, v crm.Agent) error {
	return s.write(ctx, func(t *wtx) error {
		if err := agents.create(t, v); err != nil {
			return err
		}
		return users.refCheck(t, "userId", "", v.UserID)
	})
}

// GetAgent implements crm.CatalogStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetAgent(ctx context.Context, id string) (crm.Agent, error) {
	return agents.get(ctx, s, s.reads, id)
}

// UpdateAgent implements crm.CatalogStore. Errors: not_found,
// precondition_failed, conflict, invalid, unavailable, internal.
func (s *Store) UpdateAgent(ctx context.Context, old, next crm.Agent) error {
	return s.write(ctx, func(t *wtx) error {
		if err := agents.update(t, old, next); err != nil {
			return err
		}
		return users.refCheck(t, "userId", old.UserID, next.UserID)
	})
}

// DeleteAgent implements crm.CatalogStore. Errors: not_found,
// precondition_failed, unavailable, internal.
func (s *Store) DeleteAgent(ctx context.Context, v crm.Agent) error {
	return s.write(ctx, func(t *wtx) error { return agents.remove(t, v) })
}

// ListAgents implements crm.CatalogStore, oldest first. Errors: invalid
// (cursor), unavailable, internal.
func (s *Store) ListAgents(ctx context.Context, o crm.ListOptions) (crm.Page[crm.Agent], error) {
	return agents.list(ctx, s, o)
}

// CountContactsWith implements crm.CatalogStore with one count on the index
// of the field ("sourceId", "agentId" or "interestId"). Errors: unavailable,
// internal (another field).
func (s *Store) CountContactsWith(ctx context.Context, field, id string) (int, error) {
	switch field {
	case "sourceId":
		return s.count(ctx, "contacts", "source_id = ?", id)
	case "agentId":
		return s.count(ctx, "contacts", "agent_id = ?", id)
	case "interestId":
		return s.count(ctx, "contact_interests", "interest_id = ?", id)
	}
	return 0, crm.Internal(fmt.Errorf("sqlite: no contact index for field %q", field))
}
