package crm

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
)

// CreateSource validates and stores a source; a webhook gets a new URL
// token, returned this once in Webhook.Token. Errors: invalid, conflict (a
// source has the same name, ignoring case and accents; ExistingID names
// it), internal.
func (s *Service) CreateSource(ctx context.Context, src Source) (Source, error) {
	if err := src.Normalize(); err != nil {
		return Source{}, err
	}
	if err := issueWebhookToken(src.Webhook, true); err != nil {
		return Source{}, err
	}
	now := s.now()
	src.ID, src.CreatedAt, src.UpdatedAt, src.Version = NewID(now), now, now, 1
	return src, s.store.CreateSource(ctx, src)
}

// GetSource returns a source. Errors: invalid, not_found, internal.
func (s *Service) GetSource(ctx context.Context, id string) (Source, error) {
	if err := CheckID("id", id); err != nil {
		return Source{}, err
	}
	return s.store.GetSource(ctx, id)
}

// UpdateSource applies change to a source. Setting a webhook where there
// was none, or asking to rotate its token, issues a new URL token (returned
// this once). Errors: invalid, not_found, precondition_failed, conflict
// (another source has the name; ExistingID names it), internal.
func (s *Service) UpdateSource(ctx context.Context, id string, ifMatch int, change func(*Source) error) (Source, error) {
	return modify(ctx, "source", id, ifMatch, s.store.GetSource,
		func(v *Source) *int { return &v.Version },
		func(v *Source) error {
			// change may edit the webhook in place: the stored version
			// (old, which the store compares and unindexes) must not move.
			v.Webhook = v.Webhook.Clone()
			return change(v)
		},
		func(old Source, next *Source) error {
			next.ID, next.CreatedAt, next.UpdatedAt = old.ID, old.CreatedAt, s.now()
			if err := next.Normalize(); err != nil {
				return err
			}
			return issueWebhookToken(next.Webhook, old.Webhook == nil)
		}, s.store.UpdateSource)
}

// DeleteSource deletes a source no contact uses. Errors: invalid, not_found,
// precondition_failed, conflict (in use, with the count), internal.
func (s *Service) DeleteSource(ctx context.Context, id string, ifMatch int) error {
	v, err := s.GetSource(ctx, id)
	if err != nil {
		return err
	}
	if err := s.deletable(ctx, "source", "sourceId", id, ifMatch, v.Version); err != nil {
		return err
	}
	return s.store.DeleteSource(ctx, v)
}

// ListSources lists sources, oldest first. Errors: invalid, internal.
func (s *Service) ListSources(ctx context.Context, o ListOptions) (Page[Source], error) {
	if err := o.Normalize(); err != nil {
		return Page[Source]{}, err
	}
	return s.store.ListSources(ctx, o)
}

// CreateInterest validates and stores an interest. Errors: invalid,
// conflict (name taken), internal.
func (s *Service) CreateInterest(ctx context.Context, i Interest) (Interest, error) {
	if err := i.Normalize(); err != nil {
		return Interest{}, err
	}
	now := s.now()
	i.ID, i.CreatedAt, i.UpdatedAt, i.Version = NewID(now), now, now, 1
	return i, s.store.CreateInterest(ctx, i)
}

// GetInterest returns an interest. Errors: invalid, not_found, internal.
func (s *Service) GetInterest(ctx context.Context, id string) (Interest, error) {
	if err := CheckID("id", id); err != nil {
		return Interest{}, err
	}
	return s.store.GetInterest(ctx, id)
}

// UpdateInterest applies change to an interest. Errors: invalid, not_found,
// precondition_failed, conflict, internal.
func (s *Service) UpdateInterest(ctx context.Context, id string, ifMatch int, change func(*Interest) error) (Interest, error) {
	return modify(ctx, "interest", id, ifMatch, s.store.GetInterest,
		func(v *Interest) *int { return &v.Version }, change,
		func(old Interest, next *Interest) error {
			next.ID, next.CreatedAt, next.UpdatedAt = old.ID, old.CreatedAt, s.now()
			return next.Normalize()
		}, s.store.UpdateInterest)
}

