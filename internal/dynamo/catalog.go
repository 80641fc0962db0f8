package dynamo

import (
	"context"
	"fmt"

	"github.com/embudo/embudo/internal/crm"
)

// scopeHook claims a webhook token's hash for its source, which is also how
// an incoming lead finds its source.
const scopeHook = "hook"

var sources = entity[crm.Source, sourceItem]{
	kind: kindSource, label: "source", toItem: sourceToItem, fromItem: sourceFromItem,
	id: func(v crm.Source) string { return v.ID }, version: func(v crm.Source) int { return v.Version },
	unique: func(v crm.Source) []claim {
		cs := []claim{{"source-name", crm.Fold(v.Name), "name"}}
		if v.Webhook != nil {
			cs = append(cs, claim{scopeHook, v.Webhook.TokenHash, "webhook.token"})
		}
		return cs
	},
}

// SourceByWebhookHash implements crm.CatalogStore: GetItem on the token's
// claim, then on its source.
func (s *Store) SourceByWebhookHash(ctx context.Context, hash string) (crm.Source, error) {
	m, found, err := s.getRaw(ctx, uniqueKey(scopeHook, hash))
	if err != nil {
		return crm.Source{}, err
	}
	if !found {
		return crm.Source{}, crm.NotFound("webhook")
	}
	u, err := unmarshal[uniqueItem](m)
	if err != nil {
		return crm.Source{}, err
	}
	return sources.get(ctx, s, u.Owner)
}

var interests = entity[crm.Interest, interestItem]{
	kind: kindInterest, label: "interest", toItem: interestToItem, fromItem: interestFromItem,
	id: func(v crm.Interest) string { return v.ID }, version: func(v crm.Interest) int { return v.Version },
	unique: func(v crm.Interest) []claim { return []claim{{"interest-name", crm.Fold(v.Name), "name"}} },
}

var agents = entity[crm.Agent, agentItem]{
	kind: kindAgent, label: "agent", toItem: agentToItem, fromItem: agentFromItem,
	id: func(v crm.Agent) string { return v.ID }, version: func(v crm.Agent) int { return v.Version },
	unique: func(v crm.Agent) []claim { return []claim{{"agent-code", v.Code, "code"}} },
}

// CreateSource implements crm.CatalogStore.
func (s *Store) CreateSource(ctx context.Context, v crm.Source) error {
	return sources.create(ctx, s, v, webhookRefs(nil, v.Webhook))
}

// webhookRefs checks that the agent and state a webhook names exist.
func webhookRefs(old, next *crm.Webhook) func(*tx) {
	if next == nil {
		return nil
	}
	var o crm.Webhook
	if old != nil {
		o = *old
	}
	return both(refCheck(kindAgent, "agent", "webhook.defaultAgentId", o.DefaultAgentID, next.DefaultAgentID),
		refCheck(kindState, "state", "webhook.opportunityStateId", o.OpportunityStateID, next.OpportunityStateID))
}

// GetSource implements crm.CatalogStore.
func (s *Store) GetSource(ctx context.Context, id string) (crm.Source, error) {
	return sources.get(ctx, s, id)
}

// UpdateSource implements crm.CatalogStore.
func (s *Store) UpdateSource(ctx context.Context, old, next crm.Source) error {
	return sources.update(ctx, s, old, next, webhookRefs(old.Webhook, next.Webhook))
}

// DeleteSource implements crm.CatalogStore.
func (s *Store) DeleteSource(ctx context.Context, v crm.Source) error {
	return sources.delete(ctx, s, v, nil)
}

// ListSources implements crm.CatalogStore.
func (s *Store) ListSources(ctx context.Context, o crm.ListOptions) (crm.Page[crm.Source], error) {
	return sources.list(ctx, s, o)
}

// CreateInterest implements crm.CatalogStore.
func (s *Store) CreateInterest(ctx context.Context, v crm.Interest) error {
	return interests.create(ctx, s, v, nil)
}

// GetInterest implements crm.CatalogStore.
func (s *Store) GetInterest(ctx context.Context, id string) (crm.Interest, error) {
	return interests.get(ctx, s, id)
}

// UpdateInterest implements crm.CatalogStore.
func (s *Store) UpdateInterest(ctx context.Context, old, next crm.Interest) error {
	return interests.update(ctx, s, old, next, nil)
}

// DeleteInterest implements crm.CatalogStore.
func (s *Store) DeleteInterest(ctx context.Context, v crm.Interest) error {
	return interests.delete(ctx, s, v, nil)
}

// ListInterests implements crm.CatalogStore.
func (s *Store) ListInterests(ctx context.Context, o crm.ListOptions) (crm.Page[crm.Interest], error) {
	return interests.list(ctx, s, o)
}

// CreateAgent implements crm.CatalogStore.
func (s *Store) CreateAgent(ctx context.Context, v crm.Agent) error {
	return agents.create(ctx, s, v, refCheck(kindUser, "user", "userId", "", v.UserID))
}

// GetAgent implements crm.CatalogStore.
func (s *Store) GetAgent(ctx context.Context, id string) (crm.Agent, error) {
	return agents.get(ctx, s, id)
}

// UpdateAgent implements crm.CatalogStore.
func (s *Store) UpdateAgent(ctx context.Context, old, next crm.Agent) error {
	return agents.update(ctx, s, old, next, refCheck(kindUser, "user", "userId", old.UserID, next.UserID))
}

// DeleteAgent implements crm.CatalogStore.
func (s *Store) DeleteAgent(ctx context.Context, v crm.Agent) error {
	return agents.delete(ctx, s, v, nil)
}

// ListAgents implements crm.CatalogStore.
func (s *Store) ListAgents(ctx context.Context, o crm.ListOptions) (crm.Page[crm.Agent], error) {
	return agents.list(ctx, s, o)
}

// CountContactsWith implements crm.CatalogStore with one counting Query on
// the index (or link items) of that field.
func (s *Store) CountContactsWith(ctx context.Context, field, id string) (int, error) {
	switch field {
	case "sourceId":
		return s.count(ctx, query{index: gsi3, pk: kindContact + "#SOURCE#" + id})
	case "agentId":
		return s.count(ctx, query{index: gsi2, pk: kindContact + "#AGENT#" + id})
	case "interestId":
		return s.count(ctx, query{pk: kindInterest + "#" + id, prefix: kindContact + "#"})
	}
	return 0, crm.Internal(fmt.Errorf("dynamo: no contact index for field %q", field))
}
