package sqlite

import (
	"context"
	"fmt"

	"github.com/embudo/embudo/internal/crm"
)

var settings = newEntity(entity[crm.NotificationSetting, settingRow]{
	table: "settings", label: "notification setting", toRow: settingToRow, fromRow: settingFromRow,
	id:      func(v crm.NotificationSetting) string { return v.Key },
	version: func(v crm.NotificationSetting) int { return v.Version }, vals: noCols[crm.NotificationSetting],
})

// ListNotificationSettings implements crm.SettingsStore, by key. Errors:
// unavailable, internal.
func (s *Store) ListNotificationSettings(ctx context.Context) ([]crm.NotificationSetting, error) {
	p, err := settings.list(ctx, s, crm.ListOptions{Limit: 100})
	return p.Items, err
}

// PutNotificationSetting implements crm.SettingsStore: a creation when
// old.Version is 0, else a replacement guarded by it. Errors: conflict (it
// exists), not_found, precondition_failed, unavailable, internal.
func (s *Store) PutNotificationSetting(ctx context.Context, old, next crm.NotificationSetting) error {
	return s.write(ctx, func(t *wtx) error {
		if old.Version == 0 {
			return settings.create(t, next)
		}
		return settings.update(t, old, next)
	})
}

// Seed implements crm.SettingsStore: the seed marker, the states with
// their counts and the settings, in one transaction that writes nothing
// once the marker exists. Errors: unavailable, internal (a state or setting
// exists without the marker).
func (s *Store) Seed(ctx context.Context, st []crm.State, set []crm.NotificationSetting) (bool, error) {
	seeded := false
	err := s.write(ctx, func(t *wtx) error {
		if ok, err := t.found("SELECT 1 FROM config WHERE name = ?", markerSeeded); err != nil || ok {
			return err
		}
		if err := t.exec("INSERT INTO config (name) VALUES (?)", markerSeeded); err != nil {
			return err
		}
		for _, v := range st {
			if err := seedOne(t, states, v); err != nil {
				return err
			}
			if err := t.exec("INSERT OR IGNORE INTO state_counts (state_id, n) VALUES (?, 0)", v.ID); err != nil {
				return err
			}
		}
		if err := eachOf(set, func(v crm.NotificationSetting) error { return seedOne(t, settings, v) }); err != nil {
			return err
		}
		seeded = true
		return nil
	})
	return seeded && err == nil, err
}

// seedOne writes one seeded value, which must not exist.
func seedOne[T, R any](t *wtx, e entity[T, R], v T) error {
	if ok, err := e.exists(t, e.id(v)); err != nil {
		return err
	} else if ok {
		return crm.Internal(fmt.Errorf("sqlite: seed: %s %s exists, but the store was not seeded", e.label, e.id(v)))
	}
	_, err := e.insert(t, v)
	return err
}
