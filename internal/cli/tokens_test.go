package cli

import (
	"strings"
	"testing"
	"time"
)

// embudo tokens list USER shows a user's tokens (prefix, created, last
// used), and embudo tokens revoke USER TOKEN revokes one, named by its ID,
// prefix or label (issue 10, item 1).
func TestTokensListAndRevoke(t *testing.T) {
	local := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = local })
	const (
		user   = "01M95W334A8KVA6YAY09GRFW6H"
		laptop = "01M95W334A8KVA6YAY09GRFW6J"
		ci     = "01M95W334A8KVA6YAY09GRFW6K"
	)
	list := `{"items":[` +
		`{"id":"` + laptop + `","userId":"` + user + `","name":"laptop","prefix":"emb_AbCd","createdAt":"2026-11-02T10:00:00Z","lastUsedAt":"2026-12-01T09:00:00Z"},` +
		`{"id":"` + ci + `","userId":"` + user + `","name":"ci","prefix":"emb_XyZw","createdAt":"2026-11-03T10:00:00Z","lastUsedAt":null}]}`
	f, flags := serveFake(t, map[string]string{"GET /v1/users/" + user + "/tokens": list})

	out := runFake(t, flags, "tokens", "list", user)
	for _, want := range []string{"PREFIX", "LAST USED", laptop, "emb_AbCd", "2026-11-02 10:00", "2026-12-01 09:00", ci, "emb_XyZw", "never"} {
		if !strings.Contains(out, want) {
			t.Errorf("tokens list does not show %q:\n%s", want, out)
		}
	}
	if out := runFake(t, flags, "--json", "tokens", "list", user); !strings.Contains(out, `"lastUsedAt"`) {
		t.Errorf("tokens list --json:\n%s", out)
	}

	for _, name := range []string{ci, "emb_XyZw", "ci"} {
		delete(f.bodies, "DELETE /v1/users/"+user+"/tokens/"+ci)
		out := runFake(t, flags, "tokens", "revoke", user, name)
		if _, sent := f.bodies["DELETE /v1/users/"+user+"/tokens/"+ci]; !sent {
			t.Errorf("tokens revoke %s sent no DELETE of %s: %v", name, ci, f.bodies)
		}
		if !strings.Contains(out, "Revoked token "+ci) {
			t.Errorf("tokens revoke %s:\n%s", name, out)
		}
	}
}
