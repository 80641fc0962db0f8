package crm

import (
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func TestStateNormalize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		s      State
		fields []string
	}{
		{"ok", State{Name: "Nuevo", Color: "#AABBCC"}, nil},
		{"no name", State{}, []string{"name"}},
		{"bad colour", State{Name: "x", Color: "red"}, []string{"color"}},
		{"bad outcome", State{Name: "x", Outcome: "maybe"}, []string{"outcome"}},
		{"closed default", State{Name: "x", Outcome: OutcomeWon, Default: true}, []string{"default"}},
		{"negative order", State{Name: "x", Order: -1}, []string{"order"}},
	} {
		err := tc.s.Normalize()
		if tc.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if tc.s.Color != "#aabbcc" || tc.s.Outcome != OutcomeOpen {
				t.Errorf("%s: not normalised: %+v", tc.name, tc.s)
			}
			continue
		}
		e, _ := err.(*Error)
		for _, f := range tc.fields {
			if e == nil || e.Fields[f] == "" {
				t.Errorf("%s: field %s not named: %v", tc.name, f, err)
			}
		}
	}
}

func TestSeedStatesHaveExactlyOneOpenDefault(t *testing.T) {
	defaults := 0
	outcomes := map[Outcome]int{}
	for _, s := range SeedStates() {
		if err := s.Normalize(); err != nil {
			t.Errorf("seed state %q invalid: %v", s.Name, err)
		}
		if s.Default {
			defaults++
		}
		outcomes[s.Outcome]++
	}
	if defaults != 1 || outcomes[OutcomeWon] != 1 || outcomes[OutcomeLost] != 1 {
		t.Fatalf("defaults %d, outcomes %v", defaults, outcomes)
	}
}

func TestUserAndAgentNormalize(t *testing.T) {
	u := User{Name: "Ana", Email: "ANA@example.com"}
	if err := u.Normalize(); err != nil || u.Role != RoleStaff || u.Email != "ana@example.com" || u.Lang != LangES {
		t.Fatalf("%+v %v", u, err)
	}
	bad := User{Role: "root", Lang: "de"}
	e, _ := bad.Normalize().(*Error)
	for _, f := range []string{"name", "email", "role", "lang"} {
		if e == nil || e.Fields[f] == "" {
			t.Errorf("user field %s not named: %v", f, e)
		}
	}
	a := Agent{Code: " a-1 ", Name: "Agente"}
	if err := a.Normalize(); err != nil || a.Code != "A-1" {
		t.Fatalf("%+v %v", a, err)
	}
	if e, _ := (&Agent{Code: "has space", Name: "x"}).Normalize().(*Error); e == nil || e.Fields["code"] == "" {
		t.Fatalf("agent code with a space accepted")
	}
}

func TestNotificationSettingNormalize(t *testing.T) {
	s := NotificationSetting{Key: NotifyNote, Overrides: map[string]TemplateOverride{
		"es": {Subject: " Recordatorio "}, "en": {}, "fr": {Subject: "x"},
	}}
	e, _ := s.Normalize().(*Error)
	if e == nil || e.Fields["overrides.fr"] == "" {
		t.Fatalf("unknown language accepted: %v", e)
	}
	if _, kept := s.Overrides["en"]; kept {
		t.Fatal("an empty override was kept")
	}
	if s.Overrides["es"].Subject != "Recordatorio" {
		t.Fatalf("subject not trimmed: %q", s.Overrides["es"].Subject)
	}
	if len(DefaultNotificationSettings()) != 6 {
		t.Fatal("there are six notification keys")
	}
	for _, d := range DefaultNotificationSettings() {
		if !d.Enabled || !IsNotificationKey(d.Key) {
			t.Errorf("default %q must be enabled and known", d.Key)
		}
	}
}

func TestTokensAndIDs(t *testing.T) {
	a, err := NewTokenSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTokenSecret()
	if a == b || len(a) < 40 {
		t.Fatalf("weak tokens: %q %q", a, b)
	}
	if h := HashToken("abc"); h != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("HashToken is not SHA-256 hex: %s", h)
	}
	id := NewID(testNow)
	if !ValidID(id) || ValidID("nope") || ValidID(id+"0") || ValidID("0000000000000000000000000U") {
		t.Fatal("ValidID")
	}
	if NewID(testNow) <= id {
		t.Fatal("IDs made at the same instant must still grow")
	}
}

func TestListOptionsNormalize(t *testing.T) {
	o := ListOptions{}
	if err := o.Normalize(); err != nil || o.Limit != DefaultLimit {
		t.Fatalf("%+v %v", o, err)
	}
	for _, l := range []int{-1, 201} {
		o := ListOptions{Limit: l}
		if ErrorCode(o.Normalize()) != CodeInvalid {
			t.Errorf("limit %d accepted", l)
		}
	}
}

func TestErrorCode(t *testing.T) {
	if ErrorCode(nil) != "" || ErrorCode(NotFound("x")) != CodeNotFound || ErrorCode(errPlain{}) != CodeInternal {
		t.Fatal("ErrorCode")
	}
}

type errPlain struct{}

func (errPlain) Error() string { return "plain" }
