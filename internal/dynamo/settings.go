package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

var settings = entity[crm.NotificationSetting, settingItem]{
	kind: kindSetting, label: "notification setting", toItem: settingToItem, fromItem: settingFromItem,
	id: func(v crm.NotificationSetting) string { return v.Key }, version: func(v crm.NotificationSetting) int { return v.Version },
}

// ListNotificationSettings implements crm.SettingsStore with one Query.
func (s *Store) ListNotificationSettings(ctx context.Context) ([]crm.NotificationSetting, error) {
	p, err := page(ctx, s, query{index: gsi1, pk: kindSetting, forward: true}, kindSetting,
		crm.ListOptions{Limit: 100}, nil, settings.decode, nil)
	return p.Items, err
}

// PutNotificationSetting implements crm.SettingsStore.
func (s *Store) PutNotificationSetting(ctx context.Context, old, next crm.NotificationSetting) error {
	if old.Version == 0 {
		return settings.create(ctx, s, next, nil)
	}
	return settings.update(ctx, s, old, next, nil)
}

// Seed implements crm.SettingsStore: the seed marker, states and settings in
// one transaction that fails harmlessly once the marker exists.
func (s *Store) Seed(ctx context.Context, st []crm.State, set []crm.NotificationSetting) (bool, error) {
	if _, found, err := s.getRaw(ctx, seededKey); err != nil || found {
		return false, err
	}
	seeded := true
	t := s.tx()
	t.putNew(configMarker(markerSeeded), func(context.Context) error {
		seeded = false
		return nil
	})
	var ids []string
	for _, v := range st {
		t.putNew(marshal(stateToItem(v)), nil)
		ids = append(ids, v.ID)
	}
	if err := s.stateCounterOps(t, ids, nil, nil); err != nil {
		return false, err
	}
	for _, v := range set {
		t.put(marshal(settingToItem(v)), "attribute_not_exists(PK)", nil, nil)
	}
	if err := t.run(ctx); err != nil {
		return false, err
	}
	return seeded, nil
}

func versionValue(v int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{":v": num(itoa(v))}
}
