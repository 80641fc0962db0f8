package crm

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/oklog/ulid/v2"
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

// Token is a secret of a user: an API token (the zero Kind), a web app
// session or a sign-in link's secret. Only the SHA-256 of the secret is
// kept, and for an API token its first characters (Prefix), by which people
// tell their tokens apart: "emb_" and 4 characters of the random part, 24 of
// its 256 bits.
type Token struct {
	Hash       string // hex SHA-256 of the secret
	UserID     string
	Name       string
	Prefix     string // TokenPrefix of the secret
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used; kept to TokenUseInterval
	// Kind says what the secret opens: TokenAPI (the zero value, which
	// every token stored before kinds existed reads as), TokenSession or
	// TokenSignIn.
	Kind TokenKind
	// ExpiresAt is when the token stops working (zero: never, as API
	// tokens).
	ExpiresAt time.Time
}

// TokenKind is what a token's secret opens.
type TokenKind string

// The kinds of token. Each opens one door: the bearer API takes only
// TokenAPI, the web app's cookie only TokenSession, and its sign-in link
// only TokenSignIn.
const (
	TokenAPI     TokenKind = ""        // an API token (bearer)
	TokenSession TokenKind = "session" // a web app session (cookie)
	TokenSignIn  TokenKind = "signin"  // a sign-in link's secret, single use
)

// Expired reports whether the token has an expiry and it has come by at.
func (t Token) Expired(at time.Time) bool { return !t.ExpiresAt.IsZero() && !at.Before(t.ExpiresAt) }

// TokenUseInterval is how often a token's LastUsedAt is written at most:
// a token in use all day costs 24 writes, not one a request (a write is
// dearer than a read on DynamoDB, and most requests are reads); which
// tokens are still in use, and which can go, needs no finer time.
const TokenUseInterval = time.Hour

// ID names a token in the API (GET and DELETE /v1/users/{id}/tokens): a
// ULID of its creation time and 80 bits of a hash of its hash, so that
// every token has one, also those issued before tokens had IDs, and it
// sorts by creation. It says nothing of the secret that the stored hash
// does not.
func (t Token) ID() string {
	sum := sha256.Sum256([]byte("token-id:" + t.Hash))
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(t.CreatedAt)) // fails only past the year 10889
	copy(id[6:], sum[:10])
	return id.String()
}

// TokenPrefix returns the first characters of a token secret that are kept
// with it: 8 of a secret of 32 or more (every secret NewTokenSecret and
// BootstrapAdmin take), none of a shorter one.
func TokenPrefix(secret string) string {
	if len(secret) < 32 {
		return ""
	}
	return secret[:8]
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
