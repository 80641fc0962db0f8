package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/embudo/embudo/internal/crm"
)

// live reports whether a record expiring at exp (Unix seconds; 0 or less:
// never) has not expired: an expired one counts as absent.
func (s *Store) live(exp int64) bool { return exp <= 0 || exp > s.now().Unix() }

// ClaimIdempotency implements crm.IdempotencyStore: a pending record for
// (rec.UserID, rec.Key) unless one that has not expired exists, which it
// returns (claimed false). Errors: unavailable, internal.
func (s *Store) ClaimIdempotency(ctx context.Context, r crm.IdempotencyRecord) (crm.IdempotencyRecord, bool, error) {
	var existing crm.IdempotencyRecord
	claimed := false
	err := s.write(ctx, func(t *wtx) error {
		e := crm.IdempotencyRecord{UserID: r.UserID, Key: r.Key}
		var exp int64
		err := t.row(`SELECT request_hash, done, status, location, etag, body, expires_at FROM idempotency
			WHERE user_id = ? AND key = ?`, r.UserID, r.Key).Scan(&e.RequestHash, &e.Done, &e.Status, &e.Location, &e.ETag, &e.Body, &exp)
		switch {
		case err == nil && s.live(exp):
			if len(e.Body) == 0 {
				e.Body = nil
			}
			existing = e
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		claimed = true
		return putIdempotency(t, r)
	})
	if err != nil {
		return crm.IdempotencyRecord{}, false, err
	}
	if claimed {
		return r, true, nil
	}
	return existing, false, nil
}

func putIdempotency(t *wtx, r crm.IdempotencyRecord) error {
	return t.exec(`INSERT OR REPLACE INTO idempotency (user_id, key, request_hash, done, status, location, etag, body, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.UserID, r.Key, r.RequestHash, r.Done, r.Status, r.Location, r.ETag, r.Body, r.ExpiresAt.Unix())
}

// CompleteIdempotency implements crm.IdempotencyStore: the claimed record
// with its response, done. Errors: unavailable, internal.
func (s *Store) CompleteIdempotency(ctx context.Context, r crm.IdempotencyRecord) error {
	r.Done = true
	return s.write(ctx, func(t *wtx) error { return putIdempotency(t, r) })
}

// ReleaseIdempotency implements crm.IdempotencyStore. Errors: unavailable,
// internal.
func (s *Store) ReleaseIdempotency(ctx context.Context, userID, key string) error {
	return s.write(ctx, func(t *wtx) error {
		return t.exec("DELETE FROM idempotency WHERE user_id = ? AND key = ?", userID, key)
	})
}
