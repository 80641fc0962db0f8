package crm

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

var (
	idMu      sync.Mutex
	idEntropy = ulid.Monotonic(rand.Reader, 0)
)

// NewID returns a new ULID string: unique, and sorting by creation time.
func NewID(now time.Time) string {
	idMu.Lock()
	defer idMu.Unlock()
	return ulid.MustNew(ulid.Timestamp(now), idEntropy).String()
}

// ValidID reports whether s is a well-formed ULID as NewID makes them.
func ValidID(s string) bool {
	if len(s) != ulid.EncodedSize {
		return false
	}
	_, err := ulid.ParseStrict(s)
	return err == nil
}

// CheckID returns a CodeInvalid error naming field when id is not a valid ID.
func CheckID(field, id string) error {
	if !ValidID(id) {
		return InvalidField(field, "is not a valid ID")
	}
	return nil
}
