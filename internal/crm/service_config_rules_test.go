package crm_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A service configured with nothing works for a Spanish company: the
// company's time zone is Europe/Madrid (months of the report, reminder
// times) and phone numbers without a "+" are Spanish.
func TestServiceDefaults(t *testing.T) {
	t.Parallel()
	s := crm.NewService(nil, crm.Config{})
	if got := s.TimeZone().String(); got != "Europe/Madrid" {
		t.Errorf("default time zone %s, want Europe/Madrid", got)
	}
	if got := s.PhoneRegion(); got != "ES" {
		t.Errorf("default phone region %s, want ES", got)
	}
	if s.Clock() == nil {
		t.Error("no default clock")
	}
}
