package crm

import (
	"context"
	"slices"
)

// ListNotificationSettings returns the six settings in key order, with
// defaults for any not stored. Errors: internal.
func (s *Service) ListNotificationSettings(ctx context.Context) ([]NotificationSetting, error) {
	stored, err := s.store.ListNotificationSettings(ctx)
	if err != nil {
		return nil, err
	}
	out := DefaultNotificationSettings()
	for i := range out {
		if j := slices.IndexFunc(stored, func(x NotificationSetting) bool { return x.Key == out[i].Key }); j >= 0 {
			out[i] = stored[j]
		}
	}
	return out, nil
}

// UpdateNotificationSetting applies change to one setting. Errors: invalid,
// not_found (unknown key), precondition_failed, internal.
func (s *Service) UpdateNotificationSetting(ctx context.Context, key string, ifMatch int, change func(*NotificationSetting) error) (NotificationSetting, error) {
	if !IsNotificationKey(key) {
		return NotificationSetting{}, NotFound("notification setting")
	}
	all, err := s.ListNotificationSettings(ctx)
	if err != nil {
		return NotificationSetting{}, err
	}
	old := all[slices.IndexFunc(all, func(x NotificationSetting) bool { return x.Key == key })]
	if err := checkVersion("notification setting", ifMatch, old.Version); err != nil {
		return NotificationSetting{}, err
	}
	next := old
	next.Overrides = cloneOverrides(old.Overrides)
	if err := change(&next); err != nil {
		return NotificationSetting{}, err
	}
	next.Key, next.UpdatedAt, next.Version = key, s.now(), old.Version+1
	if err := next.Normalize(); err != nil {
		return NotificationSetting{}, err
	}
	defer s.settings.Delete(struct{}{})
	return next, s.store.PutNotificationSetting(ctx, old, next)
}

func cloneOverrides(m map[string]TemplateOverride) map[string]TemplateOverride {
	out := make(map[string]TemplateOverride, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// EnsureSeeded writes the initial pipeline states and notification settings
// the first time it runs against a store; later calls change nothing.
// Errors: internal.
func (s *Service) EnsureSeeded(ctx context.Context) error {
	now := s.now()
	states := SeedStates()
	for i := range states {
		states[i].ID, states[i].CreatedAt, states[i].UpdatedAt, states[i].Version = NewID(now), now, now, 1
	}
	settings := DefaultNotificationSettings()
	for i := range settings {
		settings[i].UpdatedAt, settings[i].Version = now, 1
	}
	_, err := s.store.Seed(ctx, states, settings)
	if ErrorCode(err) == CodeConflict {
		return nil // another instance is seeding at this very moment
	}
	return err
}

// CurrentSettings returns the notification settings, read at most every
// few seconds per instance: the change stream asks for every record. An
// admin's change reaches the other instances within statesTTL. Errors: internal.
func (s *Service) CurrentSettings(ctx context.Context) ([]NotificationSetting, error) {
	return s.settings.Load(struct{}{}, func() ([]NotificationSetting, error) { return s.ListNotificationSettings(ctx) })
}
