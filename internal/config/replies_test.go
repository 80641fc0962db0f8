package config

import (
	"strings"
	"testing"
)

// TestReplies: the reply addresses' domain and key are optional together,
// each checked when set, and the key never appears in an error.
func TestReplies(t *testing.T) {
	const key = "reply-key-0123456789abcdef0123456789"
	load := func(env map[string]string) (Config, error) {
		env["TABLE_NAME"] = "embudo"
		return Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, Needs{Replies: true})
	}
	c, err := load(map[string]string{"INBOUND_DOMAIN": "in.acme.example", "REPLY_TOKEN_KEY": key})
	if err != nil || c.Replies.Domain != "in.acme.example" || c.Replies.Key != key {
		t.Fatalf("%+v %v", c.Replies, err)
	}
	if _, err := load(map[string]string{}); err != nil {
		t.Fatalf("neither set: %v", err)
	}
	for _, tc := range []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{"INBOUND_DOMAIN": "in.acme.example"}, "go together"},
		{map[string]string{"INBOUND_DOMAIN": "crm@in.acme.example", "REPLY_TOKEN_KEY": key}, "INBOUND_DOMAIN"},
		{map[string]string{"INBOUND_DOMAIN": "in.acme.example", "REPLY_TOKEN_KEY": "short-secret"}, "REPLY_TOKEN_KEY"},
	} {
		_, err := load(tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.name) || strings.Contains(err.Error(), "short-secret") {
			t.Errorf("%v: %v", tc.env, err)
		}
	}
}
