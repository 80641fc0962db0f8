package crm_test

import (
	"errors"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A google-ads webhook's key and any verify token are kept only as their
// hash; a signing secret (json, meta) is kept as written, since it signs;
// and a json webhook left with a google-ads key's hash for its signing
// secret is refused, asking for the secret again.
func TestWebhookSecretsAtRest(t *testing.T) {
	t.Parallel()
	ads := crm.Webhook{Kind: crm.FormatGoogleAds, Secret: "clave-de-google-ads"}
	if err := ads.Normalize(); err != nil {
		t.Fatal(err)
	}
	if ads.Secret != crm.Sealed("clave-de-google-ads") || !ads.KeyMatches("clave-de-google-ads") {
		t.Errorf("the google-ads key is kept as %q, want its hash %q", ads.Secret, crm.Sealed("clave-de-google-ads"))
	}
	meta := crm.Webhook{Kind: crm.FormatMeta, Secret: "app-secret", VerifyToken: "verificar", AccessToken: "page-token"}
	if err := meta.Normalize(); err != nil {
		t.Fatal(err)
	}
	if meta.Secret != "app-secret" || meta.AccessToken != "page-token" || meta.VerifyToken != crm.Sealed("verificar") {
		t.Errorf("meta keeps secret %q, access token %q, verify token %q; want the first two as written and the token's hash",
			meta.Secret, meta.AccessToken, meta.VerifyToken)
	}
	signed := crm.Webhook{Kind: crm.FormatJSON, Secret: "whsec_c2VjcmV0"}
	if err := signed.Normalize(); err != nil || signed.Secret != "whsec_c2VjcmV0" {
		t.Errorf("a json webhook's signing secret is kept as %q (%v), want it as written", signed.Secret, err)
	}
	ads.Kind = crm.FormatJSON // the google-ads webhook becomes json without a secret of its own
	e, ok := errors.AsType[*crm.Error](ads.Normalize())
	if !ok || e.Code != crm.CodeInvalid || e.Fields["webhook.secret"] == "" {
		t.Errorf("a json webhook with a kept google-ads hash for a secret: %v, want webhook.secret invalid", e)
	}
}
