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
	rietest.CheckConfig(t, "WebhookFunction", config.Vars(needs), map[string]string{
		"TABLE_NAME":    "embudo-local",
		"GRAPH_API_URL": "https://graph.facebook.com/v21.0",
	}, map[string]string{
		"GRAPH_API_URL":     "graph.facebook.com",
		"COMPANY_TIME_ZONE": "Europe/Nowhere",
		"TABLE_NAME":        "embudo local",
	})
}
