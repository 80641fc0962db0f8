package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestLogSenderCheck: one error line when SES would refuse the sender, one
// warning when the check cannot tell, nothing when SES may send.
func TestLogSenderCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		api   *fakeIdentities
		level string
		says  string
	}{
		{"verified", &fakeIdentities{verified: map[string]bool{"example.com": true}}, "", ""},
		{"not verified", &fakeIdentities{}, "ERROR", "verify the domain example.com"},
		{"cannot tell", &fakeIdentities{err: errors.New("AccessDeniedException")}, "WARN", "AccessDeniedException"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			LogSenderCheck(context.Background(), c.api, "Embudo <no-reply@example.com>", "eu-west-1", slog.New(slog.NewJSONHandler(&buf, nil)))
			out := strings.TrimSpace(buf.String())
			if c.level == "" {
				if out != "" {
					t.Errorf("logged %s, want nothing", out)
				}
				return
			}
			var line map[string]any
			if strings.Contains(out, "\n") || json.Unmarshal([]byte(out), &line) != nil || line["level"] != c.level || !strings.Contains(out, c.says) {
				t.Errorf("logged %s, want one %s line saying %q", out, c.level, c.says)
			}
		})
	}
}