// DeleteInterest deletes an interest no contact uses. Errors: invalid,
// not_found, precondition_failed, conflict, internal.
func (s *Service) DeleteInterest(ctx context.Context, id string, ifMatch int) error {
	v, err := s.GetInterest(ctx, id)
	if err != nil {
		return err
	}
	if err := s.deletable(ctx, "interest", "interestId", id, ifMatch, v.Version); err != nil {
		return err
	}
	return s.store.DeleteInterest(ctx, v)
}

// ListInterests lists interests, oldest first. Errors: invalid, internal.
func (s *Service) ListInterests(ctx context.Context, o ListOptions) (Page[Interest], error) {
	if err := o.Normalize(); err != nil {
		return Page[Interest]{}, err
	}
	return s.store.ListInterests(ctx, o)
}

// CreateAgent validates and stores an agent. Errors: invalid, conflict
// (code taken), internal.
func (s *Service) CreateAgent(ctx context.Context, a Agent) (Agent, error) {
	if err := a.Normalize(); err != nil {
		return Agent{}, err
	}
	now := s.now()
	a.ID, a.CreatedAt, a.UpdatedAt, a.Version = NewID(now), now, now, 1
	return a, s.store.CreateAgent(ctx, a)
}

// GetAgent returns an agent. Errors: invalid, not_found, internal.
func (s *Service) GetAgent(ctx context.Context, id string) (Agent, error) {
	if err := CheckID("id", id); err != nil {
		return Agent{}, err
	}
	return s.store.GetAgent(ctx, id)
}

// UpdateAgent applies change to an agent. Errors: invalid, not_found,
// precondition_failed, conflict, internal.
func (s *Service) UpdateAgent(ctx context.Context, id string, ifMatch int, change func(*Agent) error) (Agent, error) {
	return modify(ctx, "agent", id, ifMatch, s.store.GetAgent,
		func(v *Agent) *int { return &v.Version }, change,
		func(old Agent, next *Agent) error {
			next.ID, next.CreatedAt, next.UpdatedAt = old.ID, old.CreatedAt, s.now()
			return next.Normalize()
		}, s.store.UpdateAgent)
}

// DeleteAgent deletes an agent no contact uses. Errors: invalid, not_found,
// precondition_failed, conflict, internal.
func (s *Service) DeleteAgent(ctx context.Context, id string, ifMatch int) error {
	v, err := s.GetAgent(ctx, id)
	if err != nil {
		return err
	}
	if err := s.deletable(ctx, "agent", "agentId", id, ifMatch, v.Version); err != nil {
		return err
	}
	return s.store.DeleteAgent(ctx, v)
}

// ListAgents lists agents, oldest first. Errors: invalid, internal.
func (s *Service) ListAgents(ctx context.Context, o ListOptions) (Page[Agent], error) {
	if err := o.Normalize(); err != nil {
		return Page[Agent]{}, err
	}
	return s.store.ListAgents(ctx, o)
}

// deletable refuses to delete a catalog entry that contacts still use.
func (s *Service) deletable(ctx context.Context, kind, field, id string, ifMatch, version int) error {
	if err := checkVersion(kind, ifMatch, version); err != nil {
		return err
	}
	n, err := s.store.CountContactsWith(ctx, field, id)
	if err != nil {
		return err
	}
	if n > 0 {
		return Conflict(kind + " is used by " + strconv.Itoa(n) + " contacts; reassign them first")
	}
	return nil
}

// issueWebhookToken gives w a new URL token when it is new, has none, or
// asks for rotation. Errors: internal.
func issueWebhookToken(w *Webhook, fresh bool) error {
	if w == nil || !(fresh || w.TokenHash == "" || w.RotateToken) {
		return nil
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Internal(err)
	}
	w.Token = "whk_" + base64.RawURLEncoding.EncodeToString(b[:])
	w.TokenHash, w.RotateToken = HashToken(w.Token), false
	return nil
}

// SourceByWebhookToken finds the source a webhook URL token belongs to.
// Errors: not_found (unknown token, or the source has no webhook), internal.
func (s *Service) SourceByWebhookToken(ctx context.Context, token string) (Source, error) {
	if token == "" || len(token) > 200 {
		return Source{}, NotFound("webhook")
	}
	src, err := s.store.SourceByWebhookHash(ctx, HashToken(token))
	if err != nil {
		return Source{}, err
	}
	if src.Webhook == nil {
		return Source{}, NotFound("webhook")
	}
	return src, nil
}
