package storetest

import (
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var settingTests = []test{
	{"SeedingHappensOnce", testSeedOnce},
	{"ConcurrentSeedingSeedsOnce", testConcurrentSeed},
	{"NotificationSettingIsGuardedByVersion", testNotificationSetting},
}

// seedData returns the states and settings a seed writes, stamped.
func seedData(names ...string) ([]crm.State, []crm.NotificationSetting) {
	var states []crm.State
	for i, name := range names {
		s := crm.State{Name: name, Order: i, Outcome: crm.OutcomeOpen, Default: i == 0, ShowTab: true}
		stamp(&s.ID, &s.CreatedAt, &s.UpdatedAt, &s.Version)
		states = append(states, s)
	}
	settings := crm.DefaultNotificationSettings()
	for i := range settings {
		settings[i].UpdatedAt, settings[i].Version = now(), 1
	}
	return states, settings
}

// testSeedOnce: the first seed writes its states and settings and says
// so; a later one writes nothing. Seeded states take opportunities.
func testSeedOnce(t *testing.T, st crm.Store) {
	ctx := t.Context()
	states, settings := seedData("Nuevo", "Ganado")
	if !must(st.Seed(ctx, states, settings))(t) {
		t.Fatal("the first seed reports the store seeded already")
	}
	others, otherSettings := seedData("Otro")
	otherSettings[0].Enabled = false
	if must(st.Seed(ctx, others, otherSettings))(t) {
		t.Fatal("a second seed reports seeding")
	}
	same(t, "seeded states", sortedBy(must(st.ListStates(ctx))(t), stateID), states)
	got := must(st.ListNotificationSettings(ctx))(t)
	same(t, "seeded settings", sortedBy(got, settingKey), sortedBy(settings, settingKey))
	// A seeded state takes opportunities.
	f := fixtures(t, st)
	f.opportunity(crm.Opportunity{ContactID: f.contact(crm.Contact{}).ID, StateID: states[0].ID})
	if counts := must(st.StateCounts(ctx))(t); counts[states[0].ID] != 1 {
		t.Fatalf("state counts %v, want 1 in the seeded state", counts)
	}
}

func settingKey(s crm.NotificationSetting) string { return s.Key }

// testConcurrentSeed: two instances starting at once seed the store once,
// with one of their seeds whole. The loser may also fail with conflict,
// which crm.Service.EnsureSeeded takes as seeded.
func testConcurrentSeed(t *testing.T, st crm.Store) {
	ctx := t.Context()
	seeds := [][]crm.State{}
	for _, names := range [][]string{{"A1", "A2"}, {"B1", "B2", "B3"}} {
		states, _ := seedData(names...)
		seeds = append(seeds, states)
	}
	_, settings := seedData()
	seeded := make([]bool, len(seeds))
	errs := make([]error, len(seeds))
	var wg sync.WaitGroup
	for i := range seeds {
		wg.Go(func() { seeded[i], errs[i] = st.Seed(ctx, seeds[i], settings) })
	}
	wg.Wait()
	winner := -1
	for i := range seeds {
		switch {
		case errs[i] != nil && crm.ErrorCode(errs[i]) != crm.CodeConflict:
			t.Fatalf("seed %d: %v", i, errs[i])
		case seeded[i] && winner >= 0:
			t.Fatal("both seeds report seeding")
		case seeded[i]:
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no seed reports seeding: %v", errs)
	}
	same(t, "seeded states", sortedBy(must(st.ListStates(ctx))(t), stateID), seeds[winner])
}

// testNotificationSetting: a setting is written new (old version 0) or in
// place of the version read; a stale write changes nothing.
func testNotificationSetting(t *testing.T, st crm.Store) {
	ctx := t.Context()
	v1 := crm.NotificationSetting{Key: crm.NotifyNote, Enabled: true, UpdatedAt: now(), Version: 1,
		Overrides: map[string]crm.TemplateOverride{"es": {Subject: "Nota", Body: "Hola {{.Name}}"}, "en": {Body: "Hi"}}}
	noErr(t, st.PutNotificationSetting(ctx, crm.NotificationSetting{}, v1))
	same(t, "settings", must(st.ListNotificationSettings(ctx))(t), []crm.NotificationSetting{v1})
	v2 := v1
	v2.Enabled, v2.Overrides = false, nil
	bumped(&v2.Version, &v2.UpdatedAt)
	noErr(t, st.PutNotificationSetting(ctx, v1, v2))
	stale := v2
	stale.Enabled = true
	wantCode(t, st.PutNotificationSetting(ctx, v1, stale), crm.CodePreconditionFailed)
	same(t, "settings after a stale write", must(st.ListNotificationSettings(ctx))(t), []crm.NotificationSetting{v2})
}
