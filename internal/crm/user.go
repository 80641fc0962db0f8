package crm

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Role is what a user may do: admins also manage configuration.
type Role string

// The roles of a user.
const (
	RoleAdmin Role = "admin"
	RoleStaff Role = "staff"
)

// User is a member of staff who signs in to the API with tokens.
type User struct {
	ID        string
	Name      string
	Email     string
	Role      Role
	AgentID   string
	Active    bool
	Lang      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// IsAdmin reports whether the user is an active admin.
func (u User) IsAdmin() bool { return u.Active && u.Role == RoleAdmin }

// Normalize validates the user; CodeInvalid names each bad field.
func (u *User) Normalize() error {
	f := fieldErrors{}
	requireText(f, "name", &u.Name, MaxNameLen)
	if e, ok := NormalizeEmail(u.Email); ok && e != "" {
		u.Email = e
	} else if e == "" {
		f.add("email", "is required")
	} else {
		f.add("email", "is not a valid e-mail address")
	}
	switch u.Role {
	case "":
		u.Role = RoleStaff
	case RoleAdmin, RoleStaff:
	default:
		f.add("role", "must be admin or staff")
	}
	checkRef(f, "agentId", &u.AgentID)
	checkLang(f, "lang", &u.Lang)
	return f.err()
}

// Token is an API token of a user. Only the SHA-256 of the secret is kept.
type Token struct {
	Hash      string // hex SHA-256 of the secret
	UserID    string
	Name      string
	CreatedAt time.Time
}

// NewTokenSecret returns a new random 32-byte secret, URL-safe base64 with
// the prefix "emb_" so that it can be recognised in logs and secret scanners.
func NewTokenSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", Internal(err)
	}
	return "emb_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken returns the hex SHA-256 of a token secret, the only form in which
// tokens are stored and looked up.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
