package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

// secretShown marks the response a handler writes to w as holding a
// secret shown only once (a webhook's URL token, an API token). The record
// of its Idempotency-Key then keeps, instead of the response, the problem
// a replay answers: 409 conflict naming what the request created
// (existingId) and saying what to do without the secret (detail). So no
// secret is stored in plain text for the key's 24 hours, and none is shown
// twice. Without an Idempotency-Key it does nothing.
func secretShown(w http.ResponseWriter, existingID, detail string) {
	if c, ok := w.(*capture); ok {
		c.replay = &problem{Type: "about:blank", Title: http.StatusText(http.StatusConflict), Status: http.StatusConflict,
			Code: crm.CodeConflict, Detail: detail, ExistingID: existingID}
	}
}

// replayRecord is what the record of an Idempotency-Key keeps of a
// response that held a secret: the problem its replay answers.
func replayRecord(rec *crm.IdempotencyRecord, p problem) {
	b, _ := json.Marshal(p)
	rec.Status, rec.Location, rec.ETag, rec.Body = p.Status, "", "", b
}

// replayType is the Content-Type of a replayed response.
func replayType(status int) string {
	if status >= 400 {
		return "application/problem+json"
	}
	return "application/json"
}

// The details of the problems a replay of a secret-bearing POST answers.
const (
	msgSourceReplay = "the response to this Idempotency-Key held the webhook's URL token, which is shown only once and not kept: " +
		"the source was created (existingId); if its URL was lost, issue a new one with PATCH /v1/sources/{id} " +
		`{"webhook": {"rotateToken": true}}`
	msgTokenReplay = "the response to this Idempotency-Key held an API token, which is shown only once and not kept: " +
		"the token was issued (existingId); if it was lost, revoke it (DELETE /v1/users/{id}/tokens/{tokenId}) and issue another"
)
