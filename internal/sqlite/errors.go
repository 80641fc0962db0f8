package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/embudo/embudo/internal/crm"
)

// fail turns an error of a store method into its crm error: crm errors pass
// unchanged; the database's failures the operator can fix (busy beyond the
// busy timeout, disk full, file read-only or unreadable) become unavailable,
// logged with the file's path; a unique constraint that a concurrent writer
// of another process broke becomes conflict; anything else internal.
func (s *Store) fail(err error) error {
	if err == nil {
		return nil
	}
	var ce *crm.Error
	if errors.As(err, &ce) {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return crm.Internal(err)
	}
	var msg string
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		msg = "the database is busy; retry in a moment"
	case sqlite3.SQLITE_FULL:
		msg = "the disk of the database is full"
	case sqlite3.SQLITE_READONLY:
		msg = "the database is read-only"
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR:
		msg = "the database file cannot be read or written"
	case sqlite3.SQLITE_CONSTRAINT:
		return &crm.Error{Code: crm.CodeConflict, Message: "a concurrent change touched the same data; retry", Err: err}
	default:
		return crm.Internal(err)
	}
	s.log.Error("database unavailable: "+msg, "file", s.path, "err", err)
	return crm.Unavailable(msg, err)
}

// isDamage reports whether err says the database file is damaged or not a
// database at all.
func isDamage(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == sqlite3.SQLITE_CORRUPT || c == sqlite3.SQLITE_NOTADB
}

// errExists is the error for an entity ID that exists already (IDs are
// ULIDs, so this means a retried create).
func errExists(label string) error { return crm.Conflict(label + " already exists") }

// errMissingRef is the error for a reference to an entity that does not
// exist, naming the field.
func errMissingRef(field, label string) error {
	return crm.InvalidField(field, "no "+label+" has this ID")
}

// errTaken is the conflict for a unique value owner holds, naming the field
// and the owner.
func errTaken(field, message, owner string) error {
	return &crm.Error{Code: crm.CodeConflict, Message: message, ExistingID: owner,
		Fields: map[string]string{field: "is already used by " + owner}}
}

// errDuplicateLead is the conflict of a lead delivered before.
func errDuplicateLead() error {
	return crm.DuplicateLead()
}
