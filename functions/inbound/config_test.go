package main

import (
	"testing"

	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/rietest"
)

// TestConfig: template.yaml gives the function exactly the variables it
// reads (the core and inboundVars), and a missing or malformed one stops
// it at init with one line naming it.
func TestConfig(t *testing.T) {
	vars := config.Vars(needs)
	for _, name := range inboundVars {
		vars = append(vars, config.Var{Name: name, Required: name != "S3_ENDPOINT"})
	}
	rietest.CheckConfig(t, "InboundFunction", vars, map[string]string{
		"TABLE_NAME":      "embudo-local",
		"FILES_BUCKET":    "embudo-files",
		"INBOUND_DOMAIN":  "in.acme.example",
		"REPLY_TOKEN_KEY": "config-test-reply-key-0123456789abcdef",
	}, map[string]string{
		"INBOUND_DOMAIN":  "crm@in.acme.example",
		"REPLY_TOKEN_KEY": "too-short",
	})
}
