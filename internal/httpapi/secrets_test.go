package httpapi_test

// A secret shown once is never stored in plain text anywhere (issue 10,
// item 2): not in the record of an Idempotency-Key, whose replay refuses
// to show it again; and the webhook secrets that are only ever compared
// are kept as hashes.

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// idemBody returns the stored response body of an Idempotency-Key of the
// admin's, as the table holds it.
func (e *env) idemBody(key string) []byte {
	e.t.Helper()
	out, err := e.tbl.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(e.tbl.Name), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "IDEMPOTENCY#" + e.admin.ID + "#" + key},
			"SK": &types.AttributeValueMemberS{Value: "IDEMPOTENCY"},
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.Item) == 0 {
		e.t.Fatalf("no idempotency record for %q", key)
	}
	b, _ := out.Item["body"].(*types.AttributeValueMemberB)
	if b == nil {
		return nil
	}
	return b.Value
}

// keepsNoSecret fails the test if any item of the table, or the stored
// body of the key, holds secret.
func (e *env) keepsNoSecret(t *testing.T, key, secret string) {
	t.Helper()
	if bytes.Contains(e.idemBody(key), []byte(secret)) {
		t.Errorf("the Idempotency-Key record keeps the secret %q", secret)
	}
	for _, item := range e.snapshot() {
		if strings.Contains(item, secret) {
			t.Errorf("an item keeps the secret %q: %s", secret, item)
		}
	}
}

func TestSecretsShownOnceAreNotKeptForReplays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		name, path string
		body       map[string]any
		secret     func(m map[string]any) string
	}{
		{"webhook URL token", "/v1/sources", map[string]any{"name": "Web", "webhook": map[string]any{"kind": "form"}},
			func(m map[string]any) string { s, _ := m["webhook"].(map[string]any)["token"].(string); return s }},
		{"API token", "/v1/users/" + e.staffUser().ID + "/tokens", map[string]any{"name": "ci"},
			func(m map[string]any) string { s, _ := m["token"].(string); return s }},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := "secret-" + strings.ReplaceAll(c.name, " ", "-")
			first := e.admin_(http.MethodPost, c.path, c.body, "Idempotency-Key", key)
			wantStatus(t, first, http.StatusCreated)
			m := first.json(t)
			secret := c.secret(m)
			if secret == "" {
				t.Fatalf("no secret in the first response: %s", first.Body)
			}
			e.keepsNoSecret(t, key, secret)

			before := e.snapshot()
			replay := e.admin_(http.MethodPost, c.path, c.body, "Idempotency-Key", key)
			p := wantProblem(t, replay, http.StatusConflict, crm.CodeConflict)
			if p.ExistingID != id(m) || replay.Header.Get("Idempotent-Replayed") != "true" ||
				!strings.Contains(p.Detail, "shown only once") || strings.Contains(string(replay.Body), secret) {
				t.Errorf("replay: %v %s", replay.Header, replay.Body)
			}
			e.unchanged(t, before)
		})
	}
	// A response without a secret is replayed as it was.
	first := e.admin_(http.MethodPost, "/v1/sources", map[string]any{"name": "Feria"}, "Idempotency-Key", "no-secret")
	wantStatus(t, first, http.StatusCreated)
	replay := e.admin_(http.MethodPost, "/v1/sources", map[string]any{"name": "Feria"}, "Idempotency-Key", "no-secret")
	wantStatus(t, replay, http.StatusCreated)
	if string(replay.Body) != string(first.Body) {
		t.Errorf("replay %s, want %s", replay.Body, first.Body)
	}
}

// The Google Ads key and Meta's verify token are only ever compared: they
// are kept as hashes and still work. Meta's app secret and page token, and
// a JSON sender's signing secret, must be read back (to check signatures,
// to call the Graph API): stored as written, never shown.
func TestWebhookSecretsAtRest(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	gID, gToken := h.newSource("Google Ads", map[string]any{"kind": "google-ads", "secret": googleKey})
	mID, mToken := h.metaSource()
	jID, _ := h.newSource("Firmado", map[string]any{"kind": "json", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
	for _, s := range []string{googleKey, metaVerify} {
		for _, item := range h.snapshot() {
			if strings.Contains(item, s) {
				t.Errorf("an item keeps %q as written: %s", s, item)
			}
		}
	}
	for _, id := range []string{gID, mID, jID} {
		res := h.admin_(http.MethodGet, "/v1/sources/"+id, nil)
		wantStatus(t, res, http.StatusOK)
		for _, s := range []string{googleKey, metaVerify, metaAppSecret, metaPageToken, "whsec_", "sha256:"} {
			if strings.Contains(string(res.Body), s) {
				t.Errorf("GET /v1/sources/%s shows %q: %s", id, s, res.Body)
			}
		}
	}

	// They work as before.
	wantStatus(t, h.hook(http.MethodPost, "/hooks/"+gToken+"/google-ads", "application/json", []byte(googleSample)), http.StatusOK)
	wrong := strings.Replace(googleSample, googleKey, "not-the-key", 1)
	wantProblem(t, h.hook(http.MethodPost, "/hooks/"+gToken+"/google-ads", "application/json", []byte(wrong)), http.StatusForbidden, crm.CodeForbidden)
	q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"42"}, "hub.verify_token": {metaVerify}}
	if res := h.hook(http.MethodGet, "/hooks/"+mToken+"/meta?"+q.Encode(), "", nil); res.Status != http.StatusOK || string(res.Body) != "42" {
		t.Errorf("Meta's handshake: %d %s", res.Status, res.Body)
	}
	q.Set("hub.verify_token", "sha256:"+crm.HashToken(metaVerify)) // what the table holds
	wantProblem(t, h.hook(http.MethodGet, "/hooks/"+mToken+"/meta?"+q.Encode(), "", nil), http.StatusForbidden, crm.CodeForbidden)

	// Changing other settings keeps the key working; a kind whose secret is
	// read back cannot take over a key kept only as a hash.
	wantStatus(t, h.admin_(http.MethodPatch, "/v1/sources/"+gID, map[string]any{"webhook": map[string]any{"kind": "google-ads", "honeypot": "trampa"}}), http.StatusOK)
	wantStatus(t, h.hook(http.MethodPost, "/hooks/"+gToken+"/google-ads", "application/json", []byte(googleSample)), http.StatusOK)
	wantProblem(t, h.admin_(http.MethodPatch, "/v1/sources/"+gID, map[string]any{"webhook": map[string]any{"kind": "json"}}),
		http.StatusBadRequest, crm.CodeInvalid, "webhook.secret")
}
