package main

import (
	"testing"

	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/rietest"
)

// TestConfig: template.yaml gives the function exactly the variables it
// reads, and a missing or malformed one stops it at init with one line
// naming it (a missing sender is no longer found at the first send).
func TestConfig(t *testing.T) {
	rietest.CheckConfig(t, "ReminderFunction", config.Vars(needs), map[string]string{
		"TABLE_NAME":   "embudo-local",
		"SENDER_EMAIL": "Embudo <no-reply@embudo.example>",
	}, map[string]string{
		"SENDER_EMAIL": "Embudo no-reply",
		"APP_URL":      "/crm",
		"LOG_LEVEL":    "loud",
	})
}
