// Package reply signs and checks the reply addresses of notification
// e-mails (n+<token>@domain), so that a reply becomes a note on the
// e-mail's record, and Mailer puts them in the notifications' Reply-To.
// It is apart from package inbound so that the functions that only send
// notifications link no MIME parser.
package reply

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/embudo/embudo/internal/crm"
)

// Errors of ParseReply.
var (
	// ErrTokenInvalid: the reply address is not one Embudo signed (forged,
	// damaged, or signed with another key).
	ErrTokenInvalid = errors.New("reply: the reply address is not a valid Embudo reply address")
	// ErrTokenExpired: the reply address was valid but its time is over.
	ErrTokenExpired = errors.New("reply: the reply address has expired")
	// ErrTokenRecipient: the reply address was issued to another user than
	// the one replying.
	ErrTokenRecipient = errors.New("reply: the reply address was issued to another user")
)

// ReplyPrefix starts the local part of every reply address: n+<token>@domain.
const ReplyPrefix = "n+"

// DefaultTokenTTL is how long a notification can be replied to.
const DefaultTokenTTL = 60 * 24 * time.Hour

// MinKeyLen is the shortest HMAC key Tokens accepts.
const MinKeyLen = 32

// Tokens signs and checks reply addresses. A token carries the record
// (contact or opportunity), a tag of its recipient and its expiry day,
// with an 80-bit HMAC-SHA256 over them and the recipient's user ID; it
// fits a local part (52 characters, lower-case base32) so that mail
// systems that fold case keep it valid.
type Tokens struct {
	Key    []byte        // at least MinKeyLen bytes
	Domain string        // the inbound domain: reply addresses are n+<token>@Domain
	TTL    time.Duration // DefaultTokenTTL when zero
	Now    func() time.Time
}

// ReplyRef is what a reply address names.
type ReplyRef struct {
	Kind    crm.ParentKind // contact or opportunity
	ID      string
	Expires time.Time
	tag     [3]byte
	signed  []byte // version to expiry, the bytes the MAC covers with the user ID
	mac     []byte
}

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

const (
	tokenVersion = 1
	macLen       = 10
	tokenLen     = 1 + 16 + 2 + 3 + macLen // version and kind, ID, expiry day, recipient tag, MAC
)

func (t *Tokens) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

func (t *Tokens) sum(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, t.Key)
	for _, p := range parts {
		m.Write(p)
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func (t *Tokens) tag(userID string) [3]byte {
	var out [3]byte
	copy(out[:], t.sum([]byte("recipient"), []byte(userID)))
	return out
}

// Address returns the reply address of a notification about a record for
// a recipient user, or "" when Tokens is not configured (no key or domain)
// or the record cannot be named (not a contact or opportunity, not an ID).
func (t *Tokens) Address(kind crm.ParentKind, id, userID string) string {
	if t == nil || len(t.Key) < MinKeyLen || t.Domain == "" || userID == "" {
		return ""
	}
	var k byte
	switch kind {
	case crm.ParentContact:
		k = 'c'
	case crm.ParentOpportunity:
		k = 'o'
	default:
		return ""
	}
	u, err := ulid.ParseStrict(id)
	if err != nil {
		return ""
	}
	ttl := t.TTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	day := t.now().Add(ttl).Unix()/86400 + 1
	if day > 0xffff {
		day = 0xffff
	}
	b := make([]byte, 0, tokenLen)
	b = append(b, tokenVersion<<4|kindBits(k))
	b = append(b, u[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(day))
	tag := t.tag(userID)
	b = append(b, tag[:]...)
	b = append(b, t.sum([]byte("reply"), b, []byte(userID))[:macLen]...)
	return ReplyPrefix + b32.EncodeToString(b) + "@" + t.Domain
}

func kindBits(k byte) byte {
	if k == 'o' {
		return 1
	}
	return 0
}

// IsReply reports whether addr is a reply address (n+...@...), whatever
// its token is worth.
func IsReply(addr string) bool {
	return strings.HasPrefix(strings.ToLower(addr), ReplyPrefix) && strings.Contains(addr, "@")
}

// ParseReply reads a reply address. Errors: ErrTokenInvalid (not one of
// ours, or damaged), ErrTokenExpired (with the ref, so the caller can say
// when); the recipient is checked by Verify.
func (t *Tokens) ParseReply(addr string) (ReplyRef, error) {
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	raw, ok := strings.CutPrefix(local, ReplyPrefix)
	if !ok || t == nil || len(t.Key) < MinKeyLen {
		return ReplyRef{}, ErrTokenInvalid
	}
	b, err := b32.DecodeString(raw)
	if err != nil || len(b) != tokenLen || b[0]>>4 != tokenVersion || b[0]&0x0f > 1 {
		return ReplyRef{}, ErrTokenInvalid
	}
	var u ulid.ULID
	copy(u[:], b[1:17])
	r := ReplyRef{Kind: crm.ParentContact, ID: u.String(), signed: b[:tokenLen-macLen], mac: b[tokenLen-macLen:]}
	if b[0]&0x0f == 1 {
		r.Kind = crm.ParentOpportunity
	}
	copy(r.tag[:], b[19:22])
	r.Expires = time.Unix(int64(binary.BigEndian.Uint16(b[17:19]))*86400, 0).UTC()
	return r, nil
}

// Verify checks that r was signed by this key for userID and has not
// expired; team (the other users' IDs) tells a reply address issued to a
// colleague from a forged one. Errors: ErrTokenRecipient (a colleague's),
// ErrTokenInvalid (forged), ErrTokenExpired.
func (t *Tokens) Verify(r ReplyRef, userID string, team []string) error {
	if r.signed == nil {
		return ErrTokenInvalid
	}
	if !t.signedFor(r, userID) {
		for _, id := range team {
			if id != userID && t.signedFor(r, id) {
				return ErrTokenRecipient
			}
		}
		return ErrTokenInvalid
	}
	if !t.now().Before(r.Expires) {
		return ErrTokenExpired
	}
	return nil
}

// signedFor reports whether r's tag and MAC are userID's.
func (t *Tokens) signedFor(r ReplyRef, userID string) bool {
	tag := t.tag(userID)
	return hmac.Equal(tag[:], r.tag[:]) && hmac.Equal(t.sum([]byte("reply"), r.signed, []byte(userID))[:macLen], r.mac)
}
