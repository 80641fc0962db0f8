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
	rietest.CheckConfig(t, "StreamFunction", config.Vars(needs), map[string]string{
		"TABLE_NAME":            "embudo-local",
		"SENDER_EMAIL":          "Embudo <no-reply@embudo.example>",
		"SCHEDULE_GROUP":        "embudo-reminders",
		"SCHEDULER_ROLE_ARN":    "arn:aws:iam::123456789012:role/embudo-scheduler",
		"REMINDER_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:embudo-reminder",
	}, map[string]string{
		"SENDER_EMAIL":          "embudo@",
		"REMINDER_FUNCTION_ARN": "embudo-reminder",
		"APP_URL":               "crm.example.com",
		"SES_ENDPOINT":          "localhost:8005",
		"COMPANY_TIME_ZONE":     "Europe/Nowhere",
	})
}
