package main

import (
	"testing"

	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/rietest"
)

// TestConfig: template.yaml gives the function exactly the variables it
// reads, and a missing or malformed one stops it at init with one line
// naming it.
func TestConfig(t *testing.T) {
	rietest.CheckConfig(t, "ApiFunction", config.Vars(needs), map[string]string{
		"TABLE_NAME":   "embudo-local",
		"HOOKS_URL":    "https://hooks.example.com",
		"SENDER_EMAIL": "Embudo <no-reply@embudo.example>",
	}, map[string]string{
		"SENDER_EMAIL":      "embudo@",
		"APP_URL":           "crm.example.com/app",
		"SES_ENDPOINT":      "localhost:8005",
		"HOOKS_URL":         "hooks.example.com",
		"COMPANY_TIME_ZONE": "Europe/Nowhere",
		"PHONE_REGION":      "es",
		"LOG_LEVEL":         "loud",
		"DYNAMODB_ENDPOINT": "localhost:8000",
		"S3_ENDPOINT":       "localhost:4566",
	})
}
