package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// CreateToken implements crm.UserStore: the token, keyed by the hash of its
// secret. Errors: conflict (the hash exists), not_found (the user),
// unavailable, internal.
func (s *Store) CreateToken(ctx context.Context, tk crm.Token) error {
	return s.write(ctx, func(t *wtx) error {
		if err := createToken(t, tk); err != nil {
			return err
		}
		if ok, err := users.exists(t, tk.UserID); err != nil {
			return err
		} else if !ok {
			return crm.NotFound("user")
		}
		return nil
	})
}

// createToken writes a new token. Errors: conflict (the hash exists).
func createToken(t *wtx, tk crm.Token) error {
	if ok, err := t.found("SELECT 1 FROM tokens WHERE hash = ?", tk.Hash); err != nil {
		return err
	} else if ok {
		return errExists("token")
	}
	return loadToken(t, tk)
}

// loadToken writes a token's row.
func loadToken(t *wtx, tk crm.Token) error {
	b, err := json.Marshal(tokenToRow(tk))
	if err != nil {
		return err
	}
	return t.exec("INSERT INTO tokens (hash, user_id, id, doc) VALUES (?, ?, ?, ?)", tk.Hash, tk.UserID, tk.ID(), string(b))
}

func decodeToken(doc []byte) (crm.Token, error) {
	var r tokenRow
	if err := json.Unmarshal(doc, &r); err != nil {
		return crm.Token{}, crm.Internal(err)
	}
	return tokenFromRow(r), nil
}

// GetToken implements crm.UserStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetToken(ctx context.Context, hash string) (crm.Token, error) {
	var doc []byte
	err := s.reads.QueryRowContext(ctx, "SELECT doc FROM tokens WHERE hash = ?", hash).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return crm.Token{}, crm.NotFound("token")
	}
	if err != nil {
		return crm.Token{}, s.fail(err)
	}
	return decodeToken(doc)
}

// tokenListing is the access path of a user's tokens: the index
// tokens_by_user, oldest first.
func tokenListing(userID string) listing {
	return listing{path: "tokens:" + userID, from: "tokens", key: "id", asc: true, where: "user_id = ?", args: []any{userID}}
}

// ListTokens implements crm.UserStore. Errors: invalid (cursor),
// unavailable, internal.
func (s *Store) ListTokens(ctx context.Context, userID string, o crm.ListOptions) (crm.Page[crm.Token], error) {
	return page(ctx, s, tokenListing(userID), o, decodeToken, nil)
}

// DeleteToken implements crm.UserStore. Errors: not_found, unavailable,
// internal.
func (s *Store) DeleteToken(ctx context.Context, userID, tokenID string) (crm.Token, error) {
	var tk crm.Token
	err := s.write(ctx, func(t *wtx) error {
		var doc []byte
		err := t.row("SELECT doc FROM tokens WHERE user_id = ? AND id = ?", userID, tokenID).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return crm.NotFound("token")
		}
		if err != nil {
			return err
		}
		if tk, err = decodeToken(doc); err != nil {
			return err
		}
		return t.exec("DELETE FROM tokens WHERE hash = ?", tk.Hash)
	})
	return tk, err
}

// TakeToken implements crm.UserStore: the read and the delete are one
// write transaction, so of two takes of a token one finds it gone.
// Errors: not_found, unavailable, internal.
func (s *Store) TakeToken(ctx context.Context, hash string) (crm.Token, error) {
	var tk crm.Token
	err := s.write(ctx, func(t *wtx) error {
		var doc []byte
		err := t.row("SELECT doc FROM tokens WHERE hash = ?", hash).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return crm.NotFound("token")
		}
		if err != nil {
			return err
		}
		if tk, err = decodeToken(doc); err != nil {
			return err
		}
		return t.exec("DELETE FROM tokens WHERE hash = ?", hash)
	})
	return tk, err
}

// TouchToken implements crm.UserStore. Errors: not_found, unavailable,
// internal.
func (s *Store) TouchToken(ctx context.Context, hash string, at time.Time) error {
	return s.write(ctx, func(t *wtx) error {
		var doc []byte
		err := t.row("SELECT doc FROM tokens WHERE hash = ?", hash).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return crm.NotFound("token")
		}
		if err != nil {
			return err
		}
		tk, err := decodeToken(doc)
		if err != nil {
			return err
		}
		tk.LastUsedAt = at
		b, err := json.Marshal(tokenToRow(tk))
		if err != nil {
			return err
		}
		return t.exec("UPDATE tokens SET doc = ? WHERE hash = ?", string(b), hash)
	})
}
