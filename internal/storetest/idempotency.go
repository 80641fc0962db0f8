package storetest

import (
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var idempotencyTests = []test{
	{"RetryGetsThePendingThenTheCompletedResponse", testIdempotencyClaim},
	{"ReleasedKeyCanBeClaimedAgain", testIdempotencyRelease},
	{"ExpiredRecordCountsAsAbsent", testIdempotencyExpiry},
	{"KeysArePerUser", testIdempotencyPerUser},
}

// idemRecord is a new claim of key by user, expiring in a day.
func idemRecord(user, key string) crm.IdempotencyRecord {
	return crm.IdempotencyRecord{UserID: user, Key: key, RequestHash: "hash-" + key, ExpiresAt: time.Now().Add(24 * time.Hour)}
}

// claim claims rec and checks whether it was claimed; it returns the
// record the store answered, without its expiry (not part of the answer).
func claim(t *testing.T, st crm.Store, rec crm.IdempotencyRecord, wantClaimed bool) crm.IdempotencyRecord {
	t.Helper()
	got, claimed, err := st.ClaimIdempotency(t.Context(), rec)
	noErr(t, err)
	if claimed != wantClaimed {
		t.Fatalf("claim of %s/%s: claimed %v, want %v", rec.UserID, rec.Key, claimed, wantClaimed)
	}
	got.ExpiresAt = time.Time{}
	return got
}

// testIdempotencyClaim: the first request claims its key; a retry while
// it runs sees the pending claim, and once completed the response.
func testIdempotencyClaim(t *testing.T, st crm.Store) {
	rec := idemRecord(newID(), "k1")
	claim(t, st, rec, true)
	pending := rec
	pending.ExpiresAt = time.Time{}
	same(t, "pending claim", claim(t, st, idemRecord(rec.UserID, "k1"), false), pending)
	done := rec
	done.Status, done.Location, done.ETag, done.Body = 201, "/v1/contacts/1", `"1"`, []byte(`{"id":"1"}`)
	noErr(t, st.CompleteIdempotency(t.Context(), done))
	done.Done, done.ExpiresAt = true, time.Time{}
	same(t, "completed claim", claim(t, st, idemRecord(rec.UserID, "k1"), false), done)
}

// testIdempotencyRelease: a released key (its request failed) is free for
// the retry.
func testIdempotencyRelease(t *testing.T, st crm.Store) {
	rec := idemRecord(newID(), "k1")
	claim(t, st, rec, true)
	noErr(t, st.ReleaseIdempotency(t.Context(), rec.UserID, rec.Key))
	claim(t, st, rec, true)
	noErr(t, st.ReleaseIdempotency(t.Context(), rec.UserID, "never-claimed"))
}

// testIdempotencyExpiry: a record past its expiry counts as absent, even
// where the store has not removed it yet.
func testIdempotencyExpiry(t *testing.T, st crm.Store) {
	rec := idemRecord(newID(), "k1")
	rec.ExpiresAt = time.Now().Add(-time.Minute)
	claim(t, st, rec, true)
	claim(t, st, idemRecord(rec.UserID, "k1"), true)
	claim(t, st, idemRecord(rec.UserID, "k1"), false)
}

// testIdempotencyPerUser: two users may use the same key.
func testIdempotencyPerUser(t *testing.T, st crm.Store) {
	claim(t, st, idemRecord(newID(), "k1"), true)
	claim(t, st, idemRecord(newID(), "k1"), true)
}
