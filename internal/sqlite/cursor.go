package sqlite

import (
	"encoding/base64"
	"encoding/json"

	"github.com/embudo/embudo/internal/crm"
)

// cursor is a position in a list: the access path it belongs to (with its
// partition, e.g. the agent of "contacts of an agent") and the ordering key
// of the last item returned.
type cursor struct {
	Path string `json:"p"`
	Key  string `json:"k"`
}

// encodeCursor makes the opaque cursor of a position.
func encodeCursor(path, key string) string {
	b, _ := json.Marshal(cursor{Path: path, Key: key})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor for the same path: ""
// for none. Errors: invalid (cursor).
func decodeCursor(s, path string) (string, error) {
	if s == "" {
		return "", nil
	}
	bad := crm.InvalidField("cursor", "is not a valid cursor for this list")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Path != path || c.Key == "" || len(c.Key) > 1024 {
		return "", bad
	}
	return c.Key, nil
}
