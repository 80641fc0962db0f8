package crm_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestRotatingAWebhookInPlaceRetiresItsOldToken: a change that edits the
// source's webhook where it lies (not a copy of it) still issues a new URL
// token that works, and the one it replaces stops opening the source.
func TestRotatingAWebhookInPlaceRetiresItsOldToken(t *testing.T) {
	r := newRig(t)
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.LeadFormat("form"), FieldMap: map[string]string{"nombre": "name"}}})
	if err != nil {
		t.Fatal(err)
	}
	oldToken := src.Webhook.Token
	if oldToken == "" {
		t.Fatal("a new source's webhook has no token")
	}
	next, err := r.svc.UpdateSource(bg, src.ID, src.Version, func(s *crm.Source) error {
		s.Webhook.RotateToken = true
		s.Webhook.FieldMap["correo"] = "email"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if next.Webhook.Token == "" || next.Webhook.Token == oldToken {
		t.Fatalf("the rotation issued token %q (old %q)", next.Webhook.Token, oldToken)
	}
	if _, err := r.svc.SourceByWebhookToken(bg, oldToken); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("the replaced token still finds the source: %v", err)
	}
	got, err := r.svc.SourceByWebhookToken(bg, next.Webhook.Token)
	if err != nil {
		t.Fatalf("the new token: %v", err)
	}
	if got.Webhook.FieldMap["correo"] != "email" || got.Webhook.FieldMap["nombre"] != "name" {
		t.Errorf("the field map stored: %v", got.Webhook.FieldMap)
	}
}
