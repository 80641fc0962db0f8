package crm_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestWebhookPath: where each kind of webhook receives its leads, and no
// path without the token (which is known only when it is issued).
func TestWebhookPath(t *testing.T) {
	for _, c := range []struct {
		w    crm.Webhook
		want string
	}{
		{crm.Webhook{Kind: crm.FormatForm, Token: "whk_a"}, "/hooks/whk_a"},
		{crm.Webhook{Kind: crm.FormatJSON, Token: "whk_b"}, "/hooks/whk_b"},
		{crm.Webhook{Kind: crm.FormatGoogleAds, Token: "whk_c"}, "/hooks/whk_c/google-ads"},
		{crm.Webhook{Kind: crm.FormatMeta, Token: "whk_d"}, "/hooks/whk_d/meta"},
		{crm.Webhook{Kind: crm.FormatForm, TokenHash: "abc"}, ""},
	} {
		if got := c.w.Path(); got != c.want {
			t.Errorf("%s webhook: path %q, want %q", c.w.Kind, got, c.want)
		}
	}
}
