package crm_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A compared-only secret matches what was written, sealed or (stored
// before sealing) as written; never its own kept hash, nor anything when
// none is kept.
func TestWebhookSecretsMatchByHash(t *testing.T) {
	const key = "clave-de-google-ads"
	for _, kept := range []string{crm.Sealed(key), key} {
		w := crm.Webhook{Kind: crm.FormatGoogleAds, Secret: kept, VerifyToken: kept}
		for got, want := range map[string]bool{key: true, "otra": false, "": false, crm.Sealed(key): false} {
			if w.KeyMatches(got) != want || w.VerifyTokenMatches(got) != want {
				t.Errorf("kept %q: %q matches %v, want %v", kept, got, w.KeyMatches(got), want)
			}
		}
	}
	if (crm.Webhook{}).KeyMatches("") || (crm.Webhook{}).VerifyTokenMatches("x") {
		t.Error("a webhook without secrets matches")
	}
	if crm.Sealed(crm.Sealed(key)) != crm.Sealed(key) || crm.Sealed("") != "" {
		t.Error("Sealed is not idempotent")
	}
}
